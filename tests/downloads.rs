//! Downloads against a hub on this machine (`common/hub.rs`: the hub's URL layout, serving
//! the Marian fixture model).
//! One job fetches two models with exact sizes first; Cancel stops inside a file and the
//! next try asks for the rest with `Range`; a file whose bytes do not match the hub's
//! checksum is removed; an unreachable hub is one error for the whole job; and finding a
//! model (what `analyze` does) never asks the hub for anything.

mod common;

use common::hub::{sha256, FixtureHub, COMMIT};
use driftlens::models::download::{self, DownloadEvent, Plan, Role};
use driftlens::models::{Catalog, ModelError, ModelStore, Presence, SizeEstimate, StoreConfig};
use driftlens::translate::CancelFlag;
use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

/// A catalog of two models (a back-translation and a forward one) for language xx.
fn catalog() -> Catalog {
    Catalog::parse(
        r#"
[languages]
xx = "opus-mt-xx-en"
[forward]
xx = "opus-mt-en-xx"
[marian_files]
files = ["config.json", "source.spm", "target.spm", "vocab.json"]
weights = ["model.safetensors", "pytorch_model.bin"]
optional = ["generation_config.json", "tokenizer_config.json", "target_vocab.json"]
typical_bytes = 298000000

[[model]]
name = "opus-mt-xx-en"
repo = "Example-Org/opus-mt-xx-en"
revision = "unpinned"

[[model]]
name = "opus-mt-en-xx"
repo = "Example-Org/opus-mt-en-xx"
revision = "unpinned"
"#,
    )
    .unwrap()
}

fn store(tmp: &Path, endpoint: &str) -> ModelStore {
    ModelStore::new(
        catalog(),
        StoreConfig {
            user_dir: None,
            project_dir: Some(tmp.join("models")),
            hf_cache: Some(tmp.join("hub")),
            offline: false,
            endpoint: endpoint.to_string(),
        },
    )
}

/// The fixture's files a download fetches: the required ones, the first weights file, the
/// optional ones the hub has.
fn expected_bytes(hub: &FixtureHub) -> u64 {
    [
        "config.json",
        "source.spm",
        "target.spm",
        "vocab.json",
        "model.safetensors",
        "generation_config.json",
        "tokenizer_config.json",
    ]
    .iter()
    .map(|f| hub.files[*f].len() as u64)
    .sum()
}

fn events() -> (
    Arc<Mutex<Vec<DownloadEvent>>>,
    impl Fn(DownloadEvent) + Sync,
) {
    let seen: Arc<Mutex<Vec<DownloadEvent>>> = Default::default();
    let sink = seen.clone();
    (seen, move |e| sink.lock().unwrap().push(e))
}

#[test]
fn the_plan_names_what_the_corpus_lacks_with_the_catalogs_sizes() {
    let tmp = tempfile::tempdir().unwrap();
    let s = store(tmp.path(), "http://127.0.0.1:9");
    let plan = Plan::for_languages(&s, ["xx", "zz"]);
    let names: Vec<(&str, Role)> = plan
        .models
        .iter()
        .map(|w| (w.entry.name.as_str(), w.role))
        .collect();
    assert_eq!(
        names,
        [
            ("opus-mt-xx-en", Role::Back),
            ("opus-mt-en-xx", Role::Forward)
        ]
    );
    assert_eq!(plan.languages(), ["xx"]);
    assert_eq!(plan.models[0].size, SizeEstimate::About(298_000_000));
    assert_eq!(plan.total(), (596_000_000, false));
    // Sizes the catalog lists for every file make the total exact.
    let mut exact = catalog();
    for m in &mut exact.models {
        m.sizes = [
            ("config.json", 10),
            ("source.spm", 20),
            ("target.spm", 30),
            ("vocab.json", 40),
            ("pytorch_model.bin", 1000),
        ]
        .into_iter()
        .map(|(f, n)| (f.to_string(), n))
        .collect();
    }
    let s2 = ModelStore::new(exact, s.config.clone());
    assert_eq!(Plan::for_languages(&s2, ["xx"]).total(), (2200, true));
}

