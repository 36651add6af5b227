//! The direct view's verdict on a translation's pairs, with no translation engine: what
//! [`compare`](super::compare) reads in the two sentences (numbers, names, quotation marks,
//! English left in place), and how each pair stands among the translation's own pairs — much
//! shorter than its usual length ratio, and reading less like its original than the others
//! in the shared cross-lingual space, is a part of the original left out.
//!
//! Each pair is judged against its own translation (median and spread of its pairs), never
//! against a fixed threshold: Chinese is shorter than English in characters, and some
//! languages' vectors sit lower for every pair.

use super::similarity::{median_of, robust_z_floored, unusual};
use super::{compare, Context, DirectFindings, Finding, FindingKind};
use crate::drift::DriftLevel;

/// One aligned pair as the direct view sees it.
#[derive(Debug, Clone, Default)]
pub struct Bead<'a> {
    pub original: &'a str,
    pub translation: &'a str,
    pub context: Context,
    /// Cosine of the two sides' cross-lingual sentence vectors, where the model ran.
    pub cosine: Option<f32>,
}

/// The direct view's verdict on one pair.
#[derive(Debug, Clone, PartialEq)]
pub struct Judged {
    pub findings: DirectFindings,
    pub level: DriftLevel,
    /// 0 (nothing to see) … 1 (a fact broken), for ordering pairs.
    pub score: f32,
}

/// How far below its translation's usual a pair must stand to be called out: the modified
/// z-score's outlier cut (Iglewicz & Hoaglin: |z| > 3.5).
const OUTLIER: f32 = 3.5;

/// How far below its translation's usual a pair's length and similarity together must stand
/// to say part of it is left out: two signals that agree need less from each (three
/// spreads, the usual outlier cut of one normal signal).
const SHORTFALL: f32 = 3.0;

/// Judges every pair of one translation (`lang`: its ISO 639-1 code).
pub fn judge(beads: &[Bead], lang: &str) -> Vec<Judged> {
    let lengths: Vec<(f32, f32)> = beads
        .iter()
        .map(|b| {
            (
                letters(b.original).max(1) as f32,
                letters(b.translation).max(1) as f32,
            )
        })
        .collect();
    // Gale and Church's length model: a translation's length is about `ratio` times the
    // original's, with a variance that grows with the original's length, so a short
    // sentence that comes out at half its usual length is ordinary and a long one is not.
    let ratio = median(&lengths.iter().map(|(o, t)| t / o).collect::<Vec<_>>()).max(0.01);
    let deltas: Vec<f32> = lengths
        .iter()
        .map(|(o, t)| (t - ratio * o) / (ratio * o).sqrt())
        .collect();
    // The deltas of a faithful translation spread by a few units; below one unit the pairs
    // are all but identical in length and no difference is an outlier.
    let length_z = robust_z_floored(&deltas, 1.0);
    let cosines: Vec<f32> = beads.iter().map(|b| b.cosine.unwrap_or(f32::NAN)).collect();
    let cosine_z = unusual(&cosines);
    beads
        .iter()
        .enumerate()
        .map(|(i, b)| {
            let mut findings = compare(b.original, b.translation, lang, &b.context);
            // Shorter than the translation's usual, and (where the vectors ran) less like
            // its original than usual: both say part of the original is not there. The
            // vectors' z counts half: on their own they separate drift poorly.
            let similarity = cosine_z[i].z;
            let shortfall = length_z[i]
                + if similarity.is_finite() {
                    similarity.min(0.0) / 2.0
                } else {
                    0.0
                };
            if shortfall < -SHORTFALL && findings.is_empty() {
                findings.findings.push(Finding {
                    kind: FindingKind::Shortened,
                    original: Some(0..b.original.len()),
                    translation: None,
                    message: format!(
                        "the translation is much shorter than this translation's sentences usually are ({:.0} % of the usual length){}: part of the original may be left out",
                        100.0 * lengths[i].1 / (ratio * lengths[i].0),
                        if similarity.is_finite() {
                            format!(", and reads less like its original than the others (similarity {:.2})", cosines[i])
                        } else {
                            String::new()
                        }
                    ),
                });
            }
            let level = findings
                .findings
                .iter()
                .map(|f| level_of(f.kind))
                .max()
                .unwrap_or(DriftLevel::None);
            let score = match level {
                DriftLevel::Critical => 0.95,
                DriftLevel::Major => 0.8,
                DriftLevel::Minor => 0.4,
                DriftLevel::None => {
                    // ordered among the calm ones by how unusual they are
                    (-shortfall / (4.0 * OUTLIER)).clamp(0.0, 0.3) + 0.0
                }
            };
            Judged {
                findings,
                level,
                score,
            }
        })
        .collect()
}

