//! The XML event stream the readers share: quick-xml events with their byte ranges in the
//! file, start tags with the byte ranges of their attribute values, text with entity and
//! character references resolved, and errors with line and column.

use super::{ImportError, TagAt};
use quick_xml::events::{BytesStart, Event};
use quick_xml::Reader;
use std::ops::Range;
use std::path::Path;

/// One event and where it is in the file.
pub(crate) struct At<'a> {
    pub event: Event<'a>,
    pub range: Range<usize>,
}

/// quick-xml over the whole file (a slice reader, so every event borrows from the file and
/// its byte offsets are offsets into it).
pub(crate) struct Scan<'a> {
    reader: Reader<&'a [u8]>,
    src: &'a str,
    path: &'a Path,
}

impl<'a> Scan<'a> {
    pub fn new(src: &'a str, path: &'a Path) -> Scan<'a> {
        let mut reader = Reader::from_str(src);
        let config = reader.config_mut();
        config.check_end_names = true;
        config.trim_text(false);
        config.expand_empty_elements = false;
        Scan { reader, src, path }
    }

    /// The whole file.
    pub fn src(&self) -> &'a str {
        self.src
    }

    /// The next event, `None` at the end of the file.
    pub fn next(&mut self) -> Result<Option<At<'a>>, ImportError> {
        let start = self.reader.buffer_position() as usize;
        match self.reader.read_event() {
            Ok(Event::Eof) => Ok(None),
            Ok(event) => Ok(Some(At {
                event,
                range: start..self.reader.buffer_position() as usize,
            })),
            Err(e) => Err(self.error_at(self.reader.error_position() as usize, e.to_string())),
        }
    }

    /// An error at byte `offset`, with its line and column (1-based, columns in characters).
    pub fn error_at(&self, offset: usize, message: String) -> ImportError {
        let (line, column) = line_column(self.src, offset);
        ImportError::Xml {
            path: self.path.to_path_buf(),
            line,
            column,
            message,
        }
    }

    /// A start tag's range and its attributes' value ranges.
    pub fn tag(&self, start: &BytesStart<'a>, range: Range<usize>, empty: bool) -> TagAt {
        let base = self.src.as_ptr() as usize;
        let attrs = start
            .attributes()
            .flatten()
            .filter_map(|a| {
                let name = String::from_utf8_lossy(a.key.as_ref()).into_owned();
                // The slice reader hands out values borrowed from the file: their address
                // is their offset (an owned value would be a copy; then there is no range).
                match a.value {
                    std::borrow::Cow::Borrowed(v) => {
                        let at = (v.as_ptr() as usize).checked_sub(base)?;
                        (at + v.len() <= self.src.len()).then_some((name, at..at + v.len()))
                    }
                    std::borrow::Cow::Owned(_) => None,
                }
            })
            .collect();
        TagAt {
            range,
            empty,
            attrs,
        }
    }

    /// An attribute's value, unescaped.
    pub fn attr(&self, start: &BytesStart<'_>, name: &str) -> Option<String> {
        start
            .attributes()
            .flatten()
            .find(|a| a.key.as_ref() == name.as_bytes())
            .and_then(|a| {
                a.normalized_value(quick_xml::XmlVersion::Implicit1_0)
                    .ok()
                    .map(|v| v.into_owned())
            })
    }
}

/// 1-based line and column (in characters) of byte `offset` of `src`.
pub(crate) fn line_column(src: &str, offset: usize) -> (usize, usize) {
    let offset = offset.min(src.len());
    let before = src.get(..offset).unwrap_or(src);
    let line = before.matches('\n').count() + 1;
    let column = before.rsplit('\n').next().unwrap_or("").chars().count() + 1;
    (line, column)
}

/// The local name of an element (`sdl:seg` → `seg`), as text.
pub(crate) fn local(start: &BytesStart<'_>) -> String {
    String::from_utf8_lossy(start.local_name().as_ref()).into_owned()
}

/// Whether the element's name has a namespace prefix (`sdl:seg-defs`): an extension the
/// readers pass over and the write-back leaves alone.
pub(crate) fn prefixed(start: &BytesStart<'_>) -> bool {
    start.name().prefix().is_some()
}

/// Text of an event inside a segment: text, CDATA, or a resolved reference.
pub(crate) fn text_of(event: &Event<'_>) -> Option<String> {
    match event {
        Event::Text(t) => t.xml10_content().ok().map(|c| c.into_owned()),
        Event::CData(c) => c.decode().ok().map(|c| c.into_owned()),
        Event::GeneralRef(r) => {
            if let Ok(Some(c)) = r.resolve_char_ref() {
                return Some(c.to_string());
            }
            let name = r.decode().ok()?;
            Some(
                match name.as_ref() {
                    "amp" => "&",
                    "lt" => "<",
                    "gt" => ">",
                    "quot" => "\"",
                    "apos" => "'",
                    // An entity the file's DTD defines: kept as written.
                    other => return Some(format!("&{other};")),
                }
                .to_string(),
            )
        }
        _ => None,
    }
}

/// The root element's name and its `version` attribute.
pub(crate) fn root(src: &str, path: &Path) -> Result<(String, Option<String>), ImportError> {
    let mut scan = Scan::new(src, path);
    while let Some(at) = scan.next()? {
        if let Event::Start(s) | Event::Empty(s) = &at.event {
            return Ok((local(s), scan.attr(s, "version")));
        }
    }
    Err(scan.error_at(src.len(), "the file has no root element".into()))
}

/// The whitespace just before byte `at` on its line (the indentation of what starts there),
/// with the line break before it: what a note inserted beside it is preceded by.
pub(crate) fn indent_before(src: &str, at: usize) -> String {
    let before = &src[..at.min(src.len())];
    let ws = before.len() - before.trim_end_matches([' ', '\t']).len();
    let line_start = before.len() - ws;
    if before[..line_start].ends_with('\n') {
        let crlf = before[..line_start].ends_with("\r\n");
        format!(
            "{}{}",
            if crlf { "\r\n" } else { "\n" },
            &before[line_start..]
        )
    } else {
        String::new()
    }
}

/// Trims a segment's text (the file's indentation around inline markup is not text).
pub(crate) fn clean(text: &str) -> String {
    text.trim().to_string()
}
