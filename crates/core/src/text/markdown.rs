//! Markdown to paragraphs: markup stripped, one paragraph per block (heading, paragraph,
//! list item, quotation block, table row), inline links reduced to their text.

use pulldown_cmark::{Event, Options, Parser, Tag, TagEnd};

pub fn paragraphs(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let flush = |cur: &mut String, out: &mut Vec<String>| {
        let t = collapse(cur);
        if !t.is_empty() {
            out.push(t);
        }
        cur.clear();
    };
    for event in Parser::new_ext(text, Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH) {
        match event {
            Event::Text(t) | Event::Code(t) => cur.push_str(&t),
            Event::SoftBreak | Event::HardBreak => cur.push(' '),
            Event::Start(
                Tag::Paragraph
                | Tag::Heading { .. }
                | Tag::Item
                | Tag::TableRow
                | Tag::CodeBlock(_),
            ) => flush(&mut cur, &mut out),
            Event::End(
                TagEnd::Paragraph
                | TagEnd::Heading(_)
                | TagEnd::Item
                | TagEnd::TableRow
                | TagEnd::CodeBlock,
            ) => flush(&mut cur, &mut out),
            Event::End(TagEnd::TableCell) => cur.push_str(" | "),
            Event::Html(_) | Event::InlineHtml(_) => {}
            _ => {}
        }
    }
    flush(&mut cur, &mut out);
    out
}

/// Collapses runs of whitespace (including line breaks inside a paragraph) to one space.
pub(crate) fn collapse(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    // Only ordinary spaces and line breaks collapse: no-break spaces (French « … ») stay.
    for word in s
        .split(|c: char| c.is_ascii_whitespace())
        .filter(|w| !w.is_empty())
    {
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(word);
    }
    out.trim_end_matches(" |").to_string()
}
