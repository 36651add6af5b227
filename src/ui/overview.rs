//! The overview: languages × original sentences coloured by drift (click a cell to open the
//! pair), per-language counts by level, and a bar chart of drift per language.

use super::colors;
use super::state::{self, DriftSummary, SortOrder};
use super::Workbench;
use eframe::egui;
use egui::{Color32, Sense, Vec2};

/// Row height of the heat map, in points.
pub const ROW_HEIGHT: f32 = 13.0;
/// Width of the language column left of the heat map.
pub const LABEL_WIDTH: f32 = 110.0;

pub fn show(wb: &mut Workbench, ui: &mut egui::Ui) {
    super::downloads::banner(wb, ui);
    let Some(original) = wb.model.original.as_ref() else {
        ui.label("Reading the original…");
        return;
    };
    let n = original.sentences.len();
    ui.horizontal(|ui| {
        ui.heading(format!(
            "{} sentences × {} translations",
            n,
            wb.model.translations.len()
        ));
        ui.separator();
        ui.label("Sort languages:");
        if ui
            .selectable_label(
                wb.state.sort == SortOrder::MostDrifted,
                "most drifted first",
            )
            .clicked()
        {
            wb.state.sort = SortOrder::MostDrifted;
        }
        if ui
            .selectable_label(wb.state.sort == SortOrder::Label, "by name")
            .clicked()
        {
            wb.state.sort = SortOrder::Label;
        }
    });
    let order = state::sorted_languages(&wb.model.translations, wb.state.sort);
    let mut open: Option<(String, Option<usize>)> = None;
    egui::ScrollArea::vertical()
        .auto_shrink([false, false])
        .show(ui, |ui| {
            ui.columns(2, |cols| {
                // Left: heat map.
                let ui = &mut cols[0];
                ui.label(
                    egui::RichText::new("Drift by sentence (click a cell to open the pair)")
                        .strong(),
                );
                legend(ui);
                let cell_w =
                    ((ui.available_width() - LABEL_WIDTH) / n.max(1) as f32).clamp(2.0, 18.0);
                for &i in &order {
                    let t = &wb.model.translations[i];
                    let (rect, resp) = ui.allocate_exact_size(
                        Vec2::new(LABEL_WIDTH + cell_w * n as f32, ROW_HEIGHT),
                        Sense::click(),
                    );
                    let label = t.label.clone();
                    resp.widget_info(|| {
                        egui::WidgetInfo::labeled(
                            egui::Role::Button,
                            true,
                            format!("Heat map row {label}"),
                        )
                    });
                    let painter = ui.painter_at(rect);
                    // A row judged by the direct view alone: a blue bar before the label and
                    // the label in blue italics, so it never reads as back-translated.
                    let direct_only = t.is_direct_only();
                    if direct_only {
                        painter.rect_filled(
                            egui::Rect::from_min_size(rect.min, Vec2::new(3.0, ROW_HEIGHT - 1.0)),
                            0.0,
                            colors::DIRECT_ONLY,
                        );
                    }
                    painter.text(
                        rect.left_center() + Vec2::new(6.0, 0.0),
                        egui::Align2::LEFT_CENTER,
                        if direct_only {
                            format!("{} · direct", t.label)
                        } else {
                            t.label.clone()
                        },
                        egui::FontId::proportional(11.0),
                        if direct_only {
                            colors::DIRECT_ONLY
                        } else {
                            ui.visuals().text_color()
                        },
                    );
                    let cells = crate::export::heat::by_sentence(&t.pairs, n);
                    for (s, cell) in cells.iter().enumerate() {
                        let r = egui::Rect::from_min_size(
                            rect.min + Vec2::new(LABEL_WIDTH + s as f32 * cell_w, 1.0),
                            Vec2::new((cell_w - 1.0).max(1.0), ROW_HEIGHT - 2.0),
                        );
                        let color = match cell {
                            Some(c) => colors::drift(c.drift),
                            None if t.is_analysed() => Color32::from_gray(60),
                            None => colors::NOT_ANALYSED,
                        };
                        painter.rect_filled(r, 1.0, color);
                    }
                    let sentence_at = |pos: egui::Pos2| -> Option<usize> {
                        let x = pos.x - rect.left() - LABEL_WIDTH;
                        (x >= 0.0).then(|| ((x / cell_w) as usize).min(n.saturating_sub(1)))
                    };
                    if let Some(pos) = resp.hover_pos() {
                        if let Some(s) = sentence_at(pos) {
                            let text = &original.sentences[s].text;
                            let short: String = text.chars().take(120).collect();
                            let drift = cells[s]
                                .map(|c| format!("drift {:.2}", c.drift))
                                .unwrap_or_else(|| {
                                    if t.is_analysed() {
                                        "no pair".into()
                                    } else {
                                        "not analysed".into()
                                    }
                                });
                            resp.clone().on_hover_text(format!(
                                "{} ({}) · sentence {s} · {drift}\n{short}",
                                t.label,
                                t.views_note()
                            ));
                        }
                    }
                    if resp.clicked() {
                        let pair = resp
                            .interact_pointer_pos()
                            .and_then(sentence_at)
                            .and_then(|s| state::pair_of_sentence(t, s));
                        open = Some((t.label.clone(), pair));
                    }
                }

                // Right: counts and chart.
                let ui = &mut cols[1];
                ui.label(egui::RichText::new("Pairs per level").strong());
                counts_grid(wb, &order, ui, &mut open);
                ui.add_space(8.0);
                ui.label(egui::RichText::new("Share of pairs flagged, per language").strong());
                chart(wb, &order, ui);
            });
        });
    if let Some((label, pair)) = open {
        wb.state.open_pair(&label, pair);
    }
}

