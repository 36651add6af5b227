//! Names of the original found in the translation across scripts: by transliteration
//! (`any_ascii`) and fuzzy matching (`strsim`) with room for inflection (Путина, Вашингтоне,
//! Choïgou), and where transliteration cannot reach (普京, ワシントン, بوتين) by a table of
//! renderings (`names.toml`).

use super::{Finding, FindingKind};
use crate::drift::words::{is_english_word, is_stop_word};
use crate::text::lang::{language, script_of};
use serde::Deserialize;
use std::collections::HashMap;
use std::ops::Range;
use std::sync::OnceLock;

#[derive(Deserialize, Default)]
struct Table {
    names: HashMap<String, Vec<String>>,
}

fn table() -> &'static HashMap<String, Vec<String>> {
    static T: OnceLock<Table> = OnceLock::new();
    // The file is part of the source: a parse error is a bug the unit test catches.
    &T.get_or_init(|| toml::from_str(include_str!("names.toml")).unwrap_or_default())
        .names
}

/// Scripts whose transliteration into Latin letters keeps a name recognisable.
fn transliterable(script: &str) -> bool {
    matches!(
        script,
        "Latin" | "Cyrillic" | "Greek" | "Armenian" | "Georgian"
    )
}

/// The main script of a text: the language table's, else the most frequent.
fn script_of_text(text: &str, lang: &str) -> &'static str {
    if let Some(l) = language(lang) {
        return l.script;
    }
    let mut counts: HashMap<&'static str, usize> = HashMap::new();
    for s in text.chars().filter_map(script_of) {
        *counts.entry(s).or_default() += 1;
    }
    counts
        .into_iter()
        .max_by_key(|e| e.1)
        .map_or("Latin", |e| e.0)
}

/// A word in Latin letters, lower-cased, letters and digits only: "Шойгу" → "shoygu",
/// "Choïgou" → "choigou", "Г7" → "g7".
fn latin(word: &str) -> String {
    any_ascii::any_ascii(word)
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .map(|c| c.to_ascii_lowercase())
        .collect()
}

/// Words of a text with their byte spans.
fn words(text: &str) -> Vec<(Range<usize>, &str)> {
    let mut out = Vec::new();
    let mut start = None;
    for (i, c) in text
        .char_indices()
        .chain(std::iter::once((text.len(), ' ')))
    {
        if c.is_alphanumeric() {
            start.get_or_insert(i);
        } else if let Some(s) = start.take() {
            out.push((s..i, &text[s..i]));
        }
    }
    out
}

/// Whether a name (Latin letters) is one of the translation's words, allowing another
/// transliteration (Shoygu, Choïgou, Schoigu) and an inflected ending (Путина, Голдштейна).
fn fuzzy_found(name: &str, translated: &[String]) -> bool {
    if name.len() < 4 {
        // a short name is found as written, or with a case ending of up to three letters
        // (Xi → Xija, Wei → Weija)
        return translated
            .iter()
            .any(|w| w == name || (w.starts_with(name) && w.len() <= name.len() + 3));
    }
    translated.iter().any(|w| {
        (name.len().saturating_sub(1)..=name.len() + 2).any(|n| {
            let prefix: String = w.chars().take(n).collect();
            prefix.len() + 1 >= name.len()
                && (strsim::normalized_levenshtein(name, &prefix) >= 0.65
                    || strsim::jaro_winkler(name, &prefix) >= 0.88)
        })
    })
}

/// The names of an English sentence: capitalised words that are not function words, and
/// not a sentence's first word when that is an ordinary English word.
fn name_words(original: &str) -> Vec<(Range<usize>, &str)> {
    let all = words(original);
    all.iter()
        .enumerate()
        .filter(|(i, (span, w))| {
            let capital = w.chars().next().is_some_and(char::is_uppercase);
            let lower = w.to_lowercase();
            let initial = *i == 0
                || original[..span.start]
                    .trim_end()
                    .ends_with(['.', '“', '"', '‘', ':']);
            // A sentence's first word is capitalised anyway ("Conceivably", which the word
            // list lacks): names there are judged through the table only.
            capital && !is_stop_word(&lower) && !initial
        })
        .map(|(_, w)| w.clone())
        .collect()
}

/// Whether `text` has a table rendering. In Latin, Greek and Cyrillic letters it must start
/// a word (followed by anything: an inflected ending), so that a short rendering ("Şi") is
/// not found inside another word ("kişi"); elsewhere anywhere: Arabic and Hebrew join
/// prepositions to the front of a name (وبوتين), Chinese, Japanese and Thai write no spaces.
fn has_rendering(text: &str, rendering: &str) -> bool {
    let bounded = rendering.chars().next().is_some_and(|c| c < '\u{0530}');
    text.match_indices(rendering).any(|(i, _)| {
        !bounded
            || !text[..i]
                .chars()
                .next_back()
                .is_some_and(char::is_alphanumeric)
    })
}

/// Where a phrase (a table name, a word) occurs in a text as whole words.
pub fn find_phrase(text: &str, phrase: &str) -> Option<Range<usize>> {
    text.match_indices(phrase)
        .map(|(i, _)| i..i + phrase.len())
        .find(|r| {
            let before = text[..r.start].chars().next_back();
            let after = text[r.end..].chars().next();
            !before.is_some_and(char::is_alphanumeric) && !after.is_some_and(char::is_alphanumeric)
        })
}

