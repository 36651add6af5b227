//! The whole pipeline for one article and its translations: load and segment, back-translate
//! (Marian where a model is present, else Apertium), align, score drift, judge quotations.
//! The command line and the workbench both call [`analyze`]; the result is a [`Report`],
//! which the `export` writers turn into JSON, CSV or HTML.

use crate::align::{self, Side};
use crate::drift::{DriftLevel, DriftReason, DriftScorer, Pair, Span};
use crate::embed::{Embedder, EmbeddingCache, MultilingualEmbedder, SentenceEmbedder};
use crate::text::{self, Document, Segmented};
use crate::translate::{
    self, Apertium, CachedTranslator, CancelFlag, TranslationCache, Translator,
};
use serde::Serialize;
use std::path::{Path, PathBuf};

mod direct_view;

/// Which engine back-translates.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EngineChoice {
    /// Marian when its model is present, else an installed Apertium pair.
    Auto,
    Marian,
    Apertium,
}

/// One translation to analyse.
#[derive(Debug, Clone)]
pub struct TranslationInput {
    /// ISO 639-1 code of the translation's language.
    pub lang: String,
    /// A label that tells versions of one language apart: `es`, `es.apertium`, `es.drift`.
    pub label: String,
    pub path: PathBuf,
}

/// What to analyse and how.
pub struct Request {
    pub original: PathBuf,
    pub original_lang: Option<String>,
    pub translations: Vec<TranslationInput>,
    pub engine: EngineChoice,
    /// Where models are looked for first (`--models DIR`).
    pub models_dir: Option<PathBuf>,
    /// Back-translation cache; `None` disables caching.
    pub cache: Option<TranslationCache>,
    pub cancel: CancelFlag,
}

/// Progress of the analysis, for progress bars and the workbench.
#[derive(Debug, Clone)]
pub enum Progress {
    Started {
        label: String,
        sentences: usize,
    },
    Stage {
        label: String,
        stage: &'static str,
    },
    Sentences {
        label: String,
        done: usize,
        total: usize,
    },
    Finished {
        label: String,
        analysed: bool,
    },
}

/// The analysis of an article and its translations. Serialises to the stable JSON format.
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    pub driftlens: String,
    pub original: OriginalReport,
    pub translations: Vec<TranslationReport>,
}

#[derive(Debug, Clone, Serialize)]
pub struct OriginalReport {
    pub path: PathBuf,
    pub lang: String,
    pub sentences: Vec<SentenceReport>,
    pub quotes: Vec<QuoteReport>,
}

#[derive(Debug, Clone, Serialize)]
pub struct SentenceReport {
    pub id: usize,
    pub text: String,
    pub start: usize,
    pub end: usize,
}

#[derive(Debug, Clone, Serialize)]
pub struct QuoteReport {
    pub id: usize,
    pub text: String,
    pub speaker: Option<String>,
    pub sentences: Vec<usize>,
}

#[derive(Debug, Clone, Serialize)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum TranslationStatus {
    Analysed,
    NotAnalysed { why: String, fix: String },
}

#[derive(Debug, Clone, Serialize)]
pub struct TranslationReport {
    pub lang: String,
    pub label: String,
    pub path: PathBuf,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub engine: Option<String>,
    #[serde(flatten)]
    pub status: TranslationStatus,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub pairs: Vec<PairReport>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub quotes: Vec<QuoteFidelity>,
    /// Which signals aligned the sentences (e.g. "length, paragraph anchors, chrF").
    #[serde(skip_serializing_if = "Option::is_none")]
    pub alignment: Option<String>,
    /// The engine that made the round trip of the original whose noise was discounted
    /// (English → this language → English), where one serves the language.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub round_trip: Option<String>,
    /// The translation's own level: how rough its typical pair reads, and how much every
    /// pair's wording was discounted for it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub baseline: Option<crate::drift::Baseline>,
    /// The views that judged this translation: the back-translation (through `engine`) and
    /// the direct view; the direct view alone where no engine serves the language.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub views: Vec<View>,
    /// The views that could not run, each with why, the fix and what it would add.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub not_run: Vec<ViewNotRun>,
}

impl TranslationReport {
    pub fn is_analysed(&self) -> bool {
        matches!(self.status, TranslationStatus::Analysed)
    }

    /// Judged by the direct view alone: no engine back-translated it.
    pub fn is_direct_only(&self) -> bool {
        self.is_analysed() && !self.views.contains(&View::BackTranslation)
    }

    /// Which views judged it, in words: "back-translation (apertium spa-eng) + direct",
    /// "direct only".
    pub fn views_note(&self) -> String {
        match (
            self.views.contains(&View::BackTranslation),
            self.views.contains(&View::Direct),
        ) {
            (true, true) => format!(
                "back-translation ({}) + direct",
                self.engine.as_deref().unwrap_or("engine")
            ),
            (true, false) => format!(
                "back-translation ({})",
                self.engine.as_deref().unwrap_or("engine")
            ),
            (false, true) => "direct only".to_string(),
            (false, false) => "not analysed".to_string(),
        }
    }
    /// The translation's own level in words, where it was judged against one: how rough its
    /// back-translations read throughout, and whose round trip was discounted, or that none
    /// could be.
    pub fn level_note(&self) -> Option<String> {
        let mut parts = Vec::new();
        if let Some(b) = self.baseline.filter(|b| b.shift > 0.0) {
            parts.push(format!(
                "the back-translations of this translation read rough throughout (typical pair {:.2}), so each pair is judged against the rest: the engine may read this language poorly",
                b.typical
            ));
        }
        match &self.round_trip {
            Some(rt) => parts.push(format!(
                "what the engine does to the original on its own round trip (through {rt}) is not counted"
            )),
            // back-translated, but the engine has no way from the original's language into
            // this one here (Apertium's isl-eng, mkd-eng): its own noise cannot be told
            // from the translation's
            None if self.views.contains(&View::BackTranslation) => parts.push(
                "no round trip of the original through the engine here (it does not translate into this language), so its own noise cannot be measured and taken out: some flags may be the engine's; the direct view's findings do not depend on it".to_string(),
            ),
            None => {}
        }
        (!parts.is_empty()).then(|| parts.join("; "))
    }

