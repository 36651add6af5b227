//! `driftlens bench drift DIR`: the drift score against DEMETR (Karpinska et al., EMNLP 2022),
//! read in place from its JSON files, with chrF, BLEU and plain MiniLM cosine as baselines
//! computed in the same run.
//!
//! Items with an even `id` are for fitting (`--fit` prints a new `calibration.toml`); figures
//! are reported on the odd ids (held out). Tasks:
//! - pairwise: for each perturbed sentence, does it show more drift against the reference
//!   than the faithful translation `mt_sent` does (strictly)?
//! - binary: drifted = critical and major perturbations; faithful = `mt_sent` and minor
//!   perturbations. ROC-AUC; recall of critical (and major) and the false-flag rate at the
//!   default threshold (a pair is flagged at level major or above). A baseline's threshold is
//!   set on the fitting half to the false-flag rate the shipped calibration targets.

use crate::drift::{Calibration, DriftScorer, Evidence, Pair, Thresholds, EVIDENCE_NAMES};
use crate::embed::{cosine, EmbeddingCache, SentenceEmbedder};
use serde::Deserialize;
use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::time::Instant;

/// False-flag rate the calibration aims for on the fitting half (the bar is 0.15 held out).
pub const TARGET_FALSE_FLAGS: f64 = 0.12;
/// Weight of the pairwise term against the binary one (0.5) when fitting.
const PAIRWISE_WEIGHT: f64 = 1.5;
/// Weight of an engine gap (a word the back-translation engine could not translate), not
/// fitted: DEMETR has none. Low, so that gaps alone do not flag a pair.
pub const ENGINE_GAP_WEIGHT: f32 = 0.4;
/// The embedding model the benchmark uses.
pub const MODEL: &str = "all-MiniLM-L6-v2";

#[derive(Debug, Deserialize)]
struct Row {
    id: u64,
    eng_sent: String,
    mt_sent: String,
    pert_sent: String,
    pert_check: bool,
    severity: String,
}

/// A DEMETR perturbation file.
struct TypeFile {
    name: String,
    severity: String,
    rows: Vec<Row>,
}

fn load(dir: &Path) -> Result<Vec<TypeFile>, String> {
    let mut paths: Vec<PathBuf> = std::fs::read_dir(dir)
        .map_err(|e| format!("cannot read the DEMETR folder {}: {e} (expected ../shared/eval/demetr with its *.json files)", dir.display()))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().map(|x| x == "json").unwrap_or(false))
        .collect();
    paths.sort();
    if paths.is_empty() {
        return Err(format!("{} holds no DEMETR *.json files", dir.display()));
    }
    let mut out = Vec::new();
    for p in paths {
        let text =
            std::fs::read_to_string(&p).map_err(|e| format!("cannot read {}: {e}", p.display()))?;
        let rows: Vec<Row> = serde_json::from_str(&text)
            .map_err(|e| format!("{} is not a DEMETR file: {e}", p.display()))?;
        let name = p
            .file_stem()
            .unwrap_or_default()
            .to_string_lossy()
            .to_string();
        let severity = rows.first().map(|r| r.severity.clone()).unwrap_or_default();
        out.push(TypeFile {
            name,
            severity,
            rows,
        });
    }
    Ok(out)
}

/// Scores of one system for one comparison.
#[derive(Clone, Copy, Default)]
struct Scores {
    driftlens: f32,
    chrf: f32,
    bleu: f32,
    minilm: f32,
}

const SYSTEMS: [&str; 4] = ["driftlens", "chrf", "bleu", "minilm"];

impl Scores {
    fn get(&self, sys: usize) -> f32 {
        [self.driftlens, self.chrf, self.bleu, self.minilm][sys]
    }
}

/// One compared pair: its id, evidence and scores.
struct Scored {
    id: u64,
    evidence: Evidence,
    scores: Scores,
}

