//! Numbers, dates and amounts in an English sentence, normalised so that "10,000", "10.000"
//! and "ten thousand" are the same number, "2021-2025" is two years and "1.5 million" is
//! 1,500,000.

use super::words::{Kind, Token};
use crate::text::numbers::{english_month, english_scale, english_word, readings_of};

/// One number as written, with the values it may stand for.
#[derive(Debug, Clone)]
pub struct NumberMention {
    /// Byte span in the sentence, covering every word of it ("ten thousand").
    pub start: usize,
    pub end: usize,
    /// Readings: "10.000" may be ten thousand (European) or ten.
    pub values: Vec<f64>,
    /// Weak mentions (month names, "one", "decade") may match a number but are never
    /// reported missing or added on their own.
    pub optional: bool,
}

// The number words and digit readings are the text stage's (`text::numbers`), so that
// every stage reads "ten thousand" and "10.000" alike.
fn small_number(w: &str) -> Option<f64> {
    english_word(w)
}

fn scale(w: &str) -> Option<f64> {
    english_scale(w)
}

fn month(w: &str) -> Option<f64> {
    english_month(w)
}

fn digit_values(s: &str) -> Vec<f64> {
    readings_of(s)
}

/// Finds the numbers of a tokenised sentence.
pub fn numbers(tokens: &[Token]) -> Vec<NumberMention> {
    let mut out = Vec::new();
    let mut i = 0;
    while i < tokens.len() {
        let t = &tokens[i];
        let start = t.start;
        let mut values: Vec<f64>;
        let mut j = i + 1;
        let mut optional = false;
        if t.kind == Kind::Number {
            values = digit_values(&t.norm);
            if values.is_empty() {
                i += 1;
                continue;
            }
            // "10 million", "1.5 billion", "2 hundred thousand"
            let mut mult = 1.0;
            while j < tokens.len() {
                if let Some(sc) = scale(&tokens[j].norm).filter(|_| tokens[j].kind == Kind::Word) {
                    mult *= sc;
                    j += 1;
                } else {
                    break;
                }
            }
            if mult != 1.0 {
                values = values.iter().map(|v| v * mult).collect();
            }
        } else if t.kind == Kind::Word
            && (small_number(&t.norm).is_some() || (scale(&t.norm).is_some() && t.norm.len() > 2))
        {
            // number words: "twenty five", "two hundred and five", "ten thousand"
            let (mut total, mut current) = (0.0f64, 0.0f64);
            let mut k = i;
            let mut words = 0;
            while k < tokens.len() {
                if tokens[k].kind == Kind::Mark
                    && tokens[k].text == "-"
                    && words > 0
                    && k + 1 < tokens.len()
                    && small_number(&tokens[k + 1].norm).is_some()
                {
                    k += 1; // "twenty-five"
                    continue;
                }
                if tokens[k].kind != Kind::Word {
                    break;
                }
                let w = tokens[k].norm.as_str();
                if let Some(v) = small_number(w) {
                    current += v;
                } else if w == "hundred" {
                    current = current.max(1.0) * 100.0;
                } else if let Some(sc) = scale(w).filter(|_| w.len() > 2) {
                    total += current.max(1.0) * sc;
                    current = 0.0;
                } else if w == "and"
                    && words > 0
                    && k + 1 < tokens.len()
                    && small_number(&tokens[k + 1].norm).is_some()
                {
                    // "two hundred and five"
                } else {
                    break;
                }
                words += 1;
                k += 1;
            }
            // a lone scale word ("thousands of", "a million") says little
            if words == 1 && scale(&t.norm).is_some() {
                i += 1;
                continue;
            }
            values = vec![total + current];
            optional = words == 1 && matches!(t.norm.as_str(), "one" | "dozen");
            j = k;
        } else if t.kind == Kind::Word {
            if let Some(m) = month(&t.norm) {
                if t.norm != "may" && t.norm != "march" || t.is_capitalised() && !t.initial {
                    out.push(NumberMention {
                        start,
                        end: t.end,
                        values: vec![m],
                        optional: true,
                    });
                }
            } else if let Some(values) = implied_number(&t.norm) {
                out.push(NumberMention {
                    start,
                    end: t.end,
                    values: values.to_vec(),
                    optional: true,
                });
            }
            i += 1;
            continue;
        } else {
            i += 1;
            continue;
        }
        let end = tokens[j - 1].end;
        out.push(NumberMention {
            start,
            end,
            values,
            optional,
        });
        i = j;
    }
    out
}

/// Words that imply a number a translation may spell out: “both”, “either” (the two), “a
/// decade” (ten years), “a fortnight” (two weeks; fifteen days in Spanish, Catalan, Galician
/// and French, fourteen in German).
fn implied_number(w: &str) -> Option<&'static [f64]> {
    Some(match w {
        "both" | "couple" | "pair" | "either" | "neither" => &[2.0],
        "decade" => &[10.0],
        "fortnight" | "fortnights" => &[2.0, 14.0, 15.0],
        _ => return None,
    })
}

/// Whether two mentions can be the same number.
pub fn same_number(a: &NumberMention, b: &NumberMention) -> bool {
    a.values.iter().any(|x| {
        b.values
            .iter()
            .any(|y| (x - y).abs() <= 1e-9 * x.abs().max(y.abs()).max(1.0))
    })
}

#[cfg(test)]
mod tests {
    use super::super::words::tokenize;
    use super::*;

    fn vals(s: &str) -> Vec<Vec<f64>> {
        numbers(&tokenize(s))
            .into_iter()
            .filter(|m| !m.optional)
            .map(|m| m.values)
            .collect()
    }

    #[test]
    fn readings() {
        assert_eq!(vals("10,000 troops"), vec![vec![10000.0, 10.0]]);
        assert_eq!(vals("ten thousand troops"), vec![vec![10000.0]]);
        assert_eq!(vals("1.5 million people"), vec![vec![1_500_000.0]]);
        assert_eq!(vals("from 2021-2025"), vec![vec![2021.0], vec![2025.0]]);
        assert_eq!(vals("twenty-five years"), vec![vec![25.0]]);
        assert_eq!(vals("two hundred and five"), vec![vec![205.0]]);
        assert_eq!(vals("3,5 Prozent"), vec![vec![3.5]]);
        assert_eq!(vals("the 21st century"), vec![vec![21.0]]);
    }
}
