//! Sentence splitting for every script of the corpus.
//!
//! Candidate boundaries come from Unicode's sentence segmentation (UAX #29, through
//! `unicode-segmentation`), which already knows 。！？, ।, ؟, ۔, ։ and friends. Rules then
//! remove false boundaries (abbreviations, initials, dotted acronyms, ordinal dates,
//! continuation in lower case, open brackets) and add the ones UAX #29 cannot see: the
//! Greek question mark typed as ";", the Armenian full stop typed as ":", an ellipsis
//! before a capital, and Thai, which marks sentences with spaces rather than punctuation.

use super::lang::Language;
use super::Sentence;
use std::ops::Range;
use unicode_segmentation::UnicodeSegmentation;

/// Abbreviations (without their final dot) after which a dot never ends a sentence.
/// Case-sensitive: "Gen" (General) is listed, "gen" is not.
const ABBREVIATIONS: &[&str] = &[
    // English titles and common abbreviations
    "Mr", "Mrs", "Ms", "Messrs", "Dr", "Prof", "Sr", "Jr", "St", "Gen", "Lt", "Col", "Maj", "Capt",
    "Cmdr", "Adm", "Sgt", "Cpl", "Gov", "Sen", "Rep", "Pres", "Rev", "Hon", "Amb", "Supt", "Insp",
    "Inc", "Ltd", "Co", "Corp", "Bros", "vs", "Mt", "Ft", "Ave", "Blvd", "Dept", "Univ", "approx",
    "est", "al", "cf", "ca", "Jan", "Feb", "Mar", "Apr", "Jun", "Jul", "Aug", "Sep", "Sept", "Oct",
    "Nov", "Dec", "Mon", "Tue", "Tues", "Wed", "Thu", "Thurs", "Fri", "Sat", "Sun",
    // German, Dutch, Scandinavian
    "bzw", "usw", "vgl", "Hr", "Fr", "Hrn", "Nr", "Str", "ggf", "inkl", "evtl", "Dir", "bl", "mht",
    "dvs", "osv", "ev", "mnd", "jfr", "bv", "mr", "dhr", "mevr", // Romance
    "Sra", "Srta", "Dra", "Ud", "Uds", "Mme", "Mlle", "MM", "Me", "Sig", "Sigg", "Dott", "Ing",
    "Avv", "On", "pág", "núm", "Av", "Exmo", "Excmo", "Sto", "Sta",
    // Slavic (Latin and Cyrillic), Baltic, Finno-Ugric
    "np", "ds", "wg", "ws", "św", "tzw", "tj", "tzn", "godz", "ul", "prof", "dr", "gen", "mln",
    "mld", "mld", "tys", "ok", "tis", "mil", "atd", "apod", "gosp", "г", "гг", "т", "д", "им",
    "ул", "проф", "акад", "ген", "тыс", "млн", "млрд", "руб", "см", "др", "пр", "мин", "г-н",
    "г-жа", "т.е", "т.н", "т.к", "бл", "kpt", "plk", "pulk", "nt", "pvz", "pan", "gerb", "proc",
    "utt", "stb", "kb", // Greek
    "κ", "κα", "π.χ", "δηλ", "στρ",
];

/// Abbreviations that are only abbreviations before a number ("No. 5", "p. 12").
const NUMBER_ABBREVIATIONS: &[&str] = &[
    "No", "Nos", "no", "nr", "Art", "art", "Vol", "vol", "p", "pp", "Fig", "fig", "ch", "Nr", "č",
    "br", "№",
];

/// German month names: "15. Dezember" is a date, not a sentence ending in "15.".
const CAPITALISED_MONTHS: &[&str] = &[
    "Januar",
    "Jänner",
    "Februar",
    "März",
    "April",
    "Mai",
    "Juni",
    "Juli",
    "August",
    "September",
    "Oktober",
    "November",
    "Dezember",
];