    /// Pairs a reviewer should read (major or critical).
    pub fn flagged(&self) -> impl Iterator<Item = &PairReport> {
        self.pairs.iter().filter(|p| p.level.is_flagged())
    }
    /// Every aligned bead of the translation, with its verdict (none for a translation that
    /// could not be read).
    pub fn beads(&self) -> Vec<BeadView<'_>> {
        self.pairs
            .iter()
            .map(|p| BeadView {
                original: &p.original,
                translation: &p.translation,
                original_text: &p.original_text,
                translated_text: &p.translated_text,
                scored: Some(p),
                unit: p.unit.as_deref(),
            })
            .collect()
    }
}

/// One aligned bead of a translation, scored or only aligned (see [`TranslationReport::beads`]).
pub struct BeadView<'a> {
    pub original: &'a [usize],
    pub translation: &'a [usize],
    pub original_text: &'a str,
    pub translated_text: &'a str,
    /// The pair with its back-translation and drift, where the translation was analysed.
    pub scored: Option<&'a PairReport>,
    /// The unit id of a pre-aligned file (XLIFF, TMX) the bead came from.
    pub unit: Option<&'a str>,
}

/// One aligned bead: original sentence ids, translated sentence ids, the texts and the verdict.
#[derive(Debug, Clone, Serialize)]
pub struct PairReport {
    pub original: Vec<usize>,
    pub translation: Vec<usize>,
    pub original_text: String,
    pub translated_text: String,
    pub back_translation: String,
    pub drift: f32,
    pub level: DriftLevel,
    pub reasons: Vec<ReasonReport>,
    /// The aligner's cost for this bead: high means a weak alignment.
    pub alignment_cost: f32,
    /// The unit id of a pre-aligned file (XLIFF, TMX) this pair came from.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub unit: Option<String>,
    /// The views that judged this pair.
    pub views: Vec<View>,
    /// Cosine of the original's and the translation's cross-lingual sentence vectors, where
    /// the model ran.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cosine: Option<f32>,
}

#[derive(Debug, Clone, Serialize)]
pub struct ReasonReport {
    pub kind: String,
    pub message: String,
    pub original_span: Option<[usize; 2]>,
    pub back_span: Option<[usize; 2]>,
    /// Where a reason of the direct view lies in the translated sentence itself.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub translation_span: Option<[usize; 2]>,
    /// Which view found it.
    pub view: View,
}

/// A way of judging a translation. The back-translation view reads the translation through
/// an engine's English; the direct view compares the original with the translation itself
/// (numbers in every numeral system, names across scripts, quotation marks, English left in
/// place, length and cross-lingual similarity against the translation's own pairs) and
/// needs no engine.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum View {
    BackTranslation,
    Direct,
}

impl View {
    pub fn name(self) -> &'static str {
        match self {
            View::BackTranslation => "back-translation",
            View::Direct => "direct",
        }
    }
}

