//! The HTML report: one self-contained file (inline CSS, no scripts, no network), written
//! with maud, which escapes every text it is given.

use super::heat;
use crate::analyze::{PairReport, Report, TranslationReport, TranslationStatus};
use crate::drift::DriftLevel;
use maud::{html, Markup, PreEscaped, DOCTYPE};

/// A colour from white (no drift) through amber to red (certain drift): the shared ramp.
fn colour(drift: f32) -> String {
    heat::REPORT.css(drift)
}

fn level_class(l: DriftLevel) -> &'static str {
    l.name()
}

/// Text with the byte ranges in `marks` wrapped in `<mark>`; ranges off character boundaries,
/// out of range or overlapping an earlier one are ignored.
fn highlight(text: &str, marks: &[[usize; 2]]) -> Markup {
    let mut ranges: Vec<[usize; 2]> = marks
        .iter()
        .copied()
        .filter(|[a, b]| {
            a < b && *b <= text.len() && text.is_char_boundary(*a) && text.is_char_boundary(*b)
        })
        .collect();
    ranges.sort();
    // (text, marked) pieces in order
    let mut pieces: Vec<(&str, bool)> = Vec::new();
    let mut pos = 0;
    for [a, b] in ranges {
        if a < pos {
            continue;
        }
        pieces.push((&text[pos..a], false));
        pieces.push((&text[a..b], true));
        pos = b;
    }
    pieces.push((&text[pos..], false));
    html! {
        @for (piece, marked) in pieces {
            @if marked { mark { (piece) } } @else { (piece) }
        }
    }
}

fn direction(lang: &str) -> &'static str {
    match crate::text::language(lang).map(|l| l.direction) {
        Some(crate::text::Direction::Rtl) => "rtl",
        _ => "ltr",
    }
}

