//! Layers for sentences packed end to end (no padding rows), shared by the two encoders
//! that run on them: the sentence embedder's BERT (`embed::bert`, multilingual-e5-small and
//! MiniLM) and Marian's encoder (`translate::marian::encoder`). Every product is `gemm`'s
//! (the kernel candle's `matmul` runs) called directly on plain slices, split over rayon's
//! threads, with the bias and any residual written into the destination first; the layer
//! norm is one pass over the rows; self-attention runs per sentence and head over the
//! sentence's own tokens.

use crate::embed::softmax;
use candle_core::{DType, Result, Tensor};
use candle_nn::VarBuilder;
use rayon::prelude::*;

/// Rows handed to a thread at a time by the row-wise passes (bias, activation, layer norm).
const ROWS_PER_TASK: usize = 16;

/// A dense f32 layer for many rows: the weight transposed, (in, out), row-major, as `gemm`
/// reads it in place; the bias apart, written into the destination before the product.
#[derive(Clone, Debug)]
pub(crate) struct Dense {
    w_t: Vec<f32>,
    bias: Vec<f32>,
    in_dim: usize,
}

impl Dense {
    /// Several layers reading the same input as one, their outputs side by side (query, key
    /// and value become one (in, 3 × out) product). Each part: weight (out, in) and bias.
    pub(crate) fn load_side_by_side(
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

    pub(crate) fn out_dim(&self) -> usize {
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
    pub(crate) fn forward(&self, x: &[f32], rows: usize, residual: Option<&[f32]>) -> Vec<f32> {
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
pub(crate) struct Norm {
    weight: Vec<f32>,
    bias: Vec<f32>,
    eps: f32,
}

impl Norm {
    /// `weight` and `bias` of `d` values; `eps` is the model's (Marian 1e-5, BERT its
    /// config's `layer_norm_eps`).
    pub(crate) fn load(vb: VarBuilder, d: usize, eps: f32) -> Result<Self> {
        Ok(Self {
            weight: vb.get(d, "weight")?.to_dtype(DType::F32)?.to_vec1()?,
            bias: vb.get(d, "bias")?.to_dtype(DType::F32)?.to_vec1()?,
            eps,
        })
    }

    /// Normalises every row of `x` in place.
    pub(crate) fn apply(&self, x: &mut [f32]) {
        let d = self.weight.len();
        x.par_chunks_mut(d * ROWS_PER_TASK)
            .for_each(|chunk| chunk.chunks_mut(d).for_each(|row| self.row(row)));
    }

    /// Normalises one row to mean 0 and variance 1, then scales and shifts it.
    pub(crate) fn row(&self, row: &mut [f32]) {
        let n = row.len() as f32;
        let mean = row.iter().sum::<f32>() / n;
        let var = row.iter().map(|v| (v - mean) * (v - mean)).sum::<f32>() / n;
        let inv = 1.0 / (var + self.eps).sqrt();
        for ((v, w), b) in row.iter_mut().zip(&self.weight).zip(&self.bias) {
            *v = (*v - mean) * inv * w + b;
        }
    }
}

/// Where a sentence's tokens lie in the packed rows.
#[derive(Clone, Copy, Debug)]
pub struct Span {
    pub start: usize,
    pub len: usize,
}

/// Self-attention of every sentence over its own tokens: `qkv` holds each token's query, key
/// and value side by side (rows × 3·d, `heads` heads of d / heads columns each); returns
/// the context (rows × d). One unit of work per (sentence, head), longest sentences first
/// so that a long one does not start last; a single sentence still spreads its heads over
/// the threads (Marian at batch 1).
pub(crate) fn attention(
    qkv: &[f32],
    spans: &[Span],
    rows: usize,
    d: usize,
    heads: usize,
) -> Vec<f32> {
    let mut context = vec![0f32; rows * d];
    assert!(
        heads > 0
            && d % heads == 0
            && qkv.len() == rows * 3 * d
            && spans.iter().all(|s| s.start + s.len <= rows),
        "attention: spans outside the packed rows"
    );
    let mut units: Vec<(Span, usize)> = spans
        .iter()
        .flat_map(|&s| (0..heads).map(move |h| (s, h)))
        .collect();
    units.sort_by_key(|(s, _)| std::cmp::Reverse(s.len));
    let dst = SharedOut::new(&mut context);
    let dim = d / heads;
    units
        .into_par_iter()
        .for_each_init(Vec::new, |scores, (span, head)| {
            // SAFETY: units are distinct (sentence, head) pairs, and each writes only its
            // sentence's rows at its head's columns; spans lie inside the rows (asserted
            // above). Two spans that overlap would write the same places: the encoders'
            // spans are disjoint by construction.
            unsafe { attend_head(qkv, span, head, dim, d, &dst, scores) };
        });
    context
}

/// An output buffer written by several threads at disjoint places: the attention's context
/// here, Marian's decoder attention and its packed linear layers' products. Built only
/// from a `&mut` buffer that outlives the threads; every user writes through [`Self::at`]
/// only places no other thread writes (each says which in its SAFETY comment).
pub(crate) struct SharedOut(*mut f32);
// SAFETY: the threads write disjoint places (see above).
unsafe impl Sync for SharedOut {}

impl SharedOut {
    pub(crate) fn new(out: &mut [f32]) -> Self {
        SharedOut(out.as_mut_ptr())
    }

    /// Through a method, so closures capture the whole (Sync) wrapper, not the raw pointer.
    pub(crate) fn at(&self, offset: usize) -> *mut f32 {
        self.0.wrapping_add(offset)
    }
}

/// One head of one sentence: softmax(q·kᵀ / √d)·v into the head's columns of the
/// sentence's context rows. Both products are `gemm`'s on strided views of `qkv`, one
/// thread each: this crate's own loops are built at opt-level 1 in the dev profile, where a
/// hand-written product ran 40 % as long as all the linear layers together.
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
