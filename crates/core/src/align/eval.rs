//! Scoring alignments against gold beads exactly as Vecalign's `score.py` and Bertalign's
//! `eval.py` do (the two are the same code, after Sennrich & Volk's lax/strict measures):
//!
//! - Beads empty on both sides are dropped; test and gold beads become sets.
//! - Precision runs over every test bead, null beads (1-0, 0-1) included: a strict hit is a
//!   bead also in gold; otherwise it is a strict miss, and a lax hit when one of its
//!   translated ids is paired in gold with one of its original ids (a null test bead
//!   therefore never hits laxly unless it is in gold).
//! - Recall is the same count with gold and test swapped, after removing every bead with an
//!   empty side from both: insertions and deletions do not count for recall.
//! - Counts are summed over all documents before dividing; F1 is the harmonic mean; any
//!   0/0 is 0.

use serde::Serialize;
use std::collections::{HashMap, HashSet};
use std::path::Path;

/// A bead as ids only: (original ids, translated ids).
pub type BeadIds = (Vec<usize>, Vec<usize>);

/// Precision, recall and F1.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Prf {
    pub p: f64,
    pub r: f64,
    pub f1: f64,
}

/// Strict and lax scores.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Scores {
    pub strict: Prf,
    pub lax: Prf,
}

/// A gold file could not be read.
#[derive(Debug, thiserror::Error)]
#[error("{path}, line {line}: {message}; gold beads look like `[0, 1]:[2]` (original ids, translated ids, 0-based)")]
pub struct GoldError {
    pub path: String,
    pub line: usize,
    pub message: String,
}

/// Reads beads written one a line as `[i, j]:[k]` (ids 0-based, `[]` for an empty side).
pub fn parse_beads(text: &str, path: &Path) -> Result<Vec<BeadIds>, GoldError> {
    let mut out = Vec::new();
    for (n, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let err = |message: String| GoldError {
            path: path.display().to_string(),
            line: n + 1,
            message,
        };
        let (a, b) = line
            .split_once("]:[")
            .map(|(a, b)| (format!("{a}]"), format!("[{b}")))
            .ok_or_else(|| err(format!("no `]:[` in {line:?}")))?;
        out.push((parse_ids(&a).map_err(err)?, parse_ids(&b).map_err(err)?));
    }
    Ok(out)
}

fn parse_ids(s: &str) -> Result<Vec<usize>, String> {
    let inner = s
        .trim()
        .strip_prefix('[')
        .and_then(|s| s.strip_suffix(']'))
        .ok_or_else(|| format!("{s:?} is not a bracketed list"))?;
    inner
        .split(',')
        .map(str::trim)
        .filter(|x| !x.is_empty())
        .map(|x| {
            x.parse::<usize>()
                .map_err(|_| format!("{x:?} is not a sentence id"))
        })
        .collect()
}

/// Writes beads in the same format.
pub fn format_beads(beads: &[BeadIds]) -> String {
    let list = |v: &[usize]| {
        format!(
            "[{}]",
            v.iter()
                .map(|x| x.to_string())
                .collect::<Vec<_>>()
                .join(", ")
        )
    };
    beads
        .iter()
        .map(|(a, b)| format!("{}:{}\n", list(a), list(b)))
        .collect()
}

/// [tp_strict, fp_strict, tp_lax, fp_lax] of `test` against `gold` (Vecalign's `_precision`).
fn precision_counts(gold: &[BeadIds], test: &[BeadIds]) -> [u64; 4] {
    let test: HashSet<&BeadIds> = test
        .iter()
        .filter(|(a, b)| !a.is_empty() || !b.is_empty())
        .collect();
    let gold: HashSet<&BeadIds> = gold
        .iter()
        .filter(|(a, b)| !a.is_empty() || !b.is_empty())
        .collect();
    let mut gold_targets: HashMap<usize, HashSet<usize>> = HashMap::new();
    for (gs, gt) in &gold {
        for &s in gs {
            gold_targets
                .entry(s)
                .or_default()
                .extend(gt.iter().copied());
        }
    }
    let mut c = [0u64; 4];
    for bead in test {
        if gold.contains(bead) {
            c[0] += 1;
            c[2] += 1;
        } else {
            let (ts, tt) = bead;
            let lax = ts
                .iter()
                .filter_map(|s| gold_targets.get(s))
                .any(|targets| tt.iter().any(|t| targets.contains(t)));
            c[1] += 1;
            if lax {
                c[2] += 1;
            } else {
                c[3] += 1;
            }
        }
    }
    c
}

