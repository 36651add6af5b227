//! The text stage on the seed article, on every script family of the corpus, on bad input,
//! and its invariants as properties.

use driftlens::text::{self, Document, Format, TextError};
use std::path::{Path, PathBuf};

const SEED: &str = "../shared/seed/000_fd5c5512a1056ef1.txt";

fn seed_path() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(SEED)
}

fn split(text: &str, lang: &str) -> Vec<String> {
    let doc = Document::from_text(text, Format::Plain, Path::new("fixture.txt")).unwrap();
    let seg = text::segment(&doc, Some(lang)).unwrap();
    seg.sentences
        .iter()
        .map(|s| s.text(&doc.text).to_string())
        .collect()
}

#[test]
fn seed_article_loads_without_site_boilerplate() {
    let doc = text::load(&seed_path()).unwrap();
    assert_eq!(doc.format, Format::Markdown);
    assert!(doc.text.starts_with("Russia-China Alliance at the Tipping Point\n\nBy M. K. Bhadrakumar\n\nGlobal Research, December 15, 2021\n\nThe initiative by Beijing"));
    assert!(doc
        .text
        .ends_with("on which the Sino-Russian alliance is anchored."));
    for junk in [
        "click here",
        "Instagram",
        "Disclaimer",
        "share buttons",
        "Featured image",
        "51 languages",
        "Region:",
        "Copyright",
        "Indian Punchline",
    ] {
        assert!(
            !doc.text.contains(junk),
            "boilerplate {junk:?} left in the article"
        );
        assert!(
            doc.dropped.iter().any(|d| d.contains(junk)),
            "{junk:?} should be reported as dropped"
        );
    }
    assert_eq!(doc.paragraphs.len(), 27);
}

#[test]
fn seed_article_sentences_and_tricky_boundaries() {
    let doc = text::load(&seed_path()).unwrap();
    let seg = text::segment(&doc, None).unwrap();
    assert_eq!(seg.lang.code, "en");
    assert!(!seg.lang.declared);
    let s: Vec<&str> = seg.sentences.iter().map(|s| s.text(&doc.text)).collect();
    assert_eq!(s.len(), 45, "{s:#?}");
    // Initials in the byline stay together.
    assert_eq!(s[1], "By M. K. Bhadrakumar");
    // The quote introduced at the end of one paragraph and given in the next.
    assert_eq!(s[11], "To quote Peskov,");
    assert_eq!(
        s[12],
        "“[The two leaders] will exchange their views on international affairs."
    );
    assert!(
        s[13].starts_with("The recent developments in international affairs")
            && s[13].ends_with("between Moscow and Beijing.”")
    );
    assert_eq!(seg.sentences[11].paragraph + 1, seg.sentences[12].paragraph);
    // The date range in parentheses closes its sentence, dot inside.
    assert!(
        s[39].ends_with("at the upcoming Winter Olympics (4-20 February.)"),
        "{}",
        s[39]
    );
    assert!(s[40].starts_with("From the look of it"));
    // A quotation running over four sentences is split inside the quotation.
    assert_eq!(s[36], "So to do both, no, absolutely not.”");
    // The question mark ends a sentence, the year range does not.
    assert!(s[18].ends_with("signed on November 23?") && s[18].contains("2021-2025"));
    // Offsets point into the loaded text.
    for sent in &seg.sentences {
        assert_eq!(&doc.text[sent.start..sent.end], sent.text(&doc.text));
    }
}

