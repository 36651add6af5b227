//! What the aligner reads from a sentence without any model: its length, and the marks that
//! survive translation — numbers, names, acronyms and cognates, telling punctuation.
//!
//! Every mark becomes a 32-bit key whose top two bits say its kind ([`Kind`]), so a
//! sentence is a length and one sorted list of keys, and a bead's evidence is the multiset
//! intersection of two lists.

use crate::text::numbers::digit_keys;

/// The kinds of marks that survive translation, scored separately because they survive
/// at very different rates (a number almost always does, a cognate often not).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Numbers, normalised: thousands separators dropped, decimal mark `.`, digits of
    /// every script as ASCII.
    Number = 0,
    /// Names, acronyms and cognates: the first four letters of every word of four letters
    /// or more (Simard, Foster & Isabelle 1992), and short all-capital acronyms whole.
    Word = 1,
    /// Question and exclamation marks, quotation marks, parentheses, colons.
    Punctuation = 2,
}

pub const KINDS: [Kind; 3] = [Kind::Number, Kind::Word, Kind::Punctuation];

impl Kind {
    pub fn of_key(key: u32) -> Kind {
        match key >> 30 {
            0 => Kind::Number,
            1 => Kind::Word,
            _ => Kind::Punctuation,
        }
    }
}

/// A sentence as the aligner sees it.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SentenceFeatures {
    /// Characters other than whitespace (so tokenised and untokenised text measure alike).
    pub chars: u32,
    /// Sorted keys of the marks it carries; equal marks repeat.
    pub keys: Vec<u32>,
    /// Brackets it does not close itself (see [`inside_brackets`]).
    pub brackets: OpenBrackets,
}

/// The brackets of a sentence that reach beyond it: closing ones before any opening one
/// of its own ("Collins 1956 ) , flott …"), and opening ones it leaves open ("… ( London :").
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct OpenBrackets {
    pub closes: u16,
    pub opens: u16,
}

impl OpenBrackets {
    fn of(text: &str) -> OpenBrackets {
        let mut b = OpenBrackets::default();
        for c in text.chars() {
            match c {
                '(' | '[' | '（' | '［' | '【' | '〔' => b.opens = b.opens.saturating_add(1),
                ')' | ']' | '）' | '］' | '】' | '〕' => {
                    if b.opens > 0 {
                        b.opens -= 1;
                    } else {
                        b.closes = b.closes.saturating_add(1);
                    }
                }
                _ => {}
            }
        }
        b
    }
}

impl SentenceFeatures {
    pub fn of(text: &str) -> SentenceFeatures {
        let chars = text.chars().filter(|c| !c.is_whitespace()).count() as u32;
        let mut keys = Vec::new();
        for n in digit_keys(text) {
            keys.push(key(Kind::Number, &n));
        }
        for w in words(text) {
            keys.push(key(Kind::Word, &w));
        }
        for c in text.chars() {
            if let Some(p) = punctuation_class(c) {
                keys.push(key(Kind::Punctuation, p));
            }
        }
        keys.sort_unstable();
        SentenceFeatures {
            chars,
            keys,
            brackets: OpenBrackets::of(text),
        }
    }
}

fn key(kind: Kind, s: &str) -> u32 {
    // FNV-1a, folded to 30 bits; the kind sits in the top two bits.
    let mut h: u64 = 0xcbf29ce484222325;
    for b in s.bytes() {
        h ^= b as u64;
        h = h.wrapping_mul(0x100000001b3);
    }
    let h = (h ^ (h >> 30) ^ (h >> 60)) as u32 & 0x3fff_ffff;
    ((kind as u32) << 30) | h
}

/// A mark of a sentence with the chance of meeting it in a sentence of the other document:
/// the share of the other document's sentences that carry the same mark (rare names and
/// numbers are strong evidence, words on every page weak). A mark the other document never
/// carries has chance 0: it cannot be carried over anywhere, so it tells nothing about
/// where its sentence belongs.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Mark {
    pub key: u32,
    pub chance: f32,
    /// Length of the sentence that carries it, in characters.
    pub sentence_chars: f32,
}

