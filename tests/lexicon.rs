//! WordNet as the drift checks read it: the system's database, found and parsed by
//! `driftlens::resources`, with the relations a reviewer would accept.

use driftlens::drift::lexicon::{Pos, WordNet};
use driftlens::resources;
use std::sync::Arc;

fn wn() -> Arc<WordNet> {
    resources::wordnet().unwrap_or_else(|| panic!("{}", resources::wordnet_status()))
}

#[test]
fn a_missing_or_damaged_database_is_named_in_the_error() {
    let dir = std::env::temp_dir().join(format!("driftlens-wn-test-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let e = resources::load_wordnet(&dir).unwrap_err();
    assert!(e.contains("data.noun"), "{e}");
    std::fs::write(dir.join("data.noun"), "00001740 03 n zz\n").unwrap();
    let e = resources::load_wordnet(&dir).unwrap_err();
    assert!(e.contains("data.noun line 1"), "{e}");
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn base_forms_of_irregular_and_regular_words() {
    let w = wn();
    assert_eq!(w.base_forms("found", Pos::Verb)[0], "found"); // to found a company
    assert!(w
        .base_forms("found", Pos::Verb)
        .contains(&"find".to_string()));
    assert!(w
        .base_forms("stopped", Pos::Verb)
        .contains(&"stop".to_string()));
    assert!(w
        .base_forms("crystals", Pos::Noun)
        .contains(&"crystal".to_string()));
    assert!(w
        .base_forms("children", Pos::Noun)
        .contains(&"child".to_string()));
}

#[test]
fn relations_a_reviewer_would_accept() {
    let w = wn();
    assert!(w.related("compared", "comparison"));
    assert!(w.related("committee", "commission"));
    assert!(w.related("supplemental", "supplementary"));
    assert!(!w.related("imported", "exported"));
    assert!(w.opposite("former", "latter"));
    assert!(w.opposite("imported", "exported") || w.opposite("import", "export"));
    assert!(w.opposite("successful", "unsuccessful"));
    assert!(!w.opposite("big", "large"));
    assert!(w.more_general("dog", "animal"));
    assert!(w.more_general("recommend", "propose"));
    assert!(!w.more_general("animal", "dog"));
}

/// An opposite is read in the words' dominant senses: "get" and "come" share no sense a
/// reader would take (the back-translation of Icelandic "koma … í sóknarstöðu", "get … on
/// the front foot", came back with "come"), while "rise" and "fall" are opposites however
/// they are worded.
#[test]
fn opposites_are_read_in_the_words_dominant_senses() {
    use driftlens::drift::{DriftReason, DriftScorer, Pair};
    let scorer = DriftScorer::default().with_lexicon(wn());
    let opposite = |original: &str, back: &str| {
        scorer
            .score(&Pair::new(original, back))
            .reasons
            .iter()
            .any(|r| matches!(r, DriftReason::OppositeWord { .. }))
    };
    assert!(!opposite(
        "The meeting was meant to get the west on the front foot.",
        "The meeting was meant to come the west in the front foot."
    ));
    assert!(opposite(
        "Prices rose sharply in the first quarter.",
        "Prices fell sharply in the first quarter."
    ));
    assert!(opposite(
        "The talks were a success for both sides.",
        "The talks were a failure for both sides."
    ));
}
