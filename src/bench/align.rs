//! `driftlens bench align`: sentence alignment against gold beads, Driftlens side by side
//! with a plain Gale-Church baseline, scored as Vecalign and Bertalign score (see [`eval`]).
//!
//! Reads a folder of documents in the Bleualign / Vecalign layout — `NAME.xx` and `NAME.yy`
//! with one sentence a line, gold beads in `NAME.xxyy` as `[i, j]:[k]` — or one document
//! given as `--src FILE --tgt FILE --gold FILE`.
//!
//! With multilingual-e5-small on this machine its sentence vectors join Driftlens' evidence
//! (`--no-model` forces the model-free aligner); the output names which ran. The vectors
//! are kept in the embedding cache (`~/.cache/driftlens/embeddings`), so a second run
//! embeds nothing.

use crate::align::eval::{self, parse_beads, BeadIds, GoldError, Scores};
use crate::align::{align, gale_church, Side};
use crate::embed::{
    align_with_given_vectors, EmbedError, Embedder, EmbeddingCache, MULTILINGUAL_MODEL,
};
use serde_json::json;
use std::path::{Path, PathBuf};

/// What `driftlens bench align` was asked to do.
#[derive(Debug, Clone, Default)]
pub struct BenchAlignArgs {
    pub dir: Option<PathBuf>,
    pub src: Option<PathBuf>,
    pub tgt: Option<PathBuf>,
    pub gold: Option<PathBuf>,
    pub json: bool,
    /// The model-free aligner even where the embedding model is installed.
    pub no_model: bool,
}

