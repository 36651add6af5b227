//! Sentence alignment: pairs every original sentence with its counterpart(s) in a
//! translation, and finds sentences that were dropped or added.
//!
//! Dynamic programming over beads of shapes 1-1, 1-0, 0-1, 1-2, 2-1, 2-2, 1-3, 3-1 and on
//! up to seven sentences a bead (see [`model::SHAPES`]), each scored from whatever signals
//! there are: always the length ratio in characters (Gale & Church), shared numbers, names,
//! acronyms and cognates, telling punctuation, and paragraphs as anchors where both
//! documents have the same number of paragraphs, and brackets a segmenter cut in two (a
//! bead boundary inside them has a price, [`model::BracketCounts`]); and, where the caller
//! has one, a similarity of the two sides ([`PairSimilarity`]: cross-lingual sentence
//! vectors ([`VectorSimilarity`]), chrF of the original against the back-translation …). The
//! score of a bead is a log-likelihood ratio of "translation" against "unrelated sentences"
//! ([`model`]); the prior of its shape depends on the bead before it, so that a run of
//! added captions is cheap and a lone added sentence in running text is not. Every
//! parameter is estimated from the document pair itself by a few passes of alignment and
//! re-estimation, so it works with no model at all, and says so ([`Alignment::signals`]).
//!
//! Long documents are searched coarse to fine: the sentences are merged pairwise into
//! blocks until the grid is small, the blocks are aligned, and each finer level searches
//! only a band around the coarser path (later passes: around the previous pass's path).
//! Time and memory grow linearly with the number of sentences; bead scores are computed on
//! all cores.
//!
//! No I/O and no models here: the benchmark harness is in [`bench`].

pub mod chrf;
pub mod eval;
pub mod features;
pub mod gale_church;
pub mod model;
pub mod recut;
pub mod search;
pub mod standard;
pub mod strays;
pub mod vectors;

pub use chrf::{ChrfRuns, ChrfSimilarity};
pub use vectors::VectorSimilarity;

use features::{marks_with_chances, Kind, Mark, SentenceFeatures};
use model::{
    kind_of, BlockLengthTerms, Evidence, Model, AFTER_ADDED, AFTER_DROPPED, AFTER_PAIRED,
    BEAD_KINDS, MAX_SIDE, SHAPES,
};
use search::{best_path, best_path_with_memory, corners, refine, Band};
use serde::Serialize;
use standard::Standardised;
use std::fmt;
use std::ops::Range;

/// One bead of an alignment: original sentences paired with translated sentences (ids
/// in the order of their documents). An empty side means the other side has no
/// counterpart: dropped in translation, or added in translation.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Bead {
    pub original: Vec<usize>,
    pub translation: Vec<usize>,
    /// What this bead costs the alignment, in nats: minus the log prior of its shape and
    /// minus the log-likelihood ratio of its evidence (translation vs. unrelated text).
    /// The lower the surer; a positive cost on a bead with both sides means the evidence
    /// speaks against the pairing and the bead is weak.
    pub cost: f32,
}

/// Why a bead has an empty side, in the reader's words.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Unmatched {
    /// An original sentence with no counterpart in the translation.
    DroppedInTranslation,
    /// A translated sentence with no counterpart in the original.
    AddedInTranslation,
}

impl fmt::Display for Unmatched {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Unmatched::DroppedInTranslation => "dropped in translation",
            Unmatched::AddedInTranslation => "added in translation",
        })
    }
}

impl Bead {
    /// Original sentences with no counterpart in the translation.
    pub fn is_dropped(&self) -> bool {
        !self.original.is_empty() && self.translation.is_empty()
    }

    /// Translated sentences with no counterpart in the original.
    pub fn is_added(&self) -> bool {
        self.original.is_empty() && !self.translation.is_empty()
    }

    /// "dropped in translation" / "added in translation" for a bead with an empty side.
    pub fn unmatched(&self) -> Option<Unmatched> {
        if self.is_dropped() {
            Some(Unmatched::DroppedInTranslation)
        } else if self.is_added() {
            Some(Unmatched::AddedInTranslation)
        } else {
            None
        }
    }

    /// The shape, e.g. (1, 2) for one original sentence split in two.
    pub fn shape(&self) -> (usize, usize) {
        (self.original.len(), self.translation.len())
    }
}

/// A signal the aligner used.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Signal {
    /// Length ratio in characters (always).
    Length,
    /// Numbers both sides share.
    Numbers,
    /// Names, acronyms and cognates both sides share.
    NamesAndCognates,
    /// Question and exclamation marks, quotation marks, parentheses, colons.
    Punctuation,
    /// Sentences of paragraph i align only within paragraph i.
    ParagraphAnchors,
    /// The caller's similarity (a model), by its name.
    Similarity(&'static str),
}

impl fmt::Display for Signal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Signal::Length => f.write_str("length"),
            Signal::Numbers => f.write_str("numbers"),
            Signal::NamesAndCognates => f.write_str("names and cognates"),
            Signal::Punctuation => f.write_str("punctuation"),
            Signal::ParagraphAnchors => f.write_str("paragraph anchors"),
            Signal::Similarity(name) => f.write_str(name),
        }
    }
}

/// The beads of an alignment, in order, covering every sentence of both sides exactly once.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Alignment {
    pub beads: Vec<Bead>,
    pub signals_used: Vec<Signal>,
}

impl Alignment {
    /// Whether a model's similarity took part.
    pub fn used_a_model(&self) -> bool {
        self.signals_used
            .iter()
            .any(|s| matches!(s, Signal::Similarity(_)))
    }

