//! The comparisons between an original sentence and its back-translation: each yields
//! evidence (a number the score is built from) and, where it found something a reader should
//! see, a typed reason with the words to highlight.

use super::lexicon::{Senses, WordNet};
use super::numbers::{numbers, same_number, NumberMention};
use super::verbs;
use super::words::{
    self, certainty_cue, fold, gendered_pronoun, is_english_word, is_stop_word, negation_cue,
    same_word, tokenize, Certainty, Kind, Token,
};
use super::{DriftReason, Mention, Span};

/// The evidence of one comparison, each in [0, 1] (0: nothing found).
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Evidence {
    /// 1 − cosine similarity of the sentence embeddings (or of the surface when none given).
    pub meaning: f32,
    /// 1 − chrF/100 on case-folded text without punctuation.
    pub wording: f32,
    pub number_changed: f32,
    pub number_missing_or_added: f32,
    pub name_missing: f32,
    pub name_added: f32,
    /// A name of the original missing while another appears: one name replaced by another.
    pub name_changed: f32,
    pub negation: f32,
    pub certainty: f32,
    pub question: f32,
    pub gender: f32,
    /// Words in another script or with foreign letters that the original lacks.
    pub foreign_words: f32,
    /// Lower-case words that are not English (“coloca”, “precisato”).
    pub unknown_words: f32,
    pub word_order: f32,
    pub content_missing: f32,
    pub content_added: f32,
    pub length_change: f32,
    pub quote_changed: f32,
    /// Words the back-translation engine marked as ones it could not translate (Apertium's
    /// `*word`): a gap in the engine, not a change of meaning; weighed low and by hand
    /// (DEMETR has no such marks to fit it on).
    pub engine_gap: f32,
    /// An original name missing from the translated sentence while a name of the
    /// back-translation is in it: a person or place swapped for another (needs the
    /// translated sentence).
    pub name_swapped: f32,
    /// A hedge (may, might, maybe, perhaps, possibly) on one side only: a statement made
    /// uncertain, or the reverse.
    pub hedge: f32,
    /// The longest stretch of the original whose content words the back-translation lacks,
    /// in order (a clause dropped): 0 for none, 1 for five words or more.
    pub omission: f32,
    /// A word became its opposite (WordNet antonym, or un-/non- added or dropped).
    pub opposite: f32,
    /// A word became a more general one (WordNet hypernym within two steps).
    pub vaguer: f32,
    /// Verbs both sides share in another tense, and a future (will) on one side only.
    pub tense: f32,
    /// Progressive (is doing) or perfect (has done) verb groups on one side only.
    pub aspect: f32,
    /// Content words of the back-translation put between two words that are neighbours in
    /// the original ("affected pets" → "affected wild pets"): a word added in place.
    pub inserted: f32,
    /// Content words of the original between two neighbours that are neighbours in the
    /// back-translation ("by infrared spectroscopy" → "by spectroscopy"): a word dropped in place.
    pub dropped: f32,
    /// Strong degree words (very, massive) on one side where the other has only weak ones
    /// (somewhat, some): a statement softened or sharpened.
    pub intensity: f32,
}

/// Names of the evidence, in the order of [`Evidence::to_vec`]; also the keys of the
/// calibration file.
/// How many kinds of evidence there are.
pub const N_EVIDENCE: usize = 29;

pub const EVIDENCE_NAMES: [&str; N_EVIDENCE] = [
    "meaning",
    "wording",
    "number_changed",
    "number_missing_or_added",
    "name_missing",
    "name_added",
    "name_changed",
    "negation",
    "certainty",
    "question",
    "gender",
    "foreign_words",
    "unknown_words",
    "word_order",
    "content_missing",
    "content_added",
    "length_change",
    "quote_changed",
    "engine_gap",
    "name_swapped",
    "hedge",
    "omission",
    "opposite",
    "vaguer",
    "tense",
    "aspect",
    "inserted",
    "dropped",
    "intensity",
];

impl Evidence {
    pub fn to_vec(&self) -> [f32; N_EVIDENCE] {
        [
            self.meaning,
            self.wording,
            self.number_changed,
            self.number_missing_or_added,
            self.name_missing,
            self.name_added,
            self.name_changed,
            self.negation,
            self.certainty,
            self.question,
            self.gender,
            self.foreign_words,
            self.unknown_words,
            self.word_order,
            self.content_missing,
            self.content_added,
            self.length_change,
            self.quote_changed,
            self.engine_gap,
            self.name_swapped,
            self.hedge,
            self.omission,
            self.opposite,
            self.vaguer,
            self.tense,
            self.aspect,
            self.inserted,
            self.dropped,
            self.intensity,
        ]
    }
}

/// 0, ½, ¾ … for 0, 1, 2 … findings: the first finding counts most.
fn saturate(n: usize) -> f32 {
    1.0 - 0.5f32.powi(n as i32)
}

fn mention(s: &str, start: usize, end: usize) -> Mention {
    Mention {
        text: s[start..end].to_string(),
        span: Span { start, end },
    }
}

fn tok_mention(s: &str, t: &Token) -> Mention {
    mention(s, t.start, t.end)
}

/// Everything one comparison found.
pub struct Comparison {
    pub evidence: Evidence,
    pub reasons: Vec<DriftReason>,
}

