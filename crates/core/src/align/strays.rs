//! Sentences a bead carries without needing them. The aligner weighs a bead's evidence as
//! a whole, so an added sentence next to its neighbour can join that neighbour's bead (a
//! 1-2 bead whose lengths add up no worse than many faithful splits, and whose vectors,
//! summed, still read like the original): the added sentence then goes unseen. Looking
//! at each sentence of the bead on its own tells a split from an addition after the fact.
//! A sentence at an end of a bead's side is a stray when all of these hold:
//! - it is a sentence: it has letters and ends as a sentence ends (Unicode's
//!   Sentence_Terminal, before any closing quotation marks or brackets), not a clause the
//!   segmenter cut at a colon or semicolon, whose vector reads like anything;
//! - the bead reads more like its other side without it (a part of a faithful split
//!   carries part of the meaning: the bead reads less like its original without it);
//! - it reads far less like its counterpart than the translation's one-to-one pairs read
//!   like theirs (robust z below −3.5, the outlier cut the direct view uses);
//! - at least a tenth of the other document's sentences read as much like it as its own
//!   counterpart does (a clause of a faithful split reads most like its own original).
//!
//! Measured on the bundled corpus (multilingual-e5-small, "query: "): the sentence added
//! at the end of the Chinese drift variant gains its bead +0.003, stands at z −4.5 and
//! reads more like 14 of the original's 45 sentences than like its own. The Thai
//! segmenter cuts sentences into clauses; its trailing clause "… East China Normal
//! University, told the Global Times" also gains its bead +0.003 and stands at z −3.7,
//! but only 2 sentences of the original read more like it than its own: kept. No other
//! bead of the corpus's translations gains anything without a sentence.
//!
//! With the vectors inside the aligner too (`bench align` with the model), the added
//! sentences of the fr, gl, ru and zh drift variants are split off as the hand-checked
//! beads have them (gold beads found 794 → 802 of 807). Text+Berg's German–French yearbook
//! splits into many clauses at colons and semicolons; before the sentence test, three of
//! its five splits were such clauses ("Nun begannen die Erkundungen :", "Literatur :")
//! and one a page number left over by the segmenter ("296-309 ) .").
//!
//! Only the ends of a bead's side are looked at: a side is a run of sentences, and a
//! stray in the middle of one would leave two beads with one side each.

use super::{Alignment, Bead, Signal};
use crate::drift::metrics::cosine;
use icu_properties::props::{BinaryProperty, GeneralCategory, SentenceTerminal};
use icu_properties::CodePointMapData;

/// One side's sentences and their sentence vectors (one each).
#[derive(Debug, Clone, Copy)]
pub struct Sentences<'a> {
    pub texts: &'a [&'a str],
    pub vectors: &'a [Vec<f32>],
}

/// How the stray test names itself among the alignment's signals.
pub const SIGNAL: &str = "cross-lingual similarity (sentences a bead did not need)";