#[test]
fn seed_article_quotations_and_speakers() {
    let doc = text::load(&seed_path()).unwrap();
    let seg = text::segment(&doc, None).unwrap();
    let top: Vec<_> = seg.quotes.iter().filter(|q| q.inside.is_none()).collect();
    let got: Vec<(&str, Option<&str>)> = top
        .iter()
        .map(|q| {
            (
                &q.text(&doc.text)[..20.min(q.text(&doc.text).len())],
                q.speaker.as_deref(),
            )
        })
        .collect();
    let expected: Vec<(&str, Option<&str>)> = vec![
        ("massive consequences", Some("G7")),
        ("Indo-Pacific economi", None),
        ("take stock of the bi", Some("Wang Wenbin")),
        ("will further enhance", Some("Wang")),
        ("This will provide mo", Some("Wang")),
        ("[The two leaders] wi", Some("Peskov")),
        ("a very aggressive rh", Some("Peskov")),
        ("China and Russia hav", Some("Sergei Shoigu")),
        ("This month, 10 (US) ", Some("Sergei Shoigu")),
        ("In such an environme", Some("Shoigu")),
        ("continue to deepen s", Some("China’s defence ministry")),
        ("are edging closer to", Some("South China Morning Post")),
        ("I think Moscow and B", Some("Lyle Goldstein")),
        ("I don’t think the", Some("Goldstein")),
        ("are maximally stress", Some("Goldstein")),
        ("only by joining hand", Some("Cui Heng")),
        (
            "Russia recognises th",
            Some("Treaty of Good-Neighbourliness and Friendly Cooperation"),
        ),
    ];
    assert_eq!(got.len(), expected.len(), "{got:#?}");
    for (g, e) in got.iter().zip(&expected) {
        assert!(
            g.0.starts_with(e.0),
            "quote {:?} expected to start {:?}",
            g.0,
            e.0
        );
        assert_eq!(g.1, e.1, "speaker of the quote starting {:?}", e.0);
    }
    // The Peskov quotation spans two sentences; the nested “back-to-back” sits inside Wang's.
    assert_eq!(top[5].sentences, vec![12, 13]);
    let nested: Vec<_> = seg.quotes.iter().filter(|q| q.inside.is_some()).collect();
    assert_eq!(nested.len(), 1);
    assert_eq!(nested[0].text(&doc.text), "back-to-back");
    assert_eq!(nested[0].inside, Some(top[3].id));
}

#[test]
fn abbreviations_initials_and_acronyms() {
    assert_eq!(
        split(
            "The U.S. Navy said so. Gen. Smith met Mr. Lee at 3 p.m. on Monday. It rained.",
            "en"
        ),
        vec![
            "The U.S. Navy said so.",
            "Gen. Smith met Mr. Lee at 3 p.m. on Monday.",
            "It rained."
        ]
    );
    assert_eq!(
        split(
            "Prices rose 3.5 per cent to 10,000.50 dollars. Then they fell.",
            "en"
        ),
        vec![
            "Prices rose 3.5 per cent to 10,000.50 dollars.",
            "Then they fell."
        ]
    );
    assert_eq!(
        split("He paused... Then he spoke. Wait… What?", "en"),
        vec!["He paused...", "Then he spoke.", "Wait…", "What?"]
    );
    assert_eq!(
        split(
            "He asked “why?” and left. (This was odd.) Nobody knew.",
            "en"
        ),
        vec![
            "He asked “why?” and left.",
            "(This was odd.)",
            "Nobody knew."
        ]
    );
    assert_eq!(
        split("Los EE. UU. y Rusia firmaron. El Sr. Pérez habló.", "es"),
        vec!["Los EE. UU. y Rusia firmaron.", "El Sr. Pérez habló."]
    );
    assert_eq!(
        split("Am 15. Dezember 2021 trafen sie sich. Das war neu.", "de"),
        vec!["Am 15. Dezember 2021 trafen sie sich.", "Das war neu."]
    );
}

