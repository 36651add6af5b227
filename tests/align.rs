//! Sentence alignment on real text: the Text+Berg dev split (read in place from
//! ../shared/eval), the bundled article in 51 languages and its hand-checked gold beads.

use driftlens::align::eval::{self, BeadIds};
use driftlens::align::{
    self, align, align_sides, AlignOptions, Bead, PairSimilarity, Side, Signal, SimilarityFn,
    Unmatched,
};
use driftlens::bench::align::{self as bench, GoldDocument};
use driftlens::text;
use std::path::{Path, PathBuf};

fn eval_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/eval/text+berg-dev")
}

fn corpus() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("corpora/russia-china-alliance")
}

fn dev() -> GoldDocument {
    let dir = eval_dir();
    bench::load_document(
        &dir.join("dev.de"),
        &dir.join("dev.fr"),
        &dir.join("dev.defr"),
    )
    .expect("the Text+Berg dev split in ../shared/eval/text+berg-dev")
}

fn ids(beads: &[Bead]) -> Vec<BeadIds> {
    beads
        .iter()
        .map(|b| (b.original.clone(), b.translation.clone()))
        .collect()
}

/// Every sentence of both sides exactly once, in order.
fn assert_covers(beads: &[Bead], n: usize, m: usize) {
    let a: Vec<usize> = beads
        .iter()
        .flat_map(|b| b.original.iter().copied())
        .collect();
    let b: Vec<usize> = beads
        .iter()
        .flat_map(|b| b.translation.iter().copied())
        .collect();
    assert_eq!(a, (0..n).collect::<Vec<_>>());
    assert_eq!(b, (0..m).collect::<Vec<_>>());
    assert!(beads
        .iter()
        .all(|b| !b.original.is_empty() || !b.translation.is_empty()));
    assert!(beads.iter().all(|b| b.cost.is_finite()));
}

/// The first 60 German lines of the dev split and the French lines that translate them.
fn dev_prefix(d: &GoldDocument, beads: usize) -> (Vec<String>, Vec<String>, Vec<BeadIds>) {
    let gold: Vec<BeadIds> = d.gold[..beads].to_vec();
    let n = gold
        .iter()
        .flat_map(|b| b.0.iter())
        .max()
        .map(|x| x + 1)
        .unwrap_or(0);
    let m = gold
        .iter()
        .flat_map(|b| b.1.iter())
        .max()
        .map(|x| x + 1)
        .unwrap_or(0);
    (d.original[..n].to_vec(), d.translation[..m].to_vec(), gold)
}

#[test]
fn a_dropped_sentence_becomes_a_one_to_nothing_bead() {
    let d = dev();
    let (de, mut fr, gold) = dev_prefix(&d, 120);
    // Remove the French of a plain one-to-one bead in the middle, a sentence with a fact in
    // it (a number): what a reader must not lose. (With no model, a dropped sentence with
    // no numbers or names may instead be merged into a neighbouring bead.)
    let (k, (src, tgt)) = gold
        .iter()
        .enumerate()
        .skip(70)
        .find(|(_, (a, b))| {
            a.len() == 1
                && b.len() == 1
                && d.original[a[0]].len() > 60
                && d.original[a[0]].chars().any(|c| c.is_ascii_digit())
        })
        .unwrap();
    let (src, tgt) = (src[0], tgt[0]);
    fr.remove(tgt);
    let de_ref: Vec<&str> = de.iter().map(String::as_str).collect();
    let fr_ref: Vec<&str> = fr.iter().map(String::as_str).collect();
    let a = align(&de_ref, &fr_ref);
    assert_covers(&a.beads, de.len(), fr.len());
    let bead = a.beads.iter().find(|b| b.original.contains(&src)).unwrap();
    assert!(
        bead.is_dropped(),
        "gold bead {k}: German {src} should be dropped, got {bead:?}"
    );
    assert_eq!(bead.unmatched(), Some(Unmatched::DroppedInTranslation));
    assert_eq!(
        bead.unmatched().unwrap().to_string(),
        "dropped in translation"
    );
    // Its neighbours still pair with their own translations.
    let before = a
        .beads
        .iter()
        .find(|b| b.original.contains(&(src - 1)))
        .unwrap();
    assert!(!before.translation.is_empty());
}

