//! The back-translation cache: a second run costs nothing, a damaged entry is recomputed,
//! and nothing about the cache can make a translation fail.
//!
//! The first test runs the real Apertium (`sudo apt-get install apertium apertium-eng-spa`);
//! the others use a small counting engine so they can look at exactly what reached it.

use driftlens::text;
use driftlens::translate::apertium::ApertiumOptions;
use driftlens::translate::{
    no_progress, Apertium, CachedTranslator, CancelFlag, EngineId, Progress, TranslateError,
    TranslationCache, Translator,
};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

fn es_sentences() -> Vec<String> {
    let path =
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("corpora/russia-china-alliance/es.md");
    let doc = text::load(&path).unwrap();
    let seg = text::segment(&doc, Some("es")).unwrap();
    seg.sentences
        .iter()
        .map(|s| s.text(&doc.text).to_string())
        .collect()
}

fn apertium_es() -> Apertium {
    Apertium::for_language("es", ApertiumOptions::default()).unwrap_or_else(|e| {
        panic!("{e}\n(this test needs `sudo apt-get install apertium apertium-eng-spa`)")
    })
}

fn entry_files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).into_iter().flatten().flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else {
                out.push(p);
            }
        }
    }
    out.sort();
    out
}

#[test]
fn a_second_run_comes_from_the_cache_without_starting_apertium() {
    let dir = tempfile::tempdir().unwrap();
    let source = es_sentences();
    let first = CachedTranslator::new(apertium_es(), TranslationCache::new(dir.path()));
    let cold = first
        .translate_batch(&source, &no_progress, &CancelFlag::new())
        .unwrap();
    assert_eq!(cold.len(), source.len());
    assert_eq!(first.inner().invocations(), 1);
    assert_eq!(first.stats().hits, 0);

    // A new session: a fresh engine over the same cache folder.
    let second = CachedTranslator::new(apertium_es(), TranslationCache::new(dir.path()));
    let warm = second
        .translate_batch(&source, &no_progress, &CancelFlag::new())
        .unwrap();
    assert_eq!(warm, cold, "the cache returns what Apertium said");
    assert_eq!(
        second.inner().invocations(),
        0,
        "no Apertium process for a fully cached document"
    );
    assert_eq!(second.stats().hits, source.len());

    // One sentence edited: only that one goes to Apertium.
    let mut edited = source.clone();
    edited[5] = "El portavoz del Kremlin, Dmitri Peskov, habló el martes.".to_string();
    let third = CachedTranslator::new(apertium_es(), TranslationCache::new(dir.path()));
    let out = third
        .translate_batch(&edited, &no_progress, &CancelFlag::new())
        .unwrap();
    assert_eq!(third.inner().invocations(), 1);
    assert_eq!(third.stats().misses, 1);
    assert!(
        out[5].contains("Peskov") && out[5].contains("Tuesday"),
        "{}",
        out[5]
    );
    assert_eq!(out[4], cold[4]);
    assert_eq!(out[6], cold[6]);
    assert!(
        entry_files(dir.path())
            .iter()
            .all(|p| p.extension().is_some_and(|x| x == "json")),
        "no temporary files are left behind"
    );
}

/// An engine that upper-cases, counting the sentences it was given.
struct Upper {
    id: EngineId,
    seen: Mutex<Vec<String>>,
}

impl Upper {
    fn new(revision: &str, settings: &str) -> Upper {
        Upper {
            id: EngineId::new("test", "upper", revision, settings),
            seen: Mutex::new(Vec::new()),
        }
    }
    fn seen(&self) -> Vec<String> {
        self.seen.lock().unwrap().clone()
    }
}

impl Translator for Upper {
    fn id(&self) -> EngineId {
        self.id.clone()
    }
    fn translate_batch(
        &self,
        sentences: &[String],
        progress: Progress<'_>,
        cancel: &CancelFlag,
    ) -> Result<Vec<String>, TranslateError> {
        if cancel.is_cancelled() {
            return Err(TranslateError::Cancelled {
                engine: "upper".into(),
            });
        }
        self.seen.lock().unwrap().extend(sentences.iter().cloned());
        let out = sentences.iter().map(|s| s.to_uppercase()).collect();
        progress(sentences.len(), sentences.len());
        Ok(out)
    }
}

fn strings(v: &[&str]) -> Vec<String> {
    v.iter().map(|s| s.to_string()).collect()
}

#[test]
fn a_damaged_entry_is_recomputed_never_fatal() {
    let dir = tempfile::tempdir().unwrap();
    let cache = TranslationCache::new(dir.path());
    let input = strings(&["uno", "dos", "tres", "cuatro"]);
    let first = CachedTranslator::new(Upper::new("r1", ""), cache.clone());
    let expected = first
        .translate_batch(&input, &no_progress, &CancelFlag::new())
        .unwrap();
    assert_eq!(expected, strings(&["UNO", "DOS", "TRES", "CUATRO"]));

    let id = first.id();
    // Cut short, overwritten with garbage, emptied, and swapped for another sentence's entry.
    let path = |s: &str| cache.entry_path(&id, s);
    let whole = std::fs::read(path("uno")).unwrap();
    std::fs::write(path("uno"), &whole[..whole.len() / 2]).unwrap();
    std::fs::write(path("dos"), [0xff, 0x00, 0x13, 0x37]).unwrap();
    std::fs::write(path("tres"), b"").unwrap();
    std::fs::copy(path("cuatro"), path("uno")).unwrap();

    let second = CachedTranslator::new(Upper::new("r1", ""), cache.clone());
    let out = second
        .translate_batch(&input, &no_progress, &CancelFlag::new())
        .unwrap();
    assert_eq!(out, expected);
    assert_eq!(
        second.inner().seen(),
        strings(&["uno", "dos", "tres"]),
        "only the damaged entries were recomputed"
    );
    assert_eq!(second.stats().damaged, 3);

    let third = CachedTranslator::new(Upper::new("r1", ""), cache);
    assert_eq!(
        third
            .translate_batch(&input, &no_progress, &CancelFlag::new())
            .unwrap(),
        expected
    );
    assert!(
        third.inner().seen().is_empty(),
        "the recomputed entries were written back"
    );
}