#[test]
fn every_script_family_of_the_corpus() {
    let cases: &[(&str, &str, &[&str])] = &[
        ("ru", "Автор: М. К. Бхадракумар. Путин встретился с Си. Это важно?", &["Автор: М. К. Бхадракумар.", "Путин встретился с Си.", "Это важно?"]),
        ("el", "Θα συναντηθούν; Ναι, την Τετάρτη. Του Μ. Κ. Μπαντρακουμάρ.", &["Θα συναντηθούν;", "Ναι, την Τετάρτη.", "Του Μ. Κ. Μπαντρακουμάρ."]),
        ("ar", "هل سيلتقيان؟ نعم، يوم الأربعاء. قال بيسكوف «هذا مهم».", &["هل سيلتقيان؟", "نعم، يوم الأربعاء.", "قال بيسكوف «هذا مهم»."]),
        ("ur", "پیسکوف نے کہا۔ کیا یہ اہم ہے؟ ہاں۔", &["پیسکوف نے کہا۔", "کیا یہ اہم ہے؟", "ہاں۔"]),
        ("fa", "نوشتهٔ ام. کی. بهادراکومار. این مهم است.", &["نوشتهٔ ام. کی. بهادراکومار.", "این مهم است."]),
        ("he", "פסקוב אמר זאת. האם זה חשוב? כן.", &["פסקוב אמר זאת.", "האם זה חשוב?", "כן."]),
        ("hi", "लेखक: एम. के. भद्रकुमार। पुतिन ने कहा। क्या यह महत्वपूर्ण है?", &["लेखक: एम. के. भद्रकुमार।", "पुतिन ने कहा।", "क्या यह महत्वपूर्ण है?"]),
        ("bn", "পুতিন বললেন। এটা কি গুরুত্বপূর্ণ? হ্যাঁ।", &["পুতিন বললেন।", "এটা কি গুরুত্বপূর্ণ?", "হ্যাঁ।"]),
        ("ka", "მ. კ. ბჰადრაკუმარი წერს. პუტინი შეხვდა სის. ეს მნიშვნელოვანია?", &["მ. კ. ბჰადრაკუმარი წერს.", "პუტინი შეხვდა სის.", "ეს მნიშვნელოვანია?"]),
        ("hy", "Պուտինը հանդիպեց Սիին։ Դա կարևոր է։", &["Պուտինը հանդիպեց Սիին։", "Դա կարևոր է։"]),
        ("hy", "Պուտինը հանդիպեց Սիին: Դա կարևոր է:", &["Պուտինը հանդիպեց Սիին:", "Դա կարևոր է:"]),
        ("ko", "푸틴은 시진핑과 만났다. 이것이 중요한가? 그렇다.", &["푸틴은 시진핑과 만났다.", "이것이 중요한가?", "그렇다."]),
        ("ja", "プーチン氏は習氏と会談した。これは重要か？そうだ！「協力する」と述べた。", &["プーチン氏は習氏と会談した。", "これは重要か？", "そうだ！", "「協力する」と述べた。"]),
        ("zh", "作者：M. K. 巴德拉库马尔。普京与习近平会晤。这重要吗？是的！", &["作者：M. K. 巴德拉库马尔。", "普京与习近平会晤。", "这重要吗？", "是的！"]),
        (
            "th",
            "การประชุมทางวิดีโอระหว่างประธานาธิบดีสีจิ้นผิงกับประธานาธิบดีปูตินจัดขึ้นในวันพุธ นักวิเคราะห์หลายคนมองว่าการหารือครั้งนี้มีความสำคัญอย่างยิ่งต่อเสถียรภาพของโลก",
            &["การประชุมทางวิดีโอระหว่างประธานาธิบดีสีจิ้นผิงกับประธานาธิบดีปูตินจัดขึ้นในวันพุธ", "นักวิเคราะห์หลายคนมองว่าการหารือครั้งนี้มีความสำคัญอย่างยิ่งต่อเสถียรภาพของโลก"],
        ),
        // Thai clauses joined by "ซึ่ง" (which) and "และ" (and) do not start a sentence.
        (
            "th",
            "รัฐมนตรีกลาโหมรัสเซียกล่าวว่าเครื่องบินทิ้งระเบิดของสหรัฐฯ ซึ่งบินเข้าใกล้ชายแดน และได้ฝึกซ้อมการยิงขีปนาวุธร่อนเหนือทะเลโอค็อตสค์เมื่อเดือนนี้",
            &["รัฐมนตรีกลาโหมรัสเซียกล่าวว่าเครื่องบินทิ้งระเบิดของสหรัฐฯ ซึ่งบินเข้าใกล้ชายแดน และได้ฝึกซ้อมการยิงขีปนาวุธร่อนเหนือทะเลโอค็อตสค์เมื่อเดือนนี้"],
        ),
    ];
    for (lang, text, expected) in cases {
        assert_eq!(split(text, lang), *expected, "language {lang}");
    }
}