#[test]
fn an_added_sentence_becomes_a_nothing_to_one_bead() {
    let d = dev();
    let (de, mut fr, _) = dev_prefix(&d, 120);
    let added = "La commission a en outre décidé , le 3 mars 1957 , de publier un index complet de tous les sommets de plus de 7000 m .";
    fr.insert(90, added.to_string());
    let de_ref: Vec<&str> = de.iter().map(String::as_str).collect();
    let fr_ref: Vec<&str> = fr.iter().map(String::as_str).collect();
    let a = align(&de_ref, &fr_ref);
    assert_covers(&a.beads, de.len(), fr.len());
    let bead = a
        .beads
        .iter()
        .find(|b| b.translation.contains(&90))
        .unwrap();
    assert!(bead.is_added(), "{bead:?}");
    assert_eq!(
        bead.unmatched().unwrap().to_string(),
        "added in translation"
    );
}

#[test]
fn a_split_sentence_becomes_a_one_to_two_bead() {
    let d = dev();
    let (de, fr, gold) = dev_prefix(&d, 120);
    // Split a long French sentence of a one-to-one bead at its middle comma.
    let (src, tgt) = gold
        .iter()
        .skip(60)
        .filter(|(a, b)| a.len() == 1 && b.len() == 1)
        .map(|(a, b)| (a[0], b[0]))
        .find(|&(_, t)| fr[t].len() > 150 && fr[t].contains(" , "))
        .unwrap();
    let sentence = &fr[tgt];
    let commas: Vec<usize> = sentence.match_indices(" , ").map(|(i, _)| i).collect();
    let cut = *commas
        .iter()
        .min_by_key(|&&i| i.abs_diff(sentence.len() / 2))
        .unwrap();
    let (first, second) = (
        format!("{} .", &sentence[..cut]),
        sentence[cut + 3..].to_string(),
    );
    let mut split = fr.clone();
    split.splice(tgt..=tgt, [first, second]);
    let de_ref: Vec<&str> = de.iter().map(String::as_str).collect();
    let fr_ref: Vec<&str> = split.iter().map(String::as_str).collect();
    let a = align(&de_ref, &fr_ref);
    assert_covers(&a.beads, de.len(), split.len());
    let bead = a.beads.iter().find(|b| b.original.contains(&src)).unwrap();
    assert_eq!(
        (bead.original.clone(), bead.translation.clone()),
        (vec![src], vec![tgt, tgt + 1]),
        "German {src}: {:?}",
        de[src]
    );
}

#[test]
fn bench_on_text_berg_dev_beats_the_bar_and_gale_church() {
    let docs = bench::load_dir(&eval_dir()).expect("the Text+Berg dev split");
    let report = bench::evaluate("text+berg-dev", &docs);
    let (ours, gc) = (report.driftlens, report.gale_church);
    eprintln!("driftlens {ours:?}\ngale-church {gc:?}\n{}", report.signals);
    assert!(
        ours.strict.f1 >= 0.90,
        "strict F1 {:.3} below 0.90",
        ours.strict.f1
    );
    assert!(
        ours.strict.f1 >= gc.strict.f1 + 0.10,
        "strict F1 {:.3} not 10 points above Gale-Church's {:.3}",
        ours.strict.f1,
        gc.strict.f1
    );
    assert!(
        ours.lax.f1 >= gc.lax.f1,
        "lax F1 {:.3} below Gale-Church's {:.3}",
        ours.lax.f1,
        gc.lax.f1
    );
    assert!(report.signals.ends_with("(no model)"), "{}", report.signals);
    assert!(report.signals.contains("numbers"), "{}", report.signals);
    // The JSON the issue asks for.
    let json: serde_json::Value = serde_json::from_str(&bench::render_json(&report)).unwrap();
    for who in ["driftlens", "gale_church"] {
        for kind in ["strict", "lax"] {
            for x in ["p", "r", "f1"] {
                assert!(json[who][kind][x].is_f64(), "{who}.{kind}.{x} in {json}");
            }
        }
    }
}

