//! The classroom exercise on paper: a printable worksheet (rows with a checkbox each, no
//! answers, no scores) and its answer key (the planted changes with kind and explanation,
//! and what Driftlens flagged). Both are self-contained HTML: inline CSS, no scripts, no
//! network; `@media print` keeps rows whole across pages.

use super::escape;
use crate::review::classroom::Exercise;
use std::fmt::Write;

const STYLE: &str = "
body { font-family: 'Noto Sans', 'DejaVu Sans', sans-serif; margin: 2em; color: #111; }
h1 { font-size: 1.4em; margin-bottom: 0.2em; }
.meta { color: #444; margin-bottom: 1em; }
.fill { display: inline-block; min-width: 14em; border-bottom: 1px solid #333; }
table { border-collapse: collapse; width: 100%; }
th, td { border: 1px solid #999; padding: 0.35em 0.5em; vertical-align: top; text-align: start; }
th { background: #eee; }
td.n { width: 2.5em; text-align: right; color: #555; }
td.mark { width: 3em; text-align: center; }
td.mark input { width: 1.3em; height: 1.3em; }
td.back { color: #333; font-style: italic; }
.kind { font-weight: bold; white-space: nowrap; }
.before { color: #555; }
.tool-yes { color: #0a6b2d; font-weight: bold; }
.tool-no { color: #9a3412; font-weight: bold; }
@media print {
  body { margin: 0; font-size: 10.5pt; }
  .noprint { display: none; }
  tr { page-break-inside: avoid; break-inside: avoid; }
  thead { display: table-header-group; }
  td.mark input { -webkit-appearance: none; appearance: none; border: 1.5px solid #000; width: 1.1em; height: 1.1em; }
  th { background: none; }
}
";

fn head(title: &str) -> String {
    format!("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>{}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n", escape(title))
}

fn language(e: &Exercise) -> (String, bool) {
    match crate::text::language(&e.lang) {
        Some(l) => (
            l.name.to_string(),
            l.direction == crate::text::Direction::Rtl,
        ),
        None => (e.lang.clone(), false),
    }
}

/// `<td lang="ar" dir="rtl">` for a translation cell.
fn text_cell(class: &str, lang: &str, rtl: bool, text: &str) -> String {
    let dir = if rtl { " dir=\"rtl\"" } else { "" };
    format!(
        "<td class=\"{class}\" lang=\"{}\"{dir}>{}</td>",
        escape(lang),
        escape(text)
    )
}

/// The students' worksheet: every row with a checkbox; no answers.
pub fn worksheet_html(e: &Exercise) -> String {
    let (lang_name, rtl) = language(e);
    let mut out = head(&format!("Worksheet: did the meaning drift? ({lang_name})"));
    let _ = writeln!(
        out,
        "<h1>Did the meaning drift? An English article and its {} translation</h1>",
        escape(&lang_name)
    );
    out.push_str("<p class=\"meta\">Name: <span class=\"fill\"></span> &nbsp; Date: <span class=\"fill\"></span></p>\n");
    let _ = writeln!(
        out,
        "<p>Each row shows a sentence of the original, its {} translation, and the translation put back into English by a machine. \
         Some translated sentences say something different from the original. Tick the rows where the meaning changed.</p>",
        escape(&lang_name)
    );
    out.push_str("<table>\n<thead><tr><th>#</th><th>Drifted?</th><th>Original (English)</th>");
    let _ = write!(
        out,
        "<th>Translation ({})</th><th>Back into English (machine)</th></tr></thead>\n<tbody>\n",
        escape(&lang_name)
    );
    for (i, r) in e.rows.iter().enumerate() {
        let n = i + 1;
        let _ = writeln!(
            out,
            "<tr><td class=\"n\">{n}</td><td class=\"mark\"><input type=\"checkbox\" name=\"row-{n}\" aria-label=\"Row {n} drifted\"></td>{}{}{}</tr>",
            text_cell("orig", "en", false, &r.original),
            text_cell("trans", &e.lang, rtl, &r.translation),
            text_cell("back", "en", false, &r.back_translation)
        );
    }
    out.push_str("</tbody>\n</table>\n");
    let _ = writeln!(
        out,
        "<p class=\"meta\">{} rows. Driftlens classroom exercise {}.</p>",
        e.rows.len(),
        escape(&e.label)
    );
    out.push_str("</body>\n</html>\n");
    out
}

/// The teacher's answer key: each planted change with its kind, explanation, the sentence
/// before and after the change, and whether Driftlens flagged the row.
pub fn answer_key_html(e: &Exercise) -> String {
    let (lang_name, rtl) = language(e);
    let mut out = head(&format!("Answer key: {} ({lang_name})", e.label));
    let _ = writeln!(
        out,
        "<h1>Answer key: {} planted changes in the {} translation</h1>",
        e.changes.len(),
        escape(&lang_name)
    );
    let flagged = e
        .rows
        .iter()
        .filter(|r| !r.planted.is_empty() && r.tool.as_ref().is_some_and(|t| t.flagged()))
        .count();
    let _ = writeln!(
        out,
        "<p class=\"meta\">Exercise {}: {} rows, {} of them changed on purpose. Driftlens flagged {flagged} of the {} changed rows.</p>",
        escape(&e.label),
        e.rows.len(),
        e.planted_rows(),
        e.planted_rows()
    );
    out.push_str("<table>\n<thead><tr><th>Row</th><th>Kind</th><th>What changed</th><th>Original (English)</th>");
    let _ = write!(out, "<th>Translation as given ({})</th><th>Before the change</th><th>Driftlens</th></tr></thead>\n<tbody>\n", escape(&lang_name));
    for (i, r) in e.rows.iter().enumerate() {
        for &c in &r.planted {
            let ch = &e.changes[c];
            let tool = match &r.tool {
                Some(t) if t.flagged() => format!(
                    "<span class=\"tool-yes\">flagged</span> ({}, {:.2})",
                    t.level.name(),
                    t.drift
                ),
                Some(t) => format!(
                    "<span class=\"tool-no\">missed</span> ({}, {:.2})",
                    t.level.name(),
                    t.drift
                ),
                None => "not scored".to_string(),
            };
            let _ = writeln!(
                out,
                "<tr><td class=\"n\">{}</td><td class=\"kind\">{}</td><td>{}</td>{}{}{}<td>{tool}</td></tr>",
                i + 1,
                escape(&ch.kind_words()),
                escape(&ch.explanation),
                text_cell("orig", "en", false, &r.original),
                text_cell("trans", &e.lang, rtl, &r.translation),
                text_cell("before", &e.lang, rtl, ch.unaltered_text.as_deref().unwrap_or("(an added sentence: not in the translation)")),
            );
        }
    }
    out.push_str("</tbody>\n</table>\n");
    if !e.unplaced.is_empty() {
        out.push_str("<h2>Changes not on any row</h2>\n<p>The aligner did not give these sentences a row of their own, so students could not mark them; they are not counted.</p>\n<ul>\n");
        for &c in &e.unplaced {
            let ch = &e.changes[c];
            let _ = writeln!(
                out,
                "<li><span class=\"kind\">{}</span> (sentence {}): {}</li>",
                escape(&ch.kind_words()),
                ch.variant_id,
                escape(&ch.explanation)
            );
        }
        out.push_str("</ul>\n");
    }
    out.push_str("</body>\n</html>\n");
    out
}