#[test]
fn another_revision_or_setting_is_not_served_from_the_cache() {
    let dir = tempfile::tempdir().unwrap();
    let cache = TranslationCache::new(dir.path());
    let input = strings(&["hola"]);
    CachedTranslator::new(Upper::new("r1", "beam=4"), cache.clone())
        .translate_batch(&input, &no_progress, &CancelFlag::new())
        .unwrap();
    for (revision, settings) in [("r2", "beam=4"), ("r1", "beam=1")] {
        let t = CachedTranslator::new(Upper::new(revision, settings), cache.clone());
        t.translate_batch(&input, &no_progress, &CancelFlag::new())
            .unwrap();
        assert_eq!(
            t.inner().seen(),
            input,
            "{revision} {settings} must not reuse r1 beam=4"
        );
    }
    let same = CachedTranslator::new(Upper::new("r1", "beam=4"), cache);
    same.translate_batch(&input, &no_progress, &CancelFlag::new())
        .unwrap();
    assert!(same.inner().seen().is_empty());
}

#[test]
fn repeated_sentences_go_to_the_engine_once_and_keep_their_places() {
    let dir = tempfile::tempdir().unwrap();
    let t = CachedTranslator::new(Upper::new("r1", ""), TranslationCache::new(dir.path()));
    let progress = Mutex::new(Vec::new());
    let out = t
        .translate_batch(
            &strings(&["a", "b", "a", "c", "b"]),
            &|d, n| progress.lock().unwrap().push((d, n)),
            &CancelFlag::new(),
        )
        .unwrap();
    assert_eq!(out, strings(&["A", "B", "A", "C", "B"]));
    assert_eq!(t.inner().seen(), strings(&["a", "b", "c"]));
    assert_eq!(progress.lock().unwrap().last(), Some(&(5, 5)));
}

#[test]
fn an_unwritable_cache_still_returns_the_translations() {
    let dir = tempfile::tempdir().unwrap();
    // The cache folder is a file: nothing can be stored below it.
    let blocked = dir.path().join("not-a-folder");
    std::fs::write(&blocked, b"x").unwrap();
    let t = CachedTranslator::new(Upper::new("r1", ""), TranslationCache::new(&blocked));
    let out = t
        .translate_batch(&strings(&["uno", "dos"]), &no_progress, &CancelFlag::new())
        .unwrap();
    assert_eq!(out, strings(&["UNO", "DOS"]));
    let stats = t.stats();
    assert_eq!(stats.write_errors, 2);
    assert!(stats.last_write_error.unwrap().contains("not-a-folder"));
}

#[test]
fn a_cancelled_run_stores_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let t = CachedTranslator::new(Upper::new("r1", ""), TranslationCache::new(dir.path()));
    let cancel = CancelFlag::new();
    cancel.cancel();
    assert!(matches!(
        t.translate_batch(&strings(&["uno"]), &no_progress, &cancel),
        Err(TranslateError::Cancelled { .. })
    ));
    assert!(entry_files(dir.path()).is_empty());
}

#[test]
fn the_command_line_caches_under_xdg_cache_home() {
    let home = tempfile::tempdir().unwrap();
    let file =
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("corpora/russia-china-alliance/es.md");
    let run = || {
        std::process::Command::new(env!("CARGO_BIN_EXE_driftlens"))
            .args([
                "backtranslate",
                file.to_str().unwrap(),
                "--lang",
                "es",
                "--engine",
                "apertium",
                "--json",
            ])
            .env_remove("DRIFTLENS_CACHE")
            .env("XDG_CACHE_HOME", home.path())
            .output()
            .unwrap()
    };
    let cold = run();
    assert!(
        cold.status.success(),
        "{}",
        String::from_utf8_lossy(&cold.stderr)
    );
    let cold: serde_json::Value = serde_json::from_slice(&cold.stdout).unwrap();
    let n = es_sentences().len();
    assert_eq!(cold["sentences"].as_array().unwrap().len(), n);
    assert_eq!(cold["cache"]["misses"], n);
    let stored = entry_files(&home.path().join("driftlens/translations"));
    assert!(
        !stored.is_empty() && stored.len() <= n,
        "{} entries for {n} sentences",
        stored.len()
    );
    let warm = run();
    assert!(warm.status.success());
    let warm: serde_json::Value = serde_json::from_slice(&warm.stdout).unwrap();
    assert_eq!(warm["cache"]["hits"], n);
    assert_eq!(warm["sentences"], cold["sentences"]);
    // The English is printed without Apertium's marks; the words it could not translate are
    // named apart ("aullando" in "los vientos … están aullando").
    let rows = cold["sentences"].as_array().unwrap();
    assert!(
        rows.iter().all(|r| !r["english"]
            .as_str()
            .unwrap()
            .split_whitespace()
            .any(|w| w.starts_with('*'))),
        "a *mark was printed"
    );
    assert!(
        rows.iter().any(|r| r["untranslated_words"]
            .as_array()
            .is_some_and(|w| w.iter().any(|x| x == "aullando"))),
        "the unknown word is not named"
    );
}
