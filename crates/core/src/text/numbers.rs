//! The one number reader: numbers in every numeral system of the corpus, with byte spans.
//!
//! - digits of every script (ASCII, Arabic-Indic, Persian, Devanagari, Bengali, Thai,
//!   full-width …) with the separators of every locale: `10,000`, `10.000`, `10 000`,
//!   `10'000` and `۱۰٬۰۰۰` all read 10000, `3,5` and `٣٫٥` read 3.5;
//! - CJK numerals and multipliers: `二十年` 20, `两` 2, `三千` 3000, `1.5亿` 150000000,
//!   `3万` 30000 (`10月` is digits);
//! - spelled-out numbers where a language's words are known (`number-words.toml`):
//!   "two decades" (20 years, or 2), "a dozen", "ten thousand", "tres décadas".
//!
//! The aligner keys sentences by [`digit_keys`] (digits only, as it always has); the direct
//! comparison reads [`numbers`]; the drift checks read English tokens with the word tables
//! and the digit readings of this module ([`english_word`], [`english_scale`],
//! [`english_month`], [`readings`]).

use serde::Deserialize;
use std::collections::HashMap;
use std::ops::Range;
use std::sync::OnceLock;

/// How a number is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NumberForm {
    /// In digits of any script: "20", "٢٠", "２０".
    Digits,
    /// In CJK numerals: "二十", "两".
    Han,
    /// In words: "two decades", "tres".
    Words,
}

/// A number as written in a text.
#[derive(Debug, Clone, PartialEq)]
pub struct Number {
    /// Byte span in the text read, covering every part ("two decades", "1.5 million").
    pub span: Range<usize>,
    /// What it may stand for, the likeliest first: "10,000" is 10000 (or 10 with a decimal
    /// comma), "two decades" is 20 (years) or 2 (decades).
    pub readings: Vec<f64>,
    pub form: NumberForm,
    /// A word that is also an article or pronoun ("one", "un"), implies a number ("both"),
    /// or names a month: it may match a number of the other side but says nothing alone.
    pub weak: bool,
}

impl Number {
    /// The likeliest reading.
    pub fn value(&self) -> f64 {
        self.readings.first().copied().unwrap_or(f64::NAN)
    }

    /// Whether two numbers can be the same: some reading of one equals some of the other.
    pub fn same(&self, other: &Number) -> bool {
        self.readings
            .iter()
            .any(|&x| other.readings.iter().any(|&y| same_value(x, y)))
    }
}

pub fn same_value(x: f64, y: f64) -> bool {
    (x - y).abs() <= 1e-9 * x.abs().max(y.abs()).max(1.0)
}

/// The numbers of `text`, written in `lang` (an ISO 639-1 code; the digits and CJK
/// numerals of every language are read, words only where `number-words.toml` lists the
/// language), in text order.
pub fn numbers(text: &str, lang: &str) -> Vec<Number> {
    let table = tables().get(lang);
    let mut out: Vec<Number> = digit_runs(text)
        .into_iter()
        .map(|run| with_multiplier(text, run, table))
        .collect();
    out.extend(han_numbers(text, &out));
    if let Some(t) = table {
        let taken: Vec<Range<usize>> = out.iter().map(|n| n.span.clone()).collect();
        out.extend(
            word_numbers(text, t)
                .into_iter()
                .filter(|n| !taken.iter().any(|s| overlaps(s, &n.span))),
        );
    }
    out.sort_by_key(|n| n.span.start);
    out
}

fn overlaps(a: &Range<usize>, b: &Range<usize>) -> bool {
    a.start < b.end && b.start < a.end
}

/// The numbers in digits, normalised so that `10,000`, `10.000`, `10 000`, `10'000` and
/// `۱۰٬۰۰۰` all read `10000`, and `3,5` and `3.5` both read `3.5`: the aligner's keys.
pub fn digit_keys(text: &str) -> Vec<String> {
    digit_runs(text).into_iter().map(|r| r.key).collect()
}

