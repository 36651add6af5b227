//! Direct evidence: the original English sentence compared with the translated sentence
//! itself, with no translation engine. It reads what survives translation in any script —
//! numbers, names, quotation marks, English words — so a language without a translation
//! model still gets an analysis, and an engine's mistranslation cannot fake a drift.
//!
//! Per aligned pair: [`compare`] → [`DirectFindings`] (typed findings with byte spans on
//! both sides and a message in plain words). Per translation: [`Summary::of`] over its
//! pairs, and [`unusual`] for the pairs' cross-lingual cosines judged against that
//! translation's own distribution.
//!
//! Pure: no I/O, no models; the name table, the negation words and the words of high
//! degree are data compiled in (`names.toml`, `negation.toml`, `degree.toml`).

pub mod degree;
mod english;
mod judge;
mod names;
pub mod negation;
mod numbers;
mod similarity;

use crate::text::Quote;
use serde::Serialize;
use std::collections::BTreeMap;
use std::ops::Range;

pub use judge::{judge, level_of, Bead, Judged};
pub use names::{find_phrase, verdicts as name_verdicts, NameVerdict};
pub use similarity::{median_and_spread, robust_z, unusual, Unusual};

/// What a finding is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum FindingKind {
    /// A number of the original reads another number in the translation (20 → 10).
    NumberChanged,
    /// A number in digits of the original is nowhere in the translation.
    NumberMissing,
    /// The translation has a number the original does not.
    NumberAdded,
    /// A name of the original is not in the translation (in any spelling or script).
    NameMissing,
    /// The original quotes someone here; the translation has no quotation marks.
    QuoteUnmarked,
    /// The original's quotation says "very", "extremely", "absolutely"; the translation has
    /// no word of high degree at all: the speaker's words were toned down or reworded.
    QuoteIntensity,
    /// A run of the original's English words stands untranslated in the translation.
    LeftInEnglish,
    /// The translation is much shorter than the translation's pairs usually are: part of
    /// the original may be left out.
    Shortened,
}

impl FindingKind {
    pub const ALL: [FindingKind; 8] = [
        FindingKind::NumberChanged,
        FindingKind::NumberMissing,
        FindingKind::NumberAdded,
        FindingKind::NameMissing,
        FindingKind::QuoteUnmarked,
        FindingKind::QuoteIntensity,
        FindingKind::LeftInEnglish,
        FindingKind::Shortened,
    ];

    /// Its name in reports and tests ("number_changed").
    pub fn name(self) -> &'static str {
        match self {
            FindingKind::NumberChanged => "number_changed",
            FindingKind::NumberMissing => "number_missing",
            FindingKind::NumberAdded => "number_added",
            FindingKind::NameMissing => "name_missing",
            FindingKind::QuoteUnmarked => "quote_unmarked",
            FindingKind::QuoteIntensity => "quote_intensity",
            FindingKind::LeftInEnglish => "left_in_english",
            FindingKind::Shortened => "shortened",
        }
    }
}

/// One piece of direct evidence. Spans are byte ranges into the two sentences given to
/// [`compare`]; a side the finding has no text on is `None`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Finding {
    pub kind: FindingKind,
    pub original: Option<Range<usize>>,
    pub translation: Option<Range<usize>>,
    /// In plain words: "the number 20 (two decades) of the original reads 10 (十年) in the
    /// translation".
    pub message: String,
}

/// Everything [`compare`] found in one aligned pair.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct DirectFindings {
    pub findings: Vec<Finding>,
}

impl DirectFindings {
    pub fn is_empty(&self) -> bool {
        self.findings.is_empty()
    }

    pub fn count(&self, kind: FindingKind) -> usize {
        self.findings.iter().filter(|f| f.kind == kind).count()
    }
}

/// What the caller knows of the original sentence beyond its text.
#[derive(Debug, Clone, Default)]
pub struct Context {
    /// Quotations of the original whose opening or closing mark lies in the sentence,
    /// as byte ranges into the sentence (marks included).
    pub quotes: Vec<Range<usize>>,
    /// Every part of the sentence inside a quotation, wherever its marks are: those above,
    /// and the whole sentence where it lies in the middle of a quotation of several
    /// sentences (it has no marks of its own, its words are still the speaker's).
    pub quoted: Vec<Range<usize>>,
}

impl Context {
    /// The context of the original sentence at `sentence` (byte range into the document)
    /// from the document's quotations (`text::segment(…).quotes`).
    pub fn for_sentence(sentence: Range<usize>, quotes: &[Quote]) -> Context {
        let inside = |at: usize| sentence.contains(&at);
        let clip = |q: &Quote| {
            q.outer.0.max(sentence.start) - sentence.start
                ..q.outer.1.min(sentence.end) - sentence.start
        };
        let marked = |q: &&Quote| inside(q.outer.0) || (q.outer.1 > 0 && inside(q.outer.1 - 1));
        let around = |q: &&Quote| q.outer.0 < sentence.start && q.outer.1 >= sentence.end;
        Context {
            quotes: quotes.iter().filter(marked).map(clip).collect(),
            quoted: quotes
                .iter()
                .filter(|q| marked(q) || around(q))
                .map(clip)
                .collect(),
        }
    }
}

