//! Words of high degree read in the translation itself, in its own language
//! (`degree.toml`): whether a translated sentence says "very", "extremely", "absolutely" in
//! any way its language has, so that a quotation whose "very" is gone can be told with no
//! engine in between ("una retórica muy agresiva" keeps it, "una retórica algo dura" does
//! not).

use crate::drift::words::{tokenize, Kind, Token};
use std::collections::{HashMap, HashSet};
use std::ops::Range;
use std::sync::OnceLock;

struct Table {
    /// Per language (ISO 639-1), its words of high degree, lower case.
    words: HashMap<String, Vec<String>>,
    /// The original's adverbs of high degree, lower case.
    english: HashSet<String>,
    /// Languages where an entry may end inside a word, or start inside one.
    suffixed: HashSet<String>,
    prefixed: HashSet<String>,
}

fn table() -> &'static Table {
    static T: OnceLock<Table> = OnceLock::new();
    T.get_or_init(|| {
        let mut raw: HashMap<String, Vec<String>> =
            toml::from_str(include_str!("degree.toml")).unwrap_or_default();
        let mut take = |key: &str| -> HashSet<String> {
            raw.remove(key).unwrap_or_default().into_iter().collect()
        };
        let (english, suffixed, prefixed) = (take("en"), take("suffixed"), take("prefixed"));
        let words = raw
            .into_iter()
            .map(|(lang, words)| (lang, words.iter().map(|w| w.to_lowercase()).collect()))
            .collect();
        Table {
            words,
            english,
            suffixed,
            prefixed,
        }
    })
}

/// Whether `text`, a sentence in language `lang` (ISO 639-1), has a word of high degree;
/// `None` for a language the table does not have (nothing can be said then).
pub fn has_high_degree(text: &str, lang: &str) -> Option<bool> {
    let t = table();
    let words = t.words.get(lang)?;
    let lower = text.to_lowercase();
    let (free_end, free_start) = (t.suffixed.contains(lang), t.prefixed.contains(lang));
    Some(words.iter().any(|w| {
        // "-ísimo" is a word's ending, "hoch-" a word's beginning
        let (ending, w) = w
            .strip_prefix('-')
            .map_or((false, w.as_str()), |w| (true, w));
        let (beginning, w) = w.strip_suffix('-').map_or((false, w), |w| (true, w));
        contains_word(&lower, w, free_start || ending, free_end || beginning)
    }))
}

/// Whether `word` stands in `text` as a word of its own: not inside a longer word, unless
/// the language lets it start (`free_start`) or end (`free_end`) inside one.
fn contains_word(text: &str, word: &str, free_start: bool, free_end: bool) -> bool {
    if word.is_empty() {
        return false;
    }
    text.match_indices(word).any(|(at, _)| {
        let before = text[..at].chars().next_back();
        let after = text[at + word.len()..].chars().next();
        (free_start || !before.is_some_and(char::is_alphanumeric))
            && (free_end || !after.is_some_and(char::is_alphanumeric))
    })
}

/// The adverbs of high degree in `original` (English), as byte ranges: "very", "extremely",
/// "absolutely" …, but not the adjective "very" after "the", "this", "that" ("at the very
/// least") nor the "very" of "very much".
pub fn english_high_degree(original: &str) -> Vec<Range<usize>> {
    let english = &table().english;
    let words: Vec<Token> = tokenize(original)
        .into_iter()
        .filter(|t| t.kind == Kind::Word)
        .collect();
    let word = |k: Option<usize>| k.and_then(|k| words.get(k)).map_or("", |w| w.norm.as_str());
    (0..words.len())
        .filter(|&k| {
            let w = word(Some(k));
            let very_adjective = w == "very"
                && matches!(
                    word(k.checked_sub(1)),
                    "the" | "this" | "that" | "these" | "those" | "his" | "her" | "its"
                );
            let very_much = w == "very" && word(Some(k + 1)) == "much";
            english.contains(w) && !very_adjective && !very_much
        })
        .map(|k| words[k].start..words[k].end)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_table_reads_every_language_and_the_english_side() {
        let t = table();
        assert!(t.words.len() >= 45, "{} languages", t.words.len());
        assert!(t.english.contains("very") && t.english.contains("maximally"));
        assert!(!t.words.contains_key("en") && !t.words.contains_key("suffixed"));
    }

    #[test]
    fn a_word_of_degree_is_found_in_its_script_and_not_inside_other_words() {
        assert_eq!(
            has_high_degree("una retórica muy agresiva", "es"),
            Some(true)
        );
        assert_eq!(has_high_degree("una retórica algo dura", "es"), Some(false));
        // "muy" inside no other word; "nada" not inside "nadar"
        assert_eq!(has_high_degree("Muyahidín nadar", "es"), Some(false));
        assert_eq!(
            has_high_degree("Это очень агрессивная риторика", "ru"),
            Some(true)
        );
        assert_eq!(
            has_high_degree("来自北约和美国的非常咄咄逼人的言论", "zh"),
            Some(true)
        );
        assert_eq!(has_high_degree("赤裸裸的战争叫嚣", "zh"), Some(false));
        // an ending after the word (Bengali emphatic -ই), a particle before it (Hebrew ו)
        assert_eq!(has_high_degree("না, একেবারেই না", "bn"), Some(true));
        assert_eq!(has_high_degree("והיא קשה ומאוד מתוחה", "he"), Some(true));
        // a phrase, a word's ending (the superlative), a word's beginning
        assert_eq!(has_high_degree("Bu son derece zor.", "tr"), Some(true));
        assert_eq!(
            has_high_degree("una retórica agresivísima", "es"),
            Some(true)
        );
        assert_eq!(
            has_high_degree("eine hochgefährliche Lage", "de"),
            Some(true)
        );
        assert_eq!(has_high_degree("anything", "zz"), None);
    }

    #[test]
    fn english_adverbs_of_degree_but_not_the_adjective_very() {
        let s = "At the very least, it is “very tense and absolutely not over”.";
        let found: Vec<&str> = english_high_degree(s).into_iter().map(|r| &s[r]).collect();
        assert_eq!(found, ["very", "absolutely"]);
        assert!(english_high_degree("").is_empty());
        assert!(english_high_degree("“Thank you very much,” he said.").is_empty());
        assert!(english_high_degree("Verily, a veryfine day.").is_empty());
    }
}