/// A number in digits: its span and its canonical spelling (`10000`, `3.5`).
struct DigitRun {
    span: Range<usize>,
    key: String,
    /// Every reading of its digits and separators, the canonical one first.
    readings: Vec<f64>,
}

/// The ASCII digit a decimal digit of any common script stands for: Arabic-Indic,
/// Persian, Devanagari, Bengali, Gurmukhi, Gujarati, Oriya, Tamil, Telugu, Kannada,
/// Malayalam, Sinhala, Thai, Lao, Tibetan, Myanmar, Khmer, Mongolian, fullwidth.
pub fn ascii_digit(c: char) -> Option<u8> {
    if c.is_ascii_digit() {
        return Some(c as u8 - b'0');
    }
    const ZEROS: [u32; 19] = [
        0x0660, 0x06F0, 0x07C0, 0x0966, 0x09E6, 0x0A66, 0x0AE6, 0x0B66, 0x0BE6, 0x0C66, 0x0CE6,
        0x0D66, 0x0DE6, 0x0E50, 0x0ED0, 0x0F20, 0x1040, 0x17E0, 0xFF10,
    ];
    let u = c as u32;
    if (0x1810..=0x1819).contains(&u) {
        return Some((u - 0x1810) as u8);
    }
    ZEROS
        .iter()
        .find(|&&z| u >= z && u < z + 10)
        .map(|&z| (u - z) as u8)
}

/// Separators that may sit inside a number.
fn number_separator(c: char) -> Option<char> {
    match c {
        '.' | ',' | '\'' | '’' => Some(c),
        ' ' | '\u{00A0}' | '\u{202F}' | '\u{2009}' => Some(' '),
        '\u{066B}' => Some('d'), // Arabic decimal separator
        '\u{066C}' => Some('t'), // Arabic thousands separator
        _ => None,
    }
}

/// A group of digits (as ASCII) and its byte span.
struct Group {
    digits: String,
    span: Range<usize>,
}

/// The digit runs of a text: groups and the separators between them, split into numbers.
fn digit_runs(text: &str) -> Vec<DigitRun> {
    let chars: Vec<(usize, char)> = text.char_indices().collect();
    let end_of = |i: usize| chars.get(i).map_or(text.len(), |&(b, _)| b);
    let mut out = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        if ascii_digit(chars[i].1).is_none() {
            i += 1;
            continue;
        }
        let mut groups: Vec<Group> = Vec::new();
        let mut seps: Vec<char> = Vec::new();
        let mut g = Group {
            digits: String::new(),
            span: chars[i].0..chars[i].0,
        };
        while i < chars.len() {
            let c = chars[i].1;
            if let Some(d) = ascii_digit(c) {
                g.digits.push((b'0' + d) as char);
                i += 1;
                g.span.end = end_of(i);
            } else if let (Some(s), Some(next)) = (number_separator(c), chars.get(i + 1)) {
                if ascii_digit(next.1).is_some() && !g.digits.is_empty() {
                    let start = end_of(i + 1);
                    groups.push(std::mem::replace(
                        &mut g,
                        Group {
                            digits: String::new(),
                            span: start..start,
                        },
                    ));
                    seps.push(s);
                    i += 1;
                } else {
                    break;
                }
            } else {
                break;
            }
        }
        groups.push(g);
        out.extend(split_run(&groups, &seps));
    }
    out
}

/// Turns digit groups and separators into one or more numbers: spaces join only thousands
/// groups ("10 000"); anything else is two numbers ("1956 1957").
fn split_run(groups: &[Group], seps: &[char]) -> Vec<DigitRun> {
    let mut out = Vec::new();
    let mut start = 0;
    for k in 0..seps.len() {
        if seps[k] == ' ' {
            let joins =
                groups[k + 1].digits.len() == 3 && (k > start || groups[start].digits.len() <= 3);
            if !joins {
                out.push(run(&groups[start..=k], &seps[start..k]));
                start = k + 1;
            }
        }
    }
    out.push(run(&groups[start..], &seps[start..]));
    out
}

