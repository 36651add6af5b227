//! Drift written back into the reviewer's own XLIFF or TMX file.
//!
//! The file is not re-serialised: the reader (`crate::import`) recorded the byte offsets of
//! what changes, and the edits are spliced into the original bytes, so namespaces, unknown
//! elements, inline codes, comments and whitespace stay as they came and the file goes back
//! into the CAT tool. What changes:
//!
//! - XLIFF 1.2: the `<target>` of a flagged segment gets `state="needs-review-translation"`;
//!   the drift, its reasons and the reviewer's verdict and note follow `</target>` as
//!   `<note from="driftlens">`s.
//! - XLIFF 2: the `<segment>` gets `state="translated"` and `subState="driftlens:needs-review"`;
//!   the notes go in the unit's `<notes>` (`category="driftlens"`, `appliesTo="target"`).
//! - TMX, which has no review state: a `<note>` first in the `<tu>`, naming the language.
//!
//! Notes of an earlier write-back are replaced, never doubled. A pair a reviewer judged not
//! drift is not marked. Pairs without drift change nothing.

use super::escape;
use crate::analyze::{PairReport, Report};
use crate::import::{Imported, NoteStyle, Segment};
use crate::review::{Project, Verdict};
use std::collections::{BTreeMap, HashMap};
use std::ops::Range;

/// XLIFF 1.2's state for a translation to be reviewed.
const XLIFF1_REVIEW: &str = "needs-review-translation";
/// XLIFF 2's state (a reviewed or final segment goes back to translated) and sub-state.
const XLIFF2_STATE: &str = "translated";
const XLIFF2_SUBSTATE: &str = "driftlens:needs-review";

/// One note: who wrote it (Driftlens or the reviewer) and its text.
struct Note {
    reviewer: bool,
    text: String,
}

/// The file `imported` with the drift of `report` (and the reviewer's verdicts and notes from
/// `project`) written into it. With nothing to write, the file's bytes unchanged.
pub fn write_back(imported: &Imported, report: &Report, project: Option<&Project>) -> String {
    let mut review_tags: BTreeMap<usize, ()> = BTreeMap::new();
    let mut notes: BTreeMap<usize, Vec<Note>> = BTreeMap::new();
    let several_langs = imported.translations.len() > 1;
    for t in &report.translations {
        let Some(file_t) = imported.translations.iter().find(|f| f.label == t.label) else {
            continue;
        };
        let by_id: HashMap<&str, &Segment> =
            file_t.segments.iter().map(|s| (s.id.as_str(), s)).collect();
        // segments that share a note anchor name themselves in their notes
        let mut per_anchor: HashMap<usize, usize> = HashMap::new();
        for s in &file_t.segments {
            *per_anchor.entry(s.notes).or_default() += 1;
        }
        for p in &t.pairs {
            let Some(seg) = p.unit.as_deref().and_then(|u| by_id.get(u)) else {
                continue;
            };
            let verdict = project.and_then(|pr| pr.verdict(&t.label, p));
            let note = project
                .map(|pr| pr.note(&t.label, p))
                .filter(|n| !n.is_empty());
            let flagged = p.level.is_flagged();
            let needs_review =
                verdict == Some(Verdict::RealDrift) || (flagged && verdict.is_none());
            if needs_review {
                if let Some(tag) = seg.state_tag {
                    review_tags.insert(tag, ());
                }
            }
            if !flagged && verdict.is_none() && note.is_none() {
                continue;
            }
            let mut who = String::new();
            if several_langs {
                who.push_str(&format!("[{}] ", t.label));
            }
            if per_anchor.get(&seg.notes).copied().unwrap_or(0) > 1 {
                who.push_str(&format!("segment {}: ", seg.id));
            }
            notes
                .entry(seg.notes)
                .or_default()
                .extend(pair_notes(p, &who, verdict, note));
        }
    }
    let mut edits: Vec<(Range<usize>, String)> = Vec::new();
    for at in &imported.notes {
        edits.extend(at.own.iter().map(|r| (r.clone(), String::new())));
    }
    for tag in review_tags.keys() {
        edits.extend(state_edits(imported, *tag));
    }
    for (i, list) in &notes {
        let at = &imported.notes[*i];
        edits.push((at.at..at.at, notes_text(at.style, &at.indent, list)));
    }
    splice(&imported.text, edits)
}

