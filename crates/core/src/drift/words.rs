//! Words of an English sentence with their byte spans, and the small lexicons the fact checks
//! use: stop words, number words, negation and certainty cues, gendered pronouns.

use std::collections::HashSet;
use std::sync::OnceLock;

/// What a token is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Letters (any script), with inner apostrophes: "Russia's", "don't", "三聚氰胺".
    Word,
    /// Digits with inner separators and trailing letters: "10,000", "3.5", "21st", "1960s".
    Number,
    /// One punctuation mark or symbol.
    Mark,
}

/// One token: its text, byte span in the sentence and a lower-cased form.
#[derive(Debug, Clone)]
pub struct Token<'a> {
    pub text: &'a str,
    pub start: usize,
    pub end: usize,
    pub kind: Kind,
    /// Lower case, possessive "'s" removed, curly apostrophes straightened.
    pub norm: String,
    /// The first word of the sentence (or of a quotation or a clause after a colon).
    pub initial: bool,
}

impl Token<'_> {
    pub fn is_capitalised(&self) -> bool {
        self.kind == Kind::Word
            && self
                .text
                .chars()
                .next()
                .map(|c| c.is_uppercase())
                .unwrap_or(false)
    }
    /// Two or more letters, all capitals: "NATO", "US" (also from "U.S.").
    pub fn is_acronym(&self) -> bool {
        let letters: Vec<char> = self.text.chars().filter(|c| c.is_alphabetic()).collect();
        self.kind == Kind::Word && letters.len() >= 2 && letters.iter().all(|c| c.is_uppercase())
    }
}

fn is_apostrophe(c: char) -> bool {
    c == '\'' || c == '’'
}

/// Splits a sentence into words, numbers and marks. Hyphens split words ("duty-free" → duty,
/// free); "U.S." becomes one token; numbers keep their separators ("10,000.5").
pub fn tokenize(s: &str) -> Vec<Token<'_>> {
    let chars: Vec<(usize, char)> = s.char_indices().collect();
    let n = chars.len();
    let at = |i: usize| if i < n { Some(chars[i].1) } else { None };
    let pos = |i: usize| if i < n { chars[i].0 } else { s.len() };
    let mut out: Vec<Token> = Vec::new();
    let mut i = 0;
    let mut next_initial = true;
    while i < n {
        let c = chars[i].1;
        let start = i;
        if c.is_alphabetic() {
            // "U.S." / "U.K." acronyms with dots: one word, normalised to its letters
            let acronym = c.is_uppercase()
                && at(i + 1) == Some('.')
                && at(i + 2).map(|x| x.is_uppercase()).unwrap_or(false)
                && at(i + 3) == Some('.');
            let mut j = i;
            if acronym {
                while at(j).map(|x| x.is_uppercase()).unwrap_or(false) && at(j + 1) == Some('.') {
                    j += 2;
                }
            } else {
                while j < n {
                    let d = chars[j].1;
                    let inside_word =
                        is_apostrophe(d) && at(j + 1).map(|x| x.is_alphabetic()).unwrap_or(false);
                    if d.is_alphanumeric() || is_combining(d) || inside_word {
                        j += 1;
                    } else {
                        break;
                    }
                }
            }
            let text = &s[pos(start)..pos(j)];
            let norm = if acronym {
                text.chars()
                    .filter(|c| c.is_alphabetic())
                    .collect::<String>()
                    .to_lowercase()
            } else {
                let mut norm = text.replace('’', "'").to_lowercase();
                if norm.ends_with("'s") && norm.len() > 3 {
                    norm.truncate(norm.len() - 2);
                }
                norm
            };
            out.push(Token {
                text,
                start: pos(start),
                end: pos(j),
                kind: Kind::Word,
                norm,
                initial: next_initial,
            });
            next_initial = false;
            i = j;
        } else if c.is_ascii_digit() {
            let mut j = i;
            while j < n {
                let d = chars[j].1;
                // digits, and a comma or point between digits (10,000 / 2.5)
                let separator = (d == ',' || d == '.')
                    && at(j + 1).map(|x| x.is_ascii_digit()).unwrap_or(false);
                if d.is_ascii_digit() || separator {
                    j += 1;
                } else {
                    break;
                }
            }
            // trailing letters: 21st, 1960s, 5G
            let mut k = j;
            while at(k).map(|x| x.is_alphabetic()).unwrap_or(false) {
                k += 1;
            }
            let text = &s[pos(start)..pos(k)];
            out.push(Token {
                text,
                start: pos(start),
                end: pos(k),
                kind: Kind::Number,
                norm: s[pos(start)..pos(j)].to_string(),
                initial: false,
            });
            next_initial = false;
            i = k;
        } else if c.is_whitespace() {
            i += 1;
        } else {
            let text = &s[pos(i)..pos(i + 1)];
            out.push(Token {
                text,
                start: pos(i),
                end: pos(i + 1),
                kind: Kind::Mark,
                norm: text.to_string(),
                initial: false,
            });
            if matches!(c, ':' | '“' | '"' | '«' | '‘' | '(' | '—' | ';') {
                next_initial = true;
            }
            i += 1;
        }
    }
    out
}

