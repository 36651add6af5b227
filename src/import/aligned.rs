//! A read file's segments as the pipeline's inputs: the original (the source side) and each
//! translation as a `Document` with its sentences, and the file's segments as the beads.
//!
//! The alignment is the file's: a segment is one bead, never re-aligned. Inside a segment
//! the text is split into sentences only so that the engines back-translate sentence by
//! sentence, as for loose files (the back-translation cache and the scores then agree with
//! the loose path's); a bead holds all the sentences of its segment.
//!
//! One original serves every target language of a memory, although each language may
//! segment it differently (a TMX made from alignments has "S3 S4" for one language and "S3",
//! "S4" for another). Where every language's sources, joined, give the same text, the
//! original is that text cut wherever any language's segment starts (the finest common
//! segmentation), so each segment covers whole pieces of it. Otherwise (a memory of unrelated
//! units) each distinct source text is a piece of its own.

use super::{Imported, Segment};
use crate::align::{Alignment, Bead};
use crate::analyze::{Aligned, AnalyzeError, TranslationInput, TranslationReport};
use crate::text::{self, Document, DocumentLanguage, Format, Segmented, Sentence};
use std::collections::{BTreeSet, HashMap};
use std::ops::Range;
use std::path::Path;

/// The original and its translations, ready for `analyze::Prepared`.
pub struct AlignedFile {
    pub original_doc: Document,
    pub original_seg: Segmented,
    pub translations: Vec<AlignedTranslation>,
}

/// One target language: its text as a document, the file's segments as beads, and the unit
/// id of each bead.
pub struct AlignedTranslation {
    pub input: TranslationInput,
    pub doc: Document,
    pub seg: Segmented,
    pub alignment: Alignment,
    /// The unit id of each bead, in order.
    pub units: Vec<String>,
}

impl AlignedTranslation {
    pub fn as_aligned(&self) -> Aligned<'_> {
        Aligned {
            input: &self.input,
            doc: &self.doc,
            seg: &self.seg,
            alignment: Some(&self.alignment),
        }
    }

    /// Gives each pair (or aligned bead) of `report` its unit id: the pairs come in the
    /// order of the beads.
    pub fn name_units(&self, report: &mut TranslationReport) {
        if report.alignment.is_some() {
            report.alignment = Some("the file's own segments (no re-alignment)".into());
        }
        if report.pairs.len() == self.units.len() {
            for (p, u) in report.pairs.iter_mut().zip(&self.units) {
                p.unit = Some(u.clone());
            }
        }
    }
}

/// Text cut into pieces, each split into sentences.
struct Pieces {
    doc: Document,
    sentences: Vec<Sentence>,
    /// the sentence ids of each piece
    of_piece: Vec<Range<usize>>,
}

/// Lays `pieces` (text, paragraph number) out as one document, a blank line between
/// paragraphs, and splits each piece into sentences (a piece boundary is a sentence
/// boundary).
fn lay_out<S: AsRef<str>>(pieces: &[(S, usize)], lang: &str, path: &Path) -> Pieces {
    let language = text::language(lang);
    let mut out = String::new();
    let mut paragraphs: Vec<Range<usize>> = Vec::new();
    let mut sentences = Vec::new();
    let mut of_piece = Vec::with_capacity(pieces.len());
    let mut last_paragraph = None;
    for (piece, paragraph) in pieces {
        let (piece, paragraph) = (piece.as_ref(), *paragraph);
        if last_paragraph != Some(paragraph) {
            if !out.is_empty() {
                out.push_str("\n\n");
            }
            paragraphs.push(out.len()..out.len());
            last_paragraph = Some(paragraph);
        } else {
            out.push(' ');
        }
        let start = out.len();
        out.push_str(piece);
        if let Some(p) = paragraphs.last_mut() {
            p.end = out.len();
        }
        let first = sentences.len();
        for r in text::split::split_paragraph(piece, language) {
            sentences.push(Sentence {
                id: sentences.len(),
                start: start + r.start,
                end: start + r.end,
                paragraph: paragraphs.len() - 1,
            });
        }
        of_piece.push(first..sentences.len());
    }
    paragraphs.retain(|p| !p.is_empty());
    Pieces {
        doc: Document {
            path: path.to_path_buf(),
            format: Format::Plain,
            text: out,
            paragraphs,
            dropped: Vec::new(),
        },
        sentences,
        of_piece,
    }
}

fn segmented(pieces: &Pieces, lang: &str) -> Segmented {
    Segmented {
        lang: DocumentLanguage {
            code: lang.to_string(),
            declared: true,
            detected: None,
        },
        quotes: text::find_quotes(&pieces.doc.text, &pieces.doc.paragraphs, &pieces.sentences),
        sentences: pieces.sentences.clone(),
        foreign: Vec::new(),
    }
}

/// The original's pieces, and for every translation and segment the pieces its source
/// covers (empty for a segment without source text).
type Cut = (Vec<(String, usize)>, Vec<Vec<Range<usize>>>);

