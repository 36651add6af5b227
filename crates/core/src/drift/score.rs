//! The drift score: a calibrated logistic combination of the checks' evidence, placed in a
//! band (broken facts first), and the level a reviewer reads.

use super::checks::{self, OMITTED_WORDS};
use super::facts::PairFacts;
use super::lexicon::Lexicon;
use super::noise::{self, EngineNoise};
use super::{DriftReason, Evidence, Pair, EVIDENCE_NAMES, N_EVIDENCE};
use serde::{Deserialize, Serialize};
use std::sync::{Arc, OnceLock};

/// How much the meaning drifted, 0 (the same) to 1 (certainly different).
#[derive(Debug, Clone, Copy, PartialEq, PartialOrd, Serialize)]
pub struct DriftScore(pub f32);

/// Drift in words: what a reviewer should do with the pair.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum DriftLevel {
    /// Nothing worth a look.
    None,
    /// Worded differently; the meaning seems intact.
    Minor,
    /// Flagged: the meaning probably changed.
    Major,
    /// Flagged: the meaning almost certainly changed.
    Critical,
}

impl DriftLevel {
    pub fn name(self) -> &'static str {
        match self {
            DriftLevel::None => "none",
            DriftLevel::Minor => "minor",
            DriftLevel::Major => "major",
            DriftLevel::Critical => "critical",
        }
    }
    /// Whether a reviewer should read this pair.
    pub fn is_flagged(self) -> bool {
        self >= DriftLevel::Major
    }
}

/// The scorer's verdict on one pair.
#[derive(Debug, Clone, Serialize)]
pub struct Drift {
    pub score: DriftScore,
    pub level: DriftLevel,
    /// Fact reasons first, then (for flagged pairs) the similarity reasons.
    pub reasons: Vec<DriftReason>,
    #[serde(skip)]
    pub evidence: Evidence,
}

/// Weights and level thresholds of the drift score.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Calibration {
    /// How the numbers were made (command, data, split).
    pub made_by: String,
    pub bias: f32,
    /// One weight per evidence name ([`EVIDENCE_NAMES`]); a missing name weighs 0.
    pub weights: std::collections::BTreeMap<String, f32>,
    pub thresholds: Thresholds,
}

/// Scores at or above which a pair reaches a level.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq)]
pub struct Thresholds {
    pub minor: f32,
    pub major: f32,
    pub critical: f32,
}

impl Calibration {
    /// The calibration shipped in `src/drift/calibration.toml`.
    pub fn shipped() -> &'static Calibration {
        static C: OnceLock<Calibration> = OnceLock::new();
        C.get_or_init(|| {
            toml::from_str(include_str!("calibration.toml"))
                .expect("src/drift/calibration.toml is valid (checked by the unit tests)")
        })
    }

    fn vector(&self) -> [f32; N_EVIDENCE] {
        let mut w = [0f32; N_EVIDENCE];
        for (i, name) in EVIDENCE_NAMES.iter().enumerate() {
            w[i] = self.weights.get(*name).copied().unwrap_or(0.0);
        }
        w
    }

    pub fn level(&self, score: f32) -> DriftLevel {
        let t = &self.thresholds;
        if score >= t.critical {
            DriftLevel::Critical
        } else if score >= t.major {
            DriftLevel::Major
        } else if score >= t.minor {
            DriftLevel::Minor
        } else {
            DriftLevel::None
        }
    }
}

/// Where the band of pairs with a broken fact starts (see [`DriftScorer::score_evidence`]).
pub const FACT_BAND: f32 = 0.95;

fn fact_band(p: f32) -> f32 {
    FACT_BAND + (1.0 - FACT_BAND) * p
}

/// A fact that must survive translation did not (numbers, negation, question, pronoun
/// gender, words in another script, a proper name swapped, a hedge added or lost, four or
/// more content words dropped in a row, a word turned into its opposite, a statement
/// softened or sharpened).
fn broken_facts(ev: &Evidence) -> usize {
    [
        ev.number_changed > 0.0,
        ev.name_swapped > 0.0,
        ev.hedge > 0.0,
        ev.omission >= (OMITTED_WORDS - 1) as f32 / 4.0,
        ev.negation > 0.0,
        ev.question > 0.0,
        ev.gender > 0.0,
        ev.foreign_words > 0.0,
        ev.opposite > 0.0,
        ev.intensity > 0.0,
    ]
    .iter()
    .filter(|&&b| b)
    .count()
}

/// Scores pairs with a calibration (the shipped one by default) and, where one is given, a
/// lexicon for the checks that need one (synonyms, opposites, more general words, verbs;
/// without it they find nothing).
#[derive(Debug, Clone)]
pub struct DriftScorer {
    pub calibration: Calibration,
    weights: [f32; N_EVIDENCE],
    lexicon: Option<Arc<dyn Lexicon>>,
}

