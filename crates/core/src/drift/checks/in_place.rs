//! A word put into or taken out of a phrase that is otherwise word for word ("affected pets"
//! → "affected wild pets"; "by infrared spectroscopy" → "by spectroscopy").

use super::{Check, Findings, PairFacts};
use crate::drift::evidence::saturate;
use crate::drift::matching::{mention, tok_mention};
use crate::drift::words::{is_stop_word, Kind, Token};
use crate::drift::{DriftReason, Mention};
use std::collections::HashSet;

pub struct InPlace;

/// Words put in or taken out in place: a content word of `a` whose two neighbours are
/// neighbours in `b` (punctuation skipped), and that `b` does not have. Token indices into `a`.
fn in_place(a: &[Token], b: &[Token]) -> Vec<usize> {
    let wa: Vec<usize> = (0..a.len()).filter(|&i| a[i].kind != Kind::Mark).collect();
    let wb: Vec<&str> = b
        .iter()
        .filter(|t| t.kind != Kind::Mark)
        .map(|t| t.norm.as_str())
        .collect();
    let pairs: HashSet<(&str, &str)> = wb.windows(2).map(|w| (w[0], w[1])).collect();
    let words: HashSet<&str> = wb.iter().copied().collect();
    (1..wa.len().saturating_sub(1))
        .filter(|&k| {
            let t = &a[wa[k]];
            t.kind == Kind::Word
                && !is_stop_word(&t.norm)
                && !words.contains(t.norm.as_str())
                && pairs.contains(&(a[wa[k - 1]].norm.as_str(), a[wa[k + 1]].norm.as_str()))
        })
        .map(|k| wa[k])
        .collect()
}

/// The word at `i` with its neighbours (punctuation skipped), as a mention.
fn phrase(s: &str, t: &[Token], i: usize) -> Mention {
    let before = (0..i).rev().find(|&k| t[k].kind != Kind::Mark).unwrap_or(i);
    let after = (i + 1..t.len())
        .find(|&k| t[k].kind != Kind::Mark)
        .unwrap_or(i);
    mention(s, t[before].start, t[after].end)
}

impl Check for InPlace {
    fn name(&self) -> &'static str {
        "words in place"
    }

    // only words still without a counterpart: not one moved elsewhere or given as a synonym
    fn run(&self, pair: &PairFacts, found: &mut Findings) {
        let (ot, bt) = (&pair.original_tokens, &pair.back_tokens);
        let inserted: Vec<usize> = in_place(bt, ot)
            .into_iter()
            .filter(|i| !pair.gap[*i] && pair.words.back_unmatched.contains(i))
            .collect();
        let dropped: Vec<usize> = in_place(ot, bt)
            .into_iter()
            .filter(|i| pair.words.original_unmatched.contains(i))
            .collect();
        found.evidence.inserted = saturate(inserted.len());
        found.evidence.dropped = saturate(dropped.len());
        for &i in &inserted {
            found.reasons.push(DriftReason::WordInserted {
                word: tok_mention(pair.back, &bt[i]),
                phrase: phrase(pair.back, bt, i),
            });
        }
        for &i in &dropped {
            found.reasons.push(DriftReason::WordDropped {
                word: tok_mention(pair.original, &ot[i]),
                phrase: phrase(pair.original, ot, i),
            });
        }
    }
}