#[test]
fn declared_language_wins_and_untranslated_sentences_are_reported() {
    let ru = "Путин и Си обсудят отношения между странами в среду. The recent developments in international affairs are now very tense and require discussion. Песков сообщил об этом журналистам в понедельник.";
    let doc = Document::from_text(ru, Format::Plain, Path::new("ru.txt")).unwrap();
    let seg = text::segment(&doc, Some("uk")).unwrap();
    assert_eq!(seg.lang.code, "uk", "a declared language always wins");
    assert_eq!(seg.lang.detected.as_ref().unwrap().lang, "ru");
    let seg = text::segment(&doc, None).unwrap();
    assert_eq!(seg.lang.code, "ru");
    assert_eq!(seg.foreign.len(), 1, "{:?}", seg.foreign);
    assert_eq!(seg.foreign[0].sentence, 1);
    assert_eq!(seg.foreign[0].detected.lang, "en");
    assert!(matches!(
        text::segment(&doc, Some("xx")),
        Err(TextError::UnknownLanguage { .. })
    ));
}

#[test]
fn quotation_marks_of_many_languages() {
    let cases: &[(&str, &str, &[&str])] = &[
        (
            "de",
            "Er sagte: „Wir kommen.“ Dann ging er.",
            &["Wir kommen."],
        ),
        (
            "pl",
            "Powiedział: „Przyjdziemy”. Potem wyszedł.",
            &["Przyjdziemy"],
        ),
        (
            "fr",
            "Il a dit : « Nous venons. » Puis il est parti.",
            &["Nous venons."],
        ),
        ("da", "Han sagde: »Vi kommer.« Så gik han.", &["Vi kommer."]),
        (
            "sv",
            "Han sa: ”Vi kommer.” Sedan gick han.",
            &["Vi kommer."],
        ),
        (
            "ja",
            "彼は「協力する」と述べ、『戦略』を語った。",
            &["協力する", "戦略"],
        ),
        (
            "en",
            "He said 'we will come' and left. Goldstein’s view: don’t.",
            &["we will come"],
        ),
        ("he", "פסקוב אמר ב\"שיחה\" כי הוא מרוצה.", &["שיחה"]),
    ];
    for (lang, text, expected) in cases {
        let doc = Document::from_text(text, Format::Plain, Path::new("q.txt")).unwrap();
        let seg = text::segment(&doc, Some(lang)).unwrap();
        let got: Vec<&str> = seg.quotes.iter().map(|q| q.text(&doc.text)).collect();
        assert_eq!(got, *expected, "language {lang}");
    }
}

#[test]
fn quotation_continued_into_the_next_paragraph() {
    let text = "Peskov said, “We will talk.\n\n“We will talk again,” he added. Then he left.";
    let doc = Document::from_text(text, Format::Plain, Path::new("q.txt")).unwrap();
    let seg = text::segment(&doc, Some("en")).unwrap();
    assert_eq!(seg.quotes.len(), 1, "{:?}", seg.quotes);
    let q = &seg.quotes[0];
    assert_eq!(q.sentences, vec![0, 1]);
    assert_eq!(q.speaker.as_deref(), Some("Peskov"));
}

fn write_tmp(name: &str, bytes: &[u8]) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join(name);
    std::fs::write(&p, bytes).unwrap();
    (dir, p)
}

#[test]
fn bad_input_gets_clear_messages() {
    let (_d, p) = write_tmp("empty.txt", b"");
    let e = text::load(&p).unwrap_err().to_string();
    assert!(e.starts_with(&format!("no text in {}", p.display())), "{e}");
    let (_d, p) = write_tmp("blank.md", b"\n\n   \n***\n");
    assert!(text::load(&p)
        .unwrap_err()
        .to_string()
        .starts_with("no text in"));
    let (_d, p) = write_tmp("image.png", &[0x89, b'P', b'N', b'G', 0, 0, 0, 13, 1, 2, 3]);
    let e = text::load(&p).unwrap_err().to_string();
    assert!(
        e.starts_with(&format!("{} is not a text file", p.display())),
        "{e}"
    );
    let (_d, p) = write_tmp("latin1.txt", b"Caf\xe9 au lait.");
    let e = text::load(&p).unwrap_err().to_string();
    assert!(
        e.contains("not valid UTF-8") && e.contains("offset 3"),
        "{e}"
    );
    let (_d, p) = write_tmp("present.txt", b"x");
    let e = text::load(&p.with_file_name("does-not-exist.txt"))
        .unwrap_err()
        .to_string();
    assert!(e.contains("does-not-exist.txt"), "{e}");
}