/// Cuts the sources of every translation into the finest common pieces, or, where the
/// languages' sources are not one text, into distinct source texts.
fn cut(imported: &Imported) -> Cut {
    let sources = |segments: &[Segment]| -> String {
        segments
            .iter()
            .map(|s| s.source.as_str())
            .filter(|s| !s.is_empty())
            .collect::<Vec<_>>()
            .join(" ")
    };
    let texts: Vec<String> = imported
        .translations
        .iter()
        .map(|t| sources(&t.segments))
        .collect();
    let Some(first) = imported.translations.first() else {
        return (Vec::new(), Vec::new());
    };
    if texts.iter().all(|t| *t == texts[0]) {
        // the starts of every language's segments in the one source text
        let starts = |segments: &[Segment]| -> Vec<usize> {
            let mut at = 0;
            segments
                .iter()
                .map(|s| {
                    let here = at;
                    if !s.source.is_empty() {
                        at += s.source.len() + 1;
                    }
                    here
                })
                .collect()
        };
        let all_starts: Vec<Vec<usize>> = imported
            .translations
            .iter()
            .map(|t| starts(&t.segments))
            .collect();
        let mut cuts: BTreeSet<usize> = all_starts.iter().flatten().copied().collect();
        cuts.insert(texts[0].len() + 1);
        let cuts: Vec<usize> = cuts.into_iter().collect();
        let text = texts[0].as_str();
        // each piece takes the paragraph of the first language's segment it lies in
        let first_starts = &all_starts[0];
        let pieces: Vec<(String, usize)> = cuts
            .windows(2)
            .filter_map(|w| {
                let piece = text.get(w[0]..(w[1] - 1).min(text.len()))?.trim();
                let seg = first_starts
                    .partition_point(|&s| s <= w[0])
                    .saturating_sub(1);
                (!piece.is_empty()).then(|| {
                    (
                        piece.to_string(),
                        first.segments.get(seg).map_or(0, |s| s.paragraph),
                    )
                })
            })
            .collect();
        let piece_starts: Vec<usize> = cuts
            .windows(2)
            .filter(|w| {
                text.get(w[0]..(w[1] - 1).min(text.len()))
                    .is_some_and(|p| !p.trim().is_empty())
            })
            .map(|w| w[0])
            .collect();
        let covers = imported
            .translations
            .iter()
            .zip(&all_starts)
            .map(|(t, starts)| {
                t.segments
                    .iter()
                    .zip(starts)
                    .map(|(s, &a)| {
                        if s.source.is_empty() {
                            return 0..0;
                        }
                        let b = a + s.source.len();
                        piece_starts.partition_point(|&p| p < a)
                            ..piece_starts.partition_point(|&p| p < b)
                    })
                    .collect()
            })
            .collect();
        return (pieces, covers);
    }
    let mut index: HashMap<&str, usize> = HashMap::new();
    let mut pieces: Vec<(String, usize)> = Vec::new();
    let covers = imported
        .translations
        .iter()
        .map(|t| {
            t.segments
                .iter()
                .map(|s| {
                    if s.source.is_empty() {
                        return 0..0;
                    }
                    let i = *index.entry(s.source.as_str()).or_insert_with(|| {
                        pieces.push((s.source.clone(), s.paragraph));
                        pieces.len() - 1
                    });
                    i..i + 1
                })
                .collect()
        })
        .collect();
    (pieces, covers)
}

/// The original and its translations of a read file, each translation's segments its beads.
pub fn build(imported: &Imported) -> Result<AlignedFile, AnalyzeError> {
    let (pieces, covers) = cut(imported);
    let original = lay_out(&pieces, &imported.source_lang, &imported.path);
    let original_seg = segmented(&original, &imported.source_lang);
    let mut translations = Vec::new();
    for (t, covered) in imported.translations.iter().zip(&covers) {
        let targets: Vec<(&str, usize)> = t
            .segments
            .iter()
            .map(|s| (s.target.as_deref().unwrap_or(""), s.paragraph))
            .filter(|(text, _)| !text.is_empty())
            .collect();
        let laid = lay_out(&targets, &t.lang, &imported.path);
        let mut beads = Vec::new();
        let mut units = Vec::new();
        let mut next_target = 0;
        for (s, pieces_of) in t.segments.iter().zip(covered) {
            if s.target.is_none() {
                continue; // not translated yet: nothing to compare
            }
            let original: Vec<usize> = pieces_of
                .clone()
                .flat_map(|p| original.of_piece[p].clone())
                .collect();
            let translation: Vec<usize> = if s.target.as_deref().is_some_and(|x| !x.is_empty()) {
                next_target += 1;
                laid.of_piece[next_target - 1].clone().collect()
            } else {
                Vec::new()
            };
            if original.is_empty() && translation.is_empty() {
                continue;
            }
            beads.push(Bead {
                original,
                translation,
                cost: 0.0,
            });
            units.push(s.id.clone());
        }
        let seg = segmented(&laid, &t.lang);
        translations.push(AlignedTranslation {
            input: TranslationInput {
                lang: t.lang.clone(),
                label: t.label.clone(),
                path: imported.path.clone(),
            },
            doc: laid.doc,
            seg,
            alignment: Alignment {
                beads,
                signals_used: Vec::new(),
            },
            units,
        });
    }
    Ok(AlignedFile {
        original_doc: original.doc,
        original_seg,
        translations,
    })
}
