//! Loads, detects and splits a 20 MB multilingual text (the bundled corpus, all 51
//! languages, repeated), and prints MB/s and peak memory — beside plain UAX #29 sentence
//! splitting (unicode-segmentation alone) and, where Python's `pysbd` is installed, the
//! rule-based splitter a Python user would reach for, on the same file in the same run.
//!
//! Run: `cargo bench --bench text_throughput` (release build).

use driftlens::text;
use std::io::Write;
use std::path::Path;
use std::time::Instant;
use unicode_segmentation::UnicodeSegmentation;

fn status_kib(field: &str) -> u64 {
    let s = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    s.lines()
        .find(|l| l.starts_with(field))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|v| v.parse().ok())
        .unwrap_or(0)
}

fn main() {
    let corpus = Path::new(env!("CARGO_MANIFEST_DIR")).join("corpora/russia-china-alliance");
    let mut files: Vec<_> = std::fs::read_dir(&corpus).unwrap().filter_map(|e| e.ok().map(|e| e.path())).collect();
    files.retain(|p| p.extension().map(|e| e == "md").unwrap_or(false) && p.file_name().unwrap() != "README.md");
    files.sort();
    let texts: Vec<String> = files.iter().map(|p| std::fs::read_to_string(p).unwrap()).collect();
    let target = 20 * 1024 * 1024;
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
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("multilingual.md");
    std::fs::File::create(&path).unwrap().write_all(big.as_bytes()).unwrap();
    let mb = big.len() as f64 / (1024.0 * 1024.0);
    drop(big);

    // Peak memory of the Driftlens run alone: reset the high-water mark first.
    let _ = std::fs::write("/proc/self/clear_refs", "5");
    let rss_before = status_kib("VmRSS:");
    let t0 = Instant::now();
    let doc = text::load(&path).unwrap();
    let t_load = t0.elapsed();
    let seg = text::segment(&doc, None).unwrap();
    let total = t0.elapsed();
    let peak = status_kib("VmHWM:");
    let extra_mb = peak.saturating_sub(rss_before) as f64 / 1024.0;
    println!("input: {mb:.1} MB, {} paragraphs, {} sentences, {} quotations, {} sentences flagged as another language", doc.paragraphs.len(), seg.sentences.len(), seg.quotes.len(), seg.foreign.len());
    println!(
        "driftlens load+detect+split+quotes: {:.3} s ({:.1} MB/s; load {:.3} s), peak memory {:.0} MB above baseline = {:.2}x input",
        total.as_secs_f64(),
        mb / total.as_secs_f64(),
        t_load.as_secs_f64(),
        extra_mb,
        extra_mb / mb
    );
    // Where the time goes, stage by stage, on the same document.
    let lang = text::language(&seg.lang.code);
    let t0 = Instant::now();
    let sentences = text::split_sentences(&doc.text, &doc.paragraphs, lang);
    let t_split = t0.elapsed();
    let t0 = Instant::now();
    let quotes = text::find_quotes(&doc.text, &doc.paragraphs, &sentences);
    let t_quotes = t0.elapsed();
    let t0 = Instant::now();
    let flagged = lang.map(|l| sentences.iter().filter(|s| text::lang::foreign_sentence(s.text(&doc.text), l).is_some()).count()).unwrap_or(0);
    let t_detect = t0.elapsed();
    println!(
        "  stages: split {:.3} s, quotations {:.3} s ({}), per-sentence language check {:.3} s ({flagged} flagged)",
        t_split.as_secs_f64(),
        t_quotes.as_secs_f64(),
        quotes.len(),
        t_detect.as_secs_f64()
    );
    drop(seg);

    let t0 = Instant::now();
    let n = doc.text.split_sentence_bounds().count();
    let uax = t0.elapsed();
    println!("plain UAX #29 (unicode-segmentation, no rules, no detection): {:.3} s ({:.1} MB/s), {n} segments", uax.as_secs_f64(), mb / uax.as_secs_f64());

    let py = std::process::Command::new("python3")
        .arg(Path::new(env!("CARGO_MANIFEST_DIR")).join("scripts/bench_pysbd.py"))
        .arg(&path)
        .output();
    match py {
        Ok(o) if o.status.success() => print!("{}", String::from_utf8_lossy(&o.stdout)),
        Ok(o) => println!("pysbd: not measured ({})", String::from_utf8_lossy(&o.stderr).lines().last().unwrap_or("").trim()),
        Err(e) => println!("pysbd: not measured ({e})"),
    }
}