/// ROC-AUC by ranks (ties count half).
pub fn roc_auc(pos: &[f32], neg: &[f32]) -> f64 {
    if pos.is_empty() || neg.is_empty() {
        return f64::NAN;
    }
    let mut all: Vec<(f32, bool)> = pos
        .iter()
        .map(|&s| (s, true))
        .chain(neg.iter().map(|&s| (s, false)))
        .collect();
    all.sort_by(|a, b| a.0.partial_cmp(&b.0).unwrap_or(std::cmp::Ordering::Equal));
    let mut rank_sum = 0.0f64;
    let mut i = 0;
    while i < all.len() {
        let mut j = i;
        while j < all.len() && all[j].0 == all[i].0 {
            j += 1;
        }
        let avg = (i + j + 1) as f64 / 2.0; // ranks i+1..=j
        rank_sum += avg * all[i..j].iter().filter(|x| x.1).count() as f64;
        i = j;
    }
    let (np, nn) = (pos.len() as f64, neg.len() as f64);
    (rank_sum - np * (np + 1.0) / 2.0) / (np * nn)
}

/// The score at which `rate` of `faithful` scores lie at or above it.
fn threshold_for_rate(faithful: &[f32], rate: f64) -> f32 {
    let mut v = faithful.to_vec();
    v.sort_by(|a, b| a.partial_cmp(b).unwrap_or(std::cmp::Ordering::Equal));
    if v.is_empty() {
        return 0.5;
    }
    let k = ((1.0 - rate) * v.len() as f64).ceil() as usize;
    let k = k.min(v.len() - 1);
    // strictly above the (1-rate) quantile
    let t = v[k];
    f32::from_bits(t.to_bits() + 1).max(t)
}

/// Everything the benchmark measured for one system on one half.
#[derive(Debug, Clone, serde::Serialize)]
pub struct SystemFigures {
    pub auc: f64,
    pub critical_recall: f64,
    pub major_recall: f64,
    pub false_flag_rate: f64,
    pub threshold: f32,
    pub pairwise: BTreeMap<String, f64>,
    pub per_type: BTreeMap<String, f64>,
    /// ROC-AUC of each drifted (critical or major) type against every faithful pair.
    pub per_type_auc: BTreeMap<String, f64>,
}

struct Half {
    /// (type index, scored) for perturbed sentences
    perts: Vec<(usize, Scored)>,
    /// id → faithful translation scored
    mt: HashMap<u64, Scored>,
}

fn evaluate(types: &[TypeFile], half: &Half, sys: usize, threshold: f32) -> SystemFigures {
    let mut pairwise_hits: BTreeMap<String, (usize, usize)> = BTreeMap::new();
    let mut per_type: BTreeMap<String, (usize, usize)> = BTreeMap::new();
    let (mut pos, mut neg, mut crit) = (Vec::new(), Vec::new(), Vec::new());
    let mut major = Vec::new();
    let mut by_type: BTreeMap<String, Vec<f32>> = BTreeMap::new();
    for (ti, s) in &half.perts {
        let t = &types[*ti];
        let Some(mt) = half.mt.get(&s.id) else {
            continue;
        };
        let more = s.scores.get(sys) > mt.scores.get(sys);
        // "reference as translation" should show LESS drift than the MT: counted as such.
        let good = if t.name.contains("reference") {
            s.scores.get(sys) < mt.scores.get(sys)
        } else {
            more
        };
        let e = per_type.entry(t.name.clone()).or_default();
        e.0 += good as usize;
        e.1 += 1;
        if matches!(t.severity.as_str(), "critical" | "major" | "minor") {
            let e = pairwise_hits.entry(t.severity.clone()).or_default();
            e.0 += more as usize;
            e.1 += 1;
        }
        if matches!(t.severity.as_str(), "critical" | "major") {
            by_type
                .entry(t.name.clone())
                .or_default()
                .push(s.scores.get(sys));
        }
        match t.severity.as_str() {
            "critical" => {
                pos.push(s.scores.get(sys));
                crit.push(s.scores.get(sys));
            }
            "major" => {
                pos.push(s.scores.get(sys));
                major.push(s.scores.get(sys));
            }
            "minor" => neg.push(s.scores.get(sys)),
            _ => {}
        }
    }
    neg.extend(half.mt.values().map(|m| m.scores.get(sys)));
    let rate =
        |v: &[f32]| v.iter().filter(|&&x| x >= threshold).count() as f64 / v.len().max(1) as f64;
    SystemFigures {
        auc: roc_auc(&pos, &neg),
        critical_recall: rate(&crit),
        major_recall: rate(&major),
        false_flag_rate: rate(&neg),
        threshold,
        pairwise: pairwise_hits
            .into_iter()
            .map(|(k, (a, n))| (k, a as f64 / n.max(1) as f64))
            .collect(),
        per_type: per_type
            .into_iter()
            .map(|(k, (a, n))| (k, a as f64 / n.max(1) as f64))
            .collect(),
        per_type_auc: by_type
            .into_iter()
            .map(|(k, v)| (k, roc_auc(&v, &neg)))
            .collect(),
    }
}

