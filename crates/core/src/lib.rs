//! The pure core of Driftlens: `text` (documents, languages, sentences, quotations), `align`
//! (sentence alignment), `drift` (drift checks, score and reasons) and `direct` (the original
//! compared with a translation itself, with no engine).
//!
//! Nothing in this crate reads a file, starts a process, loads a model or draws: it takes
//! values and returns values, so its tests need no fixtures on disk. The application
//! (`driftlens`, the root package) loads documents, runs the engines and passes lexicons in
//! through [`drift::Lexicon`].

pub mod align;
pub mod direct;
pub mod drift;
pub mod text;

/// The threads a parallel step may use (1 where the machine cannot say), asked once:
/// `available_parallelism` reads the cgroup files on every call, 5 % of a cached
/// whole-corpus run when the aligner asked it per search.
pub fn threads() -> usize {
    static THREADS: std::sync::OnceLock<usize> = std::sync::OnceLock::new();
    *THREADS.get_or_init(|| {
        std::thread::available_parallelism()
            .map(|n| n.get())
            .unwrap_or(1)
    })
}
