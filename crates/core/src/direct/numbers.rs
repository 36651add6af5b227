//! Numbers of the original against numbers of the translation, in every numeral system
//! (`text::numbers` reads both sides).

use super::{Finding, FindingKind};
use crate::text::numbers::{numbers, Number, NumberForm};

/// Pairs the numbers of the two sentences. A number of the original that the translation
/// lacks, beside a number of the translation the original lacks, is a changed number; a
/// number in digits alone on one side is missing or added. Spelled-out numbers of the
/// original are never "missing" (the translation may spell them in words this reader does
/// not know), only "changed" when the translation has another number in their place.
pub fn compare(original: &str, translation: &str, lang: &str) -> Vec<Finding> {
    let ours = numbers(original, "en");
    let theirs = numbers(translation, lang);
    let mut used = vec![false; theirs.len()];
    let mut matched = vec![false; ours.len()];
    // Strong numbers first, so that "one" (weak) does not take the 1 of "1 December".
    for pass_weak in [false, true] {
        for (i, o) in ours.iter().enumerate() {
            if o.weak != pass_weak || matched[i] {
                continue;
            }
            if let Some(j) = (0..theirs.len()).find(|&j| !used[j] && o.same(&theirs[j])) {
                used[j] = true;
                matched[i] = true;
            }
        }
    }
    let lost: Vec<&Number> = ours
        .iter()
        .zip(&matched)
        .filter(|(o, &m)| !m && !o.weak)
        .map(|(o, _)| o)
        .collect();
    let new: Vec<&Number> = theirs
        .iter()
        .zip(&used)
        .filter(|(t, &u)| !u && !t.weak && t.form != NumberForm::Han)
        .map(|(t, _)| t)
        .collect();
    // Han numerals stand in for a changed number but are never "added" on their own:
    // 十 and 百 live inside too many words.
    let new_han: Vec<&Number> = theirs
        .iter()
        .zip(&used)
        .filter(|(t, &u)| !u && !t.weak && t.form == NumberForm::Han)
        .map(|(t, _)| t)
        .collect();
    let mut replacements: Vec<&Number> = new.iter().chain(&new_han).copied().collect();
    replacements.sort_by_key(|t| t.span.start);
    let mut out = Vec::new();
    let mut taken = Vec::new();
    for (k, o) in lost.iter().enumerate() {
        if let Some(t) = replacements.get(k) {
            taken.push(t.span.clone());
            out.push(Finding {
                kind: FindingKind::NumberChanged,
                original: Some(o.span.clone()),
                translation: Some(t.span.clone()),
                message: format!(
                    "the number {} of the original reads {} in the translation",
                    shown(o, original),
                    shown(t, translation)
                ),
            });
        } else if o.form == NumberForm::Digits {
            out.push(Finding {
                kind: FindingKind::NumberMissing,
                original: Some(o.span.clone()),
                translation: None,
                message: format!(
                    "the number {} of the original is not in the translation",
                    shown(o, original)
                ),
            });
        }
    }
    for t in new.iter().filter(|t| !taken.contains(&t.span)) {
        out.push(Finding {
            kind: FindingKind::NumberAdded,
            original: None,
            translation: Some(t.span.clone()),
            message: format!(
                "the translation has the number {}, which the original does not",
                shown(t, translation)
            ),
        });
    }
    out
}

/// "20 (two decades)", "10 (十年)", "2021": the value, and the text where it differs.
fn shown(n: &Number, text: &str) -> String {
    let v = n.value();
    let value = if v.fract() == 0.0 && v.abs() < 1e15 {
        format!("{}", v as i64)
    } else {
        format!("{v}")
    };
    let written = text.get(n.span.clone()).unwrap_or_default();
    if written == value {
        value
    } else {
        format!("{value} ({written})")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(o: &str, t: &str, lang: &str) -> Vec<FindingKind> {
        compare(o, t, lang).into_iter().map(|f| f.kind).collect()
    }

    #[test]
    fn the_same_numbers_in_other_numeral_systems_agree() {
        let o = "On December 15, 2021, 10,000 troops came within 20 kilometres.";
        for (t, lang) in [
            (
                "15 декабря 2021 года 10 000 военных подошли на 20 километров.",
                "ru",
            ),
            ("2021年12月15日，一万名士兵逼近至20公里。", "zh"),
            (
                "في 15 ديسمبر ٢٠٢١ اقترب ١٠٬٠٠٠ جندي مسافة ٢٠ كيلومترًا.",
                "ar",
            ),
            ("१५ दिसंबर २०२१ को १०,००० सैनिक २० किलोमीटर तक आए।", "hi"),
            ("วันที่ ๑๕ ธันวาคม ๒๐๒๑ ทหาร ๑๐,๐๐๐ นาย เข้าใกล้ ๒๐ กิโลเมตร", "th"),
            (
                "２０２１年１２月１５日、１万人の部隊が２０キロまで接近した。",
                "ja",
            ),
        ] {
            assert!(
                kinds(o, t, lang).is_empty(),
                "{lang}: {:?}",
                compare(o, t, lang)
            );
        }
    }

    #[test]
    fn a_changed_number_is_named_in_words() {
        let o = "He served for two decades at the college.";
        let f = compare(o, "他在学院任职长达十年。", "zh");
        assert_eq!(f.len(), 1, "{f:?}");
        assert_eq!(f[0].kind, FindingKind::NumberChanged);
        assert_eq!(
            f[0].message,
            "the number 20 (two decades) of the original reads 10 (十年) in the translation"
        );
        assert_eq!(
            kinds(o, "Traballou durante tres décadas.", "gl"),
            [FindingKind::NumberChanged]
        );
        assert!(kinds(o, "Er war zwei Jahrzehnte lang dort.", "de").is_empty());
        assert!(kinds(o, "他在学院任职长达二十年。", "zh").is_empty());
    }

    #[test]
    fn missing_and_added_digits() {
        assert_eq!(
            kinds("In 2001 it was signed.", "Es wurde unterzeichnet.", "de"),
            [FindingKind::NumberMissing]
        );
        assert_eq!(
            kinds("It was signed.", "Es wurde 2001 unterzeichnet.", "de"),
            [FindingKind::NumberAdded]
        );
        assert_eq!(
            kinds(
                "In 2001 it was signed.",
                "Der 2011 unterzeichnete Vertrag.",
                "de"
            ),
            [FindingKind::NumberChanged]
        );
    }
}
