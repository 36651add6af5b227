//! Text in every script, right-to-left included.
//!
//! egui 0.37 shapes each run of text with harfrust (so an Arabic word written in logical
//! order comes out with joined letters and in visual order, lam-alef ligatures and Persian and
//! Urdu letters included, from the font's own OpenType tables), but it knows nothing of the
//! Unicode bidi algorithm: a right-to-left sentence would show its words left to right, split
//! wherever egui changes font (at every space, digit or Latin name). [`show_text`] therefore
//! does the bidi part itself, in pure steps with tests of their own:
//!
//! 1. [`atoms`]: the logical text is cut into atoms a line never splits: a right-to-left word
//!    (letters and their marks, shaped together by egui), a left-to-right word, a space, or a
//!    single neutral character (punctuation, brackets) or Arabic-script digit placed on its own;
//!    each with its embedding level from `unicode-bidi`.
//! 2. [`break_lines`]: lines are broken on the logical text, at spaces, to the available width.
//! 3. [`visual_order`]: each line is reordered on its own (rules L1 and L2 of UAX #9), so
//!    numbers and Latin names stay left to right inside a right-to-left line, and brackets in
//!    right-to-left runs are mirrored ([`mirror`]).
//! 4. The atoms are painted in that order, right-aligned; highlights, given as byte ranges of
//!    the logical text, are painted under the atoms (and parts of atoms) that hold those bytes.
//!
//! Left-to-right text goes straight to egui's own wrapping layout.

use eframe::egui::{self, Color32, FontId, Galley, Rect, Sense, TextFormat};
use std::ops::Range;
use std::sync::Arc;
use unicode_bidi::{bidi_class, BidiClass, BidiInfo, Level};

/// A background colour under the bytes `range` of the logical text.
#[derive(Debug, Clone, PartialEq)]
pub struct Highlight {
    pub range: Range<usize>,
    pub color: Color32,
}

/// What kind of unit an [`Atom`] is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AtomKind {
    /// Letters (and marks, joiners) laid out and shaped together.
    Word,
    /// One whitespace character: a line may break after it.
    Space,
    /// One character placed on its own: punctuation or a bracket inside right-to-left text,
    /// or an Arabic-script digit (which egui would otherwise shape right to left).
    Single,
}

/// A piece of one paragraph that a line never splits, with its bidi embedding level
/// (odd = right to left).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Atom {
    pub range: Range<usize>,
    pub kind: AtomKind,
    pub level: u8,
}

impl Atom {
    pub fn is_rtl(&self) -> bool {
        self.level % 2 == 1
    }
}

fn base_level(rtl: bool) -> Level {
    if rtl {
        Level::rtl()
    } else {
        Level::ltr()
    }
}

/// Letters and what joins them: marks (bidi class NSM), ZWJ, ZWNJ (Persian uses it inside
/// words), tatweel.
fn is_word_char(c: char) -> bool {
    c.is_alphabetic()
        || bidi_class(c) == BidiClass::NSM
        || matches!(c, '\u{200C}' | '\u{200D}' | '\u{0640}')
}

fn is_arabic_digit(c: char) -> bool {
    matches!(c, '\u{0660}'..='\u{0669}' | '\u{06F0}'..='\u{06F9}')
}

/// Cuts one paragraph (text without line feeds) into atoms, in logical order.
pub fn atoms(paragraph: &str, rtl: bool) -> Vec<Atom> {
    let bidi = BidiInfo::new(paragraph, Some(base_level(rtl)));
    let mut out: Vec<Atom> = Vec::new();
    for (i, c) in paragraph.char_indices() {
        let level = bidi.levels.get(i).map(|l| l.number()).unwrap_or(0);
        let end = i + c.len_utf8();
        let kind = if c.is_whitespace() {
            AtomKind::Space
        } else if is_arabic_digit(c) || level % 2 == 1 && !is_word_char(c) {
            AtomKind::Single
        } else {
            AtomKind::Word
        };
        if kind == AtomKind::Word {
            if let Some(last) = out.last_mut() {
                // A mark always stays with its base, whatever level it resolved to.
                let joins = last.kind == AtomKind::Word
                    && (last.level == level || bidi_class(c) == BidiClass::NSM);
                if joins && last.range.end == i {
                    last.range.end = end;
                    continue;
                }
            }
        }
        out.push(Atom {
            range: i..end,
            kind,
            level,
        });
    }
    out
}

