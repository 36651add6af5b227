//! The decoder's f32 linear layers (`Precision::F32`): a product for the few rows of a
//! decoding step, the weights packed 16 output columns at a time and each row's inputs
//! broadcast against them, one fused multiply-add giving eight columns at once — the
//! layout of `int8.rs`, in single precision.
//!
//! candle's `matmul` (the `gemm` crate) is built for many rows; at a decoding step's 16 it
//! ran 16 × 512 × 2048 in 1.12 ms and 16 × 512 × 58101 in 38 ms on one thread
//! (`marian_speed --kernels`), a third of the core's multiply-add rate. Sums are in f32 in
//! the order of the inputs, so the logits stay within the reference's (tests/marian.rs).

use super::panels::{self, SharedOut, LANES, MR, NR, VECS};
use candle_core::{Result, Tensor};

/// A linear layer's f32 weights packed for the kernel.
#[derive(Clone, Debug)]
pub struct PackedF32 {
    /// `[panel][input][NR columns]`, zeros past the last column.
    packed: Vec<f32>,
    /// Per output column (padded to whole panels).
    bias: Vec<f32>,
    in_dim: usize,
    out_dim: usize,
}

impl PackedF32 {
    /// Packs a weight matrix (out, in), row-major, with an optional bias (out).
    pub fn new(weight: &[f32], out_dim: usize, in_dim: usize, bias: Option<&[f32]>) -> Self {
        let panels = out_dim.div_ceil(NR);
        let mut packed = vec![0f32; panels * in_dim * NR];
        for n in 0..out_dim {
            let (panel, col) = (n / NR, n % NR);
            for (k, &v) in weight[n * in_dim..(n + 1) * in_dim].iter().enumerate() {
                packed[(panel * in_dim + k) * NR + col] = v;
            }
        }
        let mut b = vec![0f32; panels * NR];
        if let Some(bias) = bias {
            b[..out_dim].copy_from_slice(bias);
        }
        Self {
            packed,
            bias: b,
            in_dim,
            out_dim,
        }
    }

    /// Packs a candle weight (out, in) and bias (out).
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

    /// `x` (…, in) → (…, out).
    pub fn forward(&self, x: &Tensor) -> Result<Tensor> {
        x.apply_op1_no_bwd(self)
    }