#[test]
fn boms_and_utf16() {
    let (_d, p) = write_tmp("bom.txt", "\u{feff}Hello there. Bye.".as_bytes());
    let doc = text::load(&p).unwrap();
    assert_eq!(doc.text, "Hello there. Bye.");
    let mut le = vec![0xFF, 0xFE];
    le.extend("Привет. Пока.".encode_utf16().flat_map(|u| u.to_le_bytes()));
    let (_d, p) = write_tmp("le.txt", &le);
    assert_eq!(text::load(&p).unwrap().text, "Привет. Пока.");
    let mut be = vec![0xFE, 0xFF];
    be.extend("日本語。".encode_utf16().flat_map(|u| u.to_be_bytes()));
    let (_d, p) = write_tmp("be.txt", &be);
    assert_eq!(text::load(&p).unwrap().text, "日本語。");
}

#[test]
fn markdown_and_html_loaders_keep_paragraphs() {
    let md = "# Title\n\nFirst *paragraph* with a [link](http://x) and **bold**\ncontinued.\n\n- item one\n- item two\n";
    let doc = Document::from_text(md, Format::Markdown, Path::new("a.md")).unwrap();
    let paras: Vec<&str> = (0..doc.paragraphs.len())
        .map(|i| doc.paragraph(i))
        .collect();
    assert_eq!(
        paras,
        vec![
            "Title",
            "First paragraph with a link and bold continued.",
            "item one",
            "item two"
        ]
    );

    let html = r#"<!DOCTYPE html><html><head><title>T</title><script>var x = "no";</script></head><body>
      <nav><a href="/">Home</a> <a href="/world">World</a></nav>
      <article><h1>Russia-China Alliance</h1><p class="byline">By M. K. Bhadrakumar</p>
      <p>The initiative by Beijing <b>radically</b> transforms the geopolitics of the region, analysts said on Monday.</p>
      <p>Please click the share buttons above or below. Follow us on Instagram.</p>
      <p>Peskov added that Russia is facing “a very aggressive rhetoric.”</p></article>
      <footer>Copyright © 2021 All rights reserved</footer></body></html>"#;
    let doc = Document::from_text(html, Format::Html, Path::new("a.html")).unwrap();
    let paras: Vec<&str> = (0..doc.paragraphs.len())
        .map(|i| doc.paragraph(i))
        .collect();
    assert_eq!(paras, vec![
        "Russia-China Alliance",
        "By M. K. Bhadrakumar",
        "The initiative by Beijing radically transforms the geopolitics of the region, analysts said on Monday.",
        "Peskov added that Russia is facing “a very aggressive rhetoric.”",
    ]);
    assert!(doc.dropped.iter().any(|d| d.contains("share buttons")));
}

#[test]
fn twenty_megabyte_file_works() {
    let unit = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("corpora/russia-china-alliance/ru.md"),
    )
    .unwrap();
    let mut big = String::with_capacity(21 << 20);
    while big.len() < 20 << 20 {
        big.push_str(&unit);
        big.push('\n');
    }
    let (_d, p) = write_tmp("big.md", big.as_bytes());
    let doc = text::load(&p).unwrap();
    let seg = text::segment(&doc, Some("ru")).unwrap();
    let copies = big.len() / (unit.len() + 1);
    assert!(
        seg.sentences.len() >= copies * 40,
        "{} sentences for {copies} copies",
        seg.sentences.len()
    );
    // A long document is split on all cores: the result must be what one pass, paragraph by
    // paragraph, gives — same sentences, in document order, numbered 0.., with paragraphs.
    let lang = text::language("ru");
    let mut one_pass = Vec::new();
    for (pi, p) in doc.paragraphs.iter().enumerate() {
        for r in text::split::split_paragraph(&doc.text[p.clone()], lang) {
            one_pass.push((p.start + r.start, p.start + r.end, pi));
        }
    }
    let got: Vec<(usize, usize, usize)> = seg
        .sentences
        .iter()
        .map(|s| (s.start, s.end, s.paragraph))
        .collect();
    assert_eq!(got.len(), one_pass.len());
    assert!(
        got == one_pass,
        "the parallel split differs from the one-pass split"
    );
    assert!(seg.sentences.iter().enumerate().all(|(i, s)| s.id == i));
    // Every copy of the article holds the same quotations.
    let per_copy = text::segment(
        &text::Document::from_text(&unit, Format::Markdown, Path::new("ru.md")).unwrap(),
        Some("ru"),
    )
    .unwrap()
    .quotes
    .len();
    assert!(
        seg.quotes.len() >= per_copy * copies,
        "{} quotations for {copies} copies of {per_copy}",
        seg.quotes.len()
    );
}

