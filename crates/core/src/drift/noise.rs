//! The back-translation engine's own noise. Sent through the same engine and back (English →
//! the translation's language → English), the original loses and gains words by itself: a
//! word the engine renders differently ("Neighbourliness" → "Neighbourhood"), a tense it
//! shifts, a negation it drops ("absolutely not" → "at all"). What the original's round trip
//! shows is the engine's doing, not the translation's; [`discount`] takes it out of a pair's
//! findings and returns it as reasons of their own, so it stays visible without counting as
//! drift.

use super::checks::Findings;
use super::words::{is_english_word, is_stop_word, stem, tokenize, Kind, Token};
use super::{DriftReason, Evidence, EvidenceKind, Mention, Span, EVIDENCE_NAMES, N_EVIDENCE};
use std::collections::HashSet;
use std::mem::{discriminant, Discriminant};

/// The most words on either side of a lost word that [`EngineNoise::agrees_near`] compares.
const MAX_NEAR: usize = 8;

/// What the engine does to one original sentence on its own round trip.
#[derive(Debug, Default)]
pub struct EngineNoise {
    /// Stems of the words of the original, the back-translation and the round trip (marks
    /// left out), with the byte end of each word in its text.
    original: Vec<(usize, usize, String)>,
    back: Vec<String>,
    round_trip: Vec<String>,
    /// Byte spans of the original that the round trip loses or changes.
    lost: Vec<Span>,
    /// Words (lower case) the round trip has that the original lacks.
    added: HashSet<String>,
    /// Verb and certainty changes with no word of the original behind them (a "will" added):
    /// the kind of reason and the back-translated word, lower case.
    changed: HashSet<(Discriminant<DriftReason>, String)>,
}

fn words(text: &str) -> Vec<Token<'_>> {
    tokenize(text)
        .into_iter()
        .filter(|t| t.kind != Kind::Mark)
        .collect()
}

fn stems(text: &str) -> Vec<String> {
    words(text)
        .iter()
        .map(|t| stem(&t.norm).to_string())
        .collect()
}

impl EngineNoise {
    /// Reads the engine's noise from the findings of the original against its round trip
    /// (`round_trip` is the text the findings' back-translation spans point into); `back` is
    /// the back-translation of the translation that is being judged.
    pub fn from_round_trip(
        found: &Findings,
        original: &str,
        back: &str,
        round_trip: &str,
    ) -> EngineNoise {
        let mut noise = EngineNoise {
            original: words(original)
                .iter()
                .map(|t| (t.start, t.end, stem(&t.norm).to_string()))
                .collect(),
            back: stems(back),
            round_trip: stems(round_trip),
            ..EngineNoise::default()
        };
        let text = |s: Span| round_trip.get(s.start..s.end).unwrap_or("").to_lowercase();
        for r in &found.reasons {
            if matches!(
                r,
                DriftReason::MeaningDiffers { .. } | DriftReason::EngineGap { .. }
            ) {
                continue;
            }
            noise.lost.extend(r.original_spans());
            if let DriftReason::PassageOmitted { words, .. } = r {
                noise.lost.extend(words.iter().map(|m| m.span));
            }
            let back = r.back_translation_spans();
            if r.original_spans().is_empty() {
                for s in &back {
                    noise.changed.insert((discriminant(r), text(*s)));
                }
            }
            noise.added.extend(back.into_iter().map(text));
        }
        noise
    }

    /// Whether the round trip loses the original's words at `s` too, and the
    /// back-translation reads like the round trip there: then the loss is the engine's.
    fn loses(&self, s: Span) -> bool {
        self.lost.iter().any(|l| l.start < s.end && s.start < l.end) && self.agrees_near(s)
    }

