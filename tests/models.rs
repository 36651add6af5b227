//! The model store: the catalog routes every corpus language to a model, files are found in
//! the documented order, and damaged files are reported by name with the fix.

use driftlens::models::{
    load_marian, Catalog, FileStatus, Location, ModelError, ModelKind, ModelStore, Presence,
    StoreConfig,
};
use std::path::{Path, PathBuf};

const CORPUS_LANGUAGES: [&str; 50] = [
    "ar", "bg", "bn", "ca", "cs", "da", "de", "el", "eo", "es", "et", "eu", "fa", "fi", "fr", "ga",
    "gl", "he", "hi", "hr", "hu", "hy", "id", "is", "it", "ja", "ka", "ko", "lt", "lv", "mk", "ms",
    "nl", "no", "pl", "pt", "ro", "ru", "sk", "sl", "sq", "sr", "sv", "sw", "th", "tr", "uk", "ur",
    "vi", "zh",
];

fn fixture_model() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/marian/model")
}

/// A catalog with one model whose files are the Marian fixture's.
fn test_catalog(revision: &str, extra: &str) -> Catalog {
    Catalog::parse(&format!(
        r#"
[languages]
xx = "opus-mt-xx-en"

[marian_files]
files = ["config.json", "source.spm", "target.spm", "vocab.json"]
weights = ["model.safetensors", "pytorch_model.bin"]
optional = ["generation_config.json"]

[[model]]
name = "opus-mt-xx-en"
repo = "Example-Org/opus-mt-xx-en"
revision = "{revision}"
{extra}
"#
    ))
    .unwrap()
}

fn copy_fixture(to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(fixture_model()).unwrap() {
        let e = e.unwrap();
        std::fs::copy(e.path(), to.join(e.file_name())).unwrap();
    }
}

/// Lays the fixture out as the Hugging Face cache does: blobs, a snapshot of symlinks (or
/// copies where symlinks are not possible) and refs/main.
fn hf_layout(hub: &Path, repo: &str, commit: &str) -> PathBuf {
    let repo_dir = hub.join(format!("models--{}", repo.replace('/', "--")));
    let snap = repo_dir.join("snapshots").join(commit);
    let blobs = repo_dir.join("blobs");
    std::fs::create_dir_all(&snap).unwrap();
    std::fs::create_dir_all(&blobs).unwrap();
    std::fs::create_dir_all(repo_dir.join("refs")).unwrap();
    std::fs::write(repo_dir.join("refs").join("main"), commit).unwrap();
    for (i, e) in std::fs::read_dir(fixture_model()).unwrap().enumerate() {
        let e = e.unwrap();
        let blob = blobs.join(format!("blob{i:04}"));
        std::fs::copy(e.path(), &blob).unwrap();
        #[cfg(unix)]
        std::os::unix::fs::symlink(&blob, snap.join(e.file_name())).unwrap();
        #[cfg(not(unix))]
        std::fs::copy(&blob, snap.join(e.file_name())).unwrap();
    }
    snap
}

fn store(
    catalog: Catalog,
    user: Option<&Path>,
    project: Option<&Path>,
    hub: Option<&Path>,
) -> ModelStore {
    ModelStore::new(
        catalog,
        StoreConfig {
            user_dir: user.map(Path::to_path_buf),
            project_dir: project.map(Path::to_path_buf),
            hf_cache: hub.map(Path::to_path_buf),
            offline: true,
            endpoint: String::new(),
        },
    )
}

#[test]
fn every_corpus_language_has_a_back_translation_model() {
    let catalog = Catalog::bundled();
    for lang in CORPUS_LANGUAGES {
        let m = catalog
            .for_language(lang)
            .unwrap_or_else(|| panic!("no model for {lang}"));
        assert_eq!(m.kind, ModelKind::Translation, "{lang}");
        assert!(
            m.repo.starts_with("Helsinki-NLP/opus-mt-") && m.repo.ends_with("-en"),
            "{lang}: {}",
            m.repo
        );
        assert!(
            m.files.contains(&"source.spm".to_string())
                && m.weights.contains(&"pytorch_model.bin".to_string()),
            "{lang}: {:?}",
            m.files
        );
    }
    // Languages with their own model use it.
    for lang in ["de", "es", "fr", "ru", "zh", "ja", "ar"] {
        assert_eq!(
            catalog.for_language(lang).unwrap().name,
            format!("opus-mt-{lang}-en")
        );
    }
    let embed = catalog
        .model("all-MiniLM-L6-v2")
        .expect("the embedding model is listed");
    assert_eq!(embed.kind, ModelKind::Embedding);
    // Nothing guessed: checksums, where given, are real sha256 digests (parse checks form).
    for m in &catalog.models {
        for d in m.sha256.values() {
            assert_eq!(d.len(), 64);
        }
    }
}

