//! Fuzzes the loaders (plain text, Markdown, HTML; BOMs, UTF-16) and the sentence splitter
//! and quote finder behind them: any bytes must give a document or a clear error, never a
//! panic, and sentences must stay inside the text, in order.
#![no_main]

use driftlens::text;
use libfuzzer_sys::fuzz_target;
use std::path::Path;

const NAMES: &[&str] = &["f.txt", "f.md", "f.html", "f"];
const LANGS: &[Option<&str>] = &[None, Some("en"), Some("ru"), Some("el"), Some("th"), Some("ja"), Some("de"), Some("hy"), Some("ka"), Some("ar")];

fuzz_target!(|data: &[u8]| {
    let Some((&selector, bytes)) = data.split_first() else { return };
    let name = NAMES[(selector & 3) as usize];
    let lang = LANGS[(selector >> 2) as usize % LANGS.len()];
    let Ok(doc) = text::load_bytes(bytes, Path::new(name)) else { return };
    let seg = text::segment(&doc, lang).expect("listed languages are known");
    let mut last = 0;
    for s in &seg.sentences {
        assert!(s.start >= last && s.start < s.end && s.end <= doc.text.len());
        last = s.end;
    }
    for q in &seg.quotes {
        assert!(q.start < q.end && q.end <= doc.text.len());
    }
});