    /// Whether the back-translation and the round trip say the same around the original's
    /// words at `s`. From the nearest content word on each side that the original, the
    /// back-translation and the round trip all have, the words towards `s` (as many as the
    /// original has between them, and two more) must be half the same. Where they differ,
    /// the translation did something there that the engine does not do to the original by
    /// itself, and nothing is discounted.
    fn agrees_near(&self, s: Span) -> bool {
        let o = &self.original;
        let inside = |w: &(usize, usize, String)| w.0 < s.end && s.start < w.1;
        let Some(first) = o.iter().position(inside) else {
            return true;
        };
        let last = o.iter().rposition(inside).unwrap_or(first);
        let kept =
            |w: &String| !is_stop_word(w) && self.back.contains(w) && self.round_trip.contains(w);
        let left = o[..first]
            .iter()
            .enumerate()
            .rev()
            .find(|(_, w)| kept(&w.2))
            .map(|(i, w)| (&w.2, last + 1 - i + 2));
        let right = o[last + 1..]
            .iter()
            .enumerate()
            .find(|(_, w)| kept(&w.2))
            .map(|(i, w)| (&w.2, i + 1 + last - first + 2));
        // the words after the left anchor and before the right one, in one text
        let near = |ts: &[String]| -> Vec<String> {
            let mut out = Vec::new();
            match left.and_then(|(l, n)| ts.iter().position(|t| t == l).map(|i| (i, n))) {
                Some((i, n)) => out.extend(ts.iter().skip(i + 1).take(n.min(MAX_NEAR)).cloned()),
                None if right.is_none() => out.extend(ts.iter().cloned()),
                None => {}
            }
            if let Some((j, n)) =
                right.and_then(|(r, n)| ts.iter().rposition(|t| t == r).map(|j| (j, n)))
            {
                let n = n.min(MAX_NEAR);
                out.extend(ts[j.saturating_sub(n)..j].iter().cloned());
            }
            out
        };
        let (b, r) = (near(&self.back), near(&self.round_trip));
        let mut rest = r.clone();
        let shared = b
            .iter()
            .filter(|w| match rest.iter().position(|x| x == *w) {
                Some(i) => {
                    rest.swap_remove(i);
                    true
                }
                None => false,
            })
            .count();
        shared * 2 >= b.len().max(r.len())
    }

    fn adds(&self, m: &Mention) -> bool {
        self.added.contains(&m.text.to_lowercase())
    }
}

/// `(kept, the engine's)`: the parts of a list of mentions.
fn part(ms: Vec<Mention>, noise: impl Fn(&Mention) -> bool) -> (Vec<Mention>, Vec<Mention>) {
    ms.into_iter().partition(|m| !noise(m))
}

/// Splits one reason into what the translation did and what the engine does on its own.
fn split(r: DriftReason, noise: &EngineNoise) -> (Option<DriftReason>, Option<DriftReason>) {
    use DriftReason::*;
    let whole = |r: DriftReason, is_noise: bool| {
        if is_noise {
            (None, Some(r))
        } else {
            (Some(r), None)
        }
    };
    let lists =
        |kept: Vec<Mention>, own: Vec<Mention>, make: &dyn Fn(Vec<Mention>) -> DriftReason| {
            (
                (!kept.is_empty()).then(|| make(kept)),
                (!own.is_empty()).then(|| make(own)),
            )
        };
    match r {
        WordsMissing { words } => {
            let (k, o) = part(words, |m| noise.loses(m.span));
            lists(k, o, &|words| WordsMissing { words })
        }
        WordsAdded { words } => {
            let (k, o) = part(words, |m| noise.adds(m));
            lists(k, o, &|words| WordsAdded { words })
        }
        QuoteChanged {
            quote,
            lost,
            words,
            unmatched,
        } => {
            let (k, o) = part(lost, |m| noise.loses(m.span));
            let unmatched_kept = unmatched.min(k.len());
            let make = |lost: Vec<Mention>, unmatched| QuoteChanged {
                quote,
                lost,
                words,
                unmatched,
            };
            let own_n = o.len();
            (
                (!k.is_empty()).then(|| make(k, unmatched_kept)),
                (!o.is_empty()).then(|| make(o, own_n.min(unmatched))),
            )
        }
        PassageOmitted { passage, words } => {
            let own = words.iter().filter(|m| noise.loses(m.span)).count();
            // the engine drops half this stretch or more by itself: not the translation's
            let is_noise = own * 2 >= words.len();
            whole(PassageOmitted { passage, words }, is_noise)
        }
        WordsLeftUntranslated { words, unknown } => {
            let (kw, ow) = part(words, |m| noise.adds(m));
            let (ku, ou) = part(unknown, |m| noise.adds(m));
            let make = |words: Vec<Mention>, unknown: Vec<Mention>| {
                (!(words.is_empty() && unknown.is_empty()))
                    .then_some(WordsLeftUntranslated { words, unknown })
            };
            (make(kw, ku), make(ow, ou))
        }
        NumberChanged { ref original, .. }
        | NumberMissing { ref original }
        | NameMissing { ref original }
        | NegationLost { ref original }
        | GenderChanged { ref original, .. }
        | OppositeWord { ref original, .. }
        | IntensityChanged { ref original, .. }
        | VaguerWord { ref original, .. }
        | WordDropped {
            word: ref original, ..
        } => {
            let n = noise.loses(original.span);
            whole(r, n)
        }
        NumberAdded {
            ref back_translation,
        }
        | NameAdded {
            ref back_translation,
        }
        | NegationAdded {
            ref back_translation,
        }
        | WordInserted {
            word: ref back_translation,
            ..
        } => {
            let n = noise.adds(back_translation);
            whole(r, n)
        }
        CertaintyChanged {
            ref original,
            ref back_translation,
        }
        | QuestionChanged {
            ref original,
            ref back_translation,
            ..
        }
        | TenseChanged {
            ref original,
            ref back_translation,
        }
        | AspectChanged {
            ref original,
            ref back_translation,
            ..
        } => {
            let n = match (original, back_translation) {
                (Some(o), _) => noise.loses(o.span),
                (None, Some(b)) => noise
                    .changed
                    .contains(&(discriminant(&r), b.text.to_lowercase())),
                (None, None) => false,
            };
            whole(r, n)
        }
        other => (Some(other), None),
    }
}

