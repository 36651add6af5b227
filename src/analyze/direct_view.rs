//! The direct view in the pipeline: every translation is compared with the original
//! directly (`driftlens_core::direct`: numbers, names, quotation marks, English left in
//! place, and length and cross-lingual similarity against the translation's own pairs). A
//! language no engine serves is judged by this view alone ("direct only") instead of being
//! left unanalysed; where an engine back-translated, the direct view's findings join the
//! pair's reasons and a broken fact it sees lifts the pair's level.

use super::{
    bead_cosine, join, quote_spans_in, Aligned, DriftLevel, Original, PairReport, Prepared,
    Progress, QuoteCell, QuoteFidelity, ReasonReport, Settings, TranslationReport,
    TranslationStatus, View, ViewNotRun,
};
use crate::align::{self, Side};
use crate::direct::{self, Context, Finding, FindingKind, Judged};
use crate::drift::DriftReason;

/// The direct view's verdicts on a translation's beads (`None` for a bead with no sentence on
/// one side: an added or dropped sentence is judged from the alignment) and the beads'
/// cross-lingual cosines, where the model ran.
pub(super) struct DirectView {
    pub judged: Vec<Option<Judged>>,
    pub cosines: Vec<Option<f32>>,
}

/// The original's and a translation's cross-lingual sentence vectors.
pub(super) struct CrossVectors<'a> {
    original: &'a [Vec<f32>],
    translation: Vec<Vec<f32>>,
}

/// Cross-lingual vectors of the original and of `translation`'s sentences, where the model
/// is on this machine (through the embedding cache).
pub(super) fn cross_vectors<'a>(
    prepared: &'a Prepared,
    settings: &Settings,
    translation: &[String],
) -> Option<CrossVectors<'a>> {
    let original = prepared.original_multilingual(settings)?;
    let translation = prepared.embed_multilingual(
        &translation.iter().map(String::as_str).collect::<Vec<_>>(),
        settings,
    )?;
    Some(CrossVectors {
        original,
        translation,
    })
}

/// `found` (a back-translated language's beads) with every two beads joined where a cut
/// the translation's segmenter guessed parts them in the wrong place (`align::recut`), as
/// the direct-only path joins them. Only a language with such cuts (Thai) is embedded for
/// it, and only where the model is here.
pub(super) fn join_guessed_cuts(
    prepared: &Prepared,
    settings: &Settings,
    found: align::Alignment,
    original: &Side,
    translation: &Side,
) -> align::Alignment {
    use align::recut::{has_guessed_cuts, join_crossed_cuts, Cuttable};
    if !has_guessed_cuts(translation) && !has_guessed_cuts(original) {
        return found;
    }
    let Some(original_vectors) = prepared.original_multilingual(settings) else {
        return found;
    };
    let Some(translation_vectors) = prepared.embed_multilingual(&translation.sentences, settings)
    else {
        return found;
    };
    join_crossed_cuts(
        &found,
        Cuttable {
            side: original,
            vectors: original_vectors,
        },
        Cuttable {
            side: translation,
            vectors: &translation_vectors,
        },
        &mut |texts: &[&str]| prepared.embed_multilingual(texts, settings),
    )
}

/// The quotation marks of the original inside the joined text of sentences `ids` (joined
/// with one space, as [`join`] joins them).
fn bead_context(original: &Original, ids: &[usize]) -> Context {
    let mut context = Context::default();
    let mut offset = 0;
    for &id in ids {
        let Some(s) = original.seg.sentences.get(id) else {
            break;
        };
        let c = Context::for_sentence(s.start..s.end, &original.seg.quotes);
        let shift = |r: std::ops::Range<usize>| r.start + offset..r.end + offset;
        context.quotes.extend(c.quotes.into_iter().map(shift));
        context.quoted.extend(c.quoted.into_iter().map(shift));
        offset += s.end - s.start + 1;
    }
    context
}

