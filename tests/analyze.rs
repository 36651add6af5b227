//! End to end with Apertium on the bundled corpus: faithful translations and Apertium's own
//! come back nearly clean, the planted changes of the drift variants are flagged and rank
//! among the most-drifted pairs of their language; the report writers give JSON other tools
//! can read, CSV, and an HTML page that renders.

mod common;

use common::{corpus, require_apertium};
use driftlens::analyze::{self, EngineChoice, Report, Request};
use driftlens::translate::{CancelFlag, TranslationCache};
use std::sync::OnceLock;

/// The analysis of es, ca, gl, eo and their drift variants, computed once for all tests.
fn report() -> &'static Report {
    static R: OnceLock<Report> = OnceLock::new();
    R.get_or_init(|| {
        common::apertium_report(
            &[
                "ca",
                "ca.apertium",
                "ca.drift",
                "eo",
                "eo.apertium",
                "eo.drift",
                "es",
                "es.apertium",
                "es.drift",
                "gl",
                "gl.apertium",
                "gl.drift",
                "hr",
                "is",
                "mk",
                "sr",
            ],
            "analyze",
        )
    })
}

#[derive(serde::Deserialize)]
struct Labels {
    change: Vec<Change>,
}
#[derive(serde::Deserialize)]
struct Change {
    kind: String,
    /// (none for an added sentence)
    original_id: Option<usize>,
    variant_id: usize,
    explanation: String,
}

#[test]
fn every_planted_change_is_flagged_and_ranks_high() {
    let report = report();
    let mut found = 0;
    let mut total = 0;
    let mut lines = Vec::new();
    let mut ranks: Vec<(String, usize, bool)> = Vec::new();
    for lang in ["es", "ca", "gl", "eo"] {
        let label = format!("{lang}.drift");
        let t = report
            .translations
            .iter()
            .find(|t| t.label == label)
            .unwrap();
        assert!(t.is_analysed(), "{label}: {:?}", t.status);
        let labels: Labels = toml::from_str(
            &std::fs::read_to_string(corpus().join(format!("{lang}.drift.labels.toml"))).unwrap(),
        )
        .unwrap();
        let mut ranked: Vec<&analyze::PairReport> = t.pairs.iter().collect();
        ranked.sort_by(|a, b| b.drift.total_cmp(&a.drift));
        for c in &labels.change {
            total += 1;
            let pos = ranked
                .iter()
                .position(|p| p.translation.contains(&c.variant_id))
                .expect("every translated sentence is in a pair");
            let p = ranked[pos];
            let flagged = p.level.is_flagged();
            found += flagged as usize;
            ranks.push((format!("{label} {}", c.kind), pos + 1, flagged));
            lines.push(format!(
                "{label:<8} {:<24} rank {:>2}/{:<2} {:<8} {:.2}  {}  [{}]",
                c.kind,
                pos + 1,
                ranked.len(),
                p.level.name(),
                p.drift,
                c.explanation,
                p.reasons
                    .iter()
                    .map(|r| r.kind.as_str())
                    .collect::<Vec<_>>()
                    .join(",")
            ));
        }
    }
    println!("{}", lines.join("\n"));
    let recall = found as f32 / total as f32;
    println!("planted changes flagged: {found}/{total} = {recall:.2}");
    // Measured with the engine's round trip, the document baseline and the quotation's
    // degree read in the translation itself (issue 16): 38 of 40 flagged. The two misses
    // are quotations made sharper with no word of degree on either side ("massive
    // consequences and severe cost" → "devastating consequences and relentless punishment",
    // "counter the attack" → "crush"), whose wording does not stand out against the rough
    // Apertium back-translations of faithful quotations; they stay visible as minor.
    assert!(
        found >= 38,
        "{found} of {total} planted changes flagged:\n{}",
        lines.join("\n")
    );
    for (what, rank, flagged) in &ranks {
        let fact = [
            "number",
            "name",
            "sentence_added",
            "left_in_english",
            "clause_dropped",
        ]
        .iter()
        .any(|k| what.contains(k));
        assert!(
            !fact || (*flagged && *rank <= 14),
            "{what}: rank {rank}, flagged {flagged}\n{}",
            lines.join("\n")
        );
    }
}