#[test]
fn the_catalog_file_in_the_repository_is_the_bundled_one() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("models/models.toml");
    assert_eq!(Catalog::load(&path).unwrap(), Catalog::bundled());
}

#[test]
fn a_catalog_with_made_up_revisions_or_dangling_languages_is_refused() {
    let err = Catalog::parse("[languages]\nxx = \"nope\"\n").unwrap_err();
    assert!(err.contains("xx") && err.contains("nope"), "{err}");
    let bad_rev = test_catalog_text("abc123");
    assert!(Catalog::parse(&bad_rev).unwrap_err().contains("40-digit"));
}

fn test_catalog_text(revision: &str) -> String {
    format!("[languages]\nxx = \"m\"\n[[model]]\nname = \"m\"\nrepo = \"o/m\"\nrevision = \"{revision}\"\nfiles = [\"config.json\"]\n")
}

#[test]
fn files_are_found_in_the_documented_order() {
    let tmp = tempfile::tempdir().unwrap();
    let user = tmp.path().join("mine");
    let project = tmp.path().join("project-models");
    let hub = tmp.path().join("hf").join("hub");
    let commit = "0123456789abcdef0123456789abcdef01234567";
    let catalog = test_catalog("unpinned", "");
    let entry = catalog.model("opus-mt-xx-en").unwrap().clone();

    // Only the HF cache has it.
    let snap = hf_layout(&hub, "Example-Org/opus-mt-xx-en", commit);
    let s = store(catalog.clone(), Some(&user), Some(&project), Some(&hub));
    let r = s.resolve(&entry).unwrap();
    assert_eq!(
        (r.location.clone(), r.dir.clone()),
        (Location::HfCache, snap.clone())
    );
    assert!(
        r.files.contains_key("model.safetensors") && r.files.contains_key("generation_config.json")
    );
    assert!(r.size() > 1_000_000, "{}", r.size());

    // models/<name>/ beside the project comes before the cache.
    copy_fixture(&project.join("opus-mt-xx-en"));
    let r = s.resolve(&entry).unwrap();
    assert_eq!(
        (r.location.clone(), r.dir.clone()),
        (Location::Project, project.join("opus-mt-xx-en"))
    );

    // A folder the user names comes first: either the model folder itself …
    copy_fixture(&user);
    let r = s.resolve(&entry).unwrap();
    assert_eq!(
        (r.location.clone(), r.dir.clone()),
        (Location::UserFolder, user.clone())
    );
    // … or a folder of model folders.
    let parent = tmp.path().join("collection");
    copy_fixture(&parent.join("opus-mt-xx-en"));
    let s2 = store(catalog.clone(), Some(&parent), Some(&project), Some(&hub));
    assert_eq!(
        s2.resolve(&entry).unwrap().dir,
        parent.join("opus-mt-xx-en")
    );

    // A pinned revision is looked for under its own snapshot only.
    let pinned = test_catalog("fedcba9876543210fedcba9876543210fedcba98", "");
    let s3 = store(pinned.clone(), None, None, Some(&hub));
    assert_eq!(
        s3.locate(pinned.model("opus-mt-xx-en").unwrap()),
        Presence::Missing
    );
    let pinned_same = test_catalog(commit, "");
    let s4 = store(pinned_same.clone(), None, None, Some(&hub));
    assert!(matches!(
        s4.locate(pinned_same.model("opus-mt-xx-en").unwrap()),
        Presence::Present(_)
    ));

    // The model found through the store translates.
    let m = load_marian(&s, "xx").unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(m.name(), "opus-mt-xx-en");
}

#[test]
fn a_cache_snapshot_with_a_dangling_link_is_not_taken_for_a_whole_model() {
    let tmp = tempfile::tempdir().unwrap();
    let hub = tmp.path().join("hub");
    let snap = hf_layout(
        &hub,
        "Example-Org/opus-mt-xx-en",
        "0123456789abcdef0123456789abcdef01234567",
    );
    // The blob behind vocab.json is gone (an interrupted cleanup, say).
    let target = std::fs::canonicalize(snap.join("vocab.json")).unwrap();
    std::fs::remove_file(target).unwrap();
    let catalog = test_catalog("unpinned", "");
    let entry = catalog.model("opus-mt-xx-en").unwrap().clone();
    let s = store(catalog, None, None, Some(&hub));
    match s.locate(&entry) {
        Presence::Incomplete { missing, .. } => assert_eq!(missing, vec!["vocab.json".to_string()]),
        other => panic!("{other:?}"),
    }
    let err = s.resolve(&entry).unwrap_err().to_string();
    assert!(
        err.contains("vocab.json") && err.contains("driftlens models fetch xx"),
        "{err}"
    );
}

