//! The bundled article in 50 languages as one TMX memory analyses as 50 translations with
//! the same figures as the loose files: the memory is made here from the loose analysis's
//! aligned pairs (one `<tu>` per pair; an empty `<seg/>` where a sentence was left out or
//! added), then read back and analysed with the file's segments as the alignment.

mod common;

use driftlens::analyze::{self, EngineChoice, Request, Settings};
use driftlens::translate::{CancelFlag, TranslationCache};

fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

#[test]
fn a_tmx_of_the_article_in_50_languages_gives_the_loose_files_figures() {
    common::require_apertium();
    let cache = tempfile::tempdir().unwrap();
    let (original, mut translations) = analyze::corpus_inputs(&common::corpus(), None).unwrap();
    translations.retain(|t| t.label == t.lang);
    assert_eq!(
        translations.len(),
        50,
        "the bundled article has 50 translations"
    );
    let loose = analyze::analyze(
        &Request {
            original,
            original_lang: Some("en".into()),
            translations,
            engine: EngineChoice::Apertium,
            models_dir: None,
            cache: Some(TranslationCache::new(cache.path().to_path_buf())),
            cancel: CancelFlag::new(),
        },
        &|_| {},
    )
    .unwrap();
    let mut tmx = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<tmx version=\"1.4\">\n  <header creationtool=\"test\" creationtoolversion=\"1\" segtype=\"sentence\" o-tmf=\"test\" adminlang=\"en\" srclang=\"en\" datatype=\"plaintext\"/>\n  <body>\n");
    for t in &loose.translations {
        for (i, b) in t.beads().iter().enumerate() {
            tmx.push_str(&format!(
                "    <tu tuid=\"{}:{i}\">\n      <tuv xml:lang=\"en\"><seg>{}</seg></tuv>\n      <tuv xml:lang=\"{}\"><seg>{}</seg></tuv>\n    </tu>\n",
                t.label,
                escape(b.original_text),
                t.lang,
                escape(b.translated_text)
            ));
        }
    }
    tmx.push_str("  </body>\n</tmx>\n");
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("article.tmx");
    std::fs::write(&path, &tmx).unwrap();
    let imported = driftlens::import::read(&path).unwrap();
    assert_eq!(imported.translations.len(), 50);
    let settings = Settings {
        engine: Some(EngineChoice::Apertium),
        models_dir: None,
        cache: Some(TranslationCache::new(cache.path().to_path_buf())),
        cancel: CancelFlag::new(),
    };
    let from_tmx = driftlens::import::analyze(&imported, &settings, &|_| {}).unwrap();
    assert_eq!(from_tmx.translations.len(), 50);
    assert_eq!(
        from_tmx.original.sentences.len(),
        loose.original.sentences.len(),
        "the original's sentences"
    );
    let mut analysed = 0;
    for l in &loose.translations {
        let t = from_tmx
            .translations
            .iter()
            .find(|t| t.label == l.label)
            .unwrap_or_else(|| panic!("{} is missing from the TMX analysis", l.label));
        assert_eq!(t.is_analysed(), l.is_analysed(), "{}", l.label);
        let levels = |r: &analyze::TranslationReport| -> Vec<&'static str> {
            r.pairs.iter().map(|p| p.level.name()).collect()
        };
        println!(
            "{:<3} loose: {:>3} pairs, {:>3} flagged   TMX: {:>3} pairs, {:>3} flagged{}",
            l.label,
            l.pairs.len(),
            l.flagged().count(),
            t.pairs.len(),
            t.flagged().count(),
            if l.is_analysed() {
                ""
            } else {
                "   (not analysed: no engine)"
            }
        );
        assert_eq!(t.beads().len(), l.beads().len(), "{}: beads", l.label);
        assert_eq!(
            t.flagged().count(),
            l.flagged().count(),
            "{}: flagged",
            l.label
        );
        assert_eq!(levels(t), levels(l), "{}: levels pair by pair", l.label);
        if l.is_analysed() {
            analysed += 1;
        }
    }
    println!("{analysed} translations analysed (Apertium), the rest aligned only");
    assert!(analysed >= 4, "es, ca, gl, eo at least");
}
