//! Classroom: pick a drift variant; students see original, translation and
//! back-translation without scores, mark the rows they think drifted, and "Check" reveals
//! the planted changes with their explanations and a score. The worksheet and the answer
//! key export as printable HTML.

use super::cell::show_text;
use super::{Notice, Workbench};
use crate::analyze::TranslationReport;
use eframe::egui;
use std::collections::BTreeSet;
use std::path::PathBuf;

use crate::review::RowCheck;
pub use crate::review::{Checked, Exercise, RowOutcome};

#[derive(Default)]
pub struct ClassroomState {
    /// The drift variant (label, e.g. `es.drift`) and its exercise.
    pub exercise: Option<Exercise>,
    pub marks: BTreeSet<usize>,
    pub checked: Option<Checked>,
    pub error: Option<String>,
}

/// Labels of the analysed translations that have planted changes (`<label>.labels.toml`).
fn variants(wb: &Workbench) -> Vec<String> {
    let mut v: Vec<String> = wb
        .model
        .translations
        .iter()
        .filter(|t| t.is_analysed() && labels_file(t).is_file())
        .map(|t| t.label.clone())
        .collect();
    v.sort();
    v
}

fn labels_file(t: &TranslationReport) -> PathBuf {
    let name = t.path.file_name().and_then(|n| n.to_str()).unwrap_or("");
    let stem = name.strip_suffix(".md").unwrap_or(name);
    t.path.with_file_name(format!("{stem}.labels.toml"))
}

impl Workbench {
    /// Starts the classroom exercise for a drift variant.
    pub fn start_exercise(&mut self, label: &str) {
        let c = &mut self.classroom;
        c.marks.clear();
        c.checked = None;
        c.exercise = None;
        c.error = None;
        let Some(t) = self.model.translations.iter().find(|t| t.label == label) else {
            return;
        };
        match Exercise::load(&labels_file(t), t) {
            Ok(e) => c.exercise = Some(e),
            Err(e) => c.error = Some(e.to_string()),
        }
    }
}

pub fn show(wb: &mut Workbench, ui: &mut egui::Ui) {
    let vs = variants(wb);
    if vs.is_empty() {
        ui.label(if wb.is_busy() {
            "Waiting for a drift variant (es.drift, ca.drift …) to be analysed…"
        } else {
            "No analysed translation has planted changes (a <label>.labels.toml beside it)."
        });
        return;
    }
    choose_variant(wb, ui, &vs);
    if let Some(e) = &wb.classroom.error {
        ui.label(egui::RichText::new(e).color(ui.visuals().error_fg_color));
    }
    let Some(ex) = wb.classroom.exercise.as_ref() else {
        return;
    };
    let lang = ex.lang.clone();
    let rtl = crate::text::language(&lang)
        .map(|l| l.direction == crate::text::Direction::Rtl)
        .unwrap_or(false);
    let mut check = false;
    let mut reset = false;
    let mut export: Option<(bool, PathBuf)> = None;
    ui.horizontal(|ui| {
        if ui.button("Check").clicked() {
            check = true;
        }
        if ui.button("Start over").clicked() {
            reset = true;
        }
        if ui.button("Export worksheet (HTML)").clicked() {
            export = Some((
                false,
                wb.model.corpus.join(format!("{}-worksheet.html", ex.label)),
            ));
        }
        if ui.button("Export answer key (HTML)").clicked() {
            export = Some((
                true,
                wb.model
                    .corpus
                    .join(format!("{}-answer-key.html", ex.label)),
            ));
        }
    });
    if let Some(c) = &wb.classroom.checked {
        ui.label(
            egui::RichText::new(c.summary())
                .heading()
                .color(egui::Color32::from_rgb(40, 140, 60)),
        );
        ui.label(c.tool_summary());
    }
    ui.separator();
    let w = ui.available_width();
    let col = ((w - 150.0) / 3.0).max(140.0);
    column_titles(ui, col, &ex.label);
    let marks = &mut wb.classroom.marks;
    let checked = wb.classroom.checked.as_ref();
    egui::ScrollArea::vertical()
        .auto_shrink([false, false])
        .show(ui, |ui| {
            for (i, row) in ex.rows.iter().enumerate() {
                let result = checked.and_then(|c| c.rows.iter().find(|r| r.row == i));
                let fill = match result.map(|r| r.outcome) {
                    Some(RowOutcome::Hit) => egui::Color32::from_rgba_unmultiplied(80, 190, 90, 60),
                    Some(RowOutcome::Missed) => {
                        egui::Color32::from_rgba_unmultiplied(230, 150, 40, 70)
                    }
                    Some(RowOutcome::FalseMark) => {
                        egui::Color32::from_rgba_unmultiplied(200, 60, 60, 60)
                    }
                    _ => egui::Color32::TRANSPARENT,
                };
                egui::Frame::new()
                    .fill(fill)
                    .inner_margin(3.0)
                    .stroke(egui::Stroke::new(
                        0.5,
                        ui.visuals().widgets.noninteractive.bg_stroke.color,
                    ))
                    .show(ui, |ui| {
                        ui.horizontal_top(|ui| {
                            ui.allocate_ui_with_layout(
                                egui::Vec2::new(110.0, 0.0),
                                egui::Layout::top_down(egui::Align::Min),
                                |ui| {
                                    ui.set_width(110.0);
                                    let mut m = marks.contains(&i);
                                    if ui.checkbox(&mut m, format!("Mark row {}", i + 1)).changed()
                                    {
                                        if m {
                                            marks.insert(i);
                                        } else {
                                            marks.remove(&i);
                                        }
                                    }
                                },
                            );
                            for (text, rtl) in [
                                (&row.original, false),
                                (&row.translation, rtl),
                                (&row.back_translation, false),
                            ] {
                                ui.allocate_ui_with_layout(
                                    egui::Vec2::new(col, 0.0),
                                    egui::Layout::top_down(egui::Align::Min),
                                    |ui| {
                                        ui.set_width(col);
                                        show_text(ui, text, rtl, &[]);
                                    },
                                );
                            }
                        });
                        if let Some(r) = result {
                            outcome_label(ui, r);
                        }
                    });
            }
        });
    if check {
        let c = ex.check(&wb.classroom.marks);
        wb.classroom.checked = Some(c);
    }
    if reset {
        wb.classroom.marks.clear();
        wb.classroom.checked = None;
    }
    if let Some((answers, path)) = export {
        export_sheet(wb, answers, &path);
    }
}

