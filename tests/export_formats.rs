//! XLIFF 1.2 and TMX 1.4b exports (parsed back with a strict XML parser), and the classroom
//! worksheet and answer key (parsed, and rendered in headless Chromium).

mod common;

use driftlens::analyze::{PairReport, Report};
use driftlens::export::{classroom, tmx, xliff};
use driftlens::review::classroom::{Exercise, Labels};
use driftlens::review::{Project, Verdict};
use std::collections::BTreeSet;
use std::path::Path;
use std::sync::OnceLock;

/// es.drift back-translated with Apertium, and ar, which Apertium cannot serve (aligned only).
fn report() -> &'static Report {
    static R: OnceLock<Report> = OnceLock::new();
    R.get_or_init(|| common::apertium_report(&["es.drift", "ar"], "export"))
}

fn translation(label: &str) -> &'static driftlens::analyze::TranslationReport {
    report()
        .translations
        .iter()
        .find(|t| t.label == label)
        .unwrap_or_else(|| panic!("{label} is not in the report"))
}

const NOTE: &str = "Check with the desk <&>\"' 🧐 — 10 ≠ 12";

/// A project with a verdict and a note (markup characters, an emoji, a control character)
/// on the first flagged pair of es.drift.
fn project(dir: &Path) -> (Project, &'static PairReport) {
    let t = translation("es.drift");
    let first = t.flagged().next().expect("es.drift has flagged pairs");
    let mut p = Project::open(dir).unwrap();
    p.set(
        &t.label,
        first,
        Some(Verdict::RealDrift),
        Some(format!("{NOTE}\u{1}")),
    );
    (p, first)
}

fn ns_xliff() -> &'static str {
    "urn:oasis:names:tc:xliff:document:1.2"
}

#[test]
fn xliff_has_a_unit_per_pair_with_notes_that_survive_a_round_trip() {
    let t = translation("es.drift");
    let dir = tempfile::tempdir().unwrap();
    let (project, first) = project(dir.path());
    let text = xliff::xliff(report(), t, Some(&project));
    let doc = roxmltree::Document::parse(&text).unwrap_or_else(|e| {
        panic!(
            "not well-formed XML: {e}\n{}",
            &text[..2000.min(text.len())]
        )
    });
    let root = doc.root_element();
    assert_eq!(root.tag_name().name(), "xliff");
    assert_eq!(root.tag_name().namespace(), Some(ns_xliff()));
    assert_eq!(root.attribute("version"), Some("1.2"));
    let file = root
        .children()
        .find(|n| n.has_tag_name((ns_xliff(), "file")))
        .unwrap();
    assert_eq!(file.attribute("source-language"), Some("en"));
    assert_eq!(file.attribute("target-language"), Some("es"));
    assert_eq!(file.attribute("original"), Some("en.md"));

    let units: Vec<_> = doc
        .descendants()
        .filter(|n| n.has_tag_name((ns_xliff(), "trans-unit")))
        .collect();
    assert_eq!(
        units.len(),
        t.pairs.len(),
        "one trans-unit per aligned pair"
    );
    let ids: BTreeSet<&str> = units.iter().map(|u| u.attribute("id").unwrap()).collect();
    assert_eq!(ids.len(), units.len(), "trans-unit ids are unique");

    let child_text = |u: &roxmltree::Node, tag: &str| {
        u.children()
            .find(|n| n.has_tag_name((ns_xliff(), tag)))
            .map(|n| n.text().unwrap_or("").to_string())
            .unwrap()
    };
    for (u, p) in units.iter().zip(&t.pairs) {
        assert_eq!(child_text(u, "source"), p.original_text);
        assert_eq!(child_text(u, "target"), p.translated_text);
        assert_eq!(
            u.attribute((xliff::DRIFTLENS_NS, "level")),
            Some(p.level.name())
        );
        let notes: Vec<String> = u
            .children()
            .filter(|n| n.has_tag_name((ns_xliff(), "note")))
            .map(|n| n.text().unwrap_or("").to_string())
            .collect();
        for r in &p.reasons {
            assert!(
                notes.iter().any(|n| n.contains(&r.message)),
                "reason {:?} missing from {notes:?}",
                r.message
            );
        }
        let target = u
            .children()
            .find(|n| n.has_tag_name((ns_xliff(), "target")))
            .unwrap();
        if p.level.is_flagged() {
            assert_eq!(target.attribute("state"), Some("needs-review-translation"));
        }
    }
    // The reviewer's verdict and note, markup characters and emoji intact; the control
    // character XML cannot carry became U+FFFD.
    let u = units
        .iter()
        .zip(&t.pairs)
        .find(|(_, p)| p.original == first.original && p.translation == first.translation)
        .unwrap()
        .0;
    assert_eq!(
        u.attribute((xliff::DRIFTLENS_NS, "verdict")),
        Some("real_drift")
    );
    let reviewer: Vec<&str> = u
        .children()
        .filter(|n| n.has_tag_name((ns_xliff(), "note")) && n.attribute("from") == Some("reviewer"))
        .map(|n| n.text().unwrap_or(""))
        .collect();
    assert_eq!(
        reviewer,
        ["verdict: Real drift", &format!("{NOTE}\u{FFFD}")]
    );
}

