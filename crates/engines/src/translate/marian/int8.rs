//! Int8 matrix products for the linear layers and the output projection
//! (`Precision::Int8`).
//!
//! Weights are quantized once, at load, per output column: `w ≈ q × scale`, `q` in
//! −127…127, `scale = max |w| / 127` of that column. Inputs are quantized per row at every
//! call the same way but to 13 bits (−4095…4095): the kernel multiplies 16-bit values
//! anyway, so the finer inputs cost nothing, and 32-bit sums of 4096 products of 13-bit and
//! 8-bit values cannot overflow. The products are summed exactly in integers and scaled
//! back: `y = Σ qx·qw × scale_x × scale_w + bias`.
//!
//! Rejected, measured: 8-bit inputs too (CTranslate2's `int8`): on the benchmark model the
//! logits cosine against f32 fell to 0.99794 (557 of 3,200 decoding steps under 0.999,
//! greedy output equal for 20 of 100 sentences), for no speed gain with this kernel.
//!
//! The kernel multiplies 16-bit pairs with AVX2's `vpmaddwd` (16 multiply-adds per
//! instruction, no saturation, unlike `vpmaddubsw`'s 8-bit form, which would need 7-bit
//! values or a sign trick on CPUs without VNNI). Weights stay int8 in memory, a quarter of
//! f32's traffic, stored pair of inputs by pair for 16 output columns at a time, and are
//! widened to 16 bits in registers; each row's pair of inputs is broadcast against them, so
//! one instruction gives eight columns' sums and nothing is summed across lanes at the end.
//! Without AVX2 a portable loop computes the same integers.
//!
//! Measured with `marian_speed --kernels` (ms per product, one thread, release build, AMD
//! EPYC Zen 3 without VNNI, machine shared, load average ~4 on 2 cores):
//!
//! | m × k × n          | f32 gemm | before: dot products | this kernel |
//! |--------------------|---------:|---------------------:|------------:|
//! | 16 × 512 × 2048    |     1.12 |                 0.43 |        0.37 |
//! | 16 × 2048 × 512    |     0.46 |                 0.48 |        0.43 |
//! | 16 × 512 × 58101   |    38.3  |                10.4  |        8.1  |
//! | 64 × 512 × 58101   |    53.2  |                46.3  |       29.6  |
//! | 512 × 512 × 2048   |    11.6  |                15.0  |       12.5  |
//!
//! Before, each accumulator held one (row, column) dot product over 16 inputs, summed
//! across lanes at the end; candle's q8_0 `QMatMul` (per-element `vec_dot` on AVX2) was
//! slower still (16 × 512 × 58101: 69 ms). At hundreds of rows f32 gemm is as fast (the
//! broadcasts and widenings share two of the core's four vector pipes with the additions),
//! hence the f32 encoder (`encoder.rs`).

use super::panels::{self, SharedOut, LANES, MR, NR, VECS};
use candle_core::{Result, Tensor};
use rayon::prelude::*;

/// A linear layer's weights quantized to int8, packed for the kernel.
#[derive(Clone, Debug)]
pub struct QuantLinear {
    /// `[panel][input pair][NR columns][2 inputs]`, zeros past the last column and input.
    packed: Vec<i8>,
    /// Per output column (padded to whole panels).
    scales: Vec<f32>,
    /// Per output column (padded to whole panels).
    bias: Vec<f32>,
    in_dim: usize,
    /// Input pairs: `in_dim` rounded up to even, halved.
    pairs: usize,
    out_dim: usize,
}

/// Largest quantized weight.
const W_MAX: f32 = 127.0;
/// Largest quantized input: 13 bits, so that a 32-bit sum of up to `MAX_INPUTS` products
/// with weights up to 127 stays below 2^31 (4096 × 4095 × 127 = 2.13e9 − 6e5).
const X_MAX: f32 = 4095.0;
/// Widest input for which `X_MAX` is safe; wider layers quantize their inputs more coarsely.
const MAX_INPUTS: usize = 4096;

