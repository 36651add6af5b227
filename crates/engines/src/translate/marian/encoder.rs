//! The Marian encoder on sentences packed end to end, in f32: the linear layers, layer
//! norms and activations see only real tokens (no padding rows), and attention runs per
//! sentence and head over the sentence's own tokens.
//!
//! Every matrix product is `gemm`'s (the kernel candle's `matmul` runs) called directly on
//! plain slices, split over rayon's threads; biases and residuals are written into the
//! product's destination first and the product adds onto them, and the activation and the
//! layer norms are one pass each over the rows. candle's way, used before, padded each
//! group of sentences to its longest, split heads with four copies per attention, ran one
//! thread-synchronised product per (sentence, head), added biases, masks, residuals and
//! positions in passes of their own (each a new buffer, through candle's barrier pool), and
//! computed swish's and softmax's `exp` through libm one value at a time.
//!
//! The encoder stays f32 in both precisions: its products have hundreds of rows, where f32
//! `gemm` runs at the core's peak and this crate's int8 kernel (16-bit multiply-adds, the
//! same 16 products per instruction as f32's fused multiply-add) does not beat it
//! (512 × 512 × 2048 on one thread: 12.6 ms f32, 18.7 ms int8, `marian_speed --kernels`).

use super::profile::{self, Op};
use crate::embed::{fast_exp, softmax};
use crate::packed::{Dense, Norm};
use candle_core::{Device, Result, Tensor};
use candle_nn::{Activation, VarBuilder};
use rayon::prelude::*;

#[derive(Clone, Debug)]
struct Layer {
    qkv: Dense,
    out: Dense,
    attn_norm: Norm,
    fc1: Dense,
    fc2: Dense,
    ffn_norm: Norm,
}

/// Where a sentence's tokens lie in the packed rows.
#[derive(Clone, Copy, Debug)]
pub struct Span {
    pub start: usize,
    pub len: usize,
}

/// The encoder's layers.
#[derive(Clone, Debug)]
pub(super) struct PackedEncoder {
    layers: Vec<Layer>,
    d: usize,
    heads: usize,
    act: Activation,
}

impl PackedEncoder {
    /// Loads `model.encoder.layers.*` (the `transformers` names).
    pub(super) fn load(
        vb: VarBuilder,
        layers: usize,
        d: usize,
        heads: usize,
        ffn: usize,
        act: Activation,
    ) -> Result<Self> {
        if heads == 0 || d % heads != 0 {
            candle_core::bail!("{d} model dimensions do not split into {heads} heads");
        }
        let layers = (0..layers)
            .map(|i| {
                let l = vb.pp(i);
                let a = l.pp("self_attn");
                Ok(Layer {
                    qkv: Dense::load_side_by_side(
                        &[a.pp("q_proj"), a.pp("k_proj"), a.pp("v_proj")],
                        d,
                        d,
                    )?,
                    out: Dense::load_side_by_side(&[a.pp("out_proj")], d, d)?,
                    attn_norm: Norm::load(l.pp("self_attn_layer_norm"), d, 1e-5)?,
                    fc1: Dense::load_side_by_side(&[l.pp("fc1")], d, ffn)?,
                    fc2: Dense::load_side_by_side(&[l.pp("fc2")], ffn, d)?,
                    ffn_norm: Norm::load(l.pp("final_layer_norm"), d, 1e-5)?,
                })
            })
            .collect::<Result<Vec<_>>>()?;
        Ok(Self {
            layers,
            d,
            heads,
            act,
        })
    }

    /// Runs every layer over `x` (the packed rows' embeddings, rows × d_model).
    pub(super) fn forward(&self, mut x: Vec<f32>, spans: &[Span]) -> Result<Vec<f32>> {
        for layer in &self.layers {
            x = self.layer(layer, x, spans)?;
        }
        Ok(x)
    }

    /// One post-norm block: `h = norm(x + attention(x))`, `norm(h + ffn(h))`.
    fn layer(&self, layer: &Layer, x: Vec<f32>, spans: &[Span]) -> Result<Vec<f32>> {
        let d = self.d;
        let rows = x.len() / d;
        let products = || profile::scope(Op::EncoderProducts);
        let others = || profile::scope(Op::Encoder);
        let time = products();
        let qkv = layer.qkv.forward(&x, rows, None);
        drop(time);
        let context = self.attention(&qkv, spans, rows);
        drop(qkv);
        let time = products();
        let mut h = layer.out.forward(&context, rows, Some(&x));
        drop((time, context, x));
        let time = others();
        layer.attn_norm.apply(&mut h);
        drop(time);
        let time = products();
        let mut inner = layer.fc1.forward(&h, rows, None);
        drop(time);
        let time = others();
        self.activate(&mut inner)?;
        drop(time);
        let time = products();
        let mut out = layer.fc2.forward(&inner, rows, Some(&h));
        drop(time);
        let _time = others();
        layer.ffn_norm.apply(&mut out);
        Ok(out)
    }

