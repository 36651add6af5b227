//! Words left in another language: words of the back-translation in another script or with
//! foreign letters, or lower-case words that are not English.

use super::{Check, Findings, PairFacts};
use crate::drift::evidence::saturate;
use crate::drift::matching::tok_mention;
use crate::drift::words::{self, fold, is_english_word, same_word, Kind, Token};
use crate::drift::DriftReason;
use crate::text::lang::script_of;
use std::collections::HashSet;

pub struct ForeignWords;

/// The script of a letter English does not write (`None` for Latin letters, marks and
/// digits, and letters of scripts the language table does not name).
fn foreign_script(c: char) -> Option<&'static str> {
    script_of(c).filter(|s| !matches!(*s, "Latin" | "Other"))
}

/// Whether a lower-case word of the back-translation is not English: not in the word list,
/// not in the lexicon (WordNet's 150,000 words and their inflections: grieve, affirmations,
/// homologous), not a common misspelling, and not a form of a word of the original.
fn not_english(pair: &PairFacts, t: &Token, orig_norms: &HashSet<&str>) -> bool {
    !t.is_capitalised()
        && t.norm.len() >= 3
        && t.norm.bytes().all(|b| b.is_ascii_lowercase())
        && !is_english_word(&t.norm)
        && !pair.lexicon.is_some_and(|wn| wn.knows(&t.norm))
        && !words::is_misspelled_english(&t.norm)
        && !orig_norms.iter().any(|o| same_word(o, &t.norm))
}

/// A capitalised word that, accents removed, shares all but its last two letters (five at
/// least) with a capitalised word of the original: the translation's spelling of a name
/// ("Pacífico" for "Pacific"), not text left untranslated.
fn spelled_like_a_name(folded: &str, original: &[Token]) -> bool {
    original.iter().filter(|o| o.is_capitalised()).any(|o| {
        let name = fold(&o.norm);
        let common = name
            .chars()
            .zip(folded.chars())
            .take_while(|(a, b)| a == b)
            .count();
        let longer = name.chars().count().max(folded.chars().count());
        common >= 5 && common + 2 >= longer
    })
}

impl Check for ForeignWords {
    fn name(&self) -> &'static str {
        "foreign words"
    }

    fn run(&self, pair: &PairFacts, found: &mut Findings) {
        let ot = &pair.original_tokens;
        let orig_scripts: HashSet<Option<&str>> =
            pair.original.chars().map(foreign_script).collect();
        let orig_folded = std::cell::OnceCell::new();
        let folded = || -> &HashSet<String> {
            orig_folded.get_or_init(|| {
                ot.iter()
                    .filter(|t| t.kind == Kind::Word)
                    .map(|t| fold(&t.norm))
                    .collect()
            })
        };
        let orig_norms: HashSet<&str> = ot.iter().map(|t| t.norm.as_str()).collect();
        let mut foreign = Vec::new();
        let mut unknown = Vec::new();
        for (_, t) in pair
            .back_tokens
            .iter()
            .enumerate()
            .filter(|(i, t)| t.kind == Kind::Word && !pair.marked[*i])
        {
            if orig_norms.contains(t.norm.as_str()) {
                continue;
            }
            let other_script = t.text.chars().any(|c| {
                let s = foreign_script(c);
                s.is_some() && !orig_scripts.contains(&s)
            });
            let foreign_letters = t
                .text
                .chars()
                .any(|c| c.is_alphabetic() && !c.is_ascii() && foreign_script(c).is_none())
                && !folded().contains(&fold(&t.norm))
                && (!t.is_capitalised() || !spelled_like_a_name(&fold(&t.norm), ot))
                // English words written with their accents: communiqué, café, naïve
                && !is_english_word(&fold(&t.norm));
            if other_script || foreign_letters {
                foreign.push(tok_mention(pair.back, t));
            } else if not_english(pair, t, &orig_norms) {
                unknown.push(tok_mention(pair.back, t));
            }
        }
        found.evidence.foreign_words = saturate(foreign.len());
        found.evidence.unknown_words = saturate(unknown.len());
        if !foreign.is_empty() || !unknown.is_empty() {
            found.reasons.push(DriftReason::WordsLeftUntranslated {
                words: foreign,
                unknown,
            });
        }
    }
}
