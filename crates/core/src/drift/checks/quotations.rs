//! Quotations: every content word inside a quotation of the original must survive, on the
//! surface (a synonym is a misquote).

use super::{Check, Findings, PairFacts};
use crate::drift::evidence::saturate;
use crate::drift::matching::{is_content, tok_mention};
use crate::drift::{DriftReason, Mention};

pub struct Quotations;

impl Check for Quotations {
    fn name(&self) -> &'static str {
        "quotations"
    }

    fn run(&self, pair: &PairFacts, found: &mut Findings) {
        let ot = &pair.original_tokens;
        let mut quote_losses = 0;
        for q in pair.quotes.iter() {
            let inside = |i: &usize| ot[*i].start >= q.start && ot[*i].end <= q.end;
            let lost: Vec<Mention> = pair
                .words
                .strict
                .iter()
                .filter(|i| inside(i))
                .map(|&i| tok_mention(pair.original, &ot[i]))
                .collect();
            if lost.is_empty() {
                continue;
            }
            quote_losses += lost.len();
            // the content words of the quotation, as the missing words are counted
            let words = (0..ot.len())
                .filter(|i| inside(i) && is_content(&ot[*i]))
                .count()
                .max(lost.len());
            // of those, the ones without a synonym or derived form either
            let unmatched = pair
                .words
                .original_unmatched
                .iter()
                .filter(|i| inside(i))
                .count();
            found.reasons.push(DriftReason::QuoteChanged {
                quote: *q,
                lost,
                words,
                unmatched,
            });
        }
        found.evidence.quote_changed = saturate(quote_losses);
    }
}
