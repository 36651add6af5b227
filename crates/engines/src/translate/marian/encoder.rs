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
use crate::embed::fast_exp;
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

pub use crate::packed::Span;

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

    /// Self-attention of every sentence over its own tokens ([`crate::packed::attention`]).
    fn attention(&self, qkv: &[f32], spans: &[Span], rows: usize) -> Vec<f32> {
        let _time = profile::scope(Op::EncoderAttention);
        crate::packed::attention(qkv, spans, rows, self.d, self.heads)
    }
}