    /// The product for `rows` contiguous input rows of `in_dim` values, plus the bias,
    /// into `out` (rows × out_dim).
    pub fn matmul(&self, x: &[f32], rows: usize, out: &mut [f32]) {
        // The output is written through a raw pointer below: these are hard checks.
        assert!(
            x.len() >= rows * self.in_dim && out.len() >= rows * self.out_dim,
            "f32 matmul: buffers too small"
        );
        let parallel = rows * self.in_dim * self.out_dim >= 1 << 16;
        // SAFETY: `out` holds rows × out_dim values (checked above), and each unit writes
        // only its rows in its panels' columns.
        unsafe {
            panels::for_each_unit(rows, self.out_dim, out, parallel, |rows, panels, dst| {
                self.panels(x, rows, panels, dst)
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
        x: &[f32],
        rows: std::ops::Range<usize>,
        panels: std::ops::Range<usize>,
        dst: &SharedOut,
    ) {
        let k = self.in_dim;
        let fma = crate::embed::has_avx2_fma();
        let mut sums = [[0f32; NR]; MR];
        for panel in panels {
            let w = &self.packed[panel * k * NR..(panel + 1) * k * NR];
            let first = panel * NR;
            let cols = NR.min(self.out_dim - first);
            let bias = &self.bias[first..first + NR];
            for r in rows.clone().step_by(MR) {
                let m = (rows.end - r).min(MR);
                tile(fma, &x[r * k..(r + m) * k], m, w, k, &mut sums);
                for (i, sums) in sums.iter().enumerate().take(m) {
                    let y = std::slice::from_raw_parts_mut(
                        dst.at((r + i) * self.out_dim + first),
                        cols,
                    );
                    for c in 0..cols {
                        y[c] = sums[c] + bias[c];
                    }
                }
            }
        }
    }
}

/// Sums of `m` (≤ MR) input rows (k values each) against one panel: `sums[row][column]`.
fn tile(fma: bool, x: &[f32], m: usize, w: &[f32], k: usize, sums: &mut [[f32; NR]; MR]) {
    assert!(x.len() >= m * k && w.len() >= k * NR && m <= MR);
    #[cfg(target_arch = "x86_64")]
    if fma {
        // SAFETY: AVX2 and FMA are present; `x` holds m rows of k values and `w` one panel
        // (asserted).
        unsafe {
            match m {
                4 => fma_tile::<4>(x, w, k, sums),
                3 => fma_tile::<3>(x, w, k, sums),
                2 => fma_tile::<2>(x, w, k, sums),
                _ => fma_tile::<1>(x, w, k, sums),
            }
        }
        return;
    }
    let _ = fma;
    portable_tile(x, m, w, k, sums);
}

fn portable_tile(x: &[f32], m: usize, w: &[f32], k: usize, sums: &mut [[f32; NR]; MR]) {
    for (i, sums) in sums.iter_mut().enumerate().take(m) {
        sums.fill(0.0);
        for (j, &xv) in x[i * k..(i + 1) * k].iter().enumerate() {
            for (s, &wv) in sums.iter_mut().zip(&w[j * NR..(j + 1) * NR]) {
                *s = xv.mul_add(wv, *s);
            }
        }
    }
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2,fma")]
unsafe fn fma_tile<const M: usize>(x: &[f32], w: &[f32], k: usize, sums: &mut [[f32; NR]; MR]) {
    use std::arch::x86_64::*;
    let mut acc = [[_mm256_setzero_ps(); VECS]; M];
    let xp = x.as_ptr();
    let wp = w.as_ptr();
    for j in 0..k {
        let w0 = _mm256_loadu_ps(wp.add(j * NR));
        let w1 = _mm256_loadu_ps(wp.add(j * NR + LANES));
        for (i, acc) in acc.iter_mut().enumerate() {
            let xb = _mm256_broadcast_ss(&*xp.add(i * k + j));
            acc[0] = _mm256_fmadd_ps(xb, w0, acc[0]);
            acc[1] = _mm256_fmadd_ps(xb, w1, acc[1]);
        }
    }
    for (i, acc) in acc.iter().enumerate() {
        for (v, a) in acc.iter().enumerate() {
            _mm256_storeu_ps(sums[i].as_mut_ptr().add(v * LANES), *a);
        }
    }
}

panels::row_linear_op!(PackedF32, "f32", "f32-linear");

#[cfg(test)]
mod tests {
    use super::*;
    use crate::translate::marian::panels::pseudo_random;

    /// The product equals the plain one, for every row count and for widths that are not
    /// multiples of the panel; the vector kernel gives the portable loop's sums.
    #[test]
    fn equals_the_plain_product() {
        for &(rows, k, n) in &[
            (1, 16, 2),
            (3, 40, 7),
            (9, 100, 33),
            (70, 33, 41),
            (17, 512, 300),
        ] {
            let w = pseudo_random(n * k, 1 + k as u64);
            let x = pseudo_random(rows * k, 7 + n as u64);
            let bias = pseudo_random(n, 3);
            let layer = PackedF32::new(&w, n, k, Some(&bias));
            let mut got = vec![0f32; rows * n];
            layer.matmul(&x, rows, &mut got);
            for r in 0..rows {
                for c in 0..n {
                    let want: f64 = (0..k)
                        .map(|j| x[r * k + j] as f64 * w[c * k + j] as f64)
                        .sum::<f64>()
                        + bias[c] as f64;
                    let g = got[r * n + c] as f64;
                    assert!(
                        (g - want).abs() <= 1e-5,
                        "rows {rows} k {k} n {n}: ({r}, {c}) {g} vs {want}"
                    );
                }
            }
            let m = rows.min(MR);
            let (mut a, mut b) = ([[0f32; NR]; MR], [[0f32; NR]; MR]);
            tile(
                crate::embed::has_avx2_fma(),
                &x[..m * k],
                m,
                &layer.packed[..k * NR],
                k,
                &mut a,
            );
            portable_tile(&x[..m * k], m, &layer.packed[..k * NR], k, &mut b);
            assert_eq!(&a[..m], &b[..m]);
        }
    }
}