/// Breaks a paragraph's atoms into lines no wider than `max_width` (a word wider than the
/// whole line gets a line of its own). Lines break after spaces; trailing spaces do not count
/// toward the width. Returns ranges of atom indices.
pub fn break_lines(
    atoms: &[Atom],
    width_of: impl Fn(usize) -> f32,
    max_width: f32,
) -> Vec<Range<usize>> {
    let mut lines = Vec::new();
    let mut start = 0;
    let mut width = 0.0_f32; // of atoms start..i, without trailing spaces
    let mut pending_spaces = 0.0_f32;
    let mut i = 0;
    while i < atoms.len() {
        // The unit: non-space atoms up to the next space.
        let mut j = i;
        let mut unit = 0.0;
        while j < atoms.len() && atoms[j].kind != AtomKind::Space {
            unit += width_of(j);
            j += 1;
        }
        if j > i && start < i && width + pending_spaces + unit > max_width {
            lines.push(start..i);
            start = i;
            width = 0.0;
            pending_spaces = 0.0;
        }
        if j > i {
            width += pending_spaces + unit;
            pending_spaces = 0.0;
        }
        // The spaces after the unit.
        while j < atoms.len() && atoms[j].kind == AtomKind::Space {
            pending_spaces += width_of(j);
            j += 1;
        }
        i = j;
    }
    if start < atoms.len() || lines.is_empty() {
        lines.push(start..atoms.len());
    }
    lines
}

/// The atoms of one line (`line`, a range of atom indices) in visual order, left to right,
/// each with its level after rule L1 (trailing whitespace takes the paragraph's level).
pub fn visual_order(
    paragraph: &str,
    atoms: &[Atom],
    line: Range<usize>,
    rtl: bool,
) -> Vec<(usize, u8)> {
    visual_order_in(
        &BidiInfo::new(paragraph, Some(base_level(rtl))),
        atoms,
        line,
    )
}

/// [`visual_order`] with the paragraph's bidi analysis done once for all its lines.
fn visual_order_in(bidi: &BidiInfo<'_>, atoms: &[Atom], line: Range<usize>) -> Vec<(usize, u8)> {
    if line.is_empty() {
        return Vec::new();
    }
    let bytes = atoms[line.start].range.start..atoms[line.end - 1].range.end;
    let levels: Vec<Level> = match bidi.paragraphs.first() {
        Some(para) => bidi.reordered_levels(para, bytes),
        None => return line.map(|i| (i, atoms[i].level)).collect(),
    };
    let atom_levels: Vec<Level> = line.clone().map(|i| levels[atoms[i].range.start]).collect();
    BidiInfo::reorder_visual(&atom_levels)
        .into_iter()
        .map(|k| (line.start + k, atom_levels[k].number()))
        .collect()
}

/// The mirrored form of a bracket-like character shown right to left (rule L4).
pub fn mirror(c: char) -> char {
    match c {
        '(' => ')',
        ')' => '(',
        '[' => ']',
        ']' => '[',
        '{' => '}',
        '}' => '{',
        '<' => '>',
        '>' => '<',
        '«' => '»',
        '»' => '«',
        '‹' => '›',
        '›' => '‹',
        '⁅' => '⁆',
        '⁆' => '⁅',
        '⁽' => '⁾',
        '⁾' => '⁽',
        '₍' => '₎',
        '₎' => '₍',
        '≤' => '≥',
        '≥' => '≤',
        _ => c,
    }
}

/// The text egui is given for an atom at a resolved level: mirrored if it is a single
/// character shown right to left; otherwise the logical text (egui shapes a right-to-left word
/// and puts its glyphs in visual order itself).
pub fn atom_display_text(paragraph: &str, atom: &Atom, level: u8) -> String {
    let s = &paragraph[atom.range.clone()];
    if atom.kind == AtomKind::Single && level % 2 == 1 {
        s.chars().map(mirror).collect()
    } else {
        s.to_string()
    }
}

