//! Every script of the corpus is legible: fonts for each, right-to-left text in visual order
//! with joined letters. Renders one sentence per language with `show_text` through
//! egui_kittest (wgpu) into `screenshots/scripts.png`.

mod common;

use driftlens::ui::fonts::{self, FontSource, Script};
use driftlens::ui::script::{show_text, Highlight};
use eframe::egui::{self, Color32, FontFamily, FontId};
use std::path::{Path, PathBuf};

fn corpus() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("corpora/russia-china-alliance")
}

fn sentences(lang: &str) -> Vec<String> {
    let path = corpus().join(format!("{lang}.md"));
    let doc = driftlens::text::load(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let seg = driftlens::text::segment(&doc, Some(lang))
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    seg.sentences
        .iter()
        .map(|s| s.text(&doc.text).to_string())
        .collect()
}

/// The dateline ("Global Research، 15 ديسمبر 2021": Latin, numbers and the script together)
/// and the first long sentence with a number in it.
fn sample(lang: &str) -> (String, String) {
    let all = sentences(lang);
    let dateline = all
        .iter()
        .find(|s| s.contains("Global Research"))
        .cloned()
        .unwrap_or_else(|| panic!("{lang}.md has no dateline"));
    let long = all
        .iter()
        .find(|s| s.chars().count() > 90 && s.chars().any(|c| c.is_numeric()))
        .cloned()
        .unwrap_or_else(|| panic!("{lang}.md has no long sentence with a number"));
    (dateline, long)
}

const LANGS: [(&str, bool); 14] = [
    ("ar", true),
    ("fa", true),
    ("ur", true),
    ("he", true),
    ("zh", false),
    ("ja", false),
    ("ko", false),
    ("hi", false),
    ("bn", false),
    ("th", false),
    ("ka", false),
    ("hy", false),
    ("el", false),
    ("ru", false),
];

/// A context with these fonts applied (they take effect with the next frame).
fn context_with(defs: egui::FontDefinitions) -> egui::Context {
    let ctx = egui::Context::default();
    ctx.set_fonts(defs);
    let mut out = ctx.run_ui(Default::default(), |_| {});
    out.textures_delta.clear();
    ctx
}

fn body() -> FontId {
    FontId::new(14.0, FontFamily::Proportional)
}

/// Characters of `text` that no installed font has a glyph for.
fn missing_glyphs(ctx: &egui::Context, text: &str) -> Vec<char> {
    let mut missing: Vec<char> = ctx.fonts_mut(|f| {
        text.chars()
            .filter(|c| {
                !c.is_whitespace() && !c.is_control() && !matches!(c, '\u{200B}'..='\u{200F}')
            })
            .filter(|&c| !f.has_glyph(&body(), c))
            .collect()
    });
    missing.sort();
    missing.dedup();
    missing
}

#[test]
fn screenshot_of_every_script_with_right_to_left_text_in_order() {
    let samples: Vec<(&str, bool, String, String)> = LANGS
        .iter()
        .map(|&(l, rtl)| {
            let (a, b) = sample(l);
            (l, rtl, a, b)
        })
        .collect();
    let samples_for_ui = samples.clone();
    let report = std::sync::Arc::new(std::sync::Mutex::new(None));
    let report_in_ui = report.clone();
    let mut harness = egui_kittest::Harness::builder()
        .with_size(egui::vec2(1100.0, 1010.0))
        .build_ui(move |ui| {
            // Fonts first: they apply from the next frame on (as in the workbench).
            let mut report = report_in_ui.lock().unwrap();
            if report.is_none() {
                *report = Some(fonts::install_fonts(ui.ctx()));
                ui.ctx().set_visuals(egui::Visuals::light());
                ui.ctx().request_repaint();
                return;
            }
            egui::ScrollArea::neither().show(ui, |ui| {
                for (lang, rtl, dateline, long) in &samples_for_ui {
                    ui.horizontal_top(|ui| {
                        ui.add_sized(
                            [40.0, 18.0],
                            egui::Label::new(egui::RichText::new(*lang).strong()),
                        );
                        ui.vertical(|ui| {
                            ui.set_width(1020.0);
                            show_text(ui, dateline, *rtl, &[]);
                            // Highlight the first number of the long sentence, as drift reasons do.
                            let digit = long
                                .char_indices()
                                .find(|(_, c)| c.is_numeric())
                                .map(|(i, _)| i)
                                .unwrap_or(0);
                            let end = long[digit..]
                                .char_indices()
                                .find(|(_, c)| !c.is_numeric())
                                .map(|(i, _)| digit + i)
                                .unwrap_or(long.len());
                            show_text(
                                ui,
                                long,
                                *rtl,
                                &[Highlight {
                                    range: digit..end,
                                    color: Color32::from_rgba_unmultiplied(245, 196, 80, 160),
                                }],
                            );
                        });
                    });
                    ui.separator();
                }
            });
        });
    harness.run();
    eprintln!(
        "fonts:\n{}",
        report
            .lock()
            .unwrap()
            .as_ref()
            .expect("installed on the first frame")
    );

    // Every character of every sample has a glyph (no replacement boxes).
    let mut problems = Vec::new();
    for (lang, _, a, b) in &samples {
        let missing = missing_glyphs(&harness.ctx, &format!("{a} {b}"));
        if !missing.is_empty() {
            problems.push(format!("{lang}: no glyph for {missing:?}"));
        }
    }
    assert!(problems.is_empty(), "{problems:#?}");

    // The texts are in the accessibility tree under their own words.
    use egui_kittest::kittest::Queryable;
    harness.get_by_label(&samples[0].2);

    let image = harness.render().expect("render with wgpu");
    let out = common::screenshot_path("scripts.png");
    common::keep_screenshot(&image, &out);
    // Text was drawn (dark on the light theme) down to the last language's rows.
    let dark_rows: Vec<u32> = (0..image.height())
        .filter(|&y| (0..image.width()).any(|x| image.get_pixel(x, y).0[0] < 90))
        .collect();
    assert!(
        dark_rows.len() > 400,
        "only {} rows with text in {}",
        dark_rows.len(),
        out.display()
    );
}

/// egui 0.37 shapes each run with harfrust and the font's OpenType tables: Arabic letters
/// join (init/medi/fina forms, lam-alef ligature) and come out in visual order.
fn check_arabic_joins(defs: egui::FontDefinitions) {
    let ctx = context_with(defs);
    let font = body();
    let (word, isolated) = ctx.fonts_mut(|f| {
        let word = f.layout_no_wrap("سلام".into(), font.clone(), Color32::WHITE);
        let isolated: f32 = "سلام"
            .chars()
            .map(|c| {
                f.layout_no_wrap(c.to_string(), font.clone(), Color32::WHITE)
                    .size()
                    .x
            })
            .sum();
        (word, isolated)
    });
    // Joined (initial, medial, final) forms are narrower than the four isolated letters.
    assert!(
        word.size().x < 0.9 * isolated,
        "سلام is {} wide, its isolated letters {isolated}: the letters did not join",
        word.size().x
    );
    // Glyphs come out in visual order: the last letter (م) is leftmost.
    let glyphs: Vec<(char, f32)> = word
        .rows
        .iter()
        .flat_map(|r| {
            r.glyphs
                .iter()
                .filter(|g| g.advance_width > 0.0)
                .map(|g| (g.chr, g.pos.x))
        })
        .collect();
    let leftmost = glyphs.iter().min_by(|a, b| a.1.total_cmp(&b.1)).unwrap().0;
    assert_eq!(leftmost, 'م', "glyphs {glyphs:?}");
    // Lam-alef becomes one ligature: "لا" is narrower than ل plus ا.
    let (lam_alef, parts) = ctx.fonts_mut(|f| {
        let l = f
            .layout_no_wrap("لا".into(), font.clone(), Color32::WHITE)
            .size()
            .x;
        let p = f
            .layout_no_wrap("ل".into(), font.clone(), Color32::WHITE)
            .size()
            .x
            + f.layout_no_wrap("ا".into(), font.clone(), Color32::WHITE)
                .size()
                .x;
        (l, p)
    });
    assert!(lam_alef < parts, "لا {lam_alef} vs ل + ا {parts}");
}

#[test]
fn arabic_letters_join_and_run_right_to_left_with_system_fonts() {
    check_arabic_joins(fonts::font_definitions(&fonts::system_font_dirs()).0);
}

#[test]
fn arabic_letters_join_and_run_right_to_left_with_the_bundled_subset() {
    check_arabic_joins(fonts::font_definitions(&[]).0);
}

#[test]
fn the_bundled_subsets_alone_cover_every_corpus_file() {
    let (defs, report) = fonts::font_definitions(&[]);
    assert!(report
        .scripts
        .iter()
        .all(|(_, s)| matches!(s, FontSource::Bundled { .. })));
    let ctx = context_with(defs);
    let mut problems = Vec::new();
    for entry in std::fs::read_dir(corpus()).unwrap().flatten() {
        let path = entry.path();
        if path.extension().and_then(|e| e.to_str()) != Some("md") {
            continue;
        }
        let text = std::fs::read_to_string(&path).unwrap();
        let missing = missing_glyphs(&ctx, &text);
        if !missing.is_empty() {
            problems.push(format!("{}: no glyph for {missing:?}", path.display()));
        }
    }
    assert!(problems.is_empty(), "{problems:#?}");
}

#[test]
fn installed_noto_fonts_are_used_when_present() {
    let dir = tempfile::tempdir().unwrap();
    // A folder with one real Arabic font file and one damaged "font".
    let arabic = fonts::system_font_dirs()
        .iter()
        .map(|d| d.join("truetype/noto/NotoSansArabic-Regular.ttf"))
        .find(|p| p.is_file());
    let Some(arabic) = arabic else {
        // Without Noto installed there is nothing to find; the bundled test covers that case.
        let (_, report) = fonts::font_definitions(&fonts::system_font_dirs());
        assert!(matches!(
            report.source(Script::Arabic),
            Some(FontSource::Bundled { .. })
        ));
        return;
    };
    std::fs::copy(&arabic, dir.path().join("NotoSansArabic-Regular.ttf")).unwrap();
    std::fs::write(dir.path().join("NotoSansHebrew-Regular.ttf"), b"not a font").unwrap();
    let (_, report) = fonts::font_definitions(&[dir.path().to_path_buf()]);
    assert_eq!(
        report.source(Script::Arabic),
        Some(&FontSource::System {
            path: dir.path().join("NotoSansArabic-Regular.ttf"),
            face: 0
        })
    );
    match report.source(Script::Hebrew) {
        Some(FontSource::Bundled { why, .. }) => assert!(why.contains("not a font file"), "{why}"),
        other => panic!("a damaged Hebrew font should fall back to the bundled one, got {other:?}"),
    }
    assert!(report.to_string().contains("NotoSansArabic-Regular.ttf"));
}
