//! What several integration tests share: the bundled corpus and its Apertium analysis,
//! screenshots that are rewritten only when they look different, and a hub on this machine
//! for the download tests (`hub.rs`).
#![allow(dead_code)]

pub mod hub;

use driftlens::analyze::{self, EngineChoice, Report, Request};
use driftlens::translate::{CancelFlag, TranslationCache};
use std::path::{Path, PathBuf};

/// `screenshots/NAME` in the project.
pub fn screenshot_path(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("screenshots")
        .join(name)
}

/// Saves a screenshot to `path` unless the picture there already looks the same (at most
/// 0.5 % of its pixels differ: a temporary folder's name in the status bar, a timing): a test
/// run that draws what the last one drew leaves the committed file alone.
pub fn keep_screenshot(img: &image::RgbaImage, path: &Path) {
    keep_screenshot_within(img, path, 0.005);
}

/// Same, keeping the old file while at most `share` of its pixels differ: for a moment that
/// is drawn differently on every run (which translations finished first while analysing).
pub fn keep_screenshot_within(img: &image::RgbaImage, path: &Path, share: f64) {
    if let Ok(old) = image::open(path) {
        let old = old.to_rgba8();
        if old.dimensions() == img.dimensions() {
            let differ = old
                .pixels()
                .zip(img.pixels())
                .filter(|(a, b)| a != b)
                .count();
            if differ as f64 <= share * (img.width() * img.height()) as f64 {
                return;
            }
        }
    }
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    img.save(path)
        .unwrap_or_else(|e| panic!("cannot write {}: {e}", path.display()));
}

pub fn corpus() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("corpora/russia-china-alliance")
}

/// Fails with the command that installs Apertium when it is missing.
pub fn require_apertium() {
    let ok = std::process::Command::new("apertium")
        .arg("-l")
        .output()
        .map(|o| o.status.success())
        .unwrap_or(false);
    assert!(ok, "Apertium is needed: scripts/setup installs it");
}

/// A request for the bundled corpus's translations `labels` (es, es.drift, …) with Apertium,
/// caching back-translations in `cache`.
pub fn apertium_request(labels: &[&str], cache: TranslationCache) -> Request {
    require_apertium();
    let labels: Vec<String> = labels.iter().map(|l| l.to_string()).collect();
    let (original, translations) = analyze::corpus_inputs(&corpus(), Some(&labels)).unwrap();
    assert_eq!(translations.len(), labels.len(), "{translations:?}");
    Request {
        original,
        original_lang: Some("en".into()),
        translations,
        engine: EngineChoice::Apertium,
        models_dir: None,
        cache: Some(cache),
        cancel: CancelFlag::new(),
    }
}

/// Those translations analysed, with a back-translation cache of this call's own (in a
/// temporary folder named by `tag`, removed when the analysis is done).
pub fn apertium_report(labels: &[&str], tag: &str) -> Report {
    let dir = tempfile::Builder::new()
        .prefix(&format!("driftlens-{tag}-test-cache-"))
        .tempdir()
        .expect("a temporary folder");
    analyze::analyze(
        &apertium_request(labels, TranslationCache::new(dir.path())),
        &|_| {},
    )
    .unwrap()
}