/// Judges the beads of `alignment` directly. `translation` holds the translated sentences.
pub(super) fn judge_beads(
    prepared: &Prepared,
    alignment: &align::Alignment,
    translation: &[String],
    lang: &str,
    vectors: Option<&CrossVectors>,
) -> DirectView {
    let original = &prepared.original;
    let orig_texts: Vec<&str> = prepared.original_texts();
    let cosine = |b: &align::Bead| -> Option<f32> {
        let v = vectors?;
        let (o, t) = (v.original, &v.translation);
        if b.original.is_empty()
            || b.translation.is_empty()
            || b.original.iter().any(|&i| i >= o.len())
            || b.translation.iter().any(|&i| i >= t.len())
        {
            return None;
        }
        Some(bead_cosine(o, &b.original, t, &b.translation))
    };
    let both: Vec<&align::Bead> = alignment
        .beads
        .iter()
        .filter(|b| !b.original.is_empty() && !b.translation.is_empty())
        .collect();
    let texts: Vec<(String, String)> = both
        .iter()
        .map(|b| {
            (
                join(&b.original, &orig_texts),
                join(&b.translation, translation),
            )
        })
        .collect();
    let beads: Vec<direct::Bead> = both
        .iter()
        .zip(&texts)
        .map(|(b, (o, t))| direct::Bead {
            original: o,
            translation: t,
            context: bead_context(original, &b.original),
            cosine: cosine(b),
        })
        .collect();
    let mut judged = direct::judge(&beads, lang).into_iter();
    DirectView {
        judged: alignment
            .beads
            .iter()
            .map(|b| {
                if b.original.is_empty() || b.translation.is_empty() {
                    None
                } else {
                    judged.next()
                }
            })
            .collect(),
        cosines: alignment.beads.iter().map(cosine).collect(),
    }
}

/// A direct finding as the report writes it.
pub(super) fn finding_report(f: &Finding) -> ReasonReport {
    ReasonReport {
        kind: f.kind.name().to_string(),
        message: f.message.clone(),
        original_span: f.original.as_ref().map(|r| [r.start, r.end]),
        back_span: None,
        translation_span: f.translation.as_ref().map(|r| [r.start, r.end]),
        view: View::Direct,
    }
}

/// Adds the direct view to pairs the back-translation judged: its findings join the reasons,
/// and where it sees in the translation itself a number that reads another number, English
/// left in place, or a quotation's "very" with no word of that degree, the pair rises to
/// that level whatever the engine made of it. Names stay the back-translation's to judge
/// there (it reads them in every script the engine reads; the direct view's table does not
/// know every spelling), and so does what the direct view cannot see (negation, certainty,
/// a quotation otherwise reworded): it never lowers a pair.
pub(super) fn merge(pairs: &mut [PairReport], view: DirectView) {
    for ((pair, judged), cosine) in pairs.iter_mut().zip(view.judged).zip(view.cosines) {
        pair.cosine = cosine;
        let Some(judged) = judged else { continue };
        pair.views.push(View::Direct);
        for f in &judged.findings.findings {
            pair.reasons.push(finding_report(f));
            let level = match f.kind {
                // a fact the translation itself shows broken, whatever the engine made of it
                FindingKind::NumberChanged
                | FindingKind::LeftInEnglish
                | FindingKind::QuoteIntensity => direct::level_of(f.kind),
                _ => DriftLevel::None,
            };
            if level > pair.level {
                pair.level = level;
                pair.drift = pair.drift.max(judged.score);
            }
        }
    }
}

/// How each quotation came through each pair, with what the direct view read in the
/// translation itself: a quotation whose "very" has no word of that degree there reads at its
/// pair's level, half kept, with that reason, whatever its back-translated words say (and,
/// in a direct-only language, though its marks came through).
pub(super) fn toned_quotes(pairs: &[PairReport], cells: Vec<QuoteCell>) -> Vec<QuoteFidelity> {
    cells
        .into_iter()
        .map(|c| {
            let mut cell = c.fidelity;
            let Some(pair) = pairs.get(c.pair) else {
                return cell;
            };
            let toned = pair.reasons.iter().find(|r| {
                r.kind == FindingKind::QuoteIntensity.name()
                    && r.original_span
                        .is_some_and(|[s, e]| c.span.start <= s && e <= c.span.end)
            });
            if let Some(r) = toned {
                cell.fidelity = cell.fidelity.min(0.5);
                if pair.level > cell.level {
                    cell.level = pair.level;
                    cell.message = r.message.clone();
                }
            }
            cell
        })
        .collect()
}