/// Quantizes values to −limit…limit with one scale; returns the scale (1 for all zeros, NaN
/// when a value is not finite).
fn quantize_into<T: TryFrom<i32> + Default>(values: &[f32], out: &mut [T], limit: f32) -> f32 {
    // A NaN anywhere makes the scale NaN, so a broken input stays visible in the output.
    let max = values.iter().fold(0f32, |m, &v| {
        if v.abs() > m || v.is_nan() {
            v.abs()
        } else {
            m
        }
    });
    if max == 0.0 || !max.is_finite() {
        out.iter_mut().for_each(|o| *o = T::default());
        return if max.is_finite() { 1.0 } else { f32::NAN };
    }
    let scale = max / limit;
    let inv = limit / max;
    for (o, &v) in out.iter_mut().zip(values) {
        *o =
            T::try_from(round_ties_even((v * inv).clamp(-limit, limit)) as i32).unwrap_or_default();
    }
    scale
}

/// Rounds to the nearest integer, ties to even, for |x| < 2²²: adding and taking away
/// 1.5·2²³ leaves no fraction bits. The same as `f32::round_ties_even`, which on x86-64
/// without SSE4.1 is a call to libm's `rintf` per value (5 % of the int8 benchmark's time,
/// perf).
#[inline(always)]
fn round_ties_even(x: f32) -> f32 {
    const ROUND: f32 = 12_582_912.0;
    (x + ROUND) - ROUND
}

impl QuantLinear {
    /// Quantizes a weight matrix (out, in), row-major, with an optional bias (out).
    pub fn new(weight: &[f32], out_dim: usize, in_dim: usize, bias: Option<&[f32]>) -> Self {
        let pairs = in_dim.div_ceil(2);
        let panels = out_dim.div_ceil(NR);
        let mut packed = vec![0i8; panels * pairs * NR * 2];
        let mut scales = vec![0f32; panels * NR];
        let mut q = vec![0i8; in_dim];
        for n in 0..out_dim {
            scales[n] = quantize_into(&weight[n * in_dim..(n + 1) * in_dim], &mut q, W_MAX);
            let (panel, col) = (n / NR, n % NR);
            for (k, &v) in q.iter().enumerate() {
                packed[((panel * pairs + k / 2) * NR + col) * 2 + k % 2] = v;
            }
        }
        let mut b = vec![0f32; panels * NR];
        if let Some(bias) = bias {
            b[..out_dim].copy_from_slice(bias);
        }
        Self {
            packed,
            scales,
            bias: b,
            in_dim,
            pairs,
            out_dim,
        }
    }

    /// Quantizes a candle weight (out, in) and bias (out).
    pub fn from_tensors(weight: &Tensor, bias: Option<&Tensor>) -> Result<Self> {
        let (out_dim, in_dim) = weight.dims2()?;
        let w: Vec<f32> = weight
            .to_dtype(candle_core::DType::F32)?
            .flatten_all()?
            .to_vec1()?;
        let b: Option<Vec<f32>> = match bias {
            Some(b) => Some(
                b.to_dtype(candle_core::DType::F32)?
                    .flatten_all()?
                    .to_vec1()?,
            ),
            None => None,
        };
        if let Some(b) = &b {
            if b.len() != out_dim {
                candle_core::bail!(
                    "bias of {} values for a layer of {out_dim} outputs",
                    b.len()
                );
            }
        }
        Ok(Self::new(&w, out_dim, in_dim, b.as_deref()))
    }

    /// Several layers reading the same input as one, their outputs side by side (query, key
    /// and value become one product): each part a weight (out, in) and a bias.
    pub fn side_by_side(parts: &[(Tensor, Tensor)]) -> Result<Self> {
        let weights: Vec<&Tensor> = parts.iter().map(|(w, _)| w).collect();
        let biases: Vec<&Tensor> = parts.iter().map(|(_, b)| b).collect();
        Self::from_tensors(&Tensor::cat(&weights, 0)?, Some(&Tensor::cat(&biases, 0)?))
    }

    pub fn out_dim(&self) -> usize {
        self.out_dim
    }

    pub fn in_dim(&self) -> usize {
        self.in_dim
    }

    /// Largest quantized input value for this layer's width (see `X_MAX`).
    fn input_limit(&self) -> f32 {
        let k = self.pairs * 2;
        if k <= MAX_INPUTS {
            X_MAX
        } else {
            ((i32::MAX as f64 / (k as f64 * W_MAX as f64)).floor() as f32).clamp(1.0, X_MAX)
        }
    }

