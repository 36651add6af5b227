//! TMX 1.4b translation memory of one or all translations: a `<tu>` per aligned pair with
//! both sides, a `<tuv xml:lang>` per side, and the drift score, level and reviewer's verdict
//! as `<prop>`s (the reasons and the reviewer's note as `<note>`s). Pairs with an empty side
//! (an added or a dropped sentence) are left out: a memory unit needs both.

use super::escape;
use crate::analyze::Report;
use crate::review::Project;
use std::fmt::Write;

/// The TMX document; `only` keeps one translation by label (`None`: all of them).
pub fn tmx(report: &Report, only: Option<&str>, project: Option<&Project>) -> String {
    let src = &report.original.lang;
    let mut out = String::new();
    out.push_str("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<!DOCTYPE tmx SYSTEM \"tmx14.dtd\">\n<tmx version=\"1.4\">\n");
    let date =
        crate::review::project::timestamp(std::time::SystemTime::now()).replace(['-', ':'], "");
    let _ = writeln!(
        out,
        "  <header creationtool=\"Driftlens\" creationtoolversion=\"{}\" segtype=\"sentence\" o-tmf=\"driftlens\" adminlang=\"en\" srclang=\"{}\" datatype=\"plaintext\" creationdate=\"{date}\"/>",
        escape(&report.driftlens),
        escape(src)
    );
    out.push_str("  <body>\n");
    for t in report
        .translations
        .iter()
        .filter(|t| only.is_none_or(|l| l == t.label))
    {
        for u in t.beads() {
            if u.original_text.trim().is_empty() || u.translated_text.trim().is_empty() {
                continue;
            }
            let _ = writeln!(
                out,
                "    <tu tuid=\"{}\">",
                escape(&format!("{}:{}", t.label, u.id()))
            );
            let _ = writeln!(
                out,
                "      <prop type=\"x-driftlens-label\">{}</prop>",
                escape(&t.label)
            );
            if let Some(p) = u.scored {
                let _ = writeln!(out, "      <prop type=\"x-drift\">{:.3}</prop>", p.drift);
                let _ = writeln!(
                    out,
                    "      <prop type=\"x-drift-level\">{}</prop>",
                    p.level.name()
                );
                if let Some(v) = project.and_then(|pr| pr.verdict(&t.label, p)) {
                    let _ = writeln!(
                        out,
                        "      <prop type=\"x-driftlens-verdict\">{}</prop>",
                        v.name()
                    );
                }
                for r in &p.reasons {
                    let _ = writeln!(
                        out,
                        "      <note>{}: {}</note>",
                        escape(&r.kind),
                        escape(&r.message)
                    );
                }
                if let Some(n) = project
                    .map(|pr| pr.note(&t.label, p))
                    .filter(|n| !n.is_empty())
                {
                    let _ = writeln!(out, "      <note>reviewer: {}</note>", escape(&n));
                }
            }
            let _ = writeln!(
                out,
                "      <tuv xml:lang=\"{}\"><seg>{}</seg></tuv>",
                escape(src),
                escape(u.original_text)
            );
            let _ = writeln!(
                out,
                "      <tuv xml:lang=\"{}\"><seg>{}</seg></tuv>",
                escape(&t.lang),
                escape(u.translated_text)
            );
            out.push_str("    </tu>\n");
        }
    }
    out.push_str("  </body>\n</tmx>\n");
    out
}
