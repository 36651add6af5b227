//! The heat map shared by both faces: which pair colours each original sentence, and the
//! colour ramp from no drift to certain drift, as plain RGB values.
//!
//! It lives here, in the library beside the report writers, because both the HTML report
//! (`export::html`) and the workbench (`ui::overview`, `ui::quotes`) draw it: `export` must
//! not depend on `ui`, `ui` already depends on `export` (File ▸ Export), and nothing here
//! knows egui or HTML — each face turns the RGB values into its own colour type.

use crate::analyze::PairReport;

/// One heat-map cell: the pair that holds an original sentence, and its drift.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct HeatCell {
    /// Index into the translation's pairs.
    pub pair: usize,
    pub drift: f32,
}

/// For each of `sentences` original sentences, the pair that holds it — the one with the
/// highest drift where several do (the first of equals) — or `None` where no pair holds it.
/// Sentence ids at or past `sentences` are ignored.
pub fn by_sentence(pairs: &[PairReport], sentences: usize) -> Vec<Option<HeatCell>> {
    let mut cells: Vec<Option<HeatCell>> = vec![None; sentences];
    for (pair, p) in pairs.iter().enumerate() {
        for &sentence in &p.original {
            if let Some(cell) = cells.get_mut(sentence) {
                if cell.map(|c| p.drift > c.drift).unwrap_or(true) {
                    *cell = Some(HeatCell {
                        pair,
                        drift: p.drift,
                    });
                }
            }
        }
    }
    cells
}

/// A ramp through three colours: at drift 0, ½ and 1, linear in between.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Ramp {
    pub stops: [[u8; 3]; 3],
}

/// The workbench's ramp: pale green (0) → amber (½) → red (1). Pale green, not white, so
/// a calm cell still reads as "analysed" beside the grey of "not analysed".
pub const WORKBENCH: Ramp = Ramp {
    stops: [[198, 232, 190], [245, 196, 80], [200, 40, 40]],
};

/// The HTML report's ramp: white (0) → amber (½) → red (1). White, so a printed page shows
/// only the drift. The amber and red are the workbench's within a few units; the two are
/// kept apart because changing either would change what users already see (one line here
/// makes them one, should the report and the workbench ever be made to match).
pub const REPORT: Ramp = Ramp {
    stops: [[255, 255, 255], [255, 200, 80], [220, 50, 50]],
};

impl Ramp {
    /// The colour of drift `d` (clamped to 0..=1) as unrounded RGB channels in 0..=255.
    pub fn at(&self, d: f32) -> [f32; 3] {
        let d = if d.is_nan() { 0.0 } else { d.clamp(0.0, 1.0) };
        let (from, to, t) = if d < 0.5 {
            (self.stops[0], self.stops[1], d / 0.5)
        } else {
            (self.stops[1], self.stops[2], (d - 0.5) / 0.5)
        };
        let mix = |i: usize| from[i] as f32 + (to[i] as f32 - from[i] as f32) * t;
        [mix(0), mix(1), mix(2)]
    }

    /// The colour of drift `d` in whole channels, rounded down (as the workbench paints it).
    pub fn rgb(&self, d: f32) -> [u8; 3] {
        self.at(d).map(|c| c as u8)
    }

    /// The colour of drift `d` as CSS, channels rounded to the nearest (as the report has
    /// always written it): `rgb(255,228,168)`.
    pub fn css(&self, d: f32) -> String {
        let [r, g, b] = self.at(d);
        format!("rgb({r:.0},{g:.0},{b:.0})")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::drift::DriftLevel;

    fn pair(original: Vec<usize>, drift: f32) -> PairReport {
        PairReport {
            original,
            translation: vec![],
            original_text: String::new(),
            translated_text: String::new(),
            back_translation: String::new(),
            drift,
            level: DriftLevel::None,
            reasons: vec![],
            alignment_cost: 0.0,
            unit: None,
            views: vec![crate::analyze::View::BackTranslation],
            cosine: None,
        }
    }

    #[test]
    fn each_sentence_takes_its_worst_pair() {
        let pairs = vec![
            pair(vec![0], 0.1),
            pair(vec![1, 2], 0.3),
            pair(vec![2], 0.9),
            pair(vec![1], 0.3),
            pair(vec![9], 1.0),
        ];
        let cells = by_sentence(&pairs, 4);
        assert_eq!(
            cells[0],
            Some(HeatCell {
                pair: 0,
                drift: 0.1
            })
        );
        assert_eq!(
            cells[1],
            Some(HeatCell {
                pair: 1,
                drift: 0.3
            }),
            "the first of equals"
        );
        assert_eq!(
            cells[2],
            Some(HeatCell {
                pair: 2,
                drift: 0.9
            })
        );
        assert_eq!(cells[3], None, "a sentence no pair holds");
        assert_eq!(cells.len(), 4, "sentence 9 is past the end and ignored");
    }

    #[test]
    fn the_ramps_pass_through_their_stops() {
        assert_eq!(WORKBENCH.rgb(0.0), [198, 232, 190]);
        assert_eq!(WORKBENCH.rgb(0.5), [245, 196, 80]);
        assert_eq!(WORKBENCH.rgb(1.0), [200, 40, 40]);
        assert_eq!(WORKBENCH.rgb(7.0), [200, 40, 40], "clamped");
        assert_eq!(WORKBENCH.rgb(f32::NAN), [198, 232, 190]);
        // the report's legend, as it was written before the ramp was shared
        let legend: Vec<String> = [0.0, 0.25, 0.5, 0.75, 1.0].map(|d| REPORT.css(d)).into();
        assert_eq!(
            legend,
            [
                "rgb(255,255,255)",
                "rgb(255,228,168)",
                "rgb(255,200,80)",
                "rgb(238,125,65)",
                "rgb(220,50,50)"
            ]
        );
    }
}
