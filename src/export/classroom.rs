//! The classroom exercise on paper: a printable worksheet (rows with a checkbox each, no
//! answers, no scores) and its answer key (the planted changes with kind and explanation,
//! and what Driftlens flagged). Both are self-contained HTML: inline CSS, no scripts, no
//! network; `@media print` keeps rows whole across pages. Written with maud, which escapes
//! every text it is given.

use crate::review::classroom::{Exercise, ToolView};
use maud::{html, Markup, PreEscaped, DOCTYPE};

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

/// A whole page: the shared head with `title`, and `body`.
fn page(title: &str, body: Markup) -> String {
    let page = html! {
        (DOCTYPE)
        html lang="en" {
            head {
                meta charset="utf-8";
                title { (title) }
                style { (PreEscaped(STYLE)) }
            }
            body { (body) }
        }
    };
    let mut out = page.into_string();
    out.push('\n');
    out
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
fn text_cell(class: &str, lang: &str, rtl: bool, text: &str) -> Markup {
    html! {
        td class=(class) lang=(lang) dir=[rtl.then_some("rtl")] { (text) }
    }
}

/// The students' worksheet: every row with a checkbox; no answers.
pub fn worksheet_html(e: &Exercise) -> String {
    let (lang_name, rtl) = language(e);
    let body = html! {
        h1 { "Did the meaning drift? An English article and its " (lang_name) " translation" }
        p.meta { "Name: " span.fill {} " \u{a0} Date: " span.fill {} }
        p {
            "Each row shows a sentence of the original, its " (lang_name)
            " translation, and the translation put back into English by a machine. \
             Some translated sentences say something different from the original. \
             Tick the rows where the meaning changed."
        }
        table {
            thead {
                tr {
                    th { "#" } th { "Drifted?" } th { "Original (English)" }
                    th { "Translation (" (lang_name) ")" } th { "Back into English (machine)" }
                }
            }
            tbody {
                @for (i, r) in e.rows.iter().enumerate() {
                    @let n = i + 1;
                    tr {
                        td.n { (n) }
                        td.mark {
                            input type="checkbox" name={ "row-" (n) } aria-label={ "Row " (n) " drifted" };
                        }
                        (text_cell("orig", "en", false, &r.original))
                        (text_cell("trans", &e.lang, rtl, &r.translation))
                        (text_cell("back", "en", false, &r.back_translation))
                    }
                }
            }
        }
        p.meta { (e.rows.len()) " rows. Driftlens classroom exercise " (e.label) "." }
    };
    page(
        &format!("Worksheet: did the meaning drift? ({lang_name})"),
        body,
    )
}

/// Whether Driftlens flagged a row: "flagged (major, 0.71)", "missed (…)" or "not scored".
fn tool_cell(tool: Option<&ToolView>) -> Markup {
    html! {
        td {
            @if let Some(t) = tool {
                @if t.flagged() {
                    span class="tool-yes" { "flagged" }
                } @else {
                    span class="tool-no" { "missed" }
                }
                " (" (t.level.name()) ", " (format!("{:.2}", t.drift)) ")"
            } @else {
                "not scored"
            }
        }
    }
}

/// The teacher's answer key: each planted change with its kind, explanation, the sentence
/// before and after the change, and whether Driftlens flagged the row.
pub fn answer_key_html(e: &Exercise) -> String {
    let (lang_name, rtl) = language(e);
    let flagged = e
        .rows
        .iter()
        .filter(|r| !r.planted.is_empty() && r.tool.as_ref().is_some_and(|t| t.flagged()))
        .count();
    let body = html! {
        h1 { "Answer key: " (e.changes.len()) " planted changes in the " (lang_name) " translation" }
        p.meta {
            "Exercise " (e.label) ": " (e.rows.len()) " rows, " (e.planted_rows())
            " of them changed on purpose. Driftlens flagged " (flagged) " of the "
            (e.planted_rows()) " changed rows."
        }
        table {
            thead {
                tr {
                    th { "Row" } th { "Kind" } th { "What changed" } th { "Original (English)" }
                    th { "Translation as given (" (lang_name) ")" } th { "Before the change" }
                    th { "Driftlens" }
                }
            }
            tbody {
                @for (i, r) in e.rows.iter().enumerate() {
                    @for ch in r.planted.iter().filter_map(|&c| e.changes.get(c)) {
                        tr {
                            td.n { (i + 1) }
                            td.kind { (ch.kind_words()) }
                            td { (ch.explanation) }
                            (text_cell("orig", "en", false, &r.original))
                            (text_cell("trans", &e.lang, rtl, &r.translation))
                            (text_cell("before", &e.lang, rtl, ch.unaltered_text.as_deref().unwrap_or("(an added sentence: not in the translation)")))
                            (tool_cell(r.tool.as_ref()))
                        }
                    }
                }
            }
        }
        @if !e.unplaced.is_empty() {
            h2 { "Changes not on any row" }
            p { "The aligner did not give these sentences a row of their own, so students could not mark them; they are not counted." }
            ul {
                @for ch in e.unplaced.iter().filter_map(|&c| e.changes.get(c)) {
                    li { span.kind { (ch.kind_words()) } " (sentence " (ch.variant_id) "): " (ch.explanation) }
                }
            }
        }
    };
    page(&format!("Answer key: {} ({lang_name})", e.label), body)
}
