//! Marian decoding speed on candle: the candle half of scripts/bench-marian.py, which runs
//! PyTorch `transformers` and CTranslate2 on the same weights and inputs and prints them all
//! side by side.
//!
//! ```text
//! cargo bench --bench marian_speed -- --model DIR --inputs FILE.json [--tokens 32]
//!     [--batch 1,16] [--beams 1,4] [--repeat 1] [--precision f32|int8] [--profile]
//! cargo bench --bench marian_speed -- --model DIR --inputs FILE.json --fidelity
//! cargo bench --bench marian_speed -- --kernels
//! ```
//!
//! `--inputs` is a JSON list of encoder token-id lists (the script writes it with the
//! reference tokenizer). Every sentence gets exactly `--tokens` output tokens (end of
//! sentence is forbidden before the last one and forced there), so all engines do the same
//! work. Prints one JSON object per measurement. Threads: RAYON_NUM_THREADS.
//!
//! `--profile` adds, per measurement, the time of each operation of `generate`
//! (`translate::marian::profile`). `--fidelity` decodes every input greedily in f32, feeds
//! the same tokens to the int8 network, and prints the cosine of the two logits vectors at
//! every step (the smallest, and how many steps fall under 0.999), and how many greedy
//! int8 outputs equal the f32 ones; it exits with status 1 if a step is under 0.999.
//! `--kernels` times the linear-layer kernels alone on the opus-mt base shapes.

use driftlens::translate::marian::config::GenerationSettings;
use driftlens::translate::marian::dense::PackedF32;
use driftlens::translate::marian::int8::QuantLinear;
use driftlens::translate::marian::{profile, Marian, Precision};
use std::time::Instant;

fn arg(args: &[String], name: &str) -> Option<String> {
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1))
        .cloned()
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

fn fail(msg: impl std::fmt::Display) -> ! {
    eprintln!("{msg}");
    std::process::exit(1)
}

fn load(dir: &str, precision: Precision) -> Marian {
    Marian::load_with(std::path::Path::new(dir), precision).unwrap_or_else(|e| fail(e))
}

