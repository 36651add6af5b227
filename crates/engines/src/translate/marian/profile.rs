//! Where decoding time goes: wall time accumulated per operation of `generate`, switched on
//! by the environment variable `DRIFTLENS_MARIAN_PROFILE` (any value), read once per
//! process. Off, a timed scope costs one load of a cached flag and no clock reads, so the
//! scopes stay in the code; on, each costs two clock reads (~50 ns, under 0.1 % of a
//! decoding step). `benches/marian_speed.rs --profile` prints the table.
//!
//! CPU operations in candle are eager, so the time of a scope is the time of its work.

use std::sync::atomic::{AtomicU64, AtomicU8, Ordering};
use std::time::Instant;

/// The parts of `generate` that are timed. Scopes never nest, so the parts add up.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Op {
    /// Encoder: source embeddings and positions, activations, layer norms.
    Encoder,
    /// Encoder: the linear layers' products, with their bias and residual.
    EncoderProducts,
    /// Encoder: self-attention (scores, softmax, context) per sentence and head.
    EncoderAttention,
    /// Each decoder layer's cross-attention keys and values, once per batch.
    CrossKv,
    /// Target embeddings and positions, per step.
    Embed,
    /// Decoder self-attention with the cache: projections, cache append, scores, softmax,
    /// context, output projection, residual and layer norm.
    SelfAttn,
    /// Decoder cross-attention over the cached source keys and values, with residual and
    /// layer norm.
    CrossAttn,
    /// Decoder feed-forward block with residual and layer norm.
    Ffn,
    /// The output projection (d_model × target vocabulary) and its bias.
    OutProj,
    /// Copying logits out, the logits processors, log-softmax (beam search), argmax or top-k.
    Scores,
    /// Beam search's hypothesis lists and the decoder state's row selection.
    Bookkeeping,
}

impl Op {
    pub const ALL: [Op; 11] = [
        Op::Encoder,
        Op::EncoderProducts,
        Op::EncoderAttention,
        Op::CrossKv,
        Op::Embed,
        Op::SelfAttn,
        Op::CrossAttn,
        Op::Ffn,
        Op::OutProj,
        Op::Scores,
        Op::Bookkeeping,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Op::Encoder => "encoder: embeddings, activation, norms",
            Op::EncoderProducts => "encoder: linear layers (f32 gemm)",
            Op::EncoderAttention => "encoder: attention",
            Op::CrossKv => "cross-attention K/V (once per batch)",
            Op::Embed => "decoder embeddings",
            Op::SelfAttn => "self-attention with cache",
            Op::CrossAttn => "cross-attention",
            Op::Ffn => "feed-forward",
            Op::OutProj => "output projection",
            Op::Scores => "logits copy, processors, softmax/argmax",
            Op::Bookkeeping => "beam bookkeeping, row selection",
        }
    }
}

const N: usize = Op::ALL.len();
static NANOS: [AtomicU64; N] = [const { AtomicU64::new(0) }; N];
static CALLS: [AtomicU64; N] = [const { AtomicU64::new(0) }; N];
/// 0 = not read yet, 1 = off, 2 = on.
static STATE: AtomicU8 = AtomicU8::new(0);

/// Whether profiling is on (the environment variable is read the first time).
pub fn enabled() -> bool {
    match STATE.load(Ordering::Relaxed) {
        0 => {
            let on = std::env::var_os("DRIFTLENS_MARIAN_PROFILE").is_some();
            STATE.store(if on { 2 } else { 1 }, Ordering::Relaxed);
            on
        }
        s => s == 2,
    }
}

/// A timed scope: its time is added to `op` when it is dropped.
pub struct Scope {
    op: Op,
    start: Option<Instant>,
}

/// Starts timing `op` (does nothing when profiling is off).
#[inline]
pub fn scope(op: Op) -> Scope {
    Scope {
        op,
        start: enabled().then(Instant::now),
    }
}

impl Drop for Scope {
    fn drop(&mut self) {
        if let Some(start) = self.start {
            let i = self.op as usize;
            NANOS[i].fetch_add(start.elapsed().as_nanos() as u64, Ordering::Relaxed);
            CALLS[i].fetch_add(1, Ordering::Relaxed);
        }
    }
}

/// The time per operation since the last call (seconds, calls), and resets the counters.
pub fn take() -> Vec<(Op, f64, u64)> {
    Op::ALL
        .iter()
        .map(|&op| {
            (
                op,
                NANOS[op as usize].swap(0, Ordering::Relaxed) as f64 / 1e9,
                CALLS[op as usize].swap(0, Ordering::Relaxed),
            )
        })
        .collect()
}