    /// The signals in words, e.g. "length, numbers, names and cognates (no model)".
    pub fn signals(&self) -> String {
        let list: Vec<String> = self.signals_used.iter().map(|s| s.to_string()).collect();
        let mut out = list.join(", ");
        if !self.used_a_model() {
            out.push_str(" (no model)");
        }
        out
    }

    /// Beads with an empty side, with the reason.
    pub fn unmatched(&self) -> impl Iterator<Item = (&Bead, Unmatched)> {
        self.beads
            .iter()
            .filter_map(|b| b.unmatched().map(|u| (b, u)))
    }
}

/// A similarity of original sentences and translated sentences taken together, from a
/// model (embedding cosine, chrF of the original against the back-translation …), in
/// [0, 1]. It is asked for every bead the search considers, from several threads, so it
/// must be cheap: compute vectors or back-translations once, beforehand.
pub trait PairSimilarity: Sync {
    /// What it is, for the output: e.g. "embedding similarity".
    fn name(&self) -> &'static str;
    /// Similarity of original sentences `original` and translated sentences `translation`
    /// (ids); `None` where it cannot say.
    fn similarity(&self, original: Range<usize>, translation: Range<usize>) -> Option<f32>;

    /// The similarity less what these two sides would score, on average, against unrelated
    /// text of the other side (Vecalign's normaliser): a sentence that resembles every
    /// sentence (a short generic one, a run of several) earns no credit for resembling
    /// this one. Without such a baseline, the similarity itself; the aligner then
    /// measures every bead shape against random pairs of that shape.
    fn contrast(&self, original: Range<usize>, translation: Range<usize>) -> Option<f32> {
        self.similarity(original, translation)
    }

    /// How many unrelated pairs of `sentences` sentences (both sides together) are enough
    /// to place this similarity's scale for that bead shape, at most `samples` (see
    /// [`standard::Standardised`]). All of them by default; a similarity whose beads cost
    /// in proportion to their text asks for fewer of the long shapes.
    fn unrelated_samples(&self, samples: usize, sentences: usize) -> usize {
        let _ = sentences;
        samples
    }
}

/// A closure as a [`PairSimilarity`].
pub struct SimilarityFn<F> {
    pub name: &'static str,
    pub f: F,
}

impl<F: Fn(Range<usize>, Range<usize>) -> Option<f32> + Sync> PairSimilarity for SimilarityFn<F> {
    fn name(&self) -> &'static str {
        self.name
    }
    fn similarity(&self, original: Range<usize>, translation: Range<usize>) -> Option<f32> {
        (self.f)(original, translation)
    }
}

/// One side of an alignment: its sentences in order, and the paragraph of each where known.
#[derive(Debug, Clone)]
pub struct Side<'a> {
    pub sentences: Vec<&'a str>,
    /// Paragraph index of every sentence (never decreasing), or empty when unknown.
    pub paragraphs: Vec<usize>,
}

