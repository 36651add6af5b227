//! Reviewers' own files: XLIFF 1.2, XLIFF 2.x and TMX 1.4 read as pre-aligned translations.
//!
//! A CAT tool (OmegaT, Trados, memoQ, Phrase, Weblate) has already segmented and aligned
//! these files, so their segmentation *is* the alignment: every segment becomes one bead,
//! nothing is re-split or re-aligned, and each pair keeps the file's unit id. The files are
//! streamed with quick-xml (no DOM of a huge memory); for every unit the reader records the
//! byte offsets that a write-back changes (the state attribute, where notes go), so that
//! `export::writeback` can splice the drift into the original bytes and leave every other
//! byte as it came.
//!
//! - `xliff.rs`: XLIFF 1.2 (`trans-unit`, `seg-source` with `mrk mtype="seg"`) and 2.x
//!   (`unit`/`segment`); `tmx.rs`: TMX 1.4 (`tu`/`tuv`, many target languages);
//! - `xml.rs`: the event stream with byte ranges, inline-code-aware text, line/column;
//! - `aligned.rs`: segments → the original and each translation as documents with beads;
//! - [`analyze`]: the analysis of a read file through `analyze::Prepared`.

mod aligned;
mod tmx;
mod xliff;
mod xml;

pub use aligned::{build, AlignedFile, AlignedTranslation};

use crate::analyze::{self, Progress, Report, Settings};
use std::ops::Range;
use std::path::{Path, PathBuf};

/// Which kind of file it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileKind {
    Xliff1,
    Xliff2,
    Tmx,
}

impl FileKind {
    /// The kind a file name suggests: `.xlf`, `.xliff`, `.sdlxliff`, `.mqxliff`, `.mxliff`
    /// (XLIFF; 1.2 or 2.x is told from the file's `version`) and `.tmx`.
    pub fn from_path(path: &Path) -> Option<FileKind> {
        let ext = path.extension()?.to_str()?.to_ascii_lowercase();
        match ext.as_str() {
            "xlf" | "xliff" | "sdlxliff" | "mqxliff" | "mxliff" | "xlz" => Some(FileKind::Xliff1),
            "tmx" => Some(FileKind::Tmx),
            _ => None,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            FileKind::Xliff1 => "XLIFF 1.2",
            FileKind::Xliff2 => "XLIFF 2",
            FileKind::Tmx => "TMX",
        }
    }
}

/// Whether `path` is a file Driftlens reads as pre-aligned (by its name).
pub fn is_pre_aligned(path: &Path) -> bool {
    FileKind::from_path(path).is_some()
}

/// One segment of the file: a source and, where translated, its target.
#[derive(Debug, Clone)]
pub struct Segment {
    /// The unit id as the file names it (`trans-unit`/`unit` id, `/` and the segment id
    /// where a unit holds several segments; a `tu`'s `tuid`, else its number), unique within
    /// its translation.
    pub id: String,
    /// The source text (inline codes' native content dropped, their text kept).
    pub source: String,
    /// The target text; `None` where the unit is not translated yet (an XLIFF unit without
    /// a target or with an empty one): such a segment is no bead and is not marked. A TMX
    /// `<seg/>` that is empty is `Some("")`: a sentence left out of that translation.
    pub target: Option<String>,
    /// Segments of one paragraph share this number (XLIFF: the unit; TMX: none, all 0).
    pub paragraph: usize,
    /// The start tag whose state attribute a write-back sets (index into [`Imported::tags`]).
    pub state_tag: Option<usize>,
    /// Where a write-back adds notes (index into [`Imported::notes`]).
    pub notes: usize,
}

/// A start tag in the file: its byte range and the byte ranges of its attributes' values.
#[derive(Debug, Clone)]
pub struct TagAt {
    pub range: Range<usize>,
    /// `<tag …/>`
    pub empty: bool,
    /// (qualified name, byte range of the value without its quotes)
    pub attrs: Vec<(String, Range<usize>)>,
}

impl TagAt {
    pub fn attr(&self, name: &str) -> Option<&Range<usize>> {
        self.attrs.iter().find(|(n, _)| n == name).map(|(_, r)| r)
    }
}

/// How notes are written in a unit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NoteStyle {
    /// XLIFF 1.2: `<note from="driftlens">` after `<target>`.
    Xliff1,
    /// XLIFF 2: `<note category="driftlens">` inside the unit's `<notes>`; `wrap` when the
    /// unit has none and the notes need a `<notes>` of their own.
    Xliff2 { wrap: bool },
    /// TMX: `<note>` first in the `<tu>`.
    Tmx,
}

/// Where a write-back puts the notes of one unit.
#[derive(Debug, Clone)]
pub struct NotesAt {
    /// Byte offset the notes are inserted at.
    pub at: usize,
    /// The whitespace written before each note (the file's own indentation there).
    pub indent: String,
    pub style: NoteStyle,
    /// Driftlens's notes of an earlier write-back (with the whitespace before them):
    /// replaced, never doubled.
    pub own: Vec<Range<usize>>,
}

/// One target language of the file, with its segments in file order.
#[derive(Debug, Clone)]
pub struct ImportedTranslation {
    /// ISO 639-1 code.
    pub lang: String,
    /// The label that names it in reports: the language code, or the file's full tag
    /// (`pt-br`) where two variants of one language share the file.
    pub label: String,
    pub segments: Vec<Segment>,
}

/// A read XLIFF or TMX file.
#[derive(Debug, Clone)]
pub struct Imported {
    pub path: PathBuf,
    pub kind: FileKind,
    /// ISO 639-1 code of the source language.
    pub source_lang: String,
    pub translations: Vec<ImportedTranslation>,
    pub tags: Vec<TagAt>,
    pub notes: Vec<NotesAt>,
    /// The file as read, for the write-back (which splices into it).
    pub text: String,
}