    /// The feed-forward activation in place: swish and ReLU as loops that vectorise, others
    /// through candle.
    fn activate(&self, x: &mut Vec<f32>) -> Result<()> {
        match self.act {
            Activation::Swish | Activation::Silu => {
                x.par_chunks_mut(4096).for_each(|c| {
                    c.iter_mut().for_each(|v| *v /= 1.0 + fast_exp(-*v));
                });
            }
            Activation::Relu => x.par_chunks_mut(4096).for_each(|c| {
                c.iter_mut().for_each(|v| *v = v.max(0.0));
            }),
            act => {
                let t = Tensor::from_vec(std::mem::take(x), x.len(), &Device::Cpu)?;
                *x = t.apply(&act)?.to_vec1()?;
            }
        }
        Ok(())
    }

    /// Self-attention of every sentence over its own tokens: `qkv` holds each token's
    /// query, key and value side by side (rows × 3·d); returns the context (rows × d).
    fn attention(&self, qkv: &[f32], spans: &[Span], rows: usize) -> Vec<f32> {
        let _time = profile::scope(Op::EncoderAttention);
        let d = self.d;
        let mut context = vec![0f32; rows * d];
        assert!(
            qkv.len() == rows * 3 * d && spans.iter().all(|s| s.start + s.len <= rows),
            "encoder attention: spans outside the packed rows"
        );
        // Longest sentences first, so that a long one does not start last.
        let mut units: Vec<(Span, usize)> = spans
            .iter()
            .flat_map(|&s| (0..self.heads).map(move |h| (s, h)))
            .collect();
        units.sort_by_key(|(s, _)| std::cmp::Reverse(s.len));
        let dst = SharedOut(context.as_mut_ptr());
        let dim = d / self.heads;
        units
            .into_par_iter()
            .for_each_init(Vec::new, |scores, (span, head)| {
                // SAFETY: units are distinct (sentence, head) pairs, and each writes only
                // its sentence's rows at its head's columns; spans lie inside the rows
                // (asserted above).
                unsafe { attend_head(qkv, span, head, dim, d, &dst, scores) };
            });
        context
    }
}

/// The context buffer, written by several threads at disjoint places.
struct SharedOut(*mut f32);
// SAFETY: each (sentence, head) unit writes only its own rows' head columns.
unsafe impl Sync for SharedOut {}

impl SharedOut {
    /// Through a method, so closures capture the whole (Sync) wrapper, not the raw pointer.
    fn at(&self, offset: usize) -> *mut f32 {
        self.0.wrapping_add(offset)
    }
}

/// One head of one sentence: softmax(q·kᵀ / √d)·v into the head's columns of the
/// sentence's context rows.
///
/// # Safety
/// `out` points at the context (rows × d, rows covering the span), and no other thread
/// writes this span's rows at this head's columns.
unsafe fn attend_head(
    qkv: &[f32],
    s: Span,
    head: usize,
    dim: usize,
    d: usize,
    out: &SharedOut,
    scores: &mut Vec<f32>,
) {
    let stride = 3 * d;
    let n = s.len;
    if n == 0 {
        return;
    }
    let tokens = &qkv[s.start * stride..(s.start + n) * stride];
    let (q_at, k_at, v_at) = (head * dim, d + head * dim, 2 * d + head * dim);
    assert!(v_at + dim <= stride);
    scores.resize(n * n, 0.0);
    let scale = 1.0 / (dim as f32).sqrt();
    // SAFETY: queries and keys are rows 0..n of `tokens` at columns q_at..q_at + dim and
    // k_at..k_at + dim (< stride, asserted), scores are n × n.
    gemm::gemm(
        n,
        n,
        dim,
        scores.as_mut_ptr(),
        1,
        n as isize,
        false,
        tokens.as_ptr().add(q_at),
        1,
        stride as isize,
        tokens.as_ptr().add(k_at),
        stride as isize,
        1,
        0.0,
        scale,
        false,
        false,
        false,
        gemm::Parallelism::None,
    );
    for row in scores.chunks_mut(n) {
        softmax(row);
    }
    // SAFETY: the output is rows s.start..s.start + n of the context (the caller's
    // contract) at columns head·dim..(head + 1)·dim ≤ d; values are rows of `tokens`.
    gemm::gemm(
        n,
        dim,
        n,
        out.at(s.start * d + head * dim),
        1,
        d as isize,
        false,
        scores.as_ptr(),
        1,
        n as isize,
        tokens.as_ptr().add(v_at),
        1,
        stride as isize,
        0.0,
        1.0,
        false,
        false,
        false,
        gemm::Parallelism::None,
    );
}
