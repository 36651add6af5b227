//! Quotes: every quotation of the original × every analysed language, coloured by how well
//! it survived; below, the selected quotation with its words in each language side by side.

use super::cell::show_text;
use super::colors;
use super::state;
use super::Workbench;
use crate::analyze::{PairReport, QuoteReport, TranslationReport};
use eframe::egui;
use egui::{Sense, Vec2};

/// The quotation selected in the grid (kept in egui memory).
fn selected_id() -> egui::Id {
    egui::Id::unique("driftlens-selected-quote")
}

pub fn show(wb: &mut Workbench, ui: &mut egui::Ui) {
    let Some(original) = wb.original.as_ref() else {
        ui.label("Reading the original…");
        return;
    };
    if original.quotes.is_empty() {
        ui.label("The original has no quotations.");
        return;
    }
    let order: Vec<usize> = state::sorted_languages(&wb.translations, wb.state.sort).into_iter().filter(|&i| wb.translations[i].is_analysed()).collect();
    let mut selected: usize = ui.data(|d| d.get_temp(selected_id())).unwrap_or(0).min(original.quotes.len() - 1);
    ui.label(egui::RichText::new(format!("{} quotations × {} analysed translations — fidelity: 1 = intact, 0 = lost", original.quotes.len(), order.len())).strong());
    let languages_without = wb.translations.len() - order.len();
    if languages_without > 0 {
        ui.label(egui::RichText::new(format!("{languages_without} translations have no back-translation here and no fidelity (see Engines and models).")).small());
    }
    let mut open = None;
    egui::ScrollArea::vertical().auto_shrink([false, false]).show(ui, |ui| {
        // The grid: a row per quotation, a column per language.
        let cell = Vec2::new(((ui.available_width() - 260.0) / order.len().max(1) as f32).clamp(14.0, 46.0), 18.0);
        ui.horizontal(|ui| {
            ui.add_space(260.0);
            for &i in &order {
                let (r, _) = ui.allocate_exact_size(Vec2::new(cell.x - ui.spacing().item_spacing.x, cell.y), Sense::hover());
                ui.painter().text(r.center(), egui::Align2::CENTER_CENTER, &wb.translations[i].label, egui::FontId::proportional(9.5), ui.visuals().text_color());
            }
        });
        for (qi, q) in original.quotes.iter().enumerate() {
            ui.horizontal(|ui| {
                let short: String = q.text.chars().take(38).collect();
                let title = format!("Q{} {}{}", qi + 1, short, if q.text.chars().count() > 38 { "…" } else { "" });
                let r = ui.add_sized([252.0, cell.y], egui::Button::selectable(selected == qi, egui::RichText::new(title).small()));
                if r.on_hover_text(format!("{}\n— {}", q.text, q.speaker.as_deref().unwrap_or("speaker unknown"))).clicked() {
                    selected = qi;
                }
                for &i in &order {
                    let t = &wb.translations[i];
                    let (r, resp) = ui.allocate_exact_size(Vec2::new(cell.x - ui.spacing().item_spacing.x, cell.y), Sense::click());
                    let label = t.label.clone();
                    resp.widget_info(|| egui::WidgetInfo::labeled(egui::Role::Button, true, format!("Quote {} in {label}", qi + 1)));
                    match t.quotes.iter().find(|f| f.quote == q.id) {
                        Some(f) => {
                            ui.painter().rect_filled(r, 2.0, colors::drift(1.0 - f.fidelity));
                            ui.painter().text(r.center(), egui::Align2::CENTER_CENTER, format!("{:.1}", f.fidelity), egui::FontId::proportional(9.5), egui::Color32::BLACK);
                            resp.clone().on_hover_text(format!("{}: fidelity {:.2} ({}) — {}", t.label, f.fidelity, f.level.name(), f.message));
                        }
                        None => {
                            ui.painter().rect_filled(r, 2.0, colors::NOT_ANALYSED);
                        }
                    }
                    if resp.clicked() {
                        selected = qi;
                        open = Some((t.label.clone(), q.sentences.first().and_then(|&s| state::pair_of_sentence(t, s))));
                    }
                }
            });
        }
        ui.separator();
        let q = &original.quotes[selected];
        detail(ui, q, selected, &order, &wb.translations);
    });
    ui.data_mut(|d| d.insert_temp(selected_id(), selected));
    if let Some((label, pair)) = open {
        // A click in the grid selects the quotation; a double purpose would surprise, so only
        // the detail's "open" buttons switch views. Keep the language selected for them.
        wb.state.selection.label = Some(label);
        wb.state.selection.pair = pair;
    }
}

fn detail(ui: &mut egui::Ui, q: &QuoteReport, qi: usize, order: &[usize], translations: &[TranslationReport]) {
    ui.label(egui::RichText::new(format!("Q{} — {}", qi + 1, q.speaker.as_deref().unwrap_or("speaker unknown"))).strong());
    show_text(ui, &q.text, false, &[]);
    ui.add_space(4.0);
    let w = ui.available_width();
    let col = ((w - 150.0) / 2.0).max(160.0);
    egui::Grid::new("quote detail").striped(true).num_columns(3).min_col_width(60.0).show(ui, |ui| {
        ui.label(egui::RichText::new("language · fidelity").small().strong());
        ui.label(egui::RichText::new("the quoted words in the translation").small().strong());
        ui.label(egui::RichText::new("back-translation").small().strong());
        ui.end_row();
        for &i in order {
            let t = &translations[i];
            let f = t.quotes.iter().find(|f| f.quote == q.id);
            let pairs: Vec<&PairReport> = t.pairs.iter().filter(|p| p.original.iter().any(|s| q.sentences.contains(s))).collect();
            ui.vertical(|ui| {
                ui.label(egui::RichText::new(&t.label).strong());
                if let Some(f) = f {
                    ui.label(egui::RichText::new(format!("{:.2} {}", f.fidelity, f.level.name())).color(colors::level(f.level))).on_hover_text(&f.message);
                }
            });
            let rtl = crate::text::language(&t.lang).map(|l| l.direction == crate::text::Direction::Rtl).unwrap_or(false);
            let translated = pairs.iter().map(|p| p.translated_text.as_str()).collect::<Vec<_>>().join(" ");
            let back = pairs.iter().map(|p| p.back_translation.as_str()).collect::<Vec<_>>().join(" ");
            ui.allocate_ui(Vec2::new(col, 0.0), |ui| {
                ui.set_width(col);
                show_text(ui, &translated, rtl, &[]);
            });
            ui.allocate_ui(Vec2::new(col, 0.0), |ui| {
                ui.set_width(col);
                show_text(ui, &back, false, &[]);
            });
            ui.end_row();
        }
    });
}