/// Thai words that continue a sentence after a space rather than start a new one.
const THAI_CONTINUATIONS: &[&str] = &[
    "และ",
    "หรือ",
    "ซึ่ง",
    "ที่",
    "โดย",
    "เพื่อ",
    "แต่",
    "ว่า",
    "เนื่องจาก",
    "เพราะ",
    "จึง",
    "ก็",
    "ของ",
    "ใน",
    "กับ",
    "จาก",
    "ถึง",
    "ให้",
    "เป็น",
    "คือ",
    "อย่าง",
    "ทั้ง",
    "รวมถึง",
    "ตลอดจน",
    "แม้",
    "หาก",
    "ถ้า",
    "เมื่อ",
    "ขณะ",
    "ต่อ",
    "ไป",
    "มา",
    "แล้ว",
    "ด้วย",
    "นั้น",
    "นี้",
    "อีก",
    "ได้",
];

fn is_open(c: char) -> bool {
    matches!(
        c,
        '“' | '‘'
            | '„'
            | '‚'
            | '«'
            | '‹'
            | '"'
            | '\''
            | '('
            | '['
            | '{'
            | '「'
            | '『'
            | '（'
            | '《'
            | '〈'
            | '¿'
            | '¡'
            | '»'
            | '›'
            | '”'
    )
}

fn is_close(c: char) -> bool {
    matches!(
        c,
        '”' | '’'
            | '“'
            | '‘'
            | '»'
            | '›'
            | '«'
            | '‹'
            | '"'
            | '\''
            | ')'
            | ']'
            | '}'
            | '」'
            | '』'
            | '）'
            | '》'
            | '〉'
    )
}

fn is_thai(c: char) -> bool {
    ('\u{0E00}'..='\u{0E7F}').contains(&c)
}

fn is_greek(c: char) -> bool {
    ('\u{0370}'..='\u{03FF}').contains(&c) || ('\u{1F00}'..='\u{1FFF}').contains(&c)
}

/// Georgian Mkhedruli letters are lower case to Unicode (since Mtavruli capitals were
/// encoded) but Georgian prose is written without capitals: treat them as caseless.
fn is_georgian(c: char) -> bool {
    ('\u{10A0}'..='\u{10FF}').contains(&c) || ('\u{1C90}'..='\u{1CBF}').contains(&c)
}

/// A letter that marks a continuing sentence: lower case in a script that has case.
fn continues_sentence(c: char) -> bool {
    c.is_lowercase() && !is_georgian(c)
}

fn is_armenian(c: char) -> bool {
    ('\u{0530}'..='\u{058F}').contains(&c)
}

/// Splits every paragraph of `text` into sentences. Sentences are trimmed, in order, never
/// overlap, never cross a paragraph boundary, and together cover every non-blank character
/// of every paragraph.
///
/// Sentences never cross paragraphs, so a long document is split on all cores, a run of
/// paragraphs per thread, and the ids are numbered in document order afterwards.
pub fn split_sentences(
    text: &str,
    paragraphs: &[Range<usize>],
    lang: Option<&Language>,
) -> Vec<Sentence> {
    let split_run = |first: usize, run: &[Range<usize>]| -> Vec<Sentence> {
        let mut out = Vec::new();
        for (k, p) in run.iter().enumerate() {
            for r in split_paragraph(&text[p.clone()], lang) {
                out.push(Sentence {
                    id: 0,
                    start: p.start + r.start,
                    end: p.start + r.end,
                    paragraph: first + k,
                });
            }
        }
        out
    };
    let threads = crate::threads();
    let mut out = if threads == 1 || text.len() < PARALLEL_SPLIT_BYTES {
        split_run(0, paragraphs)
    } else {
        let size = paragraphs.len().div_ceil(threads).max(1);
        std::thread::scope(|scope| {
            let handles: Vec<_> = paragraphs
                .chunks(size)
                .enumerate()
                .map(|(c, run)| scope.spawn(move || split_run(c * size, run)))
                .collect();
            // A panicking splitter thread is a bug; re-raise it rather than lose sentences.
            handles
                .into_iter()
                .flat_map(|h| h.join().unwrap_or_else(|e| std::panic::resume_unwind(e)))
                .collect::<Vec<_>>()
        })
    };
    for (i, s) in out.iter_mut().enumerate() {
        s.id = i;
    }
    out
}

