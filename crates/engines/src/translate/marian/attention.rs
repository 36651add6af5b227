//! Scaled dot-product attention as one operation, on projections laid out as they come out
//! of the linear layers: (batch, positions, heads × head_dim), heads side by side.
//!
//! candle's way costs, per attention, four head-splitting copies, a batched matrix product
//! that runs one small `gemm` call per (row, head) — 128 calls at batch 16 with 8 heads,
//! each with its dispatch overhead for a 1 × 64 × t product when decoding — a mask add, a
//! softmax and a second batched product. Here each (row, head) is one pass over its keys and
//! values, with no copies; padding is left out by each row's key count instead of an
//! additive mask (the same result: the mask's f32::MIN makes those weights exactly zero).

use crate::embed::fast_exp;
use crate::packed::SharedOut;
use candle_core::{CpuStorage, CustomOp3, Layout, Result, Shape, Tensor};

/// Attention of queries over keys and values, all (batch, positions, heads × head_dim).
#[derive(Clone, Debug)]
pub struct Attend {
    pub heads: usize,
    /// Multiplies the scores (1/√head_dim).
    pub scaling: f32,
    /// Keys each batch row may attend to (the rest is padding); `None`: all of them.
    pub key_lengths: Option<Vec<usize>>,
    /// Keys and values laid out head by head within each batch row, (batch, heads,
    /// positions, head_dim), rather than as the projections give them: each (row, head)
    /// then reads one contiguous block. The cross-attention's, built once per batch, are;
    /// at batch 16 they are 43 MB for the six layers, streamed from memory at every step.
    pub heads_first: bool,
}

impl Attend {
    /// `q` (b, tq, d), `k` and `v` (b, tk, d) → (b, tq, d).
    pub fn forward(&self, q: &Tensor, k: &Tensor, v: &Tensor) -> Result<Tensor> {
        q.apply_op3_no_bwd(k, v, self)
    }
}

fn contiguous<'a>(storage: &'a CpuStorage, layout: &Layout, what: &str) -> Result<&'a [f32]> {
    let CpuStorage::F32(data) = storage else {
        candle_core::bail!("attention {what}: f32 expected");
    };
    match layout.contiguous_offsets() {
        Some((start, end)) => Ok(&data[start..end]),
        None => candle_core::bail!("attention {what}: contiguous layout expected"),
    }
}

impl CustomOp3 for Attend {
    fn name(&self) -> &'static str {
        "attend"
    }

    fn cpu_fwd(
        &self,
        qs: &CpuStorage,
        ql: &Layout,
        ks: &CpuStorage,
        kl: &Layout,
        vs: &CpuStorage,
        vl: &Layout,
    ) -> Result<(CpuStorage, Shape)> {
        let (b, tq, d) = ql.shape().dims3()?;
        let (kb, tk, kd) = kl.shape().dims3()?;
        if kl.shape() != vl.shape() || kb != b || kd != d || self.heads == 0 || d % self.heads != 0
        {
            candle_core::bail!(
                "attention shapes do not fit: q {:?}, k {:?}, v {:?}, {} heads",
                ql.shape(),
                kl.shape(),
                vl.shape(),
                self.heads
            );
        }
        if let Some(l) = &self.key_lengths {
            if l.len() != b {
                candle_core::bail!("{} key lengths for a batch of {b}", l.len());
            }
        }
        let (q, k, v) = (
            contiguous(qs, ql, "queries")?,
            contiguous(ks, kl, "keys")?,
            contiguous(vs, vl, "values")?,
        );
        let hd = d / self.heads;
        let mut out = vec![0f32; b * tq * d];
        let dst = SharedOut::new(&mut out);
        let unit = |u: usize, scores: &mut Vec<f32>| {
            let (row, head) = (u / self.heads, u % self.heads);
            let keys = self
                .key_lengths
                .as_ref()
                .map_or(tk, |l| l[row].clamp(1, tk));
            scores.resize(keys, 0.0);
            let (kv_base, key_step) = if self.heads_first {
                (row * tk * d + head * tk * hd, hd)
            } else {
                (row * tk * d + head * hd, d)
            };
            for i in 0..tq {
                let qv = &q[(row * tq + i) * d + head * hd..][..hd];
                let mut max = f32::NEG_INFINITY;
                for (t, s) in scores.iter_mut().enumerate() {
                    let kt = &k[kv_base + t * key_step..][..hd];
                    *s = dot(qv, kt) * self.scaling;
                    max = max.max(*s);
                }
                let mut sum = 0f32;
                for s in scores.iter_mut() {
                    *s = fast_exp(*s - max);
                    sum += *s;
                }
                let inv = 1.0 / sum;
                // SAFETY: this unit alone writes row `row`'s head `head` slices.
                let o = unsafe {
                    std::slice::from_raw_parts_mut(dst.at((row * tq + i) * d + head * hd), hd)
                };
                o.fill(0.0);
                for (t, &s) in scores.iter().enumerate() {
                    let p = s * inv;
                    let vt = &v[kv_base + t * key_step..][..hd];
                    o.iter_mut().zip(vt).for_each(|(o, &x)| *o += p * x);
                }
            }
        };
        let units = b * self.heads;
        if b * tq * tk * d < 1 << 18 {
            let mut scores = Vec::with_capacity(tk);
            (0..units).for_each(|u| unit(u, &mut scores));
        } else {
            use rayon::prelude::*;
            (0..units)
                .into_par_iter()
                .for_each_init(|| Vec::with_capacity(tk), |scores, u| unit(u, scores));
        }
        Ok((CpuStorage::F32(out), Shape::from((b, tq, d))))
    }
}