/// Flagged pairs per file, planted changes found and precision: the table of issue 16.
#[test]
fn faithful_translations_come_back_nearly_clean() {
    let report = report();
    let flagged = |label: &str| {
        report
            .translations
            .iter()
            .find(|t| t.label == label)
            .map(|t| t.flagged().count())
            .unwrap()
    };
    let mut table = vec![format!(
        "{:<12} {:>5} {:>7} {:>9}",
        "file", "flagged", "planted", "precision"
    )];
    let mut failures = Vec::new();
    for (label, most) in [
        ("es", 5),
        ("ca", 5),
        ("gl", 5),
        ("eo", 5),
        ("hr", 9),
        ("sr", 9),
        // no round trip for Icelandic and Macedonian (issue 17: every faithful language at
        // most 9); their denials and names are read in the translation itself
        ("is", 9),
        ("mk", 9),
    ] {
        let n = flagged(label);
        table.push(format!("{label:<12} {n:>5}"));
        if n > most {
            failures.push(format!("{label}: {n} flagged, at most {most}"));
        }
    }
    for lang in ["es", "ca", "gl", "eo"] {
        let label = format!("{lang}.apertium");
        let n = flagged(&label);
        table.push(format!("{label:<12} {n:>5}"));
        if n > 3 {
            failures.push(format!("{label}: {n} flagged, at most 3"));
        }
    }
    for lang in ["es", "ca", "gl", "eo"] {
        let label = format!("{lang}.drift");
        let t = report
            .translations
            .iter()
            .find(|t| t.label == label)
            .unwrap();
        let labels: Labels = toml::from_str(
            &std::fs::read_to_string(corpus().join(format!("{lang}.drift.labels.toml"))).unwrap(),
        )
        .unwrap();
        let planted: Vec<usize> = labels.change.iter().map(|c| c.variant_id).collect();
        let hits = t
            .flagged()
            .filter(|p| p.translation.iter().any(|i| planted.contains(i)))
            .count();
        let n = t.flagged().count();
        let precision = hits as f32 / n.max(1) as f32;
        table.push(format!("{label:<12} {n:>5} {hits:>7} {precision:>9.2}"));
        // measured 0.75 (es) to 0.90 (gl): the bar
        if precision < 0.70 {
            failures.push(format!("{label}: precision {precision:.2} below 0.70"));
        }
    }
    println!("{}", table.join("\n"));
    assert!(
        failures.is_empty(),
        "{}\n{}",
        failures.join("\n"),
        table.join("\n")
    );
}

#[test]
fn unaltered_translations_are_flagged_less_than_their_drift_variants() {
    let report = report();
    for lang in ["es", "ca", "gl", "eo"] {
        let plain = report
            .translations
            .iter()
            .find(|t| t.label == lang)
            .unwrap();
        let drift = report
            .translations
            .iter()
            .find(|t| t.label == format!("{lang}.drift"))
            .unwrap();
        let (a, b) = (plain.flagged().count(), drift.flagged().count());
        println!("{lang}: {a} flagged in the faithful translation, {b} in the drift variant");
        assert!(b > a, "{lang}: the drift variant ({b}) should be flagged more than the faithful translation ({a})");
    }
}

#[test]
fn each_language_says_whether_the_engine_noise_was_taken_out() {
    let report = report();
    let note = |label: &str| {
        report
            .translations
            .iter()
            .find(|t| t.label == label)
            .and_then(|t| t.level_note())
            .unwrap_or_default()
    };
    // Apertium translates English into Spanish: its own round trip is discounted
    assert!(note("es").contains("own round trip"), "{}", note("es"));
    // but not into Macedonian: nothing could be, and the reader is told so
    assert!(note("mk").contains("no round trip"), "{}", note("mk"));
    // the HTML report carries the note beside the language
    let html = driftlens::export::html(report);
    assert!(html.contains("no round trip of the original"));
}

#[test]
fn json_report_has_the_stable_shape() {
    let report = report();
    let v: serde_json::Value = serde_json::from_str(&driftlens::export::json(report)).unwrap();
    assert!(v["driftlens"].is_string());
    assert_eq!(v["original"]["lang"], "en");
    assert_eq!(v["original"]["sentences"].as_array().unwrap().len(), 45);
    let q = &v["original"]["quotes"][0];
    assert!(q["id"].is_number() && q["text"].is_string() && q["sentences"].is_array());
    let es = v["translations"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["label"] == "es.drift")
        .unwrap();
    assert_eq!(es["status"], "analysed");
    assert!(es["engine"]
        .as_str()
        .unwrap()
        .starts_with("apertium:spa-eng"));
    let pair = &es["pairs"][0];
    for key in [
        "original",
        "translation",
        "translated_text",
        "back_translation",
        "drift",
        "level",
        "reasons",
    ] {
        assert!(!pair[key].is_null(), "pair lacks {key}: {pair}");
    }
    let flagged = es["pairs"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["level"] == "critical" || p["level"] == "major")
        .unwrap();
    let r = &flagged["reasons"][0];
    assert!(
        r["kind"]
            .as_str()
            .unwrap()
            .chars()
            .all(|c| c.is_ascii_lowercase() || c == '_'),
        "{r}"
    );
    assert!(r["message"].is_string());
    assert!(
        es["quotes"].as_array().unwrap().len() == v["original"]["quotes"].as_array().unwrap().len()
    );
}