fn read_inputs(path: &str) -> Vec<Vec<u32>> {
    let bytes = std::fs::read(path).unwrap_or_else(|e| fail(format!("{path}: {e}")));
    serde_json::from_slice(&bytes)
        .unwrap_or_else(|e| fail(format!("{path}: not a JSON list of token-id lists ({e})")))
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if args.iter().any(|a| a == "--kernels") {
        return kernels();
    }
    let (Some(model_dir), Some(inputs_path)) = (arg(&args, "--model"), arg(&args, "--inputs"))
    else {
        eprintln!("usage: marian_speed --model DIR --inputs FILE.json [--tokens N] [--batch 1,16] [--beams 1,4] [--repeat N] [--precision f32|int8] [--profile] [--fidelity]");
        eprintln!("       marian_speed --kernels");
        eprintln!("(run scripts/bench-marian.py, which prepares the inputs and compares with PyTorch and CTranslate2)");
        return;
    };
    let tokens: usize = arg(&args, "--tokens")
        .and_then(|t| t.parse().ok())
        .unwrap_or(32);
    let inputs = read_inputs(&inputs_path);
    if args.iter().any(|a| a == "--fidelity") {
        return fidelity(&model_dir, &inputs, tokens);
    }
    if args.iter().any(|a| a == "--profile") {
        // Before any thread starts: the flag is read once.
        std::env::set_var("DRIFTLENS_MARIAN_PROFILE", "1");
    }
    let batches = list(&arg(&args, "--batch").unwrap_or_else(|| "1,16".into()));
    let beams = list(&arg(&args, "--beams").unwrap_or_else(|| "1".into()));
    let repeat: usize = arg(&args, "--repeat")
        .and_then(|t| t.parse().ok())
        .unwrap_or(1);
    let precision: Precision = arg(&args, "--precision")
        .map(|p| p.parse().unwrap_or_else(|e| fail(e)))
        .unwrap_or_default();
    let t0 = Instant::now();
    let model = load(&model_dir, precision);
    let load_s = t0.elapsed().as_secs_f64();
    println!(
        "{}",
        serde_json::json!({"engine": "candle", "precision": precision.name(), "event": "loaded", "seconds": load_s, "threads": candle_core::utils::get_num_threads()})
    );
    let base = model.options().generation.clone();
    for &nb in &beams {
        for &bs in &batches {
            let settings = GenerationSettings {
                num_beams: nb,
                max_length: tokens + 1,
                min_length: tokens + 1,
                ..base.clone()
            };
            for r in 0..repeat {
                profile::take();
                let t = Instant::now();
                let cpu = cpu_seconds();
                let out = model
                    .generate_ids(&inputs, &settings, bs, None, &|_| {})
                    .unwrap_or_else(|e| fail(e));
                let secs = t.elapsed().as_secs_f64();
                let cpu = cpu_seconds() - cpu;
                let produced: usize = out.iter().map(Vec::len).sum();
                if produced != inputs.len() * tokens {
                    fail(format!("{produced} tokens produced where every sentence should get exactly {tokens}"));
                }
                let ops: Vec<serde_json::Value> = profile::take().into_iter().filter(|(_, _, calls)| *calls > 0).map(|(op, s, calls)| serde_json::json!({"op": op.name(), "seconds": s, "calls": calls})).collect();
                println!(
                    "{}",
                    serde_json::json!({"engine": "candle", "precision": precision.name(), "batch": bs, "beams": nb, "repeat": r, "sentences": inputs.len(), "tokens": produced, "seconds": secs, "cpu_seconds": cpu, "tokens_per_s": produced as f64 / secs, "tokens_per_cpu_s": produced as f64 / cpu, "profile": ops})
                );
            }
        }
    }
}

fn cosine(a: &[f32], b: &[f32]) -> f64 {
    let (mut ab, mut aa, mut bb) = (0f64, 0f64, 0f64);
    for (&x, &y) in a.iter().zip(b) {
        ab += x as f64 * y as f64;
        aa += x as f64 * x as f64;
        bb += y as f64 * y as f64;
    }
    ab / (aa.sqrt() * bb.sqrt())
}

/// Int8 against f32 on the same decoder inputs: the f32 greedy output, teacher-forced.
fn fidelity(model_dir: &str, inputs: &[Vec<u32>], tokens: usize) {
    let f32_model = load(model_dir, Precision::F32);
    let int8_model = load(model_dir, Precision::Int8);
    let base = f32_model.options().generation.clone();
    let settings = GenerationSettings {
        num_beams: 1,
        max_length: tokens + 1,
        ..base.clone()
    };
    let f32_out = f32_model
        .generate_ids(inputs, &settings, 16, None, &|_| {})
        .unwrap_or_else(|e| fail(e));
    let int8_out = int8_model
        .generate_ids(inputs, &settings, 16, None, &|_| {})
        .unwrap_or_else(|e| fail(e));
    let same = f32_out
        .iter()
        .zip(&int8_out)
        .filter(|(a, b)| a == b)
        .count();
    let (mut worst, mut steps, mut under, mut sum) = (f64::INFINITY, 0usize, 0usize, 0f64);
    for (src, out) in inputs.iter().zip(&f32_out) {
        let mut dec = vec![base.decoder_start_token_id];
        dec.extend_from_slice(&out[..out.len().saturating_sub(1)]);
        let logits = |m: &Marian| -> Vec<Vec<f32>> {
            m.network()
                .forward(std::slice::from_ref(src), std::slice::from_ref(&dec))
                .and_then(|t| t.squeeze(0)?.to_vec2())
                .unwrap_or_else(|e| fail(e))
        };
        for (a, b) in logits(&f32_model).iter().zip(&logits(&int8_model)) {
            let c = cosine(a, b);
            worst = worst.min(c);
            sum += c;
            steps += 1;
            if c < 0.999 || c.is_nan() {
                under += 1;
            }
        }
    }
    println!(
        "{}",
        serde_json::json!({"event": "fidelity", "sentences": inputs.len(), "steps": steps, "min_cosine": worst, "mean_cosine": sum / steps.max(1) as f64, "steps_under_0.999": under, "greedy_outputs_equal": same})
    );
    if under > 0 {
        std::process::exit(1);
    }
}

