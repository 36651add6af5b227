//! What the workbench shows, apart from how it is drawn: the view, the selected translation
//! and pair, the filters, the sort order, and navigation (next/previous flagged pair, next
//! language). Pure functions over the report, unit-tested below.

use crate::analyze::{PairReport, TranslationReport};
use crate::drift::DriftLevel;

/// The panels of the workbench.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum View {
    Overview,
    SideBySide,
    Quotes,
    Review,
    Classroom,
    Engines,
}

impl View {
    pub const ALL: [View; 6] = [
        View::Overview,
        View::SideBySide,
        View::Quotes,
        View::Review,
        View::Classroom,
        View::Engines,
    ];
    pub fn title(self) -> &'static str {
        match self {
            View::Overview => "Overview",
            View::SideBySide => "Side by side",
            View::Quotes => "Quotes",
            View::Review => "Review",
            View::Classroom => "Classroom",
            View::Engines => "Engines and models",
        }
    }
}

/// How the overview orders the languages.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SortOrder {
    /// By label (ar, bg, bn, …).
    Label,
    /// Most drifted first: the share of flagged pairs, then the mean drift.
    MostDrifted,
}

/// Which pairs the side-by-side view lists.
#[derive(Debug, Clone, PartialEq)]
pub struct Filters {
    /// Shown levels, indexed none, minor, major, critical.
    pub levels: [bool; 4],
    /// Only pairs with a reason of this kind (e.g. `number_changed`).
    pub reason: Option<String>,
}

impl Default for Filters {
    fn default() -> Self {
        Filters {
            levels: [true; 4],
            reason: None,
        }
    }
}

pub fn level_index(level: DriftLevel) -> usize {
    match level {
        DriftLevel::None => 0,
        DriftLevel::Minor => 1,
        DriftLevel::Major => 2,
        DriftLevel::Critical => 3,
    }
}

pub const LEVELS: [DriftLevel; 4] = [
    DriftLevel::None,
    DriftLevel::Minor,
    DriftLevel::Major,
    DriftLevel::Critical,
];

impl Filters {
    pub fn shows(&self, pair: &PairReport) -> bool {
        self.levels[level_index(pair.level)]
            && self
                .reason
                .as_ref()
                .map(|k| pair.reasons.iter().any(|r| &r.kind == k))
                .unwrap_or(true)
    }
}

/// The selection: a translation (by label) and a pair in it (index into its pairs, or into
/// its aligned-only rows when it was not analysed).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Selection {
    pub label: Option<String>,
    pub pair: Option<usize>,
}

/// The workbench's state apart from the report.
#[derive(Debug, Clone)]
pub struct UiState {
    pub view: View,
    pub selection: Selection,
    pub filters: Filters,
    pub sort: SortOrder,
    /// Set when the selection moved by keyboard or click, so the side-by-side view scrolls to it once.
    pub scroll_to_selection: bool,
}

impl Default for UiState {
    fn default() -> Self {
        UiState {
            view: View::Overview,
            selection: Selection::default(),
            filters: Filters::default(),
            sort: SortOrder::MostDrifted,
            scroll_to_selection: false,
        }
    }
}

/// Drift figures of one translation for the overview.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct DriftSummary {
    /// Pairs per level: none, minor, major, critical.
    pub counts: [usize; 4],
    /// Mean drift over the pairs (0 when none).
    pub mean: f32,
}

impl DriftSummary {
    pub fn of(t: &TranslationReport) -> DriftSummary {
        let mut counts = [0; 4];
        for p in &t.pairs {
            counts[level_index(p.level)] += 1;
        }
        let mean = if t.pairs.is_empty() {
            0.0
        } else {
            t.pairs.iter().map(|p| p.drift).sum::<f32>() / t.pairs.len() as f32
        };
        DriftSummary { counts, mean }
    }
    pub fn flagged(&self) -> usize {
        self.counts[2] + self.counts[3]
    }
    pub fn total(&self) -> usize {
        self.counts.iter().sum()
    }
    /// The share of pairs flagged, 0 when there are none.
    pub fn flagged_share(&self) -> f32 {
        if self.total() == 0 {
            0.0
        } else {
            self.flagged() as f32 / self.total() as f32
        }
    }
}

/// Indices into `translations` in the order the overview lists them. Not-analysed
/// translations come after the analysed ones when sorting by drift.
pub fn sorted_languages(translations: &[TranslationReport], order: SortOrder) -> Vec<usize> {
    let mut idx: Vec<usize> = (0..translations.len()).collect();
    match order {
        SortOrder::Label => idx.sort_by(|&a, &b| translations[a].label.cmp(&translations[b].label)),
        SortOrder::MostDrifted => {
            let key: Vec<(bool, f32, f32)> = translations
                .iter()
                .map(|t| {
                    let s = DriftSummary::of(t);
                    (t.is_analysed(), s.flagged_share(), s.mean)
                })
                .collect();
            idx.sort_by(|&a, &b| {
                key[b]
                    .0
                    .cmp(&key[a].0)
                    .then(key[b].1.total_cmp(&key[a].1))
                    .then(key[b].2.total_cmp(&key[a].2))
                    .then(translations[a].label.cmp(&translations[b].label))
            });
        }
    }
    idx
}

