//! XLIFF 1.2 and 2.x readers.
//!
//! 1.2: every `<trans-unit>` (not `translate="no"`) is a paragraph; where its
//! `<seg-source>` splits the source with `<mrk mtype="seg" mid="…">` (OmegaT, Trados,
//! memoQ), each such `mrk` is a segment and the target's `mrk` with the same `mid` its
//! translation; else the unit is one segment. `<alt-trans>` (matches) and elements of other
//! namespaces (`sdl:seg-defs`, `mq:…`) are passed over. The target's `state` is what a
//! write-back sets.
//!
//! 2.x: every `<unit>` is a paragraph and each `<segment>` a segment (`<ignorable>` is
//! not); the segment's `state`/`subState` is what a write-back sets, and notes go in the
//! unit's `<notes>`.
//!
//! Text: the content of inline codes that hold the native code (`ph`, `bpt`, `ept`, `it`,
//! and their `sub`) is left out; the text inside `g`, `pc`, `mrk` is kept; `cp` becomes
//! its character.

use super::xml::{self, Scan};
use super::{
    FileKind, ImportError, Imported, ImportedTranslation, NoteStyle, NotesAt, Segment, TagAt,
};
use quick_xml::events::{BytesStart, Event};
use std::collections::HashSet;
use std::ops::Range;
use std::path::Path;

/// Elements whose content is native code, not text (XLIFF 1.2 and TMX).
pub(crate) const NATIVE_CODE: [&str; 6] = ["ph", "bpt", "ept", "it", "ut", "sub"];

/// Collects one text field (source, target) with its `mrk mtype="seg"` segments.
#[derive(Default)]
struct Field {
    /// stack depth of the field's element
    depth: usize,
    text: String,
    /// (mid, text) of each `mrk mtype="seg"`
    segs: Vec<(String, String)>,
    /// depth of the open segment `mrk`, if any
    seg_depth: Option<usize>,
    /// depth of the native-code element being skipped, if any
    skip_depth: Option<usize>,
}

impl Field {
    fn push_text(&mut self, s: &str) {
        if self.skip_depth.is_some() {
            return;
        }
        self.text.push_str(s);
        if self.seg_depth.is_some() {
            if let Some(last) = self.segs.last_mut() {
                last.1.push_str(s);
            }
        }
    }

    /// An element opened at `depth` inside the field.
    fn open(&mut self, scan: &Scan<'_>, start: &BytesStart<'_>, depth: usize, empty: bool) {
        let name = xml::local(start);
        if self.skip_depth.is_some() {
            return;
        }
        if NATIVE_CODE.contains(&name.as_str()) && !empty {
            self.skip_depth = Some(depth);
        } else if name == "mrk" && scan.attr(start, "mtype").as_deref() == Some("seg") {
            let mid = scan
                .attr(start, "mid")
                .unwrap_or_else(|| (self.segs.len() + 1).to_string());
            self.segs.push((mid, String::new()));
            if !empty {
                self.seg_depth = Some(depth);
            }
        } else if name == "cp" {
            // XLIFF 2's code point: a character XML cannot carry as text
            let c = scan
                .attr(start, "hex")
                .and_then(|h| u32::from_str_radix(&h, 16).ok())
                .and_then(char::from_u32);
            if let Some(c) = c {
                self.push_text(&c.to_string());
            }
        }
    }

    fn close(&mut self, depth: usize) {
        if self.skip_depth == Some(depth) {
            self.skip_depth = None;
        }
        if self.seg_depth == Some(depth) {
            self.seg_depth = None;
        }
    }
}

/// One `<trans-unit>` being read.
#[derive(Default)]
struct Unit1 {
    id: String,
    translate: bool,
    source: Option<Field>,
    seg_source: Option<Field>,
    target: Option<Field>,
    target_tag: Option<usize>,
    target_lang: Option<String>,
    /// end of `</target>`, else of `</seg-source>`/`</source>`: where notes go
    notes_at: usize,
    indent: String,
    own_notes: Vec<Range<usize>>,
    note_start: Option<usize>,
}

/// Which field of a unit is open.
#[derive(Clone, Copy, PartialEq)]
enum Which {
    Source,
    SegSource,
    Target,
}

/// The translations being gathered, by language tag, in order of appearance.
pub(crate) struct Gather<'a> {
    pub path: &'a Path,
    pub translations: Vec<ImportedTranslation>,
    ids: Vec<HashSet<String>>,
    pub tags: Vec<TagAt>,
    pub notes: Vec<NotesAt>,
    pub paragraphs: usize,
}

