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

/// Text this crate was not written on: how often a translation has no word of high degree
/// where its English source has an adverb of high degree, which is how often
/// `quote_intensity` would call out a faithful quotation if every sentence were one. Two
/// sets, read in place from ../shared/eval: the WMT21 critical-error dev sets (machine
/// translations of Wikipedia talk pages that annotators judged free of critical errors,
/// en → cs, de, ja, zh) and the FLORES human translations in DEMETR (the English sentence
/// and its translation into de, es, fr, hi, it, ja, pl, ru, zh). Measured: WMT21 8 of 86
/// (cs 1/21, de 0/16, ja 4/30, zh 3/19; words such as "moc", "vielen", "あまり" were added
/// to `degree.toml` after reading its train and dev examples, so this is not a blind
/// figure), FLORES 4 of 19 (blind but for the superlatives and "fortemente"): human
/// translators drop a "very" more often than machines ("It worked very fast" → "Es hat
/// schnell funktioniert"). The bound keeps these from growing.
#[test]
fn words_of_degree_cover_faithful_translations_of_held_out_text() {
    use driftlens::direct::degree::{english_high_degree, has_high_degree};
    let eval = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/eval");
    let mut wmt = (0, 0);
    for lang in ["cs", "de", "ja", "zh"] {
        let file = eval.join(format!("wmt21-ced/en{lang}_majority_dev.tsv"));
        let text =
            std::fs::read_to_string(&file).unwrap_or_else(|e| panic!("{}: {e}", file.display()));
        let (mut n, mut missed) = (0, 0);
        for line in text.lines() {
            // id, source, translation, annotations, label
            let cols: Vec<&str> = line.split('\t').collect();
            if cols.len() < 5 || cols[4] != "NOT" || english_high_degree(cols[1]).is_empty() {
                continue;
            }
            n += 1;
            if !has_high_degree(cols[2], lang).unwrap() {
                missed += 1;
            }
        }
        println!("WMT21 en-{lang}: {missed} of {n} without a word of degree");
        wmt = (wmt.0 + missed, wmt.1 + n);
    }
    let tags = [
        ("german", "de"),
        ("spanish", "es"),
        ("french", "fr"),
        ("hindi", "hi"),
        ("italian", "it"),
        ("japanese", "ja"),
        ("polish", "pl"),
        ("russian", "ru"),
        ("chinese_simple", "zh"),
    ];
    let mut seen = std::collections::HashSet::new();
    let mut flores = (0, 0);
    for entry in std::fs::read_dir(eval.join("demetr")).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_none_or(|e| e != "json") {
            continue;
        }
        let items: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
        for it in items.as_array().unwrap() {
            let (tag, english, translation) = (
                it["lang_tag"].as_str().unwrap_or(""),
                it["eng_sent"].as_str().unwrap_or(""),
                it["src_sent"].as_str().unwrap_or(""),
            );
            let Some(&(_, lang)) = tags.iter().find(|t| t.0 == tag) else {
                continue;
            };
            if english_high_degree(english).is_empty()
                || !seen.insert((tag.to_string(), english.to_string()))
            {
                continue;
            }
            flores.1 += 1;
            if !has_high_degree(translation, lang).unwrap() {
                flores.0 += 1;
                println!("FLORES {lang}: {english} | {translation}");
            }
        }
    }
    println!(
        "without a word of degree: WMT21 {} of {}, FLORES {} of {}",
        wmt.0, wmt.1, flores.0, flores.1
    );
    assert!(wmt.1 >= 80 && flores.1 >= 15, "{wmt:?} {flores:?}");
    assert!(wmt.0 * 10 <= wmt.1, "WMT21: {} of {}", wmt.0, wmt.1);
    assert!(
        flores.0 * 4 <= flores.1,
        "FLORES: {} of {}",
        flores.0,
        flores.1
    );
}
