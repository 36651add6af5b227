//! Saved web pages to paragraphs: the article body, without navigation, scripts, forms and
//! other page furniture. Boilerplate inside the body (share prompts, disclaimers) is
//! dropped afterwards by the boilerplate filter.

use super::markdown::collapse;
use scraper::{ElementRef, Html, Node, Selector};

const SKIP: &[&str] = &[
    "script", "style", "noscript", "nav", "header", "footer", "aside", "form", "button", "select",
    "svg", "iframe", "template", "figure", "menu",
];
const BLOCKS: &[&str] = &[
    "p",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "li",
    "blockquote",
    "pre",
    "dd",
    "dt",
    "td",
    "th",
    "figcaption",
];

pub fn paragraphs(html: &str) -> Vec<String> {
    let doc = Html::parse_document(html);
    let root = best_root(&doc);
    let mut out = Vec::new();
    let title = Selector::parse("h1")
        .ok()
        .and_then(|s| doc.select(&s).next())
        .map(|h| collapse(&h.text().collect::<String>()));
    let mut cur = String::new();
    walk(root, &mut cur, &mut out);
    flush(&mut cur, &mut out);
    // A page whose <h1> sits outside the article element keeps its title.
    if let Some(t) = title {
        if !t.is_empty() && !out.iter().any(|p| p == &t) {
            out.insert(0, t);
        }
    }
    out
}

/// The element holding the article: `<article>`, an `articleBody`, `<main>`, else the
/// element whose direct `<p>` children hold the most text, else `<body>`.
fn best_root(doc: &Html) -> ElementRef<'_> {
    for sel in ["article", "[itemprop=articleBody]", "main", "[role=main]"] {
        if let Ok(s) = Selector::parse(sel) {
            if let Some(e) = doc.select(&s).max_by_key(|e| text_len(*e)) {
                if text_len(e) > 200 {
                    return e;
                }
            }
        }
    }
    let p = Selector::parse("p").expect("valid selector");
    let mut best: Option<(ElementRef, usize)> = None;
    let mut scores: std::collections::HashMap<ego_tree::NodeId, usize> = Default::default();
    for para in doc.select(&p) {
        if let Some(parent) = para.parent().and_then(ElementRef::wrap) {
            let e = scores.entry(parent.id()).or_default();
            *e += text_len(para);
            if best.map(|(_, s)| *e > s).unwrap_or(true) {
                best = Some((parent, *e));
            }
        }
    }
    if let Some((e, _)) = best {
        return e;
    }
    let body = Selector::parse("body").expect("valid selector");
    doc.select(&body)
        .next()
        .unwrap_or_else(|| doc.root_element())
}

fn text_len(e: ElementRef) -> usize {
    e.text().map(|t| t.trim().len()).sum()
}

fn flush(cur: &mut String, out: &mut Vec<String>) {
    let t = collapse(cur);
    if !t.is_empty() {
        out.push(t);
    }
    cur.clear();
}

fn walk(e: ElementRef, cur: &mut String, out: &mut Vec<String>) {
    for child in e.children() {
        match child.value() {
            Node::Text(t) => cur.push_str(t),
            Node::Element(el) => {
                let name = el.name();
                if SKIP.contains(&name)
                    || el.attr("hidden").is_some()
                    || el.attr("aria-hidden") == Some("true")
                {
                    continue;
                }
                let Some(ce) = ElementRef::wrap(child) else {
                    continue;
                };
                if name == "br" {
                    cur.push(' ');
                } else if BLOCKS.contains(&name)
                    || name == "div"
                    || name == "section"
                    || name == "ul"
                    || name == "ol"
                    || name == "table"
                    || name == "tr"
                {
                    flush(cur, out);
                    walk(ce, cur, out);
                    flush(cur, out);
                } else {
                    walk(ce, cur, out);
                }
            }
            _ => {}
        }
    }
}
