//! Side by side: original | translation | back-translation, one row per aligned bead, the
//! drifted words highlighted from the reasons' spans, reasons as short labels (hover for the
//! explanation), filters by level and reason. Keys: J / ↓ next flagged, K / ↑ previous,
//! L next language. A translation no engine serves here is judged by the direct view: original
//! | translation, the direct view's findings marked in both, with why there is no
//! back-translation, the command that adds one and what it would add.

use super::cell::{highlights, show_text, translation_highlights};
use super::colors;
use super::state::{self, LEVELS};
use super::Workbench;
use crate::analyze::{PairReport, TranslationReport, TranslationStatus};
use eframe::egui;

pub fn show(wb: &mut Workbench, ui: &mut egui::Ui) {
    let Some(label) = wb.state.selection.label.clone() else {
        ui.label(if wb.is_busy() {
            "The first translation is being analysed…"
        } else {
            "No translation to show."
        });
        return;
    };
    controls(wb, ui, &label);
    ui.separator();
    let Some(t) = wb.model.translations.iter().find(|t| t.label == label) else {
        ui.label(format!("{label} is still being analysed…"));
        return;
    };
    let rtl = crate::text::language(&t.lang)
        .map(|l| l.direction == crate::text::Direction::Rtl)
        .unwrap_or(false);
    let name = crate::text::language(&t.lang)
        .map(|l| l.name)
        .unwrap_or(&t.lang);
    match &t.status {
        TranslationStatus::Analysed => analysed(wb, ui, &label, rtl),
        TranslationStatus::NotAnalysed { why, fix } => {
            egui::Frame::group(ui.style())
                .fill(ui.visuals().faint_bg_color)
                .show(ui, |ui| {
                    ui.label(
                        egui::RichText::new(format!(
                            "{name} ({}) could not be read, so it was not analysed.",
                            t.label
                        ))
                        .strong(),
                    );
                    ui.label(format!("Why: {why}"));
                    ui.horizontal(|ui| {
                        ui.label("Fix:");
                        ui.code(fix);
                    });
                });
        }
    }
}

fn controls(wb: &mut Workbench, ui: &mut egui::Ui, label: &str) {
    let order = state::sorted_languages(&wb.model.translations, wb.state.sort);
    ui.horizontal_wrapped(|ui| {
        let mut chosen = None;
        egui::ComboBox::from_label("Language")
            .selected_text(label)
            .show_ui(ui, |ui| {
                for &i in &order {
                    let t = &wb.model.translations[i];
                    let name = crate::text::language(&t.lang).map(|l| l.name).unwrap_or("");
                    if ui
                        .selectable_label(t.label == label, format!("{} {name}", t.label))
                        .clicked()
                    {
                        chosen = Some(t.label.clone());
                    }
                }
            });
        if let Some(c) = chosen {
            wb.state.selection.label = Some(c);
            wb.state.selection.pair = None;
        }
        let t = wb.model.translations.iter().find(|t| t.label == label);
        if t.map(|t| !t.is_analysed()).unwrap_or(false) {
            if ui.button("Next language (L)").clicked() {
                wb.state.select_next_language(&wb.model.translations);
            }
            return;
        }
        ui.separator();
        if ui.button("Previous flagged (K)").clicked() {
            if let Some(t) = t {
                wb.state.select_previous_flagged(t);
            }
        }
        if ui.button("Next flagged (J)").clicked() {
            if let Some(t) = t {
                wb.state.select_next_flagged(t);
            }
        }
        if ui.button("Next language (L)").clicked() {
            wb.state.select_next_language(&wb.model.translations);
        }
        ui.separator();
        ui.label("Show:");
        for (k, level) in LEVELS.iter().enumerate() {
            ui.checkbox(&mut wb.state.filters.levels[k], level.name());
        }
        let kinds = t.map(state::reason_kinds).unwrap_or_default();
        let current = wb
            .state
            .filters
            .reason
            .clone()
            .map(|k| state::reason_label(&k))
            .unwrap_or_else(|| "any reason".into());
        egui::ComboBox::from_label("Reason")
            .selected_text(current)
            .show_ui(ui, |ui| {
                if ui
                    .selectable_label(wb.state.filters.reason.is_none(), "any reason")
                    .clicked()
                {
                    wb.state.filters.reason = None;
                }
                for k in kinds {
                    if ui
                        .selectable_label(
                            wb.state.filters.reason.as_deref() == Some(&k),
                            state::reason_label(&k),
                        )
                        .clicked()
                    {
                        wb.state.filters.reason = Some(k);
                    }
                }
            });
    });
}