impl<'a> Side<'a> {
    /// Sentences with no paragraph structure (one sentence a line).
    pub fn lines(sentences: &[&'a str]) -> Side<'a> {
        Side {
            sentences: sentences.to_vec(),
            paragraphs: Vec::new(),
        }
    }

    /// The sentences of a segmented document, with their paragraphs.
    pub fn segmented(doc: &'a crate::text::Document, seg: &crate::text::Segmented) -> Side<'a> {
        Side {
            sentences: seg.sentences.iter().map(|s| s.text(&doc.text)).collect(),
            paragraphs: seg.sentences.iter().map(|s| s.paragraph).collect(),
        }
    }

    fn paragraph_ranges(&self) -> Option<Vec<Range<usize>>> {
        if self.paragraphs.len() != self.sentences.len() || self.sentences.is_empty() {
            return None;
        }
        let mut out: Vec<Range<usize>> = Vec::new();
        for (i, &p) in self.paragraphs.iter().enumerate() {
            if i > 0 && p < self.paragraphs[i - 1] {
                return None;
            }
            if i == 0 || p != self.paragraphs[i - 1] {
                out.push(i..i + 1);
            } else {
                out.last_mut().expect("a paragraph was opened").end = i + 1;
            }
        }
        Some(out)
    }
}

/// Aligns two lists of sentences with no model and no paragraph structure.
pub fn align(original: &[&str], translation: &[&str]) -> Alignment {
    align_sides(&Side::lines(original), &Side::lines(translation), None)
}

/// How the search runs.
#[derive(Debug, Clone)]
pub struct AlignOptions {
    /// Grids of up to this many cells (sentences × sentences) are searched whole; larger
    /// ones coarse to fine, in time and memory linear in the number of sentences.
    pub full_search_cells: usize,
}

impl Default for AlignOptions {
    fn default() -> Self {
        AlignOptions {
            full_search_cells: FULL_SEARCH_CELLS,
        }
    }
}

/// Aligns two sides; paragraphs anchor the alignment where both sides have the same
/// number of them, and `similarity` joins the evidence where given.
pub fn align_sides(
    original: &Side,
    translation: &Side,
    similarity: Option<&dyn PairSimilarity>,
) -> Alignment {
    align_sides_with(original, translation, similarity, &AlignOptions::default())
}

/// [`align_sides`] with options.
pub fn align_sides_with(
    original: &Side,
    translation: &Side,
    similarity: Option<&dyn PairSimilarity>,
    options: &AlignOptions,
) -> Alignment {
    let src: Vec<SentenceFeatures> = original
        .sentences
        .iter()
        .map(|s| SentenceFeatures::of(s))
        .collect();
    let tgt: Vec<SentenceFeatures> = translation
        .sentences
        .iter()
        .map(|s| SentenceFeatures::of(s))
        .collect();
    let mut signals = vec![Signal::Length];
    let segments: Vec<(Range<usize>, Range<usize>)> =
        match (original.paragraph_ranges(), translation.paragraph_ranges()) {
            (Some(a), Some(b)) if a.len() == b.len() && a.len() > 1 => {
                signals.push(Signal::ParagraphAnchors);
                a.into_iter().zip(b).collect()
            }
            _ => vec![(0..src.len(), 0..tgt.len())],
        };
    let (steps, model) = align_features(&src, &tgt, &segments, similarity, options);
    for (kind, signal) in [
        (Kind::Number, Signal::Numbers),
        (Kind::Word, Signal::NamesAndCognates),
        (Kind::Punctuation, Signal::Punctuation),
    ] {
        if model.carry_over[kind as usize] >= 0.02 {
            signals.push(signal);
        }
    }
    if let (Some(sim), Some(_)) = (similarity, model.similarity) {
        signals.push(Signal::Similarity(sim.name()));
    }
    // Keep the order of the reader's list: length, numbers, names, punctuation, anchors, model.
    signals.sort_by_key(|s| match s {
        Signal::Length => 0,
        Signal::Numbers => 1,
        Signal::NamesAndCognates => 2,
        Signal::Punctuation => 3,
        Signal::ParagraphAnchors => 4,
        Signal::Similarity(_) => 5,
    });
    let beads = steps
        .into_iter()
        .map(|s| Bead {
            original: (s.i..s.i + s.m).collect(),
            translation: (s.j..s.j + s.n).collect(),
            cost: s.cost,
        })
        .collect();
    Alignment {
        beads,
        signals_used: signals,
    }
}

/// Grids up to this many cells are searched whole; larger ones coarse to fine.
const FULL_SEARCH_CELLS: usize = 1 << 20;
/// Coarse levels are searched whole up to this many cells.
const COARSE_FULL_SEARCH_CELLS: usize = 40_000;
/// Columns searched either side of the projected coarse path, at the sentence level and
/// at block levels.
const SENTENCE_BAND: usize = 16;
/// The same for the one pass over a long document, with a model estimated beforehand.
const SETTLED_BAND: usize = 12;
/// Columns searched either side of the previous pass's path, in the passes after the first.
const GUIDED_BAND: usize = 12;
const BLOCK_BAND: usize = 8;
/// Passes of hard EM: align, re-estimate the model from the beads, align again.
const PASSES: usize = 4;
/// Passes of estimation on a long document's stretch before the one pass over the whole
/// (a third changed no bead of the 10,000-sentence test and costs a tenth more time).
const STRETCH_PASSES: usize = 2;
/// Documents with more original sentences than this estimate the model on a stretch of
/// about this many from their middle (a dozen parameters need no more), and only the last
/// pass aligns the whole: time stays linear with a small constant.
const ESTIMATION_SENTENCES: usize = 1_500;

/// What every pass shares: the sentences' marks and groups, the caller's similarity.
struct Passes<'a> {
    src: &'a [SentenceFeatures],
    tgt: &'a [SentenceFeatures],
    src_marks: Vec<Vec<Mark>>,
    tgt_marks: Vec<Vec<Mark>>,
    src_groups: Groups,
    tgt_groups: Groups,
    src_chars: Vec<u32>,
    tgt_chars: Vec<u32>,
    similarity: Option<Standardised<'a>>,
    full_search_cells: usize,
    /// Per sentence: whether a bracket stays open after it ([`features::inside_brackets`]).
    src_inside: Vec<bool>,
    tgt_inside: Vec<bool>,
}

impl<'a> Passes<'a> {
    fn new(
        src: &'a [SentenceFeatures],
        tgt: &'a [SentenceFeatures],
        similarity: Option<&'a dyn PairSimilarity>,
        options: &AlignOptions,
    ) -> Passes<'a> {
        let src_marks = marks_with_chances(src, tgt);
        let tgt_marks = marks_with_chances(tgt, src);
        let src_groups = Groups::new(src, &src_marks);
        let tgt_groups = Groups::new(tgt, &tgt_marks);
        Passes {
            src,
            tgt,
            src_marks,
            tgt_marks,
            src_groups,
            tgt_groups,
            src_chars: src.iter().map(|f| f.chars).collect(),
            tgt_chars: tgt.iter().map(|f| f.chars).collect(),
            similarity: similarity.and_then(|sim| Standardised::new(sim, src.len(), tgt.len())),
            full_search_cells: options.full_search_cells,
            src_inside: features::inside_brackets(src),
            tgt_inside: features::inside_brackets(tgt),
        }
    }

    fn nulls(&self, model: &Model) -> NullLengths {
        NullLengths::new(model, self.src, self.tgt)
    }

    fn grid<'b>(
        &'b self,
        model: &'b Model,
        nulls: &'b NullLengths,
        src_at: usize,
        tgt_at: usize,
    ) -> SentenceGrid<'b> {
        SentenceGrid {
            src: &self.src_marks,
            tgt: &self.tgt_marks,
            src_groups: &self.src_groups,
            tgt_groups: &self.tgt_groups,
            nulls,
            model,
            similarity: self.similarity.as_ref(),
            src_at,
            tgt_at,
            src_inside: &self.src_inside,
            tgt_inside: &self.tgt_inside,
        }
    }

    fn coarse_units(&self, nulls: &NullLengths) -> (Vec<Unit>, Vec<Unit>) {
        CoarseUnits::new(
            &self.src_marks,
            &self.tgt_marks,
            &self.src_chars,
            &self.tgt_chars,
        )
        .units(nulls)
    }

    /// One pass over the segments with `model`; `guides` holds, per segment, the corners of
    /// the previous pass's path (empty before the first) and receives this pass's.
    fn pass(
        &self,
        segments: &[(Range<usize>, Range<usize>)],
        model: &Model,
        guides: &mut [Vec<(usize, usize)>],
        width: usize,
    ) -> Vec<search::Step> {
        let nulls = self.nulls(model);
        let mut coarse: Option<(Vec<Unit>, Vec<Unit>)> = None;
        let mut steps = Vec::new();
        for (k, (rs, rt)) in segments.iter().enumerate() {
            let grid = self.grid(model, &nulls, rs.start, rt.start);
            let (rows, cols) = (rs.len(), rt.len());
            let band = if rows.saturating_add(1).saturating_mul(cols + 1) <= self.full_search_cells
                || rows == 0
                || cols == 0
            {
                Band::full(rows, cols)
            } else {
                // Around the path over blocks under the current model, and in later passes
                // also around the previous pass's path: the block path finds what the
                // first model could not see (a run of added captions), the previous path
                // keeps what the finer level found.
                let (src_units, tgt_units) =
                    coarse.get_or_insert_with(|| self.coarse_units(&nulls));
                let path = block_path(
                    &halve(&src_units[rs.clone()]),
                    &halve(&tgt_units[rt.clone()]),
                    model,
                );
                let band = Band::around(&refine(&path), rows, cols, width);
                if guides[k].is_empty() {
                    band
                } else {
                    band.union(&Band::around(&guides[k], rows, cols, GUIDED_BAND))
                }
            };
            let found = search_segment(&grid, rows, cols, &band, &SHAPES);
            guides[k] = corners(&found);
            steps.extend(found.into_iter().map(|s| search::Step {
                i: s.i + rs.start,
                j: s.j + rt.start,
                ..s
            }));
        }
        steps
    }

    /// The model re-estimated from a pass's beads.
    fn reestimate(&self, model: &Model, steps: &[search::Step]) -> Model {
        let nulls = self.nulls(model);
        let grid = self.grid(model, &nulls, 0, 0);
        let evidence: Vec<Evidence> = steps
            .iter()
            .map(|s| grid.evidence_for(s.i, s.m, s.j, s.n, true))
            .collect();
        let mut m = model.reestimate(
            &evidence,
            &self.src_chars,
            &self.tgt_chars,
            &self.near_misses(steps),
        );
        m.open_bracket_cost = self.bracket_counts(steps).cost();
        m
    }

    /// How a pass's beads sit with the brackets of both sides.
    fn bracket_counts(&self, steps: &[search::Step]) -> model::BracketCounts {
        let mut counts = model::BracketCounts::default();
        for (start, len, inside) in steps
            .iter()
            .flat_map(|s| [(s.i, s.m, &self.src_inside), (s.j, s.n, &self.tgt_inside)])
        {
            if len == 0 {
                continue;
            }
            let last = start + len - 1;
            for &within_bead in &inside[start..last] {
                counts.within += 1.0;
                counts.within_inside += within_bead as u8 as f64;
            }
            counts.boundaries += 1.0;
            counts.boundaries_inside += inside[last] as u8 as f64;
        }
        counts
    }

    /// The caller's similarity (z) of the original sentence of every one-to-one bead with
    /// the translated sentence of each one-to-one bead one to three beads away: the
    /// unrelated pairs the search must tell translations from.
    fn near_misses(&self, steps: &[search::Step]) -> Vec<f64> {
        let Some(sim) = &self.similarity else {
            return Vec::new();
        };
        let one_to_one: Vec<(usize, usize)> = steps
            .iter()
            .filter(|s| s.m == 1 && s.n == 1)
            .map(|s| (s.i, s.j))
            .collect();
        let mut out = Vec::new();
        for (k, &(i, _)) in one_to_one.iter().enumerate() {
            for other in [
                k.wrapping_sub(3),
                k.wrapping_sub(2),
                k.wrapping_sub(1),
                k + 1,
                k + 2,
                k + 3,
            ] {
                if let Some(&(_, j)) = one_to_one.get(other) {
                    if let Some(z) = sim.z(i, 1, j, 1) {
                        out.push(z as f64);
                    }
                }
            }
        }
        out
    }

    /// The stretch of a long document the model is estimated on: about
    /// [`ESTIMATION_SENTENCES`] original sentences from the middle, with the translated
    /// sentences the path over blocks pairs with them; `None` when the document is short.
    fn estimation_segments(
        &self,
        segments: &[(Range<usize>, Range<usize>)],
        model: &Model,
    ) -> Option<Vec<(Range<usize>, Range<usize>)>> {
        let n = self.src.len();
        if n <= ESTIMATION_SENTENCES + ESTIMATION_SENTENCES / 2 {
            return None;
        }
        let window = (n - ESTIMATION_SENTENCES) / 2..(n + ESTIMATION_SENTENCES) / 2;
        let nulls = self.nulls(model);
        let mut coarse: Option<(Vec<Unit>, Vec<Unit>)> = None;
        let mut out = Vec::new();
        for (rs, rt) in segments {
            if rs.end <= window.start || rs.start >= window.end {
                continue;
            }
            if rs.start >= window.start && rs.end <= window.end {
                out.push((rs.clone(), rt.clone()));
                continue;
            }
            // Cut the segment where the path over blocks crosses the window's rows.
            let (src_units, tgt_units) = coarse.get_or_insert_with(|| self.coarse_units(&nulls));
            let path = refine(&block_path(
                &halve(&src_units[rs.clone()]),
                &halve(&tgt_units[rt.clone()]),
                model,
            ));
            let column_at = |row: usize| -> usize {
                let r = row.clamp(rs.start, rs.end) - rs.start;
                path.iter()
                    .find(|&&(i, _)| i >= r)
                    .map(|&(_, j)| j)
                    .unwrap_or(rt.len())
                    .min(rt.len())
                    + rt.start
            };
            let (a, b) = (window.start.max(rs.start), window.end.min(rs.end));
            let (ja, jb) = (column_at(a), column_at(b));
            out.push((a..b, ja..jb.max(ja)));
        }
        (!out.is_empty()).then_some(out)
    }
}