fn run(groups: &[Group], seps: &[char]) -> DigitRun {
    let digits: Vec<String> = groups.iter().map(|g| g.digits.clone()).collect();
    let key = read_number(&digits, seps);
    let mut readings: Vec<f64> = key.parse().into_iter().collect();
    // The other reading of a lone "." or "," ("10,000" may be ten with a decimal comma).
    if let [sep @ ('.' | ',')] = seps {
        let spelt = format!("{}{sep}{}", digits[0], digits[1]);
        for r in readings_of(&spelt) {
            if !readings.iter().any(|&x| same_value(x, r)) {
                readings.push(r);
            }
        }
    }
    DigitRun {
        span: groups[0].span.start..groups[groups.len() - 1].span.end,
        key,
        readings,
    }
}

/// One number from its digit groups and separators (spaces here are thousands separators).
fn read_number(groups: &[String], seps: &[char]) -> String {
    if seps.is_empty() {
        return canonical(&groups[0], "");
    }
    // Which separator is the decimal mark, if any.
    let decimal_at: Option<usize> = {
        let last = seps.len() - 1;
        let last_sep = seps[last];
        let distinct_earlier = seps[..last].iter().any(|&s| s != last_sep);
        if last_sep == 'd' {
            Some(last)
        } else if last_sep == 't' || last_sep == ' ' || last_sep == '\'' || last_sep == '’' {
            None
        } else if distinct_earlier {
            // "1.000,5" or "1,000.5": the last mark is the decimal one.
            Some(last)
        } else if seps.len() > 1 {
            // "1.000.000": repeated marks group thousands, unless a group is not three digits.
            if groups[1..].iter().all(|g| g.len() == 3) {
                None
            } else {
                Some(last)
            }
        } else {
            // A single "." or ",": thousands when three digits follow a short non-zero lead.
            let lead = &groups[0];
            if groups[1].len() == 3 && lead.len() <= 3 && !lead.starts_with('0') {
                None
            } else {
                Some(last)
            }
        }
    };
    match decimal_at {
        None => canonical(&groups.concat(), ""),
        Some(d) => canonical(&groups[..=d].concat(), &groups[d + 1..].concat()),
    }
}

fn canonical(int: &str, frac: &str) -> String {
    let int = int.trim_start_matches('0');
    let int = if int.is_empty() { "0" } else { int };
    let frac = frac.trim_end_matches('0');
    if frac.is_empty() {
        int.to_string()
    } else {
        format!("{int}.{frac}")
    }
}

/// Readings of ASCII digits with separators: "10,000" → 10000 (or 10 with a decimal comma),
/// "3.5" → 3.5, "1.234,5" → 1234.5.
pub fn readings_of(s: &str) -> Vec<f64> {
    let plain = |t: &str| t.parse::<f64>().ok();
    let has_dot = s.contains('.');
    let has_comma = s.contains(',');
    if !has_dot && !has_comma {
        return plain(s).into_iter().collect();
    }
    if has_dot && has_comma {
        // the last separator is the decimal one
        let Some(last) = s.rfind(['.', ',']) else {
            return Vec::new();
        };
        let int: String = s[..last].chars().filter(|c| c.is_ascii_digit()).collect();
        return plain(&format!("{int}.{}", &s[last + 1..]))
            .into_iter()
            .collect();
    }
    let sep = if has_dot { '.' } else { ',' };
    let groups: Vec<&str> = s.split(sep).collect();
    let thousands =
        groups.len() >= 2 && groups[0].len() <= 3 && groups[1..].iter().all(|g| g.len() == 3);
    let mut out = Vec::new();
    if thousands {
        out.extend(plain(&groups.concat()));
    }
    if groups.len() == 2 {
        out.extend(plain(&format!("{}.{}", groups[0], groups[1])));
    }
    out
}