/// The marks of every sentence of `side` that `other` carries somewhere, with their chances
/// there, sorted by key. (Marks `other` never carries cannot be shared by any bead, so they
/// are left out.)
pub fn marks_with_chances(side: &[SentenceFeatures], other: &[SentenceFeatures]) -> Vec<Vec<Mark>> {
    let mut sentences_with: std::collections::HashMap<u32, u32> = std::collections::HashMap::new();
    for f in other {
        let mut last = None;
        for &k in &f.keys {
            if last != Some(k) {
                *sentences_with.entry(k).or_default() += 1;
                last = Some(k);
            }
        }
    }
    let total = other.len() as f32 + 1.0;
    side.iter()
        .map(|f| {
            f.keys
                .iter()
                .filter_map(|&key| {
                    let with = sentences_with.get(&key).copied().unwrap_or(0) as f32;
                    (with > 0.0).then(|| Mark {
                        key,
                        chance: with / total,
                        sentence_chars: f.chars.max(1) as f32,
                    })
                })
                .collect()
        })
        .collect()
}

/// How many sentences on a bracket may stay open and still count as one parenthesis
/// split by the segmenter; past that it is a stray bracket (OCR, a list's "a )").
const BRACKET_SPAN: usize = 3;

/// Per sentence of a side: whether a bracket is open after it that one of the next
/// [`BRACKET_SPAN`] sentences closes. A bead boundary there would cut a parenthesis in
/// two, which translations almost never do: where a segmenter split "… ( London :" from
/// "Collins 1956 ) , …", the two pieces belong to one bead.
pub fn inside_brackets(side: &[SentenceFeatures]) -> Vec<bool> {
    let mut out = vec![false; side.len()];
    // The sentence of every bracket still open, innermost last.
    let mut open: Vec<usize> = Vec::new();
    for (k, f) in side.iter().enumerate() {
        for _ in 0..f.brackets.closes {
            // A closing bracket with nothing open is a stray: it marks nothing.
            if let Some(o) = open.pop() {
                if k - o <= BRACKET_SPAN {
                    out[o..k].iter_mut().for_each(|b| *b = true);
                }
            }
        }
        open.extend(std::iter::repeat_n(k, f.brackets.opens as usize));
    }
    out
}

/// Counts equal keys of two sorted lists (multiset intersection), per kind.
pub fn shared_keys(a: &[u32], b: &[u32]) -> [u32; 3] {
    let mut out = [0u32; 3];
    let (mut i, mut j) = (0, 0);
    while i < a.len() && j < b.len() {
        let (x, y) = (a[i], b[j]);
        if x == y {
            out[(x >> 30).min(2) as usize] += 1;
            i += 1;
            j += 1;
        } else if x < y {
            i += 1;
        } else {
            j += 1;
        }
    }
    out
}

/// Counts keys per kind.
pub fn count_keys(a: &[u32]) -> [u32; 3] {
    let mut out = [0u32; 3];
    for &k in a {
        out[(k >> 30).min(2) as usize] += 1;
    }
    out
}

/// Merges sorted lists into one sorted list.
pub fn merge_keys(lists: &[&[u32]], out: &mut Vec<u32>) {
    out.clear();
    for l in lists {
        out.extend_from_slice(l);
    }
    out.sort_unstable();
}

/// Folds a Latin letter with a diacritic to its base letter (é → e, ß → s, ø → o).
pub fn fold(c: char) -> char {
    let u = c as u32;
    if u < 0xC0 {
        return c;
    }
    const LATIN1: &str = "AAAAAAACEEEEIIIIDNOOOOOxOUUUUYTsaaaaaaaceeeeiiiidnooooo/ouuuuyty";
    if (0xC0..=0xFF).contains(&u) {
        let f = LATIN1.as_bytes()[(u - 0xC0) as usize] as char;
        return if f == 'x' || f == '/' { c } else { f };
    }
    // Latin Extended-A: pairs of upper/lower case letters.
    const EXT_A: &str = concat!(
        "AaAaAa",
        "CcCcCcCc",
        "DdDd",
        "EeEeEeEeEe",
        "GgGgGgGg",
        "HhHh",
        "IiIiIiIiIi",
        "Ii",
        "Jj",
        "Kkk",
        "LlLlLlLlLl",
        "NnNnNnn",
        "Nn",
        "OoOoOo",
        "Oo",
        "RrRrRr",
        "SsSsSsSs",
        "TtTtTt",
        "UuUuUuUuUuUu",
        "Ww",
        "YyY",
        "ZzZzZz",
        "s"
    );
    if (0x100..=0x17F).contains(&u) {
        if let Some(f) = EXT_A.as_bytes().get((u - 0x100) as usize) {
            return *f as char;
        }
    }
    c
}

