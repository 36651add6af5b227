//! Review: a verdict per flagged pair (real drift / acceptable / false alarm) and a free-text
//! note, kept in the project file next to the corpus. Every edit is saved within a second
//! (and when the workbench closes), so nothing a person typed is lost on a crash; the writes
//! happen on a thread of their own, so a slow disk never stalls a frame.

use super::cell::show_text;
use super::colors;
use super::state;
use super::{Notice, Workbench};
use crate::analyze::{PairReport, Report, TranslationReport};
use eframe::egui;
use std::path::Path;
use std::time::{Duration, Instant};

use crate::review::Project;
pub use crate::review::Verdict;

/// How long after an edit the project is saved.
pub const SAVE_AFTER: Duration = Duration::from_millis(500);

#[derive(Default)]
pub struct ReviewState {
    project: Option<Project>,
    dirty_since: Option<Instant>,
    /// Why the project file could not be opened (it is then left untouched).
    open_error: Option<String>,
    corpus: std::path::PathBuf,
    saver: Saver,
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

impl ReviewState {
    pub fn open(&mut self, corpus: &Path, notices: &mut Vec<Notice>) {
        self.corpus = corpus.to_path_buf();
        match Project::open(corpus) {
            Ok(p) => {
                self.project = Some(p);
                self.open_error = None;
            }
            Err(e) => {
                let e = e.to_string();
                notices.push(Notice {
                    error: true,
                    text: e.clone(),
                });
                self.open_error = Some(e);
                self.project = None;
            }
        }
        self.dirty_since = None;
    }

    /// Called when the report changed (a translation finished).
    pub fn sync(&mut self, _translations: &[TranslationReport]) {}

    pub fn autosave(&mut self, ctx: &egui::Context, notices: &mut Vec<Notice>) {
        if let Some(e) = self.saver.failure() {
            // said, and tried again after the next pause
            notices.push(Notice {
                error: true,
                text: e,
            });
            self.dirty_since.get_or_insert_with(Instant::now);
        }
        if let Some(t) = self.dirty_since {
            if t.elapsed() >= SAVE_AFTER {
                self.save_now(notices);
            } else {
                ctx.request_repaint_after(SAVE_AFTER.saturating_sub(t.elapsed()));
            }
        }
    }

    pub fn save_now(&mut self, notices: &mut Vec<Notice>) {
        if self.dirty_since.take().is_none() {
            return;
        }
        if let Some(p) = &self.project {
            if let Err(e) = self.saver.save(p) {
                notices.push(Notice {
                    error: true,
                    text: e,
                });
                self.dirty_since = Some(Instant::now());
            }
        }
    }

    pub fn verdict(&self, label: &str, p: &PairReport) -> Option<Verdict> {
        self.project.as_ref().and_then(|s| s.verdict(label, p))
    }

    pub fn note(&self, label: &str, p: &PairReport) -> String {
        self.project
            .as_ref()
            .map(|s| s.note(label, p))
            .unwrap_or_default()
    }

    pub(super) fn set(
        &mut self,
        label: &str,
        p: &PairReport,
        verdict: Option<Verdict>,
        note: Option<String>,
    ) {
        if let Some(s) = &mut self.project {
            if s.set(label, p, verdict, note) {
                self.dirty_since.get_or_insert_with(Instant::now);
            }
        }
    }

    /// XLIFF 1.2 of one translation, with the drift reasons and the reviewer's verdicts and notes.
    pub fn xliff(&self, report: &Report, t: &TranslationReport) -> Result<String, String> {
        Ok(crate::export::xliff::xliff(
            report,
            t,
            self.project.as_ref(),
        ))
    }

    /// TMX 1.4b of every translation.
    pub fn tmx(&self, report: &Report) -> Result<String, String> {
        Ok(crate::export::tmx::tmx(report, None, self.project.as_ref()))
    }

