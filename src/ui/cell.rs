//! Sentence cells. Every sentence the workbench shows goes through [`show_text`]:
//! `script::show_text`, which wraps to the available width and, for right-to-left scripts,
//! orders each line visually with joined letters.

pub use super::script::{show_text, Highlight};

use super::colors;
use crate::analyze::PairReport;

/// Highlights for the original and the back-translation from the reasons' byte spans (the
/// side-by-side rows and the review list show the same).
/// The highlighted spans of the direct view's reasons in the translated sentence itself.
pub fn translation_highlights(p: &PairReport) -> Vec<Highlight> {
    let color = colors::highlight(p.level.max(crate::drift::DriftLevel::Minor));
    p.reasons
        .iter()
        .filter_map(|r| r.translation_span)
        .filter(|[a, b]| a < b && *b <= p.translated_text.len())
        .filter(|[a, b]| {
            p.translated_text.is_char_boundary(*a) && p.translated_text.is_char_boundary(*b)
        })
        .map(|[a, b]| Highlight { range: a..b, color })
        .collect()
}

pub fn highlights(p: &PairReport) -> (Vec<Highlight>, Vec<Highlight>) {
    let color = colors::highlight(p.level.max(crate::drift::DriftLevel::Minor));
    let span = |s: Option<[usize; 2]>, text: &str| {
        s.filter(|[a, b]| a < b && *b <= text.len())
            .map(|[a, b]| Highlight { range: a..b, color })
    };
    let o = p
        .reasons
        .iter()
        .filter_map(|r| span(r.original_span, &p.original_text))
        .collect();
    let b = p
        .reasons
        .iter()
        .filter_map(|r| span(r.back_span, &p.back_translation))
        .collect();
    (o, b)
}
