//! Sentence cuts a segmenter had to guess. Thai marks sentences with spaces, which also
//! part clauses, names and phrases; the segmenter (`text::split`) cuts at a space where
//! the text so far is a sentence's worth and the next word does not continue the clause.
//! Where a sentence begins with such a word ("ในการรายงาน…", *reporting on …*), a short
//! adverb ("ทุกวันนี้", *today*) or an opening quotation mark, it cuts one phrase late or
//! early, and each half of the true sentence ends up in another sentence. The aligner sees
//! sentences whole: it pairs the two cut sentences one to one, each with the original
//! sentence it mostly carries, and each pair then holds a phrase of its neighbour's.
//!
//! After the search, a cut the segmenter guessed (the sentence before it does not end as a
//! sentence ends, and both sentences lie in one paragraph) between two paired beads is
//! tried at the nearby spaces instead (up to [`REACH`] on each side). Each place gives the
//! two beads other texts; the cut part is embedded on its own, and a bead's vector is the
//! length-weighted sum of its sentences' vectors, as the aligner weighs them
//! ([`super::vectors`]). Where the two beads read more like their original sentences with
//! the cut elsewhere (their cosines summed gain at least [`MIN_GAIN`]), or where the cut
//! leaves a quotation open on one side that the original leaves closed and a place nearby
//! closes it without losing more than [`QUOTE_SLACK`], the true cut lies inside the two
//! beads' sentences: they become one bead, as a reader pairing the sentences by hand pairs
//! them (the hand-checked Thai beads [14,15]:[18,19], [26,27]:[36,37] …).
//!
//! The segmenter's sentences stay as they are: the report shows the text as it was
//! segmented, and a bead holds both halves of the true sentence.
//!
//! Measured on the bundled corpus with multilingual-e5-small (`passage` vectors from the
//! package's C engine, the aligner's Thai beads): at the six cuts that cross a true
//! sentence boundary the best place elsewhere gains 0.008–0.064, at the 34 others at most
//! 0.006; the seventh crossing cut, "… ทั้งรัสเซียและจีน “ในสภาพแวดล้อมเช่นนี้" | "การประสาน…",
//! loses 0.005 by moving before the quotation mark, and is told by the quotation it leaves
//! open. Cut parts embedded inside the joined text (mean-pooled over their tokens, one pass
//! for both) instead of on their own told nothing: every place scored within 0.02 of
//! every other.
//!
//! In the pipeline (candle's vectors, "query: "), it asks about 12 cuts of the Thai
//! translation and 1 of the Greek, none elsewhere in the corpus, and joins exactly the
//! five Thai beads the hand-checked file has (hand-checked beads 802 → 807 of 807).
//! Text+Berg dev, whose segmenter cuts at colons and abbreviations: strict F1 0.934 → 0.943.

use super::strays::is_whole_sentence;
use super::{Alignment, Bead, Side, Signal};
use crate::drift::metrics::cosine;

/// How the cut test names itself among the alignment's signals.
pub const SIGNAL: &str = "cross-lingual similarity (sentence cuts the segmenter guessed)";

/// Places tried on each side of the segmenter's cut (spaces between words).
pub const REACH: usize = 2;

/// What the two beads' cosines, summed, must gain with the cut elsewhere.
pub const MIN_GAIN: f32 = 0.007;

/// What they may lose where the cut elsewhere closes a quotation the segmenter's cut left
/// open on one side only.
pub const QUOTE_SLACK: f32 = 0.01;

/// One side's sentences (with their paragraphs) and their sentence vectors (one each).
#[derive(Clone, Copy)]
pub struct Cuttable<'a> {
    pub side: &'a Side<'a>,
    pub vectors: &'a [Vec<f32>],
}

/// Sentence vectors of texts, from the caller's model; `None` where it could not embed.
pub type Embed<'e> = dyn FnMut(&[&str]) -> Option<Vec<Vec<f32>>> + 'e;