impl<'a> Gather<'a> {
    pub fn new(path: &'a Path) -> Gather<'a> {
        Gather {
            path,
            translations: Vec::new(),
            ids: Vec::new(),
            tags: Vec::new(),
            notes: Vec::new(),
            paragraphs: 0,
        }
    }

    /// The translation of language tag `tag`, added on first sight; `unit` names the unit
    /// in the message when the language is unknown.
    pub fn translation(&mut self, tag: &str, unit: &str) -> Result<usize, ImportError> {
        let key = tag.to_ascii_lowercase().replace('_', "-");
        if let Some(i) = self.translations.iter().position(|t| t.label == key) {
            return Ok(i);
        }
        let lang = super::language_of(tag).ok_or_else(|| ImportError::UnknownLanguage {
            path: self.path.to_path_buf(),
            unit: unit.to_string(),
            code: tag.to_string(),
        })?;
        self.translations.push(ImportedTranslation {
            lang,
            label: key,
            segments: Vec::new(),
        });
        self.ids.push(HashSet::new());
        Ok(self.translations.len() - 1)
    }

    /// Adds a segment to translation `t`, its id made unique within it.
    pub fn push(&mut self, t: usize, mut segment: Segment) {
        if !self.ids[t].insert(segment.id.clone()) {
            let mut n = 2;
            while !self.ids[t].insert(format!("{}@{n}", segment.id)) {
                n += 1;
            }
            segment.id = format!("{}@{n}", segment.id);
        }
        self.translations[t].segments.push(segment);
    }

    pub fn finish(self, kind: FileKind, source_lang: &str) -> Result<Imported, ImportError> {
        let source =
            super::language_of(source_lang).ok_or_else(|| ImportError::UnknownLanguage {
                path: self.path.to_path_buf(),
                unit: "the source language".into(),
                code: source_lang.to_string(),
            })?;
        Ok(Imported {
            path: self.path.to_path_buf(),
            kind,
            source_lang: source,
            translations: self.translations,
            tags: self.tags,
            notes: self.notes,
            text: String::new(),
        })
    }
}

/// Reads XLIFF 1.2.
pub(crate) fn read1(src: &str, path: &Path) -> Result<Imported, ImportError> {
    let mut scan = Scan::new(src, path);
    let mut gather = Gather::new(path);
    let mut stack: Vec<String> = Vec::new();
    let mut source_lang: Option<String> = None;
    let mut file_target: Option<String> = None;
    let mut unit: Option<Unit1> = None;
    let mut open: Option<Which> = None;
    while let Some(at) = scan.next()? {
        match &at.event {
            Event::Start(s) | Event::Empty(s) => {
                let empty = matches!(at.event, Event::Empty(_));
                let name = xml::local(s);
                let parent = stack.last().map(String::as_str);
                if name == "file" && !xml::prefixed(s) {
                    if let Some(l) = scan.attr(s, "source-language") {
                        source_lang.get_or_insert(l);
                    }
                    file_target = scan.attr(s, "target-language");
                } else if name == "trans-unit" && !xml::prefixed(s) {
                    unit = Some(Unit1 {
                        id: scan
                            .attr(s, "id")
                            .unwrap_or_else(|| (gather.paragraphs + 1).to_string()),
                        translate: scan.attr(s, "translate").as_deref() != Some("no"),
                        ..Unit1::default()
                    });
                } else if let (Some(u), Some("trans-unit")) = (unit.as_mut(), parent) {
                    open = open_field1(
                        &scan,
                        u,
                        s,
                        &name,
                        at.range.clone(),
                        empty,
                        stack.len() + 1,
                        &mut gather,
                    );
                } else if let (Some(u), Some(w)) = (unit.as_mut(), open) {
                    field_of(u, w).open(&scan, s, stack.len() + 1, empty);
                }
                if !empty {
                    stack.push(name);
                }
            }
            Event::End(_) => {
                let depth = stack.len();
                let name = stack.pop().unwrap_or_default();
                if let Some(u) = unit.as_mut() {
                    if name == "note" {
                        if let Some(start) = u.note_start.take() {
                            u.own_notes.push(start..at.range.end);
                        }
                    }
                    if let Some(w) = open {
                        let f = field_of(u, w);
                        if f.depth == depth {
                            open = None;
                            u.notes_at = at.range.end;
                        } else {
                            f.close(depth);
                        }
                    }
                }
                if name == "trans-unit" {
                    if let Some(u) = unit.take() {
                        finish_unit1(u, file_target.as_deref(), &mut gather, src)?;
                    }
                }
            }
            event => {
                if let (Some(u), Some(w)) = (unit.as_mut(), open) {
                    if let Some(t) = xml::text_of(event) {
                        field_of(u, w).push_text(&t);
                    }
                }
            }
        }
    }
    let source_lang = source_lang.ok_or_else(|| ImportError::MissingLanguage {
        path: path.to_path_buf(),
        unit: "<file>".into(),
        which: "source",
        hint: "source-language=\"en\" on <file>",
    })?;
    gather.finish(FileKind::Xliff1, &source_lang)
}

fn field_of(u: &mut Unit1, w: Which) -> &mut Field {
    let f = match w {
        Which::Source => &mut u.source,
        Which::SegSource => &mut u.seg_source,
        Which::Target => &mut u.target,
    };
    f.get_or_insert_with(Field::default)
}

/// A child element of a `<trans-unit>`: opens a field (source, seg-source, target) or notes
/// one of Driftlens's own notes; anything else (alt-trans, context, extensions) is passed.
#[allow(clippy::too_many_arguments)]
fn open_field1(
    scan: &Scan<'_>,
    u: &mut Unit1,
    s: &BytesStart<'_>,
    name: &str,
    range: Range<usize>,
    empty: bool,
    depth: usize,
    gather: &mut Gather<'_>,
) -> Option<Which> {
    if xml::prefixed(s) {
        return None;
    }
    let src = scan.src();
    let which = match name {
        "source" => Which::Source,
        "seg-source" => Which::SegSource,
        "target" => {
            u.target_tag = Some(gather.tags.len());
            gather.tags.push(scan.tag(s, range.clone(), empty));
            u.target_lang = scan.attr(s, "xml:lang");
            u.indent = xml::indent_before(src, range.start);
            Which::Target
        }
        "note" => {
            if scan.attr(s, "from").as_deref() == Some("driftlens") && !empty {
                let indent = xml::indent_before(src, range.start);
                u.note_start = Some(range.start - indent.len());
            }
            return None;
        }
        _ => return None,
    };
    if which != Which::Target && u.target.is_none() {
        u.indent = xml::indent_before(src, range.start);
    }
    let f = field_of(u, which);
    f.depth = depth;
    if empty {
        u.notes_at = range.end;
        return None;
    }
    Some(which)
}

/// The segments of a finished `<trans-unit>`.
fn finish_unit1(
    u: Unit1,
    file_target: Option<&str>,
    gather: &mut Gather<'_>,
    _src: &str,
) -> Result<(), ImportError> {
    if !u.translate {
        return Ok(());
    }
    let unit_name = format!("trans-unit id=\"{}\"", u.id);
    let tag = u
        .target_lang
        .as_deref()
        .or(file_target)
        .ok_or_else(|| ImportError::MissingLanguage {
            path: gather.path.to_path_buf(),
            unit: unit_name.clone(),
            which: "target",
            hint: "target-language=\"es\" on its <file>",
        })?
        .to_string();
    let t = gather.translation(&tag, &unit_name)?;
    let notes = gather.notes.len();
    gather.notes.push(NotesAt {
        at: u.notes_at,
        indent: u.indent.clone(),
        style: NoteStyle::Xliff1,
        own: u.own_notes.clone(),
    });
    let paragraph = gather.paragraphs;
    gather.paragraphs += 1;
    let source = u.source.unwrap_or_default();
    let segs = u.seg_source.map(|f| f.segs).unwrap_or_default();
    let target = u.target;
    let target_segs = target.as_ref().map(|f| f.segs.clone()).unwrap_or_default();
    if segs.len() > 1 && (target.is_none() || !target_segs.is_empty()) {
        for (mid, text) in &segs {
            let target_text = target
                .as_ref()
                .and_then(|_| target_segs.iter().find(|(m, _)| m == mid))
                .map(|(_, t)| xml::clean(t))
                .filter(|t| !t.is_empty());
            gather.push(
                t,
                Segment {
                    id: format!("{}/{mid}", u.id),
                    source: xml::clean(text),
                    target: target_text,
                    paragraph,
                    state_tag: u.target_tag,
                    notes,
                },
            );
        }
    } else {
        gather.push(
            t,
            Segment {
                id: u.id,
                source: xml::clean(&source.text),
                target: target
                    .map(|f| xml::clean(&f.text))
                    .filter(|t| !t.is_empty()),
                paragraph,
                state_tag: u.target_tag,
                notes,
            },
        );
    }
    Ok(())
}

/// One `<unit>` of XLIFF 2 being read.
#[derive(Default)]
struct Unit2 {
    id: String,
    translate: bool,
    depth: usize,
    /// (segment id, its start tag, source, target)
    segments: Vec<(String, usize, Field, Option<Field>)>,
    /// `<notes>`: where it starts, the indent of its first note, where its last note ends,
    /// how many notes it holds
    notes_start: Option<usize>,
    notes_indent: String,
    last_note_end: Option<usize>,
    notes_count: usize,
    /// where the first `<originalData>`, `<segment>` or `<ignorable>` starts
    first_child: Option<(usize, String)>,
    own_notes: Vec<Range<usize>>,
    note_start: Option<usize>,
    in_segment: bool,
    open: Option<Which>,
}

/// Reads XLIFF 2.x.
pub(crate) fn read2(src: &str, path: &Path) -> Result<Imported, ImportError> {
    let mut scan = Scan::new(src, path);
    let mut gather = Gather::new(path);
    let mut depth = 0usize;
    let mut langs: (Option<String>, Option<String>) = (None, None);
    let mut unit: Option<Unit2> = None;
    while let Some(at) = scan.next()? {
        match &at.event {
            Event::Start(s) | Event::Empty(s) => {
                let empty = matches!(at.event, Event::Empty(_));
                depth += 1;
                let name = xml::local(s);
                if name == "xliff" && langs.0.is_none() {
                    langs = (scan.attr(s, "srcLang"), scan.attr(s, "trgLang"));
                } else if name == "unit" && !xml::prefixed(s) {
                    unit = Some(Unit2 {
                        id: scan
                            .attr(s, "id")
                            .unwrap_or_else(|| (gather.paragraphs + 1).to_string()),
                        translate: scan.attr(s, "translate").as_deref() != Some("no"),
                        depth,
                        ..Unit2::default()
                    });
                } else if let Some(u) = unit.as_mut() {
                    open2(
                        &scan,
                        u,
                        s,
                        &name,
                        at.range.clone(),
                        empty,
                        depth,
                        &mut gather,
                    );
                }
                if empty {
                    depth -= 1;
                }
            }
            Event::End(e) => {
                let name = String::from_utf8_lossy(e.local_name().as_ref()).into_owned();
                if let Some(u) = unit.as_mut() {
                    close2(u, &name, at.range.clone(), depth, src);
                    if name == "unit" && depth == u.depth {
                        if let Some(u) = unit.take() {
                            finish_unit2(u, langs.1.as_deref(), &mut gather, src)?;
                        }
                    }
                }
                depth = depth.saturating_sub(1);
            }
            event => {
                if let Some(u) = unit.as_mut() {
                    if let (Some(w), Some(t)) = (u.open, xml::text_of(event)) {
                        if let Some(seg) = u.segments.last_mut() {
                            match w {
                                Which::Target => {
                                    seg.3.get_or_insert_with(Field::default).push_text(&t)
                                }
                                _ => seg.2.push_text(&t),
                            }
                        }
                    }
                }
            }
        }
    }
    let source_lang = langs.0.ok_or_else(|| ImportError::MissingLanguage {
        path: path.to_path_buf(),
        unit: "<xliff>".into(),
        which: "source",
        hint: "srcLang=\"en\" on <xliff>",
    })?;
    gather.finish(FileKind::Xliff2, &source_lang)
}

/// An element opened inside an XLIFF 2 `<unit>`.
#[allow(clippy::too_many_arguments)]
fn open2(
    scan: &Scan<'_>,
    u: &mut Unit2,
    s: &BytesStart<'_>,
    name: &str,
    range: Range<usize>,
    empty: bool,
    depth: usize,
    gather: &mut Gather<'_>,
) {
    let src = scan.src();
    let child = depth == u.depth + 1 && !xml::prefixed(s);
    if child && matches!(name, "originalData" | "segment" | "ignorable") && u.first_child.is_none()
    {
        u.first_child = Some((range.start, xml::indent_before(src, range.start)));
    }
    if child && name == "segment" {
        let id = scan
            .attr(s, "id")
            .unwrap_or_else(|| (u.segments.len() + 1).to_string());
        let tag = gather.tags.len();
        gather.tags.push(scan.tag(s, range, empty));
        u.segments.push((id, tag, Field::default(), None));
        u.in_segment = !empty;
        return;
    }
    if depth == u.depth + 2 && u.in_segment && matches!(name, "source" | "target") {
        let which = if name == "source" {
            Which::Source
        } else {
            Which::Target
        };
        if let Some(seg) = u.segments.last_mut() {
            let f = if which == Which::Target {
                seg.3.get_or_insert_with(Field::default)
            } else {
                &mut seg.2
            };
            f.depth = depth;
        }
        u.open = (!empty).then_some(which);
        return;
    }
    if child && name == "notes" {
        u.notes_start = Some(range.start);
        return;
    }
    if depth == u.depth + 2 && name == "note" {
        let indent = xml::indent_before(src, range.start);
        if scan.attr(s, "category").as_deref() == Some("driftlens") && !empty {
            u.note_start = Some(range.start - indent.len());
        }
        if u.notes_count == 0 {
            u.notes_indent = indent;
        }
        u.notes_count += 1;
        if empty {
            u.last_note_end = Some(range.end);
        }
        return;
    }
    if let (Some(w), Some(seg)) = (u.open, u.segments.last_mut()) {
        let f = match w {
            Which::Target => seg.3.get_or_insert_with(Field::default),
            _ => &mut seg.2,
        };
        f.open(scan, s, depth, empty);
    }
}

/// An element closed inside an XLIFF 2 `<unit>`.
fn close2(u: &mut Unit2, name: &str, range: Range<usize>, depth: usize, _src: &str) {
    if depth == u.depth + 1 && name == "segment" {
        u.in_segment = false;
    }
    if depth == u.depth + 1 && name == "notes" && u.last_note_end.is_none() {
        u.last_note_end = Some(range.start);
    }
    if depth == u.depth + 2 && name == "note" {
        u.last_note_end = Some(range.end);
        if let Some(start) = u.note_start.take() {
            u.own_notes.push(start..range.end);
        }
    }
    if let (Some(w), Some(seg)) = (u.open, u.segments.last_mut()) {
        let f = match w {
            Which::Target => seg.3.get_or_insert_with(Field::default),
            _ => &mut seg.2,
        };
        if f.depth == depth {
            u.open = None;
        } else {
            f.close(depth);
        }
    }
}

fn finish_unit2(
    u: Unit2,
    target_lang: Option<&str>,
    gather: &mut Gather<'_>,
    _src: &str,
) -> Result<(), ImportError> {
    if !u.translate || u.segments.is_empty() {
        return Ok(());
    }
    let unit_name = format!("unit id=\"{}\"", u.id);
    let tag = target_lang.ok_or_else(|| ImportError::MissingLanguage {
        path: gather.path.to_path_buf(),
        unit: unit_name.clone(),
        which: "target",
        hint: "trgLang=\"es\" on <xliff>",
    })?;
    let t = gather.translation(tag, &unit_name)?;
    let (first_at, first_indent) = u.first_child.clone().unwrap_or_default();
    let only_ours = u.notes_count > 0 && u.own_notes.len() == u.notes_count;
    let notes_at = match (u.notes_start, u.last_note_end) {
        // a `<notes>` of Driftlens's alone (an earlier write-back): replaced whole
        (Some(start), _) if only_ours && first_at > start => NotesAt {
            at: first_at,
            indent: first_indent,
            style: NoteStyle::Xliff2 { wrap: true },
            own: std::iter::once(start..first_at).collect(),
        },
        (Some(_), Some(end)) => NotesAt {
            at: end,
            indent: u.notes_indent.clone(),
            style: NoteStyle::Xliff2 { wrap: false },
            own: u.own_notes,
        },
        _ => NotesAt {
            at: first_at,
            indent: first_indent,
            style: NoteStyle::Xliff2 { wrap: true },
            own: Vec::new(),
        },
    };
    let notes = gather.notes.len();
    gather.notes.push(notes_at);
    let paragraph = gather.paragraphs;
    gather.paragraphs += 1;
    let several = u.segments.len() > 1;
    for (id, tag, source, target) in u.segments {
        gather.push(
            t,
            Segment {
                id: if several {
                    format!("{}/{id}", u.id)
                } else {
                    u.id.clone()
                },
                source: xml::clean(&source.text),
                target: target
                    .map(|f| xml::clean(&f.text))
                    .filter(|t| !t.is_empty()),
                paragraph,
                state_tag: Some(tag),
                notes,
            },
        );
    }
    Ok(())
}