/// Dot product in eight partial sums (vectorises; the order differs from a plain loop's only
/// in rounding).
fn dot(a: &[f32], b: &[f32]) -> f32 {
    let mut lanes = [0f32; 8];
    let mut ca = a.chunks_exact(8);
    let mut cb = b.chunks_exact(8);
    for (x, y) in (&mut ca).zip(&mut cb) {
        for ((l, &x), &y) in lanes.iter_mut().zip(x).zip(y) {
            *l += x * y;
        }
    }
    let tail: f32 = ca
        .remainder()
        .iter()
        .zip(cb.remainder())
        .map(|(x, y)| x * y)
        .sum();
    lanes.iter().sum::<f32>() + tail
}

#[cfg(test)]
mod tests {
    use super::*;
    use candle_core::{Device, D};

    #[test]
    fn fast_exp_is_within_a_few_ulp_of_libm() {
        for i in 0..=100_000 {
            let x = -87.0 * i as f32 / 100_000.0;
            let (got, want) = (fast_exp(x), x.exp());
            assert!(
                (got - want).abs() <= 3.0 * f32::EPSILON * want,
                "exp({x}): {got} vs {want}"
            );
        }
    }

    /// The same numbers as candle's head-split attention with an additive padding mask.
    #[test]
    fn equals_the_head_split_attention_with_a_mask() {
        let dev = Device::Cpu;
        let (b, tq, tk, heads, hd) = (3, 2, 5, 4, 8);
        let d = heads * hd;
        let q = Tensor::randn(0f32, 1.0, (b, tq, d), &dev).unwrap();
        let k = Tensor::randn(0f32, 1.0, (b, tk, d), &dev).unwrap();
        let v = Tensor::randn(0f32, 1.0, (b, tk, d), &dev).unwrap();
        let lengths = vec![5, 3, 1];
        let scaling = (hd as f32).powf(-0.5);
        let got = Attend {
            heads,
            scaling,
            key_lengths: Some(lengths.clone()),
            heads_first: false,
        }
        .forward(&q, &k, &v)
        .unwrap();
        // The same keys and values laid out head by head give the same result.
        let heads_first = |x: &Tensor| {
            x.reshape((b, tk, heads, hd))
                .unwrap()
                .transpose(1, 2)
                .unwrap()
                .contiguous()
                .unwrap()
                .reshape((b, tk, d))
                .unwrap()
        };
        let got_heads_first = Attend {
            heads,
            scaling,
            key_lengths: Some(lengths.clone()),
            heads_first: true,
        }
        .forward(&q, &heads_first(&k), &heads_first(&v))
        .unwrap();
        let same = (&got - &got_heads_first)
            .unwrap()
            .abs()
            .unwrap()
            .max_all()
            .unwrap()
            .to_scalar::<f32>()
            .unwrap();
        assert_eq!(same, 0.0);
        let split = |x: &Tensor, t: usize| {
            x.reshape((b, t, heads, hd))
                .unwrap()
                .transpose(1, 2)
                .unwrap()
                .contiguous()
                .unwrap()
        };
        let mask: Vec<f32> = lengths
            .iter()
            .flat_map(|&l| (0..tk).map(move |j| if j < l { 0.0 } else { f32::MIN }))
            .collect();
        let mask = Tensor::from_vec(mask, (b, 1, 1, tk), &dev).unwrap();
        let scores = (split(&q, tq) * scaling as f64)
            .unwrap()
            .matmul(&split(&k, tk).t().unwrap())
            .unwrap()
            .broadcast_add(&mask)
            .unwrap();
        let probs = candle_nn::ops::softmax(&scores, D::Minus1).unwrap();
        let want = probs
            .matmul(&split(&v, tk))
            .unwrap()
            .transpose(1, 2)
            .unwrap()
            .reshape((b, tq, d))
            .unwrap();
        let diff = (got - want)
            .unwrap()
            .abs()
            .unwrap()
            .max_all()
            .unwrap()
            .to_scalar::<f32>()
            .unwrap();
        assert!(diff < 1e-5, "largest difference {diff}");
    }
}
