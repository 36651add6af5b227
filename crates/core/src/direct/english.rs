//! Text left in the original's language: a run of the original's own English words
//! standing in a translation into another language. Names and loanwords are fine ("Naval
//! War College", "de facto"); a clause is not: a run counts only when it is at least
//! four words long, follows the original word for word, and carries an English function
//! word no language of the corpus shares ("the", "which", "would" …).

use super::{shorten, Finding, FindingKind};
use crate::drift::words::is_english_word;
use crate::text::lang::script_of;
use std::ops::Range;

/// Function words that mark an English clause; none is a common word of another language
/// of the corpus (unlike "a", "in", "to", "is", "die").
const ENGLISH_ONLY: &[&str] = &[
    "the", "of", "and", "that", "with", "would", "which", "were", "was", "their", "this", "from",
    "have", "has", "been", "there", "these", "those", "what", "will", "they", "its",
];

/// Latin-script words with their spans, lower-cased; other words break a run (`None`).
fn latin_words(text: &str) -> Vec<(Range<usize>, Option<String>)> {
    let mut out = Vec::new();
    let mut start = None;
    for (i, c) in text
        .char_indices()
        .chain(std::iter::once((text.len(), ' ')))
    {
        if c.is_alphabetic() || (c == '’' || c == '\'') && start.is_some() {
            start.get_or_insert(i);
        } else if let Some(s) = start.take() {
            let w = &text[s..i];
            let latin = w
                .chars()
                .filter(|c| c.is_alphabetic())
                .all(|c| script_of(c) == Some("Latin"));
            out.push((s..i, latin.then(|| w.to_lowercase())));
        }
    }
    out
}

pub fn left_in_english(original: &str, translation: &str, lang: &str) -> Option<Finding> {
    if lang == "en" {
        return None;
    }
    let ours: Vec<String> = latin_words(original)
        .into_iter()
        .filter_map(|(_, w)| w)
        .collect();
    let theirs = latin_words(translation);
    let mut best: Option<Range<usize>> = None;
    let mut i = 0;
    while i < theirs.len() {
        // The longest run from word i that the original has word for word.
        let mut longest = 0;
        for start in 0..ours.len() {
            let n = (0..)
                .take_while(|&k| {
                    theirs
                        .get(i + k)
                        .and_then(|w| w.1.as_ref())
                        .is_some_and(|w| {
                            ours.get(start + k) == Some(w) && is_english_word(&ascii_word(w))
                        })
                })
                .count();
            longest = longest.max(n);
        }
        let run = &theirs[i..i + longest];
        let clause = longest >= 4
            && run
                .iter()
                .any(|w| w.1.as_deref().is_some_and(|w| ENGLISH_ONLY.contains(&w)));
        if clause {
            let span = run[0].0.start..run[longest - 1].0.end;
            if best.as_ref().is_none_or(|b| b.len() < span.len()) {
                best = Some(span);
            }
        }
        i += longest.max(1);
    }
    let span = best?;
    let words = shorten(&translation[span.clone()]);
    Some(Finding {
        kind: FindingKind::LeftInEnglish,
        original: None,
        translation: Some(span),
        message: format!("the words “{words}” are left in English"),
    })
}

/// The word as the English word list spells it: "leaders’" → "leaders".
fn ascii_word(w: &str) -> String {
    w.trim_end_matches(['’', '\''])
        .split(['’', '\''])
        .next()
        .unwrap_or(w)
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_clause_left_in_english_is_found_and_names_are_not() {
        let o =
            "Shoigu also noted a rise in the number of US bomber flights over the Sea of Okhotsk.";
        let found = left_in_english(o, o, "de").expect("the whole sentence is English");
        // from "also" (Shoigu is a name, no English word) to "Okhotsk" (neither)
        assert_eq!(
            &o[found.translation.unwrap()],
            "also noted a rise in the number of US bomber flights over the Sea of"
        );
        let ru = "Шойгу также отметил рост числа полётов над Охотским морем.";
        assert!(left_in_english(o, ru, "ru").is_none());
        let o = "Goldstein served at the Naval War College up until October.";
        let gl = "Goldstein traballou no Naval War College ata outubro.";
        assert!(left_in_english(o, gl, "gl").is_none());
        assert!(left_in_english("", "", "de").is_none());
    }
}
