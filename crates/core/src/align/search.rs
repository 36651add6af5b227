//! The dynamic programme over a band of the alignment grid, and the coarse-to-fine search
//! that keeps that band narrow: memory and time grow with the number of sentences, not
//! with its square.
//!
//! Cell `(i, j)` is the best alignment of the first `i` original and the first `j`
//! translated units. A bead `(m, n)` ending there covers original units `i-m..i` and
//! translated units `j-n..j`.

/// The cells the programme may visit: for every row `i` (0..=rows) the columns `lo[i]..=hi[i]`,
/// both never decreasing, with `(0, 0)` and `(rows, cols)` inside.
#[derive(Debug, Clone)]
pub struct Band {
    pub lo: Vec<usize>,
    pub hi: Vec<usize>,
}

impl Band {
    pub fn full(rows: usize, cols: usize) -> Band {
        Band {
            lo: vec![0; rows + 1],
            hi: vec![cols; rows + 1],
        }
    }

    pub fn cells(&self) -> usize {
        self.lo.iter().zip(&self.hi).map(|(l, h)| h + 1 - l).sum()
    }

    /// A band of `width` columns either side of a path given by its corners.
    pub fn around(path: &[(usize, usize)], rows: usize, cols: usize, width: usize) -> Band {
        let mut lo = vec![usize::MAX; rows + 1];
        let mut hi = vec![0; rows + 1];
        for w in path.windows(2) {
            let ((i0, j0), (i1, j1)) = (w[0], w[1]);
            for r in i0.min(rows)..=i1.min(rows) {
                lo[r] = lo[r].min(j0.min(cols));
                hi[r] = hi[r].max(j1.min(cols));
            }
        }
        if path.len() == 1 {
            lo[0] = 0;
            hi[0] = 0;
        }
        for r in 0..=rows {
            if lo[r] == usize::MAX {
                // A row the path skipped (cannot happen for a connected path); stay safe.
                lo[r] = if r > 0 { lo[r - 1] } else { 0 };
                hi[r] = if r > 0 { hi[r - 1] } else { 0 };
            }
            lo[r] = lo[r].saturating_sub(width);
            hi[r] = (hi[r] + width).min(cols);
        }
        lo[0] = 0;
        hi[rows] = cols;
        // Monotone: lo never decreases, hi never decreases.
        for r in 1..=rows {
            hi[r] = hi[r].max(hi[r - 1]);
        }
        for r in (0..rows).rev() {
            lo[r] = lo[r].min(lo[r + 1]);
        }
        Band { lo, hi }
    }

    /// The cells of either band (both monotone, over the same grid).
    pub fn union(&self, other: &Band) -> Band {
        let lo = self
            .lo
            .iter()
            .zip(&other.lo)
            .map(|(a, b)| *a.min(b))
            .collect();
        let hi = self
            .hi
            .iter()
            .zip(&other.hi)
            .map(|(a, b)| *a.max(b))
            .collect();
        Band { lo, hi }
    }

    fn contains(&self, i: usize, j: usize) -> bool {
        i < self.lo.len() && j >= self.lo[i] && j <= self.hi[i]
    }
}

/// One bead of a best path: original units `i..i+m`, translated units `j..j+n`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Step {
    pub i: usize,
    pub m: usize,
    pub j: usize,
    pub n: usize,
    pub cost: f32,
}

/// The cheapest path from `(0, 0)` to `(rows, cols)` inside `band`, using beads of the given
/// shapes; `cost(i, m, j, n)` prices a bead (infinite when impossible).
pub fn best_path(
    rows: usize,
    cols: usize,
    band: &Band,
    shapes: &[(usize, usize)],
    cost: &(dyn Fn(usize, usize, usize, usize) -> f32 + Sync),
) -> Vec<Step> {
    let kinds = vec![0; shapes.len()];
    best_path_with_memory(rows, cols, band, shapes, &kinds, 1, &|_, _| 0.0, cost)
}

/// Bead prices computed per block of rows, at most this many cells (times shapes) at a time.
const CELLS_PER_BLOCK: usize = 1 << 15;
/// Below this many cells in a block the prices are computed on one thread.
const CELLS_PER_THREAD: usize = 4096;