#[test]
fn bench_command_takes_one_document_and_explains_bad_input() {
    let dir = eval_dir();
    let args = bench::BenchAlignArgs {
        src: Some(dir.join("dev.de")),
        tgt: Some(dir.join("dev.fr")),
        gold: Some(dir.join("dev.defr")),
        no_model: true,
        ..Default::default()
    };
    let out = bench::run(&args).unwrap();
    assert!(
        out.contains("driftlens") && out.contains("Gale-Church") && out.contains("(no model)"),
        "{out}"
    );
    // A gold file for other texts names itself and the text.
    let tmp = tempfile::tempdir().unwrap();
    let short = tmp.path().join("short.de");
    std::fs::write(&short, "Ein Satz .\n").unwrap();
    let args = bench::BenchAlignArgs {
        src: Some(short.clone()),
        tgt: Some(dir.join("dev.fr")),
        gold: Some(dir.join("dev.defr")),
        ..Default::default()
    };
    let e = bench::run(&args).unwrap_err().to_string();
    assert!(e.contains("dev.defr") && e.contains("short.de"), "{e}");
    // A folder without documents says what it expects.
    let e = bench::run(&bench::BenchAlignArgs {
        dir: Some(tmp.path().to_path_buf()),
        ..Default::default()
    })
    .unwrap_err()
    .to_string();
    assert!(e.contains("NAME.xxyy"), "{e}");
}

#[test]
fn coarse_to_fine_search_finds_what_the_full_search_finds() {
    let d = dev();
    let a: Vec<&str> = d.original.iter().map(String::as_str).collect();
    let b: Vec<&str> = d.translation.iter().map(String::as_str).collect();
    let full = align_sides(&Side::lines(&a), &Side::lines(&b), None);
    let banded = align::align_sides_with(
        &Side::lines(&a),
        &Side::lines(&b),
        None,
        &AlignOptions {
            full_search_cells: 0,
        },
    );
    assert_covers(&banded.beads, a.len(), b.len());
    let f = eval::score([(&d.gold[..], &ids(&full.beads)[..])])
        .strict
        .f1;
    let g = eval::score([(&d.gold[..], &ids(&banded.beads)[..])])
        .strict
        .f1;
    assert!(
        (f - g).abs() < 0.01,
        "full search {f:.3}, coarse to fine {g:.3}"
    );
}

