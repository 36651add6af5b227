//! The drift checks, one file each, behind one small trait. Every check reads the pair's
//! [`PairFacts`] (computed once) and adds what it found to [`Findings`]: evidence for the
//! score and, where a reader should see something, a typed reason with the words to
//! highlight.
//!
//! A new check is one file here plus one line in [`CHECKS`]; its evidence kind is one line in
//! `evidence.rs`, its reason one variant of [`DriftReason`] (with its message and spans in
//! `reason.rs`). Reasons are listed in the order of [`CHECKS`].

mod aspect;
mod certainty;
mod engine_gaps;
mod foreign_words;
mod gender;
mod in_place;
mod intensity;
mod names;
pub(crate) mod negation;
mod numbers;
mod omission;
mod opposites;
mod question;
mod quotations;
mod similarity;
mod tense;
mod vaguer;
mod word_order;

pub use omission::OMITTED_WORDS;

use super::facts::PairFacts;
use super::{DriftReason, Evidence};

/// One drift check.
pub trait Check: Sync {
    /// What it checks, in a few words.
    fn name(&self) -> &'static str;
    /// Adds its evidence and reasons for one pair.
    fn run(&self, pair: &PairFacts, found: &mut Findings);
}

/// Everything the checks found on one pair.
#[derive(Debug, Default)]
pub struct Findings {
    pub evidence: Evidence,
    pub reasons: Vec<DriftReason>,
}

/// Every check, in the order their reasons are listed.
pub static CHECKS: &[&dyn Check] = &[
    &numbers::Numbers,
    &names::Names,
    &negation::Negation,
    &certainty::Certainty,
    &question::Question,
    &gender::Gender,
    &foreign_words::ForeignWords,
    &word_order::WordOrder,
    &tense::Tense,
    &aspect::Aspect,
    &vaguer::Vaguer,
    &opposites::Opposites,
    &in_place::InPlace,
    &intensity::Intensity,
    &omission::Omission,
    &quotations::Quotations,
    &engine_gaps::EngineGaps,
    // last: its reasons (meaning, words missing and added) are chosen after scoring
    &similarity::Similarity,
];

/// Runs every check on one pair.
pub fn run_all(pair: &PairFacts) -> Findings {
    let mut found = Findings::default();
    for check in CHECKS {
        check.run(pair, &mut found);
    }
    found
}

#[cfg(test)]
mod tests {
    use super::CHECKS;

    #[test]
    fn every_check_has_its_own_name() {
        let mut names: Vec<&str> = CHECKS.iter().map(|c| c.name()).collect();
        names.sort_unstable();
        let n = names.len();
        names.dedup();
        assert_eq!(names.len(), n, "two checks share a name");
    }
}
