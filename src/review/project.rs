//! The review project: a verdict and a note per pair, in `<corpus>/driftlens-project.json`.
//!
//! - Entries are found again after a re-analysis by translation label and sentence ids, and,
//!   when the aligner paired the sentences differently, by label and the two texts. An entry
//!   whose pair no longer exists is kept and reported as orphaned: nothing a person wrote is
//!   ever dropped.
//! - Saves are atomic: the new state goes to a temporary file in the same folder, which is
//!   fsynced, renamed over the project file, and the folder fsynced. A crash or a kill at any
//!   moment leaves either the old or the new complete file (`tests/review.rs` kills a saving
//!   process at random moments to check).
//! - A damaged project file is never overwritten: [`Project::open`] names the file, line and
//!   column; [`Project::keep_damaged_aside`] renames it to `<name>.damaged-<timestamp>` and
//!   starts fresh, and [`Project::save`] refuses to write over a file it cannot read.

use crate::analyze::{PairReport, TranslationReport};
use crate::atomic::Durability;
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};
use std::time::{SystemTime, UNIX_EPOCH};

/// The project file's name inside the corpus folder.
pub const FILE_NAME: &str = "driftlens-project.json";

/// The format version this build writes; files with a higher version are refused (not
/// overwritten) with a message to update Driftlens.
pub const VERSION: u32 = 1;

/// A reviewer's judgement of a flagged pair.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    /// The meaning changed: the translation needs fixing.
    RealDrift,
    /// Different, but acceptable (a free rendering, a local convention).
    Acceptable,
    /// Driftlens was wrong: nothing drifted.
    FalseAlarm,
}

impl Verdict {
    pub const ALL: [Verdict; 3] = [Verdict::RealDrift, Verdict::Acceptable, Verdict::FalseAlarm];

    /// The words a person reads on a button.
    pub fn title(self) -> &'static str {
        match self {
            Verdict::RealDrift => "Real drift",
            Verdict::Acceptable => "Acceptable",
            Verdict::FalseAlarm => "False alarm",
        }
    }

    /// The name in the project file and in exports (`real_drift`, …).
    pub fn name(self) -> &'static str {
        match self {
            Verdict::RealDrift => "real_drift",
            Verdict::Acceptable => "acceptable",
            Verdict::FalseAlarm => "false_alarm",
        }
    }
}

/// A reviewer's verdict and note on one pair, with enough of the pair to find it again.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Entry {
    /// The translation's label (`ru`, `es.drift`).
    pub label: String,
    /// Original sentence ids of the pair.
    pub original: Vec<usize>,
    /// Translation sentence ids of the pair.
    pub translation: Vec<usize>,
    pub original_text: String,
    pub translated_text: String,
    #[serde(default)]
    pub verdict: Option<Verdict>,
    #[serde(default)]
    pub note: String,
    /// When the verdict or note last changed (UTC, RFC 3339).
    pub changed: String,
}

