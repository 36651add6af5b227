//! Questions: a statement became a question, or the reverse.

use super::{Check, Findings, PairFacts};
use crate::drift::matching::mention;
use crate::drift::{DriftReason, Mention};

pub struct Question;

/// The byte offset of the question mark that ends `s`, if it asks.
fn question_mark(s: &str) -> Option<usize> {
    let trimmed = s.trim_end_matches(|c: char| {
        c.is_whitespace() || matches!(c, '"' | '”' | '’' | '\'' | ')' | '»')
    });
    let last = trimmed.chars().last()?;
    matches!(last, '?' | '？').then(|| trimmed.len() - last.len_utf8())
}

/// The question mark at `p` as a mention.
fn mark(s: &str, p: usize) -> Mention {
    let len = s[p..].chars().next().map(|c| c.len_utf8()).unwrap_or(1);
    mention(s, p, p + len)
}

impl Check for Question {
    fn name(&self) -> &'static str {
        "question"
    }

    fn run(&self, pair: &PairFacts, found: &mut Findings) {
        let (oq, bq) = (question_mark(pair.original), question_mark(pair.back));
        if oq.is_some() != bq.is_some() {
            found.evidence.question = 1.0;
            found.reasons.push(DriftReason::QuestionChanged {
                original_asks: oq.is_some(),
                original: oq.map(|p| mark(pair.original, p)),
                back_translation: bq.map(|p| mark(pair.back, p)),
            });
        }
    }
}
