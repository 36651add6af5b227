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
//! tried at the nearby spaces instead (up to [`REACH`] on each side, each moving at least
//! one more word). Each place gives the two beads other texts; the cut part is embedded on
//! its own, and a bead's vector is the length-weighted sum of its sentences' vectors, as
//! the aligner weighs them ([`super::vectors`]). The gain of a place is what the two
//! beads' cosines with their originals, summed, gain there.
//!
//! The yardstick is the document's own: the same is measured at the writer's cuts that
//! look like guessed ones, between paragraphs after a sentence with no sentence
//! punctuation (Thai's paragraphs), which are right by construction; whatever they gain
//! is the model's noise in this document and language. A guessed cut has crossed a true
//! sentence boundary where its best place gains more than nine in ten of those (and at
//! least [`MIN_GAIN`]), or where it leaves a quotation open on its side only that the
//! original leaves closed and a place nearby closes it without losing more than
//! [`QUOTE_SLACK`]. Its two beads then become one, as a reader pairing the sentences by
//! hand pairs them (the hand-checked Thai beads [14,15]:[18,19], [26,27]:[36,37] …). With
//! fewer than [`MIN_RIGHT_CUTS`] such cuts to measure, nothing is moved.
//!
//! Why so careful, measured on Text+Berg dev (de-fr) with candle's vectors:
//! - With a fixed bar (0.007) and nothing to measure against, the same dev split with every
//!   sentence's final punctuation stripped (every cut a guessed one, all right) fell from
//!   strict F1 0.918 to 0.668: 90 of its 758 right cuts gained 0.007 or more by noise.
//! - With the yardstick taken from punctuated cuts, half the lines stripped fell from 0.912
//!   to 0.788: a vector reads a sentence with its full stop otherwise than one without, and
//!   the punctuated cuts were quieter (the 16 measured gained at most 0.0055, while 51 of
//!   the right cuts stripped of their punctuation gained 0.007 or more).
//! - As now: both stripped copies keep their figures (0.918 and 0.912), and so does the
//!   dev split itself (0.934; its colon cuts would have gained 0.943 with the fixed bar).
//!
//! The segmenter's sentences stay as they are: the report shows the text as it was
//! segmented, and a bead holds both halves of the true sentence.
//!
//! Measured first on the bundled corpus with multilingual-e5-small (`passage` vectors from
//! the package's C engine, the aligner's Thai beads): at the six cuts that cross a true
//! sentence boundary the best place elsewhere gains 0.008–0.064, at the 34 others at most
//! 0.006; the seventh crossing cut, "… ทั้งรัสเซียและจีน “ในสภาพแวดล้อมเช่นนี้" | "การประสาน…",
//! loses 0.005 by moving before the quotation mark, and is told by the quotation it leaves
//! open. Cut parts embedded inside the joined text (mean-pooled over their tokens, one pass
//! for both) instead of on their own told nothing: every place scored within 0.02 of
//! every other.
//!
//! In the pipeline (candle's vectors, "query: "), it asks about 12 cuts of the Thai
//! translation and 1 of the Greek, none elsewhere in the corpus. Thai's 16 measured
//! paragraph ends gain at most 0.009 (nine in ten at most 0.006); its six crossing cuts
//! gain 0.0086–0.024, and exactly the five hand-checked beads they belong to are joined
//! (hand-checked beads 802 → 807 of 807).

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