/// The index of the pair holding original sentence `sentence`, in pairs or aligned rows.
pub fn pair_of_sentence(t: &TranslationReport, sentence: usize) -> Option<usize> {
    t.beads()
        .iter()
        .position(|b| b.original.contains(&sentence))
}

/// The next flagged pair after `current` that the filters show (wrapping around), or the
/// first one when nothing is selected. `None` when no pair is flagged and shown.
pub fn next_flagged(
    pairs: &[PairReport],
    current: Option<usize>,
    filters: &Filters,
) -> Option<usize> {
    let n = pairs.len();
    if n == 0 {
        return None;
    }
    let start = current.map(|c| c + 1).unwrap_or(0);
    (0..n)
        .map(|k| (start + k) % n)
        .find(|&i| pairs[i].level.is_flagged() && filters.shows(&pairs[i]))
}

/// The previous flagged pair before `current` that the filters show (wrapping around), or
/// the last one when nothing is selected.
pub fn previous_flagged(
    pairs: &[PairReport],
    current: Option<usize>,
    filters: &Filters,
) -> Option<usize> {
    let n = pairs.len();
    if n == 0 {
        return None;
    }
    let start = current.unwrap_or(0) + n;
    (1..=n)
        .map(|k| (start - k) % n)
        .find(|&i| pairs[i].level.is_flagged() && filters.shows(&pairs[i]))
}

/// The label after `current` in `labels` (wrapping around); the first when `current` is
/// not among them.
pub fn next_language(labels: &[&str], current: Option<&str>) -> Option<String> {
    if labels.is_empty() {
        return None;
    }
    let i = current
        .and_then(|c| labels.iter().position(|l| *l == c))
        .map(|i| (i + 1) % labels.len())
        .unwrap_or(0);
    Some(labels[i].to_string())
}

/// The reason kinds that occur in a translation, sorted, for the reason filter.
pub fn reason_kinds(t: &TranslationReport) -> Vec<String> {
    let mut kinds: Vec<String> = t
        .pairs
        .iter()
        .flat_map(|p| p.reasons.iter().map(|r| r.kind.clone()))
        .collect();
    kinds.sort();
    kinds.dedup();
    kinds
}

/// A short label for a reason kind: `number_changed` → "number changed".
pub fn reason_label(kind: &str) -> String {
    kind.replace('_', " ")
}