/// What Check found on one row: the planted change found or missed, or a false mark.
fn outcome_label(ui: &mut egui::Ui, r: &RowCheck) {
    let why = r
        .explanations
        .iter()
        .map(|(kind, e)| format!("{} — {e}", kind.replace('_', " ")))
        .collect::<Vec<_>>()
        .join("; ");
    let tool = match r.tool_flagged {
        Some(true) => " (Driftlens flagged it)",
        Some(false) => " (Driftlens did not flag it)",
        None => "",
    };
    match r.outcome {
        RowOutcome::Hit => {
            ui.label(egui::RichText::new(format!("Found: {why}{tool}")).strong());
        }
        RowOutcome::Missed => {
            ui.label(egui::RichText::new(format!("Missed: {why}{tool}")).strong());
        }
        RowOutcome::FalseMark => {
            ui.label(
                egui::RichText::new(format!("Marked, but nothing was planted here{tool}")).strong(),
            );
        }
        RowOutcome::Unchanged => {}
    }
}

/// Writes the worksheet (or, with `answers`, the answer key) of the open exercise as HTML.
fn export_sheet(wb: &mut Workbench, answers: bool, path: &std::path::Path) {
    let Some(ex) = wb.classroom.exercise.as_ref() else {
        return;
    };
    let html: Result<String, String> = Ok(if answers {
        crate::export::classroom::answer_key_html(ex)
    } else {
        crate::export::classroom::worksheet_html(ex)
    });
    let r = html.and_then(|h| {
        std::fs::write(path, h).map_err(|e| format!("cannot write {}: {e}", path.display()))
    });
    wb.model.notices.push(match r {
        Ok(()) => Notice {
            error: false,
            text: format!("wrote {}", path.display()),
        },
        Err(e) => Notice {
            error: true,
            text: e,
        },
    });
}

/// The drift-variant chooser; choosing one starts its exercise.
fn choose_variant(wb: &mut Workbench, ui: &mut egui::Ui, vs: &[String]) {
    let current = wb.classroom.exercise.as_ref().map(|e| e.label.clone());
    let mut start = None;
    ui.horizontal(|ui| {
        egui::ComboBox::from_label("Drift variant")
            .selected_text(current.clone().unwrap_or_else(|| "choose…".into()))
            .show_ui(ui, |ui| {
                for v in vs {
                    if ui
                        .selectable_label(current.as_deref() == Some(v), v)
                        .clicked()
                    {
                        start = Some(v.clone());
                    }
                }
            });
        if let Some(e) = &wb.classroom.exercise {
            ui.label(format!(
                "{} rows · mark the ones whose meaning drifted, then Check",
                e.rows.len()
            ));
        }
    });
    if let Some(v) = start {
        wb.start_exercise(&v);
    }
}

/// The three column titles above the rows.
fn column_titles(ui: &mut egui::Ui, col: f32, label: &str) {
    ui.horizontal(|ui| {
        ui.add_space(118.0);
        for title in [
            "Original (en)",
            &format!("Translation ({label})"),
            "Back-translation (en)",
        ] {
            ui.allocate_ui_with_layout(
                egui::Vec2::new(col, 0.0),
                egui::Layout::top_down(egui::Align::Min),
                |ui| {
                    ui.set_width(col);
                    ui.label(egui::RichText::new(title).strong());
                },
            );
        }
    });
}
