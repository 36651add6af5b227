//! Languages: the table of languages Driftlens knows, and language detection with `whatlang`.

use serde::Serialize;
use whatlang::{Detector, Lang as W};

/// Writing direction of a script.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Direction {
    Ltr,
    Rtl,
}

/// One language Driftlens knows: ISO 639-1 code, English name, script, direction, and the
/// `whatlang` language that detects it (if `whatlang` knows it).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Language {
    pub code: &'static str,
    pub name: &'static str,
    pub script: &'static str,
    pub direction: Direction,
    pub detector: Option<W>,
    /// Whether the language writes ordinal numbers with a trailing dot ("15. Dezember").
    pub ordinal_dot: bool,
}

const fn l(
    code: &'static str,
    name: &'static str,
    script: &'static str,
    detector: Option<W>,
) -> Language {
    Language {
        code,
        name,
        script,
        direction: Direction::Ltr,
        detector,
        ordinal_dot: false,
    }
}
const fn rtl(
    code: &'static str,
    name: &'static str,
    script: &'static str,
    detector: Option<W>,
) -> Language {
    Language {
        code,
        name,
        script,
        direction: Direction::Rtl,
        detector,
        ordinal_dot: false,
    }
}
const fn od(
    code: &'static str,
    name: &'static str,
    script: &'static str,
    detector: Option<W>,
) -> Language {
    Language {
        code,
        name,
        script,
        direction: Direction::Ltr,
        detector,
        ordinal_dot: true,
    }
}

/// Every language of the bundled corpus (and English), by ISO 639-1 code.
pub static LANGUAGES: &[Language] = &[
    l("en", "English", "Latin", Some(W::Eng)),
    rtl("ar", "Arabic", "Arabic", Some(W::Ara)),
    l("bg", "Bulgarian", "Cyrillic", Some(W::Bul)),
    l("bn", "Bengali", "Bengali", Some(W::Ben)),
    l("ca", "Catalan", "Latin", Some(W::Cat)),
    od("cs", "Czech", "Latin", Some(W::Ces)),
    od("da", "Danish", "Latin", Some(W::Dan)),
    od("de", "German", "Latin", Some(W::Deu)),
    l("el", "Greek", "Greek", Some(W::Ell)),
    l("eo", "Esperanto", "Latin", Some(W::Epo)),
    l("es", "Spanish", "Latin", Some(W::Spa)),
    od("et", "Estonian", "Latin", Some(W::Est)),
    l("eu", "Basque", "Latin", None),
    rtl("fa", "Persian", "Arabic", Some(W::Pes)),
    od("fi", "Finnish", "Latin", Some(W::Fin)),
    l("fr", "French", "Latin", Some(W::Fra)),
    l("ga", "Irish", "Latin", None),
    l("gl", "Galician", "Latin", None),
    rtl("he", "Hebrew", "Hebrew", Some(W::Heb)),
    l("hi", "Hindi", "Devanagari", Some(W::Hin)),
    od("hr", "Croatian", "Latin", Some(W::Hrv)),
    od("hu", "Hungarian", "Latin", Some(W::Hun)),
    l("hy", "Armenian", "Armenian", Some(W::Hye)),
    l("id", "Indonesian", "Latin", Some(W::Ind)),
    od("is", "Icelandic", "Latin", None),
    l("it", "Italian", "Latin", Some(W::Ita)),
    l("ja", "Japanese", "Japanese", Some(W::Jpn)),
    l("ka", "Georgian", "Georgian", Some(W::Kat)),
    l("ko", "Korean", "Hangul", Some(W::Kor)),
    od("lt", "Lithuanian", "Latin", Some(W::Lit)),
    od("lv", "Latvian", "Latin", Some(W::Lav)),
    od("mk", "Macedonian", "Cyrillic", Some(W::Mkd)),
    l("ms", "Malay", "Latin", None),
    l("nl", "Dutch", "Latin", Some(W::Nld)),
    od("no", "Norwegian (Bokmål)", "Latin", Some(W::Nob)),
    od("pl", "Polish", "Latin", Some(W::Pol)),
    l("pt", "Portuguese", "Latin", Some(W::Por)),
    l("ro", "Romanian", "Latin", Some(W::Ron)),
    l("ru", "Russian", "Cyrillic", Some(W::Rus)),
    od("sk", "Slovak", "Latin", Some(W::Slk)),
    od("sl", "Slovene", "Latin", Some(W::Slv)),
    l("sq", "Albanian", "Latin", None),
    od("sr", "Serbian", "Cyrillic", Some(W::Srp)),
    l("sv", "Swedish", "Latin", Some(W::Swe)),
    l("sw", "Swahili", "Latin", None),
    l("th", "Thai", "Thai", Some(W::Tha)),
    od("tr", "Turkish", "Latin", Some(W::Tur)),
    l("uk", "Ukrainian", "Cyrillic", Some(W::Ukr)),
    rtl("ur", "Urdu", "Arabic", Some(W::Urd)),
    l("vi", "Vietnamese", "Latin", Some(W::Vie)),
    l("zh", "Chinese (Simplified)", "Han", Some(W::Cmn)),
];

