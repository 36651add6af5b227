//! The evidence kinds: the one list from which the [`Evidence`] fields, their names (the keys
//! of `calibration.toml`), the score's weight vector and [`EvidenceKind`] all derive. A new
//! kind is one line here; a check sets it, the calibration weighs it.

/// Declares every evidence kind once: a field of [`Evidence`], a variant of [`EvidenceKind`]
/// and a name in [`EVIDENCE_NAMES`], in the same order.
macro_rules! evidence_kinds {
    ($($(#[doc = $doc:expr])* $field:ident => $kind:ident,)*) => {
        /// The evidence of one comparison, each in [0, 1] (0: nothing found).
        #[derive(Debug, Clone, Copy, Default, PartialEq)]
        pub struct Evidence {
            $($(#[doc = $doc])* pub $field: f32,)*
        }

        /// One kind of evidence, for the reasons that report it.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum EvidenceKind {
            $($(#[doc = $doc])* $kind,)*
        }

        /// Names of the evidence, in the order of [`Evidence::to_vec`]; also the keys of the
        /// calibration file.
        pub const EVIDENCE_NAMES: [&str; N_EVIDENCE] = [$(stringify!($field)),*];

        /// How many kinds of evidence there are.
        pub const N_EVIDENCE: usize = [$(stringify!($field)),*].len();

        impl Evidence {
            pub fn to_vec(&self) -> [f32; N_EVIDENCE] {
                [$(self.$field),*]
            }

            /// The evidence from values in the order of [`Evidence::to_vec`].
            pub fn from_vec(v: [f32; N_EVIDENCE]) -> Evidence {
                let [$($field),*] = v;
                Evidence { $($field),* }
            }
        }

        impl EvidenceKind {
            /// The kind's name: its key in `calibration.toml`.
            pub fn name(self) -> &'static str {
                match self {
                    $(EvidenceKind::$kind => stringify!($field),)*
                }
            }
        }
    };
}

evidence_kinds! {
    /// 1 − cosine similarity of the sentence embeddings (or of the surface when none given).
    meaning => Meaning,
    /// 1 − chrF/100 on case-folded text without punctuation.
    wording => Wording,
    number_changed => NumberChanged,
    number_missing_or_added => NumberMissingOrAdded,
    name_missing => NameMissing,
    name_added => NameAdded,
    /// A name of the original missing while another appears: one name replaced by another.
    name_changed => NameChanged,
    negation => Negation,
    certainty => Certainty,
    question => Question,
    gender => Gender,
    /// Words in another script or with foreign letters that the original lacks.
    foreign_words => ForeignWords,
    /// Lower-case words that are not English (“coloca”, “precisato”).
    unknown_words => UnknownWords,
    word_order => WordOrder,
    content_missing => ContentMissing,
    content_added => ContentAdded,
    length_change => LengthChange,
    quote_changed => QuoteChanged,
    /// Words the back-translation engine marked as ones it could not translate (Apertium's
    /// `*word`): a gap in the engine, not a change of meaning; weighed low and by hand
    /// (DEMETR has no such marks to fit it on).
    engine_gap => EngineGap,
    /// An original name missing from the translated sentence while a name of the
    /// back-translation is in it: a person or place swapped for another (needs the
    /// translated sentence).
    name_swapped => NameSwapped,
    /// A hedge (may, might, maybe, perhaps, possibly) on one side only: a statement made
    /// uncertain, or the reverse.
    hedge => Hedge,
    /// The longest stretch of the original whose content words the back-translation lacks,
    /// in order (a clause dropped): 0 for none, 1 for five words or more.
    omission => Omission,
    /// A word became its opposite (WordNet antonym, or un-/non- added or dropped).
    opposite => Opposite,
    /// A word became a more general one (WordNet hypernym within two steps).
    vaguer => Vaguer,
    /// Verbs both sides share in another tense, and a future (will) on one side only.
    tense => Tense,
    /// Progressive (is doing) or perfect (has done) verb groups on one side only.
    aspect => Aspect,
    /// Content words of the back-translation put between two words that are neighbours in
    /// the original ("affected pets" → "affected wild pets"): a word added in place.
    inserted => Inserted,
    /// Content words of the original between two neighbours that are neighbours in the
    /// back-translation ("by infrared spectroscopy" → "by spectroscopy"): a word dropped in place.
    dropped => Dropped,
    /// Strong degree words (very, massive) on one side where the other has only weak ones
    /// (somewhat, some): a statement softened or sharpened.
    intensity => Intensity,
}

/// 0, ½, ¾ … for 0, 1, 2 … findings: the first finding counts most.
pub(crate) fn saturate(n: usize) -> f32 {
    1.0 - 0.5f32.powi(n as i32)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_fields_and_kinds_line_up() {
        let ev = Evidence {
            negation: 1.0,
            ..Evidence::default()
        };
        let at = EVIDENCE_NAMES
            .iter()
            .position(|n| *n == "negation")
            .unwrap();
        assert_eq!(ev.to_vec()[at], 1.0);
        assert_eq!(EvidenceKind::Negation.name(), "negation");
        assert_eq!(N_EVIDENCE, 29);
    }
}
