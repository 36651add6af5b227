//! The classroom exercise: a drift variant (a translation with planted changes, described in
//! its `*.drift.labels.toml`) shown as rows of original, translation and back-translation
//! without scores. Students mark the rows they think drifted; [`Exercise::check`] reveals
//! the planted changes with their explanations, a score, and what Driftlens itself flagged.

use crate::analyze::TranslationReport;
use crate::drift::DriftLevel;
use serde::Deserialize;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

/// A labels file: which variant, what it alters, and the planted changes.
#[derive(Debug, Clone, Deserialize)]
pub struct Labels {
    /// The variant file (`es.drift.md`).
    pub variant: String,
    /// The translation it is a changed copy of (`es.md`).
    pub alters: String,
    /// The original (`en.md`).
    pub original: String,
    pub language: String,
    pub change: Vec<PlantedChange>,
}

/// One change planted in a variant.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct PlantedChange {
    /// `number_or_date_changed`, `negation_lost`, `sentence_added`, …
    pub kind: String,
    /// The original sentence (0-based id); none for an added sentence.
    pub original_id: Option<usize>,
    pub original_text: Option<String>,
    /// The translation's sentence before the change.
    pub unaltered_text: Option<String>,
    /// The variant's sentence (0-based id) that carries the change.
    pub variant_id: usize,
    pub variant_text: String,
    pub explanation: String,
}

impl PlantedChange {
    /// The kind in words: `number or date changed`.
    pub fn kind_words(&self) -> String {
        self.kind.replace('_', " ")
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ClassroomError {
    #[error("cannot read the labels file {}: {source}", path.display())]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{} is not a labels file: {message}", path.display())]
    Parse { path: PathBuf, message: String },
    #[error("{label} has no aligned sentences to build an exercise from (was it analysed?)")]
    Empty { label: String },
}

impl Labels {
    pub fn load(path: &Path) -> Result<Labels, ClassroomError> {
        let text = std::fs::read_to_string(path).map_err(|source| ClassroomError::Read {
            path: path.to_path_buf(),
            source,
        })?;
        toml::from_str(&text).map_err(|e| ClassroomError::Parse {
            path: path.to_path_buf(),
            message: e.to_string(),
        })
    }

    /// The labels file beside a variant: `es.drift.md` → `es.drift.labels.toml`.
    pub fn path_for(variant: &Path) -> PathBuf {
        let name = variant.file_name().and_then(|n| n.to_str()).unwrap_or("");
        let stem = name.rsplit_once('.').map(|(s, _)| s).unwrap_or(name);
        variant.with_file_name(format!("{stem}.labels.toml"))
    }
}

/// What Driftlens said about a row (hidden from students until the check).
#[derive(Debug, Clone, PartialEq)]
pub struct ToolView {
    pub drift: f32,
    pub level: DriftLevel,
    /// The reasons' messages.
    pub reasons: Vec<String>,
}

impl ToolView {
    /// Whether Driftlens asks a reviewer to read this row (major or critical).
    pub fn flagged(&self) -> bool {
        self.level.is_flagged()
    }
}

/// One row of the exercise: one aligned pair.
#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    pub original_ids: Vec<usize>,
    pub translation_ids: Vec<usize>,
    pub original: String,
    pub translation: String,
    /// Empty where the translation was aligned without a back-translation.
    pub back_translation: String,
    /// Indices into [`Exercise::changes`] of the changes planted in this row.
    pub planted: Vec<usize>,
    /// Driftlens's own verdict, where the row was scored.
    pub tool: Option<ToolView>,
}

/// A classroom exercise over one drift variant.
#[derive(Debug, Clone, PartialEq)]
pub struct Exercise {
    /// The variant's label (`es.drift`).
    pub label: String,
    /// Its language code.
    pub lang: String,
    pub rows: Vec<Row>,
    pub changes: Vec<PlantedChange>,
    /// Changes that no row holds (their sentence was not aligned): shown to the teacher,
    /// not counted in the score.
    pub unplaced: Vec<usize>,
}

impl Exercise {
    /// Builds the exercise from a labels file and the analysis of its variant.
    pub fn load(
        labels_path: &Path,
        variant: &TranslationReport,
    ) -> Result<Exercise, ClassroomError> {
        Exercise::new(&Labels::load(labels_path)?, variant)
    }