#[test]
fn a_similarity_from_a_model_joins_the_evidence_and_is_named() {
    // A similarity that knows the gold pairs on the dev split, as a good embedding would:
    // every gold bead a random direction, each of its sentences that direction plus noise.
    let d = dev();
    let mut seed = 0x2545_f491_4f6c_dd1du64;
    let mut random = move || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        (seed % 2001) as f32 / 1000.0 - 1.0
    };
    let mut direction = || (0..32).map(|_| random()).collect::<Vec<f32>>();
    let (mut va, mut vb) = (
        vec![Vec::new(); d.original.len()],
        vec![Vec::new(); d.translation.len()],
    );
    for (a, b) in &d.gold {
        let u = direction();
        for (ids, vectors) in [(a, &mut va), (b, &mut vb)] {
            for &i in ids {
                let noise = direction();
                vectors[i] = u.iter().zip(&noise).map(|(x, n)| x + 0.6 * n).collect();
            }
        }
    }
    for v in va.iter_mut().chain(vb.iter_mut()) {
        if v.is_empty() {
            *v = direction();
        }
    }
    let vectors = driftlens::align::VectorSimilarity::new("vectors", &va, &vb).unwrap();
    let sim = SimilarityFn {
        name: "embedding similarity",
        f: |o: std::ops::Range<usize>, t: std::ops::Range<usize>| vectors.similarity(o, t),
    };
    let a: Vec<&str> = d.original.iter().map(String::as_str).collect();
    let b: Vec<&str> = d.translation.iter().map(String::as_str).collect();
    let with = align_sides(
        &Side::lines(&a),
        &Side::lines(&b),
        Some(&sim as &dyn PairSimilarity),
    );
    assert!(with.used_a_model());
    assert!(with
        .signals_used
        .contains(&Signal::Similarity("embedding similarity")));
    assert!(!with.signals().contains("no model"), "{}", with.signals());
    let without = align(&a, &b);
    let f_with = eval::score([(&d.gold[..], &ids(&with.beads)[..])]).lax.f1;
    let f_without = eval::score([(&d.gold[..], &ids(&without.beads)[..])])
        .lax
        .f1;
    assert!(
        f_with >= f_without,
        "lax F1 with the similarity {f_with:.3}, without {f_without:.3}"
    );
}

struct Segmented {
    doc: text::Document,
    seg: text::Segmented,
}

fn segment(name: &str, lang: &str) -> Segmented {
    let doc = text::load(&corpus().join(name)).unwrap();
    let seg = text::segment(&doc, Some(lang)).unwrap();
    Segmented { doc, seg }
}

#[test]
fn the_article_aligns_with_all_fifty_translations() {
    let en = segment("en.md", "en");
    let original = Side::segmented(&en.doc, &en.seg);
    let mut files: Vec<PathBuf> = std::fs::read_dir(corpus())
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    files.sort();
    let mut count = 0;
    for f in files {
        let name = f.file_name().unwrap().to_string_lossy().to_string();
        let Some(code) = name.strip_suffix(".md") else {
            continue;
        };
        if code.contains('.') || code == "en" || code == "README" {
            continue;
        }
        let tr = segment(&name, code);
        let translation = Side::segmented(&tr.doc, &tr.seg);
        let a = align_sides(&original, &translation, None);
        assert_covers(
            &a.beads,
            original.sentences.len(),
            translation.sentences.len(),
        );
        // Complete translations: every paragraph anchors, and nearly every English sentence
        // finds a counterpart.
        assert!(
            a.signals_used.contains(&Signal::ParagraphAnchors),
            "{code}: {}",
            a.signals()
        );
        let dropped = a.beads.iter().filter(|b| b.is_dropped()).count();
        assert!(
            dropped <= 2,
            "{code}: {dropped} English sentences without a counterpart"
        );
        count += 1;
    }
    assert_eq!(count, 50);
}

#[test]
fn hand_checked_corpus_beads_are_recovered() {
    let (found, total, report) = corpus_gold_beads(None);
    let share = found as f64 / total as f64;
    eprintln!(
        "gold beads recovered: {found}/{total} = {:.1} % ({})",
        100.0 * share,
        report.join(", ")
    );
    assert!(
        share >= 0.98,
        "{found}/{total} gold beads recovered: {}",
        report.join(", ")
    );
}