fn is_combining(c: char) -> bool {
    ('\u{300}'..='\u{36f}').contains(&c)
}

/// Removes accents from Latin letters (é → e, ł → l, ß → ss) and lower-cases.
pub fn fold(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars().flat_map(|c| c.to_lowercase()) {
        let r = match c {
            'à' | 'á' | 'â' | 'ã' | 'ä' | 'å' | 'ā' | 'ă' | 'ą' => "a",
            'ç' | 'ć' | 'č' | 'ĉ' => "c",
            'ď' | 'đ' => "d",
            'è' | 'é' | 'ê' | 'ë' | 'ē' | 'ę' | 'ě' | 'ė' => "e",
            'ì' | 'í' | 'î' | 'ï' | 'ī' | 'į' | 'ı' => "i",
            'ł' | 'ľ' | 'ĺ' => "l",
            'ñ' | 'ń' | 'ň' => "n",
            'ò' | 'ó' | 'ô' | 'õ' | 'ö' | 'ø' | 'ō' | 'ő' => "o",
            'ř' | 'ŕ' => "r",
            'ś' | 'š' | 'ş' | 'ș' => "s",
            'ß' => "ss",
            'ť' | 'ţ' | 'ț' => "t",
            'ù' | 'ú' | 'û' | 'ü' | 'ū' | 'ů' | 'ű' | 'ų' => "u",
            'ý' | 'ÿ' => "y",
            'ź' | 'ż' | 'ž' => "z",
            '’' => "'",
            c if is_combining(c) => "",
            _ => {
                out.push(c);
                continue;
            }
        };
        out.push_str(r);
    }
    out
}

/// Levenshtein distance over chars.
pub fn edit_distance(a: &str, b: &str) -> usize {
    if a.is_ascii() && b.is_ascii() && b.len() < 64 {
        let (a, b) = (a.as_bytes(), b.as_bytes());
        let mut prev = [0usize; 64];
        let mut cur = [0usize; 64];
        for (j, p) in prev.iter_mut().enumerate().take(b.len() + 1) {
            *p = j;
        }
        for i in 1..=a.len() {
            cur[0] = i;
            for j in 1..=b.len() {
                let sub = prev[j - 1] + usize::from(a[i - 1] != b[j - 1]);
                cur[j] = sub.min(prev[j] + 1).min(cur[j - 1] + 1);
            }
            std::mem::swap(&mut prev, &mut cur);
        }
        return prev[b.len()];
    }
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    if a.is_empty() {
        return b.len();
    }
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    let mut cur = vec![0; b.len() + 1];
    for i in 1..=a.len() {
        cur[0] = i;
        for j in 1..=b.len() {
            let sub = prev[j - 1] + usize::from(a[i - 1] != b[j - 1]);
            cur[j] = sub.min(prev[j] + 1).min(cur[j - 1] + 1);
        }
        std::mem::swap(&mut prev, &mut cur);
    }
    prev[b.len()]
}

/// A crude English stem: enough to match "redistributes" with "redistributed",
/// "comparison" with "compared", "consuming" with "consumed".
pub fn stem(w: &str) -> &str {
    const SUFFIXES: &[&str] = &[
        "ations", "ation", "ments", "ment", "ings", "ing", "ness", "ities", "ity", "ions", "ion",
        "ies", "ied", "ers", "er", "est", "ly", "ed", "es", "s", "e", "al", "ive",
    ];
    let mut w = w;
    for _ in 0..2 {
        let mut changed = false;
        for suf in SUFFIXES {
            if w.len() >= suf.len() + 3 && w.ends_with(suf) && !(*suf == "s" && w.ends_with("ss")) {
                w = &w[..w.len() - suf.len()];
                changed = true;
                break;
            }
        }
        if !changed {
            break;
        }
    }
    w
}

/// Whether two lower-cased words are the same word for content matching: equal, same stem,
/// a shared long prefix, or one typo apart.
pub fn same_word(a: &str, b: &str) -> bool {
    if a == b {
        return true;
    }
    let (sa, sb) = (stem(a), stem(b));
    if sa == sb && sa.len() >= 3 {
        return true;
    }
    similar_spelling(a, b)
}