#[test]
fn a_missing_model_offline_says_where_it_looked_and_what_to_do() {
    let tmp = tempfile::tempdir().unwrap();
    let catalog = test_catalog("unpinned", "");
    let entry = catalog.model("opus-mt-xx-en").unwrap().clone();
    let project = tmp.path().join("models");
    let s = store(
        catalog.clone(),
        None,
        Some(&project),
        Some(&tmp.path().join("hub")),
    );
    let err = s.resolve(&entry).unwrap_err();
    assert!(matches!(err, ModelError::NotFound { .. }), "{err}");
    let msg = err.to_string();
    assert!(
        msg.contains("opus-mt-xx-en")
            && msg.contains(&project.join("opus-mt-xx-en").display().to_string()),
        "{msg}"
    );
    assert!(
        msg.contains("driftlens models fetch xx")
            && msg.contains("huggingface.co/Example-Org/opus-mt-xx-en"),
        "{msg}"
    );

    // Fetching with HF_HUB_OFFLINE set does not touch the network and says why.
    let err = s.fetch(&entry, &|_| {}).unwrap_err();
    assert!(matches!(err, ModelError::Offline { .. }), "{err}");
    assert!(err.to_string().contains("HF_HUB_OFFLINE"), "{err}");
}

#[test]
fn fetching_without_a_reachable_hub_fails_with_a_clear_message() {
    // Points the store at an endpoint nothing listens on, so the test never depends on the
    // network: one typed error that names the hub and what to copy where, and no panic.
    let tmp = tempfile::tempdir().unwrap();
    let catalog = test_catalog("unpinned", "");
    let entry = catalog.model("opus-mt-xx-en").unwrap().clone();
    let mut s = store(
        catalog,
        None,
        Some(&tmp.path().join("models")),
        Some(&tmp.path().join("hub")),
    );
    s.config.offline = false;
    s.config.endpoint = "http://127.0.0.1:9".into();
    let err = s.fetch(&entry, &|_| {}).unwrap_err();
    let msg = err.to_string();
    assert!(matches!(err, ModelError::Unreachable { .. }), "{msg}");
    assert!(
        msg.contains("127.0.0.1:9") && msg.contains("snapshots") && msg.contains("models/NAME"),
        "{msg}"
    );
    assert!(
        !tmp.path()
            .join("hub")
            .join("models--Example-Org--opus-mt-xx-en")
            .join("snapshots")
            .exists(),
        "nothing half-downloaded is left as a snapshot"
    );
}

#[test]
fn verify_reports_truncated_and_damaged_files_by_name() {
    let tmp = tempfile::tempdir().unwrap();
    let project = tmp.path().join("models");
    let dir = project.join("opus-mt-xx-en");
    copy_fixture(&dir);
    let weights_len = std::fs::metadata(dir.join("model.safetensors"))
        .unwrap()
        .len();
    // Sizes known for the weights: a truncated copy is caught by size.
    let catalog = test_catalog(
        "unpinned",
        &format!("[model.sizes]\n\"model.safetensors\" = {weights_len}\n"),
    );
    let entry = catalog.model("opus-mt-xx-en").unwrap().clone();
    let s = store(catalog, None, Some(&project), None);
    let r = match s.locate(&entry) {
        Presence::Present(r) => r,
        other => panic!("{other:?}"),
    };
    let checks = driftlens::models::store::verify_files(&r);
    assert!(checks.iter().all(|c| c.status.is_ok()), "{checks:?}");

    let b = std::fs::read(dir.join("model.safetensors")).unwrap();
    std::fs::write(dir.join("model.safetensors"), &b[..b.len() / 2]).unwrap();
    let b = std::fs::read(dir.join("vocab.json")).unwrap();
    std::fs::write(dir.join("vocab.json"), &b[..b.len() / 2]).unwrap();
    std::fs::write(dir.join("target.spm"), b"garbage").unwrap();
    let checks = driftlens::models::store::verify_files(&r);
    let status = |f: &str| checks.iter().find(|c| c.file == f).unwrap().status.clone();
    assert!(
        matches!(status("model.safetensors"), FileStatus::SizeMismatch { .. }),
        "{:?}",
        status("model.safetensors")
    );
    assert!(
        matches!(status("vocab.json"), FileStatus::Damaged(_)),
        "{:?}",
        status("vocab.json")
    );
    assert!(
        matches!(status("target.spm"), FileStatus::Damaged(_)),
        "{:?}",
        status("target.spm")
    );
    assert!(status("config.json").is_ok());
    assert!(
        status("vocab.json").to_string().contains("truncated"),
        "{}",
        status("vocab.json")
    );

    // Without a known size, a truncated safetensors file is still caught by its header.
    let catalog = test_catalog("unpinned", "");
    let entry = catalog.model("opus-mt-xx-en").unwrap().clone();
    let st = driftlens::models::store::verify_file(
        &entry,
        "model.safetensors",
        &dir.join("model.safetensors"),
    );
    assert!(
        matches!(st, FileStatus::Damaged(ref p) if p.contains("truncated")),
        "{st:?}"
    );

    // Loading the damaged model fails with the file's name and the fix, no panic.
    let s = store(catalog, None, Some(&project), None);
    let err = load_marian(&s, "xx").unwrap_err().to_string();
    assert!(
        err.contains("vocab.json")
            || err.contains("target.spm")
            || err.contains("model.safetensors"),
        "{err}"
    );
    assert!(err.contains("driftlens models fetch xx"), "{err}");
}

