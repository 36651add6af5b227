//! `driftlens bench import`: how fast and in how much memory a reviewer's XLIFF loads (read,
//! segments laid out as the original and the translation with their beads), beside the
//! loose-text path on the same sentences (load and segment the original and the translation
//! as Markdown). Each side runs in a child process of its own, so each peak memory (VmHWM)
//! is its own.

use super::text::status_kib;
use std::fmt::Write as _;
use std::path::Path;
use std::time::Instant;

/// The sentences of unit `i`: an original and its translation.
fn sentence(i: usize) -> (String, String) {
    let cities = ["Moscow", "Beijing", "Kazan", "Harbin", "Vladivostok"];
    let c = cities[i % cities.len()];
    (
        format!(
            "The delegation visited {c} on day {i} and met {} officials.",
            i % 97
        ),
        format!(
            "La delegación visitó {c} el día {i} y se reunió con {} funcionarios.",
            i % 97
        ),
    )
}

/// Writes `units` trans-units as OmegaT writes XLIFF 1.2, and the same sentences as loose
/// en.md and es.md (one paragraph each) into `dir`.
fn generate(dir: &Path, units: usize) -> Result<u64, String> {
    let mut xlf = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<xliff version=\"1.2\" xmlns=\"urn:oasis:names:tc:xliff:document:1.2\">\n  <file original=\"article.html\" source-language=\"en\" target-language=\"es\" datatype=\"html\">\n    <body>\n");
    let (mut en, mut es) = (String::new(), String::new());
    for i in 0..units {
        let (o, t) = sentence(i);
        let _ = write!(
            xlf,
            "      <trans-unit id=\"{i}\">\n        <source xml:lang=\"en\">{o}<x id=\"1\"/></source>\n        <target xml:lang=\"es\" state=\"translated\">{t}<x id=\"1\"/></target>\n      </trans-unit>\n"
        );
        let _ = write!(en, "{o}\n\n");
        let _ = write!(es, "{t}\n\n");
    }
    xlf.push_str("    </body>\n  </file>\n</xliff>\n");
    let io =
        |e: std::io::Error| format!("cannot write the benchmark files in {}: {e}", dir.display());
    std::fs::write(dir.join("review.xlf"), &xlf).map_err(io)?;
    std::fs::write(dir.join("en.md"), en).map_err(io)?;
    std::fs::write(dir.join("es.md"), es).map_err(io)?;
    Ok(xlf.len() as u64)
}

/// Runs one side in this process and prints `seconds peak-KiB-above-baseline units`.
pub fn measure(side: &str, dir: &Path) -> Result<String, String> {
    let before = status_kib("VmRSS:");
    let start = Instant::now();
    let units = match side {
        "xliff" => {
            let imported =
                crate::import::read(&dir.join("review.xlf")).map_err(|e| e.to_string())?;
            let file = crate::import::build(&imported).map_err(|e| e.to_string())?;
            file.translations[0].alignment.beads.len()
        }
        _ => {
            let mut sentences = 0;
            for (name, lang) in [("en.md", "en"), ("es.md", "es")] {
                let doc = crate::text::load(&dir.join(name)).map_err(|e| e.to_string())?;
                let seg = crate::text::segment(&doc, Some(lang)).map_err(|e| e.to_string())?;
                sentences = seg.sentences.len();
            }
            sentences
        }
    };
    let seconds = start.elapsed().as_secs_f64();
    let peak = status_kib("VmHWM:").saturating_sub(before);
    Ok(format!("{seconds} {peak} {units}\n"))
}

/// Generates the files, measures both sides in child processes, and prints the figures.
pub fn run(units: usize) -> Result<String, String> {
    let dir = tempfile::tempdir().map_err(|e| format!("cannot make a temporary folder: {e}"))?;
    let size = generate(dir.path(), units)?;
    let exe = std::env::current_exe().map_err(|e| e.to_string())?;
    let mut out = format!(
        "{units} trans-units, XLIFF {:.1} MB ({})\n",
        size as f64 / 1e6,
        if cfg!(debug_assertions) {
            "debug build: run the release build for the figures that count"
        } else {
            "release build"
        }
    );
    for (side, what) in [
        ("xliff", "XLIFF read + segments laid out with their beads"),
        (
            "loose",
            "loose en.md + es.md loaded and segmented (no alignment)",
        ),
    ] {
        let child = std::process::Command::new(&exe)
            .args(["bench", "import", "--measure", side, "--dir"])
            .arg(dir.path())
            .output()
            .map_err(|e| format!("cannot run {}: {e}", exe.display()))?;
        let text = String::from_utf8_lossy(&child.stdout);
        let f: Vec<f64> = text
            .split_whitespace()
            .filter_map(|x| x.parse().ok())
            .collect();
        let [seconds, kib, count] = f[..] else {
            return Err(format!(
                "the {side} measurement failed: {}",
                String::from_utf8_lossy(&child.stderr)
            ));
        };
        let _ = writeln!(
            out,
            "{what:<58} {seconds:>6.3} s  peak {:>6.1} MB = {:.2}x the XLIFF  ({count} units/sentences)",
            kib / 1024.0,
            kib * 1024.0 / size as f64
        );
    }
    Ok(out)
}