/// A digit run as a [`Number`], with the multiplier that follows it: a CJK or Korean one
/// ("3万", "1.5亿", "3만"), a scale word ("1.5 million", "5bn") or a span of years
/// ("2 decades": 20 or 2).
fn with_multiplier(text: &str, run: DigitRun, table: Option<&Table>) -> Number {
    let mut n = Number {
        span: run.span,
        readings: run.readings,
        form: NumberForm::Digits,
        weak: false,
    };
    let rest = &text[n.span.end..];
    if let Some(c) = rest.chars().next() {
        if let Some(m) = han_multiplier(c) {
            n.readings.iter_mut().for_each(|r| *r *= m);
            n.span.end += c.len_utf8();
            return n;
        }
    }
    let Some(t) = table else { return n };
    let mut factor = 1.0;
    let mut end = n.span.end;
    while let Some((w, span)) = next_word(text, end) {
        if let Some(&s) = t.scales.get(&w).or_else(|| t.abbreviations.get(&w)) {
            factor *= s;
            end = span.end;
        } else if let Some(&p) = t.periods.get(&w) {
            n.span.end = span.end;
            let base = n.readings.clone();
            n.readings = base.iter().map(|r| r * factor * p).collect();
            n.readings.extend(base.iter().map(|r| r * factor));
            return n;
        } else {
            break;
        }
    }
    if factor != 1.0 {
        n.readings.iter_mut().for_each(|r| *r *= factor);
        n.span.end = end;
    }
    n
}

/// The word right after byte `at` (after spaces or one hyphen only), lower-cased, and its span.
fn next_word(text: &str, at: usize) -> Option<(String, Range<usize>)> {
    let rest = &text[at..];
    let gap = rest.len() - rest.trim_start_matches([' ', '\u{00A0}', '-']).len();
    if rest[..gap].matches('-').count() > 1 {
        return None;
    }
    let start = at + gap;
    let len: usize = text[start..]
        .chars()
        .take_while(|&c| c.is_alphabetic() || c == '\'')
        .map(char::len_utf8)
        .sum();
    (len > 0).then(|| (text[start..start + len].to_lowercase(), start..start + len))
}

/// CJK and Korean multipliers that follow digits: "3万", "1.5亿", "3만".
fn han_multiplier(c: char) -> Option<f64> {
    Some(match c {
        '万' | '萬' | '만' => 1e4,
        '亿' | '億' | '억' => 1e8,
        '千' | '천' => 1e3,
        '百' => 1e2,
        '兆' | '조' => 1e12,
        _ => return None,
    })
}

fn han_digit(c: char) -> Option<f64> {
    Some(match c {
        '〇' | '零' => 0.0,
        '一' => 1.0,
        '二' | '两' | '兩' => 2.0,
        '三' => 3.0,
        '四' => 4.0,
        '五' => 5.0,
        '六' => 6.0,
        '七' => 7.0,
        '八' => 8.0,
        '九' => 9.0,
        _ => return None,
    })
}

fn han_unit(c: char) -> Option<f64> {
    Some(match c {
        '十' => 10.0,
        '百' => 100.0,
        '千' => 1e3,
        _ => return None,
    })
}

fn han_big(c: char) -> Option<f64> {
    Some(match c {
        '万' | '萬' => 1e4,
        '亿' | '億' => 1e8,
        _ => return None,
    })
}