#[test]
fn one_job_fetches_both_models_with_exact_sizes_and_the_plan_empties() {
    let hub = FixtureHub::start();
    let tmp = tempfile::tempdir().unwrap();
    let s = store(tmp.path(), &hub.addr);
    let plan = Plan::for_languages(&s, ["xx"]);
    let entries: Vec<_> = plan.models.iter().map(|w| &w.entry).collect();
    let (seen, on) = events();
    let report = download::fetch_all(&s, &entries, &on, &CancelFlag::new()).unwrap();
    assert!(report.failed.is_empty(), "{:?}", report.failed);
    assert_eq!(report.ready.len(), 2);
    let seen = seen.lock().unwrap().clone();
    let planned = seen.iter().find_map(|e| match e {
        DownloadEvent::Planned { files, bytes, have } => Some((*files, *bytes, *have)),
        _ => None,
    });
    assert_eq!(planned, Some((14, 2 * expected_bytes(&hub), 0)));
    let received: u64 = seen
        .iter()
        .map(|e| match e {
            DownloadEvent::Bytes { bytes, .. } => *bytes,
            _ => 0,
        })
        .sum();
    assert_eq!(
        received,
        2 * expected_bytes(&hub),
        "every byte reported once"
    );
    // The hub's layout: a snapshot of links to blobs, refs/main naming the commit.
    let repo = tmp.path().join("hub/models--Example-Org--opus-mt-xx-en");
    assert_eq!(
        std::fs::read_to_string(repo.join("refs/main")).unwrap(),
        COMMIT
    );
    let weights = repo
        .join("snapshots")
        .join(COMMIT)
        .join("model.safetensors");
    assert_eq!(
        sha256(&std::fs::read(&weights).unwrap()),
        sha256(&hub.files["model.safetensors"])
    );
    assert!(
        !repo
            .join("snapshots")
            .join(COMMIT)
            .join("pytorch_model.bin")
            .exists(),
        "one weights file is enough"
    );
    for entry in &entries {
        assert!(
            matches!(s.locate(entry), Presence::Present(_)),
            "{}",
            entry.name
        );
    }
    assert!(Plan::for_languages(&s, ["xx"]).is_empty());
}

#[test]
fn cancel_stops_inside_a_file_and_the_next_try_resumes_with_a_range() {
    let hub = FixtureHub::start();
    let tmp = tempfile::tempdir().unwrap();
    let s = store(tmp.path(), &hub.addr);
    let entry = s.catalog.model("opus-mt-xx-en").unwrap().clone();
    hub.slow.store(true, Ordering::SeqCst);
    let cancel = CancelFlag::new();
    let weights_bytes = AtomicU64::new(0);
    let on = |e: DownloadEvent| {
        if let DownloadEvent::Bytes { name, bytes, .. } = e {
            if name == "model.safetensors"
                && weights_bytes.fetch_add(bytes, Ordering::SeqCst) + bytes > 300 * 1024
            {
                cancel.cancel();
            }
        }
    };
    let err = download::fetch_all(&s, &[&entry], &on, &cancel).unwrap_err();
    assert!(matches!(err, ModelError::Cancelled), "{err}");
    assert!(err.to_string().contains("resumes"), "{err}");
    let sha = sha256(&hub.files["model.safetensors"]);
    let part = tmp
        .path()
        .join("hub/models--Example-Org--opus-mt-xx-en/blobs")
        .join(format!("{sha}.part"));
    let kept = std::fs::metadata(&part).expect("the part is kept").len();
    let size = hub.files["model.safetensors"].len() as u64;
    assert!(kept > 256 * 1024 && kept < size, "{kept} of {size}");
    assert!(matches!(s.locate(&entry), Presence::Incomplete { .. }));

    // The next try asks only for the rest, and says how much was already here.
    hub.slow.store(false, Ordering::SeqCst);
    let (seen, on) = events();
    let r = download::fetch(&s, &entry, &on, &CancelFlag::new()).unwrap();
    let have = seen.lock().unwrap().iter().find_map(|e| match e {
        DownloadEvent::Planned { have, .. } => Some(*have),
        _ => None,
    });
    let small: u64 = ["config.json", "source.spm", "target.spm", "vocab.json"]
        .iter()
        .map(|f| hub.files[*f].len() as u64)
        .sum();
    assert_eq!(
        have,
        Some(small + kept),
        "the files done and the part count as here"
    );
    let resumed = format!("/cdn/{sha} bytes={kept}-");
    assert!(
        hub.requests().contains(&resumed),
        "asked for {resumed}: {:?}",
        hub.requests()
    );
    assert_eq!(
        sha256(&std::fs::read(r.dir.join("model.safetensors")).unwrap()),
        sha,
        "the resumed file is whole"
    );
    assert!(!part.exists());
}