/// What a finding makes of its pair: a number that reads another number is a broken fact;
/// the rest are things a reviewer should read.
pub fn level_of(kind: FindingKind) -> DriftLevel {
    match kind {
        FindingKind::NumberChanged => DriftLevel::Critical,
        FindingKind::NumberMissing
        | FindingKind::NumberAdded
        | FindingKind::NameMissing
        | FindingKind::QuoteUnmarked
        | FindingKind::QuoteIntensity
        | FindingKind::LeftInEnglish
        | FindingKind::Shortened => DriftLevel::Major,
    }
}

/// Letters and digits, without spaces or marks: a length that compares across scripts.
fn letters(text: &str) -> usize {
    text.chars().filter(|c| c.is_alphanumeric()).count()
}

fn median(xs: &[f32]) -> f32 {
    let mut v: Vec<f32> = xs.iter().copied().filter(|x| x.is_finite()).collect();
    v.sort_by(f32::total_cmp);
    median_of(&v)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bead<'a>(o: &'a str, t: &'a str) -> Bead<'a> {
        Bead {
            original: o,
            translation: t,
            ..Bead::default()
        }
    }

    #[test]
    fn a_pair_much_shorter_than_its_translation_usually_is_called_out() {
        let o = "The ministers met in the capital on Monday and agreed to continue the talks next year.";
        let t = "Die Minister trafen sich am Montag in der Hauptstadt und vereinbarten, die Gespräche im nächsten Jahr fortzusetzen.";
        let mut beads: Vec<Bead> = (0..12).map(|_| bead(o, t)).collect();
        // small natural variation
        beads[3].translation = "Die Minister trafen sich am Montag in der Hauptstadt und vereinbarten Gespräche im nächsten Jahr.";
        beads[7].translation = "Am Montag trafen sich die Minister in der Hauptstadt und beschlossen, die Gespräche im nächsten Jahr fortzusetzen.";
        beads[9].translation = "Die Minister trafen sich am Montag.";
        let judged = judge(&beads, "de");
        assert_eq!(judged[9].level, DriftLevel::Major, "{:?}", judged[9]);
        assert_eq!(judged[9].findings.count(FindingKind::Shortened), 1);
        for (i, j) in judged.iter().enumerate().filter(|(i, _)| *i != 9) {
            assert_eq!(j.level, DriftLevel::None, "pair {i}: {j:?}");
        }
    }

    #[test]
    fn a_changed_number_is_critical_and_a_missing_name_major() {
        let judged = judge(
            &[
                bead(
                    "In 2001, Russia and China signed a treaty.",
                    "2011 unterzeichneten Russland und China einen Vertrag.",
                ),
                bead(
                    "Peskov said the talks were useful.",
                    "Der Sprecher sagte, die Gespräche seien nützlich.",
                ),
            ],
            "de",
        );
        assert_eq!(judged[0].level, DriftLevel::Critical, "{:?}", judged[0]);
        assert_eq!(judged[1].level, DriftLevel::Major, "{:?}", judged[1]);
    }

    #[test]
    fn empty_and_odd_input_do_not_panic() {
        assert!(judge(&[], "de").is_empty());
        let j = judge(&[bead("", ""), bead("A", "\u{200f}")], "ar");
        assert_eq!(j.len(), 2);
    }
}