/// Compares an original English sentence with its translation in `translation_lang` (an
/// ISO 639-1 code) directly: numbers in every numeral system, names across scripts,
/// quotation marks, and English left untranslated.
pub fn compare(
    original: &str,
    translation: &str,
    translation_lang: &str,
    context: &Context,
) -> DirectFindings {
    let mut findings = Vec::new();
    findings.extend(numbers::compare(original, translation, translation_lang));
    findings.extend(names::compare(original, translation, translation_lang));
    findings.extend(quote_unmarked(original, translation, context));
    findings.extend(quote_intensity(
        original,
        translation,
        translation_lang,
        context,
    ));
    findings.extend(english::left_in_english(
        original,
        translation,
        translation_lang,
    ));
    DirectFindings { findings }
}

/// Quotation marks of every convention (straight quotes included; apostrophes are told
/// apart by the letters around them).
fn is_quote_mark(text: &str, at: usize, c: char) -> bool {
    match c {
        '“' | '”' | '„' | '«' | '»' | '‹' | '›' | '「' | '」' | '『' | '』' | '"' | '‚' | '＂'
        | '〝' | '〞' | '״' => true,
        '‘' | '’' | '\'' => {
            let before = text[..at].chars().next_back();
            let after = text[at + c.len_utf8()..].chars().next();
            !(before.is_some_and(char::is_alphanumeric) && after.is_some_and(char::is_alphanumeric))
        }
        _ => false,
    }
}

fn quote_unmarked(original: &str, translation: &str, context: &Context) -> Option<Finding> {
    let quote = context.quotes.iter().find(|q| {
        let words = original
            .get((*q).clone())
            .map_or(0, |t| t.split_whitespace().count());
        words >= 2
    })?;
    let marked = translation
        .char_indices()
        .any(|(i, c)| is_quote_mark(translation, i, c));
    (!marked).then(|| Finding {
        kind: FindingKind::QuoteUnmarked,
        original: Some(quote.clone()),
        translation: None,
        message: format!(
            "the original quotes “{}” here; the translation has no quotation marks",
            shorten(
                original
                    .get(quote.clone())
                    .unwrap_or_default()
                    .trim_matches(|c: char| { !c.is_alphanumeric() })
            )
        ),
    })
}

/// A quotation of the original that says "very" (or "extremely", "absolutely" …) where the
/// translated sentence has no word of high degree in its language (`degree.toml`). Read in
/// the translation itself, so no engine can fake it or hide it. Nothing for a language with
/// no list, or where the translation kept the English word (English left in place says so).
fn quote_intensity(
    original: &str,
    translation: &str,
    lang: &str,
    context: &Context,
) -> Option<Finding> {
    if translation.trim().is_empty() {
        return None;
    }
    let quoted = |r: &Range<usize>| {
        context
            .quoted
            .iter()
            .any(|q| q.start <= r.start && r.end <= q.end)
    };
    let word = degree::english_high_degree(original)
        .into_iter()
        .find(|r| quoted(r))?;
    let english = original.get(word.clone())?;
    if degree::english_high_degree(translation)
        .iter()
        .any(|r| translation[r.clone()].eq_ignore_ascii_case(english))
    {
        return None;
    }
    if degree::has_high_degree(translation, lang)? {
        return None;
    }
    Some(Finding {
        kind: FindingKind::QuoteIntensity,
        original: Some(word),
        translation: None,
        message: format!(
            "the quotation says “{english}”; the translation has no word of that degree: the speaker's words were toned down or reworded"
        ),
    })
}

/// At most eight words of a text, with "…" where it was cut.
fn shorten(text: &str) -> String {
    let words: Vec<&str> = text.split_whitespace().collect();
    if words.len() <= 8 {
        words.join(" ")
    } else {
        format!("{} …", words[..8].join(" "))
    }
}

/// A translation's findings in numbers: per kind, and how many pairs had any.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Summary {
    pub pairs: usize,
    pub pairs_with_findings: usize,
    pub by_kind: BTreeMap<FindingKind, usize>,
}

