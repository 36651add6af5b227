//! Word matching that several checks share: names across spellings and transliterations,
//! content words with and without a counterpart, the words the back-translation engine could
//! not translate, and WordNet's facts of a word (memoised per thread).

use super::lexicon::{Lexicon, Senses};
use super::words::{self, fold, is_stop_word, Kind, Token};
use super::{Mention, Span};
use std::collections::HashSet;

pub(crate) fn mention(s: &str, start: usize, end: usize) -> Mention {
    Mention {
        text: s[start..end].to_string(),
        span: Span { start, end },
    }
}

pub(crate) fn tok_mention(s: &str, t: &Token) -> Mention {
    mention(s, t.start, t.end)
}

/// Text for chrF that ignores case, punctuation and spacing: the minor differences a
/// back-translation engine makes on its own.
pub(crate) fn surface(tokens: &[Token]) -> String {
    let mut s = String::new();
    for t in tokens {
        if t.kind != Kind::Mark {
            s.push_str(&t.text.to_lowercase());
            s.push(' ');
        }
    }
    s
}

/// Finds quotations in a sentence when none are given: text between “ ” or straight quotes.
pub(crate) fn auto_quotes(s: &str) -> Vec<Span> {
    let mut out = Vec::new();
    let mut open: Option<(usize, char)> = None;
    for (i, c) in s.char_indices() {
        match (open, c) {
            (None, '“') | (None, '«') => open = Some((i + c.len_utf8(), c)),
            (None, '"') => open = Some((i + 1, '"')),
            (Some((st, '“')), '”') | (Some((st, '«')), '»') | (Some((st, '"')), '"') => {
                if i > st {
                    out.push(Span { start: st, end: i });
                }
                open = None;
            }
            _ => {}
        }
    }
    out
}

/// Name-matching form: folded, with common transliteration variants merged (w/v, ph/f,
/// kh/h, y/i/j, c/k, doubled letters).
pub(crate) fn name_key(w: &str) -> String {
    let f: Vec<char> = if w.is_ascii() {
        w.chars().map(|c| c.to_ascii_lowercase()).collect()
    } else {
        fold(w).chars().collect()
    };
    let mut out = String::with_capacity(f.len());
    let mut last = '\0';
    let mut i = 0;
    while i < f.len() {
        let next = f.get(i + 1).copied().unwrap_or('\0');
        let third = f.get(i + 2).copied().unwrap_or('\0');
        // digraphs and trigraphs: sch→sh, tch→ch, ph→f, kh→h, ck→k, ou→u, ie→e
        let (c, skip) = match (f[i], next, third) {
            ('s', 'c', 'h') => ('s', 1),
            ('t', 'c', 'h') => ('k', 2),
            ('p', 'h', _) => ('f', 2),
            ('k', 'h', _) => ('h', 2),
            ('c', 'k', _) => ('k', 2),
            ('o', 'u', _) => ('u', 2),
            ('i', 'e', _) => ('e', 2),
            (c, _, _) => (c, 1),
        };
        let c = match c {
            'w' => 'v',
            'y' | 'j' => 'i',
            'c' | 'q' => 'k',
            'z' => 's',
            _ => c,
        };
        if c != last && c != '\'' {
            out.push(c);
        }
        last = c;
        i += skip;
    }
    out
}

/// Whether two words can be the same name written differently: Peskov / Peskow / Pieskow,
/// Russia / Russian, China / Chinese.
pub(crate) fn same_name_key(ka: &str, kb: &str) -> bool {
    if ka == kb {
        return true;
    }
    let (la, lb) = (ka.chars().count(), kb.chars().count());
    let common = ka
        .chars()
        .zip(kb.chars())
        .take_while(|(x, y)| x == y)
        .count();
    if common >= 4 && common * 10 >= la.min(lb) * 8 {
        return true;
    }
    if la.min(lb) >= 4 && la.abs_diff(lb) * 3 <= la.max(lb) {
        let suffix = ka
            .bytes()
            .rev()
            .zip(kb.bytes().rev())
            .take_while(|(x, y)| x == y)
            .count();
        if common == 0 && suffix < 2 {
            return false;
        }
        let d = words::edit_distance(ka, kb);
        return (d as f32) / (la.max(lb) as f32) <= 0.34;
    }
    false
}

