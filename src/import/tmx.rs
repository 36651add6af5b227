//! TMX 1.4 reader: every `<tu>` holds a `<tuv xml:lang>` in the source language (the
//! header's `srclang`; with `*all*`, the first `tuv`'s language) and one or more in target
//! languages; each target language becomes one translation, and a `tu` is a segment of each
//! language it has a `tuv` for (an empty `<seg/>` is a segment left untranslated). The
//! content of `bpt`, `ept`, `it`, `ph`, `ut` is native code, not text; `hi` keeps its text.

use super::xliff::{Gather, NATIVE_CODE};
use super::xml::{self, Scan};
use super::{FileKind, ImportError, Imported, NoteStyle, NotesAt, Segment};
use quick_xml::events::Event;
use std::ops::Range;
use std::path::Path;

/// One `<tu>` being read.
#[derive(Default)]
struct Tu {
    id: String,
    /// (language tag, text)
    variants: Vec<(String, String)>,
    depth: usize,
    /// where notes go (just after the `<tu>` start tag) and the indent of its children
    notes_at: usize,
    indent: Option<String>,
    own_notes: Vec<Range<usize>>,
    /// an open `<note>`: its start (with the whitespace before it) and text
    note: Option<(usize, String)>,
    /// inside a `<seg>`: the text gathers in the last variant
    in_seg: bool,
    skip_depth: Option<usize>,
}

/// Reads TMX.
pub(crate) fn read(src: &str, path: &Path) -> Result<Imported, ImportError> {
    let mut scan = Scan::new(src, path);
    let mut gather = Gather::new(path);
    let mut depth = 0usize;
    let mut srclang: Option<String> = None;
    let mut tu: Option<Tu> = None;
    let mut count = 0usize;
    while let Some(at) = scan.next()? {
        match &at.event {
            Event::Start(s) | Event::Empty(s) => {
                let empty = matches!(at.event, Event::Empty(_));
                depth += 1;
                let name = xml::local(s);
                match (name.as_str(), tu.as_mut()) {
                    ("header", None) => {
                        srclang = scan.attr(s, "srclang").filter(|l| l != "*all*");
                    }
                    ("tu", None) if !empty => {
                        count += 1;
                        tu = Some(Tu {
                            id: scan.attr(s, "tuid").unwrap_or_else(|| count.to_string()),
                            depth,
                            notes_at: at.range.end,
                            ..Tu::default()
                        });
                    }
                    (_, Some(u)) => {
                        if depth == u.depth + 1 && u.indent.is_none() {
                            u.indent = Some(xml::indent_before(src, at.range.start));
                        }
                        if name == "tuv" && depth == u.depth + 1 {
                            let lang = scan
                                .attr(s, "xml:lang")
                                .or_else(|| scan.attr(s, "lang"))
                                .unwrap_or_default();
                            u.variants.push((lang, String::new()));
                        } else if name == "seg" && depth == u.depth + 2 {
                            u.in_seg = !empty;
                        } else if name == "note" && depth == u.depth + 1 && !empty {
                            let indent = xml::indent_before(src, at.range.start);
                            u.note = Some((at.range.start - indent.len(), String::new()));
                        } else if u.in_seg
                            && u.skip_depth.is_none()
                            && NATIVE_CODE.contains(&name.as_str())
                            && !empty
                        {
                            u.skip_depth = Some(depth);
                        }
                    }
                    _ => {}
                }
                if empty {
                    depth -= 1;
                }
            }
            Event::End(e) => {
                let name = String::from_utf8_lossy(e.local_name().as_ref()).into_owned();
                if let Some(u) = tu.as_mut() {
                    if u.skip_depth == Some(depth) {
                        u.skip_depth = None;
                    }
                    if name == "seg" && depth == u.depth + 2 {
                        u.in_seg = false;
                    }
                    if name == "note" && depth == u.depth + 1 {
                        if let Some((start, text)) = u.note.take() {
                            if text.trim_start().starts_with("driftlens") {
                                u.own_notes.push(start..at.range.end);
                            }
                        }
                    }
                    if name == "tu" && depth == u.depth {
                        if let Some(u) = tu.take() {
                            finish_tu(u, &mut srclang, &mut gather)?;
                        }
                    }
                }
                depth = depth.saturating_sub(1);
            }
            event => {
                if let (Some(u), Some(t)) = (tu.as_mut(), xml::text_of(event)) {
                    if u.in_seg && u.skip_depth.is_none() {
                        if let Some(v) = u.variants.last_mut() {
                            v.1.push_str(&t);
                        }
                    } else if let Some(n) = u.note.as_mut() {
                        n.1.push_str(&t);
                    }
                }
            }
        }
    }
    let source = srclang.unwrap_or_else(|| "en".into());
    gather.finish(FileKind::Tmx, &source)
}

/// The segments of a finished `<tu>`: one per target language.
fn finish_tu(
    u: Tu,
    srclang: &mut Option<String>,
    gather: &mut Gather<'_>,
) -> Result<(), ImportError> {
    let unit_name = format!("tu tuid=\"{}\"", u.id);
    if let Some((lang, _)) = u.variants.iter().find(|(l, _)| l.is_empty()) {
        let _ = lang;
        return Err(ImportError::MissingLanguage {
            path: gather.path.to_path_buf(),
            unit: unit_name,
            which: "tuv",
            hint: "xml:lang=\"…\" on each <tuv>",
        });
    }
    let source_tag = srclang
        .get_or_insert_with(|| u.variants.first().map(|v| v.0.clone()).unwrap_or_default())
        .clone();
    let same = |a: &str, b: &str| a.eq_ignore_ascii_case(b) || primary(a) == primary(b);
    let Some(source) = u.variants.iter().find(|(l, _)| same(l, &source_tag)) else {
        return Err(ImportError::NoSource {
            path: gather.path.to_path_buf(),
            unit: unit_name,
            lang: source_tag,
        });
    };
    let notes = gather.notes.len();
    gather.notes.push(NotesAt {
        at: u.notes_at,
        indent: u.indent.clone().unwrap_or_default(),
        style: NoteStyle::Tmx,
        own: u.own_notes.clone(),
    });
    for (lang, text) in u.variants.iter().filter(|(l, _)| !same(l, &source_tag)) {
        let t = gather.translation(lang, &unit_name)?;
        gather.push(
            t,
            Segment {
                id: u.id.clone(),
                source: xml::clean(&source.1),
                target: Some(xml::clean(text)),
                paragraph: 0,
                state_tag: None,
                notes,
            },
        );
    }
    Ok(())
}

fn primary(tag: &str) -> String {
    tag.split(['-', '_'])
        .next()
        .unwrap_or("")
        .to_ascii_lowercase()
}