/// The same with multilingual-e5-small's vectors (scripts/fetch-test-models): all 807
/// hand-checked beads (model-free 798). The added sentences of the fr, gl, ru and zh drift
/// variants, which the search merges into a neighbour, are split off after it
/// (`align::strays`; 794 before). Thai's 2-2, 3-4 and 2-4 beads, whose sentences the
/// segmenter cut a phrase late or early, are joined after it (`align::recut`; 802 before).
/// The vectors are kept in the on-disk cache, so a second run embeds nothing (4 s); the
/// first embeds about 1,000 sentences. It runs in CI like every test that needs a model.
#[test]
fn hand_checked_corpus_beads_are_recovered_with_the_model() {
    let _heavy = heavy();
    use driftlens::embed::{model_dir, EmbeddingCache, MultilingualEmbedder, MULTILINGUAL_MODEL};
    let e5 = MultilingualEmbedder::load(&model_dir(MULTILINGUAL_MODEL)).unwrap_or_else(|e| {
        panic!("{MULTILINGUAL_MODEL} is needed for this test (scripts/fetch-test-models): {e}")
    });
    let mut cache = EmbeddingCache::for_embedder(&e5).unwrap();
    let mut embed = |sentences: &[&str]| cache.embed_all(&e5, sentences, 256, |_, _| {}).unwrap();
    let (found, total, report) = corpus_gold_beads(Some(&mut embed));
    eprintln!(
        "with the model: {found}/{total} gold beads ({})",
        report.join(", ")
    );
    assert!(
        found == total,
        "with the model, {found}/{total} gold beads recovered: {}",
        report.join(", ")
    );
    // every added sentence of the drift variants stands alone
    for line in report.iter().filter(|l| l.contains(".drift")) {
        assert!(!line.contains("missed"), "with the model: {line}");
    }
}

/// Sentence vectors of a list of sentences.
type Embed<'a> = &'a mut dyn FnMut(&[&str]) -> Vec<Vec<f32>>;

/// Aligns the article with every translation that has hand-checked beads (with sentence
/// vectors where `embed` is given); returns the gold beads found, all gold beads, and a
/// line per translation.
fn corpus_gold_beads(mut embed: Option<Embed>) -> (usize, usize, Vec<String>) {
    let gold_dir = corpus().join("gold");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&gold_dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "beads"))
        .collect();
    files.sort();
    assert!(!files.is_empty());
    let en = segment("en.md", "en");
    let original = Side::segmented(&en.doc, &en.seg);
    let (mut found, mut total) = (0, 0);
    let mut report = Vec::new();
    for f in files {
        let name = f.file_stem().unwrap().to_string_lossy().to_string(); // "de" or "de.drift"
        let code = name.split('.').next().unwrap();
        let gold = eval::parse_beads(&std::fs::read_to_string(&f).unwrap(), &f).unwrap();
        let tr = segment(&format!("{name}.md"), code);
        let translation = Side::segmented(&tr.doc, &tr.seg);
        let a = match embed.as_mut() {
            Some(embed) => {
                let (va, vb) = (embed(&original.sentences), embed(&translation.sentences));
                let a = driftlens::embed::align_with_given_vectors(
                    &original,
                    &translation,
                    &va,
                    &vb,
                    Some(&mut |texts: &[&str]| Some(embed(texts))),
                );
                assert!(a.used_a_model(), "{name}: {}", a.signals());
                a
            }
            None => align_sides(&original, &translation, None),
        };
        let got = ids(&a.beads);
        let missed: Vec<&BeadIds> = gold.iter().filter(|g| !got.contains(g)).collect();
        let hits = gold.len() - missed.len();
        report.push(if missed.is_empty() {
            format!("{name} {hits}/{}", gold.len())
        } else {
            format!("{name} {hits}/{} (missed {missed:?})", gold.len())
        });
        found += hits;
        total += gold.len();
    }
    (found, total, report)
}

/// The tests that hold a model's hundreds of MiB and the one that measures its own peak
/// memory take turns: tests run side by side in one process, whose peak is one number.
fn heavy() -> std::sync::MutexGuard<'static, ()> {
    static HEAVY: std::sync::Mutex<()> = std::sync::Mutex::new(());
    HEAVY.lock().unwrap_or_else(|e| e.into_inner())
}

