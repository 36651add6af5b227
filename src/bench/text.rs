//! Text-stage throughput: loads, detects and splits a 20 MB multilingual text (the bundled
//! corpus, all 51 languages, repeated) and reports MB/s and peak memory, beside plain UAX #29
//! sentence splitting (unicode-segmentation alone) and, where Python's `pysbd` is installed,
//! the rule-based splitter a Python user would reach for, on the same file in the same run.
//!
//! `driftlens bench text` runs it in whatever build the binary is (`cargo run --release --
//! bench text` for the figures that count); `cargo bench --bench text_throughput` is the same.

use crate::text::{find_quotes, lang::foreign_sentence, language, load, segment, split_sentences};
use std::fmt::Write as _;
use std::io::Write as _;
use std::path::Path;
use std::time::Instant;
use unicode_segmentation::UnicodeSegmentation;

/// A field of /proc/self/status in KiB (VmRSS, VmHWM …; 0 where it cannot be read). The
/// memory figures of every benchmark and of the tests that bound memory come from here.
pub fn status_kib(field: &str) -> u64 {
    let s = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    s.lines()
        .find(|l| l.starts_with(field))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|v| v.parse().ok())
        .unwrap_or(0)
}

/// Runs the benchmark over the `.md` files of `corpus` and returns the report as text.
pub fn run(corpus: &Path, megabytes: usize) -> Result<String, String> {
    let files = super::corpus_files(corpus)?;
    let texts: Vec<String> = files
        .iter()
        .filter_map(|p| std::fs::read_to_string(p).ok())
        .collect();
    if texts.is_empty() {
        return Err(format!(
            "{} holds no .md files to build the benchmark text from",
            corpus.display()
        ));
    }
    let target = megabytes.max(1) * 1024 * 1024;
    let mut big = String::with_capacity(target + 64 * 1024);
    'fill: loop {
        for t in &texts {
            big.push_str(t);
            big.push('\n');
            if big.len() >= target {
                break 'fill;
            }
        }
    }
    let dir = std::env::temp_dir().join(format!("driftlens-text-bench-{}", std::process::id()));
    std::fs::create_dir_all(&dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    let path = dir.join("multilingual.md");
    std::fs::File::create(&path)
        .and_then(|mut f| f.write_all(big.as_bytes()))
        .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    let mb = big.len() as f64 / (1024.0 * 1024.0);
    drop(big);
    let result = measure(&path, mb);
    let _ = std::fs::remove_dir_all(&dir);
    result
}

fn measure(path: &Path, mb: f64) -> Result<String, String> {
    let mut out = String::new();
    // Peak memory of the Driftlens run alone: reset the high-water mark first.
    let _ = std::fs::write("/proc/self/clear_refs", "5");
    let rss_before = status_kib("VmRSS:");
    let t0 = Instant::now();
    let doc = load(path).map_err(|e| e.to_string())?;
    let t_load = t0.elapsed();
    let seg = segment(&doc, None).map_err(|e| e.to_string())?;
    let total = t0.elapsed();
    let peak = status_kib("VmHWM:");
    let extra_mb = peak.saturating_sub(rss_before) as f64 / 1024.0;
    let threads = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(1);
    let _ = writeln!(out, "input: {mb:.1} MB, {} paragraphs, {} sentences, {} quotations, {} sentences flagged as another language; {threads} threads", doc.paragraphs.len(), seg.sentences.len(), seg.quotes.len(), seg.foreign.len());
    let _ = writeln!(
        out,
        "driftlens load+detect+split+quotes: {:.3} s ({:.1} MB/s; load {:.3} s), peak memory {:.0} MB above baseline = {:.2}x input",
        total.as_secs_f64(),
        mb / total.as_secs_f64(),
        t_load.as_secs_f64(),
        extra_mb,
        extra_mb / mb
    );
    // Where the time goes, stage by stage, each on one thread, on the same document.
    let lang = language(&seg.lang.code);
    let t0 = Instant::now();
    let sentences = split_sentences(&doc.text, &doc.paragraphs, lang);
    let t_split = t0.elapsed();
    let t0 = Instant::now();
    let quotes = find_quotes(&doc.text, &doc.paragraphs, &sentences);
    let t_quotes = t0.elapsed();
    let t0 = Instant::now();
    let flagged = lang
        .map(|l| {
            sentences
                .iter()
                .filter(|s| foreign_sentence(s.text(&doc.text), l).is_some())
                .count()
        })
        .unwrap_or(0);
    let t_detect = t0.elapsed();
    let _ = writeln!(
        out,
        "  stages: split {:.3} s (all cores), quotations {:.3} s ({}), per-sentence language check {:.3} s on one thread ({flagged} flagged)",
        t_split.as_secs_f64(),
        t_quotes.as_secs_f64(),
        quotes.len(),
        t_detect.as_secs_f64()
    );
    drop(seg);

    let t0 = Instant::now();
    let n = doc.text.split_sentence_bounds().count();
    let uax = t0.elapsed();
    let _ = writeln!(out, "plain UAX #29 (unicode-segmentation, one thread, no rules, no detection): {:.3} s ({:.1} MB/s), {n} segments", uax.as_secs_f64(), mb / uax.as_secs_f64());

    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("scripts/bench_pysbd.py");
    match std::process::Command::new("python3")
        .arg(&script)
        .arg(path)
        .output()
    {
        Ok(o) if o.status.success() => out.push_str(&String::from_utf8_lossy(&o.stdout)),
        Ok(o) => {
            let _ = writeln!(
                out,
                "pysbd: not measured ({}; pip install pysbd)",
                String::from_utf8_lossy(&o.stderr)
                    .lines()
                    .last()
                    .unwrap_or("")
                    .trim()
            );
        }
        Err(e) => {
            let _ = writeln!(out, "pysbd: not measured (python3: {e})");
        }
    }
    Ok(out)
}