#[test]
fn a_file_that_does_not_match_the_hubs_checksum_is_removed_and_named() {
    let hub = FixtureHub::start();
    let tmp = tempfile::tempdir().unwrap();
    let s = store(tmp.path(), &hub.addr);
    let entry = s.catalog.model("opus-mt-xx-en").unwrap().clone();
    hub.corrupt.store(true, Ordering::SeqCst);
    let report = download::fetch_all(&s, &[&entry], &|_| {}, &CancelFlag::new()).unwrap();
    assert!(report.ready.is_empty());
    let msg = report.failed[0].1.to_string();
    assert!(
        msg.contains("sha256") && msg.contains("removed") && msg.contains("model.safetensors"),
        "{msg}"
    );
    let blobs = tmp
        .path()
        .join("hub/models--Example-Org--opus-mt-xx-en/blobs");
    let sha = sha256(&hub.files["model.safetensors"]);
    assert!(!blobs.join(&sha).exists() && !blobs.join(format!("{sha}.part")).exists());
    assert!(!matches!(s.locate(&entry), Presence::Present(_)));
}

#[test]
fn an_unreachable_hub_is_one_error_for_the_whole_job_and_writes_nothing() {
    let tmp = tempfile::tempdir().unwrap();
    let s = store(tmp.path(), "http://127.0.0.1:9");
    let plan = Plan::for_languages(&s, ["xx"]);
    let entries: Vec<_> = plan.models.iter().map(|w| &w.entry).collect();
    let (seen, on) = events();
    let err = download::fetch_all(&s, &entries, &on, &CancelFlag::new()).unwrap_err();
    assert!(matches!(err, ModelError::Unreachable { .. }), "{err}");
    let msg = err.to_string();
    assert!(
        msg.contains("127.0.0.1:9") && msg.contains("models--ORG--NAME/snapshots"),
        "{msg}"
    );
    assert!(
        !seen.lock().unwrap().iter().any(|e| matches!(
            e,
            DownloadEvent::Planned { .. } | DownloadEvent::File { .. }
        )),
        "stops before planning anything"
    );
    assert!(!tmp.path().join("hub").exists(), "nothing written");
    assert_eq!(
        download::snapshot_dir(&s, entries[0]).unwrap(),
        tmp.path()
            .join("hub/models--Example-Org--opus-mt-xx-en/snapshots/<commit>")
    );
}

#[test]
fn finding_a_model_never_asks_the_hub() {
    let hub = FixtureHub::start();
    let tmp = tempfile::tempdir().unwrap();
    let s = store(tmp.path(), &hub.addr);
    let entry = s.catalog.model("opus-mt-xx-en").unwrap();
    assert!(matches!(s.resolve(entry), Err(ModelError::NotFound { .. })));
    assert!(driftlens::models::load_marian(&s, "xx").is_err());
    assert!(hub.requests().is_empty(), "{:?}", hub.requests());
}

#[test]
fn models_fetch_on_the_command_line_fetches_back_and_forward_in_one_job() {
    let hub = FixtureHub::start();
    let tmp = tempfile::tempdir().unwrap();
    let run = |endpoint: &str| {
        std::process::Command::new(env!("CARGO_BIN_EXE_driftlens"))
            .args(["models", "fetch", "ru"])
            .env("HF_HOME", tmp.path().join("hf"))
            .env("HF_ENDPOINT", endpoint)
            .env_remove("HF_HUB_OFFLINE")
            .output()
            .unwrap()
    };
    // No hub: one message for the job, not one per model.
    let out = run("http://127.0.0.1:9");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success());
    assert_eq!(
        err.matches("cannot reach the Hugging Face hub").count(),
        1,
        "{err}"
    );
    // The fixture hub: sizes first, a line per file (stderr is a pipe), both models ready.
    let out = run(&hub.addr);
    let (stdout, stderr) = (
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr),
    );
    assert!(out.status.success(), "{stdout}\n{stderr}");
    assert!(stderr.contains("14 files to fetch"), "{stderr}");
    assert!(
        stderr.contains("opus-mt-ru-en/model.safetensors downloaded and checked"),
        "{stderr}"
    );
    assert!(
        stdout.contains("opus-mt-ru-en ready in") && stdout.contains("opus-mt-en-ru ready in"),
        "{stdout}"
    );
    // Again: both are here, nothing is asked.
    let asked = hub.requests().len();
    let out = run(&hub.addr);
    assert!(out.status.success());
    assert!(String::from_utf8_lossy(&out.stdout).contains("already on this computer"));
    assert_eq!(hub.requests().len(), asked);
}