/// Prints the figures of the issue's speed bar; run it alone for clean ones:
/// `cargo test --test align ten_thousand -- --nocapture`. (The CPU time is the whole
/// process's, so other tests running beside it count too.)
#[test]
fn ten_thousand_sentences_align_in_linear_memory() {
    let _heavy = heavy();
    let d = dev();
    // The dev split repeated bead by bead until the original has 10,000 sentences.
    let (mut de, mut fr, mut gold) = (Vec::new(), Vec::new(), Vec::new());
    'outer: loop {
        for (a, b) in &d.gold {
            if de.len() + a.len() > 10_000 {
                break 'outer;
            }
            let (n0, m0) = (de.len(), fr.len());
            gold.push((
                (n0..n0 + a.len()).collect::<Vec<_>>(),
                (m0..m0 + b.len()).collect::<Vec<_>>(),
            ));
            de.extend(a.iter().map(|&i| d.original[i].as_str()));
            fr.extend(b.iter().map(|&j| d.translation[j].as_str()));
        }
    }
    // The peak so far is another test's (a model loaded and dropped): start it afresh at
    // the present size (Linux: 5 in clear_refs resets VmHWM).
    let _ = std::fs::write("/proc/self/clear_refs", "5");
    let rss_before = driftlens::bench::text::status_kib("VmRSS");
    let cpu_before = cpu_seconds();
    let t = std::time::Instant::now();
    let a = align(&de, &fr);
    let secs = t.elapsed().as_secs_f64();
    let cpu = cpu_seconds() - cpu_before;
    let hwm = driftlens::bench::text::status_kib("VmHWM");
    assert_covers(&a.beads, de.len(), fr.len());
    let s = eval::score([(&gold[..], &ids(&a.beads)[..])]);
    println!(
        "{} x {} sentences aligned in {secs:.2} s ({cpu:.2} s of CPU time on {} threads); peak RSS {} MiB (RSS before {} MiB); strict F1 {:.3}, lax F1 {:.3}; {}",
        de.len(),
        fr.len(),
        std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1),
        hwm / 1024,
        rss_before / 1024,
        s.strict.f1,
        s.lax.f1,
        a.signals()
    );
    // What a user would notice: long documents align as well as short ones, and memory
    // stays that of the sentences (a quadratic grid of 10,000 x 11,800 cells would take
    // gigabytes).
    assert!(
        s.strict.f1 >= 0.88,
        "strict F1 {:.3} on 10,000 sentences",
        s.strict.f1
    );
    assert!(
        hwm.saturating_sub(rss_before) < 512 * 1024,
        "peak RSS grew by {} MiB",
        hwm.saturating_sub(rss_before) / 1024
    );
}

/// User and system CPU time of this process so far, from /proc/self/stat (0 where unknown).
fn cpu_seconds() -> f64 {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    // Fields after the command name (which is in parentheses): utime and stime are the
    // 12th and 13th, in clock ticks (100 a second on Linux).
    let rest = stat.rsplit_once(')').map(|(_, r)| r).unwrap_or("");
    let f: Vec<&str> = rest.split_whitespace().collect();
    let tick = |k: usize| f.get(k).and_then(|x| x.parse::<f64>().ok()).unwrap_or(0.0);
    (tick(11) + tick(12)) / 100.0
}

/// The chapters' scores (all chapters together), the book's, and the book's size.
type BookScores = (eval::Scores, eval::Scores, (usize, usize));
/// Vectors of the dev split's German and French sentences.
type DevVectors<'a> = (&'a [Vec<f32>], &'a [Vec<f32>]);

/// A chapter of a book: a run of the dev split's gold beads (ids of the dev split).
struct Chapter {
    original: Vec<usize>,
    translation: Vec<usize>,
    gold: Vec<BeadIds>,
}