/// Options of `driftlens bench drift`.
#[derive(Debug, Clone)]
pub struct Options {
    pub dir: PathBuf,
    pub json: bool,
    /// Fit a new calibration on the even ids and print it as TOML (nothing else).
    pub fit: bool,
    /// The model folder (default: `$DRIFTLENS_MODELS/all-MiniLM-L6-v2` or
    /// `models/all-MiniLM-L6-v2`).
    pub model: Option<PathBuf>,
}

/// The figures of a run, as `--json` prints them.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Report {
    pub driftlens: SystemFigures,
    pub baselines: BTreeMap<String, SystemFigures>,
    pub split: String,
    /// DEMETR items (ids) in the held-out half this report covers.
    pub heldout_items: usize,
    pub pairs: usize,
    pub scoring_seconds_per_10k_pairs: f64,
    pub embedding: String,
}

/// Runs the benchmark on every DEMETR item; returns the report and the text to print.
pub fn run(opts: &Options) -> Result<(Report, String), String> {
    run_selected(opts, &|_| true)
}

/// A small deterministic sample of DEMETR: the items whose id ends in 05, 25, 45, 65, 85
/// (held out) or 00, 20, 40, 60, 80 (fitting half): 100 items, 50 held out, about 3,000
/// sentences to embed (under two minutes on two cores). For tests that must not wait half an
/// hour for the whole set to be embedded; the full figures come from [`run`].
pub fn sample(id: u64) -> bool {
    id % 20 == 0 || id % 20 == 5
}

