//! The caller's similarity as evidence: each bead's [`PairSimilarity::contrast`] as a
//! z-score against unrelated pairs of the same shape.
//!
//! A similarity means different things for different shapes: the cosine of summed
//! sentence vectors grows with the number of sentences summed whatever they say (random
//! 2-2 pairs of Text+Berg dev score 0.868 on average with multilingual-e5-small, random
//! 1-1 pairs 0.792), so a 2-2 bead read on the 1-1 scale looks like strong evidence, and
//! two good 1-1 beads were merged into one. Measured against random pairs of its own
//! shape, a merged bead scores no higher than its parts (z 5.9 for two gold 1-1 beads
//! merged, 6.7 for gold 1-1 beads, 5.4–6.0 for gold beads of other shapes), and every
//! bead the search adds must earn its own evidence, as in Vecalign and Bertalign.

use super::model::{shape_index, SHAPES};
use super::PairSimilarity;

/// The least spread of unrelated pairs' contrast, in the similarity's units (0 … 1).
const MIN_SPREAD: f64 = 1e-3;

/// Unrelated pairs sampled per shape (fewer in short documents: two per original sentence).
const SAMPLES: usize = 500;

/// A similarity with the mean and spread of its contrast on unrelated pairs of each shape.
pub struct Standardised<'a> {
    pub similarity: &'a dyn PairSimilarity,
    /// Per entry of [`SHAPES`]: mean and standard deviation of the contrast of unrelated
    /// pairs of that shape; `None` for shapes with an empty side or too few samples.
    unrelated: [Option<(f64, f64)>; SHAPES.len()],
}

impl<'a> Standardised<'a> {
    /// Samples unrelated pairs of every paired shape from a document pair of `n` original
    /// and `m` translated sentences: a run of the original against a run of the
    /// translation a half (or a third) of the document away from where it would align.
    /// `None` when not even 1-1 pairs can be sampled.
    pub fn new(similarity: &'a dyn PairSimilarity, n: usize, m: usize) -> Option<Self> {
        let mut unrelated = [None; SHAPES.len()];
        for (t, &(p, q)) in SHAPES.iter().enumerate() {
            if p == 0 || q == 0 || p > n || q > m {
                continue;
            }
            let (rows, cols) = (n + 1 - p, m + 1 - q);
            let samples = similarity.unrelated_samples(SAMPLES.min(n * 2), p + q);
            let mut xs = Vec::with_capacity(samples);
            for s in 0..samples {
                let i = (s * rows) / samples;
                let shift = if s % 2 == 0 { m / 2 } else { m / 3 };
                let j = ((i * m) / n + shift.max(1)) % cols;
                if let Some(x) = similarity.contrast(i..i + p, j..j + q) {
                    xs.push(x as f64);
                }
            }
            if xs.len() < 5 {
                continue;
            }
            let mean = xs.iter().sum::<f64>() / xs.len() as f64;
            let sd = (xs.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / xs.len() as f64).sqrt();
            // A similarity that gives every unrelated pair the same value (a yes/no
            // judgement) still tells: a thousandth of its range is its unit then.
            unrelated[t] = Some((mean, sd.max(MIN_SPREAD)));
        }
        unrelated[shape_index(1, 1)?]?;
        Some(Standardised {
            similarity,
            unrelated,
        })
    }

    /// The z-score of the bead of original sentences `i..i+m` and translated `j..j+n`:
    /// how many standard deviations its contrast lies above unrelated pairs' of its shape.
    #[inline(always)]
    pub fn z(&self, i: usize, m: usize, j: usize, n: usize) -> Option<f32> {
        let (mean, sd) = self.unrelated[shape_index(m, n)?]?;
        let x = self.similarity.contrast(i..i + m, j..j + n)? as f64;
        Some(((x - mean) / sd) as f32)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::align::SimilarityFn;
    use std::ops::Range;

    #[test]
    fn longer_beads_are_measured_against_longer_random_pairs() {
        // A similarity that grows with the sentences of a bead whatever they say, as the
        // cosine of summed vectors does, and is high on the diagonal.
        let f = |a: Range<usize>, b: Range<usize>| {
            let base = 0.3 + 0.1 * (a.len() + b.len()) as f32;
            let noise = ((a.start * 7 + b.start * 13) % 10) as f32 / 100.0;
            let aligned = if a.start == b.start { 0.2 } else { 0.0 };
            Some(base + noise + aligned)
        };
        let sim = SimilarityFn { name: "t", f };
        let s = Standardised::new(&sim, 100, 100).unwrap();
        let one = s.z(10, 1, 10, 1).unwrap();
        let two = s.z(10, 2, 10, 2).unwrap();
        // Read on the 1-1 scale, the 2-2 bead would look far surer than the 1-1 bead;
        // against random 2-2 pairs it does not.
        let (mean, sd) = s.unrelated[shape_index(1, 1).unwrap()].unwrap();
        let on_one_scale = (f(10..12, 10..12).unwrap() as f64 - mean) / sd;
        assert!(on_one_scale > two as f64 + 2.0, "{on_one_scale} {two}");
        assert!(two < one + 1.5, "1-1 z {one}, 2-2 z {two}");
        assert!(one > 3.0, "{one}");
        assert!(s.z(10, 1, 60, 1).unwrap() < 2.0);
        // Shapes with an empty side have no similarity.
        assert_eq!(s.z(10, 1, 10, 0), None);
    }

    #[test]
    fn without_samples_no_scale_and_a_yes_no_similarity_still_tells() {
        let sim = SimilarityFn {
            name: "t",
            f: |_: Range<usize>, _: Range<usize>| None,
        };
        assert!(Standardised::new(&sim, 100, 100).is_none());
        let sim = SimilarityFn {
            name: "t",
            f: |_: Range<usize>, _: Range<usize>| Some(0.5),
        };
        assert!(Standardised::new(&sim, 0, 100).is_none());
        // A yes/no similarity: unrelated pairs all alike, still a scale.
        let yes_no = SimilarityFn {
            name: "t",
            f: |a: Range<usize>, b: Range<usize>| Some(if a.start == b.start { 0.8 } else { 0.2 }),
        };
        let s = Standardised::new(&yes_no, 100, 100).unwrap();
        assert!(s.z(5, 1, 5, 1).unwrap() > 100.0);
        assert_eq!(s.z(5, 1, 50, 1), Some(0.0));
    }
}
