//! The text stage: documents, language detection, sentence splitting and quotations.
//!
//! Pure functions over strings, and loaders that turn a file's bytes into a [`Document`]:
//! the loaded plain text and its paragraphs (reading the file is the application's:
//! `driftlens::text::load`). Every [`Sentence`] and [`Quote`]
//! carries byte offsets into [`Document::text`].

mod boilerplate;
mod decode;
mod html;
pub mod lang;
mod markdown;
pub mod numbers;
pub mod quotes;
pub mod split;

use serde::Serialize;
use std::ops::Range;
use std::path::{Path, PathBuf};

pub use lang::{detect, language, Detection, Direction, Language, LANGUAGES};
pub use quotes::{find_quotes, Quote};
pub use split::split_sentences;

/// Files larger than this are refused with a clear message instead of exhausting memory.
pub const MAX_FILE_BYTES: u64 = 512 * 1024 * 1024;

/// Why a file could not be read as text. Every message names the file and what to do.
#[derive(Debug, thiserror::Error)]
pub enum TextError {
    #[error("cannot read {path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("no text in {path}: the file is empty or holds only whitespace or markup")]
    Empty { path: PathBuf },
    #[error(
        "{path} is not a text file (it holds binary data); give a .txt, .md or saved .html file"
    )]
    Binary { path: PathBuf },
    #[error("{path} is not valid UTF-8: invalid byte at offset {offset}; save it as UTF-8 (or UTF-16 with a BOM) and try again")]
    InvalidUtf8 { path: PathBuf, offset: usize },
    #[error("{path} is not valid UTF-16: bad code unit at byte offset {offset}; save it as UTF-8 and try again")]
    InvalidUtf16 { path: PathBuf, offset: usize },
    #[error("{path} is {size} bytes, more than the {max} bytes Driftlens reads; split it into smaller files")]
    TooLarge { path: PathBuf, size: u64, max: u64 },
    #[error("unknown language code '{code}' (use an ISO 639-1 code such as en, ru, zh; `driftlens segment --help` lists them)")]
    UnknownLanguage { code: String },
}

/// How a document's text was marked up.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Format {
    Plain,
    Markdown,
    Html,
}

impl Format {
    /// The format a file name suggests, if any.
    pub fn from_path(path: &Path) -> Option<Format> {
        let ext = path.extension()?.to_str()?.to_ascii_lowercase();
        match ext.as_str() {
            "md" | "markdown" | "mdown" => Some(Format::Markdown),
            "html" | "htm" | "xhtml" => Some(Format::Html),
            "txt" | "text" => None,
            _ => None,
        }
    }

    /// Guesses the format from the text itself: HTML by its tags, Markdown by headings,
    /// links and emphasis, else plain text.
    pub fn sniff(text: &str) -> Format {
        let head: String = text
            .chars()
            .take(4096)
            .collect::<String>()
            .to_ascii_lowercase();
        let head = head.trim_start();
        if head.starts_with("<!doctype html")
            || head.starts_with("<html")
            || (head.contains("<body") && head.contains("</p>"))
        {
            return Format::Html;
        }
        let mut marks = 0;
        for line in text.lines().take(400) {
            let t = line.trim_start();
            if t.starts_with("# ") || t.starts_with("## ") || t.starts_with("### ") {
                marks += 2;
            }
            if t.contains("](") {
                marks += 1;
            }
            if t.contains("**") {
                marks += 1;
            }
        }
        if marks >= 3 {
            Format::Markdown
        } else {
            Format::Plain
        }
    }
}

/// A loaded document: its plain text with paragraph boundaries.
#[derive(Debug, Clone, Serialize)]
pub struct Document {
    /// Where it was loaded from (empty for text given directly).
    pub path: PathBuf,
    pub format: Format,
    /// The loaded plain text: markup stripped, paragraphs separated by blank lines.
    pub text: String,
    /// Byte ranges of the paragraphs in `text`, in order, never empty.
    pub paragraphs: Vec<Range<usize>>,
    /// Site boilerplate dropped while loading a saved web page (share buttons, newsletter
    /// prompts, disclaimers …), kept so that nothing disappears unseen.
    pub dropped: Vec<String>,
}

impl Document {
    /// Builds a document from text in a given format. `path` is only used in messages.
    pub fn from_text(text: &str, format: Format, path: &Path) -> Result<Document, TextError> {
        let text = text.strip_prefix('\u{feff}').unwrap_or(text);
        let paragraphs: Vec<String> = match format {
            Format::Plain => plain_paragraphs(text)
                .into_iter()
                .map(|r| text[r].to_string())
                .collect(),
            Format::Markdown => markdown::paragraphs(text),
            Format::Html => html::paragraphs(text),
        };
        let (kept, dropped) = boilerplate::strip(paragraphs, format == Format::Html);
        if kept.is_empty() {
            return Err(TextError::Empty {
                path: path.to_path_buf(),
            });
        }
        if format == Format::Plain && dropped.is_empty() {
            // Plain text keeps its own bytes, so offsets point into the file itself.
            let paragraphs = plain_paragraphs(text);
            return Ok(Document {
                path: path.to_path_buf(),
                format,
                text: text.to_string(),
                paragraphs,
                dropped,
            });
        }
        let mut joined = String::with_capacity(kept.iter().map(|p| p.len() + 2).sum());
        let mut ranges = Vec::with_capacity(kept.len());
        for p in &kept {
            if !joined.is_empty() {
                joined.push_str("\n\n");
            }
            let start = joined.len();
            joined.push_str(p);
            ranges.push(start..joined.len());
        }
        Ok(Document {
            path: path.to_path_buf(),
            format,
            text: joined,
            paragraphs: ranges,
            dropped,
        })
    }

