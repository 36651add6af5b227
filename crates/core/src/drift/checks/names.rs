//! Names: a person, place or organisation of the original missing from the
//! back-translation, one it adds, and one swapped for another in the translated sentence.

use super::{Check, Findings, PairFacts};
use crate::drift::evidence::saturate;
use crate::drift::matching::tok_mention;
use crate::drift::DriftReason;

pub struct Names;

impl Check for Names {
    fn name(&self) -> &'static str {
        "names"
    }

    fn run(&self, pair: &PairFacts, found: &mut Findings) {
        let (ot, bt) = (&pair.original_tokens, &pair.back_tokens);
        let (missing, added) = (&pair.missing_names, &pair.added_names);
        for &i in missing {
            found.reasons.push(DriftReason::NameMissing {
                original: tok_mention(pair.original, &ot[i]),
            });
        }
        // A capitalised common word of the back-translation (Foreign “Affairs”, “Great”
        // Britain) that the translated sentence does not carry as written is the engine's
        // capital, not a name the translation added: not shown (the evidence still counts it).
        for &i in added {
            if pair.in_translated(&bt[i]) == Some(false)
                && pair
                    .lexicon
                    .is_some_and(|wn| wn.is_common_word(&bt[i].norm))
            {
                continue;
            }
            found.reasons.push(DriftReason::NameAdded {
                back_translation: tok_mention(pair.back, &bt[i]),
            });
        }
        let ev = &mut found.evidence;
        ev.name_missing = saturate(missing.len());
        ev.name_added = saturate(added.len());
        ev.name_changed = saturate(missing.len().min(added.len()));
        // Checked against the translated sentence itself, which carries names unchanged: an
        // original name it lacks, and a name of the back-translation it has, mean the
        // translation names someone else, whatever the back-translation engine made of the rest.
        if pair.translated_name_keys.is_some() {
            let lost = missing
                .iter()
                .filter(|&&i| pair.in_translated(&ot[i]) == Some(false))
                .count();
            let put = added
                .iter()
                .filter(|&&i| pair.in_translated(&bt[i]) == Some(true))
                .count();
            ev.name_swapped = saturate(lost.min(put));
        }
    }
}