/// The writer's own cuts measured for the yardstick (at most), and the fewest it needs:
/// a side with fewer (a text with no sentence punctuation and no paragraphs) is left as
/// it is.
pub const RIGHT_CUTS: usize = 16;
pub const MIN_RIGHT_CUTS: usize = 8;

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
/// documentation). Left as it is where the vectors or the beads do not fit the sentences,
/// a vector is missing, `embed` gives none, or the side has too few cuts of the writer's
/// own to measure against ([`MIN_RIGHT_CUTS`]).
pub fn join_crossed_cuts(
    alignment: &Alignment,
    original: Cuttable,
    translation: Cuttable,
    embed: &mut Embed,
) -> Alignment {
    let beads = &alignment.beads;
    let fits = |c: Cuttable| c.vectors.len() == c.side.sentences.len();
    let covered = |ids: fn(&Bead) -> &Vec<usize>, c: Cuttable| {
        beads
            .iter()
            .all(|b| ids(b).iter().all(|&i| i < c.side.sentences.len()))
    };
    if !fits(original)
        || !fits(translation)
        || !covered(|b| &b.original, original)
        || !covered(|b| &b.translation, translation)
    {
        return alignment.clone();
    }
    let guessed = questions(beads, original, translation, Cut::Guessed);
    if guessed.is_empty() {
        return alignment.clone();
    }
    let Some(answers) = answer(&guessed, beads, original, translation, embed) else {
        return alignment.clone();
    };
    // Only a cut that gains at least the least gain, or closes a quotation, can have
    // crossed; where none did, the writer's cuts need not be measured.
    let candidates: Vec<(&Question, Answer)> = guessed
        .iter()
        .zip(answers)
        .filter_map(|(q, a)| Some((q, a?)))
        .filter(|(_, a)| a.gain >= MIN_GAIN || a.closes_quotation)
        .collect();
    if candidates.is_empty() {
        return alignment.clone();
    }
    // The yardstick: what the writer's own cuts that look like guessed ones (paragraph ends
    // with no sentence punctuation) on the same sides gain at the places beside them. They
    // are right by construction, so whatever they gain is the model's noise here.
    let sides: Vec<Which> = [Which::Original, Which::Translation]
        .into_iter()
        .filter(|w| candidates.iter().any(|(q, _)| q.which == *w))
        .collect();
    let mut right = questions(beads, original, translation, Cut::Right);
    right.retain(|q| sides.contains(&q.which));
    let right = spread(right, RIGHT_CUTS);
    if right.len() < MIN_RIGHT_CUTS {
        return alignment.clone();
    }
    let Some(noise) = answer(&right, beads, original, translation, embed) else {
        return alignment.clone();
    };
    let mut noise: Vec<f32> = noise.into_iter().flatten().map(|a| a.gain).collect();
    if noise.len() < MIN_RIGHT_CUTS {
        return alignment.clone();
    }
    noise.sort_by(f32::total_cmp);
    // More than nine in ten of the writer's cuts gain.
    let noisy = noise[(noise.len() * 9 / 10).min(noise.len() - 1)];
    let mut join_after = vec![false; beads.len()];
    for (q, a) in candidates {
        if (a.gain > noisy && a.gain >= MIN_GAIN) || a.closes_quotation {
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
    (0..side.sentences.len().saturating_sub(1)).any(|i| cut_after(side, i) == Some(Cut::Guessed))
}

/// The kind of the cut between sentence `i` of `side` and the next, if it is one of the
/// two this module reads: only cuts after a sentence that does not end as a sentence ends
/// (a vector reads a sentence with its full stop otherwise than one without, so punctuated
/// cuts are no yardstick for guessed ones).
fn cut_after(side: &Side, i: usize) -> Option<Cut> {
    let sentences = &side.sentences;
    if i + 1 >= sentences.len() || is_whole_sentence(sentences[i]) {
        return None;
    }
    let paragraphs = &side.paragraphs;
    let between_paragraphs =
        paragraphs.len() == sentences.len() && paragraphs[i] != paragraphs[i + 1];
    Some(if between_paragraphs {
        Cut::Right
    } else {
        Cut::Guessed
    })
}

/// Which cuts [`questions`] asks about.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Cut {
    /// Cuts the segmenter guessed: after a sentence that does not end as a sentence
    /// ends, within a paragraph.
    Guessed,
    /// The writer's own that look like guessed ones: between paragraphs, after a sentence
    /// that does not end as a sentence ends.
    Right,
}

/// The questions of `kind` for every cut between two beads with both sides, on both
/// sides.
fn questions(
    beads: &[Bead],
    original: Cuttable,
    translation: Cuttable,
    kind: Cut,
) -> Vec<Question> {
    let mut out = Vec::new();
    for k in 0..beads.len().saturating_sub(1) {
        let (a, b) = (&beads[k], &beads[k + 1]);
        if [&a.original, &a.translation, &b.original, &b.translation]
            .iter()
            .any(|s| s.is_empty())
        {
            continue;
        }
        for which in [Which::Original, Which::Translation] {
            if let Some(q) = question(k, which, which.parts(a, b, original, translation), kind) {
                out.push(q);
            }
        }
    }
    out
}

/// At most `n` of `questions`, spread evenly over the document.
fn spread(questions: Vec<Question>, n: usize) -> Vec<Question> {
    let total = questions.len();
    if total <= n {
        return questions;
    }
    questions
        .into_iter()
        .enumerate()
        .filter(|(k, _)| (k * n) % total < n)
        .map(|(_, q)| q)
        .collect()
}

/// What moving a cut elsewhere does, at its best place.
#[derive(Debug, Clone, Copy)]
struct Answer {
    /// The most the two beads' cosines, summed, gain at any place.
    gain: f32,
    /// Whether the cut leaves a quotation open on its side only, and a place that loses
    /// no more than [`QUOTE_SLACK`] closes it.
    closes_quotation: bool,
}

/// The answers to `questions` (`None` for one whose vectors are missing), with the cut
/// parts embedded in one call to `embed`; `None` where `embed` gives no vectors.
fn answer(
    questions: &[Question],
    beads: &[Bead],
    original: Cuttable,
    translation: Cuttable,
    embed: &mut Embed,
) -> Option<Vec<Option<Answer>>> {
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
    let vectors = embed(&texts)?;
    if vectors.len() != texts.len() {
        return None;
    }
    let vector_of = |t: &str| -> &[f32] {
        texts
            .binary_search(&t)
            .map(|i| vectors[i].as_slice())
            .unwrap_or(&[])
    };
    let answer_one = |q: &Question| -> Option<Answer> {
        let Parts {
            this,
            other,
            this_a,
            this_b,
            other_a,
            other_b,
        } = q
            .which
            .parts(&beads[q.bead], &beads[q.bead + 1], original, translation);
        let (oa, ob) = (
            weighted(other, other_a, None)?,
            weighted(other, other_b, None)?,
        );
        let score = |left: (&str, &[f32]), right: (&str, &[f32])| -> Option<f32> {
            let sa = weighted(this, &this_a[..this_a.len() - 1], Some(left))?;
            let sb = weighted(this, &this_b[1..], Some(right))?;
            Some(cosine(&sa, &oa) + cosine(&sb, &ob))
        };
        let (i, j) = (*this_a.last()?, *this_b.first()?);
        let now = score(
            (this.side.sentences[i], this.vectors.get(i)?),
            (this.side.sentences[j], this.vectors.get(j)?),
        )?;
        let open_now = q.now_open != q.other_open;
        let mut out = Answer {
            gain: f32::NEG_INFINITY,
            closes_quotation: false,
        };
        for p in &q.places {
            let Some(s) = score(
                (&p.left, vector_of(&p.left)),
                (&p.right, vector_of(&p.right)),
            ) else {
                continue;
            };
            out.gain = out.gain.max(s - now);
            out.closes_quotation |= open_now && p.open == q.other_open && s - now >= -QUOTE_SLACK;
        }
        out.gain.is_finite().then_some(out)
    };
    Some(questions.iter().map(answer_one).collect())
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Which {
    Original,
    Translation,
}

/// Two neighbouring beads seen from one side: that side's sentences and ids, and the
/// other side's.
struct Parts<'a> {
    this: Cuttable<'a>,
    other: Cuttable<'a>,
    this_a: &'a [usize],
    this_b: &'a [usize],
    other_a: &'a [usize],
    other_b: &'a [usize],
}

impl Which {
    fn parts<'a>(
        self,
        a: &'a Bead,
        b: &'a Bead,
        original: Cuttable<'a>,
        translation: Cuttable<'a>,
    ) -> Parts<'a> {
        match self {
            Which::Original => Parts {
                this: original,
                other: translation,
                this_a: &a.original,
                this_b: &b.original,
                other_a: &a.translation,
                other_b: &b.translation,
            },
            Which::Translation => Parts {
                this: translation,
                other: original,
                this_a: &a.translation,
                this_b: &b.translation,
                other_a: &a.original,
                other_b: &b.original,
            },
        }
    }
}