/// CJK numerals not already read as a digit's multiplier: "二十" 20, "两千" 2000,
/// "二〇二一" 2021 (digit by digit, as years are written). A lone 一 (一些 "some", 统一
/// "unify") and multipliers with no numeral (万一 "in case", 千万 "by all means") are weak.
fn han_numbers(text: &str, taken: &[Number]) -> Vec<Number> {
    let is_numeral =
        |c: char| han_digit(c).is_some() || han_unit(c).is_some() || han_big(c).is_some();
    let mut out = Vec::new();
    let mut iter = text.char_indices().peekable();
    while let Some((start, c)) = iter.next() {
        if !is_numeral(c) || taken.iter().any(|n| n.span.contains(&start)) {
            continue;
        }
        let mut run = vec![c];
        let mut end = start + c.len_utf8();
        while let Some(&(b, d)) = iter.peek() {
            if !is_numeral(d) {
                break;
            }
            run.push(d);
            end = b + d.len_utf8();
            iter.next();
        }
        let Some(value) = han_value(&run) else {
            continue;
        };
        // "十年": the years counted belong to the number as written.
        if text[end..].starts_with('年') {
            end += '年'.len_utf8();
        }
        // Weak: a lone 一 or 两, a run opened by a multiplier (千万 "by all means", 万一 "in
        // case", 百姓 "the people"), 十分 "very".
        let opened_by_multiplier = han_unit(c).is_some_and(|u| u > 10.0) || han_big(c).is_some();
        let very = run == ['十'] && text[end..].starts_with('分');
        out.push(Number {
            span: start..end,
            readings: vec![value],
            form: NumberForm::Han,
            weak: opened_by_multiplier || very || run == ['一'] || run == ['两'],
        });
    }
    out
}

/// The value of a run of CJK numerals.
fn han_value(run: &[char]) -> Option<f64> {
    if run.len() > 1 && run.iter().all(|&c| han_digit(c).is_some()) {
        // "二〇二一": digit by digit
        return run
            .iter()
            .try_fold(0.0, |acc, &c| han_digit(c).map(|d| acc * 10.0 + d));
    }
    let (mut total, mut section, mut digit) = (0.0f64, 0.0f64, None::<f64>);
    for &c in run {
        if let Some(d) = han_digit(c) {
            digit = Some(d);
        } else if let Some(u) = han_unit(c) {
            section += digit.unwrap_or(1.0) * u;
            digit = None;
        } else if let Some(b) = han_big(c) {
            // 亿 multiplies all before it ("一亿二千万"), 万 only its own section.
            let part = section + digit.unwrap_or(0.0);
            let part = if part == 0.0 { 1.0 } else { part };
            total = if b > 1e4 {
                (total + part) * b
            } else {
                total + part * b
            };
            section = 0.0;
            digit = None;
        }
    }
    Some(total + section + digit.unwrap_or(0.0))
}

/// A language's number words, as `number-words.toml` lists them.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct Table {
    words: HashMap<String, f64>,
    scales: HashMap<String, f64>,
    periods: HashMap<String, f64>,
    weak: Vec<String>,
    joiners: Vec<String>,
    abbreviations: HashMap<String, f64>,
    implied: HashMap<String, f64>,
    months: HashMap<String, f64>,
}

fn tables() -> &'static HashMap<String, Table> {
    static T: OnceLock<HashMap<String, Table>> = OnceLock::new();
    T.get_or_init(|| {
        // The file is part of the source: a parse error is a bug the unit test catches.
        toml::from_str(include_str!("number-words.toml")).unwrap_or_default()
    })
}

fn english() -> Option<&'static Table> {
    tables().get("en")
}

/// An English number word: "two" 2, "twenty" 20, "dozen" 12.
pub fn english_word(w: &str) -> Option<f64> {
    english()?.words.get(w).copied()
}

/// An English scale: "thousand" 1000, and after digits "mln", "m", "bn".
pub fn english_scale(w: &str) -> Option<f64> {
    let t = english()?;
    t.scales.get(w).or_else(|| t.abbreviations.get(w)).copied()
}

/// An English month's number: "december" 12.
pub fn english_month(w: &str) -> Option<f64> {
    english()?.months.get(w).copied()
}

/// The words of a text: lower-cased letters (and inner apostrophes: "п'ять"), with spans.
fn words(text: &str) -> Vec<(Range<usize>, String)> {
    let mut out = Vec::new();
    let mut start = None;
    for (i, c) in text
        .char_indices()
        .chain(std::iter::once((text.len(), ' ')))
    {
        let inner_apostrophe = c == '\'' && start.is_some();
        if c.is_alphabetic() || inner_apostrophe {
            start.get_or_insert(i);
        } else if let Some(s) = start.take() {
            let w = text[s..i].trim_end_matches('\'');
            out.push((s..s + w.len(), w.to_string()));
        }
    }
    out
}