/// The language with this ISO 639-1 code (case-insensitive; `nb` is taken as `no`).
pub fn language(code: &str) -> Option<&'static Language> {
    let code = code.trim().to_ascii_lowercase();
    let code = match code.as_str() {
        "nb" => "no",
        "sh" | "hbs" => "sr",
        c => c,
    };
    LANGUAGES.iter().find(|l| l.code == code)
}

/// The table entry for a language `whatlang` detected, if Driftlens knows it.
pub fn from_whatlang(lang: W) -> Option<&'static Language> {
    LANGUAGES.iter().find(|l| l.detector == Some(lang))
}

/// The result of detecting the language of a piece of text.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Detection {
    /// ISO 639-1 code where Driftlens knows the language, else whatlang's ISO 639-3 code.
    pub lang: String,
    /// whatlang's confidence in [0, 1].
    pub confidence: f64,
    /// whatlang's own judgement of whether the guess can be trusted.
    pub reliable: bool,
}

fn code_of(lang: W) -> String {
    from_whatlang(lang)
        .map(|l| l.code.to_string())
        .unwrap_or_else(|| lang.code().to_string())
}

/// Detects the language of `text`, or `None` where there is too little text to say.
pub fn detect(text: &str) -> Option<Detection> {
    let info = Detector::new().detect(text)?;
    Some(Detection {
        lang: code_of(info.lang()),
        confidence: info.confidence(),
        reliable: info.is_reliable(),
    })
}

/// The script of a letter, named as in [`LANGUAGES`] ("Japanese" for kana).
pub fn script_of(c: char) -> Option<&'static str> {
    if !c.is_alphabetic() {
        return None;
    }
    Some(match c as u32 {
        0x0000..=0x024F | 0x1E00..=0x1EFF | 0x2C60..=0x2C7F | 0xA720..=0xA7FF => "Latin",
        0x0370..=0x03FF | 0x1F00..=0x1FFF => "Greek",
        0x0400..=0x052F | 0x1C80..=0x1C8F | 0x2DE0..=0x2DFF | 0xA640..=0xA69F => "Cyrillic",
        0x0530..=0x058F | 0xFB13..=0xFB17 => "Armenian",
        0x0590..=0x05FF | 0xFB1D..=0xFB4F => "Hebrew",
        0x0600..=0x06FF | 0x0750..=0x077F | 0x08A0..=0x08FF | 0xFB50..=0xFDFF | 0xFE70..=0xFEFF => {
            "Arabic"
        }
        0x0900..=0x097F => "Devanagari",
        0x0980..=0x09FF => "Bengali",
        0x0E00..=0x0E7F => "Thai",
        0x10A0..=0x10FF | 0x1C90..=0x1CBF | 0x2D00..=0x2D2F => "Georgian",
        0x1100..=0x11FF | 0x3130..=0x318F | 0xAC00..=0xD7AF => "Hangul",
        0x3040..=0x30FF | 0x31F0..=0x31FF | 0xFF66..=0xFF9F => "Japanese",
        0x3400..=0x4DBF | 0x4E00..=0x9FFF | 0xF900..=0xFAFF | 0x20000..=0x2FA1F => "Han",
        _ => "Other",
    })
}

