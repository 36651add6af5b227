//! Drift: did the meaning of a sentence survive translation? Given an original sentence and
//! the back-translation of its translation (and, where available, their embeddings), the
//! scorer returns a [`DriftScore`] in [0, 1], a [`DriftLevel`] and the [`DriftReason`]s, each
//! with byte spans into both sentences for highlighting and a message in plain words.
//!
//! ```
//! use driftlens_core::drift::{DriftScorer, Pair, DriftLevel};
//! let scorer = DriftScorer::default();
//! let drift = scorer.score(&Pair::new("Peskov said 10 soldiers died.", "Peskov said 12 soldiers died."));
//! assert!(drift.level >= DriftLevel::Major);
//! assert_eq!(drift.reasons[0].message(), "10 became 12");
//! ```
//!
//! The score is a logistic combination of typed evidence (numbers, names, negation,
//! certainty, questions, pronoun gender, untranslated words, word order, quotations) and of
//! two similarities (embedding cosine, chrF); its weights and level thresholds are calibrated
//! on DEMETR (`driftlens bench drift … --fit`, see `calibration.toml`). This module does no
//! I/O and loads no model: embeddings come in as numbers, a lexicon through [`Lexicon`].
//!
//! Layout: `checks/` holds one file per check behind the [`checks::Check`] trait and the
//! registry [`checks::CHECKS`]; `facts.rs` computes what the checks share once per pair;
//! `evidence.rs` lists the evidence kinds; `score.rs` turns evidence into a score and a level;
//! `reason.rs` says each reason in words.

pub mod checks;
mod evidence;
pub mod facts;
pub mod lexicon;
mod matching;
pub mod metrics;
pub mod noise;
pub mod numbers;
mod reason;
mod score;
pub mod verbs;
pub mod words;

pub use evidence::{Evidence, EvidenceKind, EVIDENCE_NAMES, N_EVIDENCE};
pub use lexicon::Lexicon;
pub use metrics::{chrf, sentence_bleu, ChrfProfile};
pub use reason::{DriftReason, Mention, Span};
pub use score::{
    Assessment, Baseline, Calibration, Drift, DriftLevel, DriftScore, DriftScorer, Thresholds,
    FACT_BAND,
};

/// One original sentence and the back-translation of its translation, with what else is
/// known about them.
#[derive(Debug, Clone, Default)]
pub struct Pair<'a> {
    pub original: &'a str,
    pub back_translation: &'a str,
    /// Cosine similarity of the two sentences' embeddings (same model for both).
    pub similarity: Option<f32>,
    /// Quotations in the original (byte spans); when empty, “…” and "…" are found.
    pub quotes: &'a [Span],
    /// The translated sentence itself and its expected language (ISO 639-1), for the
    /// untranslated check.
    pub translation: Option<(&'a str, &'a str)>,
    /// The original's language (ISO 639-1), default "en".
    pub original_language: Option<&'a str>,
    /// Byte spans of the back-translation that the engine marked as words it could not
    /// translate (see `translate::apertium::unmark`).
    pub engine_gaps: &'a [Span],
    /// The original after the back-translation engine's own round trip (English → the
    /// translation's language → English): what it loses or gains there is the engine's
    /// noise, not drift (see [`noise`]).
    pub round_trip: Option<&'a str>,
    /// Cosine similarity of the original's and the round trip's embeddings.
    pub round_trip_similarity: Option<f32>,
}

impl<'a> Pair<'a> {
    pub fn new(original: &'a str, back_translation: &'a str) -> Self {
        Pair {
            original,
            back_translation,
            ..Default::default()
        }
    }
    /// Adds the embedding similarity from two vectors of the same model.
    pub fn with_embeddings(mut self, original: &[f32], back_translation: &[f32]) -> Self {
        self.similarity = Some(metrics::cosine(original, back_translation));
        self
    }
    pub fn with_similarity(mut self, cosine: f32) -> Self {
        self.similarity = Some(cosine);
        self
    }
    pub fn with_quotes(mut self, quotes: &'a [Span]) -> Self {
        self.quotes = quotes;
        self
    }
    /// Words of the back-translation the engine could not translate (byte spans).
    pub fn with_engine_gaps(mut self, gaps: &'a [Span]) -> Self {
        self.engine_gaps = gaps;
        self
    }
    /// The engine's round trip of the original (see [`Pair::round_trip`]).
    pub fn with_round_trip(mut self, round_trip: &'a str, similarity: Option<f32>) -> Self {
        self.round_trip = Some(round_trip);
        self.round_trip_similarity = similarity;
        self
    }
    /// The original against the engine's round trip of it, as a pair of its own.
    pub fn engine_own(&self) -> Option<Pair<'a>> {
        Some(Pair {
            original: self.original,
            back_translation: self.round_trip?,
            similarity: self.round_trip_similarity,
            quotes: self.quotes,
            translation: None,
            original_language: self.original_language,
            engine_gaps: &[],
            round_trip: None,
            round_trip_similarity: None,
        })
    }
    /// The translated sentence and the language it should be in.
    pub fn with_translation(mut self, text: &'a str, language: &'a str) -> Self {
        self.translation = Some((text, language));
        self
    }
}
