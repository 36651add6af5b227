//! Review: a verdict per flagged pair (real drift / acceptable / false alarm) and a free-text
//! note, kept in the project file next to the corpus. Every edit is saved within a second
//! (and when the workbench closes), so nothing a person typed is lost on a crash; the writes
//! happen on a thread of their own, so a slow disk never stalls a frame.

use super::cell::show_text;
use super::colors;
use super::state;
use super::Workbench;
use crate::analyze::TranslationReport;
use eframe::egui;

pub use crate::review::Verdict;

pub fn show(wb: &mut Workbench, ui: &mut egui::Ui) {
    damaged_project_notice(wb, ui);
    let Some(label) = wb.state.selection.label.clone() else {
        ui.label("Pick a translation in the overview or side by side.");
        return;
    };
    let Some(t) = wb.model.translations.iter().find(|t| t.label == label) else {
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
    let reviewed = wb.model.reviewed_count(&label, t);
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
        .model
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
            let current = wb.model.verdict(&label, p);
            ui.horizontal(|ui| {
                ui.label("Verdict:");
                for v in Verdict::ALL {
                    if ui.radio(current == Some(v), v.title()).clicked() {
                        wb.model.set_verdict(&label, p, Some(v));
                    }
                }
                if current.is_some() && ui.button("Clear verdict").clicked() {
                    wb.model.set_verdict(&label, p, None);
                }
            });
            let mut note = wb.model.note(&label, p);
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
                wb.model.set_note(&label, p, note);
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
                            wb.model
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
                        let note = wb.model.note(&label, p);
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
    if wb.is_busy() {
        return;
    }
    let orphans = wb.model.orphaned_reviews(label);
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
        round_trip: None,
        baseline: None,
        views: vec![],
        not_run: vec![],
    }
}

/// Where the project file could not be opened: says so, and offers to keep the damaged file
/// aside and start afresh.
fn damaged_project_notice(wb: &mut Workbench, ui: &mut egui::Ui) {
    if let Some(e) = wb.model.review_open_error().map(str::to_owned) {
        ui.label(egui::RichText::new(format!("The review project could not be opened, so verdicts are not saved (the file is left as it is): {e}")).color(ui.visuals().error_fg_color));
        if ui
            .button("Keep the damaged file aside and start a fresh review")
            .clicked()
        {
            wb.model.keep_damaged_review_aside();
        }
    }
}
