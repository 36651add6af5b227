//! Direct evidence on the bundled corpus: the planted number changes, name swaps and
//! English left untranslated of every drift variant are found with no engine, in every
//! script; the faithful translations' pairs stay (nearly) quiet.
//!
//! Pairs come from the hand-checked gold alignments (`corpora/…/gold/*.beads`); sentence
//! ids are those of `driftlens segment`. Run with `--nocapture` to see the tables.

use driftlens::align::eval::parse_beads;
use driftlens::direct::{compare, Context, DirectFindings, FindingKind, Summary};
use driftlens::text::{self, Segmented};
use std::path::{Path, PathBuf};

fn corpus() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("corpora/russia-china-alliance")
}

struct Doc {
    text: String,
    seg: Segmented,
}

fn load(file: &str, lang: &str) -> Doc {
    let doc = text::load(&corpus().join(file)).unwrap();
    let seg = text::segment(&doc, Some(lang)).unwrap();
    Doc {
        text: doc.text,
        seg,
    }
}

/// The byte range of a run of sentences (a bead's side).
fn range(doc: &Doc, ids: &[usize]) -> std::ops::Range<usize> {
    let first = &doc.seg.sentences[ids[0]];
    let last = &doc.seg.sentences[ids[ids.len() - 1]];
    first.start..last.end
}

/// Every gold bead of a translation with both sides, compared directly: (original ids,
/// translation ids, findings).
fn compare_gold(
    file: &str,
    gold: &str,
    lang: &str,
) -> Vec<(Vec<usize>, Vec<usize>, DirectFindings)> {
    let en = load("en.md", "en");
    let tr = load(file, lang);
    let path = corpus().join("gold").join(gold);
    let beads = parse_beads(&std::fs::read_to_string(&path).unwrap(), &path).unwrap();
    beads
        .into_iter()
        .filter(|(o, t)| !o.is_empty() && !t.is_empty())
        .map(|(o, t)| {
            let (or, tr_range) = (range(&en, &o), range(&tr, &t));
            let context = Context::for_sentence(or.clone(), &en.seg.quotes);
            let found = compare(&en.text[or], &tr.text[tr_range], lang, &context);
            (o, t, found)
        })
        .collect()
}

/// The finding kinds that answer a planted change's kind.
fn answers(planted: &str) -> &'static [FindingKind] {
    match planted {
        "number_or_date_changed" => &[
            FindingKind::NumberChanged,
            FindingKind::NumberMissing,
            FindingKind::NumberAdded,
        ],
        "name_swapped" => &[FindingKind::NameMissing],
        "left_in_english" => &[FindingKind::LeftInEnglish],
        _ => &[],
    }
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
fn planted_numbers_names_and_english_are_found_in_every_script() {
    let kinds = ["number_or_date_changed", "name_swapped", "left_in_english"];
    let mut missed = Vec::new();
    println!("\nplanted changes found by direct::compare (gold beads)");
    println!(
        "{:<4} {:>8} {:>8} {:>8}   findings on the planted pairs",
        "lang", "number", "name", "english"
    );
    for lang in ["de", "fr", "ru", "zh", "es", "ca", "gl", "eo"] {
        let file = format!("{lang}.drift.md");
        let pairs = compare_gold(&file, &format!("{lang}.drift.beads"), lang);
        let labels: Labels = toml::from_str(
            &std::fs::read_to_string(corpus().join(format!("{lang}.drift.labels.toml"))).unwrap(),
        )
        .unwrap();
        let mut cells = Vec::new();
        let mut notes = Vec::new();
        for kind in kinds {
            let (mut planted, mut found) = (0, 0);
            for c in labels.change.iter().filter(|c| c.kind == kind) {
                planted += 1;
                let pair = pairs.iter().find(|(_, t, _)| t.contains(&c.variant_id));
                let hit = pair.is_some_and(|(_, _, f)| {
                    f.findings.iter().any(|x| answers(kind).contains(&x.kind))
                });
                if let Some((_, _, f)) = pair {
                    notes.extend(f.findings.iter().map(|x| x.message.clone()));
                }
                if hit {
                    found += 1;
                } else {
                    missed.push(format!("{lang} {kind} (variant sentence {})", c.variant_id));
                }
            }
            cells.push(format!("{found}/{planted}"));
        }
        println!(
            "{lang:<4} {:>8} {:>8} {:>8}   {}",
            cells[0],
            cells[1],
            cells[2],
            notes.join("; ")
        );
    }
    println!("missed: {missed:?}");
    // One known miss: fr "a fortnight" → "deux mois" keeps the number 2 and changes the
    // unit (weeks → months), which a number reader cannot see.
    assert!(missed.len() <= 1, "planted changes not found: {missed:?}");
    assert!(
        missed.iter().all(|m| m.starts_with("fr number")),
        "{missed:?}"
    );
}

#[test]
fn faithful_translations_stay_quiet() {
    println!("\nfindings on the faithful translations (gold beads)");
    println!(
        "{:<4} {:>6} {:>10} {:>8}   by kind",
        "lang", "pairs", "with any", "total"
    );
    let mut all = Vec::new();
    for lang in ["ru", "zh", "ar", "hi", "th", "ja", "ko", "de", "fr", "es"] {
        let pairs = compare_gold(&format!("{lang}.md"), &format!("{lang}.beads"), lang);
        let summary = Summary::of(pairs.iter().map(|p| &p.2));
        let by_kind: Vec<String> = summary
            .by_kind
            .iter()
            .map(|(k, n)| format!("{} {n}", k.name()))
            .collect();
        println!(
            "{lang:<4} {:>6} {:>10} {:>8}   {}",
            summary.pairs,
            summary.pairs_with_findings,
            summary.total(),
            by_kind.join(", ")
        );
        for (o, t, f) in &pairs {
            for x in &f.findings {
                println!("     {lang} {o:?}→{t:?}: {}", x.message);
            }
        }
        // Thai's gold joins sentences into fewer beads (34).
        assert!(summary.pairs >= 30, "{lang}: only {} pairs", summary.pairs);
        all.push(summary);
    }
    let pairs: usize = all.iter().map(|s| s.pairs).sum();
    let alarms: usize = all.iter().map(|s| s.total()).sum();
    println!("false alarms: {alarms} over {pairs} faithful pairs");
    // A false alarm is rare: fewer than one pair in twenty-five.
    assert!(
        alarms * 25 < pairs,
        "{alarms} false alarms over {pairs} pairs"
    );
}
