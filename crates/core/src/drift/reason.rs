//! Why a pair drifted: [`DriftReason`], its message in plain words and the words to
//! highlight on both sides.

use super::EvidenceKind;
use serde::{Deserialize, Serialize};

/// A byte range in a sentence.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Span {
    pub start: usize,
    pub end: usize,
}

/// Words of one sentence and where they are.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Mention {
    pub text: String,
    pub span: Span,
}

/// Why a pair drifted. `original` spans point into the original sentence, `back_translation`
/// spans into the back-translation.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum DriftReason {
    /// A number, date or amount differs: "10 became 12".
    NumberChanged {
        original: Mention,
        back_translation: Mention,
    },
    /// A number of the original has no counterpart.
    NumberMissing { original: Mention },
    /// The back-translation has a number the original lacks.
    NumberAdded { back_translation: Mention },
    /// A name (person, place, organisation) of the original is missing.
    NameMissing { original: Mention },
    /// The back-translation names someone or something the original does not.
    NameAdded { back_translation: Mention },
    /// A "not", "no", "never" … of the original is gone.
    NegationLost { original: Mention },
    /// The back-translation denies what the original states.
    NegationAdded { back_translation: Mention },
    /// will / may / must … changed, or appears on one side only.
    CertaintyChanged {
        original: Option<Mention>,
        back_translation: Option<Mention>,
    },
    /// A statement became a question, or the reverse.
    QuestionChanged {
        original_asks: bool,
        original: Option<Mention>,
        back_translation: Option<Mention>,
    },
    /// "she" became "he", or the reverse.
    GenderChanged {
        original: Mention,
        back_translation: Mention,
    },
    /// Words of another language remain in the back-translation: in another script or with
    /// foreign letters (`words`), or not English words at all (`unknown`).
    WordsLeftUntranslated {
        words: Vec<Mention>,
        unknown: Vec<Mention>,
    },
    /// The translated sentence is still in the original's language.
    Untranslated { language: String },
    /// The words are there but in another order.
    WordOrderScrambled { kept_pairs: f32 },
    /// Words of a quotation did not survive: `lost` of its `words` content words, `unmatched`
    /// of them without a synonym or a derived form in the back-translation either.
    QuoteChanged {
        quote: Span,
        lost: Vec<Mention>,
        words: usize,
        unmatched: usize,
    },
    /// The meaning as a whole differs (embedding similarity, chrF).
    MeaningDiffers { similarity: f32, chrf: f32 },
    /// Content words of the original with no counterpart in the back-translation.
    WordsMissing { words: Vec<Mention> },
    /// Content words of the back-translation with no counterpart in the original.
    WordsAdded { words: Vec<Mention> },
    /// A stretch of the original (`passage`) whose content words (`words`) have no
    /// counterpart, in order, in the back-translation: a clause dropped.
    PassageOmitted {
        passage: Mention,
        words: Vec<Mention>,
    },
    /// A word of the original became its opposite (WordNet antonyms, un-/non- words):
    /// "former" became "latter".
    OppositeWord {
        original: Mention,
        back_translation: Mention,
    },
    /// A word became a more general one (WordNet hypernym): "recommended" became
    /// "proposed", "dog" became "animal"; the specific meaning is lost.
    VaguerWord {
        original: Mention,
        back_translation: Mention,
    },
    /// A verb both sentences share is in another tense ("found" became "find"), or one side
    /// puts it in the future ("will").
    TenseChanged {
        original: Option<Mention>,
        back_translation: Option<Mention>,
    },
    /// An ongoing ("was revealing") or completed ("have been") action on one side only.
    AspectChanged {
        original: Option<Mention>,
        back_translation: Option<Mention>,
        progressive: bool,
    },
    /// A strong word (very, massive) became a weak one (somewhat, some), or the reverse: the
    /// statement was softened or sharpened.
    IntensityChanged {
        original: Mention,
        back_translation: Mention,
        softened: bool,
    },
    /// A word added inside a phrase the back-translation otherwise gives word for word
    /// ("affected pets" → "affected wild pets"); `phrase` spans the word and its neighbours in
    /// the back-translation.
    WordInserted { word: Mention, phrase: Mention },
    /// A word of the original dropped from a phrase the back-translation otherwise gives word
    /// for word ("by infrared spectroscopy" → "by spectroscopy"); `phrase` spans it and its
    /// neighbours in the original.
    WordDropped { word: Mention, phrase: Mention },
    /// Words the back-translation engine could not translate and left as they were (Apertium
    /// marks them): a gap in the engine's dictionary, shown apart from drift.
    EngineGap { words: Vec<Mention> },
    /// Something the back-translation engine does to the original by itself, on its own round
    /// trip (English → the translation's language → English): the engine's noise, shown but
    /// not counted as drift.
    EngineNoise { reason: Box<DriftReason> },
    /// A name the back-translation lost or mangled that the translation itself has, read
    /// directly across scripts (Бхадракумар for Bhadrakumar), or a "name" of the
    /// back-translation that is a word of the translation the engine left as it was: the
    /// engine's doing, shown but not counted as drift.
    FoundInTranslation { reason: Box<DriftReason> },
    /// On its own the pair would be flagged (`alone`), but the whole translation comes back
    /// that rough (its typical pair scores `typical`) and this pair's wording does not stand
    /// out against it.
    RoughThroughout {
        alone: super::DriftLevel,
        typical: f32,
    },
    /// The aligner found no counterpart for these original sentences.
    DroppedInTranslation { original_sentences: Vec<usize> },
    /// The aligner found no counterpart in the original for these translated sentences.
    AddedInTranslation { translated_sentences: Vec<usize> },
}