/// A view that did not run for a translation: why, the command that would make it run, and
/// what it would add.
#[derive(Debug, Clone, Serialize)]
pub struct ViewNotRun {
    pub view: View,
    pub why: String,
    pub fix: String,
    pub adds: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct QuoteFidelity {
    pub quote: usize,
    /// 1 = the quotation came through intact, 0 = it did not survive.
    pub fidelity: f32,
    pub level: DriftLevel,
    pub message: String,
}

/// Why a request cannot be analysed at all.
#[derive(Debug, thiserror::Error)]
pub enum AnalyzeError {
    #[error(transparent)]
    Text(#[from] text::TextError),
    #[error("{0}")]
    Input(String),
}

/// Finds the translations of a corpus folder: `<code>.md` files named by a known language
/// code, plus versions such as `es.apertium.md` and `es.drift.md`; the original is `en.md`.
/// `langs` keeps only the named labels (`es` is es.md; `es.drift` is es.drift.md).
pub fn corpus_inputs(
    dir: &Path,
    langs: Option<&[String]>,
) -> Result<(PathBuf, Vec<TranslationInput>), AnalyzeError> {
    let original = dir.join("en.md");
    if !original.is_file() {
        return Err(AnalyzeError::Input(format!(
            "{} has no en.md (the original); give --original FILE",
            dir.display()
        )));
    }
    let entries = std::fs::read_dir(dir).map_err(|e| {
        AnalyzeError::Input(format!("cannot read corpus folder {}: {e}", dir.display()))
    })?;
    let mut out = Vec::new();
    for e in entries.flatten() {
        let path = e.path();
        let Some(name) = path.file_name().and_then(|n| n.to_str()) else {
            continue;
        };
        let Some(label) = name.strip_suffix(".md") else {
            continue;
        };
        let lang = label.split('.').next().unwrap_or("");
        if lang == "en" || text::language(lang).is_none() || label.contains("labels") {
            continue;
        }
        if let Some(filter) = langs {
            if !filter.iter().any(|l| l == label) {
                continue;
            }
        }
        out.push(TranslationInput {
            lang: lang.to_string(),
            label: label.to_string(),
            path,
        });
    }
    out.sort_by(|a, b| a.label.cmp(&b.label));
    Ok((original, out))
}

/// Chooses the back-translation engine for a language, or says why none can serve and what
/// would make one work.
fn engine_for(
    lang: &str,
    choice: EngineChoice,
    models_dir: Option<&Path>,
) -> Result<Box<dyn Translator>, (String, String)> {
    let store = crate::models::ModelStore::from_env(models_dir.map(Path::to_path_buf));
    let marian = || -> Result<Box<dyn Translator>, (String, String)> {
        match crate::models::load_marian(&store, lang) {
            Ok(m) => Ok(Box::new(m)),
            Err(e) => Err((e.to_string(), format!("driftlens models fetch {lang}"))),
        }
    };
    let apertium = || -> Result<Box<dyn Translator>, (String, String)> {
        match Apertium::for_language(lang, Default::default()) {
            Ok(a) => Ok(Box::new(a)),
            Err(e) => {
                let fix = match translate::route::apertium_route(lang) {
                    Some(r) => format!("sudo apt-get install apertium {}", r.package),
                    None => format!("driftlens models fetch {lang}"),
                };
                Err((e.to_string(), fix))
            }
        }
    };
    match choice {
        EngineChoice::Marian => marian(),
        EngineChoice::Apertium => apertium(),
        EngineChoice::Auto => {
            let present = store
                .entry(lang)
                .map(|e| matches!(store.locate(e), crate::models::Presence::Present(_)))
                .unwrap_or(false);
            if present {
                return marian();
            }
            apertium().map_err(|(why, _)| {
                (format!("no Marian model for {lang} is on this machine, and Apertium cannot serve it ({why})"), format!("driftlens models fetch {lang}"))
            })
        }
    }
}

/// Where sentence vectors are cached: `embeddings/` beside the back-translation cache's
/// `translations/` (the default layout), else inside the given cache folder.
fn embedding_cache_dir(translations: &Path) -> PathBuf {
    match (translations.file_name(), translations.parent()) {
        (Some(name), Some(parent)) if name == "translations" => parent.join("embeddings"),
        _ => translations.join("embeddings"),
    }
}

/// Sentence vectors of `texts` through `embedder`, by way of the embedding cache in `cell`
/// (opened on first use beside the back-translation cache, when the settings have one).
fn embed_cached(
    embedder: &dyn Embedder,
    cell: &std::sync::OnceLock<Option<std::sync::Mutex<EmbeddingCache>>>,
    texts: &[&str],
    settings: &Settings,
) -> Option<Vec<Vec<f32>>> {
    let cache = cell.get_or_init(|| {
        let dir = settings
            .cache
            .as_ref()
            .map(|c| embedding_cache_dir(c.dir()))?;
        EmbeddingCache::open(&dir, embedder.id(), embedder.dimension())
            .ok()
            .map(std::sync::Mutex::new)
    });
    match cache.as_ref().and_then(|c| c.lock().ok()) {
        // A cache that cannot be written to is no reason to lose the vectors.
        Some(mut c) => c
            .embed_all(embedder, texts, 64, |_, _| {})
            .or_else(|_| embedder.embed(texts))
            .ok(),
        None => embedder.embed(texts).ok(),
    }
}

/// The direct view's cross-lingual embedder (multilingual-e5-small), when the model store
/// has it (`--models DIR` first, then the cache the set-up fills).
fn multilingual_embedder(models_dir: Option<&Path>) -> Option<LazyEmbedder<MultilingualEmbedder>> {
    use crate::models::{ModelStore, Presence};
    let store = ModelStore::from_env(models_dir.map(Path::to_path_buf));
    let entry = store.entry(crate::embed::MULTILINGUAL_MODEL).ok()?;
    match store.locate(entry) {
        Presence::Present(found) => LazyEmbedder::new(
            found.dir,
            crate::embed::E5Prefix::default().text(),
            MultilingualEmbedder::load,
        ),
        _ => None,
    }
}

/// An embedder loaded when a sentence first needs it: a run whose vectors are all in the
/// embedding cache never loads the model (MiniLM and multilingual-e5 together were about a
/// second of a cached whole-corpus run).
struct LazyEmbedder<M> {
    dir: PathBuf,
    id: String,
    dim: usize,
    load: fn(&Path) -> Result<M, crate::embed::EmbedError>,
    model: std::sync::OnceLock<Option<M>>,
}

impl<M> LazyEmbedder<M> {
    /// The model in `dir`, named as `load` followed by the sentence prefix `prefix` would
    /// name it; `None` where its files cannot name it (missing, unreadable).
    fn new(
        dir: PathBuf,
        prefix: &str,
        load: fn(&Path) -> Result<M, crate::embed::EmbedError>,
    ) -> Option<Self> {
        let (id, dim) = crate::embed::model_identity(&dir, prefix).ok()?;
        Some(LazyEmbedder {
            dir,
            id,
            dim,
            load,
            model: std::sync::OnceLock::new(),
        })
    }
}

impl<M: Embedder> Embedder for LazyEmbedder<M> {
    fn embed(&self, sentences: &[&str]) -> Result<Vec<Vec<f32>>, crate::embed::EmbedError> {
        match self.model.get_or_init(|| (self.load)(&self.dir).ok()) {
            Some(m) => m.embed(sentences),
            // load again for the error that says what is wrong with which file
            None => (self.load)(&self.dir)?.embed(sentences),
        }
    }

    fn dimension(&self) -> usize {
        self.dim
    }