/// How many things a reason counts for its evidence: (evidence name, count).
fn counts(r: &DriftReason) -> Vec<(&'static str, usize)> {
    use DriftReason::*;
    match r {
        WordsMissing { words } => vec![("content_missing", words.len())],
        WordsAdded { words } => vec![("content_added", words.len())],
        WordInserted { .. } => vec![("inserted", 1)],
        WordDropped { .. } => vec![("dropped", 1)],
        QuoteChanged { lost, .. } => vec![("quote_changed", lost.len())],
        WordsLeftUntranslated { words, unknown } => {
            vec![
                ("foreign_words", words.len()),
                ("unknown_words", unknown.len()),
            ]
        }
        NameMissing { .. } => vec![
            ("name_missing", 1),
            ("name_changed", 1),
            ("name_swapped", 1),
        ],
        NameAdded { .. } => vec![("name_added", 1)],
        CertaintyChanged { .. } => vec![("certainty", 1), ("hedge", 1)],
        PassageOmitted { .. } => vec![("omission", 1)],
        other => match other.evidence_kind() {
            Some(k) if k != EvidenceKind::EngineGap => vec![(k.name(), 1)],
            _ => Vec::new(),
        },
    }
}

fn tally(reasons: &[DriftReason]) -> [usize; N_EVIDENCE] {
    let mut n = [0usize; N_EVIDENCE];
    for r in reasons {
        for (name, c) in counts(r) {
            if let Some(i) = EVIDENCE_NAMES.iter().position(|e| *e == name) {
                n[i] += c;
            }
        }
    }
    n
}

/// Takes the engine's own noise out of `found`: the reasons (or the words of a reason) that
/// the original's round trip shows too are removed, and each kind of evidence shrinks in
/// proportion to what of it was the engine's. Returns the removed parts, to be shown as the
/// engine's.
pub fn discount(found: &mut Findings, noise: &EngineNoise) -> Vec<DriftReason> {
    discount_by(found, |r| split(r, noise))
}