fn list(ms: &[Mention]) -> String {
    let words: Vec<String> = ms.iter().map(|m| format!("“{}”", m.text)).collect();
    match words.len() {
        0 => String::new(),
        1 => words[0].clone(),
        n => format!("{} and {}", words[..n - 1].join(", "), words[n - 1]),
    }
}

impl DriftReason {
    /// The reason in plain words, for a reviewer or a student.
    pub fn message(&self) -> String {
        use DriftReason::*;
        match self {
            NumberChanged {
                original,
                back_translation,
            } => format!("{} became {}", original.text, back_translation.text),
            NumberMissing { original } => format!("the number {} is missing", original.text),
            NumberAdded { back_translation } => format!(
                "the number {} appears only in the back-translation",
                back_translation.text
            ),
            NameMissing { original } => format!("the name {} is missing", original.text),
            NameAdded { back_translation } => format!(
                "the name {} appears only in the back-translation",
                back_translation.text
            ),
            NegationLost { original } => format!(
                "“{}” is missing: the back-translation no longer denies it",
                original.text
            ),
            NegationAdded { back_translation } => format!(
                "“{}” appears only in the back-translation",
                back_translation.text
            ),
            CertaintyChanged {
                original: Some(o),
                back_translation: Some(b),
            } => format!("“{}” became “{}”", o.text, b.text),
            CertaintyChanged {
                original: Some(o),
                back_translation: None,
            } => format!("“{}” is missing from the back-translation", o.text),
            CertaintyChanged {
                original: None,
                back_translation: Some(b),
            } => format!("“{}” appears only in the back-translation", b.text),
            CertaintyChanged { .. } => "the certainty changed".to_string(),
            QuestionChanged {
                original_asks: true,
                ..
            } => "the original asks a question; the back-translation states it".to_string(),
            QuestionChanged {
                original_asks: false,
                ..
            } => "the original states it; the back-translation asks a question".to_string(),
            GenderChanged {
                original,
                back_translation,
            } => format!("“{}” became “{}”", original.text, back_translation.text),
            WordsLeftUntranslated { words, unknown } => {
                let mut parts = Vec::new();
                if !words.is_empty() {
                    parts.push(format!("{} left untranslated", list(words)));
                }
                if !unknown.is_empty() {
                    parts.push(format!("{} not English", list(unknown)));
                }
                parts.join("; ")
            }
            Untranslated { language } => {
                format!("the translation is still in the original's language ({language})")
            }
            WordOrderScrambled { .. } => {
                "the words are scrambled: their order makes no sense".to_string()
            }
            QuoteChanged { lost, words, .. } if lost.len() >= 2 => {
                format!("the quotation lost {} ({} of its {words} words)", list(lost), lost.len())
            }
            QuoteChanged { lost, .. } => format!("the quotation lost {}", list(lost)),
            OppositeWord {
                original,
                back_translation,
            } => format!(
                "“{}” became its opposite, “{}”",
                original.text, back_translation.text
            ),
            VaguerWord {
                original,
                back_translation,
            } => format!(
                "“{}” became the more general “{}”: the specific meaning is lost",
                original.text, back_translation.text
            ),
            TenseChanged { .. } | AspectChanged { .. } => self.verb_message(),
            IntensityChanged {
                original,
                back_translation,
                softened,
            } => format!(
                "“{}” became “{}”: the statement was {}",
                original.text,
                back_translation.text,
                if *softened { "softened" } else { "sharpened" }
            ),
            WordInserted { word, phrase } => format!(
                "“{}” was added: “{}” in the back-translation",
                word.text, phrase.text
            ),
            WordDropped { word, phrase } => format!(
                "“{}” was dropped from “{}”",
                word.text, phrase.text
            ),
            MeaningDiffers { similarity, .. } => {
                format!("the meaning differs (similarity {similarity:.2})")
            }
            WordsMissing { words } => format!("no counterpart for {}", list(words)),
            PassageOmitted { words, .. } => format!(
                "{} in a row have no counterpart: this part seems dropped",
                list(words)
            ),
            EngineGap { words } => format!(
                "{} left untranslated by the back-translation engine (a word it does not know, not drift)",
                list(words)
            ),
            WordsAdded { words } => format!("only in the back-translation: {}", list(words)),
            RoughThroughout { alone, typical } => format!(
                "on its own this pair would be {}, but every sentence of this translation comes back about as rough (typical score {:.2}): the wording does not stand out",
                alone.name(),
                typical
            ),
            EngineNoise { reason } => format!(
                "{}, but the engine does the same to the original on its own round trip: not counted as drift",
                reason.message()
            ),
            FoundInTranslation { reason } => match **reason {
                NameAdded { .. } | WordsLeftUntranslated { .. } | WordsAdded { .. } => format!(
                    "{}, but it is a word of the translation that the engine left as it was: not counted as drift",
                    reason.message()
                ),
                NegationAdded { .. } => format!(
                    "{}, but the translation denies no more often than the original (read directly, without the engine): the back-translation added it, not counted as drift",
                    reason.message()
                ),
                _ => format!(
                    "{}, but the translation has it (read directly, without the engine): the back-translation lost it, not counted as drift",
                    reason.message()
                ),
            },
            DroppedInTranslation { original_sentences } if original_sentences.len() > 1 => {
                "these sentences were dropped in translation".to_string()
            }
            DroppedInTranslation { .. } => "this sentence was dropped in translation".to_string(),
            AddedInTranslation { .. } => {
                "the translation adds a sentence the original does not have".to_string()
            }
        }
    }

