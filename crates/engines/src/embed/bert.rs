//! The BERT encoder behind [`SentenceEmbedder`](super::SentenceEmbedder), run on sentences
//! packed end to end: the linear layers, layer norms and activations see only real tokens
//! (no padding rows at all), and attention runs per sentence over its own tokens, so a batch
//! of a 5-token and a 60-token sentence costs 65 tokens' work, not 120.
//!
//! The linear layers, layer norms and attention (per sentence and head) are
//! `crate::packed`'s, shared with Marian's encoder: `gemm` (the kernel candle's `matmul`
//! runs) called on plain slices, bias and residual written into the destination first.
//! Everything else between two products (GELU, pooling) is a loop over plain `f32` slices,
//! split over rayon's threads.
//! candle-transformers' `BertModel`, used before, pads every sentence of a batch to the
//! longest, runs one small thread-synchronised matrix product per sentence and head in
//! attention, and computes GELU's `erf` and softmax's `exp` one value at a time through
//! libm. Profiled on multilingual-e5-small (perf, dev profile, 100 corpus sentences): the
//! matrix kernel had 45 % of the time, `erff` and `expf` 15 %, thread barriers 5 %; now
//! (300 sentences, model load included) the kernel has 62 %, attention 7 %, GELU 6 %.
//!
//! Every value stays `f32`; `erf` and `exp` are polynomial approximations within 5e-7 of
//! libm's (`fast_erf`, `fast_exp`), so the vectors agree with `BertModel`'s to cosine
//! 0.999999 (tests below and in `tests/e5.rs`).

use crate::packed::{self, Dense, Norm, Span};
use candle_core::{Device, Result, Tensor};
use candle_nn::VarBuilder;
use candle_transformers::models::bert::{Config, HiddenAct};
use rayon::prelude::*;

/// Rows handed to a thread at a time by the row-wise loops (embeddings, GELU).
const ROWS_PER_TASK: usize = 32;

struct Layer {
    qkv: Dense,
    attention_out: Dense,
    attention_norm: Norm,
    intermediate: Dense,
    output: Dense,
    output_norm: Norm,
}

impl Layer {
    fn load(vb: VarBuilder, config: &Config) -> Result<Self> {
        let h = config.hidden_size;
        let inner = config.intermediate_size;
        let eps = config.layer_norm_eps as f32;
        let attention = vb.pp("attention");
        let own = attention.pp("self");
        let dense = |vb: VarBuilder, i, o| Dense::load_side_by_side(&[vb.pp("dense")], i, o);
        Ok(Layer {
            qkv: Dense::load_side_by_side(
                &[own.pp("query"), own.pp("key"), own.pp("value")],
                h,
                h,
            )?,
            attention_out: dense(attention.pp("output"), h, h)?,
            attention_norm: Norm::load(attention.pp("output").pp("LayerNorm"), h, eps)?,
            intermediate: dense(vb.pp("intermediate"), h, inner)?,
            output: dense(vb.pp("output"), inner, h)?,
            output_norm: Norm::load(vb.pp("output").pp("LayerNorm"), h, eps)?,
        })
    }
}

/// A BERT encoder (hub layout: `embeddings.*`, `encoder.layer.N.*`, optionally under
/// `bert.` or `<model_type>.`) that embeds packed sentences.
pub(crate) struct PackedBert {
    word_embeddings: Tensor,
    position_embeddings: Tensor,
    /// Token type 0's row: every token here is of type 0.
    token_type: Vec<f32>,
    embedding_norm: Norm,
    layers: Vec<Layer>,
    hidden: usize,
    heads: usize,
    act: HiddenAct,
    max_positions: usize,
}

impl PackedBert {
    pub(crate) fn load(vb: VarBuilder, config: &Config) -> Result<Self> {
        let vb = if vb.contains_tensor("bert.embeddings.word_embeddings.weight") {
            vb.pp("bert")
        } else {
            match &config.model_type {
                Some(t)
                    if vb.contains_tensor(&format!("{t}.embeddings.word_embeddings.weight")) =>
                {
                    vb.pp(t)
                }
                _ => vb,
            }
        };
        let h = config.hidden_size;
        let emb = vb.pp("embeddings");
        let layers = (0..config.num_hidden_layers)
            .map(|i| Layer::load(vb.pp("encoder").pp(format!("layer.{i}")), config))
            .collect::<Result<Vec<_>>>()?;
        let token_types = emb.get((config.type_vocab_size, h), "token_type_embeddings.weight")?;
        Ok(PackedBert {
            word_embeddings: emb.get((config.vocab_size, h), "word_embeddings.weight")?,
            position_embeddings: emb.get(
                (config.max_position_embeddings, h),
                "position_embeddings.weight",
            )?,
            token_type: token_types.get(0)?.to_vec1::<f32>()?,
            embedding_norm: Norm::load(emb.pp("LayerNorm"), h, config.layer_norm_eps as f32)?,
            layers,
            hidden: h,
            heads: config.num_attention_heads,
            act: config.hidden_act,
            max_positions: config.max_position_embeddings,
        })
    }

