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
use candle_core::{DType, Device, Result, Tensor};
use candle_nn::{Activation, VarBuilder};
use rayon::prelude::*;

/// Rows handed to a thread at a time by the row-wise passes (bias, activation, layer norm).
const ROWS_PER_TASK: usize = 16;

/// A dense f32 layer for many rows: the weight transposed, (in, out), row-major, as `gemm`
/// reads it in place; the bias apart, written into the destination before the product.
#[derive(Clone, Debug)]
pub(super) struct Dense {
    w_t: Vec<f32>,
    bias: Vec<f32>,
    in_dim: usize,
}

impl Dense {
    /// Several layers reading the same input as one, their outputs side by side (query, key
    /// and value become one (in, 3 × out) product). Each part: weight (out, in) and bias.
    pub(super) fn load_side_by_side(
        vbs: &[VarBuilder],
        in_dim: usize,
        out_dim: usize,
    ) -> Result<Self> {
        let mut weights = Vec::with_capacity(vbs.len());
        let mut bias = Vec::with_capacity(vbs.len() * out_dim);
        for vb in vbs {
            weights.push(vb.get((out_dim, in_dim), "weight")?.to_dtype(DType::F32)?);
            bias.extend(
                vb.get(out_dim, "bias")?
                    .to_dtype(DType::F32)?
                    .to_vec1::<f32>()?,
            );
        }
        let w_t = Tensor::cat(&weights, 0)?
            .t()?
            .contiguous()?
            .flatten_all()?
            .to_vec1::<f32>()?;
        Ok(Self { w_t, bias, in_dim })
    }

    pub(super) fn out_dim(&self) -> usize {
        self.bias.len()
    }

    /// `rows` rows of the bias plus `residual` (rows × out), if any: the destination a
    /// product then adds onto.
    fn start(&self, rows: usize, residual: Option<&[f32]>) -> Vec<f32> {
        let out = self.out_dim();
        let mut dst = vec![0f32; rows * out];
        dst.par_chunks_mut(out * ROWS_PER_TASK)
            .enumerate()
            .for_each(|(task, chunk)| {
                for (r, row) in chunk.chunks_mut(out).enumerate() {
                    match residual {
                        Some(res) => {
                            let at = (task * ROWS_PER_TASK + r) * out;
                            for ((d, b), x) in
                                row.iter_mut().zip(&self.bias).zip(&res[at..at + out])
                            {
                                *d = x + b;
                            }
                        }
                        None => row.copy_from_slice(&self.bias),
                    }
                }
            });
        dst
    }

    /// `x` (rows × in) times the weight, plus the bias and `residual` (rows × out) if given.
    pub(super) fn forward(&self, x: &[f32], rows: usize, residual: Option<&[f32]>) -> Vec<f32> {
        let out = self.out_dim();
        assert!(
            x.len() == rows * self.in_dim && residual.is_none_or(|r| r.len() == rows * out),
            "encoder product: {} inputs for {rows} rows of {}",
            x.len(),
            self.in_dim
        );
        let mut dst = self.start(rows, residual);
        if rows == 0 {
            return dst;
        }
        // SAFETY: dst is rows × out, x rows × in and w_t in × out, all row-major with the
        // strides given (asserted above and by construction).
        unsafe {
            gemm::gemm(
                rows,
                out,
                self.in_dim,
                dst.as_mut_ptr(),
                1,
                out as isize,
                true,
                x.as_ptr(),
                1,
                self.in_dim as isize,
                self.w_t.as_ptr(),
                1,
                out as isize,
                1.0,
                1.0,
                false,
                false,
                false,
                gemm::Parallelism::Rayon(rayon::current_num_threads()),
            );
        }
        dst
    }
}

/// A layer norm's scale and shift.
#[derive(Clone, Debug)]
struct Norm {
    weight: Vec<f32>,
    bias: Vec<f32>,
    eps: f32,
}

impl Norm {
    fn load(vb: VarBuilder, d: usize) -> Result<Self> {
        Ok(Self {
            weight: vb.get(d, "weight")?.to_dtype(DType::F32)?.to_vec1()?,
            bias: vb.get(d, "bias")?.to_dtype(DType::F32)?.to_vec1()?,
            eps: 1e-5,
        })
    }

    /// Normalises every row of `x` in place.
    fn apply(&self, x: &mut [f32]) {
        let d = self.weight.len();
        x.par_chunks_mut(d * ROWS_PER_TASK).for_each(|chunk| {
            for row in chunk.chunks_mut(d) {
                let n = d as f32;
                let mean = row.iter().sum::<f32>() / n;
                let var = row.iter().map(|v| (v - mean) * (v - mean)).sum::<f32>() / n;
                let inv = 1.0 / (var + self.eps).sqrt();
                for ((v, w), b) in row.iter_mut().zip(&self.weight).zip(&self.bias) {
                    *v = (*v - mean) * inv * w + b;
                }
            }
        });
    }
}

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
                    attn_norm: Norm::load(l.pp("self_attn_layer_norm"), d)?,
                    fc1: Dense::load_side_by_side(&[l.pp("fc1")], d, ffn)?,
                    fc2: Dense::load_side_by_side(&[l.pp("fc2")], ffn, d)?,
                    ffn_norm: Norm::load(l.pp("final_layer_norm"), d)?,
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
