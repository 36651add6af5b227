//! A passage omitted: a run of the original's content words with no counterpart, in order,
//! in the back-translation (a clause dropped).

use super::{Check, Findings, PairFacts};
use crate::drift::matching::{mention, tok_mention};
use crate::drift::words::{self, is_stop_word, Kind, Token};
use crate::drift::DriftReason;

pub struct Omission;

/// Content words dropped in a row that make an omission a reason of its own (and a broken
/// fact).
pub const OMITTED_WORDS: usize = 4;

/// The longest run of consecutive content words of `orig` left out of the longest common
/// subsequence (in order, by word or stem) with `back`, counting only words in `missing` (those
/// with no counterpart anywhere in `back`), where `back` has less than half as many words of
/// its own (`added`: none of the original's) in their place. A dropped clause leaves such a run; a reordering does not (its words are found
/// elsewhere), nor does a clumsy rewording (its words take the place of the original's).
fn omitted_run(orig: &[Token], back: &[Token], missing: &[usize], added: &[usize]) -> Vec<usize> {
    let content = |ts: &[Token]| -> Vec<(usize, String)> {
        (0..ts.len())
            .filter(|&i| {
                ts[i].kind != Kind::Mark
                    && !is_stop_word(&ts[i].norm)
                    && ts[i].norm.chars().count() >= 2
            })
            .map(|i| (i, words::stem(&ts[i].norm).to_string()))
            .collect()
    };
    let (a, b) = (content(orig), content(back));
    let (n, m) = (a.len(), b.len());
    if n == 0 || n * m > 40_000 {
        return Vec::new();
    }
    // LCS table, then walk back to mark the original words in it
    let mut t = vec![0u16; (n + 1) * (m + 1)];
    for i in (0..n).rev() {
        for j in (0..m).rev() {
            t[i * (m + 1) + j] = if a[i].1 == b[j].1 {
                t[(i + 1) * (m + 1) + j + 1] + 1
            } else {
                t[(i + 1) * (m + 1) + j].max(t[i * (m + 1) + j + 1])
            };
        }
    }
    let mut anchors: Vec<(usize, usize)> = Vec::new();
    let (mut i, mut j) = (0, 0);
    while i < n && j < m {
        if a[i].1 == b[j].1 {
            anchors.push((i, j));
            i += 1;
            j += 1;
        } else if t[(i + 1) * (m + 1) + j] >= t[i * (m + 1) + j + 1] {
            i += 1;
        } else {
            j += 1;
        }
    }
    // Between two words kept in order, the original's words that the back-translation lacks
    // are an omission only where the back-translation has far fewer words there: words
    // translated differently leave as many words in their place, a dropped clause leaves none.
    let mut best: Vec<usize> = Vec::new();
    let mut prev: (isize, isize) = (-1, -1);
    for &(ai, bj) in anchors.iter().chain(std::iter::once(&(n, m))) {
        let run: Vec<usize> = ((prev.0 + 1) as usize..ai)
            .map(|k| a[k].0)
            .filter(|i| missing.contains(i))
            .collect();
        let back_gap = ((prev.1 + 1) as usize..bj)
            .filter(|&k| added.contains(&b[k].0))
            .count();
        if back_gap * 2 < run.len() && run.len() > best.len() {
            best = run;
        }
        prev = (ai as isize, bj as isize);
    }
    best
}

impl Check for Omission {
    fn name(&self) -> &'static str {
        "omission"
    }

    fn run(&self, pair: &PairFacts, found: &mut Findings) {
        let ot = &pair.original_tokens;
        let words = &pair.words;
        let run = omitted_run(
            ot,
            &pair.back_tokens,
            &words.original_unmatched,
            &words.back_unmatched,
        );
        found.evidence.omission = (run.len().saturating_sub(1) as f32 / 4.0).min(1.0);
        if run.len() >= OMITTED_WORDS {
            let (first, last) = (&ot[run[0]], &ot[run[run.len() - 1]]);
            found.reasons.push(DriftReason::PassageOmitted {
                passage: mention(pair.original, first.start, last.end),
                words: run
                    .iter()
                    .map(|&i| tok_mention(pair.original, &ot[i]))
                    .collect(),
            });
        }
    }
}