/// Spelled-out numbers: "twenty-five", "two hundred and five", "two decades", "a dozen".
fn word_numbers(text: &str, t: &Table) -> Vec<Number> {
    let words = words(text);
    let lower: Vec<String> = words.iter().map(|(_, w)| w.to_lowercase()).collect();
    let adjacent = |a: usize, b: usize| {
        let gap = text[words[a].0.end..words[b].0.start].trim();
        gap.is_empty() || gap == "-"
    };
    let mut out = Vec::new();
    let mut i = 0;
    while i < words.len() {
        let w = lower[i].as_str();
        let starts = t.words.contains_key(w) || t.periods.contains_key(w);
        if !starts {
            if let Some(n) = weak_word(&words[i], w, t) {
                out.push(n);
            }
            i += 1;
            continue;
        }
        let (mut total, mut current, mut period) = (0.0f64, 0.0f64, None);
        let mut k = i;
        while k < words.len() && (k == i || adjacent(k - 1, k)) {
            let v = lower[k].as_str();
            if let Some(&n) = t.words.get(v) {
                current += n;
            } else if let Some(&s) = t.scales.get(v) {
                if s < 1e3 {
                    current = current.max(1.0) * s;
                } else {
                    total += current.max(1.0) * s;
                    current = 0.0;
                }
            } else if let Some(&p) = t.periods.get(v) {
                period = Some(p);
                k += 1;
                break;
            } else if t.joiners.iter().any(|j| j == v)
                && k > i
                && lower.get(k + 1).is_some_and(|n| t.words.contains_key(n))
            {
                // "two hundred and five"
            } else {
                break;
            }
            k += 1;
        }
        let count = total + current;
        let readings = match period {
            Some(p) if k - i == 1 => vec![p],
            Some(p) => vec![count * p, count],
            None => vec![count],
        };
        let lone_weak = k - i == 1 && (t.weak.iter().any(|x| x == w) || period.is_some());
        out.push(Number {
            span: words[i].0.start..words[k - 1].0.end,
            readings,
            form: NumberForm::Words,
            weak: lone_weak,
        });
        i = k;
    }
    out
}