    /// The message of a tense or aspect reason.
    fn verb_message(&self) -> String {
        use DriftReason::*;
        match self {
            TenseChanged {
                original: Some(o),
                back_translation: Some(b),
            } => format!("the tense changed: “{}” became “{}”", o.text, b.text),
            TenseChanged {
                back_translation: Some(b),
                ..
            } => format!("“{}” puts in the future what the original does not", b.text),
            TenseChanged {
                original: Some(o), ..
            } => format!("the original's future “{}” is gone", o.text),
            TenseChanged { .. } => "the tense changed".to_string(),
            AspectChanged {
                back_translation: Some(b),
                progressive,
                ..
            } => format!(
                "“{}” describes {} action; the original does not",
                b.text,
                if *progressive {
                    "an ongoing"
                } else {
                    "a completed"
                }
            ),
            AspectChanged {
                original: Some(o),
                progressive,
                ..
            } => format!(
                "the original's {} “{}” has no counterpart",
                if *progressive {
                    "ongoing action"
                } else {
                    "completed action"
                },
                o.text
            ),
            AspectChanged { .. } => "the aspect of the verb changed".to_string(),
            _ => String::new(),
        }
    }

    /// Byte spans to highlight in the original sentence.
    pub fn original_spans(&self) -> Vec<Span> {
        use DriftReason::*;
        match self {
            NumberChanged { original, .. }
            | NumberMissing { original }
            | NameMissing { original }
            | NegationLost { original }
            | GenderChanged { original, .. }
            | OppositeWord { original, .. }
            | IntensityChanged { original, .. }
            | VaguerWord { original, .. } => vec![original.span],
            WordDropped { word, .. } => vec![word.span],
            CertaintyChanged { original, .. }
            | QuestionChanged { original, .. }
            | TenseChanged { original, .. }
            | AspectChanged { original, .. } => original.iter().map(|m| m.span).collect(),
            QuoteChanged { lost, .. } => lost.iter().map(|m| m.span).collect(),
            PassageOmitted { passage, .. } => vec![passage.span],
            WordsMissing { words } => words.iter().map(|m| m.span).collect(),
            EngineNoise { reason } | FoundInTranslation { reason } => reason.original_spans(),
            _ => Vec::new(),
        }
    }