/// Letters of `text` by script: (letters in total, letters in `script`, the most frequent
/// other script and its count).
fn script_counts(text: &str, script: &str) -> (usize, usize, Option<(&'static str, usize)>) {
    let mut total = 0;
    let mut own = 0;
    let mut others: Vec<(&'static str, usize)> = Vec::new();
    for c in text.chars() {
        let Some(sc) = script_of(c) else { continue };
        total += 1;
        // Japanese is written in kana and Han.
        if sc == script || (script == "Japanese" && sc == "Han") {
            own += 1;
        } else if let Some(e) = others.iter_mut().find(|e| e.0 == sc) {
            e.1 += 1;
        } else {
            others.push((sc, 1));
        }
    }
    (total, own, others.into_iter().max_by_key(|e| e.1))
}

/// The languages of the table written in `script` that whatlang knows.
fn whatlang_langs_in(script: &str) -> Vec<W> {
    LANGUAGES
        .iter()
        .filter(|l| l.script == script || (script == "Han" && l.script == "Japanese"))
        .filter_map(|l| l.detector)
        .collect()
}

/// Decides whether a sentence of a document in `expected` looks like another language:
/// written mostly in another script (an English sentence left in the Russian edition), or,
/// in a document in the same script as English, confidently English (the usual passage left
/// untranslated). Returns what the sentence looks like.
///
/// The script test is a single pass over the letters; whatlang runs only where the script
/// cannot tell, restricted to the two candidate languages, so checking every sentence of a
/// long document stays cheap.
pub fn foreign_sentence(text: &str, expected: &Language) -> Option<Detection> {
    let (total, own, other) = script_counts(text, expected.script);
    if total < 12 {
        return None;
    }
    if let Some((script, n)) = other {
        // Mostly another script: at least 20 letters and 70 % of them (names in Latin
        // letters inside a Cyrillic sentence do not count).
        if n >= 20 && n * 10 >= total * 7 {
            return Some(name_in_script(text, script));
        }
    }
    if own * 2 < total || expected.script != "Latin" || expected.code == "en" {
        return None;
    }
    // Same script as English: is this sentence English rather than the document's language?
    let candidates: Vec<W> = match expected.detector {
        Some(d) => vec![d, W::Eng],
        None => vec![W::Eng],
    };
    let info = Detector::with_allowlist(candidates).detect(text)?;
    let english = info.lang() == W::Eng;
    let decisive = if expected.detector.is_some() {
        info.is_reliable() && info.confidence() > 0.5
    } else {
        info.confidence() > 0.9 && total >= 40 && full_says_english(text)
    };
    (english && decisive && total >= 30).then(|| Detection {
        lang: "en".into(),
        confidence: info.confidence(),
        reliable: true,
    })
}

/// For a language whatlang does not know, a one-language allowlist always says English:
/// ask the full detector instead.
fn full_says_english(text: &str) -> bool {
    Detector::new()
        .detect(text)
        .map(|i| i.lang() == W::Eng && i.is_reliable())
        .unwrap_or(false)
}

/// Names the language of a sentence written in `script`: directly where only one language of
/// the table uses that script, else whatlang among the table's languages in that script.
fn name_in_script(text: &str, script: &str) -> Detection {
    let langs = whatlang_langs_in(script);
    if langs.len() == 1 {
        return Detection {
            lang: code_of(langs[0]),
            confidence: 1.0,
            reliable: true,
        };
    }
    let detector = if langs.is_empty() {
        Detector::new()
    } else {
        Detector::with_allowlist(langs)
    };
    match detector.detect(text) {
        Some(info) => Detection {
            lang: code_of(info.lang()),
            confidence: info.confidence(),
            reliable: info.is_reliable(),
        },
        None => Detection {
            lang: script.to_lowercase(),
            confidence: 0.0,
            reliable: false,
        },
    }
}