/// Column widths for n text columns plus the row header and the reasons column.
fn widths(ui: &egui::Ui, n: usize, reasons: bool) -> (f32, f32, f32) {
    let head = 56.0;
    let side = if reasons { 170.0 } else { 0.0 };
    let spacing = ui.spacing().item_spacing.x * (n as f32 + 2.0);
    let col = ((ui.available_width() - head - side - spacing - 16.0) / n as f32).max(120.0);
    (head, col, side)
}

fn analysed(wb: &mut Workbench, ui: &mut egui::Ui, label: &str, rtl: bool) {
    let Some(t) = wb.model.translations.iter().find(|t| t.label == label) else {
        return;
    };
    let s = state::DriftSummary::of(t);
    let direct_only = t.is_direct_only();
    if direct_only {
        direct_only_note(ui, t);
    }
    ui.label(format!(
        "{} · {} · {} pairs, {} flagged (major {}, critical {}) · aligned by {}",
        t.label,
        t.views_note(),
        s.total(),
        s.flagged(),
        s.counts[2],
        s.counts[3],
        t.alignment.as_deref().unwrap_or("?")
    ));
    // How far to trust the language as a whole: its back-translations rough throughout, the
    // engine's round trip discounted or impossible.
    if let Some(note) = t.level_note() {
        ui.label(egui::RichText::new(note).weak().italics());
    }
    // The verdict of the selected flagged pair, set in place while stepping with J/K.
    if let Some(i) = wb.state.selection.pair.filter(|&i| {
        t.pairs
            .get(i)
            .map(|p| p.level.is_flagged())
            .unwrap_or(false)
    }) {
        let p = t.pairs[i].clone();
        let current = wb.model.verdict(label, &p);
        let note = wb.model.note(label, &p);
        let mut set = None;
        ui.horizontal(|ui| {
            ui.label(format!("Verdict for pair {i} ({}):", p.level.name()));
            for v in crate::review::Verdict::ALL {
                if ui.radio(current == Some(v), v.title()).clicked() {
                    set = Some(v);
                }
            }
            if !note.is_empty() {
                ui.label(
                    egui::RichText::new(format!(
                        "note: {}",
                        note.chars().take(80).collect::<String>()
                    ))
                    .small(),
                );
            }
            ui.label(egui::RichText::new("(notes in Review)").small());
        });
        if let Some(v) = set {
            wb.model.set_verdict(label, &p, Some(v));
        }
    }
    let Some(t) = wb.model.translations.iter().find(|t| t.label == label) else {
        return;
    };
    let (head, col, side) = widths(ui, if direct_only { 2 } else { 3 }, true);
    let translation_title = format!("Translation ({})", t.label);
    let titles: &[&str] = if direct_only {
        &["Original (en)", &translation_title]
    } else {
        &["Original (en)", &translation_title, "Back-translation"]
    };
    header(ui, head, col, side, titles);
    let mut clicked = None;
    let scroll_to = std::mem::take(&mut wb.state.scroll_to_selection);
    let selected = wb.state.selection.pair;
    let filters = wb.state.filters.clone();
    let t: &TranslationReport = t;
    egui::ScrollArea::vertical()
        .auto_shrink([false, false])
        .show(ui, |ui| {
            for (i, p) in t.pairs.iter().enumerate() {
                if !filters.shows(p) && selected != Some(i) {
                    continue;
                }
                let is_selected = selected == Some(i);
                let resp = row_frame(ui, is_selected, |ui| {
                    ui.horizontal_top(|ui| {
                        column(ui, head, |ui| {
                            if ui
                                .selectable_label(
                                    is_selected,
                                    row_label(p.unit.as_deref(), &p.original),
                                )
                                .on_hover_text(format!(
                                    "Select pair {} (original {:?}, translation {:?})",
                                    i, p.original, p.translation
                                ))
                                .clicked()
                            {
                                clicked = Some(i);
                            }
                            ui.label(
                                egui::RichText::new(format!("{:.2}", p.drift))
                                    .small()
                                    .color(colors::level(p.level)),
                            );
                        });
                        let (orig_h, back_h) = highlights(p);
                        column(ui, col, |ui| {
                            show_text(ui, &p.original_text, false, &orig_h);
                        });
                        column(ui, col, |ui| {
                            show_text(ui, &p.translated_text, rtl, &translation_highlights(p));
                        });
                        if !direct_only {
                            column(ui, col, |ui| {
                                show_text(ui, &p.back_translation, false, &back_h);
                            });
                        }
                        column(ui, side, |ui| reasons(ui, p));
                    });
                });
                if is_selected && scroll_to {
                    resp.scroll_to_me(Some(egui::Align::Center));
                }
            }
        });
    if let Some(i) = clicked {
        wb.state.selection.pair = Some(i);
    }
}

