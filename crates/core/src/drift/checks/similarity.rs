//! The sentences as a whole: meaning (embedding similarity, else the surface), wording
//! (chrF), content words with no counterpart on either side, and the change in length. Its
//! reasons are stored for the scorer, which shows them only on a flagged pair.

use super::{Check, Findings, PairFacts};
use crate::drift::matching::{surface, tok_mention};
use crate::drift::words::Kind;
use crate::drift::DriftReason;

pub struct Similarity;

impl Check for Similarity {
    fn name(&self) -> &'static str {
        "meaning and wording"
    }

    fn run(&self, pair: &PairFacts, found: &mut Findings) {
        let (ot, bt) = (&pair.original_tokens, &pair.back_tokens);
        let words = &pair.words;
        let ev = &mut found.evidence;
        let chrf = crate::drift::metrics::chrf(&surface(bt), &surface(ot)) as f32;
        ev.wording = 1.0 - chrf / 100.0;
        ev.meaning = match pair.similarity {
            Some(s) => (1.0 - s).clamp(0.0, 1.0),
            None => ev.wording,
        };
        let share = |n: usize, of: usize| if of > 0 { n as f32 / of as f32 } else { 0.0 };
        ev.content_missing = share(words.original_unmatched.len(), words.original_content);
        ev.content_added = share(words.back_unmatched.len(), words.back_content);
        let count = |ts: &[crate::drift::words::Token]| {
            ts.iter().filter(|t| t.kind != Kind::Mark).count() as f32
        };
        let (owords, bwords) = (count(ot), count(bt));
        ev.length_change = (((bwords + 1.0) / (owords + 1.0)).ln().abs() / 2.0).min(1.0);
        found.reasons.push(DriftReason::MeaningDiffers {
            similarity: pair.similarity.unwrap_or(1.0 - ev.meaning),
            chrf,
        });
        found.reasons.push(DriftReason::WordsMissing {
            words: words
                .original_unmatched
                .iter()
                .map(|&i| tok_mention(pair.original, &ot[i]))
                .collect(),
        });
        found.reasons.push(DriftReason::WordsAdded {
            words: words
                .back_unmatched
                .iter()
                .map(|&i| tok_mention(pair.back, &bt[i]))
                .collect(),
        });
    }
}
