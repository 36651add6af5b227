//! Driftlens' engines: everything that runs a model or a program or touches the disk for
//! the pipeline. `translate` (the `Translator` trait; Apertium as a subprocess, Marian on
//! candle, the on-disk cache, routes), `embed` (sentence embeddings on candle), `models`
//! (finding, downloading and verifying model files; each engine checks its own files) and
//! `atomic` (crash-safe file writes). No UI, no command-line parsing, no analysis: the
//! application (the root package) puts them together.

pub mod atomic;
pub mod embed;
pub mod models;
pub(crate) mod packed;
pub mod translate;

/// The project folder (the workspace root, where `models/` and `corpora/` are), for finding
/// bundled files when the program runs from elsewhere.
pub(crate) fn project_dir() -> std::path::PathBuf {
    let engines = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    engines
        .parent()
        .and_then(std::path::Path::parent)
        .unwrap_or(engines)
        .to_path_buf()
}