    /// Mean-pooled, L2-normalised vectors of `sentences` (token ids, at most the model's
    /// positions each), computed together.
    pub(crate) fn embed(&self, sentences: &[&[u32]]) -> Result<Vec<Vec<f32>>> {
        let mut spans = Vec::with_capacity(sentences.len());
        let mut ids = Vec::new();
        let mut positions = Vec::new();
        for s in sentences {
            let len = s.len().min(self.max_positions);
            spans.push(Span {
                start: ids.len(),
                len,
            });
            ids.extend_from_slice(&s[..len]);
            positions.extend(0..len as u32);
        }
        let rows = ids.len();
        if rows == 0 {
            return Ok(vec![vec![0.0; self.hidden]; sentences.len()]);
        }
        let mut x = self.embeddings(ids, positions)?;
        for layer in &self.layers {
            x = self.layer(layer, x, &spans)?;
        }
        Ok(spans.iter().map(|s| self.pool(&x, *s)).collect())
    }

    fn embeddings(&self, ids: Vec<u32>, positions: Vec<u32>) -> Result<Vec<f32>> {
        let rows = ids.len();
        let dev = Device::Cpu;
        let words = self
            .word_embeddings
            .index_select(&Tensor::from_vec(ids, rows, &dev)?, 0)?;
        let places = self
            .position_embeddings
            .index_select(&Tensor::from_vec(positions, rows, &dev)?, 0)?;
        let mut x = words.flatten_all()?.to_vec1::<f32>()?;
        let places = places.flatten_all()?.to_vec1::<f32>()?;
        let h = self.hidden;
        let (types, norm) = (&self.token_type, &self.embedding_norm);
        x.par_chunks_mut(h * ROWS_PER_TASK)
            .zip(places.par_chunks(h * ROWS_PER_TASK))
            .for_each(|(xs, ps)| {
                for (row, place) in xs.chunks_mut(h).zip(ps.chunks(h)) {
                    for ((v, p), t) in row.iter_mut().zip(place).zip(types) {
                        *v += p + t;
                    }
                    norm.row(row);
                }
            });
        Ok(x)
    }

    fn layer(&self, layer: &Layer, x: Vec<f32>, spans: &[Span]) -> Result<Vec<f32>> {
        let rows = x.len() / self.hidden;
        let qkv = layer.qkv.forward(&x, rows, None);
        let context = self.attention(&qkv, spans, rows);
        drop(qkv);
        let mut attended = layer.attention_out.forward(&context, rows, Some(&x));
        drop(x);
        layer.attention_norm.apply(&mut attended);
        let mut inner = layer.intermediate.forward(&attended, rows, None);
        let (act, wide) = (self.act, has_avx2_fma());
        inner
            .par_chunks_mut(layer.intermediate.out_dim() * ROWS_PER_TASK)
            .for_each(|chunk| activate(wide, chunk, act));
        let mut out = layer.output.forward(&inner, rows, Some(&attended));
        layer.output_norm.apply(&mut out);
        Ok(out)
    }

    /// Self-attention of every sentence over its own tokens ([`packed::attention`]).
    fn attention(&self, qkv: &[f32], spans: &[Span], rows: usize) -> Vec<f32> {
        packed::attention(qkv, spans, rows, self.hidden, self.heads)
    }

    fn pool(&self, x: &[f32], s: Span) -> Vec<f32> {
        let h = self.hidden;
        let mut mean = vec![0f32; h];
        for row in x[s.start * h..(s.start + s.len) * h].chunks(h) {
            for (m, v) in mean.iter_mut().zip(row) {
                *m += v;
            }
        }
        let n = s.len.max(1) as f32;
        for m in &mut mean {
            *m /= n;
        }
        let norm = mean.iter().map(|v| v * v).sum::<f32>().sqrt().max(1e-12);
        for m in &mut mean {
            *m /= norm;
        }
        mean
    }
}