#[test]
fn languages_without_an_engine_say_how_to_fix_it() {
    require_apertium();
    let langs = vec!["ja".to_string()];
    let (original, translations) = analyze::corpus_inputs(&corpus(), Some(&langs)).unwrap();
    let req = Request {
        original,
        original_lang: Some("en".into()),
        translations,
        engine: EngineChoice::Apertium,
        models_dir: None,
        cache: None,
        cancel: CancelFlag::new(),
    };
    let report = analyze::analyze(&req, &|_| {}).unwrap();
    let ja = &report.translations[0];
    // analysed all the same, by the direct view, saying what a back-translation would add
    // and the command that gets one
    assert!(ja.is_direct_only(), "{:?} {:?}", ja.status, ja.views);
    let missing = &ja.not_run[0];
    assert!(missing.why.contains("ja"), "{}", missing.why);
    assert_eq!(missing.fix, "driftlens models fetch ja");
}

#[test]
fn a_quiet_run_that_analyses_nothing_still_says_why() {
    // The report goes to a file and --quiet hides the progress: the error itself names the
    // reason and the fix, not "the reasons above" that nothing printed.
    let dir = tempfile::tempdir().unwrap();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_driftlens"))
        .arg("analyze")
        .arg("--original")
        .arg(corpus().join("en.md"))
        .arg("--translation")
        .arg(format!("ja={}", dir.path().join("missing-ja.md").display()))
        .args(["--quiet", "--out"])
        .arg(dir.path().join("report.json"))
        .env("DRIFTLENS_CACHE", dir.path().join("cache"))
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success(), "{stderr}");
    assert!(
        stderr.contains("no translation could be analysed")
            && !stderr.contains("see the reasons above"),
        "{stderr}"
    );
    assert!(
        stderr.contains("ja: ") && stderr.contains("fix: ") && stderr.contains("missing-ja.md"),
        "the reason and the fix: {stderr}"
    );
    assert!(
        dir.path().join("report.json").is_file(),
        "the report is still written"
    );
}

#[test]
fn csv_has_one_row_per_pair_and_quotes_fields() {
    let report = report();
    let csv = driftlens::export::csv(report);
    let pairs: usize = report.translations.iter().map(|t| t.pairs.len()).sum();
    // Fields with commas are quoted; count records by parsing quotes.
    let mut records = 0;
    let mut in_quotes = false;
    for c in csv.chars() {
        match c {
            '"' => in_quotes = !in_quotes,
            '\n' if !in_quotes => records += 1,
            _ => {}
        }
    }
    assert_eq!(records, pairs + 1, "header plus one row per pair");
}

#[test]
fn html_report_renders_in_chromium() {
    let report = report();
    let html = driftlens::export::html(report);
    assert!(
        html.contains("<h2>Overview</h2>")
            && html.contains("<h2>Quotations</h2>")
            && html.contains("<mark>")
    );
    assert!(
        !html.contains("http://") && !html.contains("https://"),
        "the report is self-contained"
    );
    let dir = tempfile::tempdir().unwrap();
    let page = dir.path().join("report.html");
    std::fs::write(&page, &html).unwrap();
    let shot = dir.path().join("report.png");
    let chromium = ["chromium", "chromium-browser", "google-chrome"]
        .into_iter()
        .find(|c| {
            std::process::Command::new(c)
                .arg("--version")
                .output()
                .map(|o| o.status.success())
                .unwrap_or(false)
        });
    let chromium = chromium.expect("headless Chromium is needed for this test: sudo apt-get install chromium (scripts/test does it)");
    let status = std::process::Command::new(chromium)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--hide-scrollbars",
            "--window-size=1400,2400",
        ])
        .arg(format!(
            "--user-data-dir={}",
            dir.path().join("profile").display()
        ))
        .arg(format!("--screenshot={}", shot.display()))
        .arg(format!("file://{}", page.display()))
        .output()
        .unwrap();
    assert!(
        status.status.success(),
        "chromium failed: {}",
        String::from_utf8_lossy(&status.stderr)
    );
    let png = std::fs::read(&shot).unwrap();
    assert!(
        png.starts_with(b"\x89PNG") && png.len() > 50_000,
        "screenshot {} looks empty ({} bytes)",
        shot.display(),
        png.len()
    );
    // (Chromium's text rendering differs in a few pixels from run to run)
    common::keep_screenshot_within(
        &image::load_from_memory(&png).unwrap().to_rgba8(),
        &common::screenshot_path("report-es-ca-gl-eo.png"),
        0.02,
    );
}