/// Text for chrF that ignores case, punctuation and spacing: the minor differences a
/// back-translation engine makes on its own.
fn surface(tokens: &[Token]) -> String {
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
fn auto_quotes(s: &str) -> Vec<Span> {
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
fn name_key(w: &str) -> String {
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
fn same_name_key(ka: &str, kb: &str) -> bool {
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
fn initials(tokens: &[Token]) -> Vec<(String, Vec<usize>)> {
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
fn names<'t>(tokens: &'t [Token<'t>]) -> Vec<usize> {
    // In a headline every word is capitalised (“Alliance at the Tipping Point”): there a
    // capitalised word is a name only when WordNet does not know it as a common word first.
    let content = || tokens.iter().filter(|t| is_content(t));
    let headline = content().count() >= 3 && content().all(Token::is_capitalised);
    let wn = super::lexicon::get().filter(|_| headline);
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

fn equivalent_names(a: &str, b: &str) -> bool {
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
fn missing_names(from: &[Token], to: &[Token]) -> Vec<usize> {
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
    names(from)
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
            if let Some(wn) = super::lexicon::get().filter(|wn| wn.is_common_word(&t.norm)) {
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

/// Content words dropped in a row that make an omission a reason of its own (and a broken
/// fact).
pub const OMITTED_WORDS: usize = 4;

/// The longest run of consecutive content words of `orig` left out of the longest common
/// subsequence (in order, by word or stem) with `back`, counting only words in `missing` (those
/// with no counterpart anywhere in `back`), where `back` has less than half as many words of
/// its own (`added`: none of the original's) in their place. A dropped clause leaves such a run; a reordering does not (its words are found
/// elsewhere), nor does a clumsy rewording (its words take the place of the original's).
fn omitted_run(orig: &[Token], back: &[Token], missing: &[usize], added: &[usize]) -> Vec<usize> {
    let content = |ts: &[Token]| -> Vec<(usize, String)> {
        (0..ts.len())
            .filter(|&i| {
                ts[i].kind != Kind::Mark
                    && !is_stop_word(&ts[i].norm)
                    && ts[i].norm.chars().count() >= 2
            })
            .map(|i| (i, words::stem(&ts[i].norm).to_string()))
            .collect()
    };
    let (a, b) = (content(orig), content(back));
    let (n, m) = (a.len(), b.len());
    if n == 0 || n * m > 40_000 {
        return Vec::new();
    }
    // LCS table, then walk back to mark the original words in it
    let mut t = vec![0u16; (n + 1) * (m + 1)];
    for i in (0..n).rev() {
        for j in (0..m).rev() {
            t[i * (m + 1) + j] = if a[i].1 == b[j].1 {
                t[(i + 1) * (m + 1) + j + 1] + 1
            } else {
                t[(i + 1) * (m + 1) + j].max(t[i * (m + 1) + j + 1])
            };
        }
    }
    let mut anchors: Vec<(usize, usize)> = Vec::new();
    let (mut i, mut j) = (0, 0);
    while i < n && j < m {
        if a[i].1 == b[j].1 {
            anchors.push((i, j));
            i += 1;
            j += 1;
        } else if t[(i + 1) * (m + 1) + j] >= t[i * (m + 1) + j + 1] {
            i += 1;
        } else {
            j += 1;
        }
    }
    // Between two words kept in order, the original's words that the back-translation lacks
    // are an omission only where the back-translation has far fewer words there: words
    // translated differently leave as many words in their place, a dropped clause leaves none.
    let mut best: Vec<usize> = Vec::new();
    let mut prev: (isize, isize) = (-1, -1);
    for &(ai, bj) in anchors.iter().chain(std::iter::once(&(n, m))) {
        let run: Vec<usize> = ((prev.0 + 1) as usize..ai)
            .map(|k| a[k].0)
            .filter(|i| missing.contains(i))
            .collect();
        let back_gap = ((prev.1 + 1) as usize..bj)
            .filter(|&k| added.contains(&b[k].0))
            .count();
        if back_gap * 2 < run.len() && run.len() > best.len() {
            best = run;
        }
        prev = (ai as isize, bj as isize);
    }
    best
}

/// A content word: a word of two letters or more that is not a stop word.
fn is_content(t: &Token) -> bool {
    t.kind == Kind::Word && !is_stop_word(&t.norm) && t.norm.chars().count() >= 2
}

/// Content words of `from` with no counterpart in `to` (token indices into `from`).
fn unmatched_content(from: &[Token], to: &[Token]) -> (Vec<usize>, usize) {
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

/// The share of neighbouring word pairs of the back-translation (both words found in the
/// original) that are also neighbours, in the same order, in the original. Low when the word
/// order was scrambled.
fn kept_word_order(orig: &[Token], back: &[Token]) -> Option<f32> {
    let ow: Vec<&str> = orig
        .iter()
        .filter(|t| t.kind != Kind::Mark)
        .map(|t| t.norm.as_str())
        .collect();
    let bw: Vec<&str> = back
        .iter()
        .filter(|t| t.kind != Kind::Mark)
        .map(|t| t.norm.as_str())
        .collect();
    let oset: std::collections::HashSet<&str> = ow.iter().copied().collect();
    let opairs: std::collections::HashSet<(&str, &str)> =
        ow.windows(2).map(|o| (o[0], o[1])).collect();
    let mut pairs = 0;
    let mut kept = 0;
    for w in bw.windows(2) {
        if oset.contains(w[0]) && oset.contains(w[1]) {
            pairs += 1;
            if opairs.contains(&(w[0], w[1])) {
                kept += 1;
            }
        }
    }
    if pairs < 3 {
        return None;
    }
    Some(kept as f32 / pairs as f32)
}

fn is_question(s: &str) -> Option<usize> {
    let trimmed = s.trim_end_matches(|c: char| {
        c.is_whitespace() || matches!(c, '"' | '”' | '’' | '\'' | ')' | '»')
    });
    if trimmed.ends_with('?') || trimmed.ends_with('？') {
        return Some(trimmed.len() - trimmed.chars().last().unwrap().len_utf8());
    }
    None
}

fn script_of(c: char) -> u8 {
    // 0: Latin/common; other numbers: a script English does not use
    match c as u32 {
        0x0370..=0x03FF => 1, // Greek
        0x0400..=0x052F => 2, // Cyrillic
        0x0590..=0x05FF => 3, // Hebrew
        0x0600..=0x06FF | 0x0750..=0x077F | 0xFB50..=0xFDFF | 0xFE70..=0xFEFF => 4, // Arabic
        0x0900..=0x0DFF => 5, // Indic
        0x0E00..=0x0E7F => 6, // Thai
        0x10A0..=0x10FF => 7, // Georgian
        0x0530..=0x058F => 8, // Armenian
        0x3040..=0x30FF | 0x3400..=0x4DBF | 0x4E00..=0x9FFF | 0xF900..=0xFAFF => 9, // Han, kana
        0xAC00..=0xD7AF | 0x1100..=0x11FF => 10, // Hangul
        _ => 0,
    }
}

/// How far (as a share of the sentence) a word the engine could not translate may be from
/// the missing original word it is taken to stand for.
const GAP_REACH: f32 = 0.2;

/// Runs of words the engine could not translate with only punctuation between them (“EE. UU.”):
/// each run stands for one original word.
fn gap_units(bt: &[Token], gap_words: &[usize]) -> Vec<Vec<usize>> {
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
fn cognates(foreign: &str, english: &str) -> bool {
    let (a, b) = (fold(foreign), fold(english));
    a.chars().zip(b.chars()).take_while(|(x, y)| x == y).count() >= 4
}

/// Whether a word the engine could not translate is its rendering of an original name it
/// does not know (Xoigu for Shoigu, Kremlo for Kremlin): looser than [`same_name_key`].
fn transliterated_name(gap: &str, name: &str) -> bool {
    let (a, b) = (name_key(gap), name_key(name));
    let longest = a.chars().count().max(b.chars().count());
    longest >= 3 && (words::edit_distance(&a, &b) as f32) <= 0.5 * longest as f32
}

/// What WordNet says of one word, for the checks.
struct WordInfo {
    senses: Senses,
    /// synsets up to two hypernym steps above its senses
    broader: std::collections::HashSet<u32>,
    antonyms: std::collections::HashSet<String>,
}

thread_local! {
    /// WordNet facts of the words seen so far (the same words recur sentence after sentence).
    static WORDS: std::cell::RefCell<std::collections::HashMap<String, std::rc::Rc<WordInfo>>> =
        Default::default();
}

/// A word's WordNet facts, memoised per thread.
fn info(wn: &WordNet, w: &str) -> std::rc::Rc<WordInfo> {
    WORDS.with(|c| {
        let mut c = c.borrow_mut();
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
        });
        c.insert(w.to_string(), s.clone());
        s
    })
}

/// "un-" / "non-" words and their opposites: unsuccessful / successful.
fn negated_form(a: &str, b: &str) -> bool {
    ["un", "non", "non-"].iter().any(|p| {
        a.strip_prefix(p).is_some_and(|r| r.len() >= 4 && r == b)
            || b.strip_prefix(p).is_some_and(|r| r.len() >= 4 && r == a)
    })
}

/// The checks that need WordNet and verb forms: content words that differ only as synonyms
/// or derived forms (committee / commission, compared / comparison) are not missing; a word
/// turned into its opposite or into a more general word, and verbs in another tense or
/// aspect, are reasons of their own.
#[allow(clippy::too_many_arguments)]
fn lexical(
    original: &str,
    back: &str,
    ot: &[Token],
    bt: &[Token],
    om_words: &mut Vec<usize>,
    bm_words: &mut Vec<usize>,
    ev: &mut Evidence,
    reasons: &mut Vec<DriftReason>,
) {
    let wn = super::lexicon::get();
    // tense and aspect
    let (po, pb) = (verbs::profile(ot, wn), verbs::profile(bt, wn));
    let changes = verbs::tense_changes(&po, &pb);
    for &(a, b) in &changes {
        reasons.push(DriftReason::TenseChanged {
            original: Some(tok_mention(original, &ot[a])),
            back_translation: Some(tok_mention(back, &bt[b])),
        });
    }
    // "will" on one side, another modal on the other (will / could) is the certainty check's
    let modal = |t: &[Token]| {
        t.iter()
            .any(|x| certainty_cue(&x.norm).is_some_and(|_| !verbs::is_future(&x.norm)))
    };
    // a future on one side only (counts differ between paraphrases: will … and will …)
    let fut = match (po.future.first(), pb.future.first()) {
        (Some(&i), None) if !modal(bt) => {
            reasons.push(DriftReason::TenseChanged {
                original: Some(tok_mention(original, &ot[i])),
                back_translation: None,
            });
            1
        }
        (None, Some(&j)) if !modal(ot) => {
            reasons.push(DriftReason::TenseChanged {
                original: None,
                back_translation: Some(tok_mention(back, &bt[j])),
            });
            1
        }
        _ => 0,
    };
    ev.tense = saturate(changes.len() + fut);
    let group = |s: &str, t: &[Token], (a, b): (usize, usize)| mention(s, t[a].start, t[b].end);
    let mut aspect = 0;
    for (progressive, o, b) in [
        (true, &po.progressive, &pb.progressive),
        (false, &po.perfect, &pb.perfect),
    ] {
        aspect += o.len().abs_diff(b.len());
        if b.len() > o.len() {
            reasons.push(DriftReason::AspectChanged {
                original: None,
                back_translation: Some(group(back, bt, b[0])),
                progressive,
            });
        } else if o.len() > b.len() {
            reasons.push(DriftReason::AspectChanged {
                original: Some(group(original, ot, o[0])),
                back_translation: None,
                progressive,
            });
        }
    }
    ev.aspect = saturate(aspect);

    // opposites: un-/non- words need no WordNet. Not for names (United / unity), not for the
    // negation check's own words, and not where a "not" before the word undoes the opposite
    // (unable / not able).
    let mut opposite: Vec<(usize, usize)> = Vec::new();
    let negated = |t: &[Token], i: usize| {
        t[i.saturating_sub(3)..i]
            .iter()
            .any(|x| negation_cue(&x.norm))
    };
    // (a capitalised word is a name, unless it only starts the sentence: “United States” is)
    let content = |t: &[Token], i: usize| {
        let w = &t[i];
        w.kind == Kind::Word
            && !is_stop_word(&w.norm)
            && !negation_cue(&w.norm)
            && !(w.is_capitalised()
                && (!w.initial || t.get(i + 1).is_some_and(Token::is_capitalised)))
    };
    let o_words: Vec<usize> = (0..ot.len()).filter(|&i| content(ot, i)).collect();
    let b_words: Vec<usize> = (0..bt.len()).filter(|&i| content(bt, i)).collect();
    for &j in &b_words {
        for &i in &o_words {
            if negated_form(&ot[i].norm, &bt[j].norm)
                && !negated(ot, i)
                && !negated(bt, j)
                && !b_words.iter().any(|&k| bt[k].norm == ot[i].norm)
                && !o_words.iter().any(|&k| ot[k].norm == bt[j].norm)
            {
                opposite.push((i, j));
            }
        }
    }
    let Some(wn) = wn else {
        finish_opposites(original, back, ot, bt, &opposite, ev, reasons);
        return;
    };
    let os: Vec<_> = om_words.iter().map(|&i| info(wn, &ot[i].norm)).collect();
    let bs: Vec<_> = bm_words.iter().map(|&j| info(wn, &bt[j].norm)).collect();
    // opposites among the words without a counterpart
    for (x, &j) in bm_words.iter().enumerate() {
        if bs[x].senses.is_empty() || !content(bt, j) || negated(bt, j) {
            continue;
        }
        if opposite.iter().any(|p| p.1 == j) {
            continue;
        }
        let ants = &bs[x].antonyms;
        if ants.is_empty() {
            continue;
        }
        let ant_senses: Vec<_> = ants.iter().map(|a| info(wn, a)).collect();
        for (y, &i) in om_words.iter().enumerate() {
            // the original's word is the opposite, or a synonym of the opposite
            if !content(ot, i) || negated(ot, i) {
                continue;
            }
            // (not where each has a synonym on the other side: “western and eastern” given as
            // “occidental and oriental” is not two opposites)
            let has_synonym = || {
                os.iter()
                    .enumerate()
                    .any(|(y2, a)| y2 != y && a.senses.related(&bs[x].senses))
                    || bs
                        .iter()
                        .enumerate()
                        .any(|(x2, b)| x2 != x && b.senses.related(&os[y].senses))
            };
            if (ants.contains(ot[i].norm.as_str())
                || os[y].antonyms.contains(bt[j].norm.as_str())
                || ant_senses
                    .iter()
                    .any(|a| a.senses.own.iter().any(|s| os[y].senses.own.contains(s))))
                && !has_synonym()
            {
                opposite.push((i, j));
                break;
            }
        }
    }
    // synonyms and derived forms: not missing, not added
    let mut o_keep = vec![true; om_words.len()];
    let mut b_keep = vec![true; bm_words.len()];
    for (x, a) in os.iter().enumerate() {
        for (y, b) in bs.iter().enumerate() {
            if a.senses.related(&b.senses) && !opposite.contains(&(om_words[x], bm_words[y])) {
                o_keep[x] = false;
                b_keep[y] = false;
            }
        }
    }
    // more general words, among those still without a counterpart
    let mut vaguer: Vec<(usize, usize)> = Vec::new();
    for (y, b) in bs.iter().enumerate() {
        if !b_keep[y] || opposite.iter().any(|p| p.1 == bm_words[y]) {
            continue;
        }
        if let Some(x) = (0..os.len())
            .find(|&x| o_keep[x] && b.senses.own.iter().any(|s| os[x].broader.contains(s)))
        {
            if !vaguer.iter().any(|v| v.0 == om_words[x]) {
                vaguer.push((om_words[x], bm_words[y]));
            }
        }
    }
    for &(i, j) in &vaguer {
        reasons.push(DriftReason::VaguerWord {
            original: tok_mention(original, &ot[i]),
            back_translation: tok_mention(back, &bt[j]),
        });
    }
    ev.vaguer = saturate(vaguer.len());
    let kept = |words: &[usize], keep: &[bool]| -> Vec<usize> {
        words
            .iter()
            .zip(keep)
            .filter(|(_, &k)| k)
            .map(|(&i, _)| i)
            .collect()
    };
    *om_words = kept(om_words, &o_keep);
    *bm_words = kept(bm_words, &b_keep);
    finish_opposites(original, back, ot, bt, &opposite, ev, reasons);
}

fn finish_opposites(
    original: &str,
    back: &str,
    ot: &[Token],
    bt: &[Token],
    opposite: &[(usize, usize)],
    ev: &mut Evidence,
    reasons: &mut Vec<DriftReason>,
) {
    let mut seen: Vec<(usize, usize)> = Vec::new();
    for &(i, j) in opposite {
        if seen.contains(&(i, j)) {
            continue;
        }
        seen.push((i, j));
        reasons.push(DriftReason::OppositeWord {
            original: tok_mention(original, &ot[i]),
            back_translation: tok_mention(back, &bt[j]),
        });
    }
    ev.opposite = saturate(seen.len());
}

/// Words put in or taken out in place: a content word of `a` whose two neighbours are
/// neighbours in `b` (punctuation skipped), and that `b` does not have. Token indices into `a`.
fn in_place(a: &[Token], b: &[Token]) -> Vec<usize> {
    let wa: Vec<usize> = (0..a.len()).filter(|&i| a[i].kind != Kind::Mark).collect();
    let wb: Vec<&str> = b
        .iter()
        .filter(|t| t.kind != Kind::Mark)
        .map(|t| t.norm.as_str())
        .collect();
    let pairs: std::collections::HashSet<(&str, &str)> =
        wb.windows(2).map(|w| (w[0], w[1])).collect();
    let words: std::collections::HashSet<&str> = wb.iter().copied().collect();
    (1..wa.len().saturating_sub(1))
        .filter(|&k| {
            let t = &a[wa[k]];
            t.kind == Kind::Word
                && !is_stop_word(&t.norm)
                && !words.contains(t.norm.as_str())
                && pairs.contains(&(a[wa[k - 1]].norm.as_str(), a[wa[k + 1]].norm.as_str()))
        })
        .map(|k| wa[k])
        .collect()
}

/// Compares an original sentence with its back-translation. `gaps` are byte spans of the
/// back-translation that the engine marked as words it could not translate; `translated` is
/// the translated sentence, when known.
pub fn compare(
    original: &str,
    back: &str,
    similarity: Option<f32>,
    quotes: &[Span],
    gaps: &[Span],
    translated: Option<&str>,
) -> Comparison {
    let ot = tokenize(original);
    let bt = tokenize(back);
    let mut reasons = Vec::new();
    let mut ev = Evidence::default();

    // Engine gaps: marked words of the back-translation, except those the original has too
    // (a name passed through as written is simply right).
    let orig_keys: Vec<String> = ot
        .iter()
        .filter(|t| t.kind == Kind::Word)
        .map(|t| name_key(&t.norm))
        .collect();
    let marked: Vec<bool> = bt
        .iter()
        .map(|t| t.kind == Kind::Word && gaps.iter().any(|g| t.start < g.end && g.start < t.end))
        .collect();
    let gap: Vec<bool> = (0..bt.len())
        .map(|i| {
            marked[i]
                && !orig_keys
                    .iter()
                    .any(|k| same_name_key(&name_key(&bt[i].norm), k))
        })
        .collect();
    let gap_words: Vec<usize> = (0..bt.len()).filter(|&i| gap[i]).collect();

    // wording and meaning
    let chrf = super::metrics::chrf(&surface(&bt), &surface(&ot)) as f32;
    ev.wording = 1.0 - chrf / 100.0;
    ev.meaning = match similarity {
        Some(s) => (1.0 - s).clamp(0.0, 1.0),
        None => ev.wording,
    };

    // numbers
    let on = numbers(&ot);
    let bn = numbers(&bt);
    let mut used = vec![false; bn.len()];
    let mut missing: Vec<&NumberMention> = Vec::new();
    for m in on.iter() {
        let hit = (0..bn.len())
            .filter(|&j| !used[j] && same_number(m, &bn[j]))
            .min_by_key(|&j| bn[j].optional);
        match hit {
            Some(j) => used[j] = true,
            None if !m.optional => missing.push(m),
            None => {}
        }
    }
    let added: Vec<&NumberMention> = bn
        .iter()
        .zip(&used)
        .filter(|(m, u)| !**u && !m.optional)
        .map(|(m, _)| m)
        .collect();
    let pairs = missing.len().min(added.len());
    for k in 0..pairs {
        reasons.push(DriftReason::NumberChanged {
            original: mention(original, missing[k].start, missing[k].end),
            back_translation: mention(back, added[k].start, added[k].end),
        });
    }
    for m in &missing[pairs..] {
        reasons.push(DriftReason::NumberMissing {
            original: mention(original, m.start, m.end),
        });
    }
    for m in &added[pairs..] {
        reasons.push(DriftReason::NumberAdded {
            back_translation: mention(back, m.start, m.end),
        });
    }
    ev.number_changed = saturate(pairs);
    ev.number_missing_or_added = saturate(missing.len() + added.len() - 2 * pairs);

    // names
    let mut nm = missing_names(&ot, &bt);
    let mut na = missing_names(&bt, &ot);
    // A name the engine did not know and spelt its own way (Xoigu for Shoigu) is neither
    // missing nor added; one unlike any name of the original is a name added (a swapped name
    // comes through Apertium as an unknown word), not an engine gap.
    let mut gap_words = gap_words;
    for &g in &gap_words {
        if let Some(k) = nm
            .iter()
            .position(|&i| transliterated_name(&bt[g].norm, &ot[i].norm))
        {
            nm.remove(k);
            na.retain(|&i| i != g);
        }
    }
    gap_words.retain(|g| !na.contains(g));
    for &i in &nm {
        reasons.push(DriftReason::NameMissing {
            original: tok_mention(original, &ot[i]),
        });
    }
    // A capitalised common word of the back-translation (Foreign “Affairs”, “Great” Britain)
    // that the translated sentence does not carry as written is the engine's capital, not a
    // name the translation added: not shown (the evidence still counts it).
    // name keys of the translated sentence's words, when it is known
    let tr_keys: Option<Vec<String>> = translated.map(|tr| {
        tokenize(tr)
            .iter()
            .filter(|t| t.kind == Kind::Word)
            .map(|t| name_key(&t.norm))
            .collect()
    });
    let in_tr = |t: &Token| {
        tr_keys.as_ref().map(|keys| {
            let k = name_key(&t.norm);
            keys.iter().any(|x| same_name_key(&k, x))
        })
    };
    let wn = super::lexicon::get();
    for &i in &na {
        if in_tr(&bt[i]) == Some(false) && wn.is_some_and(|wn| wn.is_common_word(&bt[i].norm)) {
            continue;
        }
        reasons.push(DriftReason::NameAdded {
            back_translation: tok_mention(back, &bt[i]),
        });
    }
    ev.name_missing = saturate(nm.len());
    ev.name_added = saturate(na.len());
    ev.name_changed = saturate(nm.len().min(na.len()));
    // Checked against the translated sentence itself, which carries names unchanged: an
    // original name it lacks, and a name of the back-translation it has, mean the translation
    // names someone else, whatever the back-translation engine made of the rest.
    if tr_keys.is_some() {
        let lost = nm.iter().filter(|&&i| in_tr(&ot[i]) == Some(false)).count();
        let put = na.iter().filter(|&&i| in_tr(&bt[i]) == Some(true)).count();
        ev.name_swapped = saturate(lost.min(put));
    }

    // negation: cues of one sentence without a counterpart in the other
    // “no doubt”, “without doubt”, “no question that” say “certainly”: not a denial where the
    // other side says it with a word (definitely, certainly, undoubtedly …)
    let sure = |ts: &[Token]| {
        ts.iter().any(|t| {
            matches!(
                t.norm.as_str(),
                "definitely"
                    | "certainly"
                    | "undoubtedly"
                    | "doubtless"
                    | "surely"
                    | "indisputably"
                    | "unquestionably"
            )
        })
    };
    let cues = |ts: &[Token], other: &[Token]| -> Vec<usize> {
        (0..ts.len())
            .filter(|&i| {
                ts[i].kind == Kind::Word
                    && negation_cue(&ts[i].norm)
                    && !(ts[i].norm == "not"
                        && ts.get(i + 1).map(|n| n.norm == "only").unwrap_or(false))
                    && !(ts[i].norm == "no"
                        && ts
                            .get(i + 1)
                            .map(|n| n.kind == Kind::Number)
                            .unwrap_or(false))
                    && !(matches!(ts[i].norm.as_str(), "no" | "without")
                        && sure(other)
                        && ts.get(i + 1).is_some_and(|n| {
                            n.norm == "doubt"
                                || (n.norm == "question"
                                    && ts.get(i + 2).is_some_and(|t| t.norm == "that"))
                        }))
            })
            .collect()
    };
    let (oc, bc) = (cues(&ot, &bt), cues(&bt, &ot));
    if oc.len() > bc.len() {
        for &i in &oc[bc.len()..] {
            reasons.push(DriftReason::NegationLost {
                original: tok_mention(original, &ot[i]),
            });
        }
        ev.negation = 1.0;
    } else if bc.len() > oc.len() {
        for &i in &bc[oc.len()..] {
            reasons.push(DriftReason::NegationAdded {
                back_translation: tok_mention(back, &bt[i]),
            });
        }
        ev.negation = 1.0;
    }

    // certainty
    let modal = |ts: &[Token]| -> Vec<(usize, Certainty)> {
        (0..ts.len())
            .filter_map(|i| certainty_cue(&ts[i].norm).map(|c| (i, c)))
            .collect()
    };
    let (om, bm) = (modal(&ot), modal(&bt));
    let only = |a: &[(usize, Certainty)], b: &[(usize, Certainty)]| -> Vec<(usize, Certainty)> {
        a.iter()
            .copied()
            .filter(|(_, c)| !b.iter().any(|(_, d)| d == c))
            .collect()
    };
    let (o_only, b_only) = (only(&om, &bm), only(&bm, &om));
    if !o_only.is_empty() || !b_only.is_empty() {
        let o = o_only.first().map(|&(i, _)| tok_mention(original, &ot[i]));
        let b = b_only.first().map(|&(i, _)| tok_mention(back, &bt[i]));
        ev.certainty = if o.is_some() && b.is_some() { 1.0 } else { 0.5 };
        // "be that as it may" hedges nothing
        let idiom =
            |ts: &[Token], i: usize| i >= 2 && ts[i - 1].norm == "it" && ts[i - 2].norm == "as";
        let hedge = |ts: &[Token], v: &[(usize, Certainty)]| {
            v.iter()
                .any(|&(i, _)| words::is_hedge(&ts[i].norm) && !idiom(ts, i))
        };
        let hedges = |ts: &[Token]| {
            (0..ts.len())
                .filter(|&i| words::is_hedge(&ts[i].norm) && !idiom(ts, i))
                .count()
        };
        // a firm "will" become "may"/"could", or the reverse
        let firm = |ts: &[Token], v: &[(usize, Certainty)]| {
            v.iter()
                .any(|&(i, _)| matches!(ts[i].norm.as_str(), "will" | "shall" | "'ll" | "won't"))
        };
        let possible = |ts: &[Token], v: &[(usize, Certainty)]| {
            v.iter().any(|&(i, _)| {
                words::is_hedge(&ts[i].norm) && !idiom(ts, i) || ts[i].norm == "could"
            })
        };
        if (hedge(&ot, &o_only) || hedge(&bt, &b_only)) && hedges(&ot) != hedges(&bt)
            || firm(&ot, &o_only) && possible(&bt, &b_only)
            || possible(&ot, &o_only) && firm(&bt, &b_only)
        {
            ev.hedge = 1.0;
        }
        reasons.push(DriftReason::CertaintyChanged {
            original: o,
            back_translation: b,
        });
    }

    // statement / question
    let (oq, bq) = (is_question(original), is_question(back));
    if oq.is_some() != bq.is_some() {
        ev.question = 1.0;
        reasons.push(DriftReason::QuestionChanged {
            original_asks: oq.is_some(),
            original: oq.map(|p| {
                mention(
                    original,
                    p,
                    p + original[p..]
                        .chars()
                        .next()
                        .map(|c| c.len_utf8())
                        .unwrap_or(1),
                )
            }),
            back_translation: bq.map(|p| {
                mention(
                    back,
                    p,
                    p + back[p..].chars().next().map(|c| c.len_utf8()).unwrap_or(1),
                )
            }),
        });
    }

    // gender of pronouns: one gender replaced by the other
    let genders = |ts: &[Token]| -> Vec<(usize, words::Gender)> {
        (0..ts.len())
            .filter_map(|i| gendered_pronoun(&ts[i].norm).map(|g| (i, g)))
            .collect()
    };
    let (og, bg) = (genders(&ot), genders(&bt));
    let count = |v: &[(usize, words::Gender)], g| v.iter().filter(|(_, x)| *x == g).count();
    use words::Gender::{Female, Male};
    let swapped = |a: words::Gender, b: words::Gender| {
        count(&bg, b) > count(&og, b) && count(&og, a) > 0 && count(&bg, a) < count(&og, a)
    };
    if swapped(Male, Female) || swapped(Female, Male) {
        let (from, to) = if swapped(Male, Female) {
            (Male, Female)
        } else {
            (Female, Male)
        };
        let o = og
            .iter()
            .find(|(_, g)| *g == from)
            .map(|&(i, _)| tok_mention(original, &ot[i]));
        let b = bg
            .iter()
            .find(|(_, g)| *g == to)
            .map(|&(i, _)| tok_mention(back, &bt[i]));
        if let (Some(o), Some(b)) = (o, b) {
            ev.gender = 1.0;
            reasons.push(DriftReason::GenderChanged {
                original: o,
                back_translation: b,
            });
        }
    }

    // words left in another language
    let orig_scripts: std::collections::HashSet<u8> = original.chars().map(script_of).collect();
    let orig_folded = std::cell::OnceCell::new();
    let folded = || -> &std::collections::HashSet<String> {
        orig_folded.get_or_init(|| {
            ot.iter()
                .filter(|t| t.kind == Kind::Word)
                .map(|t| fold(&t.norm))
                .collect()
        })
    };
    let orig_norms: std::collections::HashSet<&str> = ot.iter().map(|t| t.norm.as_str()).collect();
    let mut foreign = Vec::new();
    let mut unknown = Vec::new();
    for (_, t) in bt
        .iter()
        .enumerate()
        .filter(|(i, t)| t.kind == Kind::Word && !marked[*i])
    {
        if orig_norms.contains(t.norm.as_str()) {
            continue;
        }
        let other_script = t
            .text
            .chars()
            .any(|c| script_of(c) != 0 && !orig_scripts.contains(&script_of(c)));
        let foreign_letters = t
            .text
            .chars()
            .any(|c| c.is_alphabetic() && !c.is_ascii() && script_of(c) == 0)
            && !folded().contains(&fold(&t.norm))
            // English words written with their accents: communiqué, café, naïve
            && !is_english_word(&fold(&t.norm));
        if other_script || foreign_letters {
            foreign.push(tok_mention(back, t));
        } else if !t.is_capitalised()
            && t.norm.len() >= 3
            && t.norm.bytes().all(|b| b.is_ascii_lowercase())
            && !is_english_word(&t.norm)
            // WordNet's 150,000 words and their inflections (grieve, affirmations, homologous)
            && !super::lexicon::get().is_some_and(|wn| !wn.synsets_of(&t.norm).is_empty())
            && !words::is_misspelled_english(&t.norm)
            && !orig_norms.iter().any(|o| same_word(o, &t.norm))
        {
            unknown.push(tok_mention(back, t));
        }
    }
    ev.foreign_words = saturate(foreign.len());
    ev.unknown_words = saturate(unknown.len());
    if !foreign.is_empty() || !unknown.is_empty() {
        reasons.push(DriftReason::WordsLeftUntranslated {
            words: foreign,
            unknown,
        });
    }

    // word order
    if let Some(kept) = kept_word_order(&ot, &bt) {
        ev.word_order = 1.0 - kept;
        if kept < 0.25 {
            reasons.push(DriftReason::WordOrderScrambled { kept_pairs: kept });
        }
    }

    // content words
    let (mut om_words, on_count) = unmatched_content(&ot, &bt);
    let (mut bm_words, bn_count) = unmatched_content(&bt, &ot);
    bm_words.retain(|&i| !gap[i]);
    // Inside a quotation a synonym is a misquote: quoted words are checked on the surface.
    let mut strict = om_words.clone();
    lexical(
        original,
        back,
        &ot,
        &bt,
        &mut om_words,
        &mut bm_words,
        &mut ev,
        &mut reasons,
    );
    // Each run of words the engine could not translate (“EE. UU.”, “hind-pacifikan”) stands
    // for one original word, which is then not counted as missing: the missing word it
    // resembles (a cognate passed through as written: “tensos” for “tense”), else the
    // missing word nearest to it by relative position, when one is near.
    // A marked word the original has too (a name, or “tensos” for “tense”) is that word.
    let passed: Vec<String> = (0..bt.len())
        .filter(|&i| marked[i] && !gap[i])
        .map(|i| name_key(&bt[i].norm))
        .collect();
    if !passed.is_empty() {
        let is_passed = |i: &usize| {
            passed
                .iter()
                .any(|k| same_name_key(k, &name_key(&ot[*i].norm)))
        };
        om_words.retain(|i| !is_passed(i));
        strict.retain(|i| !is_passed(i));
    }
    let rel = |i: usize, n: usize| i as f32 / n.max(1) as f32;
    for unit in gap_units(&bt, &gap_words) {
        let at = rel(unit[0], bt.len());
        let cognate = om_words
            .iter()
            .position(|&i| unit.iter().any(|&g| cognates(&bt[g].norm, &ot[i].norm)));
        // a capitalised gap (a name, “EE. UU.”) stands for a capitalised word, and the reverse
        let capitalised = bt[unit[0]].is_capitalised();
        let nearest = || {
            (0..om_words.len())
                .filter(|&k| ot[om_words[k]].is_capitalised() == capitalised)
                .map(|k| (k, (rel(om_words[k], ot.len()) - at).abs()))
                .filter(|&(_, d)| d <= GAP_REACH)
                .min_by(|a, b| a.1.total_cmp(&b.1))
                .map(|(k, _)| k)
        };
        if let Some(k) = cognate.or_else(nearest) {
            let w = om_words.remove(k);
            strict.retain(|&i| i != w);
        }
    }
    ev.content_missing = if on_count > 0 {
        om_words.len() as f32 / on_count as f32
    } else {
        0.0
    };
    ev.content_added = if bn_count > 0 {
        bm_words.len() as f32 / bn_count as f32
    } else {
        0.0
    };
    // a word added or dropped in place, where the rest of the phrase is word for word
    // (only words still without a counterpart: not one moved elsewhere or given as a synonym)
    let inserted: Vec<usize> = in_place(&bt, &ot)
        .into_iter()
        .filter(|i| !gap[*i] && bm_words.contains(i))
        .collect();
    let dropped: Vec<usize> = in_place(&ot, &bt)
        .into_iter()
        .filter(|i| om_words.contains(i))
        .collect();
    ev.inserted = saturate(inserted.len());
    ev.dropped = saturate(dropped.len());
    let phrase = |s: &str, t: &[Token], i: usize| {
        let before = (0..i).rev().find(|&k| t[k].kind != Kind::Mark).unwrap_or(i);
        let after = (i + 1..t.len())
            .find(|&k| t[k].kind != Kind::Mark)
            .unwrap_or(i);
        mention(s, t[before].start, t[after].end)
    };
    for &i in &inserted {
        reasons.push(DriftReason::WordInserted {
            word: tok_mention(back, &bt[i]),
            phrase: phrase(back, &bt, i),
        });
    }
    for &i in &dropped {
        reasons.push(DriftReason::WordDropped {
            word: tok_mention(original, &ot[i]),
            phrase: phrase(original, &ot, i),
        });
    }
    // softened or sharpened: strong degree words on one side, only weak ones on the other
    let degrees = |t: &[Token], d: words::Degree| -> Vec<usize> {
        (0..t.len())
            .filter(|&i| t[i].kind == Kind::Word && words::degree(&t[i].norm) == Some(d))
            .collect()
    };
    let (os, ow) = (
        degrees(&ot, words::Degree::Strong),
        degrees(&ot, words::Degree::Weak),
    );
    let (bs, bw) = (
        degrees(&bt, words::Degree::Strong),
        degrees(&bt, words::Degree::Weak),
    );
    let shift = if !os.is_empty() && bs.is_empty() && !bw.is_empty() && ow.is_empty() {
        Some((os[0], bw[0], true))
    } else if !ow.is_empty() && ow.len() > bw.len() && !bs.is_empty() && os.is_empty() {
        Some((ow[0], bs[0], false))
    } else {
        None
    };
    if let Some((i, j, softened)) = shift {
        ev.intensity = 1.0;
        reasons.push(DriftReason::IntensityChanged {
            original: tok_mention(original, &ot[i]),
            back_translation: tok_mention(back, &bt[j]),
            softened,
        });
    }
    let run = omitted_run(&ot, &bt, &om_words, &bm_words);
    ev.omission = (run.len().saturating_sub(1) as f32 / 4.0).min(1.0);
    if run.len() >= OMITTED_WORDS {
        let (first, last) = (&ot[run[0]], &ot[run[run.len() - 1]]);
        reasons.push(DriftReason::PassageOmitted {
            passage: mention(original, first.start, last.end),
            words: run.iter().map(|&i| tok_mention(original, &ot[i])).collect(),
        });
    }
    let owords = ot.iter().filter(|t| t.kind != Kind::Mark).count() as f32;
    let bwords = bt.iter().filter(|t| t.kind != Kind::Mark).count() as f32;
    ev.length_change = (((bwords + 1.0) / (owords + 1.0)).ln().abs() / 2.0).min(1.0);

    // quotations: every content word inside a quotation must survive
    let auto;
    let quotes = if quotes.is_empty() {
        auto = auto_quotes(original);
        &auto[..]
    } else {
        quotes
    };
    let mut quote_losses = 0;
    for q in quotes {
        let inside = |i: &usize| ot[*i].start >= q.start && ot[*i].end <= q.end;
        let lost: Vec<Mention> = strict
            .iter()
            .filter(|i| inside(i))
            .map(|&i| tok_mention(original, &ot[i]))
            .collect();
        if !lost.is_empty() {
            quote_losses += lost.len();
            // the content words of the quotation, as the missing words are counted
            let words = (0..ot.len())
                .filter(|i| inside(i) && is_content(&ot[*i]))
                .count()
                .max(lost.len());
            // of those, the ones without a synonym or derived form either
            let unmatched = om_words.iter().filter(|i| inside(i)).count();
            reasons.push(DriftReason::QuoteChanged {
                quote: *q,
                lost,
                words,
                unmatched,
            });
        }
    }
    ev.quote_changed = saturate(quote_losses);

    ev.engine_gap = saturate(gap_words.len());
    if !gap_words.is_empty() {
        reasons.push(DriftReason::EngineGap {
            words: gap_words
                .iter()
                .map(|&i| tok_mention(back, &bt[i]))
                .collect(),
        });
    }

    // Stored for the reasons chosen after scoring (meaning, wording, content).
    reasons.push(DriftReason::MeaningDiffers {
        similarity: similarity.unwrap_or(1.0 - ev.meaning),
        chrf,
    });
    reasons.push(DriftReason::WordsMissing {
        words: om_words
            .iter()
            .map(|&i| tok_mention(original, &ot[i]))
            .collect(),
    });
    reasons.push(DriftReason::WordsAdded {
        words: bm_words
            .iter()
            .map(|&i| tok_mention(back, &bt[i]))
            .collect(),
    });
    Comparison {
        evidence: ev,
        reasons,
    }
}