#[test]
fn tmx_of_one_or_all_translations_has_a_unit_per_pair_with_both_languages() {
    let dir = tempfile::tempdir().unwrap();
    let (project, first) = project(dir.path());
    let t = translation("es.drift");
    let ar = translation("ar");
    assert!(
        ar.is_direct_only() && !ar.pairs.is_empty(),
        "ar is judged directly, without back-translation, here"
    );
    let both_sides = |units: Vec<(&str, &str)>| {
        units
            .into_iter()
            .filter(|(o, t)| !o.trim().is_empty() && !t.trim().is_empty())
            .count()
    };
    let es_units = both_sides(
        t.pairs
            .iter()
            .map(|p| (p.original_text.as_str(), p.translated_text.as_str()))
            .collect(),
    );
    let ar_units = both_sides(
        ar.pairs
            .iter()
            .map(|p| (p.original_text.as_str(), p.translated_text.as_str()))
            .collect(),
    );

    for (only, expected, langs) in [
        (Some("es.drift"), es_units, vec!["en", "es"]),
        (None, es_units + ar_units, vec!["ar", "en", "es"]),
    ] {
        let text = tmx::tmx(report(), only, Some(&project));
        let doc = roxmltree::Document::parse_with_options(
            &text,
            roxmltree::ParsingOptions {
                allow_dtd: true,
                ..Default::default()
            },
        )
        .unwrap_or_else(|e| panic!("not well-formed XML: {e}"));
        let root = doc.root_element();
        assert_eq!(
            (root.tag_name().name(), root.attribute("version")),
            ("tmx", Some("1.4"))
        );
        let header = root.children().find(|n| n.has_tag_name("header")).unwrap();
        assert_eq!(header.attribute("srclang"), Some("en"));
        assert_eq!(header.attribute("segtype"), Some("sentence"));
        let creation = header.attribute("creationdate").unwrap();
        assert!(
            creation.len() == 16 && creation.ends_with('Z') && creation.as_bytes()[8] == b'T',
            "TMX date format YYYYMMDDThhmmssZ: {creation}"
        );
        let tus: Vec<_> = doc.descendants().filter(|n| n.has_tag_name("tu")).collect();
        assert_eq!(tus.len(), expected, "{only:?}");
        let mut seen = BTreeSet::new();
        for tu in &tus {
            let tuvs: Vec<_> = tu.children().filter(|n| n.has_tag_name("tuv")).collect();
            assert_eq!(tuvs.len(), 2);
            for tuv in &tuvs {
                let lang = tuv
                    .attribute(("http://www.w3.org/XML/1998/namespace", "lang"))
                    .expect("xml:lang on every tuv");
                seen.insert(lang.to_string());
                let seg = tuv.children().find(|n| n.has_tag_name("seg")).unwrap();
                assert!(!seg.text().unwrap_or("").trim().is_empty());
            }
        }
        assert_eq!(seen.iter().map(String::as_str).collect::<Vec<_>>(), langs);
        // The reviewed pair carries the verdict and the note.
        let tuid = format!(
            "es.drift:o{}-t{}",
            first
                .original
                .iter()
                .map(|i| i.to_string())
                .collect::<Vec<_>>()
                .join(","),
            first
                .translation
                .iter()
                .map(|i| i.to_string())
                .collect::<Vec<_>>()
                .join(",")
        );
        let tu = tus
            .iter()
            .find(|n| n.attribute("tuid") == Some(tuid.as_str()))
            .unwrap_or_else(|| panic!("no tu {tuid}"));
        let prop = |ty: &str| {
            tu.children()
                .find(|n| n.has_tag_name("prop") && n.attribute("type") == Some(ty))
                .and_then(|n| n.text())
        };
        assert_eq!(prop("x-driftlens-verdict"), Some("real_drift"));
        assert_eq!(prop("x-drift-level"), Some(first.level.name()));
        let notes: Vec<&str> = tu
            .children()
            .filter(|n| n.has_tag_name("note"))
            .filter_map(|n| n.text())
            .collect();
        assert!(
            notes.contains(&format!("reviewer: {NOTE}\u{FFFD}").as_str()),
            "{notes:?}"
        );
    }
}