/// Takes out of `found` the negation reasons that the translation itself contradicts, read
/// in its own language with no engine ([`crate::direct::negation::count`]): a negation the
/// back-translation lost where the translation denies at least as often as the original
/// (Macedonian "Не мислам" for "I don't think", which Apertium's mkd-eng reads back as "I
/// think"), and one the back-translation added where the translation denies no more often
/// than the original. Only for a language whose words of denial are listed; a negation the
/// translation itself dropped or added keeps its reason. Returns them, to be shown as the
/// engine's.
pub fn discount_negation(
    found: &mut Findings,
    original: &str,
    translation: &str,
    lang: &str,
) -> Vec<DriftReason> {
    let has_negation_reason = found.reasons.iter().any(|r| {
        matches!(
            r,
            DriftReason::NegationLost { .. } | DriftReason::NegationAdded { .. }
        )
    });
    if !has_negation_reason {
        return Vec::new();
    }
    let Some(translated) = crate::direct::negation::count(translation, lang) else {
        return Vec::new();
    };
    let english = super::checks::negation::cues(&tokenize(original), &[]).len();
    discount_by(found, |r| {
        let engines = match r {
            DriftReason::NegationLost { .. } => english > 0 && translated >= english,
            DriftReason::NegationAdded { .. } => translated <= english,
            _ => false,
        };
        if engines {
            (None, Some(r))
        } else {
            (Some(r), None)
        }
    })
}

/// Takes out of `found` the name reasons that the translation itself contradicts, read
/// directly with no engine ([`crate::direct::name_verdicts`]): a name of the original the
/// back-translation lost but the translation has (Бхадракумар for Bhadrakumar; only where
/// its letters or the names table can tell), and a "name" of the back-translation that is
/// one of the translation's own words, left as it was by the engine (marked by it as a
/// word it could not translate, or in another script than Latin), in a pair where the
/// direct view finds no name of the original missing (a name swapped keeps the new name's
/// reason: the old one is missing there), and with it the names made of ordinary English
/// words that such a word stands for. Returns them, to be shown as the engine's.
pub fn discount_names(
    found: &mut Findings,
    original: &str,
    translation: &str,
    lang: &str,
    engine_gaps: &[Span],
) -> Vec<DriftReason> {
    let original_text = original;
    let has_name_reason = found.reasons.iter().any(|r| {
        matches!(
            r,
            DriftReason::NameMissing { .. } | DriftReason::NameAdded { .. }
        )
    });
    if !has_name_reason {
        return Vec::new();
    }
    let verdicts = crate::direct::name_verdicts(original, translation, lang);
    let none_missing = verdicts.iter().all(|v| v.found);
    // Left as it was, not a name added: a word of the translation, in the back-translation
    // where the engine marked a word it could not translate, or in another script than
    // English's (a Latin-script name copied from a Spanish translation may be one the
    // translation added: Lavrov).
    let left_as_is = |r: &DriftReason| match r {
        DriftReason::NameAdded {
            back_translation: m,
        } => {
            let gap = engine_gaps
                .iter()
                .any(|g| overlaps(&(g.start..g.end), m.span));
            let foreign = m
                .text
                .chars()
                .any(|c| crate::text::lang::script_of(c).is_some_and(|s| s != "Latin"));
            none_missing
                && (gap || foreign)
                && crate::direct::find_phrase(translation, &m.text).is_some()
        }
        _ => false,
    };
    // A word of the translation the engine left as it was (a name rendered in the
    // translation's words, Kyrrahafssvæðið, Северноатлантскиот) hides the names it stands
    // for: an ordinary English word as a name (Pacific, Treaty) that the direct view cannot
    // judge is not held against the translation then.
    let left: HashSet<String> = found
        .reasons
        .iter()
        .filter(|r| left_as_is(r))
        .filter_map(|r| match r {
            DriftReason::NameAdded { back_translation } => Some(back_translation.text.clone()),
            _ => None,
        })
        .collect();
    let hidden = !left.is_empty();
    discount_by(found, |r| {
        if let DriftReason::WordsLeftUntranslated { words, unknown } = r {
            // the same words, counted once more as not English
            let (k, o) = part(words, |m| left.contains(&m.text));
            let kept = (!k.is_empty() || !unknown.is_empty())
                .then_some(DriftReason::WordsLeftUntranslated { words: k, unknown });
            let own = (!o.is_empty()).then(|| DriftReason::WordsLeftUntranslated {
                words: o,
                unknown: Vec::new(),
            });
            return (kept, own);
        }
        // the same names, counted once more as words without a counterpart
        if let DriftReason::WordsMissing { words } = r {
            let (k, o) = part(words, |m| {
                verdicts
                    .iter()
                    .any(|v| v.found && overlaps(&v.span, m.span))
            });
            let make = |words: Vec<Mention>| {
                (!words.is_empty()).then_some(DriftReason::WordsMissing { words })
            };
            return (make(k), make(o));
        }
        if let DriftReason::WordsAdded { words } = r {
            let (k, o) = part(words, |m| left.contains(&m.text));
            let make = |words: Vec<Mention>| {
                (!words.is_empty()).then_some(DriftReason::WordsAdded { words })
            };
            return (make(k), make(o));
        }
        let engines = match &r {
            DriftReason::NameMissing { original } => {
                let judged: Vec<_> = verdicts
                    .iter()
                    .filter(|v| overlaps(&v.span, original.span))
                    .collect();
                if part_of_a_name_found(original, &verdicts, original_text) {
                    true
                } else if judged.is_empty() {
                    hidden && is_english_word(&original.text.to_lowercase())
                } else {
                    judged.iter().all(|v| v.found)
                }
            }
            _ => left_as_is(&r),
        };
        if engines {
            (None, Some(r))
        } else {
            (Some(r), None)
        }
    })
}