impl Entry {
    fn same_ids(&self, label: &str, p: &PairReport) -> bool {
        self.label == label && self.original == p.original && self.translation == p.translation
    }
    fn same_texts(&self, label: &str, p: &PairReport) -> bool {
        self.label == label
            && self.original_text == p.original_text
            && self.translated_text == p.translated_text
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct ProjectFile {
    /// The format version.
    version: u32,
    entries: Vec<Entry>,
}

/// Why the project could not be opened or saved. Each names the file and what to do.
#[derive(Debug, thiserror::Error)]
pub enum ProjectError {
    #[error("the review project {} is damaged (line {line}, column {column}: {message}); it was left as it is. Keep it aside and start a fresh review, or repair the file by hand", path.display())]
    Damaged {
        path: PathBuf,
        line: usize,
        column: usize,
        message: String,
    },
    #[error("the review project {} was written by a newer Driftlens (format {version}, this one reads up to {VERSION}); update Driftlens to open it", path.display())]
    TooNew { path: PathBuf, version: u32 },
    #[error("cannot {what} {}: {source}", path.display())]
    Io {
        what: &'static str,
        path: PathBuf,
        source: std::io::Error,
    },
}

/// Verdicts and notes of one corpus, and the file they live in.
#[derive(Debug, Clone)]
pub struct Project {
    path: PathBuf,
    entries: Vec<Entry>,
}

impl Project {
    /// The project file of a corpus folder.
    pub fn path_in(corpus_dir: &Path) -> PathBuf {
        corpus_dir.join(FILE_NAME)
    }

    /// Opens the corpus's project file, or starts an empty project if there is none yet.
    /// Temporary files that an interrupted save left behind are removed.
    pub fn open(corpus_dir: &Path) -> Result<Project, ProjectError> {
        let path = Project::path_in(corpus_dir);
        remove_stale_temporaries(&path);
        let entries = match std::fs::read_to_string(&path) {
            Ok(text) => parse(&path, &text)?.entries,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Vec::new(),
            Err(source) => {
                return Err(ProjectError::Io {
                    what: "read",
                    path,
                    source,
                })
            }
        };
        Ok(Project { path, entries })
    }

    /// Renames a damaged (or too new) project file to `<name>.damaged-<timestamp>` and
    /// returns an empty project in its place, with the path of the kept file.
    pub fn keep_damaged_aside(corpus_dir: &Path) -> Result<(Project, PathBuf), ProjectError> {
        let path = Project::path_in(corpus_dir);
        let stamp = timestamp(SystemTime::now()).replace(':', "-");
        let mut aside = path.with_file_name(format!("{FILE_NAME}.damaged-{stamp}"));
        let mut n = 1;
        while aside.exists() {
            n += 1;
            aside = path.with_file_name(format!("{FILE_NAME}.damaged-{stamp}-{n}"));
        }
        std::fs::rename(&path, &aside).map_err(|source| ProjectError::Io {
            what: "move aside",
            path: path.clone(),
            source,
        })?;
        crate::atomic::sync_folder(&path);
        Ok((
            Project {
                path,
                entries: Vec::new(),
            },
            aside,
        ))
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Every entry, in the order they were first written.
    pub fn entries(&self) -> &[Entry] {
        &self.entries
    }

    /// The entry of a pair: the same label and sentence ids, else the same label and texts
    /// (the aligner numbered or grouped the sentences differently this time).
    pub fn entry(&self, label: &str, pair: &PairReport) -> Option<&Entry> {
        self.index(label, pair).map(|i| &self.entries[i])
    }

    fn index(&self, label: &str, pair: &PairReport) -> Option<usize> {
        self.entries
            .iter()
            .position(|e| e.same_ids(label, pair))
            .or_else(|| self.entries.iter().position(|e| e.same_texts(label, pair)))
    }

    pub fn verdict(&self, label: &str, pair: &PairReport) -> Option<Verdict> {
        self.entry(label, pair).and_then(|e| e.verdict)
    }

    pub fn note(&self, label: &str, pair: &PairReport) -> String {
        self.entry(label, pair)
            .map(|e| e.note.clone())
            .unwrap_or_default()
    }

    /// Sets the verdict (`None` clears it) and, when given, the note of a pair. The entry
    /// takes the pair's current ids and texts. Returns whether anything changed.
    pub fn set(
        &mut self,
        label: &str,
        pair: &PairReport,
        verdict: Option<Verdict>,
        note: Option<String>,
    ) -> bool {
        let i = match self.index(label, pair) {
            Some(i) => i,
            None => {
                if verdict.is_none() && note.as_deref().unwrap_or("").is_empty() {
                    return false;
                }
                self.entries.push(Entry {
                    label: label.to_string(),
                    original: pair.original.clone(),
                    translation: pair.translation.clone(),
                    original_text: pair.original_text.clone(),
                    translated_text: pair.translated_text.clone(),
                    verdict: None,
                    note: String::new(),
                    changed: String::new(),
                });
                self.entries.len() - 1
            }
        };
        let e = &mut self.entries[i];
        let mut changed = e.verdict != verdict;
        e.verdict = verdict;
        if let Some(n) = note {
            changed |= e.note != n;
            e.note = n;
        }
        // Re-key to the pair as it is now.
        changed |= e.original != pair.original
            || e.translation != pair.translation
            || e.original_text != pair.original_text
            || e.translated_text != pair.translated_text;
        e.original = pair.original.clone();
        e.translation = pair.translation.clone();
        e.original_text = pair.original_text.clone();
        e.translated_text = pair.translated_text.clone();
        if changed {
            e.changed = timestamp(SystemTime::now());
        }
        changed
    }

    /// Entries whose pair is not in `translations` any more (not by ids, not by texts):
    /// kept in the file and shown to the reviewer as orphaned.
    pub fn orphaned<'a>(&'a self, translations: &[TranslationReport]) -> Vec<&'a Entry> {
        self.entries
            .iter()
            .filter(|e| {
                !translations.iter().filter(|t| t.label == e.label).any(|t| {
                    t.pairs
                        .iter()
                        .any(|p| e.same_ids(&t.label, p) || e.same_texts(&t.label, p))
                })
            })
            .collect()
    }

    /// Writes the project atomically: temporary file in the same folder, fsync, rename over
    /// the project file, fsync the folder. Refuses to replace a project file that exists but
    /// cannot be read (it may hold someone's work).
    pub fn save(&self) -> Result<(), ProjectError> {
        if let Ok(text) = std::fs::read_to_string(&self.path) {
            parse(&self.path, &text)?;
        }
        let file = ProjectFile {
            version: VERSION,
            entries: self.entries.clone(),
        };
        let mut text = serde_json::to_string_pretty(&file).expect("a project serialises");
        text.push('\n');
        crate::atomic::write(&self.path, text.as_bytes(), Durability::Durable).map_err(|e| {
            ProjectError::Io {
                what: e.stage,
                path: e.path,
                source: e.source,
            }
        })
    }
}

fn parse(path: &Path, text: &str) -> Result<ProjectFile, ProjectError> {
    // Read the version first, so a newer format is reported as such, not as damage.
    #[derive(Deserialize)]
    struct VersionOnly {
        version: u32,
    }
    if let Ok(v) = serde_json::from_str::<VersionOnly>(text) {
        if v.version > VERSION {
            return Err(ProjectError::TooNew {
                path: path.to_path_buf(),
                version: v.version,
            });
        }
    }
    serde_json::from_str(text).map_err(|e| ProjectError::Damaged {
        path: path.to_path_buf(),
        line: e.line(),
        column: e.column(),
        message: e.to_string(),
    })
}

fn remove_stale_temporaries(path: &Path) {
    let Some(dir) = path.parent() else { return };
    let prefix = crate::atomic::temporary_prefix(path);
    if let Ok(entries) = std::fs::read_dir(dir) {
        for e in entries.flatten() {
            if e.file_name()
                .to_str()
                .is_some_and(|n| n.starts_with(&prefix))
            {
                let _ = std::fs::remove_file(e.path());
            }
        }
    }
}

/// UTC time as RFC 3339, to the second: `2026-12-01T08:50:00Z`.
pub fn timestamp(t: SystemTime) -> String {
    let secs = t
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0) as i64;
    let (days, rem) = (secs.div_euclid(86_400), secs.rem_euclid(86_400));
    // Howard Hinnant's civil_from_days.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}Z",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn timestamps_are_rfc3339_utc() {
        assert_eq!(timestamp(UNIX_EPOCH), "1970-01-01T00:00:00Z");
        assert_eq!(
            timestamp(UNIX_EPOCH + Duration::from_secs(1_796_114_096)),
            "2026-12-01T08:34:56Z"
        );
        assert_eq!(
            timestamp(UNIX_EPOCH + Duration::from_secs(951_782_400)),
            "2000-02-29T00:00:00Z"
        );
    }
}
