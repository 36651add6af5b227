//! Cross-lingual similarity judged against the translation's own distribution: vectors of
//! some languages sit lower for every pair, so a raw cosine threshold would paint every
//! cell of such a language red. What tells is how unusual a pair is among its neighbours.

use serde::Serialize;

/// How unusual one pair's cosine is within its translation.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Unusual {
    /// Robust z: (cosine − median) / (1.4826 · MAD); −3.5 is far below the translation's
    /// usual pair. 0 where the cosines do not spread (all equal), NaN for a NaN cosine.
    pub z: f32,
    /// Share of the translation's pairs with a lower cosine (0 the lowest, ~1 the highest).
    pub percentile: f32,
}

/// Per pair, how unusual its cosine is among the translation's pairs (median and median
/// absolute deviation, so a few drifted pairs do not move the yardstick).
pub fn unusual(cosines: &[f32]) -> Vec<Unusual> {
    let mut sorted: Vec<f32> = cosines.iter().copied().filter(|c| c.is_finite()).collect();
    sorted.sort_by(f32::total_cmp);
    cosines
        .iter()
        .zip(robust_z(cosines))
        .map(|(&c, z)| {
            if !c.is_finite() {
                return Unusual {
                    z: f32::NAN,
                    percentile: f32::NAN,
                };
            }
            let below = sorted.partition_point(|&x| x < c);
            Unusual {
                z,
                percentile: below as f32 / sorted.len().max(1) as f32,
            }
        })
        .collect()
}

/// Robust z of each value among all of them: (x − median) / (1.4826 · MAD); 0 where the
/// values do not spread, NaN for a NaN value (left out of the median).
pub fn robust_z(values: &[f32]) -> Vec<f32> {
    robust_z_floored(values, 0.0)
}

/// [`robust_z`] with the spread taken as at least `floor`: where nearly every value is the
/// same, a small difference is not an outlier.
pub fn robust_z_floored(values: &[f32], floor: f32) -> Vec<f32> {
    let (median, spread) = median_and_spread(values);
    let spread = spread.max(floor);
    values
        .iter()
        .map(|&c| match (c.is_finite(), spread > 0.0) {
            (false, _) => f32::NAN,
            (true, true) => (c - median) / spread,
            (true, false) => 0.0,
        })
        .collect()
}

/// The median of the finite values and their spread, 1.4826 × their median absolute
/// deviation (the standard deviation, for normal values); (0, 0) for none.
pub fn median_and_spread(values: &[f32]) -> (f32, f32) {
    let mut sorted: Vec<f32> = values.iter().copied().filter(|c| c.is_finite()).collect();
    sorted.sort_by(f32::total_cmp);
    let median = median_of(&sorted);
    let mut deviations: Vec<f32> = sorted.iter().map(|c| (c - median).abs()).collect();
    deviations.sort_by(f32::total_cmp);
    (median, 1.4826 * median_of(&deviations))
}

/// The median of values already sorted (0 for none).
pub(super) fn median_of(sorted: &[f32]) -> f32 {
    match sorted.len() {
        0 => 0.0,
        n if n % 2 == 1 => sorted[n / 2],
        n => (sorted[n / 2 - 1] + sorted[n / 2]) / 2.0,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_language_with_lower_vectors_is_judged_by_its_own_yardstick() {
        let high = [0.91, 0.90, 0.92, 0.89, 0.90, 0.55];
        let low: Vec<f32> = high.iter().map(|c| c - 0.3).collect();
        let (h, l) = (unusual(&high), unusual(&low));
        for (a, b) in h.iter().zip(&l) {
            assert!((a.z - b.z).abs() < 1e-3);
        }
        // the ordinary pairs of the low language are not unusual; its drifted pair is
        assert!(l[..5].iter().all(|u| u.z.abs() < 2.0), "{l:?}");
        assert!(l[5].z < -3.5 && l[5].percentile == 0.0, "{l:?}");
    }

    #[test]
    fn degenerate_input() {
        assert!(unusual(&[]).is_empty());
        assert_eq!(unusual(&[0.5, 0.5])[0].z, 0.0);
        assert!(unusual(&[f32::NAN, 0.3])[0].z.is_nan());
    }
}