impl Default for DriftScorer {
    fn default() -> Self {
        Self::new(Calibration::shipped().clone())
    }
}

impl DriftScorer {
    pub fn new(calibration: Calibration) -> Self {
        let weights = calibration.vector();
        DriftScorer {
            calibration,
            weights,
            lexicon: None,
        }
    }

    /// The same scorer with a lexicon for the checks that need one.
    pub fn with_lexicon(mut self, lexicon: Arc<dyn Lexicon>) -> Self {
        self.lexicon = Some(lexicon);
        self
    }

    pub fn lexicon(&self) -> Option<&dyn Lexicon> {
        self.lexicon.as_deref()
    }

    /// Every check on the pair: the evidence and the reasons.
    fn findings(&self, pair: &Pair) -> checks::Findings {
        checks::run_all(&PairFacts::new(pair, self.lexicon()))
    }

    /// The evidence for a pair, without a verdict.
    pub fn evidence(&self, pair: &Pair) -> Evidence {
        self.findings(pair).evidence
    }

    /// The score for evidence already computed: the calibrated probability `p` of drift,
    /// placed in one of two bands. A fact that must survive translation and did not — a
    /// changed number, a negation added or lost, a statement turned into a question, a
    /// pronoun of the other gender, words in another script — puts the pair in the top band
    /// `[FACT_BAND, 1]` (level critical), whatever the similarities say; other pairs score
    /// `FACT_BAND * p`. So a reviewer who reads the most drifted pairs first meets the broken
    /// facts before the clumsy wording. The thresholds in `calibration.toml` are on this score.
    pub fn score_evidence(&self, ev: &Evidence) -> f32 {
        self.score_shifted(ev, &Baseline::default())
    }

    /// The logit of the evidence that is not a broken fact (similarities, words without a
    /// counterpart, verb forms …), bias included: what a rough back-translation inflates.
    fn wording_logit(&self, ev: &Evidence) -> f32 {
        self.calibration.bias
            + ev.to_vec()
                .iter()
                .zip(&self.weights)
                .zip(HARD.iter())
                .filter(|(_, hard)| !**hard)
                .map(|((x, w), _)| x * w)
                .sum::<f32>()
    }

    /// [`DriftScorer::score_evidence`] with the wording part of the logit lowered by `shift`
    /// (a document's baseline, see [`Baseline`]).
    fn score_shifted(&self, ev: &Evidence, baseline: &Baseline) -> f32 {
        let hard: f32 = ev
            .to_vec()
            .iter()
            .zip(&self.weights)
            .zip(HARD.iter())
            .filter(|(_, hard)| **hard)
            .map(|((x, w), _)| x * w)
            .sum();
        let z = baseline.judge(self.wording_logit(ev)) + hard;
        let p = 1.0 / (1.0 + (-z).exp());
        // (Ordering the band by the similarity of the rest instead, to put facts broken in
        // otherwise faithful sentences first, cost 1.8 to 5 points of DEMETR pairwise accuracy
        // on critical perturbations: measured, not kept.)
        if broken_facts(ev) > 0 {
            fact_band(p)
        } else {
            FACT_BAND * p
        }
    }

    /// The logit at which a pair without a broken fact reaches `level`'s threshold.
    fn logit_of(&self, threshold: f32) -> f32 {
        let p = (threshold / FACT_BAND).clamp(1e-4, 1.0 - 1e-4);
        (p / (1.0 - p)).ln()
    }

    /// Scores one pair on its own.
    pub fn score(&self, pair: &Pair) -> Drift {
        self.verdict(self.assess(pair), &Baseline::default())
    }

    /// Scores every pair of one translation against the translation's own baseline: most
    /// sentences of a translation are faithful, so the wording of its typical pair is what
    /// the engine (and the translator's style) make of a faithful sentence. Where that
    /// typical pair reads rougher than "worded differently" (the minor threshold), every
    /// pair's wording logit is lowered by the difference; broken facts are not. With fewer
    /// than [`Baseline::MIN_PAIRS`] pairs each is scored on its own.
    pub fn score_document(&self, pairs: &[Pair]) -> (Vec<Drift>, Baseline) {
        let assessed: Vec<Assessment> = pairs.iter().map(|p| self.assess(p)).collect();
        let baseline = self.baseline(&assessed);
        let drifts = assessed
            .into_iter()
            .map(|a| self.verdict(a, &baseline))
            .collect();
        (drifts, baseline)
    }

