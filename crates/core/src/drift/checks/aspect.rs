//! Aspect: an ongoing ("was revealing") or completed ("has been") action on one side only.

use super::{Check, Findings, PairFacts};
use crate::drift::evidence::saturate;
use crate::drift::matching::mention;
use crate::drift::words::Token;
use crate::drift::{DriftReason, Mention};

pub struct Aspect;

/// A verb group (first and last token) as a mention.
fn group(s: &str, t: &[Token], (a, b): (usize, usize)) -> Mention {
    mention(s, t[a].start, t[b].end)
}

impl Check for Aspect {
    fn name(&self) -> &'static str {
        "aspect"
    }

    fn run(&self, pair: &PairFacts, found: &mut Findings) {
        let (po, pb) = (&pair.original_verbs, &pair.back_verbs);
        let mut aspect = 0;
        for (progressive, o, b) in [
            (true, &po.progressive, &pb.progressive),
            (false, &po.perfect, &pb.perfect),
        ] {
            aspect += o.len().abs_diff(b.len());
            if b.len() > o.len() {
                found.reasons.push(DriftReason::AspectChanged {
                    original: None,
                    back_translation: Some(group(pair.back, &pair.back_tokens, b[0])),
                    progressive,
                });
            } else if o.len() > b.len() {
                found.reasons.push(DriftReason::AspectChanged {
                    original: Some(group(pair.original, &pair.original_tokens, o[0])),
                    back_translation: None,
                    progressive,
                });
            }
        }
        found.evidence.aspect = saturate(aspect);
    }
}
