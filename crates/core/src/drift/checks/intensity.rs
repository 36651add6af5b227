//! Intensity: a strong word (very, massive) became a weak one (somewhat, some), or the
//! reverse: the statement was softened or sharpened.

use super::{Check, Findings, PairFacts};
use crate::drift::matching::tok_mention;
use crate::drift::words::{self, Degree, Kind, Token};
use crate::drift::DriftReason;

pub struct Intensity;

fn degrees(t: &[Token], d: Degree) -> Vec<usize> {
    (0..t.len())
        .filter(|&i| t[i].kind == Kind::Word && words::degree(&t[i].norm) == Some(d))
        .collect()
}

impl Check for Intensity {
    fn name(&self) -> &'static str {
        "intensity"
    }

    fn run(&self, pair: &PairFacts, found: &mut Findings) {
        let (ot, bt) = (&pair.original_tokens, &pair.back_tokens);
        let (o_strong, o_weak) = (degrees(ot, Degree::Strong), degrees(ot, Degree::Weak));
        let (b_strong, b_weak) = (degrees(bt, Degree::Strong), degrees(bt, Degree::Weak));
        // strong degree words on one side, only weak ones on the other
        let shift = if !o_strong.is_empty()
            && b_strong.is_empty()
            && !b_weak.is_empty()
            && o_weak.is_empty()
        {
            Some((o_strong[0], b_weak[0], true))
        } else if !o_weak.is_empty()
            && o_weak.len() > b_weak.len()
            && !b_strong.is_empty()
            && o_strong.is_empty()
        {
            Some((o_weak[0], b_strong[0], false))
        } else {
            None
        };
        if let Some((i, j, softened)) = shift {
            found.evidence.intensity = 1.0;
            found.reasons.push(DriftReason::IntensityChanged {
                original: tok_mention(pair.original, &ot[i]),
                back_translation: tok_mention(pair.back, &bt[j]),
                softened,
            });
        }
    }
}
