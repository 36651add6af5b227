//! The HTML report: one self-contained file (inline CSS, no scripts, no network).

use super::escape;
use super::heat;
use crate::analyze::{PairReport, Report, TranslationReport, TranslationStatus};
use crate::drift::DriftLevel;
use std::fmt::Write;

/// A colour from white (no drift) through amber to red (certain drift): the shared ramp.
fn colour(drift: f32) -> String {
    heat::REPORT.css(drift)
}

fn level_class(l: DriftLevel) -> &'static str {
    l.name()
}

/// Text with the byte ranges in `marks` wrapped in `<mark>`; ranges off character boundaries
/// or out of range are ignored.
fn highlight(text: &str, marks: &[[usize; 2]]) -> String {
    let mut ranges: Vec<[usize; 2]> = marks
        .iter()
        .copied()
        .filter(|[a, b]| {
            a < b && *b <= text.len() && text.is_char_boundary(*a) && text.is_char_boundary(*b)
        })
        .collect();
    ranges.sort();
    let mut out = String::new();
    let mut pos = 0;
    for [a, b] in ranges {
        if a < pos {
            continue;
        }
        out.push_str(&escape(&text[pos..a]));
        let _ = write!(out, "<mark>{}</mark>", escape(&text[a..b]));
        pos = b;
    }
    out.push_str(&escape(&text[pos..]));
    out
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
    let mut h = String::new();
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
    let _ = write!(
        h,
        "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Driftlens — {}</title><style>{STYLE}</style></head><body>",
        escape(title)
    );
    let flagged: usize = analysed.iter().map(|t| t.flagged().count()).sum();
    let _ = write!(
        h,
        "<h1>Driftlens — {}</h1><div class=\"sub\">{} · {} sentences · {} of {} translations analysed · {} pairs flagged · driftlens {}</div>",
        escape(title),
        escape(&report.original.path.display().to_string()),
        report.original.sentences.len(),
        analysed.len(),
        report.translations.len(),
        flagged,
        escape(&report.driftlens)
    );

    // Overview heat map: languages × original sentences.
    h.push_str("<h2>Overview</h2><div class=\"legend sub\">drift: ");
    for d in [0.0, 0.25, 0.5, 0.75, 1.0] {
        let _ = write!(h, "<span style=\"background:{}\"></span>", colour(d));
    }
    h.push_str(
        " none → certain; a blank row means no counterpart was found</div><table class=\"heat\">",
    );
    for t in &analysed {
        let cells = heat::by_sentence(&t.pairs, report.original.sentences.len());
        let _ = write!(
            h,
            "<tr><th><a href=\"#lang-{0}\">{0}</a> ({1})</th>",
            escape(&t.label),
            t.flagged().count()
        );
        for (i, cell) in cells.iter().enumerate() {
            match cell.map(|c| (c.drift, t.pairs[c.pair].level)) {
                Some((d, l)) => {
                    let _ = write!(h, "<td style=\"background:{}\" title=\"{} sentence {i}: {} ({d:.2})\"><a href=\"#{}-{i}\"></a></td>", colour(d), escape(&t.label), l.name(), escape(&t.label));
                }
                None => h.push_str("<td></td>"),
            }
        }
        h.push_str("</tr>");
    }
    h.push_str("</table>");

    let skipped: Vec<&TranslationReport> = report
        .translations
        .iter()
        .filter(|t| !t.is_analysed())
        .collect();
    if !skipped.is_empty() {
        let _ = write!(
            h,
            "<h2>Not analysed ({})</h2><ul class=\"na\">",
            skipped.len()
        );
        for t in skipped {
            if let TranslationStatus::NotAnalysed { why, fix } = &t.status {
                let _ = write!(
                    h,
                    "<li><b>{}</b>: {} — fix: <code>{}</code></li>",
                    escape(&t.label),
                    escape(why),
                    escape(fix)
                );
            }
        }
        h.push_str("</ul>");
    }

    // Quote fidelity grid.
    if !report.original.quotes.is_empty() && !analysed.is_empty() {
        h.push_str(
            "<h2>Quotations</h2><table class=\"quotes\"><tr><th>quotation</th><th>speaker</th>",
        );
        for t in &analysed {
            let _ = write!(h, "<th>{}</th>", escape(&t.label));
        }
        h.push_str("</tr>");
        for q in &report.original.quotes {
            let short: String = q.text.chars().take(90).collect();
            let more = if q.text.chars().count() > 90 {
                "…"
            } else {
                ""
            };
            let _ = write!(
                h,
                "<tr><td class=\"q\">“{}{more}”</td><td>{}</td>",
                escape(&short),
                escape(q.speaker.as_deref().unwrap_or("—"))
            );
            for t in &analysed {
                match t.quotes.iter().find(|f| f.quote == q.id) {
                    Some(f) => {
                        let _ = write!(
                            h,
                            "<td style=\"background:{}\" title=\"{}\">{:.2}</td>",
                            colour(1.0 - f.fidelity),
                            escape(&f.message),
                            f.fidelity
                        );
                    }
                    None => h.push_str("<td></td>"),
                }
            }
            h.push_str("</tr>");
        }
        h.push_str("</table><div class=\"sub\">fidelity: 1 = intact, 0 = lost; hover a cell for the reason</div>");
    }

    // Side by side per language.
    for t in &analysed {
        let _ = write!(
            h,
            "<h2 id=\"lang-{0}\">{0} — {1}</h2><div class=\"sub\">engine {2} · alignment: {3} · {4} pairs, {5} flagged</div>",
            escape(&t.label),
            escape(crate::text::language(&t.lang).map(|l| l.name).unwrap_or(&t.lang)),
            escape(t.engine.as_deref().unwrap_or("?")),
            escape(t.alignment.as_deref().unwrap_or("?")),
            t.pairs.len(),
            t.flagged().count()
        );
        h.push_str("<table class=\"pairs\"><tr><th>#</th><th>original</th><th>translation</th><th>back-translation</th><th>drift</th><th>why</th></tr>");
        for p in &t.pairs {
            pair_row(&mut h, t, p);
        }
        h.push_str("</table>");
    }
    h.push_str("</body></html>\n");
    h
}

fn pair_row(h: &mut String, t: &TranslationReport, p: &PairReport) {
    let ids = |v: &[usize]| {
        v.iter()
            .map(|i| i.to_string())
            .collect::<Vec<_>>()
            .join(",")
    };
    let anchor = p
        .original
        .first()
        .map(|i| format!(" id=\"{}-{i}\"", escape(&t.label)))
        .unwrap_or_default();
    let orig_marks: Vec<[usize; 2]> = p.reasons.iter().filter_map(|r| r.original_span).collect();
    let back_marks: Vec<[usize; 2]> = p.reasons.iter().filter_map(|r| r.back_span).collect();
    let _ = write!(
        h,
        "<tr class=\"{}\"{anchor}><td>{}→{}</td><td>{}</td><td dir=\"{}\">{}</td><td>{}</td><td><span class=\"lvl {}\">{}</span><br>{:.2}</td><td>",
        level_class(p.level),
        ids(&p.original),
        ids(&p.translation),
        highlight(&p.original_text, &orig_marks),
        direction(&t.lang),
        escape(&p.translated_text),
        highlight(&p.back_translation, &back_marks),
        level_class(p.level),
        p.level.name(),
        p.drift
    );
    for r in &p.reasons {
        let _ = write!(
            h,
            "<span class=\"reason\" title=\"{}\">{}</span> ",
            escape(&r.kind),
            escape(&r.message)
        );
    }
    h.push_str("</td></tr>");
}