#[test]
fn every_control_character_is_kept_out_of_the_xml() {
    // A translation with every C0 control character and U+FFFF in its text still parses.
    let mut report = report().clone();
    let t = report
        .translations
        .iter_mut()
        .find(|t| t.label == "es.drift")
        .unwrap();
    let nasty: String = (0u8..0x20)
        .map(char::from)
        .chain(['\u{FFFF}', '\u{FFFE}', '<', '&', '>', '"'])
        .collect();
    t.pairs[0].translated_text = format!("a{nasty}b");
    let es = report
        .translations
        .iter()
        .find(|t| t.label == "es.drift")
        .unwrap();
    let x = xliff::xliff(&report, es, None);
    let doc = roxmltree::Document::parse(&x).unwrap_or_else(|e| panic!("XLIFF: {e}"));
    let target = doc
        .descendants()
        .find(|n| n.has_tag_name((ns_xliff(), "target")))
        .unwrap()
        .text()
        .unwrap()
        .to_string();
    assert!(
        target.starts_with('a') && target.ends_with("<&>\"b"),
        "{target:?}"
    );
    assert!(
        target.contains('\t') && target.contains('\n'),
        "tab and line feed are allowed and kept: {target:?}"
    );
    assert!(!target
        .chars()
        .any(|c| (c as u32) < 0x20 && !matches!(c, '\t' | '\n' | '\r')));
    let m = tmx::tmx(&report, None, None);
    roxmltree::Document::parse_with_options(
        &m,
        roxmltree::ParsingOptions {
            allow_dtd: true,
            ..Default::default()
        },
    )
    .unwrap_or_else(|e| panic!("TMX: {e}"));
}

// --- Classroom worksheet and answer key.

fn exercise() -> Exercise {
    let t = translation("es.drift");
    Exercise::load(&Labels::path_for(&t.path), t).unwrap()
}

fn chromium() -> &'static str {
    ["chromium", "chromium-browser", "google-chrome"]
        .into_iter()
        .find(|c| std::process::Command::new(c).arg("--version").output().map(|o| o.status.success()).unwrap_or(false))
        .expect("headless Chromium is needed for this test: sudo apt-get install chromium (scripts/test does it)")
}

