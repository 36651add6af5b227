//! Word order: the words are there but their order makes no sense.

use super::{Check, Findings, PairFacts};
use crate::drift::words::{Kind, Token};
use crate::drift::DriftReason;
use std::collections::HashSet;

pub struct WordOrder;

/// The share of neighbouring word pairs of the back-translation (both words found in the
/// original) that are also neighbours, in the same order, in the original. Low when the word
/// order was scrambled.
fn kept_word_order(orig: &[Token], back: &[Token]) -> Option<f32> {
    let ow: Vec<&str> = orig
        .iter()
        .filter(|t| t.kind != Kind::Mark)
        .map(|t| t.norm.as_str())
        .collect();
    let bw: Vec<&str> = back
        .iter()
        .filter(|t| t.kind != Kind::Mark)
        .map(|t| t.norm.as_str())
        .collect();
    let oset: HashSet<&str> = ow.iter().copied().collect();
    let opairs: HashSet<(&str, &str)> = ow.windows(2).map(|o| (o[0], o[1])).collect();
    let mut pairs = 0;
    let mut kept = 0;
    for w in bw.windows(2) {
        if oset.contains(w[0]) && oset.contains(w[1]) {
            pairs += 1;
            if opairs.contains(&(w[0], w[1])) {
                kept += 1;
            }
        }
    }
    if pairs < 3 {
        return None;
    }
    Some(kept as f32 / pairs as f32)
}

impl Check for WordOrder {
    fn name(&self) -> &'static str {
        "word order"
    }

    fn run(&self, pair: &PairFacts, found: &mut Findings) {
        if let Some(kept) = kept_word_order(&pair.original_tokens, &pair.back_tokens) {
            found.evidence.word_order = 1.0 - kept;
            if kept < 0.25 {
                found
                    .reasons
                    .push(DriftReason::WordOrderScrambled { kept_pairs: kept });
            }
        }
    }
}
