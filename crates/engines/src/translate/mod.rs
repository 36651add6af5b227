//! The translate stage: back-translates sentences into English.
//!
//! Every engine sits behind the [`Translator`] trait: it says who it is ([`EngineId`], which
//! also keys the on-disk cache) and translates a batch of sentences, one output per input,
//! reporting progress per sentence and stopping when asked to ([`CancelFlag`]).
//!
//! Engines: [`apertium::Apertium`] runs the operating system's Apertium (rule-based, one
//! process per document); the Marian (OPUS-MT on candle) engine lives in `marian`.
//! [`cache::CachedTranslator`] wraps any engine with an on-disk cache, and [`route`] says
//! which Apertium pair serves which language.

pub mod apertium;
pub mod cache;
pub mod marian;
pub mod round_trip;
pub mod route;

use serde::Serialize;
use std::fmt;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

pub use apertium::Apertium;
pub use cache::{CacheStats, CachedTranslator, TranslationCache};

/// Who produced a back-translation, precisely enough that a cached result is reused only for
/// the same engine, model, model revision and settings.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, serde::Deserialize)]
pub struct EngineId {
    /// The kind of engine: `apertium` or `marian`.
    pub engine: String,
    /// The model within the engine: an Apertium pair (`spa-eng`) or a model name
    /// (`opus-mt-es-en`).
    pub model: String,
    /// The model's revision: the engine's version and a fingerprint of its data files, or a
    /// pinned model revision.
    pub revision: String,
    /// Settings that change the output (beam size, length penalty, …), as `key=value`
    /// pairs; empty where there are none.
    pub settings: String,
}

impl EngineId {
    pub fn new(engine: &str, model: &str, revision: &str, settings: &str) -> EngineId {
        EngineId {
            engine: engine.into(),
            model: model.into(),
            revision: revision.into(),
            settings: settings.into(),
        }
    }
}

impl fmt::Display for EngineId {
    /// `apertium:spa-eng (apertium 3.8.3, data 1a2b…)`: what a reader needs to know which
    /// engine spoke.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.engine, self.model)?;
        match (self.revision.is_empty(), self.settings.is_empty()) {
            (true, true) => Ok(()),
            (false, true) => write!(f, " ({})", self.revision),
            (true, false) => write!(f, " ({})", self.settings),
            (false, false) => write!(f, " ({}; {})", self.revision, self.settings),
        }
    }
}

/// One sentence and its translation back into English, with the engine that made it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BackTranslation {
    /// The sentence as it stands in the translation being reviewed.
    pub source: String,
    /// The engine's English rendering of it.
    pub english: String,
    pub engine: EngineId,
}

/// Asks long work to stop. Clones share the flag, so the UI keeps one and hands a clone
/// to the worker.
#[derive(Debug, Clone, Default)]
pub struct CancelFlag(Arc<AtomicBool>);

impl CancelFlag {
    pub fn new() -> CancelFlag {
        CancelFlag::default()
    }
    /// Asks the work to stop as soon as it can.
    pub fn cancel(&self) {
        self.0.store(true, Ordering::SeqCst);
    }
    pub fn is_cancelled(&self) -> bool {
        self.0.load(Ordering::SeqCst)
    }
}

/// A progress callback: `(sentences done, sentences in all)`. Called on the thread that
/// called [`Translator::translate_batch`], with `done` never decreasing.
pub type Progress<'a> = &'a dyn Fn(usize, usize);

/// A progress callback that ignores progress.
pub fn no_progress(_done: usize, _total: usize) {}