/// Keys for names, acronyms and cognates: the folded lower-case first four letters of every
/// word of four letters or more; acronyms of two or three capitals whole.
pub fn words(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    for w in text.split(|c: char| !c.is_alphanumeric()) {
        let letters = w.chars().filter(|c| c.is_alphabetic()).count();
        if letters != w.chars().count() || letters == 0 {
            continue; // mixed with digits: already a number, or a code
        }
        if letters >= 4 {
            let k: String = w
                .chars()
                .take(4)
                .flat_map(|c| fold(c).to_lowercase())
                .collect();
            out.push(k);
        } else if letters >= 2 && w.chars().all(|c| c.is_uppercase()) {
            out.push(w.chars().map(fold).collect());
        }
    }
    out
}

/// Punctuation that a translation usually keeps: questions, exclamations, quotations,
/// parentheses, colons. Quotation marks of every language count as one class.
pub fn punctuation_class(c: char) -> Option<&'static str> {
    Some(match c {
        '?' | '？' | '¿' | '؟' | '\u{037E}' => "?",
        '!' | '！' | '¡' => "!",
        '"' | '“' | '”' | '„' | '«' | '»' | '‹' | '›' | '「' | '」' | '『' | '』' | '‚' => {
            "\""
        }
        '(' | '（' => "(",
        ':' | '：' => ":",
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cognates_fold_diacritics_and_case() {
        assert_eq!(words("Expédition"), words("Expedition"));
        assert_eq!(words("NATO and UN"), vec!["nato", "UN"]);
        assert_eq!(fold('ß'), 's');
        assert_eq!(fold('ł'), 'l');
        assert_eq!(fold('ž'), 'z');
        assert_eq!(fold('ſ'), 's');
        assert_eq!(fold('Ő'), 'O');
        assert_eq!(fold('ÿ'), 'y');
        assert_eq!(fold('×'), '×');
    }

    #[test]
    fn shared_keys_count_multisets() {
        let a = SentenceFeatures::of("In 2021, 10 bombers flew? Putin said.");
        let b = SentenceFeatures::of("2021 flogen 10 Bomber? sagte Putin.");
        let s = shared_keys(&a.keys, &b.keys);
        assert_eq!(s[Kind::Number as usize], 2);
        assert!(s[Kind::Word as usize] >= 2, "{s:?}"); // bomb, puti
        assert_eq!(s[Kind::Punctuation as usize], 1);
    }

    #[test]
    fn a_parenthesis_split_by_the_segmenter_holds_its_sentence_ends() {
        let side: Vec<SentenceFeatures> = [
            "Das Buch ist erschienen :",
            "Monica Jackson , « Tents in the Clouds » ( London :",
            "Collins 1956 ) , flott geschrieben .",
            "a ) die Lichtbrechung ;",
            "b ) die Schwere ( siehe unten .",
            "Eins .",
            "Zwei .",
            "Drei .",
            "Vier ) .",
        ]
        .iter()
        .map(|s| SentenceFeatures::of(s))
        .collect();
        // Only the end of "( London :" lies inside a parenthesis that is closed soon after;
        // a list's "a )" closes nothing, and "( siehe unten" is closed too far away.
        assert_eq!(
            inside_brackets(&side),
            vec![false, true, false, false, false, false, false, false, false]
        );
        let fullwidth: Vec<SentenceFeatures> =
            ["普京（俄罗斯总统。", "他说）。", "【北京。", "报道】。"]
                .iter()
                .map(|s| SentenceFeatures::of(s))
                .collect();
        assert_eq!(inside_brackets(&fullwidth), vec![true, false, true, false]);
    }
}
