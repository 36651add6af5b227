//! The workbench's app model: the report as it arrives and the review project. Panels read
//! it and write through its methods (a verdict set in the side-by-side view and one set in
//! the review panel are the same call); they keep only their own view state.

use super::{LangProgress, Notice};
use crate::analyze::{OriginalReport, PairReport, Report, TranslationInput, TranslationReport};
use crate::review::{Entry, Project, Verdict};
use eframe::egui;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// How long after an edit the project is saved.
pub const SAVE_AFTER: Duration = Duration::from_millis(500);

/// What the workbench shows and what the reviewer adds to it.
pub struct Model {
    /// The corpus folder (where the project file lives).
    pub corpus: PathBuf,
    pub original_path: PathBuf,
    pub inputs: Vec<TranslationInput>,
    pub original: Option<OriginalReport>,
    /// Translations in the order they finished.
    pub translations: Vec<TranslationReport>,
    pub progress: BTreeMap<String, LangProgress>,
    /// Seconds the last complete analysis took.
    pub analysis_seconds: Option<f64>,
    pub notices: Vec<Notice>,
    review: Review,
}

/// The review project of the open corpus, saved within [`SAVE_AFTER`] of each edit.
#[derive(Default)]
struct Review {
    project: Option<Project>,
    dirty_since: Option<Instant>,
    /// Why the project file could not be opened (it is then left untouched).
    open_error: Option<String>,
    saver: Saver,
}

impl Model {
    pub fn new(corpus: &Path) -> Model {
        Model {
            corpus: corpus.to_path_buf(),
            original_path: corpus.join("en.md"),
            inputs: Vec::new(),
            original: None,
            translations: Vec::new(),
            progress: BTreeMap::new(),
            analysis_seconds: None,
            notices: Vec::new(),
            review: Review::default(),
        }
    }

    /// The report so far (the original and the translations done), in input order.
    pub fn report(&self) -> Option<Report> {
        let original = self.original.clone()?;
        let mut translations = self.translations.clone();
        let order: BTreeMap<&str, usize> = self
            .inputs
            .iter()
            .enumerate()
            .map(|(i, t)| (t.label.as_str(), i))
            .collect();
        translations.sort_by_key(|t| order.get(t.label.as_str()).copied().unwrap_or(usize::MAX));
        Some(Report {
            driftlens: env!("CARGO_PKG_VERSION").to_string(),
            original,
            translations,
        })
    }

    pub fn translation(&self, label: &str) -> Option<&TranslationReport> {
        self.translations.iter().find(|t| t.label == label)
    }

    fn notice_error(&mut self, text: String) {
        self.notices.push(Notice { error: true, text });
    }

    /// Opens the review project of [`Model::corpus`] (a damaged file is named and left as
    /// it is; verdicts are then not saved until it is kept aside).
    pub fn open_review(&mut self) {
        let review = &mut self.review;
        review.dirty_since = None;
        match Project::open(&self.corpus) {
            Ok(p) => {
                review.project = Some(p);
                review.open_error = None;
            }
            Err(e) => {
                let e = e.to_string();
                review.open_error = Some(e.clone());
                review.project = None;
                self.notice_error(e);
            }
        }
    }

    /// Why the project file could not be opened, if it could not.
    pub fn review_open_error(&self) -> Option<&str> {
        self.review.open_error.as_deref()
    }

    /// Keeps a damaged project file aside and starts a fresh review.
    pub fn keep_damaged_review_aside(&mut self) {
        match Project::keep_damaged_aside(&self.corpus) {
            Ok((p, aside)) => {
                self.notices.push(Notice {
                    error: false,
                    text: format!("the damaged project file is kept as {}", aside.display()),
                });
                self.review.project = Some(p);
                self.review.open_error = None;
            }
            Err(e) => self.notice_error(e.to_string()),
        }
    }

    /// Every frame: saves [`SAVE_AFTER`] after the last edit, and says when a save failed
    /// (and tries again after the next pause).
    pub fn autosave_review(&mut self, ctx: &egui::Context) {
        if let Some(e) = self.review.saver.failure() {
            self.notice_error(e);
            self.review.dirty_since.get_or_insert_with(Instant::now);
        }
        if let Some(t) = self.review.dirty_since {
            if t.elapsed() >= SAVE_AFTER {
                self.save_review();
            } else {
                ctx.request_repaint_after(SAVE_AFTER.saturating_sub(t.elapsed()));
            }
        }
    }