/// The dev split cut into chapters of unequal length (3 to 160 beads), four times with
/// different cuts, the chapters of each cut in a shuffled order: a book of 1,872 German and
/// 2,216 French sentences whose chapters jump from one part of the text to another.
fn chapters(d: &GoldDocument) -> Vec<Chapter> {
    let mut out = Vec::new();
    for (round, sizes) in [
        [12usize, 90, 35, 160, 3, 100, 22],
        [160, 7, 60, 40, 120, 15, 30],
        [25, 25, 150, 80, 10, 70, 62],
        [100, 100, 5, 45, 130, 20, 22],
    ]
    .iter()
    .enumerate()
    {
        let mut cut = Vec::new();
        let mut at = 0;
        for &n in sizes.iter().cycle() {
            if at >= d.gold.len() {
                break;
            }
            let beads = &d.gold[at..(at + n).min(d.gold.len())];
            at += beads.len();
            let original: Vec<usize> = beads.iter().flat_map(|b| b.0.clone()).collect();
            let translation: Vec<usize> = beads.iter().flat_map(|b| b.1.clone()).collect();
            let local = |ids: &[usize], all: &[usize]| -> Vec<usize> {
                ids.iter()
                    .map(|i| all.iter().position(|x| x == i).unwrap())
                    .collect()
            };
            let gold = beads
                .iter()
                .map(|b| (local(&b.0, &original), local(&b.1, &translation)))
                .collect();
            cut.push(Chapter {
                original,
                translation,
                gold,
            });
        }
        // A fixed shuffle per round: every third chapter first, then the rest reversed.
        let (first, rest): (Vec<_>, Vec<_>) = cut
            .into_iter()
            .enumerate()
            .partition(|(k, _)| (k + round) % 3 == 0);
        out.extend(first.into_iter().map(|(_, c)| c));
        out.extend(rest.into_iter().rev().map(|(_, c)| c));
    }
    out
}

/// Aligns the book whole and every chapter alone (with the dev split's vectors where
/// given); returns the chapters' scores (all chapters together), the book's, and the
/// book's size.
fn book_against_chapters(d: &GoldDocument, vectors: Option<DevVectors>) -> BookScores {
    let chapters = chapters(d);
    let aligned = |original: &[usize], translation: &[usize]| -> Vec<BeadIds> {
        let a: Vec<&str> = original.iter().map(|&i| d.original[i].as_str()).collect();
        let b: Vec<&str> = translation
            .iter()
            .map(|&j| d.translation[j].as_str())
            .collect();
        let alignment = match vectors {
            Some((va, vb)) => {
                let va: Vec<Vec<f32>> = original.iter().map(|&i| va[i].clone()).collect();
                let vb: Vec<Vec<f32>> = translation.iter().map(|&j| vb[j].clone()).collect();
                let out = driftlens::embed::align_with_given_vectors(
                    &Side::lines(&a),
                    &Side::lines(&b),
                    &va,
                    &vb,
                    None,
                );
                // A chapter of a few sentences is too short to fit the similarity's
                // rates, and aligns without it; the book must use it.
                assert!(
                    out.used_a_model() || a.len() < 40,
                    "{} sentences: {}",
                    a.len(),
                    out.signals()
                );
                out
            }
            None => align(&a, &b),
        };
        assert_covers(&alignment.beads, a.len(), b.len());
        ids(&alignment.beads)
    };
    let per_chapter: Vec<Vec<BeadIds>> = chapters
        .iter()
        .map(|c| aligned(&c.original, &c.translation))
        .collect();
    let chapter_scores = eval::score(
        chapters
            .iter()
            .zip(&per_chapter)
            .map(|(c, got)| (&c.gold[..], &got[..])),
    );
    let (mut original, mut translation, mut gold) = (Vec::new(), Vec::new(), Vec::new());
    for c in &chapters {
        let (n0, m0) = (original.len(), translation.len());
        gold.extend(c.gold.iter().map(|(a, b)| {
            (
                a.iter().map(|i| i + n0).collect::<Vec<_>>(),
                b.iter().map(|j| j + m0).collect::<Vec<_>>(),
            )
        }));
        original.extend(&c.original);
        translation.extend(&c.translation);
    }
    let book = aligned(&original, &translation);
    let book_scores = eval::score([(&gold[..], &book[..])]);
    (
        chapter_scores,
        book_scores,
        (original.len(), translation.len()),
    )
}

