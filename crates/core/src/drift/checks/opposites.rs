//! Opposites: a word became its opposite (WordNet antonyms, un-/non- words: successful /
//! unsuccessful). The pairs are found with the word matching ([`PairFacts::words`]), since a
//! word's opposite must not count as its synonym.

use super::{Check, Findings, PairFacts};
use crate::drift::evidence::saturate;
use crate::drift::matching::tok_mention;
use crate::drift::DriftReason;

pub struct Opposites;

impl Check for Opposites {
    fn name(&self) -> &'static str {
        "opposites"
    }

    fn run(&self, pair: &PairFacts, found: &mut Findings) {
        let mut seen: Vec<(usize, usize)> = Vec::new();
        for &(i, j) in &pair.words.opposites {
            if seen.contains(&(i, j)) {
                continue;
            }
            seen.push((i, j));
            found.reasons.push(DriftReason::OppositeWord {
                original: tok_mention(pair.original, &pair.original_tokens[i]),
                back_translation: tok_mention(pair.back, &pair.back_tokens[j]),
            });
        }
        found.evidence.opposite = saturate(seen.len());
    }
}
