//! The direct view end to end: languages no engine serves here (de, fr, ru, zh, ar, hi, ja,
//! ko, th have no Apertium pair and, in CI, no Marian model) are analysed by comparing the
//! original with the translation directly, with multilingual-e5-small's vectors from
//! `scripts/fetch-test-models`. The planted changes a reader of numbers, names, lengths and
//! scripts can see are flagged; the faithful translations stay nearly clean.

mod common;

use common::corpus;
use driftlens::analyze::{self, Report, View};
use std::sync::OnceLock;

const FAITHFUL: [&str; 9] = ["ar", "de", "fr", "hi", "ja", "ko", "ru", "th", "zh"];
const DRIFTED: [&str; 4] = ["de.drift", "fr.drift", "ru.drift", "zh.drift"];
/// The planted kinds that need no translation model to see.
const MODEL_FREE: [&str; 5] = [
    "number_or_date_changed",
    "name_swapped",
    "sentence_added",
    "left_in_english",
    "clause_dropped",
];

fn report() -> &'static Report {
    static R: OnceLock<Report> = OnceLock::new();
    R.get_or_init(|| {
        let labels: Vec<&str> = FAITHFUL.iter().chain(&DRIFTED).copied().collect();
        common::apertium_report(&labels, "direct-view")
    })
}

#[derive(serde::Deserialize)]
struct Labels {
    change: Vec<Change>,
}
#[derive(serde::Deserialize)]
struct Change {
    kind: String,
    variant_id: usize,
}

#[test]
fn languages_without_an_engine_are_judged_directly_and_say_what_a_back_translation_adds() {
    for t in &report().translations {
        assert!(t.is_analysed(), "{}: {:?}", t.label, t.status);
        assert!(t.is_direct_only(), "{}: {:?}", t.label, t.views);
        assert_eq!(t.views_note(), "direct only");
        let missing = &t.not_run[0];
        assert_eq!(missing.view, View::BackTranslation);
        assert!(
            missing.fix.starts_with("driftlens models fetch ") || missing.fix.contains("apt-get"),
            "{}: {}",
            t.label,
            missing.fix
        );
        assert!(missing.adds.contains("negation"), "{}", missing.adds);
        // every pair carries its view, and the cross-lingual model ran (installed by
        // scripts/fetch-test-models)
        assert!(t.pairs.iter().all(|p| p.views == [View::Direct]));
        assert!(
            t.pairs.iter().filter(|p| p.cosine.is_some()).count() >= 30,
            "{}: the multilingual-e5-small vectors did not run (scripts/fetch-test-models installs the model)",
            t.label
        );
    }
    // the JSON says which view judged each reason
    let json = serde_json::to_value(report()).unwrap();
    let de = json["translations"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["label"] == "de.drift")
        .unwrap();
    assert_eq!(de["views"], serde_json::json!(["direct"]));
    assert_eq!(de["not_run"][0]["view"], "back_translation");
    let reason = de["pairs"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|p| p["reasons"].as_array().unwrap())
        .next()
        .expect("de.drift has reasons");
    assert_eq!(reason["view"], "direct");
}