/// Why a translation has no back-translation, what would add one, and what it would add.
fn direct_only_note(ui: &mut egui::Ui, t: &TranslationReport) {
    let name = crate::text::language(&t.lang)
        .map(|l| l.name)
        .unwrap_or(&t.lang);
    egui::Frame::group(ui.style())
        .fill(ui.visuals().faint_bg_color)
        .show(ui, |ui| {
            ui.label(
                egui::RichText::new(format!(
                    "{name} ({}) is compared with the original directly: no back-translation engine serves it on this computer.",
                    t.label
                ))
                .strong()
                .color(colors::DIRECT_ONLY),
            );
            for n in &t.not_run {
                ui.label(format!("Why: {}", n.why));
                ui.horizontal(|ui| {
                    ui.label("To add a back-translation:");
                    ui.code(&n.fix);
                });
                ui.label(format!("It would add {}.", n.adds));
            }
        });
}

/// A row's label: the unit id of a pre-aligned file (XLIFF, TMX), else the original's ids.
fn row_label(unit: Option<&str>, ids: &[usize]) -> String {
    match unit {
        Some(u) => format!("unit {u}"),
        None => ids_label(ids),
    }
}

fn ids_label(ids: &[usize]) -> String {
    match ids {
        [] => "—".into(),
        [a] => format!("#{a}"),
        [a, .., b] => format!("#{a}–{b}"),
    }
}

fn header(ui: &mut egui::Ui, head: f32, col: f32, side: f32, titles: &[&str]) {
    ui.horizontal(|ui| {
        column(ui, head, |ui| {
            ui.label(egui::RichText::new("pair").small());
        });
        for t in titles {
            column(ui, col, |ui| {
                ui.label(egui::RichText::new(*t).strong());
            });
        }
        if side > 0.0 {
            column(ui, side, |ui| {
                ui.label(egui::RichText::new("Why").strong());
            });
        }
    });
}

fn column(ui: &mut egui::Ui, width: f32, add: impl FnOnce(&mut egui::Ui)) {
    if width <= 0.0 {
        return;
    }
    ui.allocate_ui_with_layout(
        egui::Vec2::new(width, 0.0),
        egui::Layout::top_down(egui::Align::Min),
        |ui| {
            ui.set_width(width);
            add(ui);
        },
    );
}

fn row_frame(ui: &mut egui::Ui, selected: bool, add: impl FnOnce(&mut egui::Ui)) -> egui::Response {
    let stroke = if selected {
        egui::Stroke::new(2.0, ui.visuals().selection.stroke.color)
    } else {
        egui::Stroke::new(0.5, ui.visuals().widgets.noninteractive.bg_stroke.color)
    };
    let fill = if selected {
        ui.visuals().selection.bg_fill.gamma_multiply(0.25)
    } else {
        egui::Color32::TRANSPARENT
    };
    egui::Frame::new()
        .stroke(stroke)
        .fill(fill)
        .inner_margin(4.0)
        .show(ui, add)
        .response
}

fn reasons(ui: &mut egui::Ui, p: &PairReport) {
    ui.horizontal_wrapped(|ui| {
        ui.label(
            egui::RichText::new(p.level.name())
                .small()
                .strong()
                .color(colors::level(p.level)),
        );
        for r in &p.reasons {
            ui.label(
                egui::RichText::new(state::reason_label(&r.kind))
                    .small()
                    .background_color(ui.visuals().faint_bg_color),
            )
            .on_hover_text(&r.message);
        }
    });
}