    fn id(&self) -> &str {
        &self.id
    }
}

/// The sentence embedder, when its model is on this machine (similarity then joins the
/// evidence; without it drift rests on chrF and the fact checks).
fn embedder(models_dir: Option<&Path>) -> Option<LazyEmbedder<SentenceEmbedder>> {
    let dir = models_dir
        .map(|d| d.join("all-MiniLM-L6-v2"))
        .filter(|d| d.is_dir())
        .unwrap_or_else(|| crate::embed::model_dir("all-MiniLM-L6-v2"));
    LazyEmbedder::new(dir, "", SentenceEmbedder::load)
}

struct Original {
    doc: Document,
    seg: Segmented,
}

/// The original, loaded, segmented and embedded once, ready to be compared with any number
/// of translations. [`analyze`] runs it over a whole [`Request`]; the workbench calls
/// [`Prepared::analyze_translation`] for one language at a time on a worker thread, so results
/// appear language by language.
pub struct Prepared {
    path: PathBuf,
    original: Original,
    embedder: Option<LazyEmbedder<SentenceEmbedder>>,
    /// The original's sentence vectors, computed on first use (through the embedding cache
    /// when the settings have one).
    original_vectors: std::sync::OnceLock<Option<Vec<Vec<f32>>>>,
    /// Sentence vectors kept on disk beside the back-translation cache, so that reopening a
    /// corpus embeds nothing again; opened on first use.
    embedding_cache: std::sync::OnceLock<Option<std::sync::Mutex<EmbeddingCache>>>,
    /// The cross-lingual embedder of the direct view (multilingual-e5-small), loaded on first
    /// use; `None` when it is not on this machine (the direct view then reads facts and
    /// lengths only).
    multilingual: std::sync::OnceLock<Option<LazyEmbedder<MultilingualEmbedder>>>,
    multilingual_cache: std::sync::OnceLock<Option<std::sync::Mutex<EmbeddingCache>>>,
    original_multilingual: std::sync::OnceLock<Option<Vec<Vec<f32>>>>,
    /// The original's runs of sentences as the aligner's chrF reference, counted once for
    /// every back-translated language.
    original_chrf: std::sync::OnceLock<align::ChrfRuns>,
    models_dir: Option<PathBuf>,
    /// The drift scorer with WordNet, made when the first back-translation is scored
    /// (WordNet's half second of parsing starts on another thread as the original is
    /// prepared, while the direct-only languages are judged).
    scorer: std::sync::OnceLock<DriftScorer>,
}

/// How to analyse each translation (the parts of a [`Request`] that are not the inputs).
#[derive(Clone, Default)]
pub struct Settings {
    pub engine: Option<EngineChoice>,
    pub models_dir: Option<PathBuf>,
    pub cache: Option<TranslationCache>,
    pub cancel: CancelFlag,
}

impl Prepared {
    /// Loads and segments the original (`lang`: its declared language, default `en`) and
    /// embeds its sentences when the embedding model is on this machine.
    pub fn new(
        original: &Path,
        lang: Option<&str>,
        models_dir: Option<&Path>,
    ) -> Result<Prepared, AnalyzeError> {
        let doc = text::load(original)?;
        let seg = text::segment(&doc, lang.or(Some("en")))?;
        Ok(Prepared::from_segmented(original, doc, seg, models_dir))
    }

    /// The original already loaded and segmented: the source side of a pre-aligned file
    /// (XLIFF, TMX; see `crate::import`), whose segmentation is the file's own.
    pub fn from_segmented(
        path: &Path,
        doc: Document,
        seg: Segmented,
        models_dir: Option<&Path>,
    ) -> Prepared {
        Prepared {
            path: path.to_path_buf(),
            original: Original { doc, seg },
            embedder: embedder(models_dir),
            original_vectors: std::sync::OnceLock::new(),
            embedding_cache: std::sync::OnceLock::new(),
            multilingual: std::sync::OnceLock::new(),
            multilingual_cache: std::sync::OnceLock::new(),
            original_multilingual: std::sync::OnceLock::new(),
            original_chrf: std::sync::OnceLock::new(),
            models_dir: models_dir.map(Path::to_path_buf),
            scorer: {
                std::thread::spawn(crate::resources::wordnet);
                std::sync::OnceLock::new()
            },
        }
    }

    /// Sentence vectors of `texts`, from the embedding cache where it has them; `None` without
    /// an embedding model, or when the model fails (drift then rests on the other signals).
    fn embed(&self, texts: &[&str], settings: &Settings) -> Option<Vec<Vec<f32>>> {
        let embedder = self.embedder.as_ref()?;
        embed_cached(embedder, &self.embedding_cache, texts, settings)
    }

    /// Cross-lingual vectors of `texts` (see [`Prepared::embed`]).
    fn embed_multilingual(&self, texts: &[&str], settings: &Settings) -> Option<Vec<Vec<f32>>> {
        let embedder = self
            .multilingual
            .get_or_init(|| multilingual_embedder(self.models_dir.as_deref()))
            .as_ref()?;
        embed_cached(embedder, &self.multilingual_cache, texts, settings)
    }

    /// The original's cross-lingual vectors, computed on first use.
    fn original_multilingual(&self, settings: &Settings) -> Option<&[Vec<f32>]> {
        self.original_multilingual
            .get_or_init(|| self.embed_multilingual(&self.original_texts(), settings))
            .as_deref()
    }

    fn original_texts(&self) -> Vec<&str> {
        self.original
            .seg
            .sentences
            .iter()
            .map(|s| s.text(&self.original.doc.text))
            .collect()
    }

    fn original_vectors(&self, settings: &Settings) -> Option<&[Vec<f32>]> {
        self.original_vectors
            .get_or_init(|| self.embed(&self.original_texts(), settings))
            .as_deref()
    }

    /// The original's part of the report: its sentences and top-level quotations.
    pub fn original_report(&self) -> OriginalReport {
        let doc = &self.original.doc;
        OriginalReport {
            path: self.path.clone(),
            lang: self.original.seg.lang.code.clone(),
            sentences: self
                .original
                .seg
                .sentences
                .iter()
                .map(|s| SentenceReport {
                    id: s.id,
                    text: s.text(&doc.text).to_string(),
                    start: s.start,
                    end: s.end,
                })
                .collect(),
            quotes: self
                .original
                .seg
                .quotes
                .iter()
                .filter(|q| q.inside.is_none())
                .map(|q| QuoteReport {
                    id: q.id,
                    text: q.text(&doc.text).to_string(),
                    speaker: q.speaker.clone(),
                    sentences: q.sentences.clone(),
                })
                .collect(),
        }
    }