/// Runs the benchmark on the items for which `keep(id)` holds (still fitted on their even ids
/// and reported on their odd ids).
pub fn run_selected(
    opts: &Options,
    keep: &dyn Fn(u64) -> bool,
) -> Result<(Report, String), String> {
    let mut types = load(&opts.dir)?;
    for t in &mut types {
        t.rows.retain(|r| keep(r.id));
    }
    if types.iter().all(|t| t.rows.is_empty()) {
        return Err(format!(
            "no DEMETR item of {} was selected",
            opts.dir.display()
        ));
    }
    let model_dir = opts
        .model
        .clone()
        .unwrap_or_else(|| crate::embed::model_dir(MODEL));
    let embedder = SentenceEmbedder::load(&model_dir).map_err(|e| e.to_string())?;
    let mut cache = EmbeddingCache::for_embedder(&embedder).map_err(|e| e.to_string())?;

    // every sentence of both halves, embedded once (and cached on disk)
    let mut texts: Vec<&str> = Vec::new();
    for t in &types {
        for r in &t.rows {
            texts.push(&r.eng_sent);
            texts.push(&r.mt_sent);
            if r.pert_check {
                texts.push(&r.pert_sent);
            }
        }
    }
    let mut unique: Vec<&str> = Vec::new();
    let mut seen = std::collections::HashSet::new();
    for t in texts {
        if seen.insert(t) {
            unique.push(t);
        }
    }
    let cache_path = cache.path().display().to_string();
    let started = Instant::now();
    let mut last = Instant::now();
    let vectors = cache
        .embed_all(&embedder, &unique, 512, |done, total| {
            if last.elapsed().as_secs() >= 5 || done == total {
                eprintln!(
                    "driftlens: embedded {done}/{total} new sentences ({:.0}/s) into {cache_path}",
                    done as f64 / started.elapsed().as_secs_f64()
                );
                last = Instant::now();
            }
        })
        .map_err(|e| e.to_string())?;
    let vec_of: HashMap<&str, &Vec<f32>> = unique.iter().copied().zip(vectors.iter()).collect();

    let scorer = crate::resources::scorer();
    let score_pair = |scorer: &DriftScorer, eng: &str, hyp: &str| -> (Evidence, f32) {
        let sim = cosine(vec_of[eng], vec_of[hyp]);
        let ev = scorer.evidence(&Pair::new(eng, hyp).with_similarity(sim));
        (ev, sim)
    };

    let mut halves = [
        Half {
            perts: Vec::new(),
            mt: HashMap::new(),
        },
        Half {
            perts: Vec::new(),
            mt: HashMap::new(),
        },
    ];
    let t0 = Instant::now();
    let mut n_pairs = 0usize;
    for (ti, t) in types.iter().enumerate() {
        for r in &t.rows {
            let h = &mut halves[(r.id % 2) as usize];
            if let std::collections::hash_map::Entry::Vacant(slot) = h.mt.entry(r.id) {
                let (ev, sim) = score_pair(&scorer, &r.eng_sent, &r.mt_sent);
                let scores = baseline_scores(&scorer, &ev, sim, &r.eng_sent, &r.mt_sent);
                slot.insert(Scored {
                    id: r.id,
                    evidence: ev,
                    scores,
                });
                n_pairs += 1;
            }
            if r.pert_check {
                let (ev, sim) = score_pair(&scorer, &r.eng_sent, &r.pert_sent);
                let scores = baseline_scores(&scorer, &ev, sim, &r.eng_sent, &r.pert_sent);
                h.perts.push((
                    ti,
                    Scored {
                        id: r.id,
                        evidence: ev,
                        scores,
                    },
                ));
                n_pairs += 1;
            }
        }
    }
    let all_seconds = t0.elapsed().as_secs_f64();
    show_firing(&types, &scorer);

    // time the drift score alone (evidence + score, embeddings given) on 10,000 pairs
    let sample: Vec<(&str, &str)> = types
        .iter()
        .flat_map(|t| {
            t.rows
                .iter()
                .filter(|r| r.pert_check)
                .map(|r| (r.eng_sent.as_str(), r.pert_sent.as_str()))
        })
        .take(10_000)
        .collect();
    let sims: Vec<f32> = sample
        .iter()
        .map(|(a, b)| cosine(vec_of[a], vec_of[b]))
        .collect();
    let t1 = Instant::now();
    let mut checksum = 0.0f32;
    for ((a, b), s) in sample.iter().zip(&sims) {
        checksum += scorer.score(&Pair::new(a, b).with_similarity(*s)).score.0;
    }
    let per_10k = t1.elapsed().as_secs_f64() * 10_000.0 / sample.len().max(1) as f64;
    std::hint::black_box(checksum);

    if opts.fit {
        let cal = fit(&types, &halves[0]);
        let toml = toml::to_string(&cal).map_err(|e| e.to_string())?;
        return Ok((report_of(&types, &halves, &scorer, n_pairs, per_10k), format!("# Drift-score calibration: weights of the evidence and the level thresholds.\n# Fitted on the even ids of DEMETR only; reported on the odd ids by `driftlens bench drift`.\n{toml}")));
    }
    let report = report_of(&types, &halves, &scorer, n_pairs, per_10k);
    let text = if opts.json {
        serde_json::to_string_pretty(&report).map_err(|e| e.to_string())?
    } else {
        table(&types, &report, all_seconds, n_pairs) + &evidence_table(&types, &halves[1])
    };
    Ok((report, text))
}