const NAME_GLUE: &[&str] = &[
    "of", "the", "and", "for", "de", "del", "von", "van", "la", "le", "du", "di", "da",
];

/// Acronyms spelled by runs of capitalised words: "United States" → "US" (with the token
/// indices of the run).
pub(crate) fn initials(tokens: &[Token]) -> Vec<(String, Vec<usize>)> {
    let mut out = Vec::new();
    let mut i = 0;
    while i < tokens.len() {
        if !tokens[i].is_capitalised() {
            i += 1;
            continue;
        }
        let mut run = vec![i];
        let mut j = i + 1;
        while j < tokens.len() {
            if tokens[j].is_capitalised() {
                run.push(j);
                j += 1;
            } else if tokens[j].kind == Kind::Word
                && NAME_GLUE.contains(&tokens[j].norm.as_str())
                && j + 1 < tokens.len()
                && tokens[j + 1].is_capitalised()
            {
                j += 1;
            } else {
                break;
            }
        }
        if run.len() >= 2 {
            for a in 0..run.len() {
                for b in a + 2..=run.len() {
                    let s: String = run[a..b]
                        .iter()
                        .filter_map(|&k| tokens[k].text.chars().next())
                        .flat_map(|c| c.to_lowercase())
                        .collect();
                    out.push((s, run[a..b].to_vec()));
                }
            }
        }
        i = j.max(i + 1);
    }
    out
}

/// Candidate names: capitalised words that do not start the sentence, and acronyms anywhere.
pub(crate) fn names<'t>(tokens: &'t [Token<'t>], lexicon: Option<&dyn Lexicon>) -> Vec<usize> {
    // In a headline every word is capitalised (“Alliance at the Tipping Point”): there a
    // capitalised word is a name only when WordNet does not know it as a common word first.
    let content = || tokens.iter().filter(|t| is_content(t));
    let headline = content().count() >= 3 && content().all(Token::is_capitalised);
    let wn = lexicon.filter(|_| headline);
    (0..tokens.len())
        .filter(|&i| {
            let t = &tokens[i];
            !wn.is_some_and(|wn| wn.is_common_word(&t.norm))
                && t.kind == Kind::Word
                && (t.is_acronym()
                    || (t.is_capitalised()
                        && !t.initial
                        && t.text.chars().count() >= 2
                        && t.norm != "i"
                        && !is_stop_word(&t.norm)))
                && t.text
                    .chars()
                    .all(|c| c.is_alphanumeric() || c == '\'' || c == '’' || c == '.')
        })
        .collect()
}

/// Names written as other names in good translations: a country and its adjective, a city's
/// older English name, West and Occident.
const NAME_EQUIVALENTS: &[&[&str]] = &[
    // US as Spanish (EE. UU.), Catalan and Galician (EUA) and Esperanto (Usono) write it,
    // when the back-translation engine leaves it as it is
    &[
        "us",
        "usa",
        "america",
        "american",
        "americans",
        "ee",
        "uu",
        "eeuu",
        "eua",
        "usono",
    ],
    &["sino", "china", "chinese"],
    &["uk", "britain", "british", "kingdom"],
    &["eu", "europe", "european", "europeans"],
    &["west", "western", "occident", "occidental"],
    &["east", "eastern", "orient", "oriental"],
    &["beijing", "peking"],
    &["nato", "otan"],
];