/// An ordinary English word ("Organisation’s", "Sea"), possessive or not.
fn ordinary_word(text: &str) -> bool {
    let lower = text.to_lowercase();
    let bare = lower
        .strip_suffix("’s")
        .or_else(|| lower.strip_suffix("'s"))
        .unwrap_or(&lower);
    is_english_word(bare)
}

/// Whether `missing`, an ordinary English word that heads a name of several words
/// ("Organisation’s" in "North Atlantic Treaty Organisation’s", "Sea" in "Sea of Okhotsk",
/// "University" in "East China Normal University"), belongs to a name another word of which
/// the direct view reads in the translation: the name is there, and its head was rendered
/// as the translation's own word for the kind of thing it names, which the engine reads
/// back otherwise. Only the head: the words that tell one such name from another (North or
/// South Korea, the Democratic Republic of the Congo) are judged each on its own, and so a
/// name swapped keeps its reason. A person's name ends in their own name, not an ordinary
/// word ("Ambassador Wang Wenbin").
fn part_of_a_name_found(
    missing: &Mention,
    verdicts: &[crate::direct::NameVerdict],
    original: &str,
) -> bool {
    if !ordinary_word(&missing.text) {
        return false;
    }
    let (run, head) = name_run(original, missing.span);
    if !overlaps(&head, missing.span) {
        return false;
    }
    verdicts.iter().any(|v| {
        v.found
            && run.start <= v.span.start
            && v.span.end <= run.end
            && !overlaps(&v.span, missing.span)
    })
}

/// The run of capitalised words around `span` in `text` (joined by spaces, with "of",
/// "the", "and", "for" between two of them): a name of several words; and its head, the word that says what kind of thing it names (the last word
/// before "of", else the last word: Sea of Okhotsk, People’s Republic of China, North
/// Atlantic Treaty Organisation).
fn name_run(text: &str, span: Span) -> (std::ops::Range<usize>, std::ops::Range<usize>) {
    let words: Vec<(usize, usize, &str)> = text
        .split_whitespace()
        .map(|w| {
            let start = w.as_ptr() as usize - text.as_ptr() as usize;
            (start, start + w.len(), w)
        })
        .collect();
    let capitalised = |w: &str| {
        w.chars()
            .find(|c| c.is_alphabetic())
            .is_some_and(char::is_uppercase)
    };
    let joiner = |w: &str| matches!(w, "of" | "the" | "and" | "for");
    let ends_phrase = |w: &str| w.ends_with([',', '.', ';', ':', '!', '?', '”', '"', ')']);
    let Some(at) = words
        .iter()
        .position(|&(s, e, _)| s <= span.start && span.start < e)
    else {
        return (span.start..span.end, span.start..span.end);
    };
    let (mut first, mut last) = (at, at);
    while first > 0 && !ends_phrase(words[first - 1].2) {
        let prev = words[first - 1].2;
        if capitalised(prev) {
            first -= 1;
        } else if joiner(prev)
            && first >= 2
            && capitalised(words[first - 2].2)
            && !ends_phrase(words[first - 2].2)
        {
            first -= 2;
        } else {
            break;
        }
    }
    while last + 1 < words.len() && !ends_phrase(words[last].2) {
        let next = words[last + 1].2;
        if capitalised(next) {
            last += 1;
        } else if joiner(next) && last + 2 < words.len() && capitalised(words[last + 2].2) {
            last += 2;
        } else {
            break;
        }
    }
    let head = (first..=last)
        .find(|&k| k < last && words[k + 1].2 == "of")
        .unwrap_or(last);
    (words[first].0..words[last].1, words[head].0..words[head].1)
}