/// Chromium's DOM of an HTML file, after parsing (and a screenshot when `shot` is given).
fn render(html: &str, shot: Option<&Path>) -> String {
    let dir = tempfile::tempdir().unwrap();
    let page = dir.path().join("page.html");
    std::fs::write(&page, html).unwrap();
    let base = [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--hide-scrollbars",
    ];
    let run = |extra: &[String]| {
        let out = std::process::Command::new(chromium())
            .args(base)
            .arg(format!(
                "--user-data-dir={}",
                dir.path().join("profile").display()
            ))
            .args(extra)
            .arg(format!("file://{}", page.display()))
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "chromium failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    if let Some(shot) = shot {
        let fresh = tempfile::Builder::new().suffix(".png").tempfile().unwrap();
        run(&[
            "--window-size=1200,1600".to_string(),
            format!("--screenshot={}", fresh.path().display()),
        ]);
        let png = std::fs::read(fresh.path()).unwrap();
        assert!(
            png.starts_with(b"\x89PNG") && png.len() > 30_000,
            "{} looks empty",
            shot.display()
        );
        // (Chromium's text rendering differs in a few pixels from run to run)
        common::keep_screenshot_within(
            &image::load_from_memory(&png).unwrap().to_rgba8(),
            shot,
            0.02,
        );
        let pdf = dir.path().join("print.pdf");
        run(&[
            format!("--print-to-pdf={}", pdf.display()),
            "--no-pdf-header-footer".to_string(),
        ]);
        let bytes = std::fs::read(&pdf).unwrap();
        assert!(
            bytes.starts_with(b"%PDF") && bytes.len() > 10_000,
            "the print version is empty"
        );
    }
    run(&["--dump-dom".to_string()])
}

#[test]
fn the_worksheet_has_a_checkbox_per_row_and_no_answers() {
    let ex = exercise();
    let html = classroom::worksheet_html(&ex);
    assert!(html.contains("@media print"));
    assert!(
        !html.contains("http://") && !html.contains("https://") && !html.contains("<script"),
        "self-contained and static"
    );
    for c in &ex.changes {
        assert!(
            !html.contains(&c.explanation) && !html.contains(&escape(&c.explanation)),
            "the worksheet gives away {:?}",
            c.explanation
        );
        assert!(
            !html.contains(&c.kind),
            "the worksheet names the kind {}",
            c.kind
        );
    }
    assert!(
        !html.contains("drift 0.") && !html.contains("critical"),
        "no scores on the worksheet"
    );
    let shot = Path::new(env!("CARGO_MANIFEST_DIR")).join("screenshots/classroom-worksheet.png");
    let dom = render(&html, Some(&shot));
    assert_eq!(
        dom.matches("type=\"checkbox\"").count(),
        ex.rows.len(),
        "one checkbox per row after Chromium parsed the page"
    );
    // Every row's texts are there, escaped so the browser shows them as written.
    for r in &ex.rows {
        assert!(
            dom.contains(&escape(&r.translation)),
            "row text missing: {}",
            r.translation
        );
    }
}

#[test]
fn the_answer_key_lists_every_planted_change_with_kind_and_explanation() {
    let ex = exercise();
    let html = classroom::answer_key_html(&ex);
    let dom = render(&html, None);
    let rows = dom.matches("<td class=\"kind\">").count();
    assert_eq!(rows, ex.changes.len() - ex.unplaced.len());
    for c in &ex.changes {
        assert!(
            dom.contains(&escape(&c.explanation)),
            "missing explanation {:?}",
            c.explanation
        );
        assert!(dom.contains(&c.kind_words()), "missing kind {}", c.kind);
    }
    assert!(dom.contains("Driftlens flagged"));
}

#[test]
fn markup_in_the_texts_is_escaped_in_both_pages() {
    let mut ex = exercise();
    ex.rows[0].translation = "<script>alert(1)</script> & \"quoted\" 🧐".into();
    let i = ex.rows.iter().position(|r| !r.planted.is_empty()).unwrap();
    let c = ex.rows[i].planted[0];
    ex.changes[c].explanation = "<b>bold</b> & more".into();
    let sheet = classroom::worksheet_html(&ex);
    assert!(
        !sheet.contains("<script>")
            && sheet.contains("&lt;script&gt;alert(1)&lt;/script&gt; &amp; &quot;quoted&quot; 🧐")
    );
    let key = classroom::answer_key_html(&ex);
    assert!(!key.contains("<b>bold</b>") && key.contains("&lt;b&gt;bold&lt;/b&gt; &amp; more"));
}

/// How Chromium serialises text content: & < > escaped (quotes are not, in text nodes).
fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}
