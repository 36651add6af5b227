//! Report writers: JSON (the stable format other tools read), CSV (one row per pair) and a
//! self-contained HTML report (heat map, side-by-side tables, quote-fidelity grid).

pub mod classroom;
pub mod heat;
mod html;
pub mod tmx;
pub mod writeback;
pub mod xliff;

pub use html::html;

use crate::analyze::Report;

/// Text escaped for XML 1.0 element content and attribute values (the XLIFF and TMX
/// writers; the HTML pages are maud templates, which escape by themselves). Characters XML 1.0
/// cannot carry at all (control characters other than tab, line feed and carriage return;
/// U+FFFE, U+FFFF) become U+FFFD; tab, line feed and carriage return are written as
/// character references so attribute values keep them.
pub(crate) fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\t' => out.push_str("&#9;"),
            '\n' => out.push_str("&#10;"),
            '\r' => out.push_str("&#13;"),
            c if allowed_in_xml(c) => out.push(c),
            _ => out.push('\u{FFFD}'),
        }
    }
    out
}

/// XML 1.0's Char production.
fn allowed_in_xml(c: char) -> bool {
    matches!(c, '\u{9}' | '\u{A}' | '\u{D}' | '\u{20}'..='\u{D7FF}' | '\u{E000}'..='\u{FFFD}' | '\u{10000}'..='\u{10FFFF}')
}

/// The stable JSON report.
pub fn json(report: &Report) -> String {
    serde_json::to_string_pretty(report).unwrap_or_else(|e| format!("{{\"error\": \"{e}\"}}"))
}

/// One row per aligned pair: language, ids, texts, score, level, reasons.
pub fn csv(report: &Report) -> String {
    let mut out = String::from("lang,label,original_ids,translation_ids,original,translation,back_translation,drift,level,reasons\n");
    for t in &report.translations {
        for p in &t.pairs {
            let ids = |v: &[usize]| {
                v.iter()
                    .map(|i| i.to_string())
                    .collect::<Vec<_>>()
                    .join(" ")
            };
            let reasons = p
                .reasons
                .iter()
                .map(|r| format!("{}: {}", r.kind, r.message))
                .collect::<Vec<_>>()
                .join("; ");
            let fields = [
                t.lang.clone(),
                t.label.clone(),
                ids(&p.original),
                ids(&p.translation),
                p.original_text.clone(),
                p.translated_text.clone(),
                p.back_translation.clone(),
                format!("{:.3}", p.drift),
                p.level.name().to_string(),
                reasons,
            ];
            out.push_str(
                &fields
                    .iter()
                    .map(|f| csv_field(f))
                    .collect::<Vec<_>>()
                    .join(","),
            );
            out.push('\n');
        }
    }
    out
}

/// A CSV field, quoted when it holds a comma, quote or line break (RFC 4180).
fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}