    /// Rows from the analysed pairs (or, for a translation that was only aligned, from its
    /// aligned sentences, with no back-translation); each planted change goes to the row that
    /// holds its variant sentence, else the row that holds its original sentence.
    pub fn new(labels: &Labels, variant: &TranslationReport) -> Result<Exercise, ClassroomError> {
        let mut rows: Vec<Row> = variant
            .beads()
            .into_iter()
            .map(|b| Row {
                original_ids: b.original.to_vec(),
                translation_ids: b.translation.to_vec(),
                original: b.original_text.to_string(),
                translation: b.translated_text.to_string(),
                back_translation: b
                    .scored
                    .map(|p| p.back_translation.clone())
                    .unwrap_or_default(),
                planted: Vec::new(),
                tool: b.scored.map(|p| ToolView {
                    drift: p.drift,
                    level: p.level,
                    reasons: p.reasons.iter().map(|r| r.message.clone()).collect(),
                }),
            })
            .collect();
        if rows.is_empty() {
            return Err(ClassroomError::Empty {
                label: variant.label.clone(),
            });
        }
        let mut unplaced = Vec::new();
        for (i, c) in labels.change.iter().enumerate() {
            let row = rows
                .iter()
                .position(|r| r.translation_ids.contains(&c.variant_id))
                .or_else(|| {
                    c.original_id
                        .and_then(|o| rows.iter().position(|r| r.original_ids.contains(&o)))
                });
            match row {
                Some(r) => rows[r].planted.push(i),
                None => unplaced.push(i),
            }
        }
        Ok(Exercise {
            label: variant.label.clone(),
            lang: variant.lang.clone(),
            rows,
            changes: labels.change.clone(),
            unplaced,
        })
    }

    /// Rows that hold a planted change.
    pub fn planted_rows(&self) -> usize {
        self.rows.iter().filter(|r| !r.planted.is_empty()).count()
    }

    /// Compares the students' marks (row indices) with the planted changes.
    pub fn check(&self, marks: &BTreeSet<usize>) -> Checked {
        let rows: Vec<RowCheck> = self
            .rows
            .iter()
            .enumerate()
            .map(|(i, r)| {
                let marked = marks.contains(&i);
                let outcome = match (!r.planted.is_empty(), marked) {
                    (true, true) => RowOutcome::Hit,
                    (true, false) => RowOutcome::Missed,
                    (false, true) => RowOutcome::FalseMark,
                    (false, false) => RowOutcome::Unchanged,
                };
                RowCheck {
                    row: i,
                    marked,
                    outcome,
                    explanations: r
                        .planted
                        .iter()
                        .map(|&c| {
                            (
                                self.changes[c].kind.clone(),
                                self.changes[c].explanation.clone(),
                            )
                        })
                        .collect(),
                    tool_flagged: r.tool.as_ref().map(ToolView::flagged),
                }
            })
            .collect();
        let count = |o: RowOutcome| rows.iter().filter(|r| r.outcome == o).count();
        let (hits, misses, false_marks) = (
            count(RowOutcome::Hit),
            count(RowOutcome::Missed),
            count(RowOutcome::FalseMark),
        );
        let tool_hits = rows
            .iter()
            .filter(|r| !r.explanations.is_empty() && r.tool_flagged == Some(true))
            .count();
        let tool_false = rows
            .iter()
            .filter(|r| r.explanations.is_empty() && r.tool_flagged == Some(true))
            .count();
        Checked {
            rows,
            hits,
            misses,
            false_marks,
            tool_hits,
            tool_false_flags: tool_false,
        }
    }
}

/// How a row came out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RowOutcome {
    /// Planted and marked.
    Hit,
    /// Planted, not marked.
    Missed,
    /// Marked, but nothing was planted.
    FalseMark,
    /// Not planted, not marked.
    Unchanged,
}

/// One row after the check.
#[derive(Debug, Clone, PartialEq)]
pub struct RowCheck {
    pub row: usize,
    pub marked: bool,
    pub outcome: RowOutcome,
    /// (kind, explanation) of each change planted in the row.
    pub explanations: Vec<(String, String)>,
    /// Whether Driftlens flagged the row (`None`: the row was not scored).
    pub tool_flagged: Option<bool>,
}

/// The result of a check.
#[derive(Debug, Clone, PartialEq)]
pub struct Checked {
    pub rows: Vec<RowCheck>,
    pub hits: usize,
    pub misses: usize,
    pub false_marks: usize,
    /// Planted rows Driftlens flagged, and unplanted rows it flagged.
    pub tool_hits: usize,
    pub tool_false_flags: usize,
}

impl Checked {
    /// Rows with a planted change.
    pub fn planted(&self) -> usize {
        self.hits + self.misses
    }

    /// The share of planted changes found, less one for each false mark, as a whole
    /// percentage (0 to 100): what a teacher writes under the worksheet.
    pub fn percent(&self) -> u32 {
        let planted = self.planted();
        if planted == 0 {
            return if self.false_marks == 0 { 100 } else { 0 };
        }
        let points = self.hits.saturating_sub(self.false_marks);
        ((100 * points + planted / 2) / planted) as u32
    }

    /// "Found 7 of 10 planted changes, missed 3, 2 false marks: 50 %."
    pub fn summary(&self) -> String {
        format!(
            "Found {} of {} planted changes, missed {}, {} false mark{}: {} % (each false mark cancels one find).",
            self.hits,
            self.planted(),
            self.misses,
            self.false_marks,
            if self.false_marks == 1 { "" } else { "s" },
            self.percent()
        )
    }

    /// What Driftlens itself found, for comparison.
    pub fn tool_summary(&self) -> String {
        format!(
            "Driftlens flagged {} of the {} planted rows, and {} rows with nothing planted.",
            self.tool_hits,
            self.planted(),
            self.tool_false_flags
        )
    }
}
