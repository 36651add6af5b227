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

const fn l(code: &'static str, name: &'static str, script: &'static str, detector: Option<W>) -> Language {
    Language { code, name, script, direction: Direction::Ltr, detector, ordinal_dot: false }
}
const fn rtl(code: &'static str, name: &'static str, script: &'static str, detector: Option<W>) -> Language {
    Language { code, name, script, direction: Direction::Rtl, detector, ordinal_dot: false }
}
const fn od(code: &'static str, name: &'static str, script: &'static str, detector: Option<W>) -> Language {
    Language { code, name, script, direction: Direction::Ltr, detector, ordinal_dot: true }
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
    from_whatlang(lang).map(|l| l.code.to_string()).unwrap_or_else(|| lang.code().to_string())
}

/// Detects the language of `text`, or `None` where there is too little text to say.
pub fn detect(text: &str) -> Option<Detection> {
    let info = Detector::new().detect(text)?;
    Some(Detection { lang: code_of(info.lang()), confidence: info.confidence(), reliable: info.is_reliable() })
}

/// Whether `text` has enough letters for a per-sentence guess to mean anything.
fn letters(text: &str) -> usize {
    text.chars().filter(|c| c.is_alphabetic()).count()
}

/// Decides whether a sentence of a document declared (or detected) as `expected` looks like
/// another language. Returns the detection when it confidently names another language.
///
/// whatlang confuses close relatives on short sentences (Serbian/Croatian/Macedonian,
/// Malay/Indonesian, Danish/Norwegian, Spanish/Galician …): a sentence is reported only
/// when the detection is reliable, or when its script cannot be the expected language's.
pub fn foreign_sentence(text: &str, expected: &Language) -> Option<Detection> {
    if letters(text) < 12 {
        return None;
    }
    let info = Detector::new().detect(text)?;
    let found = info.lang();
    if expected.detector == Some(found) {
        return None;
    }
    let found_lang = from_whatlang(found);
    let script_differs = found_lang.map(|f| f.script != expected.script).unwrap_or(true)
        && !(expected.script == "Japanese" && found == W::Cmn);
    if script_differs && expected.script != "Latin" {
        // A Latin-script sentence in a Cyrillic, Arabic, Han … document is foreign whatever
        // whatlang's confidence (an English sentence left in the Russian edition).
        return Some(Detection { lang: code_of(found), confidence: info.confidence(), reliable: info.is_reliable() });
    }
    if expected.detector.is_none() {
        // whatlang does not know the expected language: only a confident English guess on a
        // long sentence is worth reporting (the typical untranslated passage).
        if found == W::Eng && info.is_reliable() && letters(text) >= 40 && info.confidence() > 0.9 {
            return Some(Detection { lang: "en".into(), confidence: info.confidence(), reliable: true });
        }
        return None;
    }
    if info.is_reliable() && (found == W::Eng || script_differs || info.confidence() > 0.5) && !close_relatives(expected, found) {
        return Some(Detection { lang: code_of(found), confidence: info.confidence(), reliable: true });
    }
    None
}

/// Pairs of languages whatlang cannot tell apart on one sentence.
fn close_relatives(expected: &Language, found: W) -> bool {
    let group: &[W] = match expected.detector {
        Some(W::Srp) | Some(W::Hrv) | Some(W::Mkd) | Some(W::Bul) | Some(W::Slv) => &[W::Srp, W::Hrv, W::Mkd, W::Bul, W::Slv],
        Some(W::Rus) | Some(W::Ukr) | Some(W::Bel) => &[W::Rus, W::Ukr, W::Bel],
        Some(W::Dan) | Some(W::Nob) | Some(W::Swe) => &[W::Dan, W::Nob, W::Swe],
        Some(W::Ces) | Some(W::Slk) => &[W::Ces, W::Slk],
        Some(W::Spa) | Some(W::Cat) | Some(W::Por) => &[W::Spa, W::Cat, W::Por],
        Some(W::Ind) => &[W::Ind, W::Jav, W::Tgl],
        Some(W::Hin) | Some(W::Mar) | Some(W::Nep) => &[W::Hin, W::Mar, W::Nep],
        Some(W::Pes) | Some(W::Urd) | Some(W::Ara) => &[W::Pes, W::Urd, W::Ara],
        Some(W::Cmn) | Some(W::Jpn) => &[W::Cmn, W::Jpn],
        _ => &[],
    };
    group.contains(&found)
}
