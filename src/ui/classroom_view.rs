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

pub use backend::{Checked, Exercise, RowResult};

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
    let mut v: Vec<String> = wb.translations.iter().filter(|t| t.is_analysed() && labels_file(t).is_file()).map(|t| t.label.clone()).collect();
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
        let Some(t) = self.translations.iter().find(|t| t.label == label) else { return };
        match Exercise::load(&labels_file(t), t) {
            Ok(e) => c.exercise = Some(e),
            Err(e) => c.error = Some(e),
        }
    }
}

pub fn show(wb: &mut Workbench, ui: &mut egui::Ui) {
    let vs = variants(wb);
    if vs.is_empty() {
        ui.label(if wb.is_busy() { "Waiting for a drift variant (es.drift, ca.drift …) to be analysed…" } else { "No analysed translation has planted changes (a <label>.labels.toml beside it)." });
        return;
    }
    let current = wb.classroom.exercise.as_ref().map(|e| e.label.clone());
    let mut start = None;
    ui.horizontal(|ui| {
        egui::ComboBox::from_label("Drift variant").selected_text(current.clone().unwrap_or_else(|| "choose…".into())).show_ui(ui, |ui| {
            for v in &vs {
                if ui.selectable_label(current.as_deref() == Some(v), v).clicked() {
                    start = Some(v.clone());
                }
            }
        });
        if let Some(e) = &wb.classroom.exercise {
            ui.label(format!("{} rows · mark the ones whose meaning drifted, then Check", e.rows.len()));
        }
    });
    if let Some(v) = start {
        wb.start_exercise(&v);
    }
    if let Some(e) = &wb.classroom.error {
        ui.label(egui::RichText::new(e).color(ui.visuals().error_fg_color));
    }
    let Some(ex) = wb.classroom.exercise.as_ref() else { return };
    let lang = ex.lang.clone();
    let rtl = crate::text::language(&lang).map(|l| l.direction == crate::text::Direction::Rtl).unwrap_or(false);
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
            export = Some((false, wb.corpus.join(format!("{}-worksheet.html", ex.label))));
        }
        if ui.button("Export answer key (HTML)").clicked() {
            export = Some((true, wb.corpus.join(format!("{}-answer-key.html", ex.label))));
        }
    });
    if let Some(c) = &wb.classroom.checked {
        ui.label(egui::RichText::new(c.summary()).heading().color(egui::Color32::from_rgb(40, 140, 60)));
    }
    ui.separator();
    let w = ui.available_width();
    let col = ((w - 150.0) / 3.0).max(140.0);
    ui.horizontal(|ui| {
        ui.add_space(118.0);
        for title in ["Original (en)", &format!("Translation ({})", ex.label), "Back-translation (en)"] {
            ui.allocate_ui_with_layout(egui::Vec2::new(col, 0.0), egui::Layout::top_down(egui::Align::Min), |ui| {
                ui.set_width(col);
                ui.label(egui::RichText::new(title).strong());
            });
        }
    });
    let marks = &mut wb.classroom.marks;
    let checked = wb.classroom.checked.as_ref();
    egui::ScrollArea::vertical().auto_shrink([false, false]).show(ui, |ui| {
        for (i, row) in ex.rows.iter().enumerate() {
            let result = checked.map(|c| &c.rows[i]);
            let fill = match result {
                Some(RowResult::Hit(_)) => egui::Color32::from_rgba_unmultiplied(80, 190, 90, 60),
                Some(RowResult::Missed(_)) => egui::Color32::from_rgba_unmultiplied(230, 150, 40, 70),
                Some(RowResult::FalseMark) => egui::Color32::from_rgba_unmultiplied(200, 60, 60, 60),
                _ => egui::Color32::TRANSPARENT,
            };
            egui::Frame::new().fill(fill).inner_margin(3.0).stroke(egui::Stroke::new(0.5, ui.visuals().widgets.noninteractive.bg_stroke.color)).show(ui, |ui| {
                ui.horizontal_top(|ui| {
                    ui.allocate_ui_with_layout(egui::Vec2::new(110.0, 0.0), egui::Layout::top_down(egui::Align::Min), |ui| {
                        ui.set_width(110.0);
                        let mut m = marks.contains(&i);
                        if ui.checkbox(&mut m, format!("Mark row {}", i + 1)).changed() {
                            if m {
                                marks.insert(i);
                            } else {
                                marks.remove(&i);
                            }
                        }
                    });
                    for (text, rtl) in [(&row.original, false), (&row.translation, rtl), (&row.back_translation, false)] {
                        ui.allocate_ui_with_layout(egui::Vec2::new(col, 0.0), egui::Layout::top_down(egui::Align::Min), |ui| {
                            ui.set_width(col);
                            show_text(ui, text, rtl, &[]);
                        });
                    }
                });
                match result {
                    Some(RowResult::Hit(why)) => {
                        ui.label(egui::RichText::new(format!("Found — {why}")).strong());
                    }
                    Some(RowResult::Missed(why)) => {
                        ui.label(egui::RichText::new(format!("Missed — {why}")).strong());
                    }
                    Some(RowResult::FalseMark) => {
                        ui.label(egui::RichText::new("Marked, but nothing was planted here").strong());
                    }
                    _ => {}
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
        let ex = wb.classroom.exercise.as_ref().expect("an exercise is open");
        let html = if answers { backend::answer_key_html(ex) } else { backend::worksheet_html(ex) };
        let r = html.and_then(|h| std::fs::write(&path, h).map_err(|e| format!("cannot write {}: {e}", path.display())));
        wb.notices.push(match r {
            Ok(()) => Notice { error: false, text: format!("wrote {}", path.display()) },
            Err(e) => Notice { error: true, text: e },
        });
    }
}

/// The exercise behind the classroom panel.
mod backend {
    use crate::analyze::TranslationReport;
    use serde::Deserialize;
    use std::collections::BTreeSet;
    use std::path::Path;

    #[derive(Debug, Clone, Deserialize)]
    struct Labels {
        change: Vec<Change>,
    }

    #[derive(Debug, Clone, Deserialize)]
    struct Change {
        kind: String,
        original_id: Option<usize>,
        variant_id: Option<usize>,
        explanation: String,
    }

    /// One row the students read: no scores.
    #[derive(Debug, Clone)]
    pub struct Row {
        pub original: String,
        pub translation: String,
        pub back_translation: String,
        /// The planted change in this row: kind and explanation.
        planted: Option<(String, String)>,
    }

    #[derive(Debug, Clone)]
    pub struct Exercise {
        pub label: String,
        pub lang: String,
        pub rows: Vec<Row>,
    }

    #[derive(Debug, Clone, PartialEq)]
    pub enum RowResult {
        /// Planted and marked: the explanation.
        Hit(String),
        /// Planted and not marked.
        Missed(String),
        FalseMark,
        Correct,
    }

    #[derive(Debug, Clone)]
    pub struct Checked {
        pub rows: Vec<RowResult>,
        pub hits: usize,
        pub planted: usize,
        pub false_marks: usize,
    }

    impl Checked {
        pub fn summary(&self) -> String {
            let pct = if self.planted == 0 { 100.0 } else { 100.0 * self.hits as f32 / self.planted as f32 };
            format!("Score: {} of {} planted changes found ({pct:.0} %), {} false marks", self.hits, self.planted, self.false_marks)
        }
    }

    impl Exercise {
        pub fn load(path: &Path, t: &TranslationReport) -> Result<Exercise, String> {
            let text = std::fs::read_to_string(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
            let labels: Labels = toml::from_str(&text).map_err(|e| format!("{} is not a labels file: {e}", path.display()))?;
            let mut rows: Vec<Row> = t.pairs.iter().map(|p| Row { original: p.original_text.clone(), translation: p.translated_text.clone(), back_translation: p.back_translation.clone(), planted: None }).collect();
            for c in &labels.change {
                let row = t.pairs.iter().position(|p| c.variant_id.map(|v| p.translation.contains(&v)).unwrap_or(false)).or_else(|| t.pairs.iter().position(|p| c.original_id.map(|o| p.original.contains(&o)).unwrap_or(false)));
                if let Some(r) = row {
                    rows[r].planted = Some((c.kind.clone(), c.explanation.clone()));
                }
            }
            Ok(Exercise { label: t.label.clone(), lang: t.lang.clone(), rows })
        }

        pub fn check(&self, marks: &BTreeSet<usize>) -> Checked {
            let rows: Vec<RowResult> = self
                .rows
                .iter()
                .enumerate()
                .map(|(i, r)| match (&r.planted, marks.contains(&i)) {
                    (Some((_, why)), true) => RowResult::Hit(why.clone()),
                    (Some((_, why)), false) => RowResult::Missed(why.clone()),
                    (None, true) => RowResult::FalseMark,
                    (None, false) => RowResult::Correct,
                })
                .collect();
            let hits = rows.iter().filter(|r| matches!(r, RowResult::Hit(_))).count();
            let planted = self.rows.iter().filter(|r| r.planted.is_some()).count();
            let false_marks = rows.iter().filter(|r| matches!(r, RowResult::FalseMark)).count();
            Checked { rows, hits, planted, false_marks }
        }
    }

    pub fn worksheet_html(e: &Exercise) -> Result<String, String> {
        Err(format!("the worksheet writer (export::classroom) is not in this build yet ({})", e.label))
    }

    pub fn answer_key_html(e: &Exercise) -> Result<String, String> {
        Err(format!("the answer-key writer (export::classroom) is not in this build yet ({})", e.label))
    }
}