    /// Bytes of weights held.
    pub fn size_bytes(&self) -> usize {
        self.packed.len() + 4 * (self.scales.len() + self.bias.len())
    }

    /// `x` (…, in) → (…, out).
    pub fn forward(&self, x: &Tensor) -> Result<Tensor> {
        x.apply_op1_no_bwd(self)
    }

    /// The product for `rows` contiguous input rows of `in_dim` values, into `out`
    /// (rows × out_dim).
    pub fn matmul(&self, x: &[f32], rows: usize, out: &mut [f32]) {
        self.matmul_add(x, rows, None, out)
    }

    /// The product plus `residual` (rows × out_dim), if given, into `out`.
    pub fn matmul_add(&self, x: &[f32], rows: usize, residual: Option<&[f32]>, out: &mut [f32]) {
        // The output is written through a raw pointer below: these are hard checks.
        assert!(
            x.len() >= rows * self.in_dim
                && out.len() >= rows * self.out_dim
                && residual.is_none_or(|r| r.len() >= rows * self.out_dim),
            "int8 matmul: buffers too small"
        );
        let k_pad = self.pairs * 2;
        if k_pad == 0 {
            // No inputs: the bias (and residual) alone.
            for (r, y) in out.chunks_mut(self.out_dim).take(rows).enumerate() {
                y.copy_from_slice(&self.bias[..self.out_dim]);
                if let Some(res) = residual {
                    let at = r * self.out_dim;
                    y.iter_mut()
                        .zip(&res[at..at + self.out_dim])
                        .for_each(|(y, r)| *y += r);
                }
            }
            return;
        }
        let mut qx = vec![0i16; rows * k_pad];
        let mut sx = vec![0f32; rows];
        let limit = self.input_limit();
        let quantize = |(r, (q, s)): (usize, (&mut [i16], &mut f32))| {
            *s = quantize_into(
                &x[r * self.in_dim..(r + 1) * self.in_dim],
                &mut q[..self.in_dim],
                limit,
            );
        };
        let big = rows * self.in_dim * self.out_dim >= 1 << 16;
        if big && rows >= 64 {
            qx.par_chunks_mut(k_pad)
                .zip(sx.par_iter_mut())
                .enumerate()
                .for_each(quantize);
        } else {
            qx.chunks_mut(k_pad)
                .zip(sx.iter_mut())
                .enumerate()
                .for_each(quantize);
        }
        // SAFETY: `out` holds rows × out_dim values (checked above), and each unit writes
        // only its rows in its panels' columns.
        unsafe {
            panels::for_each_unit(rows, self.out_dim, out, big, |rows, panels, dst| {
                self.panels(&qx, &sx, rows, panels, residual, dst)
            })
        }
    }

    /// Computes the given panels for the given rows.
    ///
    /// # Safety
    /// `dst` points at rows × out_dim values, and no other thread writes these rows' values
    /// in these panels' columns.
    unsafe fn panels(
        &self,
        qx: &[i16],
        sx: &[f32],
        rows: std::ops::Range<usize>,
        panels: std::ops::Range<usize>,
        residual: Option<&[f32]>,
        dst: &SharedOut,
    ) {
        let k_pad = self.pairs * 2;
        let avx2 = has_avx2();
        let mut sums = [[0i32; NR]; MR];
        let panel_len = self.pairs * NR * 2;
        for panel in panels {
            let w = &self.packed[panel * panel_len..(panel + 1) * panel_len];
            let first = panel * NR;
            let cols = NR.min(self.out_dim - first);
            let (scales, bias) = (
                &self.scales[first..first + NR],
                &self.bias[first..first + NR],
            );
            for r in rows.clone().step_by(MR) {
                let m = (rows.end - r).min(MR);
                let x = &qx[r * k_pad..(r + m) * k_pad];
                tile(avx2, x, m, w, self.pairs, &mut sums);
                for (i, sums) in sums.iter().enumerate().take(m) {
                    let at = (r + i) * self.out_dim + first;
                    let s = sx[r + i];
                    let y = std::slice::from_raw_parts_mut(dst.at(at), cols);
                    for c in 0..cols {
                        y[c] = sums[c] as f32 * s * scales[c] + bias[c];
                    }
                    if let Some(res) = residual {
                        for (y, r) in y.iter_mut().zip(&res[at..at + cols]) {
                            *y += r;
                        }
                    }
                }
            }
        }
    }
}