pub(crate) fn equivalent_names(a: &str, b: &str) -> bool {
    // with a case ending of two letters at most, as Apertium leaves Slavic names (Pekingu)
    let member = |g: &[&str], w: &str| {
        g.iter().any(|x| {
            w.strip_prefix(x)
                .is_some_and(|rest| rest.len() <= 2 && x.len() >= 4)
                || *x == w
        })
    };
    NAME_EQUIVALENTS
        .iter()
        .any(|g| member(g, a) && member(g, b))
}

/// Names of `from` that `to` lacks (token indices into `from`).
pub(crate) fn missing_names(
    from: &[Token],
    to: &[Token],
    lexicon: Option<&dyn Lexicon>,
) -> Vec<usize> {
    let to_acronyms: Vec<String> = to
        .iter()
        .filter(|t| t.is_acronym())
        .map(|t| t.norm.clone())
        .collect();
    let from_runs = initials(from);
    let to_runs = initials(to);
    let to_keys: Vec<String> = to
        .iter()
        .filter(|u| u.kind == Kind::Word)
        .map(|u| name_key(&u.norm))
        .collect();
    names(from, lexicon)
        .into_iter()
        .filter(|&i| {
            let t = &from[i];
            let key = name_key(&t.norm);
            let found = to_keys.iter().any(|k| same_name_key(&key, k));
            if found {
                return false;
            }
            if to
                .iter()
                .any(|u| u.kind == Kind::Word && equivalent_names(&t.norm, &u.norm))
            {
                return false;
            }
            // "US" written out as "United States", or the reverse
            if t.is_acronym() && to_runs.iter().any(|(a, _)| *a == t.norm) {
                return false;
            }
            if from_runs
                .iter()
                .any(|(a, run)| run.contains(&i) && to_acronyms.contains(a))
            {
                return false;
            }
            // a title or common word written with a capital (a “Treaty”, the “Ministry”)
            // given as a synonym is there (hypernyms too cost DEMETR's names-replaced
            // perturbations 0.4 points of AUC: not kept)
            if let Some(wn) = lexicon.filter(|wn| wn.is_common_word(&t.norm)) {
                let own = info(wn, &t.norm);
                if to.iter().any(|u| {
                    u.kind == Kind::Word
                        && !is_stop_word(&u.norm)
                        && own.senses.related(&info(wn, &u.norm).senses)
                }) {
                    return false;
                }
            }
            true
        })
        .collect()
}

/// A content word: a word of two letters or more that is not a stop word.
pub(crate) fn is_content(t: &Token) -> bool {
    t.kind == Kind::Word && !is_stop_word(&t.norm) && t.norm.chars().count() >= 2
}

/// Content words of `from` with no counterpart in `to` (token indices into `from`).
pub(crate) fn unmatched_content(from: &[Token], to: &[Token]) -> (Vec<usize>, usize) {
    let content: Vec<usize> = (0..from.len()).filter(|&i| is_content(&from[i])).collect();
    let to_words: Vec<&str> = to
        .iter()
        .filter(|u| u.kind == Kind::Word)
        .map(|u| u.norm.as_str())
        .collect();
    let to_set: std::collections::HashSet<&str> = to_words.iter().copied().collect();
    let to_stems: std::collections::HashSet<&str> = to_words
        .iter()
        .map(|w| words::stem(w))
        .filter(|s| s.len() >= 3)
        .collect();
    let to_names: std::cell::OnceCell<Vec<String>> = std::cell::OnceCell::new();
    let missing: Vec<usize> = content
        .iter()
        .copied()
        .filter(|&i| {
            let w = from[i].norm.as_str();
            let denies = |u: &str| u == "not" || u == "cannot" || u.ends_with("n't");
            !(to_set.contains(w)
                || to_stems.contains(words::stem(w))
                // “don't” and “do not” (the negation check compares the denials themselves)
                || (denies(w) && to_words.iter().any(|u| denies(u)))
                || to_words.iter().any(|u| words::similar_spelling(w, u))
                // a name and its adjective: China / Chinese, Russia / Russian
                || (from[i].is_capitalised() && {
                    let k = name_key(w);
                    to_names
                        .get_or_init(|| {
                            to.iter()
                                .filter(|u| u.kind == Kind::Word && u.is_capitalised())
                                .map(|u| name_key(&u.norm))
                                .collect()
                        })
                        .iter()
                        .any(|u| same_name_key(&k, u))
                }))
        })
        .collect();
    (missing, content.len())
}