/// What the direct view makes of one name of the original.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NameVerdict {
    /// Byte span of the name in the original.
    pub span: Range<usize>,
    /// Found in the translation (by its rendering or by its letters), or judged missing.
    pub found: bool,
}

/// The names of the original whose presence in the translation can be judged (`lang`: the
/// translation's ISO 639-1 code), each found or missing. A name the direct view cannot
/// judge (an ordinary English word as a name in a non-Latin script, with no rendering in
/// the table) is left out; a short name (G7, Xi) is only ever judged found, never missing.
pub fn verdicts(original: &str, translation: &str, lang: &str) -> Vec<NameVerdict> {
    if lang == "en" {
        return Vec::new();
    }
    let script = script_of_text(translation, lang);
    let translated: Vec<String> = words(translation).iter().map(|(_, w)| latin(w)).collect();
    let lower_translation = translation.to_lowercase();
    let mut out = Vec::new();
    let mut covered: Vec<Range<usize>> = Vec::new();
    // Names of the table first (longest first: "Xi Jinping" before "Xi").
    let mut entries: Vec<(&String, &Vec<String>)> = table().iter().collect();
    entries.sort_by_key(|(k, _)| std::cmp::Reverse(k.len()));
    for (name, renderings) in entries {
        let Some(span) = find_phrase(original, name) else {
            continue;
        };
        if covered
            .iter()
            .any(|c| c.start <= span.start && span.end <= c.end)
        {
            continue;
        }
        covered.push(span.clone());
        let rendered = renderings
            .iter()
            .any(|r| has_rendering(&lower_translation, &r.to_lowercase()));
        let by_letters = transliterable(script)
            && words(name)
                .iter()
                .all(|(_, w)| fuzzy_found(&latin(w), &translated));
        let ordinary = words(name)
            .iter()
            .all(|(_, w)| is_english_word(&w.to_lowercase()));
        let judged = (transliterable(script) && !(ordinary && script != "Latin"))
            || renderings.iter().any(|r| {
                r.chars()
                    .find_map(script_of)
                    .is_some_and(|s| s == script || (script == "Japanese" && s == "Han"))
            });
        if rendered || by_letters {
            out.push(NameVerdict { span, found: true });
        } else if judged {
            out.push(NameVerdict { span, found: false });
        }
    }
    if !transliterable(script) {
        return out;
    }
    for (span, w) in name_words(original) {
        if covered
            .iter()
            .any(|c| c.start <= span.start && span.end <= c.end)
        {
            continue;
        }
        let found = fuzzy_found(&latin(w), &translated);
        // Ordinary English words as names (China, Sea, Post) are often translated, not
        // transliterated, and a short one (G7) is easily missed by its letters: neither is
        // judged missing without the table, only found where its letters are there.
        let lower = w.to_lowercase();
        if found || !(is_english_word(&lower) || w.chars().count() < 4) {
            out.push(NameVerdict { span, found });
        }
    }
    out
}

/// The names of the original missing from the translation, as findings.
pub fn compare(original: &str, translation: &str, lang: &str) -> Vec<Finding> {
    verdicts(original, translation, lang)
        .into_iter()
        .filter(|v| !v.found)
        .map(|v| missing(v.span.clone(), &original[v.span]))
        .collect()
}

fn missing(span: Range<usize>, name: &str) -> Finding {
    Finding {
        kind: FindingKind::NameMissing,
        original: Some(span),
        translation: None,
        message: format!("the name {name} of the original is not in the translation"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn missing_names(o: &str, t: &str, lang: &str) -> Vec<String> {
        compare(o, t, lang)
            .into_iter()
            .map(|f| o[f.original.unwrap()].to_string())
            .collect()
    }

    #[test]
    fn names_are_found_across_scripts_and_inflections() {
        let o = "Putin met Shoigu in Washington, where Xi Jinping spoke about Taiwan.";
        for (t, lang) in [
            (
                "Путин встретился с Шойгу в Вашингтоне, где Си Цзиньпин говорил о Тайване.",
                "ru",
            ),
            (
                "Poutine a rencontré Choïgou à Washington, où Xi Jinping a parlé de Taïwan.",
                "fr",
            ),
            ("普京在华盛顿会见了绍伊古，习近平在那里谈到了台湾。", "zh"),
            (
                "プーチンはワシントンでショイグと会談し、習近平は台湾について語った。",
                "ja",
            ),
        ] {
            assert!(
                missing_names(o, t, lang).is_empty(),
                "{lang}: {:?}",
                missing_names(o, t, lang)
            );
        }
        assert_eq!(
            missing_names(
                "“This is a factor,” Shoigu had said.",
                "«Это фактор», — говорил Лавров.",
                "ru"
            ),
            ["Shoigu"]
        );
        assert_eq!(
            missing_names("He told the Global Times.", "他对《人民日报》说。", "zh"),
            ["Global Times"]
        );
    }

    #[test]
    fn scripts_without_data_are_not_judged() {
        // Cui Heng has no Thai rendering in the table, and Thai is not transliterable.
        assert!(compare("Cui Heng said so.", "ไม่มีชื่อ", "th").is_empty());
        assert!(!table().is_empty());
    }
}