    /// Saves what the reviewer typed, if anything changed since the last save.
    pub fn save_review(&mut self) {
        if self.review.dirty_since.take().is_none() {
            return;
        }
        if let Some(p) = &self.review.project {
            if let Err(e) = self.review.saver.save(p) {
                self.review.dirty_since = Some(Instant::now());
                self.notice_error(e);
            }
        }
    }

    pub fn verdict(&self, label: &str, p: &PairReport) -> Option<Verdict> {
        self.review
            .project
            .as_ref()
            .and_then(|s| s.verdict(label, p))
    }

    pub fn note(&self, label: &str, p: &PairReport) -> String {
        self.review
            .project
            .as_ref()
            .map(|s| s.note(label, p))
            .unwrap_or_default()
    }

    /// Sets (or with `None` clears) a pair's verdict; its note stays.
    pub fn set_verdict(&mut self, label: &str, p: &PairReport, verdict: Option<Verdict>) {
        self.review_set(label, p, verdict, None);
    }

    /// Sets a pair's note; its verdict stays.
    pub fn set_note(&mut self, label: &str, p: &PairReport, note: String) {
        let verdict = self.verdict(label, p);
        self.review_set(label, p, verdict, Some(note));
    }

    fn review_set(
        &mut self,
        label: &str,
        p: &PairReport,
        verdict: Option<Verdict>,
        note: Option<String>,
    ) {
        if let Some(s) = &mut self.review.project {
            if s.set(label, p, verdict, note) {
                self.review.dirty_since.get_or_insert_with(Instant::now);
            }
        }
    }

    /// How many of a translation's flagged pairs have a verdict.
    pub fn reviewed_count(&self, label: &str, t: &TranslationReport) -> usize {
        t.flagged()
            .filter(|p| self.verdict(label, p).is_some())
            .count()
    }

    /// Verdicts and notes of `label` whose pair is not in this analysis any more.
    pub fn orphaned_reviews(&self, label: &str) -> Vec<&Entry> {
        let Some(project) = self.review.project.as_ref() else {
            return Vec::new();
        };
        project
            .orphaned(&self.translations)
            .into_iter()
            .filter(|e| e.label == label)
            .collect()
    }

    /// XLIFF 1.2 of one translation, with the drift reasons and the reviewer's verdicts and notes.
    pub fn xliff(&self, report: &Report, t: &TranslationReport) -> String {
        crate::export::xliff::xliff(report, t, self.review.project.as_ref())
    }

    /// TMX 1.4b of every translation.
    pub fn tmx(&self, report: &Report) -> String {
        crate::export::tmx::tmx(report, None, self.review.project.as_ref())
    }
}

/// Writes the project on a thread of its own, so that the fsyncs of a save never hold up a
/// frame. The newest snapshot wins; dropping the saver waits for the last write, so closing
/// the workbench leaves everything on disk. Where no thread can be started it saves in place.
struct Saver {
    tx: Option<std::sync::mpsc::Sender<Project>>,
    errors: Option<std::sync::mpsc::Receiver<String>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Default for Saver {
    fn default() -> Self {
        let (tx, rx) = std::sync::mpsc::channel::<Project>();
        let (etx, erx) = std::sync::mpsc::channel::<String>();
        let thread = std::thread::Builder::new()
            .name("driftlens-review-save".into())
            .spawn(move || {
                while let Ok(mut p) = rx.recv() {
                    while let Ok(newer) = rx.try_recv() {
                        p = newer;
                    }
                    if let Err(e) = p.save() {
                        let _ = etx.send(e.to_string());
                    }
                }
            })
            .ok();
        match thread {
            Some(t) => Saver {
                tx: Some(tx),
                errors: Some(erx),
                thread: Some(t),
            },
            None => Saver {
                tx: None,
                errors: None,
                thread: None,
            },
        }
    }
}

impl Saver {
    /// Queues a save; `Err` where it could not be queued or a save in place failed.
    fn save(&self, p: &Project) -> Result<(), String> {
        match &self.tx {
            Some(tx) if tx.send(p.clone()).is_ok() => Ok(()),
            _ => p.save().map_err(|e| e.to_string()),
        }
    }
    /// A save that failed since the last call.
    fn failure(&self) -> Option<String> {
        self.errors.as_ref().and_then(|e| e.try_recv().ok())
    }
}

impl Drop for Saver {
    fn drop(&mut self) {
        drop(self.tx.take());
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}