/// The spelling part of [`same_word`]: a shared long prefix, or one typo apart.
pub fn similar_spelling(a: &str, b: &str) -> bool {
    let (ab, bb) = (a.as_bytes(), b.as_bytes());
    if ab.is_empty() || bb.is_empty() || (ab[0] != bb[0] && ab[ab.len() - 1] != bb[bb.len() - 1]) {
        return false;
    }
    let common = a.bytes().zip(b.bytes()).take_while(|(x, y)| x == y).count();
    if common >= 5 && common * 10 >= a.len().max(b.len()) * 7 {
        return true;
    }
    let (la, lb) = (a.chars().count(), b.chars().count());
    if la.min(lb) >= 5 && la.abs_diff(lb) <= 1 {
        let d = edit_distance(a, b);
        return d <= 1 || (d <= 2 && la.min(lb) >= 8 && transposition(a, b));
    }
    false
}

/// Whether b is a with two neighbouring letters swapped (a common misspelling: "foudn").
fn transposition(a: &str, b: &str) -> bool {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    if a.len() != b.len() {
        return false;
    }
    let diff: Vec<usize> = (0..a.len()).filter(|&i| a[i] != b[i]).collect();
    diff.len() == 2
        && diff[1] == diff[0] + 1
        && a[diff[0]] == b[diff[1]]
        && a[diff[1]] == b[diff[0]]
}

/// The word lists of `word-lists.toml`, read once.
#[derive(serde::Deserialize)]
struct WordLists {
    stop: HashSet<String>,
    negation: HashSet<String>,
    hedge: HashSet<String>,
    strong: HashSet<String>,
    weak: HashSet<String>,
    certain: HashSet<String>,
    possible: HashSet<String>,
    required: HashSet<String>,
    male: HashSet<String>,
    female: HashSet<String>,
}

fn lists() -> &'static WordLists {
    static L: OnceLock<WordLists> = OnceLock::new();
    L.get_or_init(|| {
        toml::from_str(include_str!("word-lists.toml"))
            .expect("src/drift/word-lists.toml is valid (checked by the unit tests)")
    })
}

/// Function words: they carry grammar rather than content and are left out of content
/// matching.
pub fn is_stop_word(w: &str) -> bool {
    lists().stop.contains(w)
}

/// Words that deny: "not", "no", "never", "without" … ("n't" is found inside words).
pub fn negation_cue(w: &str) -> bool {
    lists().negation.contains(w) || w.ends_with("n't")
}

/// A word that makes a statement uncertain (“it is doubtful whether” as well as “may”).
pub fn is_hedge(w: &str) -> bool {
    lists().hedge.contains(w)
}

/// How strongly a degree word says something: "very", "massive" (strong) against
/// "somewhat", "slight" (weak). Other words: `None`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Degree {
    Strong,
    Weak,
}

pub fn degree(w: &str) -> Option<Degree> {
    let l = lists();
    if l.strong.contains(w) {
        Some(Degree::Strong)
    } else if l.weak.contains(w) {
        Some(Degree::Weak)
    } else {
        None
    }
}

/// The certainty a modal verb expresses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Certainty {
    /// will, would, shall: it happens.
    Certain,
    /// may, might, could, can: it is possible.
    Possible,
    /// must, should, ought to: it is required.
    Required,
}

pub fn certainty_cue(w: &str) -> Option<Certainty> {
    let l = lists();
    if l.certain.contains(w) {
        Some(Certainty::Certain)
    } else if l.possible.contains(w) {
        Some(Certainty::Possible)
    } else if l.required.contains(w) {
        Some(Certainty::Required)
    } else {
        None
    }
}

/// Grammatical gender of a pronoun.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Gender {
    Male,
    Female,
}

pub fn gendered_pronoun(w: &str) -> Option<Gender> {
    let l = lists();
    if l.male.contains(w) {
        Some(Gender::Male)
    } else if l.female.contains(w) {
        Some(Gender::Female)
    } else {
        None
    }
}

/// English words (from the uncased BERT vocabulary) for spotting words left untranslated.
pub fn english_words() -> &'static HashSet<&'static str> {
    static S: OnceLock<HashSet<&'static str>> = OnceLock::new();
    S.get_or_init(|| {
        include_str!("english-words.txt")
            .lines()
            .filter(|l| !l.starts_with('#') && !l.is_empty())
            .collect()
    })
}