/// One line in visual order as a string of characters, left to right as they appear on
/// screen (the characters of a right-to-left word reversed, brackets mirrored). For tests and
/// debugging: the screen shows shaped glyphs, this shows their order.
pub fn visual_string(paragraph: &str, rtl: bool) -> String {
    let atoms = atoms(paragraph, rtl);
    visual_order(paragraph, &atoms, 0..atoms.len(), rtl)
        .into_iter()
        .map(|(i, level)| {
            let a = &atoms[i];
            let s = atom_display_text(paragraph, a, level);
            if a.kind == AtomKind::Word && level % 2 == 1 {
                s.chars().rev().collect()
            } else {
                s
            }
        })
        .collect()
}

/// Where part of an atom lies, given the atom's left edge and width, and the widths of the
/// atom's text up to the start and up to the end of the part (logical prefixes). A
/// right-to-left atom starts at its right edge.
pub fn part_extent(
    left: f32,
    width: f32,
    rtl: bool,
    prefix_start: f32,
    prefix_end: f32,
) -> Range<f32> {
    if rtl {
        (left + width - prefix_end).max(left)..(left + width - prefix_start).min(left + width)
    } else {
        (left + prefix_start).max(left)..(left + prefix_end).min(left + width)
    }
}

fn layout(ui: &egui::Ui, text: String, font: &FontId, color: Color32) -> Arc<Galley> {
    ui.ctx()
        .fonts_mut(|f| f.layout_no_wrap(text, font.clone(), color))
}

/// Lays `text` out wrapped to the available width and paints it, with `highlights` (byte
/// ranges of `text`) as background colours. Right-to-left text (`rtl`) is reordered per
/// line by the bidi algorithm and right-aligned. The response carries the text as its
/// AccessKit label.
pub fn show_text(
    ui: &mut egui::Ui,
    text: &str,
    rtl: bool,
    highlights: &[Highlight],
) -> egui::Response {
    let font = egui::TextStyle::Body.resolve(ui.style());
    let color = ui.visuals().text_color();
    let max_width = ui.available_width().max(1.0);
    let response = if rtl {
        show_rtl(ui, text, highlights, &font, color, max_width)
    } else {
        show_ltr(ui, text, highlights, &font, color, max_width)
    };
    let enabled = ui.is_enabled();
    response.widget_info(|| egui::WidgetInfo::labeled(egui::Role::Label, enabled, text));
    response
}

/// Cuts `text` at the highlights' edges (moved back to character boundaries, clamped to the
/// text): (range, background colour), covering the whole text; a later highlight wins where
/// two overlap.
fn highlight_sections(text: &str, highlights: &[Highlight]) -> Vec<(Range<usize>, Color32)> {
    let snap = |mut i: usize| {
        i = i.min(text.len());
        while !text.is_char_boundary(i) {
            i -= 1;
        }
        i
    };
    let mut cuts: Vec<usize> = vec![0, text.len()];
    for h in highlights {
        cuts.push(snap(h.range.start));
        cuts.push(snap(h.range.end));
    }
    cuts.sort_unstable();
    cuts.dedup();
    cuts.windows(2)
        .map(|w| {
            let bg = highlights
                .iter()
                .rev()
                .find(|h| snap(h.range.start) <= w[0] && w[1] <= snap(h.range.end))
                .map(|h| h.color)
                .unwrap_or(Color32::TRANSPARENT);
            (w[0]..w[1], bg)
        })
        .collect()
}