fn has_avx2() -> bool {
    #[cfg(target_arch = "x86_64")]
    {
        std::is_x86_feature_detected!("avx2")
    }
    #[cfg(not(target_arch = "x86_64"))]
    {
        false
    }
}

/// Integer sums of `m` (≤ MR) input rows against one panel: `sums[row][column]`.
fn tile(avx2: bool, x: &[i16], m: usize, w: &[i8], pairs: usize, sums: &mut [[i32; NR]; MR]) {
    assert!(x.len() >= m * pairs * 2 && w.len() >= pairs * NR * 2 && m <= MR);
    #[cfg(target_arch = "x86_64")]
    if avx2 {
        // SAFETY: AVX2 is present; `x` holds m rows of 2 × pairs values and `w` one panel
        // (asserted).
        unsafe {
            match m {
                4 => avx2_tile::<4>(x, w, pairs, sums),
                3 => avx2_tile::<3>(x, w, pairs, sums),
                2 => avx2_tile::<2>(x, w, pairs, sums),
                _ => avx2_tile::<1>(x, w, pairs, sums),
            }
        }
        return;
    }
    let _ = avx2;
    portable_tile(x, m, w, pairs, sums);
}

fn portable_tile(x: &[i16], m: usize, w: &[i8], pairs: usize, sums: &mut [[i32; NR]; MR]) {
    let k_pad = pairs * 2;
    for (i, sums) in sums.iter_mut().enumerate().take(m) {
        let row = &x[i * k_pad..(i + 1) * k_pad];
        sums.fill(0);
        for (p, xs) in row.chunks_exact(2).enumerate() {
            let ws = &w[p * NR * 2..(p + 1) * NR * 2];
            for (c, s) in sums.iter_mut().enumerate() {
                *s += xs[0] as i32 * ws[2 * c] as i32 + xs[1] as i32 * ws[2 * c + 1] as i32;
            }
        }
    }
}

/// `M` rows against one panel: for each pair of inputs, the pair of each row broadcast
/// against the panel's columns (widened to 16 bits in registers), `vpmaddwd` giving eight
/// columns' sums at once; no horizontal sums at the end.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
unsafe fn avx2_tile<const M: usize>(x: &[i16], w: &[i8], pairs: usize, sums: &mut [[i32; NR]; MR]) {
    use std::arch::x86_64::*;
    let k_pad = pairs * 2;
    let mut acc = [[_mm256_setzero_si256(); VECS]; M];
    let xp = x.as_ptr();
    let wp = w.as_ptr();
    for p in 0..pairs {
        let w0 = _mm256_cvtepi8_epi16(_mm_loadu_si128(wp.add(p * NR * 2) as *const __m128i));
        let w1 = _mm256_cvtepi8_epi16(_mm_loadu_si128(
            wp.add(p * NR * 2 + 2 * LANES) as *const __m128i
        ));
        for (i, acc) in acc.iter_mut().enumerate() {
            let pair = (xp.add(i * k_pad + 2 * p) as *const i32).read_unaligned();
            let xb = _mm256_set1_epi32(pair);
            acc[0] = _mm256_add_epi32(acc[0], _mm256_madd_epi16(xb, w0));
            acc[1] = _mm256_add_epi32(acc[1], _mm256_madd_epi16(xb, w1));
        }
    }
    for (i, acc) in acc.iter().enumerate() {
        for (v, a) in acc.iter().enumerate() {
            _mm256_storeu_si256(sums[i].as_mut_ptr().add(v * LANES) as *mut __m256i, *a);
        }
    }
}

panels::row_linear_op!(QuantLinear, "int8", "int8-linear");

#[cfg(test)]
mod tests {
    use super::*;
    use crate::translate::marian::panels::pseudo_random;