    /// Analyses one translation against the original. Never fails: a translation that cannot
    /// be analysed comes back as not analysed, with why, the fix, and (when the file could be
    /// read) its sentences aligned with the original's, without back-translation.
    pub fn analyze_translation(
        &self,
        input: &TranslationInput,
        settings: &Settings,
        progress: &dyn Fn(Progress),
    ) -> TranslationReport {
        analyze_one(settings, input, self, progress)
    }

    /// Analyses one translation that is already segmented and aligned (a pre-aligned file's
    /// targets, see `crate::import`): `alignment` is used as given, nothing is re-aligned.
    pub fn analyze_aligned(
        &self,
        translation: Aligned<'_>,
        settings: &Settings,
        progress: &dyn Fn(Progress),
    ) -> TranslationReport {
        analyze_loaded(settings, translation, self, progress)
    }
}

/// A translation already loaded, segmented and aligned with the original.
#[derive(Clone, Copy)]
pub struct Aligned<'a> {
    pub input: &'a TranslationInput,
    pub doc: &'a Document,
    pub seg: &'a Segmented,
    /// The alignment to use, or `None` to align here.
    pub alignment: Option<&'a align::Alignment>,
}

/// Runs the pipeline. Languages that cannot be analysed are reported with the reason and the
/// command that would fix it; they never stop the others.
pub fn analyze(req: &Request, progress: &dyn Fn(Progress)) -> Result<Report, AnalyzeError> {
    let prepared = Prepared::new(
        &req.original,
        req.original_lang.as_deref(),
        req.models_dir.as_deref(),
    )?;
    let settings = Settings {
        engine: Some(req.engine),
        models_dir: req.models_dir.clone(),
        cache: req.cache.clone(),
        cancel: req.cancel.clone(),
    };
    let mut translations = Vec::new();
    for input in &req.translations {
        if req.cancel.is_cancelled() {
            break;
        }
        let report = prepared.analyze_translation(input, &settings, progress);
        progress(Progress::Finished {
            label: input.label.clone(),
            analysed: report.is_analysed(),
        });
        translations.push(report);
    }
    Ok(Report {
        driftlens: env!("CARGO_PKG_VERSION").to_string(),
        original: prepared.original_report(),
        translations,
    })
}

fn not_analysed(input: &TranslationInput, why: String, fix: String) -> TranslationReport {
    TranslationReport {
        lang: input.lang.clone(),
        label: input.label.clone(),
        path: input.path.clone(),
        engine: None,
        status: TranslationStatus::NotAnalysed { why, fix },
        pairs: Vec::new(),
        quotes: Vec::new(),
        alignment: None,
        round_trip: None,
        baseline: None,
        views: Vec::new(),
        not_run: Vec::new(),
    }
}

/// The back-translations of a translation's sentences and, per sentence, the byte spans of
/// the words the engine could not translate.
type BackTranslations = (Vec<String>, Vec<Vec<Span>>);

/// Back-translates a translation's sentences: the back-translations and, for Apertium, the
/// byte spans of the words it could not translate. A failure comes back as the translation's
/// report, saying why.
fn back_translate(
    engine: &dyn Translator,
    sources: &[String],
    input: &TranslationInput,
    req: &Settings,
    progress: &dyn Fn(Progress),
) -> Result<BackTranslations, Box<TranslationReport>> {
    let engine_name = engine.id().to_string();
    let label = input.label.clone();
    progress(Progress::Stage {
        label: label.clone(),
        stage: "back-translating",
    });
    let on_progress = |done: usize, total: usize| {
        progress(Progress::Sentences {
            label: label.clone(),
            done,
            total,
        })
    };
    let back = match engine.translate_batch(sources, &on_progress, &req.cancel) {
        Ok(b) if b.len() == sources.len() => b,
        Ok(b) => {
            return Err(Box::new(not_analysed(
                input,
                format!(
                    "{engine_name} returned {} sentences for {}",
                    b.len(),
                    sources.len()
                ),
                "report this with the input file".into(),
            )))
        }
        Err(e) => {
            return Err(Box::new(not_analysed(
                input,
                e.to_string(),
                "see the message".into(),
            )))
        }
    };
    // Apertium marks the words it could not translate (`*word`): shown without the marks and
    // scored as engine gaps, not as drift.
    Ok(if engine.id().engine == "apertium" {
        back.iter().map(|b| engine_gaps(b)).unzip()
    } else {
        let none = vec![Vec::new(); back.len()];
        (back, none)
    })
}

fn analyze_one(
    req: &Settings,
    input: &TranslationInput,
    prepared: &Prepared,
    progress: &dyn Fn(Progress),
) -> TranslationReport {
    let (doc, seg) = match text::load(&input.path)
        .and_then(|d| text::segment(&d, Some(&input.lang)).map(|s| (d, s)))
    {
        Ok(x) => x,
        Err(e) => {
            return not_analysed(
                input,
                e.to_string(),
                format!("check {}", input.path.display()),
            )
        }
    };
    let translation = Aligned {
        input,
        doc: &doc,
        seg: &seg,
        alignment: None,
    };
    analyze_loaded(req, translation, prepared, progress)
}

/// [`analyze_one`] once the translation is loaded and segmented (and, for a pre-aligned
/// file, aligned).
fn analyze_loaded(
    req: &Settings,
    translation: Aligned<'_>,
    prepared: &Prepared,
    progress: &dyn Fn(Progress),
) -> TranslationReport {
    let Aligned {
        input, doc, seg, ..
    } = translation;
    let original = &prepared.original;
    let label = input.label.clone();
    progress(Progress::Started {
        label: label.clone(),
        sentences: seg.sentences.len(),
    });
    let engine = match engine_for(
        &input.lang,
        req.engine.unwrap_or(EngineChoice::Auto),
        req.models_dir.as_deref(),
    ) {
        Ok(e) => e,
        Err(no_engine) => {
            return direct_view::direct_only(translation, prepared, req, no_engine, progress)
        }
    };
    let engine: Box<dyn Translator> = match &req.cache {
        Some(cache) => Box::new(CachedTranslator::new(engine, cache.clone())),
        None => engine,
    };
    let engine_name = engine.id().to_string();
    let sources: Vec<String> = seg
        .sentences
        .iter()
        .map(|s| s.text(&doc.text).to_string())
        .collect();
    let (back, gaps) = match back_translate(engine.as_ref(), &sources, input, req, progress) {
        Ok(x) => x,
        Err(report) => return *report,
    };
    let round_trip = original_round_trip(engine.as_ref(), input, prepared, req, progress);

    progress(Progress::Stage {
        label: label.clone(),
        stage: "aligning",
    });
    let orig_texts = prepared.original_texts();
    let back_vectors = prepared.embed(&back.iter().map(String::as_str).collect::<Vec<_>>(), req);
    let original_vectors = prepared.original_vectors(req);
    let round_trip_vectors = round_trip.as_ref().and_then(|rt| {
        prepared.embed(
            &rt.english.iter().map(String::as_str).collect::<Vec<_>>(),
            req,
        )
    });
    let original_runs = prepared
        .original_chrf
        .get_or_init(|| align::ChrfRuns::new(&orig_texts));
    let similarity = align::ChrfSimilarity::new(original_runs, &back);
    let alignment = match translation.alignment {
        Some(given) => given.clone(),
        None => {
            let (original_side, translation_side) = (
                Side::segmented(&original.doc, &original.seg),
                Side::segmented(doc, seg),
            );
            let found = align::align_sides(&original_side, &translation_side, Some(&similarity));
            direct_view::join_guessed_cuts(prepared, req, found, &original_side, &translation_side)
        }
    };

    progress(Progress::Stage {
        label: label.clone(),
        stage: "scoring",
    });
    let vectors = Vectors {
        original: original_vectors,
        back: back_vectors.as_deref(),
        round_trip: round_trip_vectors.as_deref(),
    };
    let texts = Texts {
        original: &orig_texts,
        translation: &sources,
        back: &back,
        gaps: &gaps,
        round_trip: round_trip.as_ref().map(|rt| rt.english.as_slice()),
    };
    let beads: Vec<BeadTexts> = alignment
        .beads
        .iter()
        .map(|b| BeadTexts::new(b, &texts, &vectors, original))
        .collect();
    // the pairs with sentences on both sides, scored together against the translation's
    // baseline
    let scored: Vec<Pair> = beads
        .iter()
        .filter(|b| b.null_reason.is_none())
        .map(|b| b.pair(&input.lang))
        .collect();
    let scorer = prepared.scorer.get_or_init(crate::resources::scorer);
    let (drifts, baseline) = scorer.score_document(&scored);
    let (mut pairs, quote_cells) = pair_reports(&alignment.beads, beads, drifts);
    progress(Progress::Stage {
        label: label.clone(),
        stage: "comparing directly",
    });
    // Without the cross-lingual vectors: beside a back-translation only the direct view's
    // facts count (see `direct_view::merge`), and embedding every sentence of every
    // back-translated language would add minutes to a cold run for a cosine nobody reads.
    let direct = direct_view::judge_beads(prepared, &alignment, &sources, &input.lang, None);
    direct_view::merge(&mut pairs, direct);
    let quotes = quote_fidelity(original, direct_view::toned_quotes(&pairs, quote_cells));
    TranslationReport {
        lang: input.lang.clone(),
        label: input.label.clone(),
        path: input.path.clone(),
        engine: Some(engine_name),
        status: TranslationStatus::Analysed,
        pairs,
        quotes,
        alignment: Some(alignment.signals()),
        round_trip: round_trip.map(|rt| rt.forward_engine.to_string()),
        baseline: (baseline.pairs > 0).then_some(baseline),
        views: vec![View::BackTranslation, View::Direct],
        not_run: Vec::new(),
    }
}

/// How one quotation came through one pair: the pair's index and the quotation's span in
/// the pair's original text.
pub(super) struct QuoteCell {
    pub pair: usize,
    pub span: Span,
    pub fidelity: QuoteFidelity,
}

/// The report of every bead, in order: the scored pairs' verdicts (`drifts`, one per bead with
/// sentences on both sides) and the beads with no counterpart; and how each quotation came
/// through each pair holding it.
fn pair_reports(
    aligned: &[align::Bead],
    beads: Vec<BeadTexts>,
    drifts: Vec<crate::drift::Drift>,
) -> (Vec<PairReport>, Vec<QuoteCell>) {
    let mut drifts = drifts.into_iter();
    let mut pairs = Vec::with_capacity(beads.len());
    // how each quotation came through each pair holding it
    let mut quote_cells: Vec<QuoteCell> = Vec::new();
    for (bead, b) in aligned.iter().zip(beads) {
        let pair = pairs.len();
        let (drift, level, reasons) = match &b.null_reason {
            Some(reason) => {
                quote_cells.extend(b.quotes_here.iter().map(|&(quote, span)| QuoteCell {
                    pair,
                    span,
                    fidelity: QuoteFidelity {
                        quote,
                        fidelity: 0.0,
                        level: DriftLevel::Critical,
                        message: reason.message(),
                    },
                }));
                (1.0, DriftLevel::Critical, vec![reason_report(reason)])
            }
            None => {
                let Some(drift) = drifts.next() else { break };
                quote_cells.extend(b.quotes_here.iter().map(|&(quote, span)| QuoteCell {
                    pair,
                    span,
                    fidelity: quote_cell(quote, span, &drift),
                }));
                let reasons = drift.reasons.iter().map(reason_report).collect();
                (drift.score.0, drift.level, reasons)
            }
        };
        pairs.push(PairReport {
            original: bead.original.clone(),
            translation: bead.translation.clone(),
            reasons,
            original_text: b.original_text,
            translated_text: b.translated_text,
            back_translation: b.back_translation,
            drift,
            level,
            alignment_cost: bead.cost,
            unit: None,
            views: vec![View::BackTranslation],
            cosine: None,
        });
    }
    (pairs, quote_cells)
}

/// The sentence vectors of one translation's analysis, where the embedding model ran.
struct Vectors<'a> {
    original: Option<&'a [Vec<f32>]>,
    back: Option<&'a [Vec<f32>]>,
    round_trip: Option<&'a [Vec<f32>]>,
}