fn overlaps(a: &std::ops::Range<usize>, b: Span) -> bool {
    a.start < b.end && b.start < a.end
}

/// Splits every reason of `found` into what stays and what is the engine's, and shrinks
/// each kind of evidence in proportion to what of it was the engine's.
fn discount_by(
    found: &mut Findings,
    mut split: impl FnMut(DriftReason) -> (Option<DriftReason>, Option<DriftReason>),
) -> Vec<DriftReason> {
    let before = tally(&found.reasons);
    let mut kept = Vec::with_capacity(found.reasons.len());
    let mut own = Vec::new();
    for r in std::mem::take(&mut found.reasons) {
        let (k, o) = split(r);
        kept.extend(k);
        own.extend(o);
    }
    let after = tally(&kept);
    let mut ev = found.evidence.to_vec();
    for i in 0..N_EVIDENCE {
        if before[i] > 0 {
            ev[i] *= after[i] as f32 / before[i] as f32;
        }
    }
    found.evidence = Evidence::from_vec(ev);
    found.reasons = kept;
    own
}

#[cfg(test)]
mod tests {
    use crate::drift::{DriftLevel, DriftReason, DriftScorer, Pair};

    const ORIGINAL: &str = "So to do both, no, absolutely not.";

    #[test]
    fn a_negation_the_engine_drops_on_its_own_round_trip_is_not_drift() {
        let scorer = DriftScorer::default();
        let alone = scorer.score(&Pair::new(ORIGINAL, "So do both things, no, at all."));
        assert_eq!(alone.level, DriftLevel::Critical, "{alone:?}");
        let pair = Pair::new(ORIGINAL, "So do both things, no, at all.")
            .with_round_trip("So to do both, no, at all.", None);
        let d = scorer.score(&pair);
        // no longer a broken fact: what is left is the wording ("things" added)
        assert!(d.level < DriftLevel::Critical, "{:?}", d.reasons);
        assert!(!d
            .reasons
            .iter()
            .any(|r| matches!(r, DriftReason::NegationLost { .. })));
        let shown = d.reasons.iter().find_map(|r| match r {
            DriftReason::EngineNoise { reason } => {
                matches!(**reason, DriftReason::NegationLost { .. }).then(|| r.message())
            }
            _ => None,
        });
        let shown = shown.expect("the dropped negation is still shown");
        assert!(shown.contains("own round trip"), "{shown}");
    }

    #[test]
    fn where_the_translation_reads_otherwise_than_the_round_trip_nothing_is_discounted() {
        // the engine drops "not" on its own, but the back-translation says something else
        // there: the translation changed it
        let pair = Pair::new(ORIGINAL, "So to do both, yes, certainly and gladly.")
            .with_round_trip("So to do both, no, at all.", None);
        let d = DriftScorer::default().score(&pair);
        assert!(d.level >= DriftLevel::Critical, "{:?}", d.reasons);
        assert!(d
            .reasons
            .iter()
            .any(|r| matches!(r, DriftReason::NegationLost { .. })));
    }

