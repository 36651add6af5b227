//! Numbers, dates and amounts: 10 / ten / 10,000 / 10.000 compared as values.

use super::{Check, Findings, PairFacts};
use crate::drift::evidence::saturate;
use crate::drift::matching::mention;
use crate::drift::numbers::{numbers, same_number, NumberMention};
use crate::drift::DriftReason;

pub struct Numbers;

impl Check for Numbers {
    fn name(&self) -> &'static str {
        "numbers"
    }

    fn run(&self, pair: &PairFacts, found: &mut Findings) {
        let (original, back) = (pair.original, pair.back);
        let on = numbers(&pair.original_tokens);
        let bn = numbers(&pair.back_tokens);
        let mut used = vec![false; bn.len()];
        let mut missing: Vec<&NumberMention> = Vec::new();
        for m in on.iter() {
            let hit = (0..bn.len())
                .filter(|&j| !used[j] && same_number(m, &bn[j]))
                .min_by_key(|&j| bn[j].optional);
            match hit {
                Some(j) => used[j] = true,
                None if !m.optional => missing.push(m),
                None => {}
            }
        }
        let added: Vec<&NumberMention> = bn
            .iter()
            .zip(&used)
            .filter(|(m, u)| !**u && !m.optional)
            .map(|(m, _)| m)
            .collect();
        let pairs = missing.len().min(added.len());
        for k in 0..pairs {
            found.reasons.push(DriftReason::NumberChanged {
                original: mention(original, missing[k].start, missing[k].end),
                back_translation: mention(back, added[k].start, added[k].end),
            });
        }
        for m in &missing[pairs..] {
            found.reasons.push(DriftReason::NumberMissing {
                original: mention(original, m.start, m.end),
            });
        }
        for m in &added[pairs..] {
            found.reasons.push(DriftReason::NumberAdded {
                back_translation: mention(back, m.start, m.end),
            });
        }
        found.evidence.number_changed = saturate(pairs);
        found.evidence.number_missing_or_added = saturate(missing.len() + added.len() - 2 * pairs);
    }
}