/// Below this size a document is split on one thread (starting threads costs more).
const PARALLEL_SPLIT_BYTES: usize = 256 * 1024;

/// Sentence ranges (relative to `par`) of one paragraph.
pub fn split_paragraph(par: &str, lang: Option<&Language>) -> Vec<Range<usize>> {
    let mut candidates: Vec<usize> = par
        .split_sentence_bound_indices()
        .map(|(i, _)| i)
        .filter(|&i| i > 0)
        .collect();
    extra_candidates(par, lang, &mut candidates);
    candidates.sort_unstable();
    candidates.dedup();

    // « Nous venons. » Puis… : UAX #29 breaks before a closing mark that follows a
    // (no-break) space; the mark belongs to the sentence it closes.
    for b in candidates.iter_mut() {
        let rest = &par[*b..];
        if let Some(c) = rest
            .chars()
            .next()
            .filter(|&c| matches!(c, '»' | '”' | '」' | '』' | '›'))
        {
            if par[..*b].ends_with(char::is_whitespace)
                && par[..*b].trim_end().ends_with(['.', '!', '?', '…', '。'])
            {
                let after = rest[c.len_utf8()..].trim_start_matches(is_close);
                *b = par.len() - after.trim_start().len();
            }
        }
    }
    candidates.sort_unstable();
    candidates.dedup();

    let mut out = Vec::new();
    let mut start = 0;
    for &b in &candidates {
        if b >= par.len() {
            continue;
        }
        if keep_boundary(par, start, b, lang) {
            push_trimmed(par, start..b, &mut out);
            start = b;
        }
    }
    push_trimmed(par, start..par.len(), &mut out);
    out
}

fn push_trimmed(par: &str, r: Range<usize>, out: &mut Vec<Range<usize>>) {
    let s = &par[r.clone()];
    let lead = s.len() - s.trim_start().len();
    let trail = s.len() - s.trim_end().len();
    if lead + trail < s.len() {
        out.push(r.start + lead..r.end - trail);
    }
}

/// Boundaries UAX #29 does not see.
fn extra_candidates(par: &str, lang: Option<&Language>, out: &mut Vec<usize>) {
    let code = lang.map(|l| l.code).unwrap_or("");
    let chars: Vec<(usize, char)> = par.char_indices().collect();
    for (k, &(_, c)) in chars.iter().enumerate() {
        let prev = if k > 0 { Some(chars[k - 1].1) } else { None };
        let next_start = || {
            // position of the first non-space character after a run of spaces following k
            let mut j = k + 1;
            if j >= chars.len() || !chars[j].1.is_whitespace() {
                return None;
            }
            while j < chars.len() && chars[j].1.is_whitespace() {
                j += 1;
            }
            (j < chars.len()).then(|| chars[j])
        };
        match c {
            // Greek question mark, usually typed as a semicolon.
            ';' if code == "el" || prev.map(is_greek).unwrap_or(false) => {
                if let Some((j, n)) = next_start() {
                    if n.is_uppercase() || is_open(n) {
                        out.push(j);
                    }
                }
            }
            // Armenian full stop typed as a colon.
            ':' if code == "hy" || prev.map(is_armenian).unwrap_or(false) => {
                if let Some((j, n)) = next_start() {
                    if is_armenian(n) && n.is_uppercase() {
                        out.push(j);
                    }
                }
            }
            // Georgian: UAX #29 reads Mkhedruli as lower case and never breaks before it.
            '.' | '?' | '!' if prev.map(|p| !p.is_whitespace()).unwrap_or(false) => {
                if let Some((j, n)) = next_start() {
                    if is_georgian(n)
                        || (is_open(n)
                            && chars
                                .get(chars.iter().position(|x| x.0 == j).unwrap_or(0) + 1)
                                .map(|x| is_georgian(x.1))
                                .unwrap_or(false))
                    {
                        out.push(j);
                    }
                }
            }
            // "そうだ！「協力する」": UAX #29 keeps an opening bracket after 。！？ with the
            // sentence before it.
            '。' | '！' | '？' | '!' | '?' | '.'
                if chars
                    .get(k + 1)
                    .map(|x| matches!(x.1, '「' | '『' | '（' | '“' | '《' | '〈' | '【'))
                    .unwrap_or(false)
                    && prev.map(|p| !p.is_ascii()).unwrap_or(false) =>
            {
                out.push(chars[k + 1].0);
            }
            '…' => {
                if let Some((j, n)) = next_start() {
                    if n.is_uppercase() {
                        out.push(j);
                    }
                }
            }
            c if c.is_whitespace() && (code == "th" || prev.map(is_thai).unwrap_or(false)) => {
                // Thai: a space between two Thai words may end a sentence; kept only when
                // the sentence so far is long enough (see keep_boundary).
                if let (Some(p), Some(&(j, n))) = (prev, chars.get(k + 1)) {
                    if is_thai(p) && is_thai(n) {
                        out.push(j);
                    }
                }
            }
            _ => {}
        }
    }
}