    #[test]
    fn a_rough_translation_is_judged_against_its_own_baseline_but_facts_still_count() {
        let scorer = DriftScorer::default();
        // every pair reworded the way a poor engine rewords: none stands out
        let originals: Vec<String> = (0..12)
            .map(|i| {
                format!("The minister said the talks in round {i} were productive and useful.")
            })
            .collect();
        let backs: Vec<String> = (0..12)
            .map(|i| {
                format!(
                    "The clergyman spoke the conversations of circle {i} were fertile and handy."
                )
            })
            .collect();
        let mut pairs: Vec<Pair> = originals
            .iter()
            .zip(&backs)
            .map(|(o, b)| Pair::new(o, b))
            .collect();
        let alone: Vec<DriftLevel> = pairs.iter().map(|p| scorer.score(p).level).collect();
        pairs.push(Pair::new(
            "The minister said 10 soldiers died.",
            "The clergyman spoke 12 soldiers died.",
        ));
        let (drifts, baseline) = scorer.score_document(&pairs);
        assert!(baseline.shift > 0.0, "{baseline:?}");
        let flagged_alone = alone.iter().filter(|l| l.is_flagged()).count();
        let flagged = drifts[..12].iter().filter(|d| d.level.is_flagged()).count();
        assert!(
            flagged_alone > 0 && flagged == 0,
            "{flagged_alone} alone, {flagged} in the document"
        );
        assert_eq!(
            drifts[12].level,
            DriftLevel::Critical,
            "{:?}",
            drifts[12].reasons
        );
        assert!(drifts[..12].iter().any(|d| d
            .reasons
            .iter()
            .any(|r| matches!(r, DriftReason::RoughThroughout { .. }))));
    }

    #[test]
    fn the_head_of_a_name_the_translation_has_is_not_lost_but_the_words_that_tell_names_apart_are()
    {
        let scorer = DriftScorer::default();
        let found_name = |d: &crate::drift::Drift, word: &str| {
            d.reasons.iter().any(|r| {
                matches!(r, DriftReason::FoundInTranslation { .. })
                    && r.message().contains(&format!("the name {word} is missing"))
            })
        };
        let missing_name = |d: &crate::drift::Drift, word: &str| {
            d.reasons.iter().any(
                |r| matches!(r, DriftReason::NameMissing { original } if original.text == word),
            )
        };
        // Icelandic names NATO in one word; Apertium's isl-eng leaves it as it was
        let original = "The meeting transforms the geopolitics of the North Atlantic Treaty Organisation’s relentless eastward expansion.";
        let translation = "Fundurinn umbreytir landfræðipólitík látlausrar útþenslu Norður-Atlantshafsbandalagsins í austurátt.";
        let back = "The meeting transforms the geopolitics of unpretentious expansion North-Atlantshafsbandalagsins in the east.";
        let d = scorer.score(&Pair::new(original, back).with_translation(translation, "is"));
        assert!(found_name(&d, "Organisation’s"), "{:?}", d.reasons);

        // a sea of that name is there ("China" read by its letters), but another one: the
        // word that tells the two apart keeps its reason
        let original = "Chinese ships sailed into the South China Sea on Monday.";
        let translation = "Los buques chinos entraron el lunes en el mar de China Oriental.";
        let back = "The Chinese ships entered on Monday in the sea of Eastern China.";
        let d = scorer.score(&Pair::new(original, back).with_translation(translation, "es"));
        assert!(missing_name(&d, "South"), "{:?}", d.reasons);
        assert!(!found_name(&d, "South"), "{:?}", d.reasons);
        assert!(d.level.is_flagged(), "{:?}", d.reasons);

        // a person's name: its head is their own name
        let original =
            "The spokesman Ambassador Wang Wenbin said on Monday that the talks went well.";
        let translation =
            "La proparolanto ambasadoro Zhao Lijian diris lundon, ke la intertraktadoj iris bone.";
        let back =
            "The spokesman ambassador Zhao Lijian said Monday, that the negotiations went well.";
        let d = scorer.score(&Pair::new(original, back).with_translation(translation, "eo"));
        assert!(!found_name(&d, "Wang"), "{:?}", d.reasons);
        assert!(d.level.is_flagged(), "{:?}", d.reasons);
    }

