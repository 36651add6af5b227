//! Quotes: every quotation of the original × every analysed language, coloured by how well
//! it survived; below, the selected quotation with its words in each language side by side.

use super::cell::{show_text, Highlight};
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
    let Some(original) = wb.model.original.as_ref() else {
        ui.label("Reading the original…");
        return;
    };
    if original.quotes.is_empty() {
        ui.label("The original has no quotations.");
        return;
    }
    let order: Vec<usize> = state::sorted_languages(&wb.model.translations, wb.state.sort)
        .into_iter()
        .filter(|&i| wb.model.translations[i].is_analysed())
        .collect();
    let mut selected: usize = ui
        .data(|d| d.get_temp(selected_id()))
        .unwrap_or(0)
        .min(original.quotes.len() - 1);
    ui.label(
        egui::RichText::new(format!(
            "{} quotations × {} analysed translations — fidelity: 1 = intact, 0 = lost",
            original.quotes.len(),
            order.len()
        ))
        .strong(),
    );
    let languages_without = wb.model.translations.len() - order.len();
    if languages_without > 0 {
        ui.label(egui::RichText::new(format!("{languages_without} translations have no back-translation here and no fidelity (see Engines and models).")).small());
    }
    let mut open = None;
    egui::ScrollArea::vertical()
        .auto_shrink([false, false])
        .show(ui, |ui| {
            // The grid: a row per quotation, a column per language.
            let cell = Vec2::new(
                ((ui.available_width() - 260.0) / order.len().max(1) as f32).clamp(14.0, 46.0),
                18.0,
            );
            ui.horizontal(|ui| {
                ui.add_space(260.0);
                for &i in &order {
                    let (r, _) = ui.allocate_exact_size(
                        Vec2::new(cell.x - ui.spacing().item_spacing.x, cell.y),
                        Sense::hover(),
                    );
                    ui.painter().text(
                        r.center(),
                        egui::Align2::CENTER_CENTER,
                        &wb.model.translations[i].label,
                        egui::FontId::proportional(9.5),
                        ui.visuals().text_color(),
                    );
                }
            });
            for (qi, q) in original.quotes.iter().enumerate() {
                ui.horizontal(|ui| {
                    let short: String = q.text.chars().take(38).collect();
                    let title = format!(
                        "Q{} {}{}",
                        qi + 1,
                        short,
                        if q.text.chars().count() > 38 {
                            "…"
                        } else {
                            ""
                        }
                    );
                    let r = ui.add_sized(
                        [252.0, cell.y],
                        egui::Button::selectable(
                            selected == qi,
                            egui::RichText::new(title).small(),
                        ),
                    );
                    if r.on_hover_text(format!(
                        "{}\n— {}",
                        q.text,
                        q.speaker.as_deref().unwrap_or("speaker unknown")
                    ))
                    .clicked()
                    {
                        selected = qi;
                    }
                    for &i in &order {
                        let t = &wb.model.translations[i];
                        let (r, resp) = ui.allocate_exact_size(
                            Vec2::new(cell.x - ui.spacing().item_spacing.x, cell.y),
                            Sense::click(),
                        );
                        let label = t.label.clone();
                        resp.widget_info(|| {
                            egui::WidgetInfo::labeled(
                                egui::Role::Button,
                                true,
                                format!("Quote {} in {label}", qi + 1),
                            )
                        });
                        match t.quotes.iter().find(|f| f.quote == q.id) {
                            Some(f) => {
                                ui.painter()
                                    .rect_filled(r, 2.0, colors::drift(1.0 - f.fidelity));
                                ui.painter().text(
                                    r.center(),
                                    egui::Align2::CENTER_CENTER,
                                    format!("{:.1}", f.fidelity),
                                    egui::FontId::proportional(9.5),
                                    egui::Color32::BLACK,
                                );
                                resp.clone().on_hover_text(format!(
                                    "{}: fidelity {:.2} ({}) — {}",
                                    t.label,
                                    f.fidelity,
                                    f.level.name(),
                                    f.message
                                ));
                            }
                            None => {
                                ui.painter().rect_filled(r, 2.0, colors::NOT_ANALYSED);
                            }
                        }
                        if resp.clicked() {
                            selected = qi;
                            open = Some((
                                t.label.clone(),
                                q.sentences
                                    .first()
                                    .and_then(|&s| state::pair_of_sentence(t, s)),
                            ));
                        }
                    }
                });
            }
            ui.separator();
            let q = &original.quotes[selected];
            detail(ui, q, selected, &order, &wb.model.translations);
        });
    ui.data_mut(|d| d.insert_temp(selected_id(), selected));
    if let Some((label, pair)) = open {
        // A click in the grid selects the quotation; a double purpose would surprise, so only
        // the detail's "open" buttons switch views. Keep the language selected for them.
        wb.state.selection.label = Some(label);
        wb.state.selection.pair = pair;
    }
}