/// DRIFTLENS_BENCH_SHOW=<evidence>: prints held-out faithful translations on which that
/// check fires, with its reasons (to see what a check gets wrong).
fn show_firing(types: &[TypeFile], scorer: &DriftScorer) {
    if let Ok(name) = std::env::var("DRIFTLENS_BENCH_SHOW") {
        if let Some(k) = EVIDENCE_NAMES.iter().position(|n| *n == name) {
            let mut shown = 0;
            // the faithful translations are the same in every file: the first will do
            if let Some(t) = types.first() {
                for r in t.rows.iter().filter(|r| r.id % 2 == 1) {
                    let d = scorer.score(&Pair::new(&r.eng_sent, &r.mt_sent));
                    if d.evidence.to_vec()[k] > 0.0 && shown < 25 {
                        shown += 1;
                        eprintln!(
                            "REF  {}\nMT   {}\n     {:?}\n",
                            r.eng_sent,
                            r.mt_sent,
                            d.reasons
                                .iter()
                                .filter(|x| x.is_fact())
                                .map(|x| x.message())
                                .collect::<Vec<_>>()
                        );
                    }
                }
            }
        }
    }
}

fn baseline_scores(scorer: &DriftScorer, ev: &Evidence, sim: f32, eng: &str, hyp: &str) -> Scores {
    Scores {
        driftlens: scorer.score_evidence(ev),
        chrf: 1.0 - crate::drift::chrf(hyp, eng) as f32 / 100.0,
        bleu: 1.0 - crate::drift::sentence_bleu(hyp, eng) as f32 / 100.0,
        minilm: 1.0 - sim,
    }
}

fn report_of(
    types: &[TypeFile],
    halves: &[Half; 2],
    scorer: &DriftScorer,
    n_pairs: usize,
    per_10k: f64,
) -> Report {
    let (fit_half, held) = (&halves[0], &halves[1]);
    let mut baselines = BTreeMap::new();
    let mut driftlens = None;
    for (sys, name) in SYSTEMS.iter().enumerate() {
        let threshold = if sys == 0 {
            scorer.calibration.thresholds.major
        } else {
            let faithful: Vec<f32> = faithful_scores(types, fit_half, sys);
            threshold_for_rate(&faithful, TARGET_FALSE_FLAGS)
        };
        let figs = evaluate(types, held, sys, threshold);
        if sys == 0 {
            driftlens = Some(figs);
        } else {
            baselines.insert(name.to_string(), figs);
        }
    }
    Report {
        driftlens: driftlens.unwrap(),
        baselines,
        split: "heldout".into(),
        heldout_items: held.mt.len(),
        pairs: n_pairs,
        scoring_seconds_per_10k_pairs: per_10k,
        embedding: MODEL.into(),
    }
}

fn faithful_scores(types: &[TypeFile], half: &Half, sys: usize) -> Vec<f32> {
    let mut v: Vec<f32> = half.mt.values().map(|m| m.scores.get(sys)).collect();
    v.extend(
        half.perts
            .iter()
            .filter(|(ti, _)| types[*ti].severity == "minor")
            .map(|(_, s)| s.scores.get(sys)),
    );
    v
}

/// How often each check fires (evidence above 0) on the held-out faithful pairs, on the
/// drifted ones, and on the drifted type it fires on most: what each check is worth.
fn evidence_table(types: &[TypeFile], half: &Half) -> String {
    use std::fmt::Write;
    let fires = |evs: &[&Evidence], k: usize| {
        evs.iter().filter(|e| e.to_vec()[k] > 0.0).count() as f64 / evs.len().max(1) as f64
    };
    let mut faithful: Vec<&Evidence> = half.mt.values().map(|m| &m.evidence).collect();
    let mut drifted: Vec<&Evidence> = Vec::new();
    let mut by_type: BTreeMap<&str, Vec<&Evidence>> = BTreeMap::new();
    for (ti, sc) in &half.perts {
        match types[*ti].severity.as_str() {
            "minor" => faithful.push(&sc.evidence),
            "critical" | "major" => {
                drifted.push(&sc.evidence);
                by_type
                    .entry(&types[*ti].name)
                    .or_default()
                    .push(&sc.evidence);
            }
            _ => {}
        }
    }
    let mut s = String::new();
    let _ = writeln!(s, "\nHow often each check fires (held out): on faithful pairs, on drifted pairs, and on the drifted type it fires on most.");
    let _ = writeln!(
        s,
        "{:<26}{:>10}{:>10}   most on",
        "evidence", "faithful", "drifted"
    );
    for (k, name) in EVIDENCE_NAMES.iter().enumerate() {
        let best = by_type
            .iter()
            .map(|(t, v)| (fires(v, k), *t))
            .max_by(|a, b| a.0.partial_cmp(&b.0).unwrap_or(std::cmp::Ordering::Equal));
        let _ = writeln!(
            s,
            "{:<26}{:>10.3}{:>10.3}   {}",
            name,
            fires(&faithful, k),
            fires(&drifted, k),
            best.map(|(r, t)| format!("{t} {r:.3}")).unwrap_or_default()
        );
    }
    s
}

