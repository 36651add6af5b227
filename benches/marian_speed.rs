//! Marian decoding speed on candle: the candle half of scripts/bench-marian.py, which runs
//! PyTorch `transformers` on the same weights and inputs and prints both side by side.
//!
//! ```text
//! cargo bench --bench marian_speed -- --model DIR --inputs FILE.json [--tokens 32]
//!     [--batch 1,16] [--beams 1,4] [--repeat 1]
//! ```
//!
//! `--inputs` is a JSON list of encoder token-id lists (the script writes it with the
//! reference tokenizer). Every sentence gets exactly `--tokens` output tokens (end of
//! sentence is forbidden before the last one and forced there), so both engines do the same
//! work. Prints one JSON object per measurement. Threads: RAYON_NUM_THREADS.

use driftlens::translate::marian::config::GenerationSettings;
use driftlens::translate::marian::Marian;
use std::time::Instant;

fn arg(args: &[String], name: &str) -> Option<String> {
    args.iter().position(|a| a == name).and_then(|i| args.get(i + 1)).cloned()
}

/// CPU seconds this process has used, all threads together.
fn cpu_seconds() -> f64 {
    let mut u: libc::rusage = unsafe { std::mem::zeroed() };
    // SAFETY: getrusage only writes into the struct it is given.
    if unsafe { libc::getrusage(libc::RUSAGE_SELF, &mut u) } != 0 {
        return f64::NAN;
    }
    let t = |v: libc::timeval| v.tv_sec as f64 + v.tv_usec as f64 / 1e6;
    t(u.ru_utime) + t(u.ru_stime)
}

fn list(s: &str) -> Vec<usize> {
    s.split(',').filter_map(|x| x.trim().parse().ok()).collect()
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let (Some(model_dir), Some(inputs_path)) = (arg(&args, "--model"), arg(&args, "--inputs")) else {
        eprintln!("usage: marian_speed --model DIR --inputs FILE.json [--tokens N] [--batch 1,16] [--beams 1,4] [--repeat N]");
        eprintln!("(run scripts/bench-marian.py, which prepares both and compares with PyTorch)");
        return;
    };
    let tokens: usize = arg(&args, "--tokens").and_then(|t| t.parse().ok()).unwrap_or(32);
    let batches = list(&arg(&args, "--batch").unwrap_or_else(|| "1,16".into()));
    let beams = list(&arg(&args, "--beams").unwrap_or_else(|| "1".into()));
    let repeat: usize = arg(&args, "--repeat").and_then(|t| t.parse().ok()).unwrap_or(1);
    let t0 = Instant::now();
    let model = Marian::load(std::path::Path::new(&model_dir)).unwrap_or_else(|e| {
        eprintln!("{e}");
        std::process::exit(1)
    });
    let load_s = t0.elapsed().as_secs_f64();
    let inputs: Vec<Vec<u32>> = serde_json::from_slice(&std::fs::read(&inputs_path).expect("inputs file")).expect("inputs JSON: a list of token-id lists");
    println!("{}", serde_json::json!({"engine": "candle", "event": "loaded", "seconds": load_s, "threads": candle_core::utils::get_num_threads()}));
    let base = model.options().generation.clone();
    for &nb in &beams {
        for &bs in &batches {
            let settings = GenerationSettings { num_beams: nb, max_length: tokens + 1, min_length: tokens + 1, ..base.clone() };
            for r in 0..repeat {
                let t = Instant::now();
                let cpu = cpu_seconds();
                let out = model.generate_ids(&inputs, &settings, bs, None, &|_| {}).expect("generation");
                let secs = t.elapsed().as_secs_f64();
                let cpu = cpu_seconds() - cpu;
                let produced: usize = out.iter().map(Vec::len).sum();
                assert_eq!(produced, inputs.len() * tokens, "every sentence gets exactly {tokens} tokens");
                println!(
                    "{}",
                    serde_json::json!({"engine": "candle", "batch": bs, "beams": nb, "repeat": r, "sentences": inputs.len(), "tokens": produced, "seconds": secs, "cpu_seconds": cpu, "tokens_per_s": produced as f64 / secs, "tokens_per_cpu_s": produced as f64 / cpu})
                );
            }
        }
    }
}