/// [`best_path`] where a bead's price also depends on the kind of the bead before it (a
/// first-order Markov prior over bead kinds): `kind_of[t]` is the kind shape `t` leaves
/// behind (0 … kinds − 1; the path starts in kind 0), and `follow(previous_kind, t)` the
/// cost of shape `t` after a bead of that kind.
///
/// Bead prices do not depend on the path, so they are computed ahead of the programme, a
/// block of rows at a time, on all cores; the programme itself then only adds and compares.
/// Memory: the band's cells (a cost and a back pointer per kind), plus one block of prices.
#[allow(clippy::too_many_arguments)]
pub fn best_path_with_memory(
    rows: usize,
    cols: usize,
    band: &Band,
    shapes: &[(usize, usize)],
    kind_of: &[usize],
    kinds: usize,
    follow: &dyn Fn(usize, usize) -> f64,
    cost: &(dyn Fn(usize, usize, usize, usize) -> f32 + Sync),
) -> Vec<Step> {
    debug_assert!(shapes.len() < 32 && kinds <= 4);
    let s = shapes.len();
    let mut offset = Vec::with_capacity(rows + 2);
    let mut total = 0usize;
    for i in 0..=rows {
        offset.push(total);
        total += band.hi[i] + 1 - band.lo[i];
    }
    offset.push(total);
    // Per cell and kind: the best cost, and the shape (low 5 bits) and previous kind (high
    // bits) that reached it.
    let mut best = vec![f64::INFINITY; total * kinds];
    let mut back = vec![u8::MAX; total * kinds];
    best[0] = 0.0;
    let follows: Vec<f64> = (0..kinds)
        .flat_map(|k| (0..s).map(move |t| (k, t)))
        .map(|(k, t)| follow(k, t))
        .collect();
    let threads = crate::threads().clamp(1, 16);
    let mut prices: Vec<f32> = Vec::new();
    let mut first_row = 0;
    while first_row <= rows {
        // A block of rows whose prices fit the budget.
        let mut last_row = first_row;
        while last_row < rows && offset[last_row + 2] - offset[first_row] <= CELLS_PER_BLOCK {
            last_row += 1;
        }
        let (base, cells) = (offset[first_row], offset[last_row + 1] - offset[first_row]);
        prices.clear();
        prices.resize(cells * s, f32::INFINITY);
        let price_rows = |rows_range: std::ops::Range<usize>, out: &mut [f32], out_base: usize| {
            for i in rows_range {
                for j in band.lo[i]..=band.hi[i] {
                    let cell = offset[i] + j - band.lo[i] - out_base;
                    for (t, &(m, n)) in shapes.iter().enumerate() {
                        if m > i || n > j || (i == 0 && j == 0) {
                            continue;
                        }
                        let (pi, pj) = (i - m, j - n);
                        if band.contains(pi, pj) {
                            out[cell * s + t] = cost(pi, m, pj, n);
                        }
                    }
                }
            }
        };
        if threads == 1 || cells < 2 * CELLS_PER_THREAD {
            price_rows(first_row..last_row + 1, &mut prices, base);
        } else {
            // Split the block's rows into parts of about equal cells, one per thread.
            let parts = threads.min(cells / CELLS_PER_THREAD).max(1);
            let mut bounds = vec![first_row];
            for p in 1..parts {
                let target = base + cells * p / parts;
                let r = (first_row..=last_row)
                    .find(|&r| offset[r] >= target)
                    .unwrap_or(last_row + 1);
                if r > *bounds.last().expect("starts with the first row") {
                    bounds.push(r);
                }
            }
            bounds.push(last_row + 1);
            std::thread::scope(|scope| {
                let mut rest: &mut [f32] = &mut prices;
                for w in bounds.windows(2) {
                    let (r0, r1) = (w[0], w[1]);
                    let len = (offset[r1] - offset[r0]) * s;
                    let (mine, others) = rest.split_at_mut(len);
                    rest = others;
                    let (price_rows, at) = (&price_rows, offset[r0]);
                    scope.spawn(move || price_rows(r0..r1, mine, at));
                }
            });
        }
        // The programme over the block.
        for i in first_row..=last_row {
            for j in band.lo[i]..=band.hi[i] {
                if i == 0 && j == 0 {
                    continue;
                }
                let here = offset[i] + j - band.lo[i];
                for (t, &(m, n)) in shapes.iter().enumerate() {
                    let c = prices[(here - base) * s + t] as f64;
                    if !c.is_finite() {
                        continue;
                    }
                    let (pi, pj) = (i - m, j - n);
                    let prev = (offset[pi] + pj - band.lo[pi]) * kinds;
                    let k = kind_of[t];
                    for pk in 0..kinds {
                        let v = best[prev + pk] + c + follows[pk * s + t];
                        if v < best[here * kinds + k] {
                            best[here * kinds + k] = v;
                            back[here * kinds + k] = (t as u8) | ((pk as u8) << 5);
                        }
                    }
                }
            }
        }
        first_row = last_row + 1;
    }
    // Walk back from the cheapest kind at the end.
    let mut steps = Vec::new();
    let (mut i, mut j) = (rows, cols);
    let end = (offset[rows] + cols - band.lo[rows]) * kinds;
    let mut k = (0..kinds)
        .min_by(|&a, &b| best[end + a].total_cmp(&best[end + b]))
        .unwrap_or(0);
    while i > 0 || j > 0 {
        let here = (offset[i] + j - band.lo[i]) * kinds;
        let code = back[here + k];
        if code == u8::MAX {
            // Unreachable end: the band was too narrow to connect; cannot happen with
            // 1-0 and 0-1 shapes in a monotone band, but never panic on it.
            break;
        }
        let (t, pk) = ((code & 31) as usize, (code >> 5) as usize);
        let (m, n) = shapes[t];
        let (pi, pj) = (i - m, j - n);
        let prev = (offset[pi] + pj - band.lo[pi]) * kinds;
        let c = best[here + k] - best[prev + pk];
        steps.push(Step {
            i: pi,
            m,
            j: pj,
            n,
            cost: c as f32,
        });
        i = pi;
        j = pj;
        k = pk;
    }
    steps.reverse();
    steps
}