/// Softmax of one row in place (`fast_exp` of the row less its largest value).
///
/// The largest value and the sum are kept in eight running lanes and the exponentials
/// computed in a loop of their own: a float sum carried from one element to the next
/// cannot be vectorised (its order is the result), and the loop with it ran `fast_exp`
/// one value at a time (6 % of embedding, perf). Where the CPU has AVX2 and FMA the same
/// loops are compiled for them (eight lanes wide, see [`activate`]).
pub(crate) fn softmax(xs: &mut [f32]) {
    #[cfg(target_arch = "x86_64")]
    if has_avx2_fma() {
        // SAFETY: AVX2 and FMA are present on this CPU.
        unsafe { softmax_avx2(xs) };
        return;
    }
    softmax_lanes(xs);
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2,fma")]
unsafe fn softmax_avx2(xs: &mut [f32]) {
    softmax_lanes(xs);
}

#[inline(always)]
fn softmax_lanes(xs: &mut [f32]) {
    const LANES: usize = 8;
    let mut max = [f32::NEG_INFINITY; LANES];
    let mut chunks = xs.chunks_exact(LANES);
    for c in &mut chunks {
        for (m, &v) in max.iter_mut().zip(c) {
            *m = if v > *m { v } else { *m };
        }
    }
    let max = chunks
        .remainder()
        .iter()
        .chain(&max)
        .fold(f32::NEG_INFINITY, |m, &v| if v > m { v } else { m });
    for v in xs.iter_mut() {
        *v = fast_exp(*v - max);
    }
    let mut sums = [0f32; LANES];
    let mut chunks = xs.chunks_exact(LANES);
    for c in &mut chunks {
        for (s, &v) in sums.iter_mut().zip(c) {
            *s += v;
        }
    }
    let sum: f32 = chunks.remainder().iter().sum::<f32>() + sums.iter().sum::<f32>();
    let inv = 1.0 / sum;
    for v in xs.iter_mut() {
        *v *= inv;
    }
}

fn activation(x: f32, act: HiddenAct) -> f32 {
    match act {
        HiddenAct::Gelu => gelu::<false>(x),
        HiddenAct::GeluApproximate => {
            // candle's `gelu`: the tanh form.
            let inner = (2.0 / std::f32::consts::PI).sqrt() * (x + 0.044715 * x * x * x);
            0.5 * x * (1.0 + inner.tanh())
        }
        HiddenAct::Relu => x.max(0.0),
    }
}

/// GELU with `erf`, its multiply-adds fused where `FMA` (see [`fast_erf`]).
#[inline(always)]
fn gelu<const FMA: bool>(x: f32) -> f32 {
    0.5 * x * (1.0 + fast_erf::<FMA>(x * std::f32::consts::FRAC_1_SQRT_2))
}

/// Whether this CPU runs AVX2 and FMA (asked once; the answer is cached by std).
pub(crate) fn has_avx2_fma() -> bool {
    #[cfg(target_arch = "x86_64")]
    {
        std::is_x86_feature_detected!("avx2") && std::is_x86_feature_detected!("fma")
    }
    #[cfg(not(target_arch = "x86_64"))]
    {
        false
    }
}

/// Applies the activation to every value of `chunk`. The build targets baseline x86-64,
/// where this loop ran four lanes wide with the multiplies and adds of `erf`'s polynomials
/// apart: 12 % of a cold direct-only analysis (perf). Where the CPU has AVX2 and FMA
/// (`wide`, asked once by the caller), the same loop is compiled for them: eight lanes,
/// fused multiply-adds.
fn activate(wide: bool, chunk: &mut [f32], act: HiddenAct) {
    #[cfg(target_arch = "x86_64")]
    if wide && act == HiddenAct::Gelu {
        // SAFETY: the caller found AVX2 and FMA on this CPU.
        unsafe { gelu_avx2(chunk) };
        return;
    }
    let _ = wide;
    for v in chunk {
        *v = activation(*v, act);
    }
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2,fma")]
unsafe fn gelu_avx2(chunk: &mut [f32]) {
    for v in chunk {
        *v = gelu::<true>(*v);
    }
}

/// `erf` as a rational function of x² on [−4, 4] (beyond, ±1 within 2e-8): the form and
/// coefficients of Eigen's and XLA's float `erf`. Within 4.2e-7 of the exact `erf` on
/// [−6, 6] (checked against f64 on 200,001 points); branch-free, so the compiler
/// vectorises the GELU loop, where libm's `erff` ran one value at a time.
///
/// With `FMA` its polynomials' multiply-adds are fused: only for a function compiled for
/// FMA, where `mul_add` is one instruction (elsewhere it calls libm's `fmaf`). Fused, each
/// step rounds once instead of twice.
#[inline(always)]
fn fast_erf<const FMA: bool>(x: f32) -> f32 {
    let madd = |a: f32, b: f32, c: f32| if FMA { a.mul_add(b, c) } else { a * b + c };
    const ALPHA: [f32; 7] = [
        -2.726_142_3e-10,
        2.770_681_4e-8,
        -2.101_024e-6,
        -5.692_506_4e-5,
        -7.349_906_3e-4,
        -2.954_6e-3,
        -1.609_603_3e-2,
    ];
    const BETA: [f32; 5] = [
        -1.456_607_2e-5,
        -2.133_740_6e-4,
        -1.682_827e-3,
        -7.373_329_2e-3,
        -1.426_473_9e-2,
    ];
    let x = x.clamp(-4.0, 4.0);
    let x2 = x * x;
    let mut p = ALPHA[0];
    for c in &ALPHA[1..] {
        p = madd(p, x2, *c);
    }
    let mut q = BETA[0];
    for c in &BETA[1..] {
        q = madd(q, x2, *c);
    }
    x * p / q
}

/// `exp` for softmax's arguments (≤ 0): 2ⁿ · e^r with |r| ≤ ln 2 / 2 and Cephes' degree-6
/// polynomial for e^r, within 2 ulp of libm's `expf`; arguments below −87 give 0 within
/// f32's range. Branch-free, so the compiler vectorises it.
#[inline(always)]
pub(crate) fn fast_exp(x: f32) -> f32 {
    // Adding and taking away 1.5·2²³ rounds to the nearest integer without a libm call.
    const ROUND: f32 = 12_582_912.0;
    let x = x.clamp(-87.0, 88.0);
    let n = (x * std::f32::consts::LOG2_E + ROUND) - ROUND;
    let r = x - n * 0.693_359_4 + n * 2.121_944_4e-4;
    let mut p = 1.987_569_1e-4;
    for c in [
        1.398_199_9e-3,
        8.333_452e-3,
        4.166_579_6e-2,
        1.666_666_5e-1,
        0.5,
    ] {
        p = p * r + c;
    }
    let e = p * r * r + r + 1.0;
    e * f32::from_bits(((n as i32 + 127) as u32) << 23)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// GELU with the exact `erf` (f64).
    fn exact_gelu(x: f32) -> f32 {
        // erf by its series (converges fast for |x| ≤ 4; beyond, erf is ±1 in f32)
        let z = f64::from(x) / std::f64::consts::SQRT_2;
        let erf = if z.abs() > 4.0 {
            z.signum()
        } else {
            let (mut term, mut sum) = (z, z);
            for n in 1..200 {
                term *= -z * z / n as f64;
                sum += term / (2 * n + 1) as f64;
            }
            sum * 2.0 / std::f64::consts::PI.sqrt()
        };
        (0.5 * f64::from(x) * (1.0 + erf)) as f32
    }

    #[test]
    fn gelu_agrees_with_the_exact_gelu_on_every_path() {
        let input: Vec<f32> = (0..2000).map(|i| -10.0 + i as f32 * 0.01).collect();
        for wide in [false, has_avx2_fma()] {
            let mut out = input.clone();
            activate(wide, &mut out, HiddenAct::Gelu);
            for (&y, &x) in out.iter().zip(&input) {
                let want = exact_gelu(x);
                assert!(
                    (y - want).abs() < 2e-6,
                    "wide {wide}: gelu({x}) = {y}, not {want}"
                );
            }
        }
    }

    #[test]
    fn softmax_matches_the_textbook_one_at_every_length() {
        for n in [1usize, 7, 8, 9, 50, 131] {
            let row: Vec<f32> = (0..n)
                .map(|i| ((i * 37 % 23) as f32 - 11.0) * 0.7)
                .collect();
            let max = row.iter().cloned().fold(f32::NEG_INFINITY, f32::max);
            let exps: Vec<f64> = row.iter().map(|&v| f64::from(v - max).exp()).collect();
            let total: f64 = exps.iter().sum();
            let mut got = row.clone();
            softmax(&mut got);
            for (g, e) in got.iter().zip(&exps) {
                assert!((f64::from(*g) - e / total).abs() < 1e-6, "n {n}: {got:?}");
            }
        }
    }

    #[test]
    fn fast_exp_is_within_a_few_ulp_of_libm() {
        let mut worst = 0f32;
        for i in 0..=200_000 {
            let x = -87.0 + 87.0 * i as f32 / 200_000.0;
            let want = x.exp();
            let got = fast_exp(x);
            worst = worst.max(((got - want) / want).abs());
        }
        assert!(worst < 4.0 * f32::EPSILON, "relative error {worst:e}");
        // Far below, clamped: a masked or hopeless score weighs (almost) nothing.
        assert_eq!(fast_exp(-1000.0), fast_exp(-87.0));
        assert!(fast_exp(-1000.0) < 1e-37);
    }

    #[test]
    fn fast_gelu_matches_candles_gelu_erf() {
        let xs: Vec<f32> = (0..=120_000).map(|i| -12.0 + i as f32 / 5_000.0).collect();
        let want = Tensor::new(xs.as_slice(), &Device::Cpu)
            .unwrap()
            .gelu_erf()
            .unwrap()
            .to_vec1::<f32>()
            .unwrap();
        for (x, w) in xs.iter().zip(want) {
            let got = activation(*x, HiddenAct::Gelu);
            assert!(
                (got - w).abs() <= 1e-6 * x.abs().max(1.0),
                "gelu({x}) = {got}, candle {w}"
            );
        }
    }
}