/// Whether two passes found the same beads.
fn same_path(a: &[search::Step], b: &[search::Step]) -> bool {
    a.len() == b.len()
        && a.iter()
            .zip(b)
            .all(|(x, y)| (x.i, x.m, x.j, x.n) == (y.i, y.m, y.j, y.n))
}

/// The whole alignment over features: passes of alignment and re-estimation; returns the
/// steps (global ids) and the final model.
fn align_features(
    src: &[SentenceFeatures],
    tgt: &[SentenceFeatures],
    segments: &[(Range<usize>, Range<usize>)],
    similarity: Option<&dyn PairSimilarity>,
    options: &AlignOptions,
) -> (Vec<search::Step>, Model) {
    let passes = Passes::new(src, tgt, similarity, options);
    let mut model = Model::initial(&passes.src_chars, &passes.tgt_chars);
    // A long document: estimate on a stretch of it, then align the whole once.
    if let Some(stretch) = passes.estimation_segments(segments, &model) {
        let mut guides: Vec<Vec<(usize, usize)>> = vec![Vec::new(); stretch.len()];
        let mut previous: Option<Vec<search::Step>> = None;
        for _ in 0..STRETCH_PASSES {
            let steps = passes.pass(&stretch, &model, &mut guides, SENTENCE_BAND);
            if previous.as_ref().is_some_and(|p| same_path(p, &steps)) {
                break;
            }
            // Where the stretch was cut, its ends may pair sentences whose counterparts lie
            // outside it: learn from the beads of its middle four fifths.
            let (first, last) = (stretch[0].0.start, stretch[stretch.len() - 1].0.end);
            let margin = (last - first) / 10;
            let inner: Vec<search::Step> = steps
                .iter()
                .copied()
                .filter(|s| s.i >= first + margin && s.i + s.m <= last - margin)
                .collect();
            model = passes.reestimate(&model, &inner);
            previous = Some(steps);
        }
        let mut guides: Vec<Vec<(usize, usize)>> = vec![Vec::new(); segments.len()];
        // The settled model draws a surer path over blocks: a narrower band around it.
        return (
            passes.pass(segments, &model, &mut guides, SETTLED_BAND),
            model,
        );
    }
    let mut previous: Option<Vec<search::Step>> = None;
    // Per segment, the corners of the previous pass's path: the guide of a banded search.
    let mut guides: Vec<Vec<(usize, usize)>> = vec![Vec::new(); segments.len()];
    for pass in 0..PASSES {
        let steps = passes.pass(segments, &model, &mut guides, SENTENCE_BAND);
        let same = previous.as_ref().is_some_and(|p| same_path(p, &steps));
        if pass + 1 == PASSES || same {
            return (steps, model);
        }
        model = passes.reestimate(&model, &steps);
        previous = Some(steps);
    }
    unreachable!("the last pass returns")
}

