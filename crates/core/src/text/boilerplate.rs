//! Site boilerplate in saved web pages: share buttons, newsletter prompts, follow-us lines,
//! disclaimers, copyright footers, navigation links. Recognised by phrase, dropped, and
//! returned so the caller can show what was dropped.

/// Phrases that mark a short paragraph as page furniture rather than article text.
const PHRASES: &[&str] = &[
    "share buttons",
    "click here",
    "newsletter",
    "follow us on",
    "subscribe to",
    "sign up for",
    "become a member",
    "featured image",
    "comment on ",
    "for media inquiries",
    "translate website",
    "can be read in",
    "all rights reserved",
    "the original source of this article",
    "print this article",
    "email this article",
    "related articles",
    "cookie",
    "advertisement",
    "copyright ©",
    "copyright (c)",
    "© ",
];

/// Labels that open a boilerplate paragraph however long it is.
const LABELS: &[&str] = &[
    "disclaimer:",
    "note to readers",
    "region:",
    "theme:",
    "articles by:",
    "tags:",
    "copyright",
    "source:",
    "for media inquiries",
];

/// Phrases that mark even a long paragraph as a site's legal footer.
const LEGAL: &[&str] = &[
    "fair use",
    "copyrighted material",
    "grants permission to cross-post",
];

fn is_boilerplate(p: &str) -> bool {
    let lower = p.to_lowercase();
    if LABELS.iter().any(|l| lower.starts_with(l)) || LEGAL.iter().any(|l| lower.contains(l)) {
        return true;
    }
    p.chars().count() < 400 && PHRASES.iter().any(|ph| lower.contains(ph))
}

/// Paragraphs with nothing to read in them: separators such as `***`, `*`, `—`.
fn is_separator(p: &str) -> bool {
    !p.chars().any(|c| c.is_alphanumeric())
}

/// Splits paragraphs into (kept, dropped). Separators are always dropped. Phrase-matched
/// boilerplate is dropped from HTML, and from text that is evidently a saved web page (at
/// least two boilerplate paragraphs), never from an author's own prose.
pub fn strip(paragraphs: Vec<String>, is_html: bool) -> (Vec<String>, Vec<String>) {
    let web_page = is_html || paragraphs.iter().filter(|p| is_boilerplate(p)).count() >= 2;
    let mut kept = Vec::with_capacity(paragraphs.len());
    let mut dropped = Vec::new();
    for p in paragraphs {
        if is_separator(&p) || (web_page && is_boilerplate(&p)) {
            dropped.push(p);
        } else {
            kept.push(p);
        }
    }
    if web_page {
        drop_link_lines(&mut kept, &mut dropped);
    }
    (kept, dropped)
}

/// In a web page, the site's name on a line of its own right after the dateline (a link in
/// the page) is navigation. Short lines without a sentence in them between the byline and
/// the first real paragraph are dropped: one to four capitalised words and no verb-like
/// punctuation.
fn drop_link_lines(kept: &mut Vec<String>, dropped: &mut Vec<String>) {
    let first_body = kept
        .iter()
        .position(|p| p.split_whitespace().count() >= 12)
        .unwrap_or(0);
    let mut i = 0;
    let mut end = first_body;
    while i < end {
        let p = &kept[i];
        let words: Vec<&str> = p.split_whitespace().collect();
        let title_case = words.iter().all(|w| {
            w.chars()
                .next()
                .map(|c| c.is_uppercase() || !c.is_alphabetic())
                .unwrap_or(true)
        });
        let is_byline_or_date =
            p.to_lowercase().starts_with("by ") || p.chars().any(|c| c.is_ascii_digit());
        if i > 0 && words.len() <= 4 && title_case && !is_byline_or_date && !p.ends_with('.') {
            dropped.push(kept.remove(i));
            end -= 1;
        } else {
            i += 1;
        }
    }
}