/// The sentences of one translation's analysis, by side.
struct Texts<'a> {
    original: &'a [&'a str],
    translation: &'a [String],
    back: &'a [String],
    gaps: &'a [Vec<Span>],
    round_trip: Option<&'a [String]>,
}

/// One bead's texts and what is known about them, owned, so that a whole translation's pairs
/// can be scored together against its baseline.
struct BeadTexts {
    original_text: String,
    translated_text: String,
    back_translation: String,
    /// The reason of a bead with no counterpart on one side.
    null_reason: Option<DriftReason>,
    quotes_here: Vec<(usize, Span)>,
    quote_spans: Vec<Span>,
    gap_spans: Vec<Span>,
    similarity: Option<f32>,
    round_trip: Option<String>,
    round_trip_similarity: Option<f32>,
}

impl BeadTexts {
    fn new(bead: &align::Bead, texts: &Texts, vectors: &Vectors, original: &Original) -> Self {
        let quotes_here = quote_spans_in(original, &bead.original);
        let null_reason = DriftReason::from_null_bead(&bead.original, &bead.translation);
        let both = null_reason.is_none();
        BeadTexts {
            original_text: join(&bead.original, texts.original),
            translated_text: join(&bead.translation, texts.translation),
            back_translation: join(&bead.translation, texts.back),
            null_reason,
            quote_spans: quotes_here.iter().map(|q| q.1).collect(),
            quotes_here,
            gap_spans: joined_gaps(&bead.translation, texts.gaps, texts.back),
            similarity: match (vectors.original, vectors.back) {
                (Some(o), Some(b)) if both => {
                    Some(bead_cosine(o, &bead.original, b, &bead.translation))
                }
                _ => None,
            },
            round_trip: texts.round_trip.map(|rt| join(&bead.original, rt)),
            round_trip_similarity: match (vectors.original, vectors.round_trip) {
                (Some(o), Some(r)) if both => {
                    Some(bead_cosine(o, &bead.original, r, &bead.original))
                }
                _ => None,
            },
        }
    }

