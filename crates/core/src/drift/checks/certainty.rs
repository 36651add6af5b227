//! Certainty: will / may / might / must / could changed or on one side only, and a hedge
//! (may, perhaps, doubtful) added or lost.

use super::{Check, Findings, PairFacts};
use crate::drift::matching::tok_mention;
use crate::drift::words::{self, certainty_cue, Token};
use crate::drift::DriftReason;

pub struct Certainty;

type Cues = Vec<(usize, words::Certainty)>;

fn modal(ts: &[Token]) -> Cues {
    (0..ts.len())
        .filter_map(|i| certainty_cue(&ts[i].norm).map(|c| (i, c)))
        .collect()
}

/// The cues of `a` whose certainty `b` has none of.
fn only(a: &Cues, b: &Cues) -> Cues {
    a.iter()
        .copied()
        .filter(|(_, c)| !b.iter().any(|(_, d)| d == c))
        .collect()
}

/// "be that as it may" hedges nothing.
fn idiom(ts: &[Token], i: usize) -> bool {
    i >= 2 && ts[i - 1].norm == "it" && ts[i - 2].norm == "as"
}

fn is_hedge(ts: &[Token], i: usize) -> bool {
    words::is_hedge(&ts[i].norm) && !idiom(ts, i)
}

/// Whether the certainty changed in a way that makes a statement uncertain or the reverse: a
/// hedge on one side only, or a firm "will" become "may"/"could" (or the reverse).
fn hedge_changed(ot: &[Token], bt: &[Token], o_only: &Cues, b_only: &Cues) -> bool {
    let hedge = |ts: &[Token], v: &Cues| v.iter().any(|&(i, _)| is_hedge(ts, i));
    let hedges = |ts: &[Token]| (0..ts.len()).filter(|&i| is_hedge(ts, i)).count();
    let firm = |ts: &[Token], v: &Cues| {
        v.iter()
            .any(|&(i, _)| matches!(ts[i].norm.as_str(), "will" | "shall" | "'ll" | "won't"))
    };
    let possible = |ts: &[Token], v: &Cues| {
        v.iter()
            .any(|&(i, _)| is_hedge(ts, i) || ts[i].norm == "could")
    };
    // a statement the original makes firmly (a "will", no "may", "might", "can" or "could"
    // anywhere) that the back-translation makes possible only
    let firm_only = |ts: &[Token]| {
        ts.iter()
            .any(|t| matches!(t.norm.as_str(), "will" | "shall" | "'ll"))
            && !ts
                .iter()
                .enumerate()
                .any(|(i, t)| is_hedge(ts, i) || matches!(t.norm.as_str(), "can" | "could"))
    };
    (hedge(ot, o_only) || hedge(bt, b_only)) && hedges(ot) != hedges(bt)
        || firm(ot, o_only) && possible(bt, b_only)
        || possible(ot, o_only) && firm(bt, b_only)
        || firm_only(ot) && possible(bt, b_only)
}

impl Check for Certainty {
    fn name(&self) -> &'static str {
        "certainty"
    }

    fn run(&self, pair: &PairFacts, found: &mut Findings) {
        let (ot, bt) = (&pair.original_tokens, &pair.back_tokens);
        let (om, bm) = (modal(ot), modal(bt));
        let (o_only, b_only) = (only(&om, &bm), only(&bm, &om));
        if o_only.is_empty() && b_only.is_empty() {
            return;
        }
        let o = o_only
            .first()
            .map(|&(i, _)| tok_mention(pair.original, &ot[i]));
        let b = b_only.first().map(|&(i, _)| tok_mention(pair.back, &bt[i]));
        found.evidence.certainty = if o.is_some() && b.is_some() { 1.0 } else { 0.5 };
        if hedge_changed(ot, bt, &o_only, &b_only) {
            found.evidence.hedge = 1.0;
        }
        found.reasons.push(DriftReason::CertaintyChanged {
            original: o,
            back_translation: b,
        });
    }
}