/// Strict and lax precision, recall and F1 over documents given as (gold, test) pairs.
pub fn score<'a>(documents: impl IntoIterator<Item = (&'a [BeadIds], &'a [BeadIds])>) -> Scores {
    let mut p = [0u64; 4];
    let mut r = [0u64; 4];
    for (gold, test) in documents {
        let pc = precision_counts(gold, test);
        let no_null = |v: &[BeadIds]| -> Vec<BeadIds> {
            v.iter()
                .filter(|(a, b)| !a.is_empty() && !b.is_empty())
                .cloned()
                .collect()
        };
        let rc = precision_counts(&no_null(test), &no_null(gold));
        for k in 0..4 {
            p[k] += pc[k];
            r[k] += rc[k];
        }
    }
    let ratio = |a: u64, b: u64| {
        if a + b == 0 {
            0.0
        } else {
            a as f64 / (a + b) as f64
        }
    };
    let f1 = |p: f64, r: f64| {
        if p + r == 0.0 {
            0.0
        } else {
            2.0 * p * r / (p + r)
        }
    };
    let (ps, pl, rs, rl) = (
        ratio(p[0], p[1]),
        ratio(p[2], p[3]),
        ratio(r[0], r[1]),
        ratio(r[2], r[3]),
    );
    Scores {
        strict: Prf {
            p: ps,
            r: rs,
            f1: f1(ps, rs),
        },
        lax: Prf {
            p: pl,
            r: rl,
            f1: f1(pl, rl),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn b(a: &[usize], t: &[usize]) -> BeadIds {
        (a.to_vec(), t.to_vec())
    }

    #[test]
    fn parses_the_dev_split_format() {
        let beads = parse_beads(
            "[0]:[0]\n[8, 9]:[10, 11, 12]\n[]:[16]\n[52]:[]\n",
            Path::new("x.defr"),
        )
        .unwrap();
        assert_eq!(
            beads,
            vec![
                b(&[0], &[0]),
                b(&[8, 9], &[10, 11, 12]),
                b(&[], &[16]),
                b(&[52], &[])
            ]
        );
        let e = parse_beads("[0]:[0]\n[x]:[1]\n", Path::new("gold.defr")).unwrap_err();
        assert!(e.to_string().contains("gold.defr, line 2"), "{e}");
        assert_eq!(
            format_beads(&beads),
            "[0]:[0]\n[8, 9]:[10, 11, 12]\n[]:[16]\n[52]:[]\n"
        );
    }

    #[test]
    fn counts_like_vecalign() {
        let gold = [b(&[0], &[0]), b(&[1], &[1, 2]), b(&[], &[3]), b(&[2], &[4])];
        // Perfect.
        let s = score([(&gold[..], &gold[..])]);
        assert_eq!(s.strict.f1, 1.0);
        // Split bead aligned as 1-1 + 0-1: precision 3/5 strict (the 0-1 of gold is found,
        // [1]:[1] and []:[2] are not); lax: [1]:[1] overlaps, []:[2] does not → 4/5.
        // Recall over gold without nulls: [0]:[0] and [2]:[4] found of 3 → 2/3 strict;
        // lax: [1]:[1,2] overlaps [1]:[1] → 3/3.
        let test = [
            b(&[0], &[0]),
            b(&[1], &[1]),
            b(&[], &[2]),
            b(&[], &[3]),
            b(&[2], &[4]),
        ];
        let s = score([(&gold[..], &test[..])]);
        assert!((s.strict.p - 3.0 / 5.0).abs() < 1e-12, "{s:?}");
        assert!((s.lax.p - 4.0 / 5.0).abs() < 1e-12, "{s:?}");
        assert!((s.strict.r - 2.0 / 3.0).abs() < 1e-12, "{s:?}");
        assert!((s.lax.r - 1.0).abs() < 1e-12, "{s:?}");
    }
}