/// Whether a lower-case ASCII word is English, allowing common inflections
/// ("redistributes", "pinpointing").
pub fn is_english_word(w: &str) -> bool {
    let lex = english_words();
    if lex.contains(w) {
        return true;
    }
    // English words borrowed with their accents (here without them, as `fold` leaves them)
    const BORROWED: &[&str] = &[
        "communique",
        "communiques",
        "cafe",
        "cafes",
        "cliche",
        "cliches",
        "fiance",
        "fiancee",
        "naive",
        "resume",
        "deja",
        "role",
        "roles",
        "elite",
        "elites",
        "facade",
        "protege",
        "detente",
        "entente",
        "expose",
        "decor",
        "debut",
        "premiere",
    ];
    if BORROWED.contains(&w) {
        return true;
    }
    const SUFFIXES: &[&str] = &[
        "s", "es", "ed", "d", "ing", "ly", "er", "ers", "est", "ies", "ied", "ment", "ments",
        "ness", "ation", "ations", "ion", "ions", "al", "ally", "ity", "ize", "ized", "izes",
        "ise", "ised", "ist", "ists", "ism", "able", "ful", "less", "ward", "wards", "like",
    ];
    for suf in SUFFIXES {
        if w.len() >= suf.len() + 3 && w.ends_with(suf) {
            let b = &w[..w.len() - suf.len()];
            let mut buf = String::with_capacity(b.len() + 1);
            buf.push_str(b);
            buf.push('e');
            let with_e = lex.contains(buf.as_str());
            let y = b.ends_with('i') && {
                buf.truncate(b.len() - 1);
                buf.push('y');
                lex.contains(buf.as_str())
            };
            if lex.contains(b) || with_e || y {
                return true;
            }
            // doubled consonant: "stopped", "running"
            let bb = b.as_bytes();
            if bb.len() >= 2
                && bb[bb.len() - 1] == bb[bb.len() - 2]
                && lex.contains(&b[..b.len() - 1])
            {
                return true;
            }
        }
    }
    // compounds: "easternmost", "peacekeepers", "motorcyclist"
    for (p, _) in w.char_indices().skip(3) {
        if w.len() - p >= 3
            && lex.contains(&w[..p])
            && (lex.contains(&w[p..]) || is_english_suffix_word(&w[p..]))
        {
            return true;
        }
    }
    const PREFIXES: &[&str] = &[
        "un", "re", "non", "pre", "post", "over", "under", "anti", "co", "de", "dis", "mis", "sub",
        "inter", "multi", "counter", "self", "semi",
    ];
    PREFIXES
        .iter()
        .any(|p| w.len() > p.len() + 3 && w.starts_with(p) && is_english_word_simple(&w[p.len()..]))
}

/// Whether a lower-case ASCII word is one typo (a letter missing, added, changed or two
/// swapped) away from an English word: "foudn", "recieve", "goverment".
pub fn is_misspelled_english(w: &str) -> bool {
    let lex = english_words();
    let b = w.as_bytes();
    if b.len() < 4 {
        return false;
    }
    let mut cand = Vec::with_capacity(b.len() + 1);
    let check = |c: &[u8]| {
        std::str::from_utf8(c)
            .map(|s| lex.contains(s) && s.len() >= 3)
            .unwrap_or(false)
    };
    for i in 0..b.len() {
        cand.clear();
        cand.extend_from_slice(&b[..i]);
        cand.extend_from_slice(&b[i + 1..]);
        if check(&cand) {
            return true;
        }
        if i + 1 < b.len() {
            cand.clear();
            cand.extend_from_slice(b);
            cand.swap(i, i + 1);
            if check(&cand) {
                return true;
            }
        }
    }
    for i in 0..=b.len() {
        for l in b'a'..=b'z' {
            cand.clear();
            cand.extend_from_slice(&b[..i]);
            cand.push(l);
            cand.extend_from_slice(&b[i..]);
            if check(&cand) {
                return true;
            }
            if i < b.len() && b[i] != l {
                cand.clear();
                cand.extend_from_slice(b);
                cand[i] = l;
                if check(&cand) {
                    return true;
                }
            }
        }
    }
    false
}

fn is_english_word_simple(w: &str) -> bool {
    let lex = english_words();
    lex.contains(w)
        || ["s", "es", "ed", "d", "ing", "ly", "er", "ers"]
            .iter()
            .any(|s| {
                w.len() > s.len() + 2 && w.ends_with(s) && lex.contains(&w[..w.len() - s.len()])
            })
}

fn is_english_suffix_word(w: &str) -> bool {
    is_english_word_simple(w)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_word_lists_parse_and_answer() {
        assert!(is_stop_word("the") && !is_stop_word("treaty"));
        assert!(negation_cue("never") && negation_cue("didn't") && !negation_cue("now"));
        assert_eq!(degree("massive"), Some(Degree::Strong));
        assert_eq!(degree("slight"), Some(Degree::Weak));
        assert_eq!(certainty_cue("might"), Some(Certainty::Possible));
        assert_eq!(gendered_pronoun("hers"), Some(Gender::Female));
        assert!(is_hedge("perhaps") && !is_hedge("will"));
    }
}
