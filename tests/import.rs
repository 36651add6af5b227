//! Reviewers' own files: XLIFF 1.2 (OmegaT, Trados sdlxliff, memoQ, Weblate, Angular i18n),
//! XLIFF 2 and TMX read as pre-aligned translations, and the drift written back into them
//! with every other byte as it came.

mod common;

use driftlens::analyze::{OriginalReport, Report, Settings};
use driftlens::export::writeback::write_back;
use driftlens::import::{self, ImportError, Imported};
use driftlens::translate::{CancelFlag, TranslationCache};
use std::path::{Path, PathBuf};

const FIXTURES: [&str; 7] = [
    "omegat.xlf",
    "trados.sdlxliff",
    "memoq.mqxliff",
    "weblate.xlf",
    "angular.xlf",
    "xliff2.xlf",
    "memory.tmx",
];

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/xliff")
        .join(name)
}

fn settings(cache: &Path) -> Settings {
    Settings {
        engine: Some(driftlens::analyze::EngineChoice::Apertium),
        models_dir: None,
        cache: Some(TranslationCache::new(cache.to_path_buf())),
        cancel: CancelFlag::new(),
    }
}

fn empty_report(imported: &Imported) -> Report {
    Report {
        driftlens: "test".into(),
        original: OriginalReport {
            path: imported.path.clone(),
            lang: imported.source_lang.clone(),
            sentences: Vec::new(),
            quotes: Vec::new(),
        },
        translations: Vec::new(),
    }
}

#[test]
fn every_fixture_reads_with_its_languages_units_and_inline_codes() {
    let omegat = import::read(&fixture("omegat.xlf")).unwrap();
    assert_eq!(omegat.source_lang, "en");
    let es = &omegat.translations[0];
    assert_eq!(es.lang, "es");
    let ids: Vec<&str> = es.segments.iter().map(|s| s.id.as_str()).collect();
    // seg-source's mrk segments, the unit id kept; translate="no" left out
    assert_eq!(ids, ["tu1/0", "tu1/1", "tu2"]);
    assert_eq!(
        es.segments[0].source,
        "The minister visited three cities in May."
    );
    assert_eq!(
        es.segments[1].target.as_deref(),
        Some("Se reunió con 14 alcaldes.")
    );
    // memoQ's ISO 639-2 codes, bpt/ept native code left out of the text
    let memoq = import::read(&fixture("memoq.mqxliff")).unwrap();
    assert_eq!(memoq.translations[0].lang, "es");
    assert_eq!(
        memoq.translations[0].segments[0].target.as_deref(),
        Some("El ministro visitó tres ciudades.")
    );
    // an empty target is not translated yet
    assert_eq!(memoq.translations[0].segments[2].target, None);
    // XLIFF 2: segments, not the ignorable; sc/ec/ph empty
    let x2 = import::read(&fixture("xliff2.xlf")).unwrap();
    let segs = &x2.translations[0].segments;
    assert_eq!(segs.len(), 3);
    assert_eq!(segs[1].id, "u1/s2");
    assert_eq!(segs[1].source, "He met 40 mayors.");
    // TMX: two target languages, EN-US as the source
    let tmx = import::read(&fixture("memory.tmx")).unwrap();
    let labels: Vec<&str> = tmx.translations.iter().map(|t| t.label.as_str()).collect();
    assert_eq!(labels, ["es", "ca"]);
    assert_eq!(
        tmx.translations[0].segments[0].source,
        "The minister visited three cities."
    );
}

#[test]
fn every_fixture_round_trips_byte_for_byte_when_nothing_drifted() {
    for name in FIXTURES {
        let path = fixture(name);
        let original = std::fs::read_to_string(&path).unwrap();
        let imported = import::read(&path).unwrap();
        let out = write_back(&imported, &empty_report(&imported), None);
        assert!(out == original, "{name} changed although nothing drifted");
    }
}