    fn pair<'a>(&'a self, lang: &'a str) -> Pair<'a> {
        let mut pair = Pair::new(&self.original_text, &self.back_translation)
            .with_quotes(&self.quote_spans)
            .with_translation(&self.translated_text, lang)
            .with_engine_gaps(&self.gap_spans);
        if let Some(s) = self.similarity {
            pair = pair.with_similarity(s);
        }
        if let Some(rt) = &self.round_trip {
            pair = pair.with_round_trip(rt, self.round_trip_similarity);
        }
        pair
    }
}

/// The engine that translates English into `lang`, of the same family as the back engine
/// (Apertium's other direction; for Marian, the opus-mt-en-xx model where it is present),
/// behind the cache when there is one. `None` where there is no such engine: the pairs are
/// then judged without the engine's round trip.
fn forward_engine(
    back: &dyn Translator,
    lang: &str,
    req: &Settings,
) -> Option<Box<dyn Translator>> {
    let engine: Box<dyn Translator> = match back.id().engine.as_str() {
        "apertium" => Box::new(Apertium::forward_for_language(lang, Default::default()).ok()?),
        "marian" => {
            let store =
                crate::models::ModelStore::from_env(req.models_dir.as_ref().map(PathBuf::from));
            let (entry, _) = store.catalog.forward_for(lang)?;
            if !matches!(store.locate(entry), crate::models::Presence::Present(_)) {
                return None;
            }
            Box::new(crate::models::load_marian_forward(&store, lang)?.ok()?)
        }
        _ => return None,
    };
    Some(match &req.cache {
        Some(cache) => Box::new(CachedTranslator::new(engine, cache.clone())),
        None => engine,
    })
}

/// The original's sentences after the back engine's own round trip (see
/// `translate::round_trip`), where a forward engine serves the language. Cached like every
/// translation, so the versions of one language (`es`, `es.drift`, `es.apertium`) share it.
fn original_round_trip(
    back: &dyn Translator,
    input: &TranslationInput,
    prepared: &Prepared,
    req: &Settings,
    progress: &dyn Fn(Progress),
) -> Option<translate::round_trip::RoundTrip> {
    let forward = forward_engine(back, &input.lang, req)?;
    progress(Progress::Stage {
        label: input.label.clone(),
        stage: "round trip of the original",
    });
    let original = &prepared.original;
    let texts: Vec<String> = original
        .seg
        .sentences
        .iter()
        .map(|s| s.text(&original.doc.text).to_string())
        .collect();
    translate::round_trip::round_trip(
        forward.as_ref(),
        back,
        &texts,
        &translate::no_progress,
        &req.cancel,
    )
    .ok()
}

/// The engine gaps of sentences `ids` as byte spans of their back-translations joined with
/// spaces (as [`join`] joins them).
fn joined_gaps(ids: &[usize], gaps: &[Vec<Span>], back: &[String]) -> Vec<Span> {
    let mut spans = Vec::new();
    let mut offset = 0;
    for &i in ids {
        spans.extend(gaps[i].iter().map(|g| Span {
            start: offset + g.start,
            end: offset + g.end,
        }));
        offset += back[i].len() + 1;
    }
    spans
}