/// Why the benchmark could not run; every message names the file and what to do.
#[derive(Debug, thiserror::Error)]
pub enum BenchError {
    #[error("cannot read {path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error(transparent)]
    Gold(#[from] GoldError),
    #[error("no documents in {dir}: expected NAME.xx and NAME.yy (one sentence a line) with gold beads in NAME.xxyy, e.g. dev.de, dev.fr, dev.defr")]
    NoDocuments { dir: PathBuf },
    #[error("{gold}: bead {bead} names sentence {id} of {side}, which has only {count} lines; is the gold file for these texts?")]
    IdOutOfRange {
        gold: PathBuf,
        bead: usize,
        side: PathBuf,
        id: usize,
        count: usize,
    },
    #[error("{0}")]
    Usage(String),
    #[error(transparent)]
    Model(#[from] EmbedError),
}

/// One document with its gold alignment.
#[derive(Debug, Clone)]
pub struct GoldDocument {
    pub name: String,
    pub original: Vec<String>,
    pub translation: Vec<String>,
    pub gold: Vec<BeadIds>,
}

/// Scores of both aligners over a set of documents.
#[derive(Debug, Clone)]
pub struct Report {
    pub source: String,
    pub documents: usize,
    pub original_sentences: usize,
    pub translated_sentences: usize,
    pub gold_beads: usize,
    pub driftlens: Scores,
    pub gale_church: Scores,
    /// The signals Driftlens used, e.g. "length, numbers (no model)" (of the first document
    /// when they differ).
    pub signals: String,
    pub driftlens_seconds: f64,
    /// The embedding model whose vectors joined the evidence; `None`: model-free.
    pub model: Option<String>,
    /// Seconds spent embedding the sentences (0 without a model).
    pub embedding_seconds: f64,
}

fn read(path: &Path) -> Result<String, BenchError> {
    std::fs::read_to_string(path).map_err(|source| BenchError::Io {
        path: path.to_path_buf(),
        source,
    })
}

/// Reads one document: two texts one sentence a line, and its gold beads.
pub fn load_document(src: &Path, tgt: &Path, gold: &Path) -> Result<GoldDocument, BenchError> {
    let original: Vec<String> = read(src)?.lines().map(str::to_string).collect();
    let translation: Vec<String> = read(tgt)?.lines().map(str::to_string).collect();
    let beads = parse_beads(&read(gold)?, gold)?;
    for (k, (a, b)) in beads.iter().enumerate() {
        for (ids, side, count) in [(a, src, original.len()), (b, tgt, translation.len())] {
            if let Some(&id) = ids.iter().find(|&&id| id >= count) {
                return Err(BenchError::IdOutOfRange {
                    gold: gold.to_path_buf(),
                    bead: k + 1,
                    side: side.to_path_buf(),
                    id,
                    count,
                });
            }
        }
    }
    let name = gold
        .file_stem()
        .map(|s| s.to_string_lossy().to_string())
        .unwrap_or_default();
    Ok(GoldDocument {
        name,
        original,
        translation,
        gold: beads,
    })
}

/// Every document of a folder in the Bleualign / Vecalign layout, by name.
pub fn load_dir(dir: &Path) -> Result<Vec<GoldDocument>, BenchError> {
    let entries = std::fs::read_dir(dir).map_err(|source| BenchError::Io {
        path: dir.to_path_buf(),
        source,
    })?;
    let mut golds: Vec<PathBuf> = entries
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| is_gold_name(p))
        .collect();
    golds.sort();
    let mut docs = Vec::new();
    for gold in golds {
        let ext = gold
            .extension()
            .and_then(|e| e.to_str())
            .unwrap_or_default()
            .to_string();
        let (xs, ys) = ext.split_at(2);
        let (src, tgt) = (gold.with_extension(xs), gold.with_extension(ys));
        if src.is_file() && tgt.is_file() {
            docs.push(load_document(&src, &tgt, &gold)?);
        }
    }
    if docs.is_empty() {
        return Err(BenchError::NoDocuments {
            dir: dir.to_path_buf(),
        });
    }
    Ok(docs)
}

/// `NAME.xxyy` with two two-letter language codes.
fn is_gold_name(p: &Path) -> bool {
    p.is_file()
        && p.extension()
            .and_then(|e| e.to_str())
            .map(|e| e.len() == 4 && e.chars().all(|c| c.is_ascii_lowercase()))
            .unwrap_or(false)
}

/// Aligns every document with both aligners and scores them, model-free.
pub fn evaluate(source: &str, docs: &[GoldDocument]) -> Report {
    evaluate_with(source, docs, None).expect("the model-free aligner does not fail")
}

/// [`evaluate`] with `embedder`'s sentence vectors joining Driftlens' evidence where given.
pub fn evaluate_with(
    source: &str,
    docs: &[GoldDocument],
    embedder: Option<(&str, &dyn Embedder)>,
) -> Result<Report, BenchError> {
    let mut ours = Vec::new();
    let mut baseline = Vec::new();
    let mut signals = String::new();
    let (mut seconds, mut embedding_seconds) = (0.0, 0.0);
    // Vectors kept on disk, so a second run embeds nothing; without a writable cache
    // folder every run embeds afresh.
    let mut cache = embedder.and_then(|(_, e)| EmbeddingCache::for_embedder(e).ok());
    for d in docs {
        let a: Vec<&str> = d.original.iter().map(String::as_str).collect();
        let b: Vec<&str> = d.translation.iter().map(String::as_str).collect();
        let vectors = match embedder {
            Some((_, e)) => {
                let t = std::time::Instant::now();
                let v = (
                    embed_cached(e, &mut cache, &a)?,
                    embed_cached(e, &mut cache, &b)?,
                );
                embedding_seconds += t.elapsed().as_secs_f64();
                Some(v)
            }
            None => None,
        };
        let t = std::time::Instant::now();
        let alignment = match &vectors {
            Some((va, vb)) => {
                let e = embedder.map(|(_, e)| e);
                let mut embed = |texts: &[&str]| embed_cached(e?, &mut cache, texts).ok();
                align_with_given_vectors(
                    &Side::lines(&a),
                    &Side::lines(&b),
                    va,
                    vb,
                    Some(&mut embed),
                )
            }
            None => align(&a, &b),
        };
        seconds += t.elapsed().as_secs_f64();
        if signals.is_empty() {
            signals = alignment.signals();
        }
        ours.push(
            alignment
                .beads
                .into_iter()
                .map(|b| (b.original, b.translation))
                .collect::<Vec<BeadIds>>(),
        );
        baseline.push(
            gale_church::align(&a, &b)
                .into_iter()
                .map(|b| (b.original, b.translation))
                .collect::<Vec<BeadIds>>(),
        );
    }
    let driftlens = eval::score(docs.iter().zip(&ours).map(|(d, t)| (&d.gold[..], &t[..])));
    let gale_church = eval::score(
        docs.iter()
            .zip(&baseline)
            .map(|(d, t)| (&d.gold[..], &t[..])),
    );
    Ok(Report {
        source: source.to_string(),
        documents: docs.len(),
        original_sentences: docs.iter().map(|d| d.original.len()).sum(),
        translated_sentences: docs.iter().map(|d| d.translation.len()).sum(),
        gold_beads: docs.iter().map(|d| d.gold.len()).sum(),
        driftlens,
        gale_church,
        signals,
        driftlens_seconds: seconds,
        model: embedder.map(|(name, _)| name.to_string()),
        embedding_seconds,
    })
}

/// `texts`' vectors, from the cache where there is one.
fn embed_cached(
    embedder: &dyn Embedder,
    cache: &mut Option<EmbeddingCache>,
    texts: &[&str],
) -> Result<Vec<Vec<f32>>, EmbedError> {
    match cache {
        Some(c) => c.embed_all(embedder, texts, 256, |_, _| {}),
        None => embedder.embed(texts),
    }
}

/// The cross-lingual embedder when it is installed (found through the model store);
/// `Ok(None)` when it is not, an error naming the file when it is there but damaged.
pub fn installed_embedder() -> Result<Option<crate::embed::MultilingualEmbedder>, BenchError> {
    use crate::models::{ModelStore, Presence};
    let store = ModelStore::from_env(None);
    let Ok(entry) = store.entry(MULTILINGUAL_MODEL) else {
        return Ok(None);
    };
    match store.locate(entry) {
        Presence::Present(found) => Ok(Some(crate::embed::MultilingualEmbedder::load(&found.dir)?)),
        _ => Ok(None),
    }
}

/// Where the public evaluation set sits beside the project.
pub fn default_dir() -> PathBuf {
    let here = PathBuf::from("../shared/eval/text+berg-dev");
    if here.is_dir() {
        return here;
    }
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/eval/text+berg-dev")
}

/// Runs `driftlens bench align` and returns what it prints.
pub fn run(args: &BenchAlignArgs) -> Result<String, BenchError> {
    let (source, docs) = match (&args.src, &args.tgt, &args.gold) {
        (Some(s), Some(t), Some(g)) => {
            if args.dir.is_some() {
                return Err(BenchError::Usage("give either a folder or --src/--tgt/--gold, not both".into()));
            }
            (format!("{} / {}", s.display(), t.display()), vec![load_document(s, t, g)?])
        }
        (None, None, None) => {
            let dir = args.dir.clone().unwrap_or_else(default_dir);
            let docs = load_dir(&dir)?;
            (dir.display().to_string(), docs)
        }
        _ => return Err(BenchError::Usage("--src, --tgt and --gold go together: the two texts (one sentence a line) and the gold beads ([i, j]:[k] a line)".into())),
    };
    let embedder = if args.no_model {
        None
    } else {
        installed_embedder()?
    };
    let report = evaluate_with(
        &source,
        &docs,
        embedder
            .as_ref()
            .map(|e| (MULTILINGUAL_MODEL, e as &dyn Embedder)),
    )?;
    Ok(if args.json {
        render_json(&report)
    } else {
        render_table(&report)
    })
}

/// `{"driftlens": {"strict": {"p","r","f1"}, "lax": {…}, "signals": …}, "gale_church": {…}}`.
pub fn render_json(r: &Report) -> String {
    let v = json!({
        "driftlens": {
            "strict": r.driftlens.strict,
            "lax": r.driftlens.lax,
            "signals": r.signals,
            "model": r.model,
            "aligner": if r.model.is_some() { "with model" } else { "model-free" },
        },
        "gale_church": {"strict": r.gale_church.strict, "lax": r.gale_church.lax},
    });
    serde_json::to_string_pretty(&v).unwrap_or_default()
}

pub fn render_table(r: &Report) -> String {
    let mut s = String::new();
    s.push_str(&format!(
        "Sentence alignment on {}: {} document(s), {} original and {} translated sentences, {} gold beads.\n",
        r.source, r.documents, r.original_sentences, r.translated_sentences, r.gold_beads
    ));
    s.push_str("Scored as Vecalign's score.py: strict = the same bead; lax = overlapping on both sides;\nprecision over all beads, recall over beads with both sides.\n\n");
    s.push_str(&format!(
        "{:<14} {:>9} {:>9} {:>9}   {:>6} {:>6} {:>6}\n",
        "", "strict P", "strict R", "strict F1", "lax P", "lax R", "lax F1"
    ));
    for (name, sc) in [("driftlens", r.driftlens), ("Gale-Church", r.gale_church)] {
        s.push_str(&format!(
            "{:<14} {:>9.3} {:>9.3} {:>9.3}   {:>6.3} {:>6.3} {:>6.3}\n",
            name, sc.strict.p, sc.strict.r, sc.strict.f1, sc.lax.p, sc.lax.r, sc.lax.f1
        ));
    }
    s.push_str(&format!(
        "\ndriftlens used: {} ({:.2} s)\n",
        r.signals, r.driftlens_seconds
    ));
    match &r.model {
        Some(m) => s.push_str(&format!(
            "model: {m} (embedding took {:.1} s; --no-model for the model-free aligner)\n",
            r.embedding_seconds
        )),
        None => s.push_str(&format!(
            "model: none, model-free ({MULTILINGUAL_MODEL} is used when installed: scripts/fetch-test-models)\n"
        )),
    }
    s.push_str("Gale-Church: character lengths only, c = 1, s² = 6.8, the 1993 priors.\n");
    s
}