/// Sums and merged marks of runs of up to [`MAX_SIDE`] consecutive sentences.
struct Groups {
    chars: Vec<u64>,
    marks: Vec<[u32; 3]>,
    /// `merged[size - 2][start]`: marks of sentences `start..start + size`, sorted by key.
    merged: Vec<Vec<Vec<Mark>>>,
}

/// Counts marks per kind that the other document carries somewhere (the only ones that
/// could be carried over).
fn count_kinds(marks: &[Mark]) -> [u32; 3] {
    let mut out = [0u32; 3];
    for m in marks.iter().filter(|m| m.chance > 0.0) {
        out[(m.key >> 30).min(2) as usize] += 1;
    }
    out
}

impl Groups {
    fn new(feats: &[SentenceFeatures], sentence_marks: &[Vec<Mark>]) -> Groups {
        let mut chars = vec![0u64];
        let mut marks = vec![[0u32; 3]];
        for (f, sm) in feats.iter().zip(sentence_marks) {
            chars.push(chars.last().copied().unwrap_or(0) + f.chars as u64);
            let c = count_kinds(sm);
            let p = *marks.last().expect("starts with zero");
            marks.push([p[0] + c[0], p[1] + c[1], p[2] + c[2]]);
        }
        let mut merged: Vec<Vec<Vec<Mark>>> = Vec::new();
        for size in 2..=MAX_SIDE {
            let mut level = Vec::with_capacity(feats.len());
            for start in 0..feats.len() {
                if start + size > feats.len() {
                    break;
                }
                let shorter: &[Mark] = if size == 2 {
                    &sentence_marks[start]
                } else {
                    &merged[size - 3][start]
                };
                let last = &sentence_marks[start + size - 1];
                let mut v = Vec::with_capacity(shorter.len() + last.len());
                let (mut a, mut b) = (0, 0);
                while a < shorter.len() || b < last.len() {
                    if b == last.len() || (a < shorter.len() && shorter[a].key <= last[b].key) {
                        v.push(shorter[a]);
                        a += 1;
                    } else {
                        v.push(last[b]);
                        b += 1;
                    }
                }
                level.push(v);
            }
            merged.push(level);
        }
        Groups {
            chars,
            marks,
            merged,
        }
    }

