//! What the decoder's two packed linear layers share, f32 (`dense.rs`) and int8
//! (`int8.rs`): the weights' layout in panels of 16 output columns, the split of a product
//! into units of work (a block of input rows × a run of panels) run on rayon's threads, the
//! output those units write at disjoint places, and the candle op around a layer.

use candle_core::{CpuStorage, Layout, Result, Shape};
use rayon::prelude::*;
use std::ops::Range;

/// Output columns per vector: one fused multiply-add (f32) or `vpmaddwd` (int8) gives 8
/// columns' sums.
pub(super) const LANES: usize = 8;
/// Vectors of columns per panel.
pub(super) const VECS: usize = 2;
/// Output columns per panel.
pub(super) const NR: usize = LANES * VECS;
/// Input rows handled together by the micro-kernels (MR × VECS accumulators in registers).
pub(super) const MR: usize = 4;
/// Input rows per unit of work: their (quantized) values stay in the level-2 cache while
/// the unit sweeps its panels.
pub(super) const ROW_BLOCK: usize = 64;
/// Panels per unit of work handed to a thread.
pub(super) const PANELS_PER_UNIT: usize = 8;

/// A product's output, written by several threads at disjoint places: the units of
/// [`for_each_unit`] cover disjoint rectangles of it.
pub(super) use crate::packed::SharedOut;

/// Runs `work(rows, panels, out)` over the units of a `rows` × `out_dim` product: every
/// block of [`ROW_BLOCK`] rows against every run of [`PANELS_PER_UNIT`] panels, on rayon's
/// threads when `parallel` (rayon, not candle's barrier pool: a thread that has not
/// started waits for no one; see `model::on_pool`).
///
/// # Safety
/// `out` holds `rows × out_dim` values, and `work` writes only its rows' values in its
/// panels' columns (`out[r * out_dim + c]` for `r` in `rows`, `c` in the panels' columns
/// below `out_dim`).
pub(super) unsafe fn for_each_unit(
    rows: usize,
    out_dim: usize,
    out: &mut [f32],
    parallel: bool,
    work: impl Fn(Range<usize>, Range<usize>, &SharedOut) + Sync,
) {
    let panels = out_dim.div_ceil(NR);
    let chunks = panels.div_ceil(PANELS_PER_UNIT);
    let units = rows.div_ceil(ROW_BLOCK) * chunks;
    let dst = SharedOut::new(out);
    let unit = |unit: usize| {
        let (block, chunk) = (unit / chunks, unit % chunks);
        let first = chunk * PANELS_PER_UNIT;
        work(
            block * ROW_BLOCK..((block + 1) * ROW_BLOCK).min(rows),
            first..(first + PANELS_PER_UNIT).min(panels),
            &dst,
        );
    };
    if parallel {
        (0..units).into_par_iter().for_each(unit);
    } else {
        (0..units).for_each(unit);
    }
}

/// A linear layer over contiguous rows of f32 inputs, as the candle op runs it.
pub(super) trait RowLinear {
    /// Its name in errors: "f32", "int8".
    const KIND: &'static str;
    fn in_dim(&self) -> usize;
    fn out_dim(&self) -> usize;
    /// The product for `rows` rows of `in_dim` values into `out` (rows × out_dim).
    fn matmul(&self, x: &[f32], rows: usize, out: &mut [f32]);
}

/// Makes a packed layer type a [`RowLinear`] (its fields `in_dim`, `out_dim` and its
/// inherent `matmul`) and a candle `CustomOp1` named `$op` that runs it ([`linear_fwd`]).
/// A macro because candle's trait cannot be implemented for every `RowLinear` at once
/// (both are outside this module's type, and the orphan rule forbids it for a foreign
/// trait).
macro_rules! row_linear_op {
    ($layer:ty, $kind:literal, $op:literal) => {
        impl $crate::translate::marian::panels::RowLinear for $layer {
            const KIND: &'static str = $kind;
            fn in_dim(&self) -> usize {
                self.in_dim
            }
            fn out_dim(&self) -> usize {
                self.out_dim
            }
            fn matmul(&self, x: &[f32], rows: usize, out: &mut [f32]) {
                <$layer>::matmul(self, x, rows, out)
            }
        }

        impl candle_core::CustomOp1 for $layer {
            fn name(&self) -> &'static str {
                $op
            }

            fn cpu_fwd(
                &self,
                storage: &candle_core::CpuStorage,
                layout: &candle_core::Layout,
            ) -> candle_core::Result<(candle_core::CpuStorage, candle_core::Shape)> {
                $crate::translate::marian::panels::linear_fwd(self, storage, layout)
            }
        }
    };
}
pub(super) use row_linear_op;

/// The candle op's forward pass for a [`RowLinear`] layer: `x` (…, in) → (…, out).
pub(super) fn linear_fwd<L: RowLinear>(
    layer: &L,
    storage: &CpuStorage,
    layout: &Layout,
) -> Result<(CpuStorage, Shape)> {
    let CpuStorage::F32(data) = storage else {
        candle_core::bail!("the {} linear layer takes f32 inputs", L::KIND);
    };
    let dims = layout.shape().dims();
    let in_dim = *dims.last().unwrap_or(&0);
    if in_dim != layer.in_dim() {
        candle_core::bail!(
            "input of width {in_dim} for a layer of {} inputs",
            layer.in_dim()
        );
    }
    let Some((start, end)) = layout.contiguous_offsets() else {
        candle_core::bail!("the {} linear layer needs a contiguous input", L::KIND);
    };
    let rows = (end - start) / in_dim.max(1);
    let mut out = vec![0f32; rows * layer.out_dim()];
    layer.matmul(&data[start..end], rows, &mut out);
    let mut shape = dims.to_vec();
    if let Some(last) = shape.last_mut() {
        *last = layer.out_dim();
    }
    Ok((CpuStorage::F32(out), Shape::from(shape)))
}

/// Reproducible values in −0.5 … 0.5 for the kernels' tests.
#[cfg(test)]
pub(super) fn pseudo_random(n: usize, seed: u64) -> Vec<f32> {
    let mut s = seed;
    (0..n)
        .map(|_| {
            s = s
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            ((s >> 33) as f32 / (1u64 << 31) as f32) - 0.5
        })
        .collect()
}