impl Summary {
    /// Sums the findings of a translation's aligned pairs.
    pub fn of<'a>(pairs: impl IntoIterator<Item = &'a DirectFindings>) -> Summary {
        let mut s = Summary::default();
        for p in pairs {
            s.pairs += 1;
            s.pairs_with_findings += usize::from(!p.is_empty());
            for f in &p.findings {
                *s.by_kind.entry(f.kind).or_default() += 1;
            }
        }
        s
    }

    pub fn total(&self) -> usize {
        self.by_kind.values().sum()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_quotation_without_marks_in_the_translation_is_found() {
        let original = "He said, “We will go.”";
        let ctx = Context {
            quotes: std::iter::once(9..original.len()).collect(),
            ..Context::default()
        };
        let found = compare(original, "Er sagte, wir würden gehen.", "de", &ctx);
        assert_eq!(found.count(FindingKind::QuoteUnmarked), 1, "{found:?}");
        for marked in [
            "Er sagte: „Wir gehen.“",
            "Il a dit : « Nous irons. »",
            "他说：「我们去。」",
        ] {
            let found = compare(original, marked, "de", &ctx);
            assert_eq!(found.count(FindingKind::QuoteUnmarked), 0, "{marked}");
        }
        // an apostrophe is no quotation mark
        let found = compare(original, "Il s’est dit qu’on ira.", "fr", &ctx);
        assert_eq!(found.count(FindingKind::QuoteUnmarked), 1);
    }

    #[test]
    fn a_quotation_whose_very_is_gone_is_found_in_the_translation_itself() {
        let original = "Peskov said Russia faces “a very aggressive rhetoric” from NATO.";
        let at = original.find('“').unwrap();
        let span = at..original.find('”').unwrap() + '”'.len_utf8();
        let ctx = Context {
            quotes: vec![span.clone()],
            quoted: vec![span],
        };
        let softened = "Peskov dijo que Rusia afronta «una retórica algo dura» de la OTAN.";
        let found = compare(original, softened, "es", &ctx);
        assert_eq!(found.count(FindingKind::QuoteIntensity), 1, "{found:?}");
        let f = &found.findings[0];
        assert_eq!(&original[f.original.clone().unwrap()], "very");
        assert!(f.message.contains("“very”"), "{}", f.message);
        for kept in [
            (
                "Peskov dijo que Rusia afronta «una retórica muy agresiva» de la OTAN.",
                "es",
            ),
            (
                "Песков сказал, что Россия сталкивается с «очень агрессивной риторикой».",
                "ru",
            ),
            ("佩斯科夫说，俄罗斯面临“非常咄咄逼人的言论”。", "zh"),
        ] {
            let found = compare(original, kept.0, kept.1, &ctx);
            assert_eq!(found.count(FindingKind::QuoteIntensity), 0, "{}", kept.0);
        }
        // outside a quotation, in a language with no list, or with the English word left in
        // place, nothing is said here
        let plain = "Relations are very tense.";
        assert!(compare(
            plain,
            "Las relaciones son tensas.",
            "es",
            &Context::default()
        )
        .is_empty());
        assert_eq!(
            compare(original, softened, "sw", &ctx).count(FindingKind::QuoteIntensity),
            0
        );
        let left = "Peskov dijo que Rusia afronta «a very aggressive rhetoric» de la OTAN.";
        assert_eq!(
            compare(original, left, "es", &ctx).count(FindingKind::QuoteIntensity),
            0
        );
        // a sentence in the middle of a quotation of three: no marks of its own, the
        // speaker's words all the same
        let doc = "He said: “We met. Relations are very tense. We will talk.” Then he left.";
        let quotes = [Quote {
            id: 0,
            start: doc.find('“').unwrap() + '“'.len_utf8(),
            end: doc.find('”').unwrap(),
            marks: ('“', '”'),
            sentences: vec![0, 1, 2],
            speaker: None,
            inside: None,
            outer: (
                doc.find('“').unwrap(),
                doc.find('”').unwrap() + '”'.len_utf8(),
            ),
        }];
        let middle = doc.find("Relations").unwrap()..doc.find(" We will").unwrap();
        let ctx = Context::for_sentence(middle.clone(), &quotes);
        assert!(ctx.quotes.is_empty(), "{ctx:?}");
        let found = compare(&doc[middle], "Las relaciones son tensas.", "es", &ctx);
        assert_eq!(found.count(FindingKind::QuoteIntensity), 1, "{found:?}");
        // … and no quotation marks are asked of it
        assert_eq!(found.count(FindingKind::QuoteUnmarked), 0, "{found:?}");
    }

    #[test]
    fn summary_counts_pairs_and_kinds() {
        let a = compare(
            "In 2021, 10 bombers flew.",
            "En 2021, 12 bombarderos volaron.",
            "es",
            &Context::default(),
        );
        let b = compare("In 2021.", "En 2021.", "es", &Context::default());
        let s = Summary::of([&a, &b]);
        assert_eq!((s.pairs, s.pairs_with_findings), (2, 1));
        assert_eq!(s.by_kind.get(&FindingKind::NumberChanged), Some(&1));
        assert_eq!(s.total(), 1);
    }

    #[test]
    fn bad_input_does_not_panic() {
        let ctx = Context {
            // out of bounds, and reversed (built from numbers, as bad input arrives)
            quotes: vec![5..500, std::ops::Range { start: 3, end: 1 }],
            quoted: vec![0..500, std::ops::Range { start: 3, end: 1 }],
        };
        for (o, t) in [
            ("", ""),
            ("very “very”", "muy"),
            ("“", "»"),
            ("Ωμέγα 1", "١٢٣٤٥٦٧٨٩٠١٢٣٤٥٦٧٨٩٠١٢٣٤٥٦٧٨٩٠"),
            ("A B C D", "\u{200f}"),
        ] {
            let _ = compare(o, t, "zz", &ctx);
        }
    }
}
