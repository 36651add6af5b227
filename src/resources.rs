//! What the application finds on this system for the core: WordNet's database (read once
//! per process) and the drift scorer that uses it.

use driftlens_core::drift::lexicon::WordNet;
use driftlens_core::drift::DriftScorer;
use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};

/// Where WordNet is looked for, in order.
pub fn wordnet_search_path() -> Vec<PathBuf> {
    let mut v = Vec::new();
    if let Some(d) = std::env::var_os("DRIFTLENS_WORDNET") {
        v.push(PathBuf::from(d));
    }
    if let Some(d) = std::env::var_os("WNHOME") {
        v.push(PathBuf::from(&d).join("dict"));
        v.push(PathBuf::from(d));
    }
    for d in [
        "/usr/share/wordnet",
        "/usr/local/share/wordnet",
        "/usr/local/WordNet-3.0/dict",
        "/opt/homebrew/opt/wordnet/dict",
        "/usr/local/opt/wordnet/dict",
    ] {
        v.push(PathBuf::from(d));
    }
    v
}

/// The command that installs WordNet on this system.
pub const WORDNET_INSTALL: &str = "sudo apt install wordnet-base   (macOS: brew install wordnet; or set DRIFTLENS_WORDNET to a WordNet 3.0 dict folder)";

static WORDNET: OnceLock<Result<Arc<WordNet>, String>> = OnceLock::new();

/// Reads a WordNet 3.0 `dict` folder (`data.*`, `index.*`, `*.exc`).
pub fn load_wordnet(dir: &Path) -> Result<WordNet, String> {
    WordNet::from_files(dir, |name| {
        let p = dir.join(name);
        std::fs::read_to_string(&p).map_err(|e| format!("cannot read {}: {e}", p.display()))
    })
}

fn load_first() -> Result<Arc<WordNet>, String> {
    let path = wordnet_search_path();
    for d in &path {
        if d.join("data.noun").is_file() {
            return load_wordnet(d).map(Arc::new);
        }
    }
    Err(format!(
        "no data.noun in {}",
        path.iter()
            .map(|p| p.display().to_string())
            .collect::<Vec<_>>()
            .join(", ")
    ))
}

/// The system's WordNet, loaded once (about half a second); `None` where it is not installed.
pub fn wordnet() -> Option<Arc<WordNet>> {
    WORDNET.get_or_init(load_first).as_ref().ok().cloned()
}

/// A line for the user: where WordNet was found, or why not and how to install it.
pub fn wordnet_status() -> String {
    match WORDNET.get_or_init(load_first) {
        Ok(w) => format!("WordNet 3.0: {}", w.dir.display()),
        Err(e) => format!("WordNet not found ({e}); the antonym, more-general-word and synonym checks are off. Install it: {WORDNET_INSTALL}"),
    }
}

/// The drift scorer with the shipped calibration and, where it is installed, WordNet.
pub fn scorer() -> DriftScorer {
    with_wordnet(DriftScorer::default())
}

/// The scorer with the system's WordNet, where it is installed.
pub fn with_wordnet(scorer: DriftScorer) -> DriftScorer {
    match wordnet() {
        Some(wn) => scorer.with_lexicon(wn),
        None => scorer,
    }
}