/// Whether a candidate boundary at `b` (start of the next sentence) in `par` is real, given
/// the current sentence starts at `start`.
fn keep_boundary(par: &str, start: usize, b: usize, lang: Option<&Language>) -> bool {
    let before = par[start..b].trim_end();
    let after = &par[b..];
    if !before.chars().any(|c| c.is_alphanumeric()) {
        return false;
    }
    let next_word = after.trim_start_matches(|c: char| is_open(c) || c.is_whitespace());
    let Some(next) = next_word.chars().next() else {
        return false;
    };
    if continues_sentence(next) {
        return false;
    }
    // Inside brackets that close later in the paragraph: "(… Feb. 4 …)".
    if open_bracket(&par[start..b]) && par[b..].contains(')') {
        return false;
    }
    let last = before.chars().last().unwrap_or(' ');
    if is_thai(last) && after.chars().next().map(is_thai).unwrap_or(false) {
        return thai_boundary(before, after);
    }
    let core = before.trim_end_matches(is_close);
    if !core.ends_with('.') || core.ends_with("..") {
        return true;
    }
    let body = &core[..core.len() - 1];
    let word = body
        .rsplit(|c: char| {
            c.is_whitespace() || (!c.is_alphanumeric() && !matches!(c, '.' | '-' | '\'' | '’'))
        })
        .next()
        .unwrap_or("");
    let word = word.trim_start_matches(|c: char| is_open(c) || c == '-' || c == '—');
    let prev_word = body.split_whitespace().rev().nth(1).unwrap_or("");
    !is_abbreviation(word, prev_word, next_word, lang)
}

fn open_bracket(s: &str) -> bool {
    s.chars().filter(|&c| c == '(').count() > s.chars().filter(|&c| c == ')').count()
}