fn table(types: &[TypeFile], r: &Report, seconds: f64, n_pairs: usize) -> String {
    use std::fmt::Write;
    let mut s = String::new();
    let sys: Vec<(&str, &SystemFigures)> = std::iter::once(("driftlens", &r.driftlens))
        .chain(r.baselines.iter().map(|(k, v)| (k.as_str(), v)))
        .collect();
    let _ = writeln!(s, "DEMETR, held-out half (odd ids, {} items); fitted on even ids only. {n_pairs} pairs scored in {seconds:.1} s (both halves).", r.heldout_items);
    let _ = writeln!(s, "\nPairwise accuracy: perturbed sentence shows more drift than the faithful translation (reference: less);\nfor drifted types also `auc`: ROC-AUC of that type against every faithful pair (the binary task, type by type).");
    let _ = write!(s, "{:<40}", "perturbation");
    for (n, _) in &sys {
        let _ = write!(s, "{n:>10}");
    }
    let _ = write!(s, "{:>10}", "auc");
    let _ = writeln!(s);
    let mut names: Vec<&TypeFile> = types.iter().collect();
    let order = |sev: &str| match sev {
        "critical" => 0,
        "major" => 1,
        "minor" => 2,
        _ => 3,
    };
    names.sort_by_key(|t| (order(&t.severity), t.name.clone()));
    for t in names {
        let _ = write!(s, "{:<40}", t.name);
        for (_, f) in &sys {
            let _ = write!(
                s,
                "{:>10.3}",
                f.per_type.get(&t.name).copied().unwrap_or(f64::NAN)
            );
        }
        if let Some(a) = r.driftlens.per_type_auc.get(&t.name) {
            let _ = write!(s, "{a:>10.3}");
        }
        let _ = writeln!(s);
    }
    for sev in ["critical", "major", "minor"] {
        let _ = write!(s, "{:<40}", format!("ALL {sev}"));
        for (_, f) in &sys {
            let _ = write!(
                s,
                "{:>10.3}",
                f.pairwise.get(sev).copied().unwrap_or(f64::NAN)
            );
        }
        let _ = writeln!(s);
    }
    let _ = writeln!(s, "\nBinary task: drifted = critical + major perturbations; faithful = mt_sent + minor perturbations.");
    let _ = writeln!(
        s,
        "{:<12}{:>8}{:>12}{:>12}{:>14}{:>11}",
        "system", "AUC", "crit.recall", "major.recall", "false-flags", "threshold"
    );
    for (n, f) in &sys {
        let _ = writeln!(
            s,
            "{:<12}{:>8.3}{:>12.3}{:>12.3}{:>14.3}{:>11.3}",
            n, f.auc, f.critical_recall, f.major_recall, f.false_flag_rate, f.threshold
        );
    }
    let _ = writeln!(s, "(driftlens flags at its calibrated 'major' threshold; each baseline's threshold was set on the even ids to {TARGET_FALSE_FLAGS} false flags)");
    let _ = writeln!(
        s,
        "\nScoring speed (embeddings given): {:.3} s per 10,000 pairs.",
        r.scoring_seconds_per_10k_pairs
    );
    s
}