/// Why a back-translation failed. Every message names the engine, pair, model or file, and
/// what to do.
#[derive(Debug, thiserror::Error)]
pub enum TranslateError {
    #[error("Apertium is not installed (`{program}` was not found); install it with `sudo apt-get install {install}`, or choose --engine marian")]
    ApertiumMissing { program: String, install: String },
    #[error("Apertium has no {pair} pair installed (it has: {installed}); install it with `sudo apt-get install {package}`")]
    PairMissing {
        pair: String,
        package: String,
        installed: String,
    },
    #[error("Apertium cannot translate '{lang}' into English (it has pairs for {known}); choose --engine marian")]
    NoApertiumPair { lang: String, known: String },
    #[error("Apertium cannot translate English into '{lang}' (it has that direction for {known}); the round trip of the original needs it")]
    NoForwardPair { lang: String, known: String },
    #[error("{engine} did not finish {sentences} sentences within {:.1} s and was stopped; give it more time (the timeout) or translate a smaller document", .timeout.as_secs_f64())]
    Timeout {
        engine: String,
        sentences: usize,
        timeout: Duration,
    },
    #[error("back-translation with {engine} was cancelled")]
    Cancelled { engine: String },
    #[error("{engine} failed ({status}): {stderr}")]
    EngineFailed {
        engine: String,
        status: String,
        stderr: String,
    },
    #[error("{engine} returned {got} sentences for {expected}; the sentence boundaries were lost (please report this with the input)")]
    Misaligned {
        engine: String,
        expected: usize,
        got: usize,
    },
    #[error("cannot run {engine}: {source}")]
    Io {
        engine: String,
        source: std::io::Error,
    },
    #[error("model {model}: {message}")]
    Model { model: String, message: String },
    #[error("{path}: {message}")]
    File { path: PathBuf, message: String },
    #[error("{0}")]
    Other(String),
}

/// A back-translation engine: translates sentences into English, one output per input, in
/// order.
pub trait Translator: Send + Sync {
    /// The engine, model, revision and settings: what the cache keys on.
    fn id(&self) -> EngineId;

    /// Translates `sentences` into English, returning exactly one string per sentence, in
    /// order (an empty sentence gives an empty string). Calls `progress(done, total)` as
    /// sentences finish and stops with [`TranslateError::Cancelled`] once `cancel` is set.
    fn translate_batch(
        &self,
        sentences: &[String],
        progress: Progress<'_>,
        cancel: &CancelFlag,
    ) -> Result<Vec<String>, TranslateError>;
}

impl<T: Translator + ?Sized> Translator for Box<T> {
    fn id(&self) -> EngineId {
        (**self).id()
    }
    fn translate_batch(
        &self,
        sentences: &[String],
        progress: Progress<'_>,
        cancel: &CancelFlag,
    ) -> Result<Vec<String>, TranslateError> {
        (**self).translate_batch(sentences, progress, cancel)
    }
}

impl<T: Translator + ?Sized> Translator for Arc<T> {
    fn id(&self) -> EngineId {
        (**self).id()
    }
    fn translate_batch(
        &self,
        sentences: &[String],
        progress: Progress<'_>,
        cancel: &CancelFlag,
    ) -> Result<Vec<String>, TranslateError> {
        (**self).translate_batch(sentences, progress, cancel)
    }
}

impl<T: Translator + ?Sized> Translator for &T {
    fn id(&self) -> EngineId {
        (**self).id()
    }
    fn translate_batch(
        &self,
        sentences: &[String],
        progress: Progress<'_>,
        cancel: &CancelFlag,
    ) -> Result<Vec<String>, TranslateError> {
        (**self).translate_batch(sentences, progress, cancel)
    }
}

/// Back-translates `sentences` with `engine` and pairs every result with its source.
pub fn back_translate(
    engine: &dyn Translator,
    sentences: &[String],
    progress: Progress<'_>,
    cancel: &CancelFlag,
) -> Result<Vec<BackTranslation>, TranslateError> {
    let id = engine.id();
    let english = engine.translate_batch(sentences, progress, cancel)?;
    if english.len() != sentences.len() {
        return Err(TranslateError::Misaligned {
            engine: id.to_string(),
            expected: sentences.len(),
            got: english.len(),
        });
    }
    Ok(sentences
        .iter()
        .zip(english)
        .map(|(s, e)| BackTranslation {
            source: s.clone(),
            english: e,
            engine: id.clone(),
        })
        .collect())
}