fn show_ltr(
    ui: &mut egui::Ui,
    text: &str,
    highlights: &[Highlight],
    font: &FontId,
    color: Color32,
    max_width: f32,
) -> egui::Response {
    let mut job = egui::text::LayoutJob {
        text: text.to_string(),
        ..Default::default()
    };
    job.wrap.max_width = max_width;
    for (range, bg) in highlight_sections(text, highlights) {
        job.sections.push(egui::text::LayoutSection {
            leading_space: 0.0,
            byte_range: egui::text::ByteIndex(range.start)..egui::text::ByteIndex(range.end),
            format: TextFormat {
                font_id: font.clone(),
                color,
                background: bg,
                ..Default::default()
            },
        });
    }
    if job.sections.is_empty() {
        job.sections.push(egui::text::LayoutSection {
            leading_space: 0.0,
            byte_range: egui::text::ByteIndex(0)..egui::text::ByteIndex(text.len()),
            format: TextFormat {
                font_id: font.clone(),
                color,
                ..Default::default()
            },
        });
    }
    let galley = ui.ctx().fonts_mut(|f| f.layout_job(job));
    let (rect, response) = ui.allocate_exact_size(galley.size(), Sense::hover());
    if ui.is_rect_visible(rect) {
        ui.painter().galley(rect.min, galley, color);
    }
    response
}

/// One atom placed on a line.
struct Placed {
    atom: usize,
    level: u8,
    x: f32,
    galley: Arc<Galley>,
}

