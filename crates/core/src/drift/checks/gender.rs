//! Pronoun gender: "she" became "he", or the reverse.

use super::{Check, Findings, PairFacts};
use crate::drift::matching::tok_mention;
use crate::drift::words::{gendered_pronoun, Gender as G, Token};
use crate::drift::DriftReason;

pub struct Gender;

fn genders(ts: &[Token]) -> Vec<(usize, G)> {
    (0..ts.len())
        .filter_map(|i| gendered_pronoun(&ts[i].norm).map(|g| (i, g)))
        .collect()
}

impl Check for Gender {
    fn name(&self) -> &'static str {
        "gender"
    }

    fn run(&self, pair: &PairFacts, found: &mut Findings) {
        let (ot, bt) = (&pair.original_tokens, &pair.back_tokens);
        let (og, bg) = (genders(ot), genders(bt));
        let count = |v: &[(usize, G)], g| v.iter().filter(|(_, x)| *x == g).count();
        // one gender replaced by the other
        let swapped = |a: G, b: G| {
            count(&bg, b) > count(&og, b) && count(&og, a) > 0 && count(&bg, a) < count(&og, a)
        };
        let (from, to) = if swapped(G::Male, G::Female) {
            (G::Male, G::Female)
        } else if swapped(G::Female, G::Male) {
            (G::Female, G::Male)
        } else {
            return;
        };
        let o = og.iter().find(|(_, g)| *g == from);
        let b = bg.iter().find(|(_, g)| *g == to);
        if let (Some(&(i, _)), Some(&(j, _))) = (o, b) {
            found.evidence.gender = 1.0;
            found.reasons.push(DriftReason::GenderChanged {
                original: tok_mention(pair.original, &ot[i]),
                back_translation: tok_mention(pair.back, &bt[j]),
            });
        }
    }
}
