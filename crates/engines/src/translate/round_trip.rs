//! The engine's own round trip of the original: English → the translation's language (a
//! forward engine) → English (the same engine that back-translates the translation). What a
//! sentence loses or gains on that trip is what the engine does to it by itself; the drift
//! checks discount it, so that a translation is not blamed for its back-translation engine.

use super::apertium::unmark;
use super::{CancelFlag, EngineId, Progress, TranslateError, Translator};

/// The original's sentences after the engine's round trip.
#[derive(Debug, Clone, PartialEq)]
pub struct RoundTrip {
    /// The forward engine's translation of each sentence (marks of unknown words removed).
    pub forward: Vec<String>,
    /// Each sentence back in English (marks removed), one per original sentence.
    pub english: Vec<String>,
    /// The forward engine.
    pub forward_engine: EngineId,
}

/// Sends `sentences` (English) through `forward` and back through `back`. Progress counts
/// both legs: `done` runs to twice the number of sentences.
pub fn round_trip(
    forward: &dyn Translator,
    back: &dyn Translator,
    sentences: &[String],
    progress: Progress<'_>,
    cancel: &CancelFlag,
) -> Result<RoundTrip, TranslateError> {
    let n = sentences.len();
    let there = checked(forward, sentences, &|d, _| progress(d, 2 * n), cancel)?;
    // Apertium marks the words it could not translate; the back engine must read words
    let there: Vec<String> = there.iter().map(|t| unmark(t).0).collect();
    let english = checked(back, &there, &|d, _| progress(n + d, 2 * n), cancel)?;
    Ok(RoundTrip {
        english: english.iter().map(|e| unmark(e).0).collect(),
        forward: there,
        forward_engine: forward.id(),
    })
}

fn checked(
    engine: &dyn Translator,
    sentences: &[String],
    progress: Progress<'_>,
    cancel: &CancelFlag,
) -> Result<Vec<String>, TranslateError> {
    let out = engine.translate_batch(sentences, progress, cancel)?;
    if out.len() != sentences.len() {
        return Err(TranslateError::Misaligned {
            engine: engine.id().to_string(),
            expected: sentences.len(),
            got: out.len(),
        });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A toy engine that upper-cases on the way out and marks one word it "does not know".
    struct Shout;
    impl Translator for Shout {
        fn id(&self) -> EngineId {
            EngineId::new("toy", "shout", "", "")
        }
        fn translate_batch(
            &self,
            s: &[String],
            progress: Progress<'_>,
            _: &CancelFlag,
        ) -> Result<Vec<String>, TranslateError> {
            progress(s.len(), s.len());
            Ok(s.iter()
                .map(|t| t.to_uppercase().replace("FORTNIGHT", "*fortnight"))
                .collect())
        }
    }
    struct Whisper;
    impl Translator for Whisper {
        fn id(&self) -> EngineId {
            EngineId::new("toy", "whisper", "", "")
        }
        fn translate_batch(
            &self,
            s: &[String],
            progress: Progress<'_>,
            _: &CancelFlag,
        ) -> Result<Vec<String>, TranslateError> {
            progress(s.len(), s.len());
            Ok(s.iter().map(|t| t.to_lowercase()).collect())
        }
    }

    #[test]
    fn both_legs_run_and_marks_are_removed_between_them() {
        let done = std::cell::Cell::new(0);
        let rt = round_trip(
            &Shout,
            &Whisper,
            &["Only a fortnight ago.".to_string(), "Yes.".to_string()],
            &|d, t| {
                assert_eq!(t, 4);
                done.set(d)
            },
            &CancelFlag::new(),
        )
        .unwrap();
        assert_eq!(rt.forward, ["ONLY A fortnight AGO.", "YES."]);
        assert_eq!(rt.english, ["only a fortnight ago.", "yes."]);
        assert_eq!(rt.forward_engine.model, "shout");
        assert_eq!(done.get(), 4);
    }
}