    /// The baseline of a translation's assessed pairs.
    pub fn baseline(&self, assessed: &[Assessment]) -> Baseline {
        let mut logits: Vec<f32> = assessed
            .iter()
            .map(|a| self.wording_logit(&a.findings.evidence))
            .collect();
        if logits.len() < Baseline::MIN_PAIRS {
            return Baseline::default();
        }
        logits.sort_by(f32::total_cmp);
        let typical_logit = logits[logits.len() / 2];
        let minor = self.logit_of(self.calibration.thresholds.minor);
        let major = self.logit_of(self.calibration.thresholds.major);
        let shift = (typical_logit - minor).max(0.0);
        // how far the pairs spread around the typical one (1.4826 × the median absolute
        // deviation: the standard deviation, were they normal)
        let mut dev: Vec<f32> = logits.iter().map(|z| (z - typical_logit).abs()).collect();
        dev.sort_by(f32::total_cmp);
        let spread = 1.4826 * dev[dev.len() / 2];
        // a pair is flagged for its wording only where it stands out: OUTLIER spreads above
        // the typical pair, or the calibrated distance from minor to major, whichever is more
        let scale = if shift > 0.0 && spread > 0.0 {
            ((major - minor) / (Baseline::OUTLIER * spread)).min(1.0)
        } else {
            1.0
        };
        Baseline {
            typical: FACT_BAND / (1.0 + (-typical_logit).exp()),
            shift,
            scale,
            typical_logit,
            pairs: logits.len(),
        }
    }

    /// Everything the checks find on one pair, with the engine's own noise (where the pair
    /// has the engine's round trip of the original) taken out; the verdict comes later, when
    /// the translation's baseline is known.
    pub fn assess(&self, pair: &Pair) -> Assessment {
        let mut findings = self.findings(pair);
        let engine_noise = match pair.engine_own() {
            Some(own) => {
                let found = self.findings(&own);
                let noise = EngineNoise::from_round_trip(
                    &found,
                    pair.original,
                    pair.back_translation,
                    own.back_translation,
                );
                noise::discount(&mut findings, &noise)
            }
            None => Vec::new(),
        };
        let found_in_translation = match pair.translation {
            Some((text, lang)) if pair.original_language.unwrap_or("en") == "en" => {
                let mut own = noise::discount_names(
                    &mut findings,
                    pair.original,
                    text,
                    lang,
                    pair.engine_gaps,
                );
                own.extend(noise::discount_negation(
                    &mut findings,
                    pair.original,
                    text,
                    lang,
                ));
                own
            }
            _ => Vec::new(),
        };
        let mut untranslated = None;
        if let Some((text, lang)) = pair.translation {
            let source = pair.original_language.unwrap_or("en");
            if lang != source {
                if let Some(expected) = crate::text::language(lang) {
                    if let Some(found) = crate::text::lang::foreign_sentence(text, expected) {
                        if found.lang == source {
                            untranslated = Some(found.lang);
                        }
                    }
                }
            }
        }
        Assessment {
            findings,
            engine_noise,
            found_in_translation,
            untranslated,
            round_trip: pair.round_trip.is_some(),
        }
    }

    /// The verdict on an assessed pair, against its translation's baseline.
    pub fn verdict(&self, a: Assessment, baseline: &Baseline) -> Drift {
        let cmp = a.findings;
        let lost_quote = cmp.reasons.iter().any(DriftReason::quote_mostly_lost);
        let mut reasons: Vec<DriftReason> = Vec::new();
        let mut generic: Vec<DriftReason> = Vec::new();
        for r in cmp.reasons {
            if r.is_fact() {
                reasons.push(r);
            } else {
                generic.push(r);
            }
        }
        let mut score = self.score_shifted(&cmp.evidence, baseline);
        let alone = if baseline.shift > 0.0 {
            self.calibration.level(self.score_evidence(&cmp.evidence))
        } else {
            DriftLevel::None
        };
        if let Some(language) = a.untranslated {
            reasons.insert(0, DriftReason::Untranslated { language });
            // nothing was translated: the worst a sentence can drift
            score = score.max(fact_band(0.99));
        }
        // a quotation of which half the words did not come through is not the speaker's any
        // more: at least major, whatever the rest of the sentence says — unless the whole
        // translation reads that rough and this pair does not stand out
        if lost_quote
            && (baseline.shift == 0.0 || a.round_trip || score >= self.calibration.thresholds.minor)
        {
            score = score.max(self.calibration.thresholds.major);
        }
        let level = self.calibration.level(score);
        self.order_facts(&mut reasons);
        if level.is_flagged() {
            for r in generic {
                if keep_generic(&r, &reasons, &cmp.evidence) {
                    reasons.push(r);
                }
            }
        }
        // what the engine does on its own stays visible, after the rest: its facts always,
        // its wording where the pair is flagged anyway
        reasons.extend(
            a.engine_noise
                .into_iter()
                .filter(|r| r.is_fact() || level.is_flagged())
                .map(|r| DriftReason::EngineNoise {
                    reason: Box::new(r),
                }),
        );
        reasons.extend(a.found_in_translation.into_iter().map(|r| {
            DriftReason::FoundInTranslation {
                reason: Box::new(r),
            }
        }));
        if alone > level && alone.is_flagged() {
            reasons.push(DriftReason::RoughThroughout {
                alone,
                typical: baseline.typical,
            });
        }
        Drift {
            score: DriftScore(score),
            level,
            reasons,
            evidence: cmp.evidence,
        }
    }