    #[test]
    fn a_negation_the_translation_keeps_is_not_lost_by_the_engine_but_a_dropped_one_is() {
        let scorer = DriftScorer::default();
        let original =
            "“I don’t think the United States is prepared to go to war in Ukraine,” he said.";
        // Macedonian keeps the denial; Apertium's mkd-eng reads it back without one
        let translation = "„Не мислам дека Соединетите Држави се подготвени да одат во војна во Украина“, рече тој.";
        let back = "“I think the United States are prepared to go to war in Ukraine,” he said.";
        let alone = scorer.score(&Pair::new(original, back));
        assert!(alone.level.is_flagged(), "{:?}", alone.reasons);
        let d = scorer.score(&Pair::new(original, back).with_translation(translation, "mk"));
        assert!(!d.level.is_flagged(), "{:?}", d.reasons);
        assert!(
            d.reasons
                .iter()
                .any(|r| matches!(r, DriftReason::FoundInTranslation { .. })
                    && r.message().contains("but the translation has it")),
            "{:?}",
            d.reasons
        );

        // the translation itself dropped the denial: the reason stays
        let dropped =
            "„Мислам дека Соединетите Држави се подготвени да одат во војна во Украина“, рече тој.";
        let d = scorer.score(&Pair::new(original, back).with_translation(dropped, "mk"));
        assert!(d.level.is_flagged(), "{:?}", d.reasons);
        assert!(d
            .reasons
            .iter()
            .any(|r| matches!(r, DriftReason::NegationLost { .. })));

        // a denial only the back-translation has, where the translation has none either
        let plain = "“I think the United States is prepared,” he said.";
        let translation = "„Мислам дека Соединетите Држави се подготвени“, рече тој.";
        let back = "“I do not think the United States are prepared,” he said.";
        let d = scorer.score(&Pair::new(plain, back).with_translation(translation, "mk"));
        assert!(
            !d.reasons
                .iter()
                .any(|r| matches!(r, DriftReason::NegationAdded { .. })),
            "{:?}",
            d.reasons
        );
        // and in a language without a list of denials nothing is discounted
        let d = scorer.score(
            &Pair::new(
                original,
                "“I think the United States are prepared to go to war in Ukraine,” he said.",
            )
            .with_translation(
                "„Nemyslím si, že Spojené státy jsou připraveny jít do války na Ukrajině,“ řekl.",
                "cs",
            ),
        );
        assert!(d
            .reasons
            .iter()
            .any(|r| matches!(r, DriftReason::NegationLost { .. })));
    }

    #[test]
    fn a_name_the_translation_has_is_not_lost_by_the_engine_but_a_swapped_one_is() {
        let scorer = DriftScorer::default();
        let original = "On Monday the defence minister Shoigu met the writer Bhadrakumar in Moscow to discuss the security of the region.";
        // Macedonian: the engine leaves the transliterated name as it was
        let translation = "Во понеделникот министерот за одбрана Шојгу се сретна со писателот Бхадракумар во Москва за да разговараат за безбедноста на регионот.";
        let back = "On Monday the defence minister Shoigu met the writer Бхадракумар in Moscow to discuss the security of the region.";
        let alone = scorer.score(&Pair::new(original, back));
        assert!(alone.level.is_flagged(), "{:?}", alone.reasons);
        let d = scorer.score(&Pair::new(original, back).with_translation(translation, "mk"));
        assert!(!d.level.is_flagged(), "{:?}", d.reasons);
        let shown: Vec<String> = d
            .reasons
            .iter()
            .filter(|r| matches!(r, DriftReason::FoundInTranslation { .. }))
            .map(DriftReason::message)
            .collect();
        assert!(
            shown
                .iter()
                .any(|m| m.contains("Bhadrakumar is missing, but the translation has it")),
            "{shown:?}"
        );
        assert!(shown.iter().any(|m| m.contains("Бхадракумар")), "{shown:?}");

        // the translation names someone else: both name reasons stay
        let swapped = "Во понеделникот министерот за одбрана Шојгу се сретна со писателот Ванг Ји во Москва за да разговараат за безбедноста на регионот.";
        let back = "On Monday the defence minister Shoigu met the writer Ванг Ји in Moscow to discuss the security of the region.";
        let d = scorer.score(&Pair::new(original, back).with_translation(swapped, "mk"));
        assert!(d.level.is_flagged(), "{:?}", d.reasons);
        assert!(d
            .reasons
            .iter()
            .any(|r| matches!(r, DriftReason::NameMissing { .. })));
        assert!(!d
            .reasons
            .iter()
            .any(|r| matches!(r, DriftReason::FoundInTranslation { .. })));
    }
}