/// Fits the calibration on the fitting half: logistic regression on the evidence for the
/// binary task, plus a pairwise term (perturbed vs faithful of the same item) so that the score
/// also ranks a perturbation above its faithful translation; then the level thresholds at
/// fixed false-flag rates.
fn fit(types: &[TypeFile], half: &Half) -> Calibration {
    let d = EVIDENCE_NAMES.len();
    let mut xs: Vec<Vec<f64>> = Vec::new();
    let mut ys: Vec<f64> = Vec::new();
    let mut ws: Vec<f64> = Vec::new();
    let with_bias = |ev: &Evidence| -> Vec<f64> {
        std::iter::once(1.0)
            .chain(ev.to_vec().iter().map(|&x| x as f64))
            .collect()
    };
    let mut pos = Vec::new();
    let mut neg = Vec::new();
    for (ti, s) in &half.perts {
        match types[*ti].severity.as_str() {
            "critical" | "major" => pos.push(with_bias(&s.evidence)),
            "minor" => neg.push(with_bias(&s.evidence)),
            _ => {}
        }
    }
    for m in half.mt.values() {
        neg.push(with_bias(&m.evidence));
    }
    let (np, nn) = (pos.len() as f64, neg.len() as f64);
    for x in pos {
        xs.push(x);
        ys.push(1.0);
        ws.push(0.5 / np);
    }
    for x in neg {
        xs.push(x);
        ys.push(0.0);
        ws.push(0.5 / nn);
    }
    // pairwise: perturbed (critical/major) minus faithful, no bias
    let mut pw = Vec::new();
    for (ti, s) in &half.perts {
        if !matches!(types[*ti].severity.as_str(), "critical" | "major") {
            continue;
        }
        if let Some(m) = half.mt.get(&s.id) {
            let a = s.evidence.to_vec();
            let b = m.evidence.to_vec();
            pw.push(
                std::iter::once(0.0)
                    .chain(a.iter().zip(&b).map(|(x, y)| (x - y) as f64))
                    .collect::<Vec<f64>>(),
            );
        }
    }
    let npw = pw.len() as f64;
    for x in pw {
        xs.push(x);
        ys.push(1.0);
        ws.push(PAIRWISE_WEIGHT / npw);
    }
    // Every piece of evidence may only raise the score (a drifted sentence must never look
    // better for an extra finding): weights that come out negative are fixed at 0 and the
    // others refitted.
    let mut free = vec![true; d + 1];
    let beta = loop {
        let beta = logistic_irls(&xs, &ys, &ws, 1e-4, d + 1, &free);
        match (1..=d)
            .filter(|&i| free[i] && beta[i] < 0.0)
            .min_by(|&a, &b| {
                beta[a]
                    .partial_cmp(&beta[b])
                    .unwrap_or(std::cmp::Ordering::Equal)
            }) {
            Some(i) => free[i] = false,
            None => break beta,
        }
    };
    let mut weights = BTreeMap::new();
    for (i, name) in EVIDENCE_NAMES.iter().enumerate() {
        weights.insert(
            name.to_string(),
            (beta[i + 1] as f32 * 1000.0).round() / 1000.0,
        );
    }
    // DEMETR has no engine gaps: their weight is set by hand, low.
    weights.insert("engine_gap".to_string(), ENGINE_GAP_WEIGHT);
    let mut cal = Calibration {
        made_by: "driftlens bench drift ../shared/eval/demetr --fit > crates/core/src/drift/calibration.toml (DEMETR even ids; logistic regression, binary + pairwise)".into(),
        bias: (beta[0] as f32 * 1000.0).round() / 1000.0,
        weights,
        thresholds: Thresholds { minor: 0.0, major: 0.5, critical: 1.0 },
    };
    let scorer = crate::resources::with_wordnet(DriftScorer::new(cal.clone()));
    let mut faithful: Vec<f32> = half
        .mt
        .values()
        .map(|m| scorer.score_evidence(&m.evidence))
        .collect();
    faithful.extend(
        half.perts
            .iter()
            .filter(|(ti, _)| types[*ti].severity == "minor")
            .map(|(_, s)| scorer.score_evidence(&s.evidence)),
    );
    let round = |x: f32| (x * 10_000.0).round() / 10_000.0;
    cal.thresholds = Thresholds {
        minor: round(threshold_for_rate(&faithful, 0.40)),
        major: round(threshold_for_rate(&faithful, TARGET_FALSE_FLAGS)),
        // pairs with a broken fact are critical (see DriftScorer::score_evidence)
        critical: round(threshold_for_rate(&faithful, 0.03)).min(crate::drift::FACT_BAND),
    };
    cal
}