mod properties {
    use super::*;
    use proptest::prelude::*;

    fn pieces() -> impl Strategy<Value = String> {
        let atoms = prop::sample::select(vec![
            "Word",
            "word",
            "U.S.",
            "Gen.",
            "Mr.",
            "3.5",
            "10,000",
            "2021-2025",
            ". ",
            "? ",
            "! ",
            "… ",
            "...",
            " ",
            " ",
            "\n",
            "\n\n",
            "“",
            "”",
            "«",
            "»",
            "„",
            "\"",
            "'",
            "(",
            ")",
            "。",
            "？",
            "।",
            "؟",
            "۔",
            "։",
            ";",
            "Путин",
            "بيسكوف",
            "习近平",
            "ภาษาไทย",
            "Ελλάδα",
            "ქართული",
            "M. K. ",
            "et al.",
            "Z",
            "é",
        ]);
        prop::collection::vec(atoms, 0..60).prop_map(|v| v.concat())
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(400))]
        #[test]
        fn sentences_cover_the_text_in_order_without_overlap(s in pieces(), lang in prop::sample::select(vec!["en", "ru", "el", "th", "ja", "de", "hy", "ka"])) {
            let doc = match Document::from_text(&s, Format::Plain, Path::new("p.txt")) { Ok(d) => d, Err(_) => return Ok(()) };
            let seg = text::segment(&doc, Some(lang)).unwrap();
            let mut last_end = 0;
            let mut covered = 0;
            for (i, sent) in seg.sentences.iter().enumerate() {
                prop_assert_eq!(sent.id, i);
                prop_assert!(sent.start >= last_end && sent.start < sent.end);
                let p = &doc.paragraphs[sent.paragraph];
                prop_assert!(p.start <= sent.start && sent.end <= p.end, "sentence inside its paragraph");
                let t = sent.text(&doc.text);
                prop_assert_eq!(t.trim(), t);
                // A closing mark glued to the end of a sentence stays with it: no sentence
                // starts with a closing mark that directly follows the previous sentence.
                if i > 0 && sent.start == last_end {
                    prop_assert!(!t.starts_with(['”', '»', '」', '』', ')', '’']), "{:?}", t);
                }
                covered += t.chars().filter(|c| !c.is_whitespace()).count();
                last_end = sent.end;
            }
            let total: usize = doc.paragraphs.iter().map(|p| doc.text[p.clone()].chars().filter(|c| !c.is_whitespace()).count()).sum();
            prop_assert_eq!(covered, total, "every non-blank character belongs to a sentence");
            for q in &seg.quotes {
                prop_assert!(q.start <= q.end && doc.text.is_char_boundary(q.start) && doc.text.is_char_boundary(q.end));
            }
        }

        #[test]
        fn no_split_inside_numbers_or_listed_abbreviations(a in "[A-Z][a-z]{2,8}", n in 0u32..100000, d in 0u32..100, abbr in prop::sample::select(vec!["Gen.", "Mr.", "Dr.", "Prof.", "U.S.", "M. K.", "e.g.", "Sen.", "Col."])) {
            let text = format!("{a} paid {n}.{d:02} and {n},{d:03} to {abbr} {a} on Monday. Next one.");
            let got = split(&text, "en");
            prop_assert_eq!(got.len(), 2, "{:?}", got);
        }
    }
}
