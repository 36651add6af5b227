//! chrF of the original against a back-translation as alignment evidence, for the
//! languages an engine brings back into English.
//!
//! The aligner asks for thousands of beads (every shape near the diagonal, and for
//! [`super::standard`] dozens of unrelated pairs per shape), each a run of up to
//! [`MAX_SIDE`] sentences a side; chrF of joined texts computed afresh sorted the same
//! n-grams again for every one (three quarters of a cached whole-corpus run). Here each
//! run's n-grams are counted the first time it is asked for and kept: a document of n
//! sentences has at most `n × MAX_SIDE` runs a side, and a bead costs one merge.

use super::model::MAX_SIDE;
use super::PairSimilarity;
use crate::drift::ChrfProfile;
use std::ops::Range;
use std::sync::OnceLock;

/// chrF of a run of original sentences (the reference) against a run of back-translated
/// sentences (the hypothesis), their texts joined with a space, as a [`PairSimilarity`]
/// in 0 … 1.
pub struct ChrfSimilarity<'a> {
    original: &'a ChrfRuns,
    back: ChrfRuns,
}

/// One side's sentences and the n-grams of each run, counted on first use: the original's
/// are kept once for all of its translations.
pub struct ChrfRuns {
    sentences: Vec<String>,
    /// `profiles[start * MAX_SIDE + len - 1]`
    profiles: Vec<OnceLock<ChrfProfile>>,
}

impl ChrfRuns {
    pub fn new<S: AsRef<str>>(sentences: &[S]) -> ChrfRuns {
        ChrfRuns {
            sentences: sentences.iter().map(|s| s.as_ref().to_string()).collect(),
            profiles: (0..sentences.len() * MAX_SIDE)
                .map(|_| OnceLock::new())
                .collect(),
        }
    }

    /// The n-grams of `run`, or `None` outside the document. A run longer than any bead
    /// (not asked for by the aligner) is counted without being kept.
    fn with<T>(&self, run: Range<usize>, f: impl FnOnce(&ChrfProfile) -> T) -> Option<T> {
        if run.len() > MAX_SIDE {
            let text = self.sentences.get(run)?;
            return Some(f(&ChrfProfile::new(&text.join(" "))));
        }
        self.kept(run).map(f)
    }

    /// The kept n-grams of a run of 1 … [`MAX_SIDE`] sentences: a sentence counted once,
    /// a longer run as the run less its last sentence joined with that sentence.
    fn kept(&self, run: Range<usize>) -> Option<&ChrfProfile> {
        let text = self.sentences.get(run.clone())?;
        if run.is_empty() || run.len() > MAX_SIDE {
            return None;
        }
        let cell = &self.profiles[run.start * MAX_SIDE + run.len() - 1];
        Some(cell.get_or_init(|| {
            if run.len() == 1 {
                return ChrfProfile::new(&text[0]);
            }
            match (
                self.kept(run.start..run.end - 1),
                self.kept(run.end - 1..run.end),
            ) {
                (Some(rest), Some(last)) => rest.joined(last),
                _ => ChrfProfile::new(&text.join(" ")),
            }
        }))
    }
}

impl<'a> ChrfSimilarity<'a> {
    /// `original`'s runs against the back-translation's sentences `back`.
    pub fn new<B: AsRef<str>>(original: &'a ChrfRuns, back: &[B]) -> Self {
        ChrfSimilarity {
            original,
            back: ChrfRuns::new(back),
        }
    }
}

impl PairSimilarity for ChrfSimilarity<'_> {
    fn name(&self) -> &'static str {
        "chrF of the original against the back-translation"
    }

    /// A bead of k sentences costs about k times a one-to-one bead, and the long shapes
    /// are seldom chosen: as many unrelated sentences, not pairs, as for one-to-one beads
    /// (a third of the whole-corpus run went into these samples).
    fn unrelated_samples(&self, samples: usize, sentences: usize) -> usize {
        (samples * 2 / sentences.max(2)).max(10)
    }

    fn similarity(&self, original: Range<usize>, translation: Range<usize>) -> Option<f32> {
        self.original
            .with(original, |o| {
                self.back.with(translation, |b| b.chrf(o) as f32 / 100.0)
            })
            .flatten()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kept_runs_score_as_chrf_of_the_joined_texts() {
        let original: Vec<String> = [
            "The talks went well.",
            "Both sides signed.",
            "Prices rose by 3 %.",
        ]
        .map(String::from)
        .to_vec();
        let back: Vec<String> = [
            "Talks went fine.",
            "Both parties signed it.",
            "Прices rose.",
        ]
        .map(String::from)
        .to_vec();
        let runs = ChrfRuns::new(&original);
        let sim = ChrfSimilarity::new(&runs, &back);
        for (o, t) in [
            (0..1, 0..1),
            (0..2, 0..2),
            (1..3, 0..1),
            (2..3, 1..3),
            (0..3, 0..3),
        ] {
            let want =
                crate::drift::chrf(&back[t.clone()].join(" "), &original[o.clone()].join(" "));
            // asked twice: the kept n-grams give the same as the first count
            for _ in 0..2 {
                let got = sim.similarity(o.clone(), t.clone()).unwrap();
                assert!(
                    (got as f64 - want / 100.0).abs() < 1e-6,
                    "{o:?} {t:?}: {got} vs {want}"
                );
            }
        }
        assert_eq!(sim.similarity(0..0, 0..1), None);
        assert_eq!(sim.similarity(2..4, 0..1), None);
    }
}