/// The table of pairs per level, one row per language (a click opens it side by side).
fn counts_grid(
    wb: &Workbench,
    order: &[usize],
    ui: &mut egui::Ui,
    open: &mut Option<(String, Option<usize>)>,
) {
    egui::Grid::new("counts")
        .striped(true)
        .num_columns(7)
        .show(ui, |ui| {
            for h in [
                "language",
                "engine",
                "none",
                "minor",
                "major",
                "critical",
                "mean drift",
            ] {
                ui.label(egui::RichText::new(h).small().strong());
            }
            ui.end_row();
            for &i in order {
                let t = &wb.model.translations[i];
                if ui
                    .link(&t.label)
                    .on_hover_text(format!("Open {} side by side", t.label))
                    .clicked()
                {
                    *open = Some((t.label.clone(), None));
                }
                if t.is_analysed() {
                    let s = DriftSummary::of(t);
                    if t.is_direct_only() {
                        let fix = t.not_run.first().map(|n| n.fix.as_str()).unwrap_or("");
                        ui.label(
                            egui::RichText::new("direct only")
                                .small()
                                .color(colors::DIRECT_ONLY),
                        )
                        .on_hover_text(format!(
                            "No back-translation engine for this language here; {fix} would add one"
                        ));
                    } else {
                        let engine = t.engine.as_deref().unwrap_or("");
                        let short = engine.split(" (").next().unwrap_or(engine);
                        ui.label(egui::RichText::new(short).small())
                            .on_hover_text(t.views_note());
                    }
                    for (k, c) in s.counts.iter().enumerate() {
                        let text = egui::RichText::new(c.to_string());
                        ui.label(if k >= 2 && *c > 0 {
                            text.color(colors::level(state::LEVELS[k])).strong()
                        } else {
                            text
                        });
                    }
                    ui.label(format!("{:.2}", s.mean));
                } else {
                    ui.label(
                        egui::RichText::new("not analysed")
                            .small()
                            .color(colors::NOT_ANALYSED),
                    );
                    for _ in 0..4 {
                        ui.label("–");
                    }
                    ui.label("");
                }
                ui.end_row();
            }
        });
}

fn legend(ui: &mut egui::Ui) {
    ui.horizontal(|ui| {
        for (d, name) in [
            (0.0, "0"),
            (0.25, ""),
            (0.5, "0.5"),
            (0.75, ""),
            (1.0, "1 drift"),
        ] {
            let (r, _) = ui.allocate_exact_size(Vec2::new(14.0, 10.0), Sense::hover());
            ui.painter().rect_filled(r, 1.0, colors::drift(d));
            if !name.is_empty() {
                ui.label(egui::RichText::new(name).small());
            }
        }
        let (r, _) = ui.allocate_exact_size(Vec2::new(14.0, 10.0), Sense::hover());
        ui.painter().rect_filled(r, 1.0, colors::NOT_ANALYSED);
        ui.label(egui::RichText::new("not analysed").small());
        let (r, _) = ui.allocate_exact_size(Vec2::new(3.0, 10.0), Sense::hover());
        ui.painter().rect_filled(r, 0.0, colors::DIRECT_ONLY);
        ui.label(
            egui::RichText::new("direct only: no back-translation engine here")
                .small()
                .color(colors::DIRECT_ONLY),
        )
        .on_hover_text("Compared with the original directly: numbers, names, quotation marks, English left in place, length and cross-lingual similarity. A back-translation would also read negation, certainty and reworded quotations.");
    });
}

fn chart(wb: &Workbench, order: &[usize], ui: &mut egui::Ui) {
    use egui_plot::{Bar, BarChart, Plot};
    let analysed: Vec<usize> = order
        .iter()
        .copied()
        .filter(|&i| wb.model.translations[i].is_analysed())
        .collect();
    let labels: Vec<String> = analysed
        .iter()
        .map(|&i| wb.model.translations[i].label.clone())
        .collect();
    let bars: Vec<Bar> = analysed
        .iter()
        .enumerate()
        .map(|(x, &i)| {
            let s = DriftSummary::of(&wb.model.translations[i]);
            Bar::new(x as f64, s.flagged_share() as f64)
                .name(&wb.model.translations[i].label)
                .fill(colors::drift(s.flagged_share().max(s.mean)))
                .width(0.7)
        })
        .collect();
    let chart = BarChart::new("flagged share", bars);
    Plot::new("drift per language")
        .height(220.0)
        .allow_zoom(false)
        .allow_drag(false)
        .allow_scroll(false)
        .include_y(0.0)
        .include_y(1.0)
        .y_axis_label("flagged share")
        .x_axis_formatter(move |mark, _| {
            let i = mark.value.round();
            if (mark.value - i).abs() < 1e-6 && i >= 0.0 {
                labels.get(i as usize).cloned().unwrap_or_default()
            } else {
                String::new()
            }
        })
        .show(ui, |plot| plot.bar_chart(chart));
}