    /// The text of paragraph `i`.
    pub fn paragraph(&self, i: usize) -> &str {
        &self.text[self.paragraphs[i].clone()]
    }
}

/// A document from a file's bytes (the application reads the file: `driftlens::text::load`); `path` names the source in messages and
/// chooses the format by extension.
pub fn load_bytes(bytes: &[u8], path: &Path) -> Result<Document, TextError> {
    if bytes.iter().all(|b| b.is_ascii_whitespace()) {
        return Err(TextError::Empty {
            path: path.to_path_buf(),
        });
    }
    let text = decode::decode(bytes, path)?;
    let format = Format::from_path(path).unwrap_or_else(|| Format::sniff(&text));
    Document::from_text(&text, format, path)
}

/// Paragraph ranges of plain text: blocks separated by blank lines, trimmed.
fn plain_paragraphs(text: &str) -> Vec<Range<usize>> {
    let mut out = Vec::new();
    let mut start: Option<usize> = None;
    let mut end = 0;
    let mut pos = 0;
    for line in text.split_inclusive('\n') {
        let blank = line.trim().is_empty();
        if blank {
            if let Some(s) = start.take() {
                out.push(s..end);
            }
        } else {
            let lead = line.len() - line.trim_start().len();
            if start.is_none() {
                start = Some(pos + lead);
            }
            end = pos + line.trim_end().len();
        }
        pos += line.len();
    }
    if let Some(s) = start {
        out.push(s..end);
    }
    out
}

/// A sentence: byte range into [`Document::text`] and the paragraph it belongs to.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Sentence {
    pub id: usize,
    pub start: usize,
    pub end: usize,
    pub paragraph: usize,
}

impl Sentence {
    pub fn text<'a>(&self, doc_text: &'a str) -> &'a str {
        &doc_text[self.start..self.end]
    }
}

/// The language of a document: declared by the user or detected.
#[derive(Debug, Clone, Serialize)]
pub struct DocumentLanguage {
    /// ISO 639-1 code used for the document: the declared one where given.
    pub code: String,
    pub declared: bool,
    /// What whatlang says of the whole document (also when a language was declared).
    pub detected: Option<Detection>,
}

/// A sentence that looks like it is in another language than the document.
#[derive(Debug, Clone, Serialize)]
pub struct ForeignSentence {
    pub sentence: usize,
    pub detected: Detection,
}

/// A document split into sentences, with its language and quotations.
#[derive(Debug, Clone, Serialize)]
pub struct Segmented {
    pub lang: DocumentLanguage,
    pub sentences: Vec<Sentence>,
    pub quotes: Vec<Quote>,
    pub foreign: Vec<ForeignSentence>,
}

/// Detects the document's language (unless declared), splits every paragraph into
/// sentences, finds quotations, and reports sentences that look like another language.
pub fn segment(doc: &Document, declared: Option<&str>) -> Result<Segmented, TextError> {
    let declared_lang = match declared {
        Some(code) => Some(language(code).ok_or_else(|| TextError::UnknownLanguage {
            code: code.to_string(),
        })?),
        None => None,
    };
    let detected = detect(sample(&doc.text));
    let code = match (declared_lang, &detected) {
        (Some(l), _) => l.code.to_string(),
        (None, Some(d)) => d.lang.clone(),
        (None, None) => "und".to_string(),
    };
    let known = language(&code);
    let sentences = split_sentences(&doc.text, &doc.paragraphs, known);
    // The quotation pass is one sequential walk over the document; on a long document it
    // runs beside the per-sentence language check instead of before it.
    let (quotes, foreign) = if doc.text.len() < 256 * 1024 {
        (
            find_quotes(&doc.text, &doc.paragraphs, &sentences),
            known
                .map(|l| foreign_sentences(&doc.text, &sentences, l))
                .unwrap_or_default(),
        )
    } else {
        std::thread::scope(|scope| {
            let quotes = scope.spawn(|| find_quotes(&doc.text, &doc.paragraphs, &sentences));
            let foreign = known
                .map(|l| foreign_sentences(&doc.text, &sentences, l))
                .unwrap_or_default();
            (
                quotes
                    .join()
                    .unwrap_or_else(|e| std::panic::resume_unwind(e)),
                foreign,
            )
        })
    };
    Ok(Segmented {
        lang: DocumentLanguage {
            code,
            declared: declared_lang.is_some(),
            detected,
        },
        sentences,
        quotes,
        foreign,
    })
}

/// Checks every sentence for another language, on all cores for long documents.
fn foreign_sentences(text: &str, sentences: &[Sentence], l: &Language) -> Vec<ForeignSentence> {
    let check = |chunk: &[Sentence]| -> Vec<ForeignSentence> {
        chunk
            .iter()
            .filter_map(|s| {
                lang::foreign_sentence(s.text(text), l).map(|d| ForeignSentence {
                    sentence: s.id,
                    detected: d,
                })
            })
            .collect()
    };
    let threads = crate::threads();
    if sentences.len() < 2000 || threads == 1 {
        return check(sentences);
    }
    let size = sentences.len().div_ceil(threads);
    std::thread::scope(|scope| {
        let handles: Vec<_> = sentences
            .chunks(size)
            .map(|chunk| scope.spawn(move || check(chunk)))
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().unwrap_or_default())
            .collect()
    })
}

/// Up to 64 KiB from the start of the text (on a character boundary): enough for a
/// confident document-level guess, and cheap on a 20 MB file.
fn sample(text: &str) -> &str {
    let mut end = text.len().min(64 * 1024);
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    &text[..end]
}
