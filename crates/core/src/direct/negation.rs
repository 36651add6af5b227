//! Negations read in the translation itself, in its own language (`negation.toml`): how
//! many words deny in a translated sentence, so that a negation the back-translation lost
//! or added can be told from one the translation lost or added.

use std::collections::{HashMap, HashSet};
use std::sync::OnceLock;

fn table() -> &'static HashMap<String, HashSet<String>> {
    static T: OnceLock<HashMap<String, HashSet<String>>> = OnceLock::new();
    T.get_or_init(|| {
        let raw: HashMap<String, Vec<String>> =
            toml::from_str(include_str!("negation.toml")).unwrap_or_default();
        raw.into_iter()
            .map(|(lang, words)| (lang, words.into_iter().collect()))
            .collect()
    })
}

/// The words that deny in `text`, a sentence in language `lang` (ISO 639-1), counted; `None`
/// for a language the table does not have (nothing can be said then).
pub fn count(text: &str, lang: &str) -> Option<usize> {
    let words = table().get(lang)?;
    let lower = text.to_lowercase();
    Some(
        lower
            // "n'est", "l'ONU": an apostrophe ends a word too
            .split(|c: char| !c.is_alphanumeric())
            .filter(|w| words.contains(*w))
            .count(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_table_reads_and_counts_denials_in_their_scripts() {
        assert!(!table().is_empty(), "negation.toml parses");
        assert_eq!(count("Не мислам дека САД се подготвени.", "mk"), Some(1));
        assert_eq!(
            count("Ég held ekki að Bandaríkin séu tilbúin.", "is"),
            Some(1)
        );
        assert_eq!(
            count("Bandaríkin eru ófær um að takast á við bæði.", "is"),
            Some(1)
        );
        assert_eq!(count("Il n'est pas prêt, ni elle.", "fr"), Some(2));
        assert_eq!(
            count("No creo que estén preparados, sin duda.", "es"),
            Some(2)
        );
        assert_eq!(count("Creo que están preparados.", "es"), Some(0));
        // "nosotros", "nada" inside other words do not count
        assert_eq!(count("Nosotros anadamos.", "es"), Some(0));
        // a language without a list says nothing
        assert_eq!(count("Nemá to smysl.", "cs"), None);
    }
}