/// The linear-layer kernels alone: f32 (candle's matmul on pre-transposed weights, and
/// ours, `dense::PackedF32`), candle's quantized `QMatMul` (q8_0) and ours
/// (`int8::QuantLinear`).
fn kernels() {
    use candle_core::quantized::{GgmlDType, QMatMul, QTensor};
    use candle_core::{Device, Module, Tensor};
    let dev = Device::Cpu;
    let shapes = [
        (1, 512, 512),
        (16, 512, 512),
        (16, 512, 2048),
        (16, 2048, 512),
        (16, 512, 58101),
        (1, 512, 58101),
        (64, 512, 58101),
        (512, 512, 2048),
    ];
    for (m, k, n) in shapes {
        let w = Tensor::randn(0f32, 0.05, (n, k), &dev).unwrap_or_else(|e| fail(e));
        let x = Tensor::randn(0f32, 1.0, (m, k), &dev).unwrap_or_else(|e| fail(e));
        let wt = w
            .t()
            .and_then(|t| t.contiguous())
            .unwrap_or_else(|e| fail(e));
        let q8 = QMatMul::from_qtensor(
            QTensor::quantize(&w, GgmlDType::Q8_0).unwrap_or_else(|e| fail(e)),
        )
        .unwrap_or_else(|e| fail(e));
        let ours = QuantLinear::from_tensors(&w, None).unwrap_or_else(|e| fail(e));
        let packed = PackedF32::from_tensors(&w, None).unwrap_or_else(|e| fail(e));
        let time = |f: &dyn Fn() -> Tensor| -> f64 {
            f();
            let reps = ((2e8 / (m * k * n) as f64) as usize).clamp(3, 400);
            let t = Instant::now();
            for _ in 0..reps {
                std::hint::black_box(f());
            }
            t.elapsed().as_secs_f64() / reps as f64 * 1e3
        };
        let reference = x.matmul(&wt).unwrap_or_else(|e| fail(e));
        let err = |y: &Tensor| -> f64 {
            let a: Vec<f32> = y
                .flatten_all()
                .and_then(|t| t.to_vec1())
                .unwrap_or_default();
            let b: Vec<f32> = reference
                .flatten_all()
                .and_then(|t| t.to_vec1())
                .unwrap_or_default();
            cosine(&a, &b)
        };
        let f32_ms = time(&|| x.matmul(&wt).unwrap_or_else(|e| fail(e)));
        let q8_ms = time(&|| q8.forward(&x).unwrap_or_else(|e| fail(e)));
        let ours_ms = time(&|| ours.forward(&x).unwrap_or_else(|e| fail(e)));
        let packed_ms = time(&|| packed.forward(&x).unwrap_or_else(|e| fail(e)));
        let packed_cos = err(&packed.forward(&x).unwrap_or_else(|e| fail(e)));
        let q8_cos = err(&q8.forward(&x).unwrap_or_else(|e| fail(e)));
        let ours_cos = err(&ours.forward(&x).unwrap_or_else(|e| fail(e)));
        println!(
            "{}",
            serde_json::json!({"m": m, "k": k, "n": n, "f32_ms": f32_ms, "f32_packed_ms": packed_ms, "f32_packed_cosine": packed_cos, "candle_q8_0_ms": q8_ms, "int8_ms": ours_ms, "candle_q8_0_cosine": q8_cos, "int8_cosine": ours_cos, "threads": candle_core::utils::get_num_threads()})
        );
    }
}