    #[inline(always)]
    fn chars(&self, i: usize, m: usize) -> f64 {
        (self.chars[i + m] - self.chars[i]) as f64
    }

    #[inline(always)]
    fn marks(&self, i: usize, m: usize) -> [u32; 3] {
        let (a, b) = (self.marks[i + m], self.marks[i]);
        [a[0] - b[0], a[1] - b[1], a[2] - b[2]]
    }

    #[inline(always)]
    fn keys<'a>(&'a self, marks: &'a [Vec<Mark>], i: usize, m: usize) -> &'a [Mark] {
        match m {
            0 => &[],
            1 => &marks[i],
            _ => &self.merged[m - 2][i],
        }
    }
}

/// Running sums of every sentence's log length density as a sentence without counterpart.
struct NullLengths {
    src: Vec<f64>,
    tgt: Vec<f64>,
}

impl NullLengths {
    fn new(model: &Model, src: &[SentenceFeatures], tgt: &[SentenceFeatures]) -> NullLengths {
        let running = |xs: &mut dyn Iterator<Item = f64>| -> Vec<f64> {
            let mut v = vec![0.0];
            for x in xs {
                v.push(v.last().copied().unwrap_or(0.0) + x);
            }
            v
        };
        NullLengths {
            src: running(&mut src.iter().map(|f| model.dropped_log_density(f.chars))),
            tgt: running(&mut tgt.iter().map(|f| model.added_log_density(f.chars))),
        }
    }

    #[inline(always)]
    fn original(&self, i: usize, m: usize) -> f64 {
        self.src[i + m] - self.src[i]
    }

    #[inline(always)]
    fn translated(&self, j: usize, n: usize) -> f64 {
        self.tgt[j + n] - self.tgt[j]
    }
}

/// The sentence-level grid of one segment (ids relative to `src_at`, `tgt_at`).
struct SentenceGrid<'a> {
    src: &'a [Vec<Mark>],
    tgt: &'a [Vec<Mark>],
    src_groups: &'a Groups,
    tgt_groups: &'a Groups,
    nulls: &'a NullLengths,
    model: &'a Model,
    similarity: Option<&'a Standardised<'a>>,
    src_at: usize,
    tgt_at: usize,
    src_inside: &'a [bool],
    tgt_inside: &'a [bool],
}

impl SentenceGrid<'_> {
    /// Evidence of the bead of original sentences `i..i+m` and translated `j..j+n` (global
    /// ids). The caller's similarity is asked for where the model uses it, or where
    /// `for_estimate` (the beads a re-estimation learns from).
    #[inline(always)]
    fn evidence_for(&self, i: usize, m: usize, j: usize, n: usize, for_estimate: bool) -> Evidence {
        let mut e = Evidence {
            m,
            n,
            ..Evidence::default()
        };
        e.original_chars = self.src_groups.chars(i, m);
        e.translated_chars = self.tgt_groups.chars(j, n);
        if m == 0 || n == 0 {
            return e;
        }
        e.original_null = self.nulls.original(i, m);
        e.translated_null = self.nulls.translated(j, n);
        e.original_marks = self.src_groups.marks(i, m);
        e.translated_marks = self.tgt_groups.marks(j, n);
        (e.shared, e.shared_llr) = self.model.match_marks(
            self.src_groups.keys(self.src, i, m),
            self.tgt_groups.keys(self.tgt, j, n),
            e.original_chars,
            e.translated_chars,
        );
        if let Some(sim) = self.similarity {
            if for_estimate || self.model.similarity.is_some() {
                e.similarity = sim.z(i, m, j, n);
            }
        }
        e
    }

    #[inline(always)]
    fn evidence(&self, i: usize, m: usize, j: usize, n: usize) -> Evidence {
        self.evidence_for(i, m, j, n, false)
    }

    /// What the bead costs: minus its evidence, plus the price of ending inside brackets
    /// on either side (segment-relative ids).
    #[inline(always)]
    fn cost(&self, i: usize, m: usize, j: usize, n: usize) -> f32 {
        let (i, j) = (i + self.src_at, j + self.tgt_at);
        let ends_inside = |inside: &[bool], start: usize, len: usize| {
            len > 0 && inside.get(start + len - 1).copied().unwrap_or(false)
        };
        let cut =
            ends_inside(self.src_inside, i, m) as u8 + ends_inside(self.tgt_inside, j, n) as u8;
        let brackets = cut as f64 * self.model.open_bracket_cost;
        if m == 0 || n == 0 {
            return brackets as f32;
        }
        let e = self.evidence(i, m, j, n);
        (brackets - self.model.evidence_llr(&e)) as f32
    }
}

/// Aligns one segment within a band: the whole grid when small; else, in the first pass,
/// around the path over blocks (coarse to fine), and in later passes around the previous
/// pass's path.
fn search_segment(
    grid: &SentenceGrid,
    rows: usize,
    cols: usize,
    band: &Band,
    shapes: &[(usize, usize)],
) -> Vec<search::Step> {
    let kinds: Vec<usize> = shapes.iter().map(|&(m, n)| kind_of(m, n)).collect();
    let follow = |before: usize, t: usize| -grid.model.log_prior[before][t];
    best_path_with_memory(
        rows,
        cols,
        band,
        shapes,
        &kinds,
        BEAD_KINDS,
        &follow,
        &|i, m, j, n| grid.cost(i, m, j, n),
    )
}