fn detail(
    ui: &mut egui::Ui,
    q: &QuoteReport,
    qi: usize,
    order: &[usize],
    translations: &[TranslationReport],
) {
    ui.label(
        egui::RichText::new(format!(
            "Q{} — {}",
            qi + 1,
            q.speaker.as_deref().unwrap_or("speaker unknown")
        ))
        .strong(),
    );
    show_text(ui, &q.text, false, &[]);
    ui.add_space(4.0);
    let w = ui.available_width();
    let col = ((w - 170.0) / 2.0).max(160.0);
    let head = 130.0;
    ui.horizontal(|ui| {
        for (w, t) in [
            (head, "language · fidelity"),
            (col, "the quoted words in the translation"),
            (col, "back-translation"),
        ] {
            ui.allocate_ui_with_layout(
                Vec2::new(w, 0.0),
                egui::Layout::top_down(egui::Align::Min),
                |ui| {
                    ui.set_width(w);
                    ui.label(egui::RichText::new(t).small().strong());
                },
            );
        }
    });
    for &i in order {
        let t = &translations[i];
        let f = t.quotes.iter().find(|f| f.quote == q.id);
        let pairs: Vec<&PairReport> = t
            .pairs
            .iter()
            .filter(|p| p.original.iter().any(|s| q.sentences.contains(s)))
            .collect();
        let rtl = crate::text::language(&t.lang)
            .map(|l| l.direction == crate::text::Direction::Rtl)
            .unwrap_or(false);
        let translated = pairs
            .iter()
            .map(|p| p.translated_text.as_str())
            .collect::<Vec<_>>()
            .join(" ");
        let back = pairs
            .iter()
            .map(|p| p.back_translation.as_str())
            .collect::<Vec<_>>()
            .join(" ");
        egui::Frame::new()
            .inner_margin(2.0)
            .stroke(egui::Stroke::new(
                0.5,
                ui.visuals().widgets.noninteractive.bg_stroke.color,
            ))
            .show(ui, |ui| {
                ui.horizontal_top(|ui| {
                    ui.allocate_ui_with_layout(
                        Vec2::new(head, 0.0),
                        egui::Layout::top_down(egui::Align::Min),
                        |ui| {
                            ui.set_width(head);
                            ui.label(egui::RichText::new(&t.label).strong());
                            if let Some(f) = f {
                                ui.label(
                                    egui::RichText::new(format!(
                                        "{:.2} {}",
                                        f.fidelity,
                                        f.level.name()
                                    ))
                                    .color(colors::level(f.level)),
                                )
                                .on_hover_text(&f.message);
                            }
                        },
                    );
                    for (text, rtl) in [(&translated, rtl), (&back, false)] {
                        ui.allocate_ui_with_layout(
                            Vec2::new(col, 0.0),
                            egui::Layout::top_down(egui::Align::Min),
                            |ui| {
                                ui.set_width(col);
                                let marks: Vec<Highlight> = quoted_ranges(text)
                                    .into_iter()
                                    .map(|range| Highlight {
                                        range,
                                        color: QUOTED,
                                    })
                                    .collect();
                                show_text(ui, text, rtl, &marks);
                            },
                        );
                    }
                });
            });
    }
}

/// The background of quoted words.
const QUOTED: egui::Color32 = egui::Color32::from_rgb(196, 218, 246);

/// Byte ranges of the quoted passages of a text (the words between a pair of quotation
/// marks of any convention: “…”, «…», „…“, »…«, 「…」, "…"), marks included.
pub fn quoted_ranges(text: &str) -> Vec<std::ops::Range<usize>> {
    const PAIRS: [(char, &[char]); 7] = [
        ('“', &['”']),
        ('«', &['»']),
        ('„', &['“', '”']),
        ('»', &['«']),
        ('「', &['」']),
        ('『', &['』']),
        ('"', &['"']),
    ];
    let mut out = Vec::new();
    let mut i = 0;
    while i < text.len() {
        let Some(c) = text[i..].chars().next() else {
            break;
        };
        let next = i + c.len_utf8();
        if let Some((_, closers)) = PAIRS.iter().find(|(o, _)| *o == c) {
            if let Some(end) = text[next..].find(|x: char| closers.contains(&x)) {
                let close = next + end;
                let close_len = text[close..]
                    .chars()
                    .next()
                    .map(char::len_utf8)
                    .unwrap_or(1);
                out.push(i..close + close_len);
                i = close + close_len;
                continue;
            }
        }
        i = next;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::quoted_ranges;

    #[test]
    fn quoted_passages_of_every_convention() {
        let t = "Dijo: «Este mes, 12 bombarderos» y “more” and „so“.";
        let r = quoted_ranges(t);
        let parts: Vec<&str> = r.iter().map(|r| &t[r.clone()]).collect();
        assert_eq!(parts, ["«Este mes, 12 bombarderos»", "“more”", "„so“"]);
        assert_eq!(quoted_ranges("他说：「好」。").len(), 1);
        assert!(quoted_ranges("an unclosed « mark").is_empty());
    }
}