    /// Byte spans to highlight in the back-translation.
    pub fn back_translation_spans(&self) -> Vec<Span> {
        use DriftReason::*;
        match self {
            NumberChanged {
                back_translation, ..
            }
            | NumberAdded { back_translation }
            | NameAdded { back_translation }
            | NegationAdded { back_translation }
            | GenderChanged {
                back_translation, ..
            }
            | OppositeWord {
                back_translation, ..
            }
            | IntensityChanged {
                back_translation, ..
            }
            | VaguerWord {
                back_translation, ..
            } => {
                vec![back_translation.span]
            }
            CertaintyChanged {
                back_translation, ..
            }
            | TenseChanged {
                back_translation, ..
            }
            | AspectChanged {
                back_translation, ..
            }
            | QuestionChanged {
                back_translation, ..
            } => back_translation.iter().map(|m| m.span).collect(),
            WordsLeftUntranslated { words, unknown } => {
                words.iter().chain(unknown).map(|m| m.span).collect()
            }
            WordsAdded { words } | EngineGap { words } => words.iter().map(|m| m.span).collect(),
            WordInserted { word, .. } => vec![word.span],
            EngineNoise { reason } | FoundInTranslation { reason } => {
                reason.back_translation_spans()
            }
            _ => Vec::new(),
        }
    }

    /// A quotation of which half the content words or more (two at least) have no counterpart,
    /// not even a synonym: it is not the speaker's any more.
    pub fn quote_mostly_lost(&self) -> bool {
        matches!(self, DriftReason::QuoteChanged { words, unmatched, .. } if *unmatched >= 2 && unmatched * 2 >= *words)
    }

    /// A fact check (number, name, negation …) rather than a similarity.
    pub fn is_fact(&self) -> bool {
        !matches!(
            self,
            DriftReason::MeaningDiffers { .. }
                | DriftReason::WordsMissing { .. }
                | DriftReason::WordsAdded { .. }
                // faithful translations use a more general word often (manufacture / make)
                // and another aspect (has been published / was published): shown only on a
                // flagged pair
                | DriftReason::VaguerWord { .. }
                | DriftReason::AspectChanged { .. }
                // a word in or out in place: shown on a flagged pair, where it says what
                // changed more precisely than "no counterpart"
                | DriftReason::WordInserted { .. }
                | DriftReason::WordDropped { .. }
        )
    }

    /// The evidence that weighs this reason (fact reasons are listed strongest first); `None`
    /// for the reasons without one of their own (similarity, alignment).
    pub fn evidence_kind(&self) -> Option<EvidenceKind> {
        use DriftReason::*;
        Some(match self {
            NumberChanged { .. } => EvidenceKind::NumberChanged,
            NumberMissing { .. } | NumberAdded { .. } => EvidenceKind::NumberMissingOrAdded,
            NameMissing { .. } => EvidenceKind::NameMissing,
            NameAdded { .. } => EvidenceKind::NameAdded,
            NegationLost { .. } | NegationAdded { .. } => EvidenceKind::Negation,
            CertaintyChanged { .. } => EvidenceKind::Certainty,
            QuestionChanged { .. } => EvidenceKind::Question,
            GenderChanged { .. } => EvidenceKind::Gender,
            WordsLeftUntranslated { .. } => EvidenceKind::ForeignWords,
            WordOrderScrambled { .. } => EvidenceKind::WordOrder,
            QuoteChanged { .. } => EvidenceKind::QuoteChanged,
            EngineGap { .. } => EvidenceKind::EngineGap,
            PassageOmitted { .. } => EvidenceKind::Omission,
            OppositeWord { .. } => EvidenceKind::Opposite,
            IntensityChanged { .. } => EvidenceKind::Intensity,
            VaguerWord { .. } => EvidenceKind::Vaguer,
            TenseChanged { .. } => EvidenceKind::Tense,
            AspectChanged { .. } => EvidenceKind::Aspect,
            _ => return None,
        })
    }

    /// The reason for an alignment bead with no counterpart on one side (the aligner's
    /// 1-0 and 0-1 beads): `original` and `translation` are the sentence indices of the bead.
    /// `None` for a bead with sentences on both sides.
    pub fn from_null_bead(original: &[usize], translation: &[usize]) -> Option<DriftReason> {
        match (original.is_empty(), translation.is_empty()) {
            (false, true) => Some(DriftReason::DroppedInTranslation {
                original_sentences: original.to_vec(),
            }),
            (true, false) => Some(DriftReason::AddedInTranslation {
                translated_sentences: translation.to_vec(),
            }),
            _ => None,
        }
    }
}