#[test]
fn planted_changes_a_reader_can_see_are_flagged_and_faithful_translations_stay_quiet() {
    let report = report();
    let flagged = |label: &str| -> Vec<&analyze::PairReport> {
        report
            .translations
            .iter()
            .find(|t| t.label == label)
            .unwrap()
            .flagged()
            .collect()
    };
    println!(
        "\n{:<10} {:>8} {:>16} {:>10}",
        "file", "flagged", "planted found", "precision"
    );
    let mut found_all = 0;
    let mut total = 0;
    let mut missed = Vec::new();
    for label in DRIFTED {
        let labels: Labels = toml::from_str(
            &std::fs::read_to_string(corpus().join(format!("{label}.labels.toml"))).unwrap(),
        )
        .unwrap();
        let f = flagged(label);
        let planted: Vec<&Change> = labels
            .change
            .iter()
            .filter(|c| MODEL_FREE.contains(&c.kind.as_str()))
            .collect();
        let hit = |c: &Change| f.iter().any(|p| p.translation.contains(&c.variant_id));
        let found = planted.iter().filter(|c| hit(c)).count();
        missed.extend(
            planted
                .iter()
                .filter(|c| !hit(c))
                .map(|c| format!("{label} {} ({})", c.kind, c.variant_id)),
        );
        let true_flags = f
            .iter()
            .filter(|p| {
                labels
                    .change
                    .iter()
                    .any(|c| p.translation.contains(&c.variant_id))
            })
            .count();
        println!(
            "{label:<10} {:>8} {:>13}/{} {:>10.2}",
            f.len(),
            found,
            planted.len(),
            true_flags as f32 / f.len().max(1) as f32
        );
        found_all += found;
        total += planted.len();
        assert!(true_flags * 10 >= f.len() * 7, "{label}: precision");
    }
    for label in FAITHFUL {
        let f = flagged(label);
        println!("{label:<10} {:>8}   (faithful)", f.len());
        for p in &f {
            println!("    {:?} {}", p.original, p.reasons[0].message);
        }
        assert!(f.len() <= 5, "{label}: {} faithful pairs flagged", f.len());
    }
    println!("model-free planted changes flagged: {found_all}/{total}; missed {missed:?}");
    // Issue 17's bar: 18 of 20. Measured 18/20: a clause that leaves the sentence at its
    // usual length and similarity (de) and "a fortnight" read as "two months" (fr, no
    // digit on either side) are beyond this view. The sentence added at the end of zh is
    // found since the vectors split it off the bead the aligner joined it to.
    assert!(found_all >= 18, "{found_all}/{total}: missed {missed:?}");
}

/// A quotation whose "very" (or "absolutely") is gone, read in the translation itself with
/// `direct/degree.toml`: "sehr angespannt" → "etwas unruhig" (de), "очень агрессивной" →
/// "откровенно враждебной и воинственной" (ru), "非常咄咄逼人" → "赤裸裸的战争叫嚣" (zh),
/// "no, absolutely not" → "glatter Selbstmord" (de). Every pair it names is a planted
/// quotation change and flagged; no faithful translation gets it.
#[test]
fn a_quotation_whose_degree_is_gone_is_flagged_and_faithful_ones_are_left_alone() {
    let report = report();
    let mut named = Vec::new();
    for t in &report.translations {
        let labels: Option<Labels> = t.label.ends_with(".drift").then(|| {
            toml::from_str(
                &std::fs::read_to_string(corpus().join(format!("{}.labels.toml", t.label)))
                    .unwrap(),
            )
            .unwrap()
        });
        for p in &t.pairs {
            let Some(r) = p.reasons.iter().find(|r| r.kind == "quote_intensity") else {
                continue;
            };
            println!(
                "{} {:?} {:?}: {}",
                t.label, p.translation, p.level, r.message
            );
            let planted = labels.as_ref().is_some_and(|l| {
                l.change
                    .iter()
                    .any(|c| c.kind.starts_with("quote_") && p.translation.contains(&c.variant_id))
            });
            assert!(
                planted,
                "{}: {:?} is no planted quotation change",
                t.label, p.translation
            );
            assert!(
                p.level >= driftlens::drift::DriftLevel::Major,
                "{}: {:?}",
                t.label,
                p.level
            );
            assert_eq!(r.view, View::Direct);
            named.push(t.label.clone());
        }
    }
    // measured: de.drift twice, ru.drift and zh.drift once each
    assert!(named.len() >= 4, "{named:?}");
    for label in ["de.drift", "ru.drift", "zh.drift"] {
        assert!(named.iter().any(|n| n == label), "{label}: {named:?}");
    }
}
