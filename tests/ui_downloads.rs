//! The overview's download offer carried through against a hub on this machine
//! (`common/hub.rs`, serving the Marian fixture under every repository): Download all shows
//! a bar for the total and one for the file, Cancel keeps what arrived, Resume finishes, and
//! the language the models serve is analysed again with Marian. A test binary of its own:
//! it points `HF_HOME` and `HF_ENDPOINT` at its own folder and hub, which the analyses of
//! the other workbench tests must not see.

mod common;

use common::hub::FixtureHub;
use driftlens::analyze::{self, EngineChoice, Request};
use driftlens::translate::{CancelFlag, TranslationCache};
use driftlens::ui::{Options, Workbench};
use egui_kittest::kittest::{NodeT, Queryable};
use egui_kittest::Harness;
use std::path::Path;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

fn label_of(h: &Harness<'_, Workbench>, part: &str) -> String {
    let node = h.get_by_label_contains(part);
    node.accesskit_node()
        .label()
        .filter(|l| !l.is_empty())
        .or_else(|| node.value())
        .unwrap_or_default()
}

/// Steps the app until `done` holds (at most a minute).
fn step_until(
    h: &mut Harness<'_, Workbench>,
    what: &str,
    done: impl Fn(&Harness<'_, Workbench>) -> bool,
) {
    let started = Instant::now();
    while !done(h) {
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "waited a minute for {what}"
        );
        h.step();
        std::thread::sleep(Duration::from_millis(20));
    }
}

#[test]
fn download_all_shows_both_bars_cancel_keeps_what_arrived_and_the_language_is_analysed_again() {
    let tmp = tempfile::Builder::new()
        .prefix("driftlens-ui-downloads-")
        .tempdir()
        .unwrap();
    let hub = FixtureHub::start();
    hub.slow.store(true, Ordering::SeqCst);
    std::env::set_var("HF_HOME", tmp.path().join("hf"));
    std::env::set_var("HF_ENDPOINT", &hub.addr);
    std::env::remove_var("HF_HUB_OFFLINE");

    // The article and its Russian translation: no engine here serves Russian.
    let corpus = tmp.path().join("corpus");
    std::fs::create_dir_all(&corpus).unwrap();
    for f in ["en.md", "ru.md"] {
        std::fs::copy(common::corpus().join(f), corpus.join(f)).unwrap();
    }
    let (original, translations) = analyze::corpus_inputs(&corpus, None).unwrap();
    let cache = tmp.path().join("cache");
    let report = analyze::analyze(
        &Request {
            original,
            original_lang: Some("en".into()),
            translations,
            engine: EngineChoice::Auto,
            models_dir: None,
            cache: Some(TranslationCache::new(cache.clone())),
            cancel: CancelFlag::new(),
        },
        &|_| {},
    )
    .unwrap();
    assert!(
        report.translations[0].is_direct_only(),
        "ru has no model yet: judged by the direct view alone"
    );
    let options = Options {
        cache_dir: Some(cache),
        models_dir: None,
        labels: None,
        engine: EngineChoice::Auto,
    };
    let wb = Workbench::from_report(&corpus, report, options);
    let mut h = Harness::builder()
        .with_size([1500.0, 950.0])
        .with_theme(egui::Theme::Light)
        .with_max_steps(40)
        .with_render_cursor(false)
        .build_ui_state(|ui, wb: &mut Workbench| wb.ui(ui), wb);
    h.run_ok();
    let headline = label_of(&h, "can be analysed better");
    assert!(
        headline.starts_with("1 language") && headline.contains("2 models"),
        "opus-mt-ru-en and opus-mt-en-ru: {headline}"
    );

    // Both bars while a large file trickles in.
    h.get_by_label_contains("Download all").click();
    step_until(&mut h, "the weights file's bar", |h| {
        h.query_by_label_contains("model.safetensors").is_some()
    });
    let total = label_of(&h, " of 2 models");
    assert!(total.contains("MB"), "{total}");
    h.run_ok();
    let img = h.render().expect("render the workbench");
    common::keep_screenshot_within(
        &img,
        &common::screenshot_path("overview-downloading.png"),
        0.01,
    );

    // Cancel keeps what arrived and offers to resume.
    h.get_by_label("Cancel download").click();
    step_until(&mut h, "the cancelled download", |h| {
        h.query_by_label_contains("Download cancelled").is_some()
    });
    let kept = label_of(&h, "Download cancelled");
    assert!(kept.contains("is kept"), "{kept}");
    let blobs = tmp
        .path()
        .join("hf/hub/models--Helsinki-NLP--opus-mt-ru-en/blobs");
    let parts = std::fs::read_dir(&blobs)
        .unwrap()
        .flatten()
        .filter(|e| e.path().extension().is_some_and(|x| x == "part"))
        .count();
    assert_eq!(
        parts,
        1,
        "the weights file's part is kept in {}",
        blobs.display()
    );

    // Resume finishes; the models feed the analysis, which now back-translates Russian.
    hub.slow.store(false, Ordering::SeqCst);
    h.get_by_label("Resume download").click();
    step_until(&mut h, "the downloaded models", |h| {
        h.query_by_label_contains("models downloaded and checked")
            .is_some()
    });
    let resumed = hub.requests().iter().any(|r| {
        r.starts_with("/cdn/")
            && r.contains("bytes=")
            && !r.ends_with("bytes=0-")
            && !r.ends_with("bytes=0-0")
    });
    assert!(
        resumed,
        "the weights were resumed with a range: {:?}",
        hub.requests()
    );
    step_until(&mut h, "the new analysis", |h| {
        !h.state().is_busy()
            && h.state()
                .translation("ru")
                .is_some_and(|t| t.is_analysed() && !t.is_direct_only())
    });
    let engine = h.state().translation("ru").unwrap().engine.clone();
    assert!(
        engine.as_deref().unwrap_or("").contains("opus-mt-ru-en"),
        "{engine:?}"
    );
    assert!(
        h.query_by_label_contains("can be analysed better")
            .is_none(),
        "nothing left to offer"
    );
    assert!(Path::new(
        &tmp.path()
            .join("hf/hub/models--Helsinki-NLP--opus-mt-en-ru/refs/main")
    )
    .is_file());
}