#[test]
fn a_wrong_checksum_is_reported() {
    let tmp = tempfile::tempdir().unwrap();
    let project = tmp.path().join("models");
    copy_fixture(&project.join("opus-mt-xx-en"));
    let wrong = "0".repeat(64);
    let catalog = test_catalog(
        "unpinned",
        &format!("[model.sha256]\n\"config.json\" = \"{wrong}\"\n"),
    );
    let entry = catalog.model("opus-mt-xx-en").unwrap().clone();
    let st = driftlens::models::store::verify_file(
        &entry,
        "config.json",
        &project.join("opus-mt-xx-en").join("config.json"),
    );
    assert!(matches!(st, FileStatus::ChecksumMismatch { .. }), "{st:?}");
    assert!(st.to_string().contains("sha256"), "{st}");
}

#[test]
fn unknown_languages_are_named() {
    let s = store(Catalog::bundled(), None, None, None);
    let err = s.entry("tlh").unwrap_err().to_string();
    assert!(
        err.contains("tlh") && err.contains("models.toml") && err.contains(" es "),
        "{err}"
    );
}

/// The forward model of a language (English into it) is found like the back-translation
/// model, carries its target token, and makes the engine's round trip of the original with
/// it: one English sentence out for every sentence in.
#[test]
fn the_forward_model_makes_the_round_trip_of_the_original() {
    use driftlens::translate::{round_trip::round_trip, CancelFlag, Translator};
    let tmp = tempfile::tempdir().unwrap();
    let catalog = test_catalog(
        "unpinned",
        r#"
[[model]]
name = "opus-mt-en-xx"
repo = "Example-Org/opus-mt-en-xx"
revision = "unpinned"

[forward]
xx = "opus-mt-en-xx"

[forward_targets]
xx = ">>xxx<<"
"#,
    );
    let project = tmp.path().join("models");
    copy_fixture(&project.join("opus-mt-xx-en"));
    // not there yet: no forward model, and the analysis goes without the round trip
    let s = store(catalog.clone(), None, Some(&project), None);
    assert!(matches!(
        driftlens::models::load_marian_forward(&s, "xx"),
        Some(Err(_))
    ));
    assert!(driftlens::models::load_marian_forward(&s, "yy").is_none());
    copy_fixture(&project.join("opus-mt-en-xx"));
    let forward = driftlens::models::load_marian_forward(&s, "xx")
        .expect("listed")
        .expect("loads");
    assert_eq!(forward.id().model, "opus-mt-en-xx");
    let back = load_marian(&s, "xx").unwrap();
    let sentences = vec!["The talks went well.".to_string(), "Yes.".to_string()];
    let rt = round_trip(&forward, &back, &sentences, &|_, _| {}, &CancelFlag::new()).unwrap();
    assert_eq!(rt.forward.len(), 2);
    assert_eq!(rt.english.len(), 2);
    assert_eq!(rt.forward_engine.model, "opus-mt-en-xx");
}

#[test]
fn a_target_token_for_a_language_without_a_forward_model_is_refused() {
    let err = Catalog::parse("[forward_targets]\nxx = \">>xxx<<\"\n").unwrap_err();
    assert!(err.contains("xx"), "{err}");
}