/// A word that implies a number weakly: "both" 2, "third" 3, a capitalised month.
fn weak_word(word: &(Range<usize>, String), lower: &str, t: &Table) -> Option<Number> {
    let value = t.implied.get(lower).copied().or_else(|| {
        let capitalised = word.1.chars().next().is_some_and(char::is_uppercase);
        t.months.get(lower).copied().filter(|_| capitalised)
    })?;
    Some(Number {
        span: word.0.clone(),
        readings: vec![value],
        form: NumberForm::Words,
        weak: true,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn strong(text: &str, lang: &str) -> Vec<Vec<f64>> {
        numbers(text, lang)
            .into_iter()
            .filter(|n| !n.weak)
            .map(|n| n.readings)
            .collect()
    }

    #[test]
    fn digit_keys_read_alike_across_conventions_and_scripts() {
        for t in [
            "10,000 troops",
            "10.000 Soldaten",
            "10 000 soldats",
            "10'000 Soldaten",
            "۱۰٬۰۰۰ سرباز",
            "১০,০০০ সৈন্য",
            "١٠٬٠٠٠",
        ] {
            assert_eq!(digit_keys(t), vec!["10000"], "{t}");
        }
        assert_eq!(digit_keys("3,5 Prozent"), vec!["3.5"]);
        assert_eq!(digit_keys("3.50 per cent"), vec!["3.5"]);
        assert_eq!(digit_keys("1.000,5"), vec!["1000.5"]);
        assert_eq!(digit_keys("in 1956 1957"), vec!["1956", "1957"]);
        assert_eq!(digit_keys("2021-2025"), vec!["2021", "2025"]);
        assert_eq!(digit_keys("٣٫٥"), vec!["3.5"]);
        assert_eq!(digit_keys("no digits"), Vec::<String>::new());
    }

    #[test]
    fn spans_cover_the_number_as_written() {
        let t = "Le 15 décembre 2021, ١٠٬٠٠٠ et ２０ km.";
        let spans: Vec<&str> = numbers(t, "fr")
            .iter()
            .map(|n| &t[n.span.clone()])
            .collect();
        assert_eq!(spans, vec!["15", "2021", "١٠٬٠٠٠", "２０"]);
        assert_eq!(numbers("२०२१ में ৫ টি ๑๐", "hi")[0].value(), 2021.0);
        assert_eq!(numbers("৫ টি", "bn")[0].value(), 5.0);
        assert_eq!(numbers("๑๐ คน", "th")[0].value(), 10.0);
    }

    #[test]
    fn cjk_numerals_and_multipliers() {
        assert_eq!(strong("长达二十年", "zh"), vec![vec![20.0]]);
        assert_eq!(strong("十年", "zh"), vec![vec![10.0]]);
        assert_eq!(strong("两千名士兵", "zh"), vec![vec![2000.0]]);
        assert_eq!(strong("3万人", "zh"), vec![vec![30000.0]]);
        assert_eq!(strong("1.5亿", "zh"), vec![vec![150_000_000.0]]);
        assert_eq!(strong("十二万三千", "zh"), vec![vec![123_000.0]]);
        assert_eq!(strong("一亿二千万", "zh"), vec![vec![120_000_000.0]]);
        assert_eq!(strong("二〇二一年", "zh"), vec![vec![2021.0]]);
        assert_eq!(strong("10月", "zh"), vec![vec![10.0]]);
        assert_eq!(strong("3만 명", "ko"), vec![vec![30000.0]]);
        // 一些 "some", 统一 "unify", 千万 "by all means": weak, never reported alone
        assert!(strong("一些国家，统一，千万", "zh").is_empty());
    }

    #[test]
    fn spelled_out_numbers_of_the_original_and_of_translations() {
        assert_eq!(strong("for two decades", "en"), vec![vec![20.0, 2.0]]);
        assert_eq!(strong("a dozen ships", "en"), vec![vec![12.0]]);
        assert_eq!(strong("ten thousand troops", "en"), vec![vec![10000.0]]);
        assert_eq!(strong("twenty-five years", "en"), vec![vec![25.0]]);
        assert_eq!(strong("two hundred and five", "en"), vec![vec![205.0]]);
        assert_eq!(strong("1.5 million people", "en"), vec![vec![1_500_000.0]]);
        assert_eq!(strong("durante tres décadas", "gl"), vec![vec![30.0, 3.0]]);
        assert_eq!(strong("zwei Jahrzehnte lang", "de"), vec![vec![20.0, 2.0]]);
        assert_eq!(
            strong("в течение двух десятилетий", "ru"),
            vec![vec![20.0, 2.0]]
        );
        // articles and months are weak; "may" the verb is no month
        assert!(strong("one of them met in December", "en").is_empty());
        assert!(numbers("we may", "en").is_empty());
        assert!(numbers("un pays", "fr").iter().all(|n| n.weak));
    }

    #[test]
    fn the_other_reading_of_a_lone_separator_is_kept() {
        let n = &numbers("10,000 troops", "en")[0];
        assert_eq!(n.readings, vec![10000.0, 10.0]);
        let m = &numbers("10.000 Soldaten", "de")[0];
        assert!(n.same(m));
        assert!(!n.same(&numbers("12", "de")[0]));
    }

    #[test]
    fn the_word_tables_parse() {
        assert!(tables().len() >= 10);
        assert_eq!(english_word("dozen"), Some(12.0));
        assert_eq!(english_scale("bn"), Some(1e9));
        assert_eq!(english_month("december"), Some(12.0));
    }
}