/// The notes of one pair: its drift and back-translation, each reason, the verdict, the note.
fn pair_notes(
    p: &PairReport,
    who: &str,
    verdict: Option<Verdict>,
    note: Option<String>,
) -> Vec<Note> {
    let mut out = vec![Note {
        reviewer: false,
        text: format!(
            "driftlens: {who}drift {:.2} ({}); back-translation: {}",
            p.drift,
            p.level.name(),
            p.back_translation
        ),
    }];
    out.extend(p.reasons.iter().map(|r| Note {
        reviewer: false,
        text: format!(
            "driftlens: {who}{} ({} view): {}",
            r.kind,
            r.view.name(),
            r.message
        ),
    }));
    if let Some(v) = verdict {
        out.push(Note {
            reviewer: true,
            text: format!("driftlens: {who}reviewer's verdict: {}", v.title()),
        });
    }
    if let Some(n) = note {
        out.push(Note {
            reviewer: true,
            text: format!("driftlens: {who}reviewer's note: {n}"),
        });
    }
    out
}

/// The edits that mark the start tag `tag` for review.
fn state_edits(imported: &Imported, tag: usize) -> Vec<(Range<usize>, String)> {
    let tag = &imported.tags[tag];
    let wanted: &[(&str, &str)] = match imported.kind {
        crate::import::FileKind::Xliff2 => {
            &[("state", XLIFF2_STATE), ("subState", XLIFF2_SUBSTATE)]
        }
        _ => &[("state", XLIFF1_REVIEW)],
    };
    // new attributes go right after the last one (or the name), so `/>` and spacing stay
    let after_last = tag.attrs.last().map(|(_, r)| r.end + 1).unwrap_or_else(|| {
        let raw = &imported.text[tag.range.clone()];
        let name_len = raw[1..]
            .find(|c: char| c.is_whitespace() || c == '>' || c == '/')
            .unwrap_or(raw.len() - 1);
        tag.range.start + 1 + name_len
    });
    wanted
        .iter()
        .map(|(name, value)| match tag.attr(name) {
            Some(r) => (r.clone(), (*value).to_string()),
            None => (after_last..after_last, format!(" {name}=\"{value}\"")),
        })
        .collect()
}

/// The notes as the format writes them, each after `indent` (the file's own indentation).
fn notes_text(style: NoteStyle, indent: &str, notes: &[Note]) -> String {
    let mut out = String::new();
    match style {
        NoteStyle::Xliff1 => {
            for n in notes {
                // from="driftlens" on the reviewer's notes too: they come from Driftlens's
                // review project, and a later write-back finds and replaces them by it
                out.push_str(&format!(
                    "{indent}<note from=\"driftlens\" priority=\"{}\">{}</note>",
                    if n.reviewer { 1 } else { 2 },
                    escape(&n.text)
                ));
            }
        }
        NoteStyle::Xliff2 { wrap } => {
            let inner = if wrap {
                format!("{indent}  ")
            } else {
                indent.to_string()
            };
            if wrap {
                out.push_str("<notes>");
            }
            for n in notes {
                out.push_str(&format!(
                    "{inner}<note category=\"driftlens\" appliesTo=\"target\" priority=\"{}\">{}</note>",
                    if n.reviewer { 1 } else { 2 },
                    escape(&n.text)
                ));
            }
            if wrap {
                out.push_str(&format!("{indent}</notes>{indent}"));
            }
        }
        NoteStyle::Tmx => {
            for n in notes {
                out.push_str(&format!("{indent}<note>{}</note>", escape(&n.text)));
            }
        }
    }
    out
}

/// `src` with each byte range replaced by its text. Edits never overlap (the reader's ranges
/// are disjoint: notes, attribute values, insertion points between them).
fn splice(src: &str, mut edits: Vec<(Range<usize>, String)>) -> String {
    edits.sort_by_key(|(r, _)| (r.start, r.end));
    let mut out = String::with_capacity(src.len() + edits.iter().map(|e| e.1.len()).sum::<usize>());
    let mut at = 0;
    for (r, text) in edits {
        if r.start < at {
            continue; // overlapping: cannot happen with the reader's ranges; never corrupt
        }
        out.push_str(&src[at..r.start]);
        out.push_str(&text);
        at = r.end;
    }
    out.push_str(&src[at..]);
    out
}
