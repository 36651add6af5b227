//! XLIFF 1.2 for one translation, with the drift findings and the reviewer's verdicts as
//! notes.
//!
//! Version 1.2 (not 2.x) because it is what CAT tools import most reliably: memoQ, Trados
//! Studio, OmegaT, Memsource/Phrase and Wordfast all read 1.2 `<trans-unit>`s with their
//! `<note>`s, while XLIFF 2 support is still partial. Each aligned pair becomes a
//! `<trans-unit>`: `<source>` the original sentence(s), `<target>` the translation, a note
//! with the drift score and level, one note per drift reason, and the reviewer's verdict and
//! note (from the review [`Project`]). The score and level are also attributes in Driftlens's
//! own namespace (`dl:drift`, `dl:level`), which the tools ignore and scripts can read.
//! Flagged pairs, and pairs a reviewer judged real drift, get
//! `state="needs-review-translation"` on their target.

use super::escape;
use crate::analyze::{BeadView, Report, TranslationReport};
use crate::review::{Project, Verdict};
use std::fmt::Write;

/// The namespace of Driftlens's own attributes.
pub const DRIFTLENS_NS: &str = "urn:driftlens:xliff:1";

impl BeadView<'_> {
    /// `o22-t22`, `o3,4-t3`, `o-t27` (an added sentence): unique within a translation.
    pub(crate) fn id(&self) -> String {
        let ids = |v: &[usize]| {
            v.iter()
                .map(|i| i.to_string())
                .collect::<Vec<_>>()
                .join(",")
        };
        format!("o{}-t{}", ids(self.original), ids(self.translation))
    }
}

fn file_name(p: &std::path::Path) -> String {
    p.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| p.display().to_string())
}

/// The XLIFF 1.2 document for one translation of `report`; `project` adds the reviewer's
/// verdicts and notes.
pub fn xliff(
    report: &Report,
    translation: &TranslationReport,
    project: Option<&Project>,
) -> String {
    let src = &report.original.lang;
    let tgt = &translation.lang;
    let mut out = String::new();
    out.push_str("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    let _ = writeln!(out, "<xliff version=\"1.2\" xmlns=\"urn:oasis:names:tc:xliff:document:1.2\" xmlns:dl=\"{DRIFTLENS_NS}\">");
    let _ = writeln!(
        out,
        "  <file original=\"{}\" source-language=\"{}\" target-language=\"{}\" datatype=\"plaintext\" tool-id=\"driftlens\" dl:label=\"{}\">",
        escape(&file_name(&report.original.path)),
        escape(src),
        escape(tgt),
        escape(&translation.label)
    );
    out.push_str("    <header>\n");
    let _ = writeln!(
        out,
        "      <tool tool-id=\"driftlens\" tool-name=\"Driftlens\" tool-version=\"{}\"/>",
        escape(&report.driftlens)
    );
    let about = match (&translation.engine, translation.is_analysed()) {
        (Some(engine), true) => format!(
            "Drift review of {} ({}), back-translated with {engine} and compared directly.",
            translation.label,
            file_name(&translation.path)
        ),
        (None, true) => format!(
            "Drift review of {} ({}), compared with the original directly (no back-translation engine).",
            translation.label,
            file_name(&translation.path)
        ),
        _ => format!(
            "{} ({}) was aligned but not back-translated, so it has no drift scores.",
            translation.label,
            file_name(&translation.path)
        ),
    };
    let _ = writeln!(
        out,
        "      <note from=\"driftlens\">{}</note>",
        escape(&about)
    );
    out.push_str("    </header>\n    <body>\n");
    for u in translation.beads() {
        let verdict = u
            .scored
            .and_then(|p| project.and_then(|pr| pr.verdict(&translation.label, p)));
        let note = u
            .scored
            .and_then(|p| project.map(|pr| pr.note(&translation.label, p)))
            .filter(|n| !n.is_empty());
        let flagged = u.scored.map(|p| p.level.is_flagged()).unwrap_or(false);
        let needs_review = verdict == Some(Verdict::RealDrift) || (flagged && verdict.is_none());
        let mut attrs = String::new();
        if let Some(p) = u.scored {
            let _ = write!(
                attrs,
                " dl:drift=\"{:.3}\" dl:level=\"{}\"",
                p.drift,
                p.level.name()
            );
        }
        if let Some(v) = verdict {
            let _ = write!(attrs, " dl:verdict=\"{}\"", v.name());
        }
        let _ = writeln!(out, "      <trans-unit id=\"{}\"{attrs}>", escape(&u.id()));
        let _ = writeln!(
            out,
            "        <source xml:lang=\"{}\">{}</source>",
            escape(src),
            escape(u.original_text)
        );
        let state = if needs_review {
            "needs-review-translation"
        } else {
            "translated"
        };
        let _ = writeln!(
            out,
            "        <target xml:lang=\"{}\" state=\"{state}\">{}</target>",
            escape(tgt),
            escape(u.translated_text)
        );
        if let Some(p) = u.scored {
            let _ = writeln!(out, "        <note from=\"driftlens\" priority=\"2\">drift {:.2} ({}); back-translation: {}</note>", p.drift, p.level.name(), escape(&p.back_translation));
            for r in &p.reasons {
                let _ = writeln!(
                    out,
                    "        <note from=\"driftlens\" priority=\"2\">{} ({} view): {}</note>",
                    escape(&r.kind),
                    r.view.name(),
                    escape(&r.message)
                );
            }
        }
        if let Some(v) = verdict {
            let _ = writeln!(
                out,
                "        <note from=\"reviewer\" priority=\"1\">verdict: {}</note>",
                v.title()
            );
        }
        if let Some(n) = note {
            let _ = writeln!(
                out,
                "        <note from=\"reviewer\" priority=\"1\">{}</note>",
                escape(&n)
            );
        }
        out.push_str("      </trans-unit>\n");
    }
    out.push_str("    </body>\n  </file>\n</xliff>\n");
    out
}
