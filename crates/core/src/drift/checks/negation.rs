//! Negation: a not / no / never / unable … on one side only.

use super::{Check, Findings, PairFacts};
use crate::drift::matching::tok_mention;
use crate::drift::words::{negation_cue, Kind, Token};
use crate::drift::DriftReason;

pub struct Negation;

/// Words that say "certainly": “no doubt”, “without doubt”, “no question that” facing one of
/// them is not a denial.
const SURE: &[&str] = &[
    "definitely",
    "certainly",
    "undoubtedly",
    "doubtless",
    "surely",
    "indisputably",
    "unquestionably",
];

/// The negation cues of `ts` (token indices), given the other side `other`.
pub(crate) fn cues(ts: &[Token], other: &[Token]) -> Vec<usize> {
    let sure = other.iter().any(|t| SURE.contains(&t.norm.as_str()));
    let next_is = |i: usize, f: &dyn Fn(&Token) -> bool| ts.get(i + 1).is_some_and(f);
    (0..ts.len())
        .filter(|&i| {
            let w = ts[i].norm.as_str();
            ts[i].kind == Kind::Word
                && negation_cue(w)
                // “not only”
                && !(w == "not" && next_is(i, &|n| n.norm == "only"))
                // “no 10” (number)
                && !(w == "no" && next_is(i, &|n| n.kind == Kind::Number))
                && !(matches!(w, "no" | "without")
                    && sure
                    && next_is(i, &|n| {
                        n.norm == "doubt"
                            || (n.norm == "question"
                                && ts.get(i + 2).is_some_and(|t| t.norm == "that"))
                    }))
        })
        .collect()
}

impl Check for Negation {
    fn name(&self) -> &'static str {
        "negation"
    }

    fn run(&self, pair: &PairFacts, found: &mut Findings) {
        let (ot, bt) = (&pair.original_tokens, &pair.back_tokens);
        let (oc, bc) = (cues(ot, bt), cues(bt, ot));
        if oc.len() > bc.len() {
            for &i in &oc[bc.len()..] {
                found.reasons.push(DriftReason::NegationLost {
                    original: tok_mention(pair.original, &ot[i]),
                });
            }
            found.evidence.negation = 1.0;
        } else if bc.len() > oc.len() {
            for &i in &bc[oc.len()..] {
                found.reasons.push(DriftReason::NegationAdded {
                    back_translation: tok_mention(pair.back, &bt[i]),
                });
            }
            found.evidence.negation = 1.0;
        }
    }
}