    /// The kernel's integer sums equal the plain ones, for every row count and for widths
    /// that are not multiples of the group or panel.
    #[test]
    fn integer_sums_are_exact_and_scaled_back() {
        for &(rows, k, n) in &[
            (1, 16, 2),
            (3, 40, 7),
            (4, 64, 8),
            (9, 100, 33),
            (17, 512, 5),
            (70, 33, 41),
            (130, 64, 300),
        ] {
            let w = pseudo_random(n * k, 1 + k as u64);
            let x = pseudo_random(rows * k, 7 + n as u64);
            let bias = pseudo_random(n, 3);
            let q = QuantLinear::new(&w, n, k, Some(&bias));
            let mut got = vec![0f32; rows * n];
            q.matmul(&x, rows, &mut got);
            // The same quantization by hand, then exact integer sums.
            let mut qw = vec![0i16; k];
            let mut qx = vec![0i16; k];
            for r in 0..rows {
                let sx = quantize_into(&x[r * k..(r + 1) * k], &mut qx, X_MAX);
                for c in 0..n {
                    let sw = quantize_into(&w[c * k..(c + 1) * k], &mut qw, W_MAX);
                    let sum: i32 = qx.iter().zip(&qw).map(|(&a, &b)| a as i32 * b as i32).sum();
                    let want = sum as f32 * sx * sw + bias[c];
                    let g = got[r * n + c];
                    assert!(
                        (g - want).abs() <= 1e-5 * want.abs().max(1.0),
                        "rows {rows} k {k} n {n}: ({r}, {c}) {g} vs {want}"
                    );
                    // Each factor is off by at most half a step (0.5 / 127 for values in ±0.5).
                    let exact: f32 =
                        (0..k).map(|j| x[r * k + j] * w[c * k + j]).sum::<f32>() + bias[c];
                    assert!(
                        (g - exact).abs() <= k as f32 * 0.5 / 127.0 + 1e-4,
                        "({r}, {c}) {g} far from f32 {exact}"
                    );
                }
            }
            // The portable loop gives the same integers as the AVX2 one.
            let mut a = [[0i32; NR]; MR];
            let mut b = [[0i32; NR]; MR];
            let kq = q.pairs * 2;
            let mut xq = vec![0i16; MR * kq];
            for r in 0..rows.min(MR) {
                quantize_into(&x[r * k..(r + 1) * k], &mut xq[r * kq..r * kq + k], X_MAX);
            }
            let m = rows.min(MR);
            let panel = &q.packed[..q.pairs * NR * 2];
            tile(has_avx2(), &xq[..m * kq], m, panel, q.pairs, &mut a);
            portable_tile(&xq[..m * kq], m, panel, q.pairs, &mut b);
            assert_eq!(&a[..m], &b[..m]);
            // With a residual, it is added.
            let residual = pseudo_random(rows * n, 11);
            let mut with = vec![0f32; rows * n];
            q.matmul_add(&x, rows, Some(&residual), &mut with);
            for ((w, g), r) in with.iter().zip(&got).zip(&residual) {
                assert!((w - (g + r)).abs() <= 1e-6, "{w} vs {g} + {r}");
            }
        }
    }

    #[test]
    fn rounding_equals_the_standard_library() {
        for i in -20_000..=20_000 {
            let x = i as f32 * 0.25 + (i % 7) as f32 * 1e-3;
            assert_eq!(round_ties_even(x), x.round_ties_even(), "{x}");
        }
        assert_eq!(round_ties_even(4095.0), 4095.0);
        assert_eq!(round_ties_even(-2.5), -2.0);
    }

    #[test]
    fn zero_and_non_finite_rows() {
        let q = QuantLinear::new(&[0.5, -0.25, 1.0, 0.0], 2, 2, None);
        let mut out = vec![9f32; 4];
        q.matmul(&[0.0, 0.0, 1.0, 2.0], 2, &mut out);
        assert_eq!(&out[..2], &[0.0, 0.0]);
        assert!(
            (out[2] - 0.0).abs() < 1e-2 && (out[3] - 1.0).abs() < 1e-2,
            "{out:?}"
        );
        q.matmul(&[f32::NAN, 1.0, 1.0, 1.0], 2, &mut out);
        assert!(out[0].is_nan(), "a NaN input stays visible: {out:?}");
    }
}