/// Whether `word` followed by a dot is an abbreviation, initial, acronym or ordinal number
/// rather than the end of a sentence, given the words after it.
fn is_abbreviation(word: &str, prev_word: &str, next: &str, lang: Option<&Language>) -> bool {
    if word.is_empty() {
        return false;
    }
    let next_token = next.split_whitespace().next().unwrap_or("");
    let next_is_number = next_token
        .chars()
        .next()
        .map(|c| c.is_ascii_digit())
        .unwrap_or(false);
    if ABBREVIATIONS.contains(&word) {
        return true;
    }
    if NUMBER_ABBREVIATIONS.contains(&word) && next_is_number {
        return true;
    }
    let letters: Vec<char> = word.chars().collect();
    // Initials in caseless scripts: "एम. के. भद्रकुमार", "ام. کی.", "เอ็ม. เค.", "მ. კ.":
    // a word of at most three letters with a dot, next to another such word.
    let initial_dot = |w: &str| w.ends_with('.') && is_short_initial(w.trim_end_matches('.'));
    if is_short_initial(word) && (initial_dot(next_token) || initial_dot(prev_word)) {
        return true;
    }
    // An initial: "M. K. Bhadrakumar", "М. К. Бхадракумар", "J. Biden".
    if letters.len() == 1
        && letters[0].is_alphabetic()
        && (letters[0].is_uppercase() || !letters[0].is_lowercase())
    {
        return true;
    }
    // A single lower-case letter: "z. B.", "p. ex.", "r." (Polish/Czech "year").
    if letters.len() == 1 && letters[0].is_lowercase() {
        return true;
    }
    // Dotted acronyms: "U.S.", "U.K.", "e.g.", "i.e.", "a.m.", "т.е.".
    if word.contains('.')
        && word
            .split('.')
            .all(|p| !p.is_empty() && p.chars().count() <= 3 && p.chars().all(char::is_alphabetic))
    {
        return true;
    }
    // Spanish doubled plurals: "EE. UU.", "FF. AA.", "RR. HH.".
    if letters.len() == 2 && letters[0] == letters[1] && letters[0].is_uppercase() {
        let n: Vec<char> = next_token.chars().collect();
        if n.len() >= 3 && n[0] == n[1] && n[2] == '.' {
            return true;
        }
        if n.len() >= 2 && n[0] == n[1] && n[0].is_uppercase() {
            return true;
        }
    }
    // Ordinal numbers written with a dot: "15. Dezember 2021", "4. februar".
    if letters.len() <= 2
        && letters.iter().all(|c| c.is_ascii_digit())
        && lang.map(|l| l.ordinal_dot).unwrap_or(false)
    {
        let month = next_token.trim_end_matches(|c: char| !c.is_alphabetic());
        let year_follows = next
            .split_whitespace()
            .nth(1)
            .map(|t| {
                t.trim_end_matches(|c: char| !c.is_ascii_digit()).len() == 4
                    && t.chars().take(4).all(|c| c.is_ascii_digit())
            })
            .unwrap_or(false);
        if CAPITALISED_MONTHS.contains(&month) || year_follows {
            return true;
        }
    }
    false
}

/// A short word in a script without case, such as an initial written out in Devanagari.
fn is_short_initial(word: &str) -> bool {
    let letters: Vec<char> = word
        .chars()
        .filter(|c| c.is_alphabetic() && !is_mark(*c))
        .collect();
    !letters.is_empty()
        && letters.len() <= 3
        && letters
            .iter()
            .all(|c| !c.is_uppercase() && (!c.is_lowercase() || is_georgian(*c)))
}

/// Combining marks (vowel signs in Indic and Thai scripts) are not letters of their own.
fn is_mark(c: char) -> bool {
    matches!(c as u32, 0x0300..=0x036F | 0x0E31 | 0x0E34..=0x0E3A | 0x0E47..=0x0E4E | 0x0900..=0x0903 | 0x093A..=0x094F | 0x0951..=0x0957 | 0x0962 | 0x0963 | 0x0981..=0x0983 | 0x09BC..=0x09D7 | 0x064B..=0x065F | 0x0670)
}

/// Thai has no sentence punctuation: a space ends a sentence when the text before it is a
/// sentence's worth (at least 40 characters since the last boundary) and the next word
/// does not continue the clause.
fn thai_boundary(before: &str, after: &str) -> bool {
    if before.chars().count() < 40 {
        return false;
    }
    // A short tail ("เสียเปรียบ") or a name split by a space belongs to this sentence.
    let next_chunk = after.split(char::is_whitespace).next().unwrap_or("");
    if next_chunk.chars().count() < 12 {
        return false;
    }
    !THAI_CONTINUATIONS.iter().any(|w| after.starts_with(w))
}