#[test]
fn a_second_analysis_comes_from_the_cache_and_says_the_same() {
    require_apertium();
    let dir = tempfile::tempdir().unwrap();
    let run = || {
        let req = common::apertium_request(
            &["gl"],
            TranslationCache::new(dir.path().join("translations")),
        );
        driftlens::export::json(&analyze::analyze(&req, &|_| {}).unwrap())
    };
    let first = run();
    // Back-translations and, where the embedding model is here, sentence vectors are kept.
    assert!(
        std::fs::read_dir(dir.path().join("translations"))
            .map(|d| d.count() > 0)
            .unwrap_or(false),
        "no back-translation was cached"
    );
    if driftlens::embed::model_dir("all-MiniLM-L6-v2")
        .join("model.safetensors")
        .is_file()
    {
        let vectors = std::fs::read_dir(dir.path().join("embeddings"))
            .expect("the sentence vectors are cached beside the back-translations");
        assert!(
            vectors.flatten().any(|f| f
                .metadata()
                .map(|m| m.len() > 45 * 384 * 4)
                .unwrap_or(false)),
            "the vector cache holds too little"
        );
    }
    assert_eq!(
        first,
        run(),
        "the analysis from the cache differs from the first"
    );
}

#[test]
fn the_quote_grid_names_the_words_a_quotation_lost() {
    let report = report();
    let mut named = 0;
    for t in &report.translations {
        for q in &t.quotes {
            if q.message.starts_with("the quotation lost") {
                named += 1;
                // only where the pair says so too
                let quote = report
                    .original
                    .quotes
                    .iter()
                    .find(|x| x.id == q.quote)
                    .expect("the quote is in the original");
                let holds = t.pairs.iter().any(|p| {
                    p.original.iter().any(|s| quote.sentences.contains(s))
                        && p.reasons.iter().any(|r| r.message == q.message)
                });
                assert!(
                    holds,
                    "{}: quote {} ({:?}) says {:?} but no pair holding it does",
                    t.label, q.quote, quote.sentences, q.message
                );
            }
        }
    }
    println!("{named} quotation cells name the words they lost");
    assert!(named >= 4, "only {named} quotation cells name lost words");
}

/// A quotation the drift variant softened or sharpened comes through with less fidelity than
/// in the unaltered translation (both back-translated by Apertium), even where its sentence is
/// not flagged: the grid shows the quotation's own words, not its sentence's drift.
#[test]
fn a_reworded_quotation_loses_fidelity_in_the_grid() {
    let report = report();
    let mut lines = Vec::new();
    let mut worse = 0;
    let mut total = 0;
    for lang in ["es", "ca", "gl", "eo"] {
        let plain = report
            .translations
            .iter()
            .find(|t| t.label == lang)
            .unwrap();
        let drift = report
            .translations
            .iter()
            .find(|t| t.label == format!("{lang}.drift"))
            .unwrap();
        let labels: Labels = toml::from_str(
            &std::fs::read_to_string(corpus().join(format!("{lang}.drift.labels.toml"))).unwrap(),
        )
        .unwrap();
        for c in labels
            .change
            .iter()
            .filter(|c| c.kind.starts_with("quote_"))
        {
            let quote = report
                .original
                .quotes
                .iter()
                .find(|q| c.original_id.is_some_and(|id| q.sentences.contains(&id)))
                .expect("a planted quotation change is in a quotation");
            let cell = |t: &analyze::TranslationReport| {
                t.quotes
                    .iter()
                    .find(|f| f.quote == quote.id)
                    .unwrap()
                    .clone()
            };
            let (a, b) = (cell(plain), cell(drift));
            total += 1;
            // (a quotation already lost to a broken fact in the unaltered translation cannot fall lower)
            let lower = b.fidelity < a.fidelity || (a.fidelity == 0.0 && b.fidelity == 0.0);
            worse += lower as usize;
            lines.push(format!(
                "{lang}.drift {:<16} quote {:>2}: {:.2} {:<8} (unaltered {:.2} {:<8}) {}",
                c.kind,
                quote.id,
                b.fidelity,
                b.level.name(),
                a.fidelity,
                a.level.name(),
                b.message
            ));
        }
    }
    println!("{}", lines.join("\n"));
    assert_eq!(
        worse,
        total,
        "a reworded quotation kept its fidelity:\n{}",
        lines.join("\n")
    );
}