/// The corners of a path, from `(0, 0)` to its end.
pub fn corners(steps: &[Step]) -> Vec<(usize, usize)> {
    let mut out = vec![(0, 0)];
    for s in steps {
        out.push((s.i + s.m, s.j + s.n));
    }
    out
}

/// Projects a path over units twice as coarse onto this level's units.
pub fn refine(coarse: &[(usize, usize)]) -> Vec<(usize, usize)> {
    coarse.iter().map(|&(i, j)| (2 * i, 2 * j)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn best_path_prefers_cheap_beads_and_covers_everything() {
        let shapes = [(1, 1), (1, 0), (0, 1), (1, 2)];
        // Original 3 units, translation 4: unit 1 was split in two.
        let cost = |i: usize, m: usize, j: usize, n: usize| -> f32 {
            match (i, m, j, n) {
                (0, 1, 0, 1) | (2, 1, 3, 1) => 0.0,
                (1, 1, 1, 2) => 0.5,
                (_, 1, _, 1) => 3.0,
                _ => 2.0,
            }
        };
        let steps = best_path(3, 4, &Band::full(3, 4), &shapes, &cost);
        let got: Vec<_> = steps.iter().map(|s| (s.i, s.m, s.j, s.n)).collect();
        assert_eq!(got, vec![(0, 1, 0, 1), (1, 1, 1, 2), (2, 1, 3, 1)]);
    }

    #[test]
    fn band_around_a_path_is_monotone_and_reaches_both_ends() {
        let path = vec![(0, 0), (2, 2), (4, 6), (5, 7)];
        let b = Band::around(&path, 5, 7, 1);
        assert_eq!(b.lo[0], 0);
        assert_eq!(b.hi[5], 7);
        for r in 1..=5 {
            assert!(b.lo[r] >= b.lo[r - 1] && b.hi[r] >= b.hi[r - 1]);
            assert!(b.lo[r] <= b.hi[r - 1]);
        }
        let steps = best_path(5, 7, &b, &[(1, 1), (1, 0), (0, 1)], &|_, _, _, _| 1.0);
        assert_eq!(corners(&steps).last(), Some(&(5, 7)));
    }
}