/// A translation no engine back-translates here, judged by the direct view alone: aligned
/// (length, paragraph anchors), then every pair compared with its original. `why` and `fix`
/// say why there is no back-translation and what would add one.
pub(super) fn direct_only(
    translation: Aligned<'_>,
    prepared: &Prepared,
    settings: &Settings,
    (why, fix): (String, String),
    progress: &dyn Fn(Progress),
) -> TranslationReport {
    let Aligned {
        input, doc, seg, ..
    } = translation;
    let original: &Original = &prepared.original;
    progress(Progress::Stage {
        label: input.label.clone(),
        stage: "aligning",
    });
    let sources: Vec<String> = seg
        .sentences
        .iter()
        .map(|s| s.text(&doc.text).to_string())
        .collect();
    let vectors = cross_vectors(prepared, settings, &sources);
    // Aligned with the vectors inside the aligner where the model is here, as `bench align`
    // and the hand-checked beads measure it; an added sentence the search joined to its
    // neighbour is split off afterwards (`align::strays`), and two beads a cut Thai's
    // segmenter guessed parts in the wrong place are joined (`align::recut`, which embeds
    // the cut parts through the cache). On the bundled corpus the report's beads hold all
    // 807 hand-checked ones so (800 with length and anchors alone and the vectors used
    // only to split strays off).
    let alignment = match translation.alignment {
        Some(given) => given.clone(),
        None => {
            let original_side = Side::segmented(&original.doc, &original.seg);
            let translation_side = Side::segmented(doc, seg);
            match &vectors {
                Some(v) => crate::embed::align_with_given_vectors(
                    &original_side,
                    &translation_side,
                    v.original,
                    &v.translation,
                    Some(&mut |texts: &[&str]| prepared.embed_multilingual(texts, settings)),
                ),
                None => align::align_sides(&original_side, &translation_side, None),
            }
        }
    };
    progress(Progress::Stage {
        label: input.label.clone(),
        stage: "comparing directly",
    });
    let orig_texts = prepared.original_texts();
    let view = judge_beads(
        prepared,
        &alignment,
        &sources,
        &input.lang,
        vectors.as_ref(),
    );
    let mut pairs = Vec::with_capacity(alignment.beads.len());
    let mut quotes = Vec::new();
    for ((bead, judged), cosine) in alignment.beads.iter().zip(view.judged).zip(view.cosines) {
        let (drift, level, reasons) = match (
            judged,
            DriftReason::from_null_bead(&bead.original, &bead.translation),
        ) {
            (_, Some(null)) => {
                // the alignment found it: the direct view's own
                let reason = ReasonReport {
                    view: View::Direct,
                    ..super::reason_report(&null)
                };
                (1.0, DriftLevel::Critical, vec![reason])
            }
            (Some(j), None) => (
                j.score,
                j.level,
                j.findings.findings.iter().map(finding_report).collect(),
            ),
            (None, None) => (0.0, DriftLevel::None, Vec::new()),
        };
        // a quotation is lost with its sentence (a bead with no translation), or its marks;
        // one whose degree is gone is read by `toned_quotes` below
        let dropped = bead.translation.is_empty();
        for (quote, span) in quote_spans_in(original, &bead.original) {
            let lost = reasons
                .iter()
                .find(|r| dropped || r.kind == FindingKind::QuoteUnmarked.name());
            quotes.push(QuoteCell {
                pair: pairs.len(),
                span,
                fidelity: QuoteFidelity {
                    quote,
                    fidelity: if lost.is_some() { 0.0 } else { 1.0 },
                    level: if lost.is_some() { level } else { DriftLevel::None },
                    message: lost.map_or_else(
                        || "its marks and the facts the direct view reads came through (a back-translation would check its wording)".to_string(),
                        |r| r.message.clone(),
                    ),
                },
            });
        }
        pairs.push(PairReport {
            original: bead.original.clone(),
            translation: bead.translation.clone(),
            original_text: join(&bead.original, &orig_texts),
            translated_text: join(&bead.translation, &sources),
            back_translation: String::new(),
            drift,
            level,
            reasons,
            alignment_cost: bead.cost,
            unit: None,
            views: vec![View::Direct],
            cosine,
        });
    }
    let quotes = super::quote_fidelity(original, toned_quotes(&pairs, quotes));
    TranslationReport {
        lang: input.lang.clone(),
        label: input.label.clone(),
        path: input.path.clone(),
        engine: None,
        status: TranslationStatus::Analysed,
        pairs,
        quotes,
        alignment: Some(alignment.signals()),
        round_trip: None,
        baseline: None,
        views: vec![View::Direct],
        not_run: vec![ViewNotRun {
            view: View::BackTranslation,
            why,
            fix,
            adds: "what only reading the meaning catches: a negation lost or added, a statement made more or less certain, a quotation reworded".to_string(),
        }],
    }
}