/// An element tree with the write-back's additions taken out: Driftlens's notes (and a
/// `<notes>` holding only those) and the state attributes; names with namespaces,
/// attributes and text kept, so two files compare equal exactly where only those differ.
fn tree_without_drift(node: roxmltree::Node, out: &mut Vec<String>) {
    for child in node.children() {
        if child.is_element() {
            let tag = child.tag_name();
            if is_driftlens_note(child)
                || (tag.name() == "notes"
                    && child
                        .children()
                        .filter(|c| c.is_element())
                        .all(is_driftlens_note)
                    && child.children().any(|c| c.is_element()))
            {
                continue;
            }
            let mut attrs: Vec<String> = child
                .attributes()
                .filter(|a| !matches!(a.name(), "state" | "subState"))
                .map(|a| format!("{:?}:{}={}", a.namespace(), a.name(), a.value()))
                .collect();
            attrs.sort();
            out.push(format!(
                "<{:?}:{} {}>",
                tag.namespace(),
                tag.name(),
                attrs.join(" ")
            ));
            tree_without_drift(child, out);
            out.push(format!("</{}>", tag.name()));
        } else if let Some(text) = child.text() {
            if !text.trim().is_empty() {
                out.push(text.to_string());
            }
        }
    }
}

fn is_driftlens_note(n: roxmltree::Node) -> bool {
    n.tag_name().name() == "note"
        && (n.attribute("from") == Some("driftlens")
            || n.attribute("category") == Some("driftlens")
            || n.text().is_some_and(|t| t.starts_with("driftlens")))
}

fn xml_tree(text: &str, name: &str) -> Vec<String> {
    let opts = roxmltree::ParsingOptions {
        allow_dtd: true,
        ..Default::default()
    };
    let doc = roxmltree::Document::parse_with_options(text, opts)
        .unwrap_or_else(|e| panic!("{name} is not well-formed XML after the write-back: {e}"));
    let mut out = Vec::new();
    tree_without_drift(doc.root(), &mut out);
    out
}

#[test]
fn drift_written_back_changes_only_states_and_notes() {
    common::require_apertium();
    let cache = tempfile::tempdir().unwrap();
    for name in FIXTURES {
        let path = fixture(name);
        let original = std::fs::read_to_string(&path).unwrap();
        let imported = import::read(&path).unwrap();
        let report = import::analyze(&imported, &settings(cache.path()), &|_| {}).unwrap();
        let es = report
            .translations
            .iter()
            .find(|t| t.label == "es")
            .unwrap();
        assert!(es.is_analysed(), "{name}: {:?}", es.status);
        // "40 mayors" became "14": flagged, and the pair keeps its unit id
        let mayors = es
            .pairs
            .iter()
            .find(|p| p.original_text.contains("mayors"))
            .unwrap_or_else(|| panic!("{name}: no pair for the mayors"));
        assert!(mayors.level.is_flagged(), "{name}: {mayors:?}");
        let unit = mayors.unit.clone().expect("a unit id");
        assert!(imported.translations[0]
            .segments
            .iter()
            .any(|s| s.id == unit));
        let written = write_back(&imported, &report, None);
        assert_ne!(written, original, "{name}: nothing was written");
        assert_eq!(
            xml_tree(&written, name),
            xml_tree(&original, name),
            "{name}: the write-back changed more than states and notes"
        );
        assert!(written.contains("40 became 14"), "{name}");
        match imported.kind {
            import::FileKind::Xliff1 => {
                assert!(
                    written.contains("state=\"needs-review-translation\""),
                    "{name}"
                )
            }
            import::FileKind::Xliff2 => assert!(
                written.contains("state=\"translated\" subState=\"driftlens:needs-review\""),
                "{name}"
            ),
            import::FileKind::Tmx => assert!(written.contains("<note>driftlens: [es]")),
        }
        // read back and written again: the notes are replaced, not doubled
        let again = import::read_bytes(written.clone().into_bytes(), &path).unwrap();
        assert_eq!(write_back(&again, &report, None), written, "{name}");
        // and with no drift any more, the file as it was, but for the states
        let cleared = write_back(&again, &empty_report(&again), None);
        assert_eq!(xml_tree(&cleared, name), xml_tree(&original, name));
        assert!(!cleared.contains("driftlens: "), "{name}: {cleared}");
    }
}

#[test]
fn malformed_xml_is_reported_with_line_and_column() {
    let text = "<?xml version=\"1.0\"?>\n<xliff version=\"1.2\">\n  <file source-language=\"en\" target-language=\"es\">\n    <body>\n  </file>\n</xliff>\n";
    let err = import::read_bytes(text.as_bytes().to_vec(), Path::new("broken.xlf")).unwrap_err();
    match &err {
        ImportError::Xml { line, column, .. } => {
            assert_eq!((*line, *column), (5, 3), "{err}");
        }
        other => panic!("{other}"),
    }
    let message = err.to_string();
    assert!(
        message.starts_with("broken.xlf:5:3: malformed XML"),
        "{message}"
    );
}