    pub fn reviewed_count(&self, label: &str, t: &TranslationReport) -> usize {
        t.flagged()
            .filter(|p| self.verdict(label, p).is_some())
            .count()
    }
}

pub fn show(wb: &mut Workbench, ui: &mut egui::Ui) {
    damaged_project_notice(wb, ui);
    let Some(label) = wb.state.selection.label.clone() else {
        ui.label("Pick a translation in the overview or side by side.");
        return;
    };
    let Some(t) = wb.translations.iter().find(|t| t.label == label) else {
        ui.label(format!("{label} is still being analysed…"));
        return;
    };
    if !t.is_analysed() {
        ui.label(format!("{label} has no back-translation on this computer, so nothing is flagged to review (see Engines and models)."));
        return;
    }
    let flagged: Vec<usize> = (0..t.pairs.len())
        .filter(|&i| t.pairs[i].level.is_flagged())
        .collect();
    let reviewed = wb.review.reviewed_count(&label, t);
    ui.horizontal(|ui| {
        ui.heading(format!("Review {label}"));
        ui.label(format!(
            "{reviewed} of {} flagged pairs have a verdict",
            flagged.len()
        ));
        if ui.button("Next flagged (J)").clicked() {
            wb.state.select_next_flagged(t);
        }
    });
    let t = wb
        .translations
        .iter()
        .find(|t| t.label == label)
        .cloned()
        .unwrap_or_else(|| unreachable_report(&label));
    let selected = wb
        .state
        .selection
        .pair
        .filter(|i| flagged.contains(i))
        .or(flagged.first().copied());
    ui.separator();
    if let Some(i) = selected {
        let p = &t.pairs[i];
        let rtl = crate::text::language(&t.lang)
            .map(|l| l.direction == crate::text::Direction::Rtl)
            .unwrap_or(false);
        egui::Frame::group(ui.style()).show(ui, |ui| {
            ui.label(
                egui::RichText::new(format!(
                    "Pair {} — original {:?}, translation {:?} — drift {:.2} ({})",
                    i,
                    p.original,
                    p.translation,
                    p.drift,
                    p.level.name()
                ))
                .strong(),
            );
            let (oh, bh) = super::cell::highlights(p);
            ui.label(egui::RichText::new("Original").small());
            show_text(ui, &p.original_text, false, &oh);
            ui.label(egui::RichText::new("Translation").small());
            show_text(ui, &p.translated_text, rtl, &[]);
            ui.label(egui::RichText::new("Back-translation").small());
            show_text(ui, &p.back_translation, false, &bh);
            for r in &p.reasons {
                ui.label(format!("• {}: {}", state::reason_label(&r.kind), r.message));
            }
            ui.add_space(4.0);
            let current = wb.review.verdict(&label, p);
            ui.horizontal(|ui| {
                ui.label("Verdict:");
                for v in Verdict::ALL {
                    if ui.radio(current == Some(v), v.title()).clicked() {
                        wb.review.set(&label, p, Some(v), None);
                    }
                }
                if current.is_some() && ui.button("Clear verdict").clicked() {
                    wb.review.set(&label, p, None, None);
                }
            });
            let mut note = wb.review.note(&label, p);
            let l = ui.label("Note:");
            let r = ui
                .add(
                    egui::TextEdit::multiline(&mut note)
                        .desired_rows(3)
                        .desired_width(f32::INFINITY)
                        .hint_text("what you found, for the translator"),
                )
                .labelled_by(l.id);
            if r.changed() {
                let verdict = wb.review.verdict(&label, p);
                wb.review.set(&label, p, verdict, Some(note));
            }
        });
    } else {
        ui.label("Nothing flagged in this translation.");
    }
    ui.separator();
    orphaned(wb, ui, &label);
    let mut clicked = None;
    egui::ScrollArea::vertical()
        .auto_shrink([false, false])
        .show(ui, |ui| {
            egui::Grid::new("review list")
                .striped(true)
                .num_columns(4)
                .show(ui, |ui| {
                    for h in ["pair", "level", "verdict", "original · note"] {
                        ui.label(egui::RichText::new(h).small().strong());
                    }
                    ui.end_row();
                    for &i in &flagged {
                        let p = &t.pairs[i];
                        if ui
                            .selectable_label(selected == Some(i), format!("Review pair {i}"))
                            .clicked()
                        {
                            clicked = Some(i);
                        }
                        ui.label(egui::RichText::new(p.level.name()).color(colors::level(p.level)));
                        ui.label(
                            wb.review
                                .verdict(&label, p)
                                .map(|v| v.title())
                                .unwrap_or("—"),
                        );
                        let text = if p.original_text.is_empty() {
                            format!("(added in translation) {}", p.translated_text)
                        } else {
                            p.original_text.clone()
                        };
                        let short: String = text.chars().take(90).collect();
                        let note = wb.review.note(&label, p);
                        ui.label(if note.is_empty() {
                            short
                        } else {
                            format!("{short}\nNote: {note}")
                        });
                        ui.end_row();
                    }
                });
        });
    if let Some(i) = clicked {
        wb.state.selection.pair = Some(i);
    }
}

/// Verdicts and notes whose pair is not in this analysis any more (the aligner paired the
/// sentences differently): kept in the project and listed, so nothing written is lost.
fn orphaned(wb: &Workbench, ui: &mut egui::Ui, label: &str) {
    let Some(project) = wb.review.project.as_ref() else {
        return;
    };
    if wb.is_busy() {
        return;
    }
    let orphans: Vec<_> = project
        .orphaned(&wb.translations)
        .into_iter()
        .filter(|e| e.label == label)
        .collect();
    if orphans.is_empty() {
        return;
    }
    ui.label(egui::RichText::new(format!("{} earlier verdicts or notes of {label} match no pair of this analysis (kept in the project file):", orphans.len())).strong());
    for e in orphans {
        let short: String = e.original_text.chars().take(80).collect();
        ui.label(format!(
            "original {:?}: {short} — {} {}",
            e.original,
            e.verdict.map(|v| v.title()).unwrap_or("no verdict"),
            e.note
        ));
    }
}

fn unreachable_report(label: &str) -> TranslationReport {
    TranslationReport {
        lang: String::new(),
        label: label.into(),
        path: Default::default(),
        engine: None,
        status: crate::analyze::TranslationStatus::Analysed,
        pairs: vec![],
        quotes: vec![],
        alignment: None,
        aligned: vec![],
    }
}

/// Where the project file could not be opened: says so, and offers to keep the damaged file
/// aside and start afresh.
fn damaged_project_notice(wb: &mut Workbench, ui: &mut egui::Ui) {
    if let Some(e) = wb.review.open_error.clone() {
        ui.label(egui::RichText::new(format!("The review project could not be opened, so verdicts are not saved (the file is left as it is): {e}")).color(ui.visuals().error_fg_color));
        if ui
            .button("Keep the damaged file aside and start a fresh review")
            .clicked()
        {
            match Project::keep_damaged_aside(&wb.review.corpus) {
                Ok((p, aside)) => {
                    wb.notices.push(Notice {
                        error: false,
                        text: format!("the damaged project file is kept as {}", aside.display()),
                    });
                    wb.review.project = Some(p);
                    wb.review.open_error = None;
                }
                Err(e) => wb.notices.push(Notice {
                    error: true,
                    text: e.to_string(),
                }),
            }
        }
    }
}
