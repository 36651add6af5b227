//! Embedding throughput, Driftlens (candle) side by side with sentence-transformers (PyTorch)
//! on the same CPU, the same model files, the same sentences and the same batch size.
//!
//!   cargo bench --bench embed_throughput            # N=512 DEMETR sentences by default
//!   DRIFTLENS_PYTHON=/path/to/python cargo bench --bench embed_throughput
//!
//! The Python side runs when that interpreter (default `python3`) can import
//! sentence_transformers (`pip install torch sentence-transformers`); otherwise only the
//! candle figure is printed. Both run with the same number of threads.

use driftlens::embed::{model_dir, Embedder, SentenceEmbedder};
use std::time::Instant;

fn sentences(n: usize) -> Vec<String> {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let demetr = root.join("../shared/eval/demetr/critical_id8_negation.json");
    let mut out = Vec::new();
    if let Ok(text) = std::fs::read_to_string(&demetr) {
        if let Ok(v) = serde_json::from_str::<serde_json::Value>(&text) {
            for row in v.as_array().into_iter().flatten() {
                for k in ["eng_sent", "mt_sent", "pert_sent"] {
                    if let Some(s) = row[k].as_str() {
                        out.push(s.to_string());
                    }
                }
            }
        }
    }
    if out.is_empty() {
        let en = std::fs::read_to_string(root.join("corpora/russia-china-alliance/en.md"))
            .expect("the bundled corpus");
        out = en
            .split(". ")
            .map(|s| s.trim().to_string())
            .filter(|s| s.len() > 20)
            .collect();
    }
    out.into_iter().cycle().take(n).collect()
}

const PY: &str = r#"
import json, sys, time, torch
from sentence_transformers import SentenceTransformer
path, model, threads = sys.argv[1], sys.argv[2], int(sys.argv[3])
torch.set_num_threads(threads)
s = json.load(open(path))
m = SentenceTransformer(model, device="cpu")
m.encode(s[:32], batch_size=32)
t = time.perf_counter()
m.encode(s, batch_size=32)
print(len(s) / (time.perf_counter() - t))
"#;

fn main() {
    let n: usize = std::env::var("N")
        .ok()
        .and_then(|x| x.parse().ok())
        .unwrap_or(512);
    let threads = std::thread::available_parallelism()
        .map(|x| x.get())
        .unwrap_or(1);
    let dir = model_dir("all-MiniLM-L6-v2");
    let model = match SentenceEmbedder::load(&dir) {
        Ok(m) => m,
        Err(e) => {
            eprintln!("embed_throughput: {e}");
            std::process::exit(1);
        }
    };
    let s = sentences(n);
    let refs: Vec<&str> = s.iter().map(String::as_str).collect();
    model.embed(&refs[..32.min(refs.len())]).unwrap();
    let t = Instant::now();
    model.embed(&refs).unwrap();
    let candle = n as f64 / t.elapsed().as_secs_f64();
    println!("all-MiniLM-L6-v2, {n} sentences, batch 32, {threads} threads");
    println!("{:<34}{:>10.1} sentences/s", "driftlens (candle)", candle);

    let python = std::env::var("DRIFTLENS_PYTHON").unwrap_or_else(|_| "python3".into());
    let tmp =
        std::env::temp_dir().join(format!("driftlens-embed-bench-{}.json", std::process::id()));
    std::fs::write(&tmp, serde_json::to_string(&s).unwrap()).unwrap();
    let out = std::process::Command::new(&python)
        .arg("-c")
        .arg(PY)
        .arg(&tmp)
        .arg(&dir)
        .arg(threads.to_string())
        .output();
    let _ = std::fs::remove_file(&tmp);
    match out {
        Ok(o) if o.status.success() => {
            let st: f64 = String::from_utf8_lossy(&o.stdout).trim().lines().last().and_then(|l| l.parse().ok()).unwrap_or(f64::NAN);
            println!("{:<34}{:>10.1} sentences/s", "sentence-transformers (PyTorch)", st);
            println!("ratio candle / sentence-transformers: {:.2}", candle / st);
        }
        _ => println!("sentence-transformers: not run ({python} cannot import sentence_transformers; set DRIFTLENS_PYTHON)"),
    }
}