/// The sentences `ids` of `texts`, joined with spaces.
fn join<S: AsRef<str>>(ids: &[usize], texts: &[S]) -> String {
    ids.iter()
        .map(|&i| texts[i].as_ref())
        .collect::<Vec<_>>()
        .join(" ")
}

/// Cosine of the mean vector of sentences `ai` of `a` and that of sentences `bi` of `b`: how
/// alike the two sides of a bead read.
fn bead_cosine(a: &[Vec<f32>], ai: &[usize], b: &[Vec<f32>], bi: &[usize]) -> f32 {
    crate::drift::metrics::cosine(
        &mean(ai.iter().map(|&i| a[i].as_slice())),
        &mean(bi.iter().map(|&i| b[i].as_slice())),
    )
}

fn mean<'a>(vectors: impl Iterator<Item = &'a [f32]>) -> Vec<f32> {
    let mut sum: Vec<f32> = Vec::new();
    let mut n: f32 = 0.0;
    for v in vectors {
        if sum.is_empty() {
            sum = vec![0.0; v.len()];
        }
        for (s, x) in sum.iter_mut().zip(v) {
            *s += x;
        }
        n += 1.0;
    }
    sum.iter_mut().for_each(|s| *s /= n.max(1.0));
    sum
}

/// Apertium's output without its marks, and the spans of the words it could not translate
/// (`*word` unknown, `@word` missing from its dictionary): engine gaps, not drift. `#word`
/// was translated but its English form could not be generated; that is not a gap.
pub fn engine_gaps(marked: &str) -> (String, Vec<Span>) {
    let (text, words) = crate::translate::apertium::unmark(marked);
    (
        text,
        words
            .into_iter()
            .filter(|w| w.mark != '#')
            .map(|w| Span {
                start: w.range.start,
                end: w.range.end,
            })
            .collect(),
    )
}

/// The original's quotations inside the joined text of `sentences`: (quote id, byte span).
fn quote_spans_in(original: &Original, sentences: &[usize]) -> Vec<(usize, Span)> {
    let mut spans = Vec::new();
    let mut offset = 0;
    for (k, &id) in sentences.iter().enumerate() {
        let s = &original.seg.sentences[id];
        for q in original.seg.quotes.iter().filter(|q| q.inside.is_none()) {
            let (a, b) = (q.start.max(s.start), q.end.min(s.end));
            if a < b {
                spans.push((
                    q.id,
                    Span {
                        start: offset + a - s.start,
                        end: offset + b - s.start,
                    },
                ));
            }
        }
        offset += s.end - s.start + if k + 1 < sentences.len() { 1 } else { 0 };
    }
    spans
}

/// A reason as the JSON report writes it: kind, message and the first span on each side.
pub fn reason_report(r: &DriftReason) -> ReasonReport {
    let kind = serde_json::to_value(r)
        .ok()
        .and_then(|v| v.get("kind").and_then(|k| k.as_str()).map(str::to_string))
        .unwrap_or_default();
    let span = |v: Vec<Span>| v.first().map(|s| [s.start, s.end]);
    ReasonReport {
        kind,
        message: r.message(),
        original_span: span(r.original_spans()),
        back_span: span(r.back_translation_spans()),
        translation_span: None,
        view: View::BackTranslation,
    }
}

/// How one quotation came through one pair. Its fidelity is the share of its content words
/// the back-translation has (engine gaps excused); where a broken fact of the pair lies inside
/// the quotation (a number, a negation, a name …), the pair's level and that reason, else a
/// level from the words lost: none, minor, or major for half of them or more. So a quotation whose
/// sentence drifted elsewhere still reads as intact.
fn quote_cell(quote: usize, span: Span, drift: &crate::drift::Drift) -> QuoteFidelity {
    let lost_reason = drift
        .reasons
        .iter()
        .find(|r| matches!(r, DriftReason::QuoteChanged { quote: q, .. } if *q == span));
    let kept = match lost_reason {
        Some(DriftReason::QuoteChanged { lost, words, .. }) => {
            1.0 - lost.len() as f32 / (*words).max(1) as f32
        }
        _ => 1.0,
    };
    let inside = |s: &Span| s.start < span.end && span.start < s.end;
    let fact = drift.reasons.iter().find(|r| {
        r.is_fact()
            && !matches!(
                r,
                DriftReason::QuoteChanged { .. } | DriftReason::EngineGap { .. }
            )
            && (matches!(r, DriftReason::Untranslated { .. })
                || r.original_spans().iter().any(inside))
    });
    match fact {
        Some(r) => QuoteFidelity {
            quote,
            fidelity: kept.min(1.0 - drift.score.0),
            level: drift.level,
            message: r.message(),
        },
        None => QuoteFidelity {
            quote,
            fidelity: kept,
            level: match lost_reason {
                None => DriftLevel::None,
                Some(r) if r.quote_mostly_lost() => DriftLevel::Major,
                Some(_) => DriftLevel::Minor,
            },
            message: lost_reason
                .map(|r| r.message())
                .unwrap_or_else(|| "the quotation came through".into()),
        },
    }
}

/// Each quotation of the original: the worst of its cells (a quotation split over pairs has
/// one per pair), or lost where none of its sentences was aligned.
fn quote_fidelity(original: &Original, cells: Vec<QuoteFidelity>) -> Vec<QuoteFidelity> {
    original
        .seg
        .quotes
        .iter()
        .filter(|q| q.inside.is_none())
        .map(|q| {
            cells
                .iter()
                .filter(|c| c.quote == q.id)
                .min_by(|a, b| {
                    a.fidelity
                        .total_cmp(&b.fidelity)
                        .then(b.level.cmp(&a.level))
                })
                .cloned()
                .unwrap_or_else(|| QuoteFidelity {
                    quote: q.id,
                    fidelity: 0.0,
                    level: DriftLevel::Critical,
                    message: "the quotation's sentences were not aligned".into(),
                })
        })
        .collect()
}