/// How far (as a share of the sentence) a word the engine could not translate may be from
/// the missing original word it is taken to stand for.
pub(crate) const GAP_REACH: f32 = 0.2;

/// Runs of words the engine could not translate with only punctuation between them (“EE. UU.”):
/// each run stands for one original word.
pub(crate) fn gap_units(bt: &[Token], gap_words: &[usize]) -> Vec<Vec<usize>> {
    let mut units: Vec<Vec<usize>> = Vec::new();
    for &g in gap_words {
        match units.last_mut() {
            Some(u)
                if bt[u[u.len() - 1] + 1..g]
                    .iter()
                    .all(|t| t.kind == Kind::Mark) =>
            {
                u.push(g)
            }
            _ => units.push(vec![g]),
        }
    }
    units
}

/// A foreign word the engine passed through and an English word of the same root: the same
/// first four letters, accents aside (tensos / tense, devastadoras / devastating).
pub(crate) fn cognates(foreign: &str, english: &str) -> bool {
    let (a, b) = (fold(foreign), fold(english));
    a.chars().zip(b.chars()).take_while(|(x, y)| x == y).count() >= 4
}

/// Whether a word the engine could not translate is its rendering of an original name it
/// does not know (Xoigu for Shoigu, Kremlo for Kremlin): looser than [`same_name_key`].
pub(crate) fn transliterated_name(gap: &str, name: &str) -> bool {
    let (a, b) = (name_key(gap), name_key(name));
    let longest = a.chars().count().max(b.chars().count());
    longest >= 3 && (words::edit_distance(&a, &b) as f32) <= 0.5 * longest as f32
}

/// What WordNet says of one word, for the checks.
pub(crate) struct WordInfo {
    pub senses: Senses,
    /// synsets up to two hypernym steps above its senses
    pub broader: HashSet<u32>,
    pub antonyms: HashSet<String>,
    /// its dominant sense per part of speech
    pub dominant: Vec<u32>,
}

thread_local! {
    /// WordNet facts of the words seen so far (the same words recur sentence after sentence),
    /// with the address of the lexicon they came from (another lexicon starts afresh).
    static WORDS: std::cell::RefCell<(usize, std::collections::HashMap<String, std::rc::Rc<WordInfo>>)> =
        Default::default();
}

/// A word's WordNet facts, memoised per thread.
pub(crate) fn info(wn: &dyn Lexicon, w: &str) -> std::rc::Rc<WordInfo> {
    let lexicon_id = wn as *const dyn Lexicon as *const () as usize;
    WORDS.with(|c| {
        let mut c = c.borrow_mut();
        if c.0 != lexicon_id {
            *c = (lexicon_id, Default::default());
        }
        let c = &mut c.1;
        if let Some(s) = c.get(w) {
            return s.clone();
        }
        if c.len() > 200_000 {
            c.clear();
        }
        let s = std::rc::Rc::new(WordInfo {
            senses: wn.senses(w),
            broader: wn.broader(w),
            antonyms: wn.antonyms(w),
            dominant: wn.dominant(w),
        });
        c.insert(w.to_string(), s.clone());
        s
    })
}

/// "un-" / "non-" words and their opposites: unsuccessful / successful.
pub(crate) fn negated_form(a: &str, b: &str) -> bool {
    ["un", "non", "non-"].iter().any(|p| {
        a.strip_prefix(p).is_some_and(|r| r.len() >= 4 && r == b)
            || b.strip_prefix(p).is_some_and(|r| r.len() >= 4 && r == a)
    })
}