    /// Fact reasons, strongest first.
    fn order_facts(&self, reasons: &mut [DriftReason]) {
        let w = |r: &DriftReason| -> f32 {
            match r.evidence_kind() {
                Some(kind) => self
                    .calibration
                    .weights
                    .get(kind.name())
                    .copied()
                    .unwrap_or(0.0),
                None => f32::MAX,
            }
        };
        reasons.sort_by(|a, b| w(b).partial_cmp(&w(a)).unwrap_or(std::cmp::Ordering::Equal));
    }
}

/// Whether a similarity reason is worth showing on a flagged pair with these fact reasons.
fn keep_generic(r: &DriftReason, facts: &[DriftReason], ev: &Evidence) -> bool {
    match r {
        DriftReason::MeaningDiffers { .. } => facts.is_empty() || ev.meaning > 0.5,
        // only where nothing else explains the flag: faithful translations use more general
        // words too
        DriftReason::VaguerWord { .. } => facts.is_empty(),
        DriftReason::AspectChanged { .. }
        | DriftReason::WordInserted { .. }
        | DriftReason::WordDropped { .. } => true,
        DriftReason::WordsMissing { words } | DriftReason::WordsAdded { words } => {
            !words.is_empty() && words.len() <= 6
        }
        _ => false,
    }
}

/// One pair's findings before the verdict: what the checks found, the engine's own noise
/// that was taken out, and whether the translated sentence is still in the original's
/// language.
#[derive(Debug)]
pub struct Assessment {
    pub findings: checks::Findings,
    pub engine_noise: Vec<DriftReason>,
    /// Name reasons the translation itself contradicts (see [`noise::discount_names`]).
    pub found_in_translation: Vec<DriftReason>,
    pub untranslated: Option<String>,
    /// Whether the engine's round trip of the original was there to discount its noise.
    pub round_trip: bool,
}

/// A translation's own level: how rough the wording of its typical pair is, and how much
/// every pair's wording was discounted for it.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize)]
pub struct Baseline {
    /// The drift score of the typical (median) pair's wording alone.
    pub typical: f32,
    /// How much the wording logit of every pair was lowered (0: not at all).
    pub shift: f32,
    /// How much the wording logit's distance from the typical pair's was narrowed (1: not
    /// at all), so that only a pair that stands out against the rest reaches major.
    pub scale: f32,
    /// The typical pair's wording logit.
    #[serde(skip)]
    pub typical_logit: f32,
    /// How many pairs the baseline was taken over.
    pub pairs: usize,
}

impl Baseline {
    /// How many spreads (robust standard deviations) above the translation's typical pair a
    /// pair's wording must be to be flagged for its wording alone.
    pub const OUTLIER: f32 = 2.5;
    /// The wording logit of a pair, judged against the baseline.
    fn judge(&self, z: f32) -> f32 {
        if self.shift <= 0.0 {
            return z;
        }
        let at_minor = self.typical_logit - self.shift;
        at_minor + (z - self.typical_logit) * self.scale
    }

    /// Fewer pairs than this make no baseline: each is scored on its own.
    pub const MIN_PAIRS: usize = 8;
}

/// The evidence kinds that are broken facts (see [`broken_facts`]), in the order of
/// [`EVIDENCE_NAMES`]: not lowered by a document's baseline.
static HARD: std::sync::LazyLock<[bool; N_EVIDENCE]> = std::sync::LazyLock::new(|| {
    let mut hard = [false; N_EVIDENCE];
    for (i, name) in EVIDENCE_NAMES.iter().enumerate() {
        hard[i] = HARD_NAMES.contains(name);
    }
    hard
});

const HARD_NAMES: [&str; 10] = [
    "number_changed",
    "name_swapped",
    "hedge",
    "omission",
    "negation",
    "question",
    "gender",
    "foreign_words",
    "opposite",
    "intensity",
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shipped_calibration_parses_and_orders_thresholds() {
        let c = Calibration::shipped();
        assert!(
            c.thresholds.minor < c.thresholds.major
                && c.thresholds.major < c.thresholds.critical
                && c.thresholds.critical <= FACT_BAND
        );
        for name in c.weights.keys() {
            assert!(
                EVIDENCE_NAMES.contains(&name.as_str()),
                "unknown evidence {name} in calibration.toml"
            );
        }
    }
}