/// A run of sentences as the coarse levels see it: length and rare marks only.
#[derive(Debug, Clone)]
struct Unit {
    chars: f64,
    sentences: u32,
    /// Log length density of its sentences as sentences without counterpart.
    null: f64,
    keys: Vec<Mark>,
}

/// The rare marks of every sentence, kept for the coarse levels.
struct CoarseUnits {
    src: Vec<Unit>,
    tgt: Vec<Unit>,
}

impl CoarseUnits {
    /// Sentences as units, keeping the numbers, names and cognates found in at most 1 % of
    /// the other side's sentences: they anchor blocks without making block marks long.
    fn new(
        src: &[Vec<Mark>],
        tgt: &[Vec<Mark>],
        src_chars: &[u32],
        tgt_chars: &[u32],
    ) -> CoarseUnits {
        fn side(marks: &[Vec<Mark>], chars: &[u32]) -> Vec<Unit> {
            marks
                .iter()
                .zip(chars)
                .map(|(sm, &c)| {
                    let mut keys: Vec<Mark> = sm
                        .iter()
                        .copied()
                        .filter(|m| Kind::of_key(m.key) != Kind::Punctuation && m.chance <= 0.01)
                        .collect();
                    keys.dedup_by_key(|m| m.key);
                    Unit {
                        chars: c as f64,
                        sentences: 1,
                        null: 0.0,
                        keys,
                    }
                })
                .collect()
        }
        CoarseUnits {
            src: side(src, src_chars),
            tgt: side(tgt, tgt_chars),
        }
    }

    /// Sentence-level units with the current model's null lengths.
    fn units(&self, nulls: &NullLengths) -> (Vec<Unit>, Vec<Unit>) {
        let with = |units: &[Unit], f: &dyn Fn(usize) -> f64| -> Vec<Unit> {
            units
                .iter()
                .enumerate()
                .map(|(i, u)| Unit {
                    null: f(i),
                    ..u.clone()
                })
                .collect()
        };
        (
            with(&self.src, &|i| nulls.original(i, 1)),
            with(&self.tgt, &|j| nulls.translated(j, 1)),
        )
    }
}

/// Merges units pairwise.
fn halve(units: &[Unit]) -> Vec<Unit> {
    units
        .chunks(2)
        .map(|c| {
            let keys = if c.len() == 2 {
                merge_marks(&c[0].keys, &c[1].keys)
            } else {
                c[0].keys.clone()
            };
            Unit {
                chars: c.iter().map(|u| u.chars).sum(),
                sentences: c.iter().map(|u| u.sentences).sum(),
                null: c.iter().map(|u| u.null).sum(),
                keys,
            }
        })
        .collect()
}

/// Block shapes and their log priors: a guide for the finer level, not a final answer.
const BLOCK_SHAPES: [(usize, usize); 6] = [(1, 1), (1, 0), (0, 1), (1, 2), (2, 1), (2, 2)];
/// Paired block shapes other than 1-1 cost a little, so that the guide keeps its resolution.
const BLOCK_MERGE_PRIOR: f64 = 0.5;

/// The path over blocks, recursively coarse to fine.
fn block_path(src: &[Unit], tgt: &[Unit], model: &Model) -> Vec<(usize, usize)> {
    let (rows, cols) = (src.len(), tgt.len());
    let band = if (rows + 1) * (cols + 1) <= COARSE_FULL_SEARCH_CELLS || rows <= 2 || cols <= 2 {
        Band::full(rows, cols)
    } else {
        let path = block_path(&halve(src), &halve(tgt), model);
        Band::around(&refine(&path), rows, cols, BLOCK_BAND)
    };
    // Marks of every two neighbouring units, merged once.
    let pairs = |units: &[Unit]| -> Vec<Vec<Mark>> {
        units
            .windows(2)
            .map(|w| merge_marks(&w[0].keys, &w[1].keys))
            .collect()
    };
    let (src_pairs, tgt_pairs) = (pairs(src), pairs(tgt));
    // A block bead spans at most two units a side.
    let most = 2 * src
        .iter()
        .chain(tgt)
        .map(|u| u.sentences as usize)
        .max()
        .unwrap_or(1);
    let terms = BlockLengthTerms::new(model, most);
    let cost = |i: usize, m: usize, j: usize, n: usize| -> f32 {
        let (us, ut) = (&src[i..i + m], &tgt[j..j + n]);
        // A block without counterpart costs what its sentences would: a first sentence
        // dropped (added) after a paired one, the others after a dropped (added) one.
        if n == 0 {
            let s = us.iter().map(|u| u.sentences as f64).sum::<f64>();
            return -(model.shapes.dropped[AFTER_PAIRED].ln()
                + (s - 1.0).max(0.0) * model.shapes.dropped[AFTER_DROPPED].ln())
                as f32;
        }
        if m == 0 {
            let s = ut.iter().map(|u| u.sentences as f64).sum::<f64>();
            return -(model.shapes.added[AFTER_PAIRED].ln()
                + (s - 1.0).max(0.0) * model.shapes.added[AFTER_ADDED].ln())
                as f32;
        }
        let prior = if (m, n) == (1, 1) {
            0.0
        } else {
            BLOCK_MERGE_PRIOR.ln()
        };
        let ka: &[Mark] = if m == 1 { &us[0].keys } else { &src_pairs[i] };
        let kb: &[Mark] = if n == 1 { &ut[0].keys } else { &tgt_pairs[j] };
        let (sm, sn) = (
            us.iter().map(|u| u.sentences as usize).sum(),
            ut.iter().map(|u| u.sentences as usize).sum(),
        );
        let (ca, cb) = (
            us.iter().map(|u| u.chars).sum(),
            ut.iter().map(|u| u.chars).sum(),
        );
        let (shared, shared_llr) = model.match_marks(ka, kb, ca, cb);
        let e = Evidence {
            m: sm,
            n: sn,
            original_chars: ca,
            translated_chars: cb,
            original_marks: count_kinds(ka),
            translated_marks: count_kinds(kb),
            shared,
            shared_llr,
            original_null: us.iter().map(|u| u.null).sum(),
            translated_null: ut.iter().map(|u| u.null).sum(),
            similarity: None,
        };
        let score =
            prior + model.block_length_llr_with(ca, sm, cb, sn, &terms) + model.marks_llr(&e);
        -score as f32
    };
    corners(&best_path(rows, cols, &band, &BLOCK_SHAPES, &cost))
}