impl UiState {
    /// Selects the next flagged pair of the selected translation.
    pub fn select_next_flagged(&mut self, t: &TranslationReport) {
        if let Some(i) = next_flagged(&t.pairs, self.selection.pair, &self.filters) {
            self.selection.pair = Some(i);
            self.scroll_to_selection = true;
        }
    }
    pub fn select_previous_flagged(&mut self, t: &TranslationReport) {
        if let Some(i) = previous_flagged(&t.pairs, self.selection.pair, &self.filters) {
            self.selection.pair = Some(i);
            self.scroll_to_selection = true;
        }
    }
    /// Moves to the next language, keeping the same original sentence selected when the new
    /// translation has it.
    pub fn select_next_language(&mut self, translations: &[TranslationReport]) {
        let order = sorted_languages(translations, self.sort);
        let labels: Vec<&str> = order
            .iter()
            .map(|&i| translations[i].label.as_str())
            .collect();
        let sentence = self.selected_original_sentence(translations);
        if let Some(next) = next_language(&labels, self.selection.label.as_deref()) {
            let t = translations.iter().find(|t| t.label == next);
            self.selection.pair = match (t, sentence) {
                (Some(t), Some(s)) => pair_of_sentence(t, s),
                _ => None,
            };
            self.selection.label = Some(next);
            self.scroll_to_selection = true;
        }
    }
    /// The first original sentence of the selected pair.
    pub fn selected_original_sentence(&self, translations: &[TranslationReport]) -> Option<usize> {
        let t = translations
            .iter()
            .find(|t| Some(&t.label) == self.selection.label.as_ref())?;
        let i = self.selection.pair?;
        t.beads().get(i)?.original.first().copied()
    }
    /// Opens a pair in the side-by-side view.
    pub fn open_pair(&mut self, label: &str, pair: Option<usize>) {
        self.selection = Selection {
            label: Some(label.to_string()),
            pair,
        };
        self.view = View::SideBySide;
        self.scroll_to_selection = true;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analyze::{ReasonReport, TranslationStatus};

    fn pair(original: usize, drift: f32, level: DriftLevel, kind: &str) -> PairReport {
        PairReport {
            original: vec![original],
            translation: vec![original],
            original_text: format!("o{original}"),
            translated_text: format!("t{original}"),
            back_translation: format!("b{original}"),
            drift,
            level,
            reasons: if kind.is_empty() {
                vec![]
            } else {
                vec![ReasonReport {
                    kind: kind.into(),
                    message: kind.into(),
                    original_span: None,
                    back_span: None,
                    translation_span: None,
                    view: crate::analyze::View::BackTranslation,
                }]
            },
            alignment_cost: 0.0,
            unit: None,
            views: vec![crate::analyze::View::BackTranslation],
            cosine: None,
        }
    }

    fn translation(label: &str, pairs: Vec<PairReport>) -> TranslationReport {
        TranslationReport {
            lang: label.split('.').next().unwrap().into(),
            label: label.into(),
            path: label.into(),
            engine: Some("test".into()),
            status: TranslationStatus::Analysed,
            pairs,
            quotes: vec![],
            alignment: None,
            round_trip: None,
            baseline: None,
            views: vec![crate::analyze::View::BackTranslation],
            not_run: vec![],
        }
    }

    fn sample() -> Vec<PairReport> {
        vec![
            pair(0, 0.1, DriftLevel::None, ""),
            pair(1, 0.7, DriftLevel::Major, "number_changed"),
            pair(2, 0.3, DriftLevel::Minor, "low_similarity"),
            pair(3, 0.9, DriftLevel::Critical, "negation_lost"),
            pair(4, 0.0, DriftLevel::None, ""),
        ]
    }

    #[test]
    fn next_and_previous_flagged_wrap_and_skip_unflagged() {
        let pairs = sample();
        let f = Filters::default();
        assert_eq!(next_flagged(&pairs, None, &f), Some(1));
        assert_eq!(next_flagged(&pairs, Some(1), &f), Some(3));
        assert_eq!(
            next_flagged(&pairs, Some(3), &f),
            Some(1),
            "wraps to the first flagged pair"
        );
        assert_eq!(previous_flagged(&pairs, Some(3), &f), Some(1));
        assert_eq!(
            previous_flagged(&pairs, Some(1), &f),
            Some(3),
            "wraps backwards"
        );
        assert_eq!(previous_flagged(&pairs, None, &f), Some(3));
        assert_eq!(next_flagged(&pairs[..1], None, &f), None, "nothing flagged");
        assert_eq!(next_flagged(&[], None, &f), None);
    }

    #[test]
    fn filters_restrict_navigation() {
        let pairs = sample();
        let only_numbers = Filters {
            reason: Some("number_changed".into()),
            ..Filters::default()
        };
        assert_eq!(
            next_flagged(&pairs, Some(1), &only_numbers),
            Some(1),
            "the only flagged number change"
        );
        let no_critical = Filters {
            levels: [true, true, true, false],
            reason: None,
        };
        assert_eq!(next_flagged(&pairs, Some(1), &no_critical), Some(1));
        assert!(!no_critical.shows(&pairs[3]));
        assert!(no_critical.shows(&pairs[2]));
    }

    #[test]
    fn next_language_wraps_and_starts_at_first() {
        let labels = ["ar", "es", "ru"];
        assert_eq!(next_language(&labels, None).as_deref(), Some("ar"));
        assert_eq!(next_language(&labels, Some("es")).as_deref(), Some("ru"));
        assert_eq!(next_language(&labels, Some("ru")).as_deref(), Some("ar"));
        assert_eq!(next_language(&labels, Some("zz")).as_deref(), Some("ar"));
        assert_eq!(next_language(&[], Some("es")), None);
    }

    #[test]
    fn most_drifted_sorts_by_flagged_share_and_puts_not_analysed_last() {
        let calm = translation(
            "ca",
            vec![
                pair(0, 0.1, DriftLevel::None, ""),
                pair(1, 0.2, DriftLevel::Minor, ""),
            ],
        );
        let drifted = translation("es", sample());
        let mut absent = translation("ar", vec![]);
        absent.status = TranslationStatus::NotAnalysed {
            why: "no model".into(),
            fix: "driftlens models fetch ar".into(),
        };
        let ts = vec![calm, drifted, absent];
        assert_eq!(sorted_languages(&ts, SortOrder::MostDrifted), vec![1, 0, 2]);
        assert_eq!(sorted_languages(&ts, SortOrder::Label), vec![2, 0, 1]);
        let s = DriftSummary::of(&ts[1]);
        assert_eq!(s.counts, [2, 1, 1, 1]);
        assert_eq!(s.flagged(), 2);
    }

    #[test]
    fn a_sentence_leads_to_the_pair_that_holds_it() {
        let t = translation("es", sample());
        assert_eq!(pair_of_sentence(&t, 3), Some(3));
        assert_eq!(pair_of_sentence(&t, 6), None);
    }

    #[test]
    fn next_language_keeps_the_sentence() {
        let a = translation("ca", sample());
        let mut b = translation("es", sample());
        b.pairs.swap(1, 3);
        let ts = vec![a, b];
        let mut s = UiState {
            sort: SortOrder::Label,
            ..UiState::default()
        };
        s.selection = Selection {
            label: Some("ca".into()),
            pair: Some(1),
        };
        s.select_next_language(&ts);
        assert_eq!(s.selection.label.as_deref(), Some("es"));
        assert_eq!(
            s.selection.pair,
            Some(3),
            "the pair holding original sentence 1 in es"
        );
        s.select_next_flagged(&ts[1]);
        assert_eq!(s.selection.pair, Some(1));
    }
}
