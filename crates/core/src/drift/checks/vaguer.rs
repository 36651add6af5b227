//! More general words: "recommended" became "proposed", "dog" became "animal" (WordNet
//! hypernyms within two steps, among the words without a counterpart).

use super::{Check, Findings, PairFacts};
use crate::drift::evidence::saturate;
use crate::drift::matching::tok_mention;
use crate::drift::DriftReason;

pub struct Vaguer;

impl Check for Vaguer {
    fn name(&self) -> &'static str {
        "more general words"
    }

    fn run(&self, pair: &PairFacts, found: &mut Findings) {
        for &(i, j) in &pair.words.vaguer {
            found.reasons.push(DriftReason::VaguerWord {
                original: tok_mention(pair.original, &pair.original_tokens[i]),
                back_translation: tok_mention(pair.back, &pair.back_tokens[j]),
            });
        }
        found.evidence.vaguer = saturate(pair.words.vaguer.len());
    }
}