#[test]
fn a_file_without_targets_or_with_an_unknown_language_says_which_unit() {
    let no_targets = "<xliff version=\"1.2\"><file source-language=\"en\" target-language=\"es\"><body><trans-unit id=\"a\"><source>Hi.</source></trans-unit></body></file></xliff>";
    let err = import::read_bytes(no_targets.into(), Path::new("new.xlf")).unwrap_err();
    assert!(matches!(err, ImportError::NoTargets { .. }), "{err}");
    assert!(err
        .to_string()
        .contains("new.xlf has no translated segments"));
    let unknown = "<tmx version=\"1.4\"><header srclang=\"en\"/><body><tu tuid=\"7\"><tuv xml:lang=\"en\"><seg>Hi.</seg></tuv><tuv xml:lang=\"qq\"><seg>Hola.</seg></tuv></tu></body></tmx>";
    let err = import::read_bytes(unknown.into(), Path::new("m.tmx")).unwrap_err();
    assert!(
        err.to_string()
            .contains("tu tuid=\"7\" has an unknown language 'qq'"),
        "{err}"
    );
    let no_lang = "<xliff version=\"1.2\"><file source-language=\"en\"><body><trans-unit id=\"b\"><source>Hi.</source><target>Hola.</target></trans-unit></body></file></xliff>";
    let err = import::read_bytes(no_lang.into(), Path::new("x.xlf")).unwrap_err();
    assert!(
        err.to_string()
            .contains("trans-unit id=\"b\" names no target language"),
        "{err}"
    );
}

#[test]
fn the_command_line_writes_the_file_back_and_keeps_an_earlier_output_on_bad_input() {
    common::require_apertium();
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("reviewed.xlf");
    let bin = env!("CARGO_BIN_EXE_driftlens");
    let cache = dir.path().join("cache");
    let status = std::process::Command::new(bin)
        .args([
            "analyze", "--engine", "apertium", "-q", "--format", "xliff", "--out",
        ])
        .arg(&out)
        .arg(fixture("weblate.xlf"))
        .env("DRIFTLENS_CACHE", &cache)
        .status()
        .unwrap();
    assert!(status.success());
    let written = std::fs::read_to_string(&out).unwrap();
    assert!(
        written.contains(
            "<target state=\"needs-review-translation\">Se reunió con 14 alcaldes.</target>"
        ),
        "{written}"
    );
    // the untranslated unit is not marked
    assert!(
        written.contains("<target state=\"needs-translation\"/>"),
        "{written}"
    );
    // --translation es=FILE picks the language of the file, the JSON carries the unit ids
    let json = std::process::Command::new(bin)
        .args([
            "analyze",
            "--engine",
            "apertium",
            "-q",
            "--format",
            "json",
            "--translation",
        ])
        .arg(format!("es={}", fixture("weblate.xlf").display()))
        .env("DRIFTLENS_CACHE", &cache)
        .output()
        .unwrap();
    assert!(json.status.success());
    let json = String::from_utf8(json.stdout).unwrap();
    assert!(json.contains("\"unit\": \"mayors\""), "{json}");
    // and the HTML report names the units too
    let html = std::process::Command::new(bin)
        .args(["analyze", "--engine", "apertium", "-q", "--format", "html"])
        .arg(fixture("weblate.xlf"))
        .env("DRIFTLENS_CACHE", &cache)
        .output()
        .unwrap();
    let html = String::from_utf8(html.stdout).unwrap();
    assert!(html.contains("<small>unit mayors</small>"), "{html}");
    // a malformed file: the message names line and column, and the earlier output stays
    let broken = dir.path().join("broken.xlf");
    std::fs::write(&broken, "<xliff version=\"1.2\">\n<file>\n</xliff>\n").unwrap();
    let failed = std::process::Command::new(bin)
        .args(["analyze", "-q", "--format", "xliff", "--out"])
        .arg(&out)
        .arg(&broken)
        .output()
        .unwrap();
    assert!(!failed.status.success());
    let err = String::from_utf8_lossy(&failed.stderr);
    assert!(err.contains("broken.xlf:3:1: malformed XML"), "{err}");
    assert_eq!(std::fs::read_to_string(&out).unwrap(), written);
}