/// Weighted logistic regression by Newton's method (IRLS) with an L2 penalty `lambda` on all
/// but the first coefficient (the bias).
fn logistic_irls(
    xs: &[Vec<f64>],
    ys: &[f64],
    ws: &[f64],
    lambda: f64,
    d: usize,
    free: &[bool],
) -> Vec<f64> {
    let mut beta = vec![0.0f64; d];
    for _ in 0..50 {
        let mut grad = vec![0.0f64; d];
        let mut hess = vec![vec![0.0f64; d]; d];
        for ((x, &y), &w) in xs.iter().zip(ys).zip(ws) {
            let z: f64 = x.iter().zip(&beta).map(|(a, b)| a * b).sum();
            let p = 1.0 / (1.0 + (-z).exp());
            let r = w * (p - y);
            let h = w * p * (1.0 - p);
            for i in 0..d {
                if x[i] == 0.0 || !free[i] {
                    continue;
                }
                grad[i] += r * x[i];
                for j in 0..d {
                    if !free[j] {
                        continue;
                    }
                    hess[i][j] += h * x[i] * x[j];
                }
            }
        }
        for i in 1..d {
            grad[i] += lambda * beta[i];
            hess[i][i] += lambda;
            if !free[i] {
                hess[i][i] = 1.0;
                grad[i] = 0.0;
            }
        }
        hess[0][0] += 1e-9;
        let step = solve(hess, grad);
        let mut change = 0.0;
        for i in 0..d {
            beta[i] -= step[i];
            change += step[i].abs();
        }
        if change < 1e-8 {
            break;
        }
    }
    beta
}

/// Solves A x = b (A symmetric positive definite) by Gaussian elimination with pivoting.
fn solve(mut a: Vec<Vec<f64>>, mut b: Vec<f64>) -> Vec<f64> {
    let n = b.len();
    for c in 0..n {
        let p = (c..n)
            .max_by(|&i, &j| {
                a[i][c]
                    .abs()
                    .partial_cmp(&a[j][c].abs())
                    .unwrap_or(std::cmp::Ordering::Equal)
            })
            .unwrap();
        a.swap(c, p);
        b.swap(c, p);
        let piv = a[c][c];
        if piv.abs() < 1e-300 {
            continue;
        }
        for r in c + 1..n {
            let f = a[r][c] / piv;
            if f == 0.0 {
                continue;
            }
            // row r -= f × row c (c < r, so the pivot row lies in the first half)
            let (pivot_rows, rest) = a.split_at_mut(r);
            for (x, y) in rest[0][c..n].iter_mut().zip(&pivot_rows[c][c..n]) {
                *x -= f * y;
            }
            b[r] -= f * b[c];
        }
    }
    let mut x = vec![0.0; n];
    for c in (0..n).rev() {
        let s: f64 = (c + 1..n).map(|k| a[c][k] * x[k]).sum();
        x[c] = if a[c][c].abs() < 1e-300 {
            0.0
        } else {
            (b[c] - s) / a[c][c]
        };
    }
    x
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn auc_counts_ties_half() {
        assert_eq!(roc_auc(&[2.0, 3.0], &[1.0, 0.0]), 1.0);
        assert_eq!(roc_auc(&[1.0], &[1.0]), 0.5);
        assert_eq!(roc_auc(&[0.0], &[1.0]), 0.0);
    }

    #[test]
    fn irls_recovers_a_separating_direction() {
        let xs: Vec<Vec<f64>> = (0..200).map(|i| vec![1.0, (i as f64) / 100.0]).collect();
        let ys: Vec<f64> = (0..200).map(|i| if i >= 100 { 1.0 } else { 0.0 }).collect();
        let ws = vec![1.0 / 200.0; 200];
        let b = logistic_irls(&xs, &ys, &ws, 1e-3, 2, &[true, true]);
        assert!(b[1] > 1.0, "{b:?}");
    }
}
