//! Engine gaps: words the back-translation engine could not translate and left as they were
//! (Apertium marks them): shown apart from drift.

use super::{Check, Findings, PairFacts};
use crate::drift::evidence::saturate;
use crate::drift::matching::tok_mention;
use crate::drift::DriftReason;

pub struct EngineGaps;

impl Check for EngineGaps {
    fn name(&self) -> &'static str {
        "engine gaps"
    }

    fn run(&self, pair: &PairFacts, found: &mut Findings) {
        found.evidence.engine_gap = saturate(pair.gap_words.len());
        if !pair.gap_words.is_empty() {
            found.reasons.push(DriftReason::EngineGap {
                words: pair
                    .gap_words
                    .iter()
                    .map(|&i| tok_mention(pair.back, &pair.back_tokens[i]))
                    .collect(),
            });
        }
    }
}