fn show_rtl(
    ui: &mut egui::Ui,
    text: &str,
    highlights: &[Highlight],
    font: &FontId,
    color: Color32,
    max_width: f32,
) -> egui::Response {
    let row_height = ui.ctx().fonts_mut(|f| f.row_height(font));
    // Lay out every paragraph's lines first, then allocate the space and paint.
    let mut lines: Vec<(usize, Vec<Placed>, f32)> = Vec::new(); // (paragraph start, atoms, height)
    let mut paragraph_start = 0;
    for paragraph in text.split('\n') {
        let atoms = atoms(paragraph, true);
        let bidi = BidiInfo::new(paragraph, Some(base_level(true)));
        let galleys: Vec<Arc<Galley>> = atoms
            .iter()
            .map(|a| layout(ui, atom_display_text(paragraph, a, a.level), font, color))
            .collect();
        for line in break_lines(&atoms, |i| galleys[i].size().x, max_width) {
            let order = visual_order_in(&bidi, &atoms, line);
            let total: f32 = order.iter().map(|&(i, _)| galleys[i].size().x).sum();
            // Right-aligned; trailing spaces (now at the left) may hang past the edge.
            let mut x = max_width - total;
            let mut height = row_height;
            let mut placed = Vec::with_capacity(order.len());
            for (i, level) in order {
                let galley = galleys[i].clone();
                height = height.max(galley.size().y);
                let w = galley.size().x;
                placed.push(Placed {
                    atom: i,
                    level,
                    x,
                    galley,
                });
                x += w;
            }
            lines.push((paragraph_start, placed, height));
        }
        // Keep the atoms for the highlight pass by recomputing them there (cheap, pure).
        paragraph_start += paragraph.len() + 1;
    }
    let height: f32 = lines.iter().map(|l| l.2).sum::<f32>().max(row_height);
    let (rect, response) = ui.allocate_exact_size(egui::vec2(max_width, height), Sense::hover());
    if !ui.is_rect_visible(rect) {
        return response;
    }
    let painter = ui.painter();
    let mut y = rect.top();
    let mut cached: Option<(usize, Vec<Atom>)> = None;
    for (start, placed, line_height) in &lines {
        let paragraph = {
            let rest = &text[*start..];
            &rest[..rest.find('\n').unwrap_or(rest.len())]
        };
        if cached.as_ref().map(|c| c.0) != Some(*start) {
            cached = Some((*start, atoms(paragraph, true)));
        }
        let atoms = &cached.as_ref().expect("just set").1;
        for p in placed {
            let atom = &atoms[p.atom];
            let w = p.galley.size().x;
            let abs = (start + atom.range.start)..(start + atom.range.end);
            for h in highlights {
                let a = h.range.start.max(abs.start);
                let b = h.range.end.min(abs.end);
                if a >= b {
                    continue;
                }
                let (ra, rb) = (a - abs.start, b - abs.start);
                let own = &paragraph[atom.range.clone()];
                let extent = if ra == 0 && rb == own.len() || atom.kind != AtomKind::Word {
                    0.0..w
                } else {
                    let prefix = |n: usize| {
                        let mut n = n;
                        while !own.is_char_boundary(n) {
                            n -= 1;
                        }
                        if n == 0 {
                            0.0
                        } else {
                            layout(ui, own[..n].to_string(), font, color).size().x
                        }
                    };
                    part_extent(0.0, w, p.level % 2 == 1, prefix(ra), prefix(rb))
                };
                let r = Rect::from_min_max(
                    egui::pos2(rect.left() + p.x + extent.start, y),
                    egui::pos2(rect.left() + p.x + extent.end, y + line_height),
                );
                painter.rect_filled(r, 0.0, h.color);
            }
        }
        for p in placed {
            let dy = (line_height - p.galley.size().y) / 2.0;
            painter.galley(
                egui::pos2(rect.left() + p.x, y + dy),
                p.galley.clone(),
                color,
            );
        }
        y += line_height;
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(s: &str, rtl: bool) -> Vec<(String, AtomKind, u8)> {
        atoms(s, rtl)
            .into_iter()
            .map(|a| (s[a.range.clone()].to_string(), a.kind, a.level))
            .collect()
    }

    #[test]
    fn an_arabic_sentence_is_cut_into_words_spaces_and_neutrals() {
        let k = kinds("قال: (سلام) 2021", true);
        let texts: Vec<&str> = k.iter().map(|(s, _, _)| s.as_str()).collect();
        assert_eq!(texts, ["قال", ":", " ", "(", "سلام", ")", " ", "2021"]);
        assert_eq!(k[0].1, AtomKind::Word);
        assert_eq!(k[0].2, 1, "Arabic letters are right to left");
        assert_eq!(
            k[3].1,
            AtomKind::Single,
            "a bracket in right-to-left text stands alone to be mirrored"
        );
        assert_eq!(k[7].2 % 2, 0, "the number is left to right");
    }

    #[test]
    fn persian_zwnj_and_marks_stay_inside_the_word() {
        let k = kinds("می‌خواهم مُحَمَّد", true);
        let words: Vec<&str> = k
            .iter()
            .filter(|x| x.1 == AtomKind::Word)
            .map(|x| x.0.as_str())
            .collect();
        assert_eq!(words, ["می‌خواهم", "مُحَمَّد"]);
    }

    #[test]
    fn a_hebrew_line_with_a_number_and_an_english_name_reads_in_visual_order() {
        // Logical: "NATO" + " אמר " + "2021" ... the number and the name stay left to right.
        let line = "הברית עם NATO בשנת 2021";
        let visual = visual_string(line, true);
        assert_eq!(visual, "2021 תנשב NATO םע תירבה");
    }

    #[test]
    fn an_arabic_dateline_from_the_corpus_reads_in_visual_order() {
        let line = "Global Research، 15 ديسمبر 2021";
        // UAX #9: "15" follows the Latin name, so it is a left-to-right number (W7) and joins
        // "Global Research،" in one left-to-right run at the right edge; "2021" follows Arabic
        // letters, so it is an Arabic number (W2) at the left edge.
        assert_eq!(visual_string(line, true), "2021 ربمسيد Global Research، 15");
    }

    #[test]
    fn a_number_range_follows_the_bidi_rules_of_its_script() {
        // After Arabic letters numbers are Arabic numbers (W2) and a hyphen between them is
        // not a number separator (W4 joins only a comma or colon): the range runs right to left.
        assert_eq!(
            visual_string("للفترة 2021-2025، التي", true),
            "يتلا ،2025-2021 ةرتفلل"
        );
        // After Hebrew letters they stay European numbers, and the hyphen joins them (W4).
        assert_eq!(visual_string("בשנים 2021-2025", true), "2021-2025 םינשב");
    }

    #[test]
    fn brackets_are_mirrored_in_right_to_left_runs_only() {
        assert_eq!(visual_string("أ (ب) ج", true), "ج (ب) أ");
        assert_eq!(visual_string("a (b) c", false), "a (b) c");
    }

    #[test]
    fn persian_digits_keep_their_order() {
        // ۱۵ دسامبر ۲۰۲۱: the digits are Arabic script but are read left to right.
        assert_eq!(visual_string("۱۵ دسامبر ۲۰۲۱", true), "۲۰۲۱ ربماسد ۱۵");
    }

    #[test]
    fn lines_break_at_spaces_on_logical_text_then_each_line_is_reordered() {
        let p = "אחת שתיים שלוש ארבע";
        let a = atoms(p, true);
        // Every character 1 unit wide; 10 units per line.
        let width = |i: usize| p[a[i].range.clone()].chars().count() as f32;
        let lines = break_lines(&a, width, 10.0);
        let texts: Vec<&str> = lines
            .iter()
            .map(|l| p[a[l.start].range.start..a[l.end - 1].range.end].trim_end())
            .collect();
        assert_eq!(
            texts,
            ["אחת שתיים", "שלוש ארבע"],
            "the first words of the logical text fill the first line"
        );
        // The first line reordered on its own: its first logical word is at the right.
        let order = visual_order(p, &a, lines[0].clone(), true);
        let words: Vec<&str> = order
            .iter()
            .map(|&(i, _)| &p[a[i].range.clone()])
            .filter(|s| !s.trim().is_empty())
            .collect();
        assert_eq!(words, ["שתיים", "אחת"]);
    }

    #[test]
    fn a_long_word_gets_its_own_line() {
        let p = "a bbbbbbbbbbbbbbb c";
        let a = atoms(p, false);
        let lines = break_lines(&a, |i| p[a[i].range.clone()].len() as f32, 5.0);
        assert_eq!(lines.len(), 3);
    }

    #[test]
    fn a_highlight_follows_its_characters_through_reordering() {
        // "שלום NATO": highlight NATO (logical bytes). After reordering NATO is at the left.
        let p = "שלום NATO";
        let a = atoms(p, true);
        let order = visual_order(p, &a, 0..a.len(), true);
        let nato = p.find("NATO").unwrap();
        let first = order.first().unwrap().0;
        assert_eq!(
            a[first].range.start, nato,
            "the highlighted name is the leftmost atom"
        );
        // Inside a right-to-left word the first logical letters are at the right edge.
        let e = part_extent(100.0, 40.0, true, 0.0, 10.0);
        assert_eq!(e, 130.0..140.0);
        let e = part_extent(100.0, 40.0, false, 0.0, 10.0);
        assert_eq!(e, 100.0..110.0);
    }

    #[test]
    fn highlight_sections_cover_the_text_and_later_highlights_win() {
        let hs = [
            Highlight {
                range: 2..6,
                color: Color32::RED,
            },
            Highlight {
                range: 4..8,
                color: Color32::BLUE,
            },
        ];
        let s = highlight_sections("abcdefghij", &hs);
        assert_eq!(
            s,
            vec![
                (0..2, Color32::TRANSPARENT),
                (2..4, Color32::RED),
                (4..6, Color32::BLUE),
                (6..8, Color32::BLUE),
                (8..10, Color32::TRANSPARENT)
            ]
        );
    }

    #[test]
    fn highlights_off_character_boundaries_or_past_the_end_do_not_lose_text() {
        // "ж" is two bytes: a highlight starting inside it snaps back to its start.
        let text = "aж b";
        let hs = [
            Highlight {
                range: 2..99,
                color: Color32::RED,
            },
            Highlight {
                // reversed on purpose: a bad range must not lose text
                range: std::ops::Range { start: 7, end: 3 },
                color: Color32::BLUE,
            },
        ];
        let s = highlight_sections(text, &hs);
        assert_eq!(s.first().unwrap().0.start, 0);
        assert_eq!(s.last().unwrap().0.end, text.len());
        assert!(
            s.windows(2).all(|w| w[0].0.end == w[1].0.start),
            "contiguous: {s:?}"
        );
        assert!(s
            .iter()
            .all(|(r, _)| text.is_char_boundary(r.start) && text.is_char_boundary(r.end)));
        assert_eq!(s[0], (0..1, Color32::TRANSPARENT));
        assert!(
            s[1..].iter().all(|(_, c)| *c == Color32::RED),
            "an inverted range highlights nothing: {s:?}"
        );
    }
}