/// `alignment` with every two neighbouring beads joined into one where a cut the
/// segmenter guessed between them crosses a true sentence boundary (see the module's
/// documentation). Left as it is where a vector is missing or `embed` gives none.
pub fn join_crossed_cuts(
    alignment: &Alignment,
    original: Cuttable,
    translation: Cuttable,
    embed: &mut Embed,
) -> Alignment {
    let beads = &alignment.beads;
    let mut questions: Vec<Question> = Vec::new();
    for k in 0..beads.len().saturating_sub(1) {
        let (a, b) = (&beads[k], &beads[k + 1]);
        if [&a.original, &a.translation, &b.original, &b.translation]
            .iter()
            .any(|s| s.is_empty())
        {
            continue;
        }
        for which in [Which::Original, Which::Translation] {
            let (this, other) = match which {
                Which::Original => (original, translation),
                Which::Translation => (translation, original),
            };
            if let Some(q) = question(k, which, a, b, this, other) {
                questions.push(q);
            }
        }
    }
    if questions.is_empty() {
        return alignment.clone();
    }
    let mut texts: Vec<&str> = questions
        .iter()
        .flat_map(|q| {
            q.places
                .iter()
                .flat_map(|p| [p.left.as_str(), p.right.as_str()])
        })
        .collect();
    texts.sort_unstable();
    texts.dedup();
    let Some(vectors) = embed(&texts) else {
        return alignment.clone();
    };
    if vectors.len() != texts.len() {
        return alignment.clone();
    }
    let vector_of = |t: &str| -> &[f32] {
        texts
            .binary_search(&t)
            .map(|i| vectors[i].as_slice())
            .unwrap_or(&[])
    };
    let mut join_after = vec![false; beads.len()];
    for q in &questions {
        let (a, b) = (&beads[q.bead], &beads[q.bead + 1]);
        let (this, other) = match q.which {
            Which::Original => (original, translation),
            Which::Translation => (translation, original),
        };
        let (this_a, this_b, other_a, other_b) = match q.which {
            Which::Original => (&a.original, &b.original, &a.translation, &b.translation),
            Which::Translation => (&a.translation, &b.translation, &a.original, &b.original),
        };
        let (Some(oa), Some(ob)) = (
            weighted(other, other_a, None),
            weighted(other, other_b, None),
        ) else {
            continue;
        };
        let score = |left: (&str, &[f32]), right: (&str, &[f32])| -> Option<f32> {
            let sa = weighted(this, &this_a[..this_a.len() - 1], Some(left))?;
            let sb = weighted(this, &this_b[1..], Some(right))?;
            Some(cosine(&sa, &oa) + cosine(&sb, &ob))
        };
        let (i, j) = (*this_a.last().unwrap_or(&0), this_b[0]);
        let Some(now) = score(
            (this.side.sentences[i], &this.vectors[i]),
            (this.side.sentences[j], &this.vectors[j]),
        ) else {
            continue;
        };
        let open_now = q.now_open != q.other_open;
        let crossed = q.places.iter().any(|p| {
            let Some(s) = score(
                (&p.left, vector_of(&p.left)),
                (&p.right, vector_of(&p.right)),
            ) else {
                return false;
            };
            s - now >= MIN_GAIN || (open_now && p.open == q.other_open && s - now >= -QUOTE_SLACK)
        });
        if crossed {
            join_after[q.bead] = true;
        }
    }
    if !join_after.iter().any(|&j| j) {
        return alignment.clone();
    }
    let mut out: Vec<Bead> = Vec::with_capacity(beads.len());
    let mut joining = false;
    for (k, bead) in beads.iter().enumerate() {
        match (joining, out.last_mut()) {
            (true, Some(last)) => {
                last.original.extend(&bead.original);
                last.translation.extend(&bead.translation);
                last.cost += bead.cost;
            }
            _ => out.push(bead.clone()),
        }
        joining = join_after[k];
    }
    let mut signals_used = alignment.signals_used.clone();
    if !signals_used.contains(&Signal::Similarity(SIGNAL)) {
        signals_used.push(Signal::Similarity(SIGNAL));
    }
    Alignment {
        beads: out,
        signals_used,
    }
}