const STYLE: &str = r#"
body{font-family:"Noto Sans","DejaVu Sans",system-ui,sans-serif;margin:24px;color:#1d1d1f;background:#fafafa}
h1{font-size:22px;margin:0 0 4px} h2{font-size:18px;margin:28px 0 8px;border-bottom:1px solid #ddd;padding-bottom:4px}
.sub{color:#666;font-size:13px}
table{border-collapse:collapse;background:#fff}
.heat td{width:14px;height:18px;border:1px solid #eee;padding:0}
.heat th{font-size:12px;text-align:right;padding:0 6px;font-weight:500;white-space:nowrap}
.heat a{display:block;width:100%;height:100%}
.legend span{display:inline-block;width:28px;height:12px;margin-right:2px;border:1px solid #ddd}
.pairs{width:100%;font-size:13px} .pairs td,.pairs th{border:1px solid #e3e3e3;padding:5px 7px;vertical-align:top}
.pairs th{background:#f1f1f1;text-align:left}
tr.major td{background:#fff4e0} tr.critical td{background:#ffe3e0}
mark{background:#ffd34d;padding:0 1px;border-radius:2px}
.reason{display:inline-block;background:#eef;border:1px solid #ccd;border-radius:10px;padding:0 6px;margin:1px;font-size:12px}
.lvl{font-weight:600;font-size:12px} .lvl.critical{color:#b00020} .lvl.major{color:#b45f00} .lvl.minor{color:#777} .lvl.none{color:#9a9}
.quotes td,.quotes th{border:1px solid #e3e3e3;padding:4px 6px;font-size:12px}
.quotes td.q{max-width:420px}
.na{color:#555;font-size:13px} code{background:#f0f0f0;padding:1px 4px;border-radius:3px}
"#;

/// The whole report as one HTML page.
pub fn html(report: &Report) -> String {
    let analysed: Vec<&TranslationReport> = report
        .translations
        .iter()
        .filter(|t| t.is_analysed())
        .collect();
    let title = report
        .original
        .sentences
        .first()
        .map(|s| s.text.as_str())
        .unwrap_or("Driftlens report");
    let flagged: usize = analysed.iter().map(|t| t.flagged().count()).sum();
    let page = html! {
        (DOCTYPE)
        html lang="en" {
            head {
                meta charset="utf-8";
                title { "Driftlens — " (title) }
                style { (PreEscaped(STYLE)) }
            }
            body {
                h1 { "Driftlens — " (title) }
                div.sub {
                    (report.original.path.display().to_string()) " · "
                    (report.original.sentences.len()) " sentences · "
                    (analysed.len()) " of " (report.translations.len()) " translations analysed · "
                    (flagged) " pairs flagged · driftlens " (report.driftlens)
                }
                (overview(report, &analysed))
                (not_analysed(report))
                (quotations(report, &analysed))
                @for t in &analysed {
                    (side_by_side(t))
                }
            }
        }
    };
    let mut out = page.into_string();
    out.push('\n');
    out
}

/// The heat map: languages × original sentences, each cell the worst pair holding it.
fn overview(report: &Report, analysed: &[&TranslationReport]) -> Markup {
    let sentences = report.original.sentences.len();
    html! {
        h2 { "Overview" }
        div.legend.sub {
            "drift: "
            @for d in [0.0, 0.25, 0.5, 0.75, 1.0] {
                span style={ "background:" (colour(d)) } {}
            }
            " none → certain; a blank row means no counterpart was found"
        }
        table.heat {
            @for t in analysed {
                tr {
                    th { a href={ "#lang-" (t.label) } { (t.label) } " (" (t.flagged().count()) ")" }
                    @for (i, cell) in heat::by_sentence(&t.pairs, sentences).into_iter().enumerate() {
                        @if let Some(c) = cell {
                            td style={ "background:" (colour(c.drift)) }
                                title={ (t.label) " sentence " (i) ": " (t.pairs[c.pair].level.name()) " (" (format!("{:.2}", c.drift)) ")" } {
                                a href={ "#" (t.label) "-" (i) } {}
                            }
                        } @else {
                            td {}
                        }
                    }
                }
            }
        }
    }
}

/// Translations that could not be analysed, with why and the fix.
fn not_analysed(report: &Report) -> Markup {
    let skipped: Vec<(&str, &str, &str)> = report
        .translations
        .iter()
        .filter_map(|t| match &t.status {
            TranslationStatus::NotAnalysed { why, fix } => {
                Some((t.label.as_str(), why.as_str(), fix.as_str()))
            }
            _ => None,
        })
        .collect();
    html! {
        @if !skipped.is_empty() {
            h2 { "Not analysed (" (skipped.len()) ")" }
            ul.na {
                @for (label, why, fix) in &skipped {
                    li { b { (label) } ": " (why) " — fix: " code { (fix) } }
                }
            }
        }
    }
}

/// The quote-fidelity grid: quotations × languages.
fn quotations(report: &Report, analysed: &[&TranslationReport]) -> Markup {
    if report.original.quotes.is_empty() || analysed.is_empty() {
        return html! {};
    }
    html! {
        h2 { "Quotations" }
        table.quotes {
            tr {
                th { "quotation" }
                th { "speaker" }
                @for t in analysed { th { (t.label) } }
            }
            @for q in &report.original.quotes {
                tr {
                    td.q {
                        "“" (q.text.chars().take(90).collect::<String>())
                        @if q.text.chars().count() > 90 { "…" }
                        "”"
                    }
                    td { (q.speaker.as_deref().unwrap_or("—")) }
                    @for t in analysed {
                        @if let Some(f) = t.quotes.iter().find(|f| f.quote == q.id) {
                            td style={ "background:" (colour(1.0 - f.fidelity)) } title=(f.message) {
                                (format!("{:.2}", f.fidelity))
                            }
                        } @else {
                            td {}
                        }
                    }
                }
            }
        }
        div.sub { "fidelity: 1 = intact, 0 = lost; hover a cell for the reason" }
    }
}

/// One translation side by side with the original: a row per pair.
fn side_by_side(t: &TranslationReport) -> Markup {
    let name = crate::text::language(&t.lang)
        .map(|l| l.name)
        .unwrap_or(&t.lang);
    html! {
        h2 id={ "lang-" (t.label) } { (t.label) " — " (name) }
        div.sub {
            (t.views_note())
            " · alignment: " (t.alignment.as_deref().unwrap_or("?"))
            " · " (t.pairs.len()) " pairs, " (t.flagged().count()) " flagged"
        }
        @if let Some(note) = t.level_note() {
            div.sub { (note) }
        }
        @for n in &t.not_run {
            div.sub { "no " (n.view.name()) ": " (n.why) " — " code { (n.fix) } " would add " (n.adds) }
        }
        table.pairs {
            tr {
                th { "#" } th { "original" } th { "translation" } th { "back-translation" }
                th { "drift" } th { "why" }
            }
            @for p in &t.pairs {
                (pair_row(t, p))
            }
        }
    }
}

fn pair_row(t: &TranslationReport, p: &PairReport) -> Markup {
    let ids = |v: &[usize]| {
        v.iter()
            .map(|i| i.to_string())
            .collect::<Vec<_>>()
            .join(",")
    };
    let anchor = p.original.first().map(|i| format!("{}-{i}", t.label));
    let orig_marks: Vec<[usize; 2]> = p.reasons.iter().filter_map(|r| r.original_span).collect();
    let back_marks: Vec<[usize; 2]> = p.reasons.iter().filter_map(|r| r.back_span).collect();
    let translation_marks: Vec<[usize; 2]> = p
        .reasons
        .iter()
        .filter_map(|r| r.translation_span)
        .collect();
    html! {
        tr class=(level_class(p.level)) id=[anchor] {
            td {
                (ids(&p.original)) "→" (ids(&p.translation))
                @if let Some(unit) = &p.unit { br; small { "unit " (unit) } }
            }
            td { (highlight(&p.original_text, &orig_marks)) }
            td dir=(direction(&t.lang)) { (highlight(&p.translated_text, &translation_marks)) }
            td { (highlight(&p.back_translation, &back_marks)) }
            td {
                span class={ "lvl " (level_class(p.level)) } { (p.level.name()) }
                br;
                (format!("{:.2}", p.drift))
            }
            td {
                @for r in &p.reasons {
                    span.reason title={ (r.kind) " (" (r.view.name()) " view)" } { (r.message) } " "
                }
            }
        }
    }
}