/// What a user would notice: a book (thousands of sentences, chapters of unequal length)
/// aligns as well as its chapters do one by one; the long input does not collapse.
fn assert_book_holds(chapters: eval::Scores, book: eval::Scores, size: (usize, usize), what: &str) {
    eprintln!(
        "{what}: book of {} x {} sentences strict F1 {:.4} lax {:.4}; chapters one by one strict {:.4} lax {:.4}",
        size.0, size.1, book.strict.f1, book.lax.f1, chapters.strict.f1, chapters.lax.f1
    );
    assert!(size.0 + size.1 >= 4000, "{size:?}");
    assert!(
        book.strict.f1 >= chapters.strict.f1 - 0.02 && book.lax.f1 >= chapters.lax.f1 - 0.015,
        "{what}: the book's F1 {:.4}/{:.4} (strict/lax) fell below its chapters' {:.4}/{:.4}",
        book.strict.f1,
        book.lax.f1,
        chapters.strict.f1,
        chapters.lax.f1
    );
}

#[test]
fn a_book_aligns_as_well_as_its_chapters() {
    let d = dev();
    let (chapters, book, size) = book_against_chapters(&d, None);
    assert_book_holds(chapters, book, size, "model-free");
}

/// The same with multilingual-e5-small's vectors (scripts/fetch-test-models).
#[test]
fn a_book_aligns_as_well_as_its_chapters_with_the_model() {
    let _heavy = heavy();
    use driftlens::embed::{model_dir, Embedder, MultilingualEmbedder, MULTILINGUAL_MODEL};
    let d = dev();
    let e5 = MultilingualEmbedder::load(&model_dir(MULTILINGUAL_MODEL)).unwrap_or_else(|e| {
        panic!("{MULTILINGUAL_MODEL} is needed for this test (scripts/fetch-test-models): {e}")
    });
    let a: Vec<&str> = d.original.iter().map(String::as_str).collect();
    let b: Vec<&str> = d.translation.iter().map(String::as_str).collect();
    let (va, vb) = (e5.embed(&a).unwrap(), e5.embed(&b).unwrap());
    let (chapters, book, size) = book_against_chapters(&d, Some((&va, &vb)));
    assert_book_holds(chapters, book, size, "with the model");
    // The whole dev split with the model: lax F1 (overlapping beads) at least the
    // model-free figure.
    let whole = driftlens::embed::align_with_given_vectors(
        &Side::lines(&a),
        &Side::lines(&b),
        &va,
        &vb,
        Some(&mut |texts: &[&str]| e5.embed(texts).ok()),
    );
    let s = eval::score([(&d.gold[..], &ids(&whole.beads)[..])]);
    eprintln!(
        "dev split with the model: strict F1 {:.4} lax {:.4}",
        s.strict.f1, s.lax.f1
    );
    shape_confusion(&d.gold, &ids(&whole.beads));
    // The issue's bar (Bertalign with LaBSE: 0.936 on the test split). 0.919 before a
    // bead boundary inside brackets had a price.
    assert!(
        s.strict.f1 >= 0.93,
        "dev split with the model: strict F1 {:.4} below 0.93",
        s.strict.f1
    );
}

/// Development aid: gold beads missed, by shape, and what was found in their place.
fn shape_confusion(gold: &[BeadIds], got: &[BeadIds]) {
    let mut missed = std::collections::BTreeMap::new();
    for g in gold {
        if !got.contains(g) {
            *missed.entry((g.0.len(), g.1.len())).or_insert(0) += 1;
        }
    }
    let mut wrong = std::collections::BTreeMap::new();
    for t in got {
        if !gold.contains(t) {
            *wrong.entry((t.0.len(), t.1.len())).or_insert(0) += 1;
        }
    }
    eprintln!("gold beads missed by shape {missed:?}; beads found not in gold {wrong:?}");
}