/// Whether `side` has a cut its segmenter guessed: a sentence that does not end as a
/// sentence ends, followed by one in the same paragraph (Thai's spaces, a cut at a colon).
/// Only such a side can gain from [`join_crossed_cuts`], which a caller can skip (and its
/// vectors) for every other.
pub fn has_guessed_cuts(side: &Side) -> bool {
    let s = &side.sentences;
    let same_paragraph =
        |i: usize| side.paragraphs.len() != s.len() || side.paragraphs[i] == side.paragraphs[i + 1];
    (0..s.len().saturating_sub(1)).any(|i| same_paragraph(i) && !is_whole_sentence(s[i]))
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Which {
    Original,
    Translation,
}

/// A guessed cut between bead `bead` and the next on one side, and the places it could
/// have been instead.
struct Question {
    bead: usize,
    which: Which,
    /// Whether the first bead's text on this side, and on the other side, leaves a
    /// quotation open at the cut.
    now_open: bool,
    other_open: bool,
    places: Vec<Place>,
}

/// The two sentences at a cut, cut elsewhere.
struct Place {
    left: String,
    right: String,
    /// Whether the first bead's text on this side leaves a quotation open with this cut.
    open: bool,
}

/// The question for the cut between beads `a` and `b` on side `which`, if the segmenter
/// guessed it and every sentence of both beads has a vector.
fn question(
    bead: usize,
    which: Which,
    a: &Bead,
    b: &Bead,
    this: Cuttable,
    other: Cuttable,
) -> Option<Question> {
    let (this_a, this_b, other_a) = match which {
        Which::Original => (&a.original, &b.original, &a.translation),
        Which::Translation => (&a.translation, &b.translation, &a.original),
    };
    let (i, j) = (*this_a.last()?, *this_b.first()?);
    let sentences = &this.side.sentences;
    if j != i + 1 || j >= sentences.len() || is_whole_sentence(sentences[i]) {
        return None;
    }
    let paragraphs = &this.side.paragraphs;
    if paragraphs.len() == sentences.len() && paragraphs[i] != paragraphs[j] {
        return None;
    }
    let has_vectors = |ids: &[usize], side: Cuttable| {
        ids.iter()
            .all(|&s| side.vectors.get(s).is_some_and(|v| !v.is_empty()))
    };
    let (other_b, this_all_a) = match which {
        Which::Original => (&b.translation, &a.original),
        Which::Translation => (&b.original, &a.translation),
    };
    if !has_vectors(this_all_a, this)
        || !has_vectors(this_b, this)
        || !has_vectors(other_a, other)
        || !has_vectors(other_b, other)
    {
        return None;
    }
    let (left, right) = (sentences[i].trim_end(), sentences[j].trim_start());
    let joined = format!("{left} {right}");
    let now = left.len();
    // The places: the first space of every run of spaces, with words on both sides.
    let spaces: Vec<usize> = joined
        .char_indices()
        .filter(|&(p, c)| {
            c.is_whitespace()
                && !joined[..p].ends_with(char::is_whitespace)
                && joined[..p].chars().any(char::is_alphanumeric)
                && joined[p..].chars().any(char::is_alphanumeric)
        })
        .map(|(p, _)| p)
        .collect();
    let at = spaces.iter().position(|&p| p == now)?;
    let before: String = this_all_a[..this_all_a.len() - 1]
        .iter()
        .map(|&s| sentences[s])
        .collect::<Vec<_>>()
        .join(" ");
    let open_with = |left: &str| leaves_quotation_open(&format!("{before} {left}"));
    let other_text: String = other_a
        .iter()
        .map(|&s| other.side.sentences[s])
        .collect::<Vec<_>>()
        .join(" ");
    let places = spaces[at.saturating_sub(REACH)..(at + REACH + 1).min(spaces.len())]
        .iter()
        .filter(|&&p| p != now)
        .map(|&p| {
            let left = joined[..p].trim_end().to_string();
            Place {
                open: open_with(&left),
                right: joined[p..].trim_start().to_string(),
                left,
            }
        })
        .collect::<Vec<_>>();
    (!places.is_empty()).then(|| Question {
        bead,
        which,
        now_open: open_with(left),
        other_open: leaves_quotation_open(&other_text),
        places,
    })
}

/// The length-weighted sum of the vectors of sentences `ids` of `side`, with `extra` (a
/// text and its vector) added; `None` where a vector is missing.
fn weighted(side: Cuttable, ids: &[usize], extra: Option<(&str, &[f32])>) -> Option<Vec<f32>> {
    let mut sum: Vec<f32> = Vec::new();
    let parts = ids
        .iter()
        .map(|&s| Some((side.side.sentences[s], side.vectors.get(s)?.as_slice())))
        .chain(extra.map(Some));
    for part in parts {
        let (text, v) = part?;
        if v.is_empty() {
            return None;
        }
        if sum.is_empty() {
            sum = vec![0.0; v.len()];
        }
        if v.len() != sum.len() {
            return None;
        }
        let w = text.chars().count().max(1) as f32;
        sum.iter_mut().zip(v).for_each(|(s, x)| *s += w * x);
    }
    (!sum.is_empty()).then_some(sum)
}

/// Whether `text` opens a quotation it does not close. Pairs of marks, as languages use
/// them: “ ” (English, Thai …), „ “ and „ ” (German, Polish …), « » (French, Russian …),
/// 「」 and 『』 (Chinese, Japanese), ‹ ›. A closing mark with nothing open is left alone
/// (the quotation began before the text); marks that open and close alike (Swedish ” ”,
/// Danish » «) are not read, since a closing one cannot be told from an opening one.
pub fn leaves_quotation_open(text: &str) -> bool {
    const PAIRS: &[(char, char)] = &[
        ('“', '”'),
        ('„', '“'),
        ('„', '”'),
        ('«', '»'),
        ('「', '」'),
        ('『', '』'),
        ('‹', '›'),
    ];
    let mut open: Vec<char> = Vec::new();
    for c in text.chars() {
        if open.last().is_some_and(|&o| PAIRS.contains(&(o, c))) {
            open.pop();
        } else if PAIRS.iter().any(|&(o, _)| o == c) {
            open.push(c);
        }
    }
    !open.is_empty()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A bag of words as a vector: every word (lower case, letters only) on an axis of its
    /// own, so that the two "languages" of these tests share their words.
    fn bag(text: &str) -> Vec<f32> {
        const WORDS: &[&str] = &[
            "alpha", "beta", "gamma", "delta", "epsilon", "zeta", "eta", "theta", "iota",
        ];
        let mut v = vec![0.0; WORDS.len() + 1];
        v[WORDS.len()] = 0.1; // what every two sentences share
        for w in text.split(|c: char| !c.is_alphabetic()) {
            if let Some(i) = WORDS.iter().position(|x| x.eq_ignore_ascii_case(w)) {
                v[i] += 1.0;
            }
        }
        v
    }

    fn one_to_one(n: usize) -> Alignment {
        Alignment {
            beads: (0..n)
                .map(|i| Bead {
                    original: vec![i],
                    translation: vec![i],
                    cost: -1.0,
                })
                .collect(),
            signals_used: vec![Signal::Length],
        }
    }

    fn recut(original: &[&str], translation: &[&str], alignment: &Alignment) -> Alignment {
        let (o, t) = (Side::lines(original), Side::lines(translation));
        let vo: Vec<Vec<f32>> = original.iter().map(|s| bag(s)).collect();
        let vt: Vec<Vec<f32>> = translation.iter().map(|s| bag(s)).collect();
        let mut embed = |texts: &[&str]| Some(texts.iter().map(|s| bag(s)).collect());
        join_crossed_cuts(
            alignment,
            Cuttable {
                side: &o,
                vectors: &vo,
            },
            Cuttable {
                side: &t,
                vectors: &vt,
            },
            &mut embed,
        )
    }

    fn ids(a: &Alignment) -> Vec<(Vec<usize>, Vec<usize>)> {
        a.beads
            .iter()
            .map(|b| (b.original.clone(), b.translation.clone()))
            .collect()
    }

    #[test]
    fn a_cut_one_word_late_joins_the_two_beads() {
        let original = [
            "Alpha beta gamma.",
            "Delta epsilon zeta.",
            "Eta theta iota.",
        ];
        // as a Thai segmenter cuts: at a space, one word late
        let translation = ["alpha beta gamma delta", "epsilon zeta", "eta theta iota"];
        let out = recut(&original, &translation, &one_to_one(3));
        assert_eq!(
            ids(&out),
            vec![(vec![0, 1], vec![0, 1]), (vec![2], vec![2])],
            "the first two sentences share a true sentence boundary inside them"
        );
        assert!(out.signals().contains(SIGNAL), "{}", out.signals());
        assert_eq!(
            out.beads[0].cost, -2.0,
            "a joined bead costs what its parts cost"
        );
    }

    #[test]
    fn cuts_in_the_right_place_or_at_a_full_stop_stay() {
        let original = [
            "Alpha beta gamma.",
            "Delta epsilon zeta.",
            "Eta theta iota.",
        ];
        let right = ["alpha beta gamma", "delta epsilon zeta", "eta theta iota"];
        assert_eq!(
            ids(&recut(&original, &right, &one_to_one(3))),
            ids(&one_to_one(3))
        );
        // a cut after a full stop is the writer's, not a guess: never moved
        let stopped = [
            "alpha beta gamma delta.",
            "epsilon zeta.",
            "eta theta iota.",
        ];
        let out = recut(&original, &stopped, &one_to_one(3));
        assert_eq!(ids(&out), ids(&one_to_one(3)));
        assert!(!out.signals().contains(SIGNAL));
    }

    #[test]
    fn a_cut_inside_a_quotation_the_original_keeps_closed_joins() {
        // The cut leaves “ open on the translation's side only; moving it before the mark
        // moves no word the vectors read ("kappa" is none), so they alone would not move it.
        let original = [
            "Alpha beta gamma.",
            "“Kappa delta epsilon,” zeta.",
            "Eta theta iota.",
        ];
        let translation = [
            "alpha beta gamma “kappa",
            "delta epsilon” zeta",
            "eta theta iota",
        ];
        let out = recut(&original, &translation, &one_to_one(3));
        assert_eq!(ids(&out)[0], (vec![0, 1], vec![0, 1]));
        // the same quotation open on both sides at the cut: a quotation of two sentences
        let both = [
            "Alpha “beta gamma.",
            "Delta epsilon” zeta.",
            "Eta theta iota.",
        ];
        let translation = ["alpha “beta gamma", "delta epsilon” zeta", "eta theta iota"];
        assert_eq!(
            ids(&recut(&both, &translation, &one_to_one(3))),
            ids(&one_to_one(3))
        );
    }

    #[test]
    fn only_a_side_with_guessed_cuts_is_looked_at() {
        let thai = ["alpha beta gamma delta", "epsilon zeta"];
        assert!(has_guessed_cuts(&Side::lines(&thai)));
        let english = ["Alpha beta gamma.", "Delta: epsilon zeta"];
        assert!(!has_guessed_cuts(&Side::lines(&english)));
        // a heading is a paragraph of its own
        let headed = Side {
            sentences: vec!["Alpha beta", "Gamma delta."],
            paragraphs: vec![0, 1],
        };
        assert!(!has_guessed_cuts(&headed));
    }

    #[test]
    fn without_vectors_for_the_cut_parts_nothing_changes() {
        let original = ["Alpha beta gamma.", "Delta epsilon zeta."];
        let translation = ["alpha beta gamma delta", "epsilon zeta"];
        let (o, t) = (Side::lines(&original), Side::lines(&translation));
        let vo: Vec<Vec<f32>> = original.iter().map(|s| bag(s)).collect();
        let vt: Vec<Vec<f32>> = translation.iter().map(|s| bag(s)).collect();
        let a = one_to_one(2);
        let out = join_crossed_cuts(
            &a,
            Cuttable {
                side: &o,
                vectors: &vo,
            },
            Cuttable {
                side: &t,
                vectors: &vt,
            },
            &mut |_: &[&str]| None,
        );
        assert_eq!(out, a);
    }

    #[test]
    fn quotations_open_and_closed_in_the_marks_of_several_languages() {
        assert!(leaves_quotation_open("He said “this month"));
        assert!(!leaves_quotation_open("He said “this month” and left"));
        assert!(!leaves_quotation_open("Er sagte „diesen Monat“ und ging"));
        assert!(leaves_quotation_open("Il a dit « ce mois-ci"));
        assert!(leaves_quotation_open("他说「这个月"));
        // a closing mark of a quotation opened before the text
        assert!(!leaves_quotation_open("this month,” he said"));
        assert!(!leaves_quotation_open("ชอยกูกล่าวไว้"));
    }
}