/// A cut between bead `bead` and the next on one side, and the places it could
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

/// The question for the cut between bead `bead` and the next on side `which` (seen as
/// `parts`), if the cut is of `kind` and every sentence of both beads has a vector.
fn question(bead: usize, which: Which, parts: Parts, kind: Cut) -> Option<Question> {
    let Parts {
        this,
        other,
        this_a,
        this_b,
        other_a,
        other_b,
    } = parts;
    let (i, j) = (*this_a.last()?, *this_b.first()?);
    if j != i + 1 || cut_after(this.side, i) != Some(kind) {
        return None;
    }
    let has_vectors = |ids: &[usize], side: Cuttable| {
        ids.iter()
            .all(|&s| side.vectors.get(s).is_some_and(|v| !v.is_empty()))
    };
    if !has_vectors(this_a, this)
        || !has_vectors(this_b, this)
        || !has_vectors(other_a, other)
        || !has_vectors(other_b, other)
    {
        return None;
    }
    let sentences = &this.side.sentences;
    let (left, right) = (sentences[i].trim_end(), sentences[j].trim_start());
    let joined = format!("{left} {right}");
    let now = left.len();
    // The places: the first space of every run of spaces, with words on both sides (in
    // one pass: a sentence with no punctuation can be long).
    let last_word = joined
        .char_indices()
        .rfind(|(_, c)| c.is_alphanumeric())
        .map_or(0, |(p, _)| p);
    let mut spaces: Vec<usize> = Vec::new();
    let (mut word_before, mut space_before) = (false, false);
    for (p, c) in joined.char_indices() {
        if c.is_whitespace() && !space_before && word_before && p < last_word {
            spaces.push(p);
        }
        word_before |= c.is_alphanumeric();
        space_before = c.is_whitespace();
    }
    let at = spaces.iter().position(|&p| p == now)?;
    let before: String = this_a[..this_a.len() - 1]
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
    // Up to REACH places on each side, each moving at least one more word than the one
    // before it: a place that moves only a full stop or a quotation mark (tokenised text
    // has a space before them) moves nothing a vector reads, and would make the writer's
    // cuts look quieter than the guessed ones.
    let mut chosen: Vec<usize> = Vec::with_capacity(2 * REACH);
    let moves_a_word = |a: usize, b: usize| {
        joined[a.min(b)..a.max(b)]
            .chars()
            .any(char::is_alphanumeric)
    };
    let mut last = now;
    // (at most a few dozen spaces each way: a run of marks with no word between them ends
    // the search rather than making it quadratic)
    for &p in spaces[..at].iter().rev().take(64) {
        if chosen.len() == REACH {
            break;
        }
        if moves_a_word(p, last) {
            chosen.push(p);
            last = p;
        }
    }
    let (mut last, before_count) = (now, chosen.len());
    for &p in spaces[at + 1..].iter().take(64) {
        if chosen.len() == before_count + REACH {
            break;
        }
        if moves_a_word(last, p) {
            chosen.push(p);
            last = p;
        }
    }
    let places = chosen
        .into_iter()
        .map(|p| {
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

    const PARAGRAPHS: usize = 10;

    /// A bag of words as a vector: word "wN" (any case, any punctuation around it) on axis
    /// N, so that the two "languages" of these tests share their words; every two texts
    /// share a little (as real sentence vectors do).
    fn bag(text: &str) -> Vec<f32> {
        let mut v = vec![0.0; 6 * PARAGRAPHS + 1];
        v[6 * PARAGRAPHS] = 0.1;
        for w in text.split(|c: char| !c.is_alphanumeric()) {
            let n = w
                .strip_prefix(['w', 'W'])
                .and_then(|n| n.parse::<usize>().ok());
            if let Some(n) = n.filter(|&n| n < 6 * PARAGRAPHS) {
                v[n] += 1.0;
            }
        }
        v
    }

    /// An English original of `PARAGRAPHS` paragraphs of two sentences, and a translation
    /// with the same words and no sentence punctuation (as Thai), cut where the original is.
    fn document() -> (Vec<String>, Vec<String>) {
        let mut original = Vec::new();
        let mut translation = Vec::new();
        for p in 0..PARAGRAPHS {
            for s in 0..2 {
                let k = 6 * p + 3 * s;
                original.push(format!("W{k} w{} w{}.", k + 1, k + 2));
                translation.push(format!("w{k} w{} w{}", k + 1, k + 2));
            }
        }
        (original, translation)
    }

    fn paragraphs() -> Vec<usize> {
        (0..2 * PARAGRAPHS).map(|i| i / 2).collect()
    }

    fn side(texts: &[String], with_paragraphs: bool) -> Side<'_> {
        Side {
            sentences: texts.iter().map(String::as_str).collect(),
            paragraphs: if with_paragraphs {
                paragraphs()
            } else {
                Vec::new()
            },
        }
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

    /// The document with the first paragraph's cut one word late, as a Thai segmenter
    /// cuts at a space.
    fn late_cut() -> (Vec<String>, Vec<String>) {
        let (original, mut translation) = document();
        translation[0] = "w0 w1 w2 w3".into();
        translation[1] = "w4 w5".into();
        (original, translation)
    }

    /// The cut parts' bag-of-words vectors, as a model gives them.
    fn bags(texts: &[&str]) -> Option<Vec<Vec<f32>>> {
        Some(texts.iter().map(|s| bag(s)).collect())
    }

    /// The cut test on `alignment` of the two texts, with the sentences' bag-of-words
    /// vectors (the original's first `original_vectors` only) and `embed` for the cut parts.
    fn run(
        alignment: &Alignment,
        (original, translation): (&[String], &[String]),
        with_paragraphs: bool,
        original_vectors: usize,
        embed: &mut Embed,
    ) -> Alignment {
        let (o, t) = (
            side(original, with_paragraphs),
            side(translation, with_paragraphs),
        );
        let vo: Vec<Vec<f32>> = original
            .iter()
            .take(original_vectors)
            .map(|s| bag(s))
            .collect();
        let vt: Vec<Vec<f32>> = translation.iter().map(|s| bag(s)).collect();
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
            embed,
        )
    }

    fn recut(original: &[String], translation: &[String], with_paragraphs: bool) -> Alignment {
        let a = one_to_one(original.len());
        run(
            &a,
            (original, translation),
            with_paragraphs,
            original.len(),
            &mut bags,
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
        let (original, translation) = late_cut();
        let out = recut(&original, &translation, true);
        let mut want = ids(&one_to_one(2 * PARAGRAPHS));
        want.splice(0..2, [(vec![0, 1], vec![0, 1])]);
        assert_eq!(
            ids(&out),
            want,
            "only the first paragraph's two beads are joined"
        );
        assert!(out.signals().contains(SIGNAL), "{}", out.signals());
        assert_eq!(
            out.beads[0].cost, -2.0,
            "a joined bead costs what its parts cost"
        );
    }

    #[test]
    fn cuts_in_the_right_place_or_at_a_full_stop_stay() {
        let (original, translation) = document();
        let out = recut(&original, &translation, true);
        assert_eq!(ids(&out), ids(&one_to_one(2 * PARAGRAPHS)));
        assert!(!out.signals().contains(SIGNAL));
        // a cut after a full stop is the writer's, not a guess: never moved
        let mut stopped: Vec<String> = translation.iter().map(|s| format!("{s}.")).collect();
        stopped[0] = "w0 w1 w2 w3.".into();
        stopped[1] = "w4 w5.".into();
        assert_eq!(
            ids(&recut(&original, &stopped, true)),
            ids(&one_to_one(2 * PARAGRAPHS))
        );
    }

    #[test]
    fn without_the_writers_own_cuts_to_measure_against_nothing_moves() {
        // No paragraphs and no punctuation: no cut is known to be right, so there is no
        // telling a moved word's gain from the model's noise.
        let (original, translation) = late_cut();
        let out = recut(&original, &translation, false);
        assert_eq!(ids(&out), ids(&one_to_one(2 * PARAGRAPHS)));
    }

    #[test]
    fn a_gain_no_larger_than_the_writers_own_cuts_show_is_noise() {
        // Every paragraph of this translation ends with the first two words of the next
        // one's (a document in which the vectors read the writer's cuts as misplaced):
        // the late cut inside the first paragraph gains no more than they do, and stays.
        let (original, mut translation) = late_cut();
        for p in 0..PARAGRAPHS - 1 {
            let (end, next) = (2 * p + 1, 2 * p + 2);
            let k = 6 * (p + 1);
            translation[end].push_str(&format!(" w{k} w{}", k + 1));
            translation[next] = format!("w{}", k + 2);
        }
        assert_eq!(
            ids(&recut(&original, &translation, true)),
            ids(&one_to_one(2 * PARAGRAPHS))
        );
    }

    #[test]
    fn a_cut_inside_a_quotation_the_original_keeps_closed_joins() {
        // The cut leaves “ open on the translation's side only; moving it before the mark
        // moves no word the vectors read ("kappa" is none), so they alone would not move it.
        let (mut original, mut translation) = document();
        original[1] = "“Kappa w3 w4,” w5.".into();
        translation[0] = "w0 w1 w2 “kappa".into();
        translation[1] = "w3 w4” w5".into();
        assert_eq!(
            ids(&recut(&original, &translation, true))[0],
            (vec![0, 1], vec![0, 1])
        );
        // the same quotation open on both sides at the cut: a quotation of two sentences
        let (mut original, mut translation) = document();
        original[0] = "W0 “w1 w2.".into();
        original[1] = "W3 w4” w5.".into();
        translation[0] = "w0 “w1 w2".into();
        translation[1] = "w3 w4” w5".into();
        assert_eq!(
            ids(&recut(&original, &translation, true)),
            ids(&one_to_one(2 * PARAGRAPHS))
        );
    }

    #[test]
    fn without_vectors_for_the_cut_parts_nothing_changes() {
        let (original, translation) = late_cut();
        let a = one_to_one(original.len());
        let out = run(
            &a,
            (&original, &translation),
            true,
            original.len(),
            &mut |_: &[&str]| None,
        );
        assert_eq!(out, a);
    }

    #[test]
    fn beads_or_vectors_that_do_not_fit_the_sentences_change_nothing() {
        let (original, translation) = late_cut();
        let texts = (&original[..], &translation[..]);
        // beads of a longer document
        let a = one_to_one(original.len() + 3);
        assert_eq!(run(&a, texts, true, original.len(), &mut bags), a);
        // vectors of fewer sentences
        let a = one_to_one(original.len());
        assert_eq!(run(&a, texts, true, 3, &mut bags), a);
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