/// Merges two lists of marks sorted by key.
fn merge_marks(a: &[Mark], b: &[Mark]) -> Vec<Mark> {
    let mut v = Vec::with_capacity(a.len() + b.len());
    let (mut x, mut y) = (0, 0);
    while x < a.len() || y < b.len() {
        if y == b.len() || (x < a.len() && a[x].key <= b[y].key) {
            v.push(a[x]);
            x += 1;
        } else {
            v.push(b[y]);
            y += 1;
        }
    }
    v
}

/// Development aid: the final model and the score parts of given beads.
#[doc(hidden)]
pub fn explain(
    original: &[&str],
    translation: &[&str],
    beads: &[(Range<usize>, Range<usize>)],
    similarity: Option<&dyn PairSimilarity>,
) -> String {
    let src: Vec<SentenceFeatures> = original.iter().map(|s| SentenceFeatures::of(s)).collect();
    let tgt: Vec<SentenceFeatures> = translation
        .iter()
        .map(|s| SentenceFeatures::of(s))
        .collect();
    let segments = vec![(0..src.len(), 0..tgt.len())];
    let (_, model) = align_features(&src, &tgt, &segments, similarity, &AlignOptions::default());
    let src_marks = marks_with_chances(&src, &tgt);
    let tgt_marks = marks_with_chances(&tgt, &src);
    let src_groups = Groups::new(&src, &src_marks);
    let tgt_groups = Groups::new(&tgt, &tgt_marks);
    let nulls = NullLengths::new(&model, &src, &tgt);
    let standard = similarity.and_then(|sim| Standardised::new(sim, src.len(), tgt.len()));
    let grid = SentenceGrid {
        src: &src_marks,
        tgt: &tgt_marks,
        src_groups: &src_groups,
        tgt_groups: &tgt_groups,
        nulls: &nulls,
        model: &model,
        similarity: standard.as_ref(),
        src_at: 0,
        tgt_at: 0,
        src_inside: &features::inside_brackets(&src),
        tgt_inside: &features::inside_brackets(&tgt),
    };
    let mut out = format!("{model:?}\n");
    for (a, b) in beads {
        let e = grid.evidence(a.start, a.len(), b.start, b.len());
        let len = if e.m > 0 && e.n > 0 {
            model.length_llr(&e)
        } else {
            0.0
        };
        let marks = if e.m > 0 && e.n > 0 {
            model.marks_llr(&e)
        } else {
            0.0
        };
        let prior = model.prior(model::AFTER_PAIRED, e.m, e.n);
        let sim = if e.m > 0 && e.n > 0 {
            model.similarity_llr(&e)
        } else {
            0.0
        };
        out.push_str(&format!(
            "{a:?}:{b:?} prior {prior:.2} length {len:.2} marks {marks:.2} similarity {:?} {sim:.2} total {:.2}\n",
            e.similarity,
            prior + model.evidence_llr(&e)
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identical_lists_align_one_to_one() {
        let s = [
            "The first sentence is here.",
            "A second one, longer than the first one.",
            "Third: 42 apples?",
        ];
        let a = align(&s, &s);
        let shapes: Vec<_> = a.beads.iter().map(|b| b.shape()).collect();
        assert_eq!(shapes, vec![(1, 1); 3]);
        assert!(a.signals().ends_with("(no model)"), "{}", a.signals());
    }

    #[test]
    fn a_parenthesis_the_segmenter_split_stays_in_one_bead() {
        // The German segmenter split a reference at its colon; the French kept it whole.
        let de = [
            "Die Kommission tagte am Montag in Bern .",
            "Ihr Bericht ( erschienen in London :",
            "Collins 1956 ) umfasst dreihundert Seiten und jede Expedition des Jahres .",
            "Die nächste Sitzung ist im Juni .",
        ];
        let fr = [
            "La commission s' est réunie lundi à Berne .",
            "Son rapport ( paru à Londres chez Collins 1956 ) compte trois cents pages .",
            "Il couvre toutes les expéditions de l' année .",
            "La prochaine séance aura lieu en juin .",
        ];
        let a = align(&de, &fr);
        let shapes: Vec<_> = a.beads.iter().map(|b| b.shape()).collect();
        assert_eq!(shapes, vec![(1, 1), (2, 2), (1, 1)], "{:?}", a.beads);
    }

    #[test]
    fn empty_sides_give_null_beads_without_panicking() {
        assert!(align(&[], &[]).beads.is_empty());
        let a = align(&["Only here."], &[]);
        assert_eq!(a.beads.len(), 1);
        assert!(a.beads[0].is_dropped());
        let a = align(&[], &["Nur hier.", "Und hier."]);
        assert!(a.beads.iter().all(|b| b.is_added()));
        assert_eq!(
            a.beads.iter().map(|b| b.translation.len()).sum::<usize>(),
            2
        );
    }
}