/// `alignment` with every stray sentence (see the module's documentation) split off its
/// bead into a bead of its own, as added (a translated sentence) or dropped (an original
/// one). With a text or vector missing for any sentence of a bead, that bead is left as it
/// is, and with fewer than five one-to-one beads to measure against, the whole alignment.
/// Where anything was split, the alignment's signals say so.
pub fn split_strays(
    alignment: &Alignment,
    original: Sentences,
    translation: Sentences,
) -> Alignment {
    let Some(yardstick) = yardstick(alignment, original.vectors, translation.vectors) else {
        return alignment.clone();
    };
    let mut beads = Vec::with_capacity(alignment.beads.len() + 2);
    let mut split = false;
    for bead in &alignment.beads {
        let mut rest = bead.clone();
        let mut after = Vec::new();
        while let Some(stray) = find_stray(&rest, original, translation, yardstick) {
            split = true;
            let side = match stray.side {
                Which::Original => &mut rest.original,
                Which::Translation => &mut rest.translation,
            };
            let id = side.remove(stray.index);
            let alone = match stray.side {
                Which::Original => Bead {
                    original: vec![id],
                    translation: Vec::new(),
                    cost: bead.cost,
                },
                Which::Translation => Bead {
                    original: Vec::new(),
                    translation: vec![id],
                    cost: bead.cost,
                },
            };
            if stray.index == 0 {
                beads.push(alone);
            } else {
                after.push(alone);
            }
        }
        beads.push(rest);
        beads.extend(after.into_iter().rev());
    }
    let mut signals_used = alignment.signals_used.clone();
    if split && !signals_used.contains(&Signal::Similarity(SIGNAL)) {
        signals_used.push(Signal::Similarity(SIGNAL));
    }
    Alignment {
        beads,
        signals_used,
    }
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Which {
    Original,
    Translation,
}

struct Stray {
    side: Which,
    /// Its place in that side of the bead: 0 or the last.
    index: usize,
    /// How much more the bead reads like its other side without it.
    gain: f32,
}

/// How far below the translation's one-to-one pairs a stray's cosine with its counterpart
/// stands: the modified z-score's outlier cut (Iglewicz & Hoaglin), as in the direct view.
const OUTLIER: f32 = -3.5;

/// The share of the other document's sentences that must read at least as much like a
/// stray as its own counterpart does.
const NOT_ITS_OWN: f32 = 0.1;

/// The fewest one-to-one pairs that give a yardstick.
const MIN_PAIRS: usize = 5;

/// The median and spread (1.4826 × median absolute deviation) of the cosines of the
/// alignment's one-to-one beads; `None` with too few of them or no spread.
fn yardstick(
    alignment: &Alignment,
    original: &[Vec<f32>],
    translation: &[Vec<f32>],
) -> Option<(f32, f32)> {
    let cosines: Vec<f32> = alignment
        .beads
        .iter()
        .filter_map(
            |b| match (b.original.as_slice(), b.translation.as_slice()) {
                (&[o], &[t]) => Some(cosine(original.get(o)?, translation.get(t)?)),
                _ => None,
            },
        )
        .filter(|c| c.is_finite())
        .collect();
    if cosines.len() < MIN_PAIRS {
        return None;
    }
    let (median, spread) = crate::direct::median_and_spread(&cosines);
    (spread > 0.0).then_some((median, spread))
}

/// Whether `text` reads as a sentence of its own: it has letters, and its last character
/// before closing quotation marks and brackets ends sentences in Unicode's tables.
pub fn is_whole_sentence(text: &str) -> bool {
    let categories = CodePointMapData::<GeneralCategory>::new();
    let closing = |c: char| {
        matches!(
            categories.get(c),
            GeneralCategory::ClosePunctuation
                | GeneralCategory::FinalPunctuation
                | GeneralCategory::InitialPunctuation
        ) || matches!(c, '"' | '\'')
    };
    text.chars().any(char::is_alphabetic)
        && text
            .trim_end()
            .trim_end_matches(|c: char| closing(c) || c.is_whitespace())
            .chars()
            .next_back()
            .is_some_and(SentenceTerminal::for_char)
}

/// The stray at an end of `bead` whose removal helps the bead most, if any.
fn find_stray(
    bead: &Bead,
    original: Sentences,
    translation: Sentences,
    (median, spread): (f32, f32),
) -> Option<Stray> {
    let vectors_of = |ids: &[usize], all: &[Vec<f32>]| -> Option<Vec<Vec<f32>>> {
        ids.iter().map(|&i| all.get(i).cloned()).collect()
    };
    let o = vectors_of(&bead.original, original.vectors)?;
    let t = vectors_of(&bead.translation, translation.vectors)?;
    if o.is_empty() || t.is_empty() {
        return None;
    }
    let mut best: Option<Stray> = None;
    for (which, ids, side, other, other_ids, texts, other_document) in [
        (
            Which::Original,
            &bead.original,
            &o,
            &t,
            &bead.translation,
            original.texts,
            translation.vectors,
        ),
        (
            Which::Translation,
            &bead.translation,
            &t,
            &o,
            &bead.original,
            translation.texts,
            original.vectors,
        ),
    ] {
        if side.len() < 2 {
            continue;
        }
        let other_sum = sum(other.iter());
        let whole = cosine(&sum(side.iter()), &other_sum);
        for index in [0, side.len() - 1] {
            if !texts.get(ids[index]).is_some_and(|t| is_whole_sentence(t)) {
                continue;
            }
            let candidate = &side[index];
            let rest = sum(side
                .iter()
                .enumerate()
                .filter(|&(i, _)| i != index)
                .map(|(_, v)| v));
            let gain = cosine(&rest, &other_sum) - whole;
            // how it reads against its own counterpart(s), against the translation's
            // usual pair, and against the other document's other sentences
            let own = other
                .iter()
                .map(|v| cosine(candidate, v))
                .fold(f32::MIN, f32::max);
            if gain <= 0.0 || (own - median) / spread >= OUTLIER {
                continue;
            }
            let others = other_document.len().saturating_sub(other_ids.len());
            let closer = other_document
                .iter()
                .enumerate()
                .filter(|(i, v)| !other_ids.contains(i) && cosine(candidate, v) >= own)
                .count();
            if (closer as f32) < NOT_ITS_OWN * others as f32 || closer == 0 {
                continue;
            }
            if best.as_ref().is_none_or(|b| gain > b.gain) {
                best = Some(Stray {
                    side: which,
                    index,
                    gain,
                });
            }
        }
    }
    best
}

fn sum<'a>(vectors: impl Iterator<Item = &'a Vec<f32>>) -> Vec<f32> {
    let mut out: Vec<f32> = Vec::new();
    for v in vectors {
        if out.is_empty() {
            out = vec![0.0; v.len()];
        }
        for (o, x) in out.iter_mut().zip(v) {
            *o += x;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const DIM: usize = 40;
    /// The axis every sentence shares a little of (as every pair of real sentence vectors
    /// has a cosine well above zero).
    const COMMON: usize = DIM - 1;

    /// A sentence on topics `axes` (weight as given), with the shared axis and a little
    /// deterministic noise (`seed`).
    fn sentence(axes: &[(usize, f32)], seed: usize) -> Vec<f32> {
        noisy(axes, seed, 0.12)
    }

    fn noisy(axes: &[(usize, f32)], seed: usize, noise: f32) -> Vec<f32> {
        let mut v: Vec<f32> = (0..DIM)
            .map(|d| (((seed * 7919 + d * 104_729) % 1000) as f32 / 1000.0 - 0.5) * noise)
            .collect();
        v[COMMON] += 0.5;
        for &(a, w) in axes {
            v[a] += w;
        }
        v
    }

    fn bead(o: &[usize], t: &[usize]) -> Bead {
        Bead {
            original: o.to_vec(),
            translation: t.to_vec(),
            cost: -1.0,
        }
    }

    /// Every sentence reads as a whole sentence, except those in `clauses`.
    fn texts(n: usize, clauses: &[usize]) -> Vec<&'static str> {
        (0..n)
            .map(|i| {
                if clauses.contains(&i) {
                    "Literatur :"
                } else {
                    "A sentence."
                }
            })
            .collect()
    }

    fn split(
        alignment: &Alignment,
        original: &[Vec<f32>],
        translation: &[Vec<f32>],
        clauses: &[usize],
    ) -> Alignment {
        let (o, t) = (
            texts(original.len(), &[]),
            texts(translation.len(), clauses),
        );
        split_strays(
            alignment,
            Sentences {
                texts: &o,
                vectors: original,
            },
            Sentences {
                texts: &t,
                vectors: translation,
            },
        )
    }

    fn shapes(alignment: &Alignment) -> Vec<(Vec<usize>, Vec<usize>)> {
        alignment
            .beads
            .iter()
            .map(|b| (b.original.clone(), b.translation.clone()))
            .collect()
    }

    /// Twelve original sentences on twelve topics (sentence 2 on two). The translation
    /// renders them one to one, except that a clause of its own (a topic the vectors do
    /// not share, and a little of its sentence's) follows sentence 1, sentence 2 is split
    /// in two halves, and a sentence the original never has, leaning towards five of its
    /// other sentences, follows the last one. Returns the vectors and the aligner's
    /// beads, the clause, the halves and the added sentence joined to their neighbours.
    fn document() -> (Vec<Vec<f32>>, Vec<Vec<f32>>, Vec<Bead>) {
        let mut original: Vec<Vec<f32>> = (0..12).map(|i| sentence(&[(i, 1.0)], i)).collect();
        original[2] = sentence(&[(2, 1.0), (22, 1.0)], 2);
        let mut translation = Vec::new();
        let mut beads = Vec::new();
        for i in 0..12 {
            let start = translation.len();
            match i {
                1 => {
                    translation.push(sentence(&[(1, 1.0)], 100 + i));
                    translation.push(sentence(&[(20, 1.0), (1, 0.35)], 200));
                }
                2 => {
                    translation.push(sentence(&[(2, 1.0)], 100 + i));
                    translation.push(sentence(&[(22, 1.0)], 201));
                }
                11 => {
                    translation.push(sentence(&[(11, 1.0)], 100 + i));
                    let lean: Vec<(usize, f32)> = [(21, 1.0)]
                        .into_iter()
                        .chain([0, 3, 4, 5, 6].map(|a| (a, 0.4)))
                        .collect();
                    translation.push(sentence(&lean, 202));
                }
                _ => translation.push(sentence(&[(i, 1.0)], 100 + i)),
            }
            beads.push(bead(&[i], &(start..translation.len()).collect::<Vec<_>>()));
        }
        (original, translation, beads)
    }

    #[test]
    fn an_added_sentence_joined_to_its_neighbour_is_split_off_and_a_true_split_kept() {
        let (original, translation, beads) = document();
        let alignment = Alignment {
            beads,
            signals_used: vec![Signal::Length],
        };
        let refined = split(&alignment, &original, &translation, &[]);
        let mut expected = shapes(&alignment);
        expected[11] = (vec![11], vec![13]);
        expected.push((vec![], vec![14]));
        // the clause after sentence 1 reads better gone and far below the usual pair, but
        // more like its own original than any other: kept, as are the two halves of 2
        assert_eq!(expected[1], (vec![1], vec![1, 2]));
        assert_eq!(expected[2], (vec![2], vec![3, 4]));
        assert_eq!(shapes(&refined), expected);
        assert!(refined.signals_used.contains(&Signal::Similarity(SIGNAL)));
        // the same sentence cut off at a colon is a clause of its neighbour's, not a
        // sentence added
        assert_eq!(split(&alignment, &original, &translation, &[14]), alignment);
    }

    #[test]
    fn a_whole_sentence_ends_as_sentences_end_in_every_script() {
        for sentence in [
            "两国领导人每年都会重申这一条约。",
            "He said: “Never.”",
            "«Так сказал он.»",
            "Was it (really) so?)",
            "क्या यह सच है?",
            "यह सच है।",
            "هل هذا صحيح؟",
            "Այո։",
            "Das ist so! ",
        ] {
            assert!(is_whole_sentence(sentence), "{sentence}");
        }
        for clause in [
            "Literatur :",
            "Nun begannen die Erkundungen :",
            "Le temps finit par s' améliorer ;",
            "296-309 ) .",
            "มหาวิทยาลัยครุศาสตร์จีนตะวันออก กล่าวกับโกลบอลไทมส์",
            "",
            "...",
        ] {
            assert!(!is_whole_sentence(clause), "{clause}");
        }
    }

    #[test]
    fn an_original_sentence_merged_into_a_bead_without_a_counterpart_is_dropped() {
        // the translation left out original 11 (and adds nothing); the aligner joined
        // it to 10
        let (original, mut translation, mut beads) = document();
        translation.truncate(13);
        beads.truncate(10);
        beads.push(bead(&[10, 11], &[12]));
        let alignment = Alignment {
            beads,
            signals_used: vec![Signal::Length],
        };
        let refined = split(&alignment, &original, &translation, &[]);
        assert_eq!(
            shapes(&refined)[10..],
            [(vec![10], vec![12]), (vec![11], vec![])]
        );
        // nothing to split: the alignment and its signals stay as they were
        let faithful = Alignment {
            beads: alignment.beads[..10].to_vec(),
            signals_used: vec![Signal::Length],
        };
        assert_eq!(split(&faithful, &original, &translation, &[]), faithful);
    }

    #[test]
    fn in_a_translation_whose_pairs_all_read_loosely_a_loose_sentence_is_no_stray() {
        // the same document, every one-to-one pair read through much more noise: the
        // added sentence no longer stands out against the usual pair
        let (original, mut translation, beads) = document();
        for (i, v) in translation.iter_mut().enumerate() {
            if i != 14 {
                for (d, x) in noisy(&[], 300 + i, 1.6).into_iter().enumerate() {
                    v[d] += x;
                }
            }
        }
        let alignment = Alignment {
            beads,
            signals_used: vec![Signal::Length],
        };
        assert_eq!(split(&alignment, &original, &translation, &[]), alignment);
    }

    #[test]
    fn missing_vectors_or_too_few_pairs_leave_the_alignment_as_it_was() {
        let (original, translation, beads) = document();
        let alignment = Alignment {
            beads,
            signals_used: vec![Signal::Length],
        };
        assert_eq!(split(&alignment, &original, &[], &[]), alignment);
        assert_eq!(
            split(&alignment, &original, &translation[..13], &[]),
            Alignment {
                beads: alignment.beads.clone(),
                signals_used: vec![Signal::Length],
            }
        );
        let short = Alignment {
            beads: alignment.beads[8..].to_vec(),
            signals_used: vec![Signal::Length],
        };
        assert_eq!(split(&short, &original, &translation, &[]), short);
    }
}