impl Imported {
    /// Every segment, of every translation.
    pub fn segment_count(&self) -> usize {
        self.translations.iter().map(|t| t.segments.len()).sum()
    }
}

/// Why a file could not be read. Each names the file and what to do.
#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    #[error("cannot read {path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{path}:{line}:{column}: malformed XML: {message}; fix the file (an XML validator or the CAT tool's own export shows the spot) and open it again")]
    Xml {
        path: PathBuf,
        line: usize,
        column: usize,
        message: String,
    },
    #[error("{path} is not UTF-8 ({why}); export it from the CAT tool as UTF-8 and open it again")]
    Encoding { path: PathBuf, why: String },
    #[error("{path} is neither XLIFF (<xliff>) nor TMX (<tmx>): its root element is <{root}>")]
    NotXliffOrTmx { path: PathBuf, root: String },
    #[error("{path}: {unit} has an unknown language '{code}'; use an ISO 639 code such as en, es, pt-BR")]
    UnknownLanguage {
        path: PathBuf,
        unit: String,
        code: String,
    },
    #[error("{path}: {unit} names no {which} language; add it ({hint}) and open it again")]
    MissingLanguage {
        path: PathBuf,
        unit: String,
        which: &'static str,
        hint: &'static str,
    },
    #[error("{path} has no translated segments (no unit has a non-empty target); translate it in the CAT tool first, there is nothing to compare")]
    NoTargets { path: PathBuf },
    #[error(
        "{path}: {unit} has no {lang} text (the file's source language); a unit needs its source"
    )]
    NoSource {
        path: PathBuf,
        unit: String,
        lang: String,
    },
}

/// Reads an XLIFF (1.2 or 2.x) or TMX file; which one is told from its root element.
pub fn read(path: &Path) -> Result<Imported, ImportError> {
    let bytes = std::fs::read(path).map_err(|source| ImportError::Io {
        path: path.to_path_buf(),
        source,
    })?;
    read_bytes(bytes, path)
}

/// Reads the bytes of an XLIFF or TMX file; `path` names it in messages.
pub fn read_bytes(bytes: Vec<u8>, path: &Path) -> Result<Imported, ImportError> {
    if bytes.starts_with(&[0xFF, 0xFE]) || bytes.starts_with(&[0xFE, 0xFF]) {
        return Err(ImportError::Encoding {
            path: path.to_path_buf(),
            why: "it is UTF-16".into(),
        });
    }
    let text = String::from_utf8(bytes).map_err(|e| ImportError::Encoding {
        path: path.to_path_buf(),
        why: format!("invalid byte at offset {}", e.utf8_error().valid_up_to()),
    })?;
    let (root, version) = xml::root(&text, path)?;
    let mut imported = match (root.as_str(), version.as_deref()) {
        ("xliff", Some(v)) if v.starts_with('2') => xliff::read2(&text, path)?,
        ("xliff", _) => xliff::read1(&text, path)?,
        ("tmx", _) => tmx::read(&text, path)?,
        _ => {
            return Err(ImportError::NotXliffOrTmx {
                path: path.to_path_buf(),
                root,
            })
        }
    };
    if !imported
        .translations
        .iter()
        .flat_map(|t| &t.segments)
        .any(|s| s.target.as_deref().is_some_and(|t| !t.trim().is_empty()))
    {
        return Err(ImportError::NoTargets {
            path: path.to_path_buf(),
        });
    }
    label_variants(&mut imported.translations);
    imported.text = text;
    Ok(imported)
}

/// ISO 639-1 code of a language tag (`pt-BR` → `pt`, `zh_Hans_CN` → `zh`), if Driftlens
/// knows the language.
pub fn language_of(tag: &str) -> Option<String> {
    let primary = tag.split(['-', '_']).next()?.to_ascii_lowercase();
    if let Some(l) = crate::text::language(&primary) {
        return Some(l.code.to_string());
    }
    // memoQ writes ISO 639-2/3 codes (`eng`, `spa`): whatlang knows those for the languages
    // it detects, and the language table names each one's whatlang language
    let three = whatlang::Lang::from_code(&primary)?;
    crate::text::LANGUAGES
        .iter()
        .find(|l| l.detector == Some(three))
        .map(|l| l.code.to_string())
}

/// Labels: the language code, or the full tag where two variants of a language share a file.
fn label_variants(translations: &mut [ImportedTranslation]) {
    let langs: Vec<String> = translations.iter().map(|t| t.lang.clone()).collect();
    for t in translations.iter_mut() {
        if langs.iter().filter(|l| **l == t.lang).count() == 1 {
            t.label = t.lang.clone();
        }
    }
}

/// Analyses a read file: its source is the original, each target language one translation,
/// aligned as the file's segments are. Pairs carry their unit ids.
pub fn analyze(
    imported: &Imported,
    settings: &Settings,
    progress: &dyn Fn(Progress),
) -> Result<Report, analyze::AnalyzeError> {
    let file = build(imported)?;
    let prepared = analyze::Prepared::from_segmented(
        &imported.path,
        file.original_doc,
        file.original_seg,
        settings.models_dir.as_deref(),
    );
    let mut translations = Vec::new();
    for t in &file.translations {
        if settings.cancel.is_cancelled() {
            break;
        }
        let mut report = prepared.analyze_aligned(t.as_aligned(), settings, progress);
        t.name_units(&mut report);
        progress(Progress::Finished {
            label: t.input.label.clone(),
            analysed: report.is_analysed(),
        });
        translations.push(report);
    }
    Ok(Report {
        driftlens: env!("CARGO_PKG_VERSION").to_string(),
        original: prepared.original_report(),
        translations,
    })
}
