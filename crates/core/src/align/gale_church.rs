//! The classic Gale & Church (1993) length-based aligner, as a baseline: character
//! lengths, c = 1, s² = 6.8, their priors, beads 1-1, 1-0, 0-1, 2-1, 1-2, 2-2. The cost
//! of a bead follows the reference C implementation (as NLTK's `gale_church` does):
//! δ = (l₁·c − l₂) / √(s²·(l₁ + l₂/c)/2), cost = −ln(2·(1 − Φ(|δ|))·P(shape)).

use super::search::{best_path, Band};
use super::Bead;

pub const MEAN_RATIO: f64 = 1.0;
pub const VARIANCE: f64 = 6.8;
pub const SHAPES: [(usize, usize); 6] = [(1, 1), (1, 0), (0, 1), (2, 1), (1, 2), (2, 2)];
pub const PRIORS: [f64; 6] = [0.89, 0.0099, 0.0099, 0.089, 0.089, 0.011];

/// Aligns by character length alone.
pub fn align(original: &[&str], translation: &[&str]) -> Vec<Bead> {
    let a: Vec<f64> = original.iter().map(|s| s.chars().count() as f64).collect();
    let b: Vec<f64> = translation
        .iter()
        .map(|s| s.chars().count() as f64)
        .collect();
    let (rows, cols) = (a.len(), b.len());
    // The baseline is searched whole up to 16 M cells, else in a wide band around the
    // diagonal (it is a benchmark baseline, not the aligner Driftlens uses).
    let band = if (rows + 1) * (cols + 1) <= 1 << 24 {
        Band::full(rows, cols)
    } else {
        let width = rows.abs_diff(cols) + 200;
        Band::around(&[(0, 0), (rows, cols)], rows, cols, width)
    };
    let steps = best_path(rows, cols, &band, &SHAPES, &|i, m, j, n| {
        let l1: f64 = a[i..i + m].iter().sum();
        let l2: f64 = b[j..j + n].iter().sum();
        let t = SHAPES.iter().position(|&s| s == (m, n)).unwrap_or(0);
        bead_cost(l1, l2, PRIORS[t]) as f32
    });
    steps
        .into_iter()
        .map(|s| Bead {
            original: (s.i..s.i + s.m).collect(),
            translation: (s.j..s.j + s.n).collect(),
            cost: s.cost,
        })
        .collect()
}

/// −ln(2·(1 − Φ(|δ|))·prior).
pub fn bead_cost(l1: f64, l2: f64, prior: f64) -> f64 {
    let mean = (l1 + l2 / MEAN_RATIO) / 2.0;
    let delta = if mean > 0.0 {
        (l1 * MEAN_RATIO - l2) / (mean * VARIANCE).sqrt()
    } else {
        0.0
    };
    -(std::f64::consts::LN_2 + log_normal_sf(delta.abs()) + prior.ln())
}

/// ln(1 − Φ(x)) for x ≥ 0, accurate far into the tail.
pub fn log_normal_sf(x: f64) -> f64 {
    (0.5 * erfc(x / std::f64::consts::SQRT_2)).ln()
}

/// Complementary error function (Numerical Recipes' Chebyshev fit, relative error < 1.2e-7).
pub fn erfc(x: f64) -> f64 {
    let z = x.abs();
    let t = 1.0 / (1.0 + 0.5 * z);
    let r = t
        * (-z * z - 1.26551223
            + t * (1.00002368
                + t * (0.37409196
                    + t * (0.09678418
                        + t * (-0.18628806
                            + t * (0.27886807
                                + t * (-1.13520398
                                    + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))))))))
            .exp();
    if x >= 0.0 {
        r
    } else {
        2.0 - r
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn erfc_known_values() {
        assert!((erfc(0.0) - 1.0).abs() < 1e-7);
        assert!((erfc(1.0) - 0.157_299_207).abs() < 1e-7);
        assert!((erfc(3.0) / 2.209_049_699_858_544e-5 - 1.0).abs() < 1e-6);
    }

    #[test]
    fn equal_lengths_cost_little_and_priors_rank_shapes() {
        assert!(bead_cost(100.0, 100.0, 0.89) < 0.2);
        assert!(bead_cost(100.0, 100.0, 0.89) < bead_cost(100.0, 100.0, 0.089));
        assert!(bead_cost(100.0, 40.0, 0.89) > bead_cost(100.0, 95.0, 0.89));
    }
}
