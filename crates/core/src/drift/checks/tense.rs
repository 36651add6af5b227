//! Tense: a verb both sides share in another tense (found / find), or a future on one side
//! only.

use super::{Check, Findings, PairFacts};
use crate::drift::evidence::saturate;
use crate::drift::matching::tok_mention;
use crate::drift::verbs;
use crate::drift::words::{certainty_cue, Token};
use crate::drift::DriftReason;

pub struct Tense;

/// A modal other than "will": "will" facing "could" is the certainty check's.
fn has_modal(t: &[Token]) -> bool {
    t.iter()
        .any(|x| certainty_cue(&x.norm).is_some_and(|_| !verbs::is_future(&x.norm)))
}

impl Check for Tense {
    fn name(&self) -> &'static str {
        "tense"
    }

    fn run(&self, pair: &PairFacts, found: &mut Findings) {
        let (ot, bt) = (&pair.original_tokens, &pair.back_tokens);
        let (po, pb) = (&pair.original_verbs, &pair.back_verbs);
        let changes = verbs::tense_changes(po, pb);
        for &(a, b) in &changes {
            found.reasons.push(DriftReason::TenseChanged {
                original: Some(tok_mention(pair.original, &ot[a])),
                back_translation: Some(tok_mention(pair.back, &bt[b])),
            });
        }
        // a future on one side only (counts differ between paraphrases: will … and will …)
        let future = match (po.future.first(), pb.future.first()) {
            (Some(&i), None) if !has_modal(bt) => {
                found.reasons.push(DriftReason::TenseChanged {
                    original: Some(tok_mention(pair.original, &ot[i])),
                    back_translation: None,
                });
                1
            }
            (None, Some(&j)) if !has_modal(ot) => {
                found.reasons.push(DriftReason::TenseChanged {
                    original: None,
                    back_translation: Some(tok_mention(pair.back, &bt[j])),
                });
                1
            }
            _ => 0,
        };
        found.evidence.tense = saturate(changes.len() + future);
    }
}
