//! Quotations: spans in “…”, "…", «…», »…«, „…“, „…”, ‚…‘, ‘…’, 「…」, 『…』, ‹…›, ”…” and
//! '…' (where unambiguous), nested or running over several sentences and paragraphs, each
//! with its speaker where the text names one.

use super::Sentence;
use serde::Serialize;
use std::ops::Range;

/// A quotation in a document. `start..end` is the quoted text without its marks.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Quote {
    pub id: usize,
    pub start: usize,
    pub end: usize,
    /// The opening and closing marks, e.g. `“` and `”`.
    pub marks: (char, char),
    /// Ids of the sentences the quotation overlaps.
    pub sentences: Vec<usize>,
    /// Who is quoted, as the text names them ("Peskov", "Sergei Shoigu"), where it does.
    pub speaker: Option<String>,
    /// The quotation this one is nested in (a term quoted inside a quotation).
    pub inside: Option<usize>,
    /// Byte offsets of the opening mark's start and the closing mark's end.
    pub outer: (usize, usize),
}

impl Quote {
    pub fn text<'a>(&self, doc_text: &'a str) -> &'a str {
        &doc_text[self.start..self.end]
    }
}

/// The closing marks that end a quotation opened by `open`.
fn closers(open: char) -> &'static [char] {
    match open {
        '“' => &['”'],
        '„' => &['“', '”'],
        '«' => &['»'],
        '»' => &['«', '»'],
        '‚' => &['‘', '’'],
        '‘' => &['’'],
        '‹' => &['›'],
        '›' => &['‹', '›'],
        '「' => &['」'],
        '『' => &['』'],
        '"' => &['"'],
        '”' => &['”'],
        '\'' => &['\''],
        _ => &[],
    }
}

/// Marks that may close as well as open, so that context decides.
fn ambiguous(c: char) -> bool {
    matches!(c, '"' | '\'' | '”' | '»' | '›' | '’' | '“' | '‘')
}

struct Open {
    mark: char,
    pos: usize, // byte offset of the mark
    paragraph: usize,
}

/// Finds every quotation in `text`. Paragraph ranges let a quotation run on into the next
/// paragraph when that paragraph reopens it with the same mark (the usual convention);
/// a quotation still open at a paragraph's end otherwise is not a quotation and is dropped.
pub fn find_quotes(text: &str, paragraphs: &[Range<usize>], sentences: &[Sentence]) -> Vec<Quote> {
    let mut spans: Vec<(usize, usize, char, char, usize)> = Vec::new(); // start, end, open, close, depth
    let mut stack: Vec<Open> = Vec::new();
    for (pi, p) in paragraphs.iter().enumerate() {
        let par = &text[p.clone()];
        let chars: Vec<(usize, char)> = par.char_indices().collect();
        let mut skip_reopen: Vec<char> = stack.iter().map(|o| o.mark).collect();
        for (k, &(i, c)) in chars.iter().enumerate() {
            let prev = if k > 0 { Some(chars[k - 1].1) } else { None };
            let next = chars.get(k + 1).map(|x| x.1);
            if closers(c).is_empty()
                && !matches!(
                    c,
                    '“' | '”' | '’' | '»' | '«' | '‹' | '›' | '‘' | '」' | '』'
                )
            {
                if !c.is_whitespace() {
                    skip_reopen.clear();
                }
                continue;
            }
            // A continuation paragraph reopens the still-open quotation with the same mark.
            if let Some(pos) = skip_reopen.iter().position(|&m| m == c) {
                skip_reopen.remove(pos);
                continue;
            }
            skip_reopen.clear();
            // French and others set no-break spaces inside « … »: look past them.
            let prev = if matches!(prev, Some('\u{a0}' | '\u{202f}')) && k > 1 {
                Some(chars[k - 2].1)
            } else {
                prev
            };
            let next = if matches!(next, Some('\u{a0}' | '\u{202f}')) {
                chars.get(k + 2).map(|x| x.1)
            } else {
                next
            };
            let word_before = prev.map(|p| p.is_alphanumeric()).unwrap_or(false);
            let word_after = next.map(|n| n.is_alphanumeric()).unwrap_or(false);
            // Apostrophes: don’t, Goldstein’s, l'homme.
            if matches!(c, '\'' | '’') && word_before && word_after {
                continue;
            }
            let abs = p.start + i;
            // « texte » with plain spaces: an unambiguous opener on the stack accepts its
            // closer whatever stands before it.
            let awaited = stack
                .last()
                .map(|o| !ambiguous(o.mark) && closers(o.mark).contains(&c))
                .unwrap_or(false);
            let can_close =
                awaited || !ambiguous(c) || prev.map(|p| !p.is_whitespace()).unwrap_or(false);
            if can_close {
                if let Some(depth) = stack.iter().rposition(|o| closers(o.mark).contains(&c)) {
                    let open = stack.remove(depth);
                    stack.truncate(depth);
                    let start = open.pos + open.mark.len_utf8();
                    if abs > start {
                        spans.push((start, abs, open.mark, c, depth));
                    }
                    continue;
                }
            }
            let opens_here = !closers(c).is_empty()
                && next
                    .map(|n| !n.is_whitespace() || matches!(c, '«' | '„' | '「' | '『'))
                    .unwrap_or(false)
                && (!ambiguous(c)
                    || matches!(c, '“' | '‘')
                    || prev
                        .map(|p| {
                            p.is_whitespace()
                                || "([{—–-/:".contains(p)
                                || is_mark(p)
                                || hebrew_prefix(&chars, k)
                        })
                        .unwrap_or(true));
            if opens_here && !(c == '\'' && word_before) {
                stack.push(Open {
                    mark: c,
                    pos: abs,
                    paragraph: pi,
                });
            }
        }
        // At the paragraph's end: keep only quotations the next paragraph reopens.
        let next_par = paragraphs.get(pi + 1).map(|r| text[r.clone()].trim_start());
        stack.retain(|o| {
            o.paragraph <= pi && next_par.map(|np| np.starts_with(o.mark)).unwrap_or(false)
        });
    }
    spans.sort_by_key(|s| (s.0, std::cmp::Reverse(s.1)));
    let mut quotes: Vec<Quote> = Vec::with_capacity(spans.len());
    // Quotations that enclose the current one: spans are sorted by start, outer first.
    let mut enclosing: Vec<usize> = Vec::new();
    for (start, end, open, close, _) in spans {
        let outer = (start - open.len_utf8(), end + close.len_utf8());
        let inner = &text[start..end];
        let start = start + (inner.len() - inner.trim_start().len());
        let end = end - (inner.len() - inner.trim_end().len());
        if start >= end {
            continue;
        }
        while let Some(&e) = enclosing.last() {
            if quotes[e].start <= start && end <= quotes[e].end {
                break;
            }
            enclosing.pop();
        }
        let inside = enclosing.last().map(|&e| quotes[e].id);
        // Sentences are sorted and disjoint: find the overlapping ones by binary search.
        let first = sentences.partition_point(|s| s.end <= start);
        let sents = sentences[first..]
            .iter()
            .take_while(|s| s.start < end)
            .map(|s| s.id)
            .collect();
        enclosing.push(quotes.len());
        quotes.push(Quote {
            id: quotes.len(),
            start,
            end,
            marks: (open, close),
            sentences: sents,
            speaker: None,
            inside,
            outer,
        });
    }
    attribute_speakers(text, sentences, &mut quotes);
    quotes
}

/// Hebrew attaches one-letter prefixes (ב, ה, ו, כ, ל, מ, ש) to a quotation: ב"…".
fn hebrew_prefix(chars: &[(usize, char)], k: usize) -> bool {
    k >= 1
        && matches!(chars[k - 1].1, 'ב' | 'ה' | 'ו' | 'כ' | 'ל' | 'מ' | 'ש')
        && (k == 1 || chars[k - 2].1.is_whitespace())
}

fn is_mark(c: char) -> bool {
    !closers(c).is_empty() || matches!(c, '“' | '”' | '’' | '»' | '«')
}

/// Verbs (and phrases) that introduce reported speech, in the original's language.
const REPORTING: &[&str] = &[
    "quoted as saying",
    "said",
    "says",
    "say",
    "saying",
    "added",
    "adds",
    "told",
    "tells",
    "explained",
    "explains",
    "noted",
    "notes",
    "concluded",
    "anticipated",
    "commented",
    "disclosed",
    "stated",
    "states",
    "warned",
    "insisted",
    "wrote",
    "writes",
    "asked",
    "replied",
    "declared",
    "announced",
    "argued",
    "claimed",
    "enshrines",
    "enshrined",
    "threatened",
    "echoed",
    "stressed",
    "emphasised",
    "emphasized",
    "remarked",
    "observed",
    "recalled",
    "admitted",
    "acknowledged",
    "predicted",
    "commented",
    "reported",
    "quote",
];

/// Words that name a person's office rather than the person, stripped from the front of
/// a speaker's name ("Russian Defence Minister Sergei Shoigu" → "Sergei Shoigu").
const TITLES: &[&str] = &[
    "The",
    "President",
    "Ambassador",
    "Minister",
    "Defence",
    "Defense",
    "Foreign",
    "Prime",
    "Spokesman",
    "Spokeswoman",
    "Secretary",
    "General",
    "Chancellor",
    "Mr",
    "Mrs",
    "Ms",
    "Dr",
    "Professor",
    "Prof",
    "Russian",
    "Chinese",
    "American",
    "US",
    "British",
    "Kremlin",
    "Chairman",
    "Senator",
    "Governor",
    "Admiral",
    "Gen.",
    "Deputy",
    "Vice",
];

/// Words that start a sentence without naming anyone.
const NOT_NAMES: &[&str] = &[
    "The",
    "A",
    "An",
    "In",
    "And",
    "But",
    "Yet",
    "While",
    "Most",
    "No",
    "So",
    "Specifically",
    "Curiously",
    "Reporting",
    "Lest",
    "It",
    "This",
    "That",
    "These",
    "Those",
    "At",
    "On",
    "For",
    "From",
    "As",
    "If",
    "When",
    "Be",
    "Conceivably",
    "What",
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
    "Sunday",
    "I",
    "We",
    "They",
    "He",
    "She",
];

const PRONOUNS: &[&str] = &["he", "she", "they", "He", "She", "They"];
const INSTITUTION_NOUNS: &[&str] = &[
    "meeting",
    "ministers",
    "ministry",
    "government",
    "summit",
    "council",
    "spokesman",
    "spokeswoman",
    "statement",
    "office",
    "agency",
    "leaders",
];

/// A capitalised run of words: a name such as "Sergei Shoigu", "South China Morning Post",
/// "Treaty of Good-Neighbourliness and Friendly Cooperation". Connectors ("of", "and") join
/// capitalised words; a comma ends the run.
fn name_runs(s: &str) -> Vec<(usize, usize)> {
    let mut runs = Vec::new();
    let mut cur: Option<(usize, usize)> = None;
    let mut pending_connector = false;
    let mut offset = 0;
    for tok in s.split_inclusive(|c: char| c.is_whitespace()) {
        let start = offset;
        offset += tok.len();
        let word = tok.trim_end();
        let bare = word.trim_start_matches(|c: char| !c.is_alphanumeric());
        let ends_clause = word.ends_with([',', ';', ':', '.', '(', ')']) || word.ends_with(is_mark);
        let bare_end = start
            + (word.len()
                - word
                    .trim_start_matches(|c: char| !c.is_alphanumeric())
                    .len());
        let word_end = start + word.trim_end_matches(|c: char| !c.is_alphanumeric()).len();
        let capital = bare
            .chars()
            .next()
            .map(|c| c.is_uppercase() || c.is_ascii_digit())
            .unwrap_or(false)
            && bare.chars().any(|c| c.is_uppercase());
        if capital {
            match cur {
                Some((s0, _)) => cur = Some((s0, word_end)),
                None => cur = Some((bare_end, word_end)),
            }
            pending_connector = false;
            if ends_clause {
                runs.extend(cur.take());
            }
        } else if cur.is_some()
            && !pending_connector
            && matches!(bare, "of" | "and" | "for" | "de" | "van" | "von" | "al")
        {
            pending_connector = true;
        } else {
            runs.extend(cur.take());
            pending_connector = false;
        }
    }
    runs.extend(cur.take());
    runs.into_iter().filter(|&(a, b)| b > a).collect()
}

/// Cleans a run into a speaker's name: leading sentence words and titles stripped.
fn clean_name(run: &str) -> Option<String> {
    let mut words: Vec<&str> = run.split_whitespace().collect();
    while words.len() > 1 && (TITLES.contains(&words[0]) || NOT_NAMES.contains(&words[0])) {
        words.remove(0);
    }
    if words.len() == 1 && NOT_NAMES.contains(&words[0]) {
        return None;
    }
    let name = words.join(" ");
    let name = name
        .trim_end_matches(|c: char| !c.is_alphanumeric())
        .to_string();
    (!name.is_empty()).then_some(name)
}

/// Finds the last reporting verb in `s`: (start, end) of the phrase.
fn last_reporting(s: &str) -> Option<(usize, usize)> {
    let lower = s.to_lowercase();
    let mut best: Option<(usize, usize)> = None;
    for v in REPORTING {
        let mut from = 0;
        while let Some(i) = lower[from..].find(v) {
            let a = from + i;
            let b = a + v.len();
            let left_ok = a == 0
                || !lower[..a]
                    .chars()
                    .last()
                    .map(|c| c.is_alphanumeric())
                    .unwrap_or(false);
            let right_ok = !lower[b..]
                .chars()
                .next()
                .map(|c| c.is_alphanumeric())
                .unwrap_or(false);
            if left_ok
                && right_ok
                && best
                    .map(|(ba, bb)| a > ba || (a == ba && b > bb))
                    .unwrap_or(true)
            {
                best = Some((a, b));
            }
            from = b;
        }
    }
    best
}

/// The speaker named in the text before a quotation (`pre`: from the sentence start to
/// the opening mark).
fn speaker_before(pre: &str, last: Option<&String>) -> Option<String> {
    // "in Goldstein’s estimation", "according to X", "To quote X"
    for key in [
        "’s estimation",
        "'s estimation",
        "’s view",
        "'s view",
        "’s words",
        "'s words",
    ] {
        if let Some(i) = pre.rfind(key) {
            let runs = name_runs(&pre[..i + key.find('s').unwrap_or(0)]);
            if let Some(&(a, b)) = runs.last() {
                return clean_name(&pre[a..b]);
            }
        }
    }
    for key in ["according to ", "To quote ", "to quote "] {
        if let Some(i) = pre.rfind(key) {
            if let Some(&(a, b)) = name_runs(&pre[i + key.len()..]).first() {
                return clean_name(&pre[i + key.len() + a..i + key.len() + b]);
            }
        }
    }
    let (va, _) = last_reporting(pre)?;
    let subject_zone = pre[..va].trim_end();
    // Pronoun subject: "He said, “…”" → the last named speaker.
    let last_word = subject_zone
        .rsplit(|c: char| c.is_whitespace())
        .next()
        .unwrap_or("");
    let last_word = last_word.trim_matches(|c: char| !c.is_alphanumeric());
    let first_word = subject_zone.split_whitespace().last();
    if PRONOUNS.contains(&last_word)
        || subject_zone
            .split_whitespace()
            .rev()
            .take(2)
            .any(|w| PRONOUNS.contains(&w))
    {
        let _ = first_word;
        return last.cloned();
    }
    // "X, an expert …, told" / "X, said": the subject stands before the first comma.
    let clause_start = clause_start(subject_zone);
    let clause = &subject_zone[clause_start..];
    if subject_zone.ends_with(',') {
        let head = &subject_zone[..subject_zone.find(',').unwrap_or(subject_zone.len())];
        if let Some(&(a, b)) = name_runs(head).last() {
            return clean_name(&head[a..b]);
        }
    }
    // A relative clause ("…, which threatened …"): the institution named just before it.
    let trimmed = clause.trim_start();
    if trimmed.starts_with("which ") || trimmed.starts_with("who ") {
        let before = &subject_zone[..clause_start];
        for &(a, b) in name_runs(before).iter() {
            let after = before[b..].split_whitespace().take(2).collect::<Vec<_>>();
            if after.iter().any(|w| {
                INSTITUTION_NOUNS.contains(&w.trim_matches(|c: char| !c.is_alphanumeric()))
            }) {
                return clean_name(&before[a..b]);
            }
        }
        return None;
    }
    // "X said", "X’s defence ministry said", "the Treaty … signed by … enshrines".
    let runs = name_runs(clause);
    let &(a, b) = runs
        .iter()
        .find(|&&(a, b)| clean_name(&clause[a..b]).is_some())?;
    let run = &clause[a..b];
    if run.ends_with("’s") || run.ends_with("'s") {
        // "China’s defence ministry said"
        let tail: Vec<&str> = clause[b..]
            .split_whitespace()
            .take_while(|w| w.chars().all(|c| c.is_lowercase()))
            .take(3)
            .collect();
        return Some(format!("{run} {}", tail.join(" ")).trim().to_string());
    }
    clean_name(&clause[a..b])
}

/// Byte offset where the last comma-delimited clause of `s` starts.
fn clause_start(s: &str) -> usize {
    s.rfind([',', ';', ':']).map(|i| i + 1).unwrap_or(0)
}

/// The speaker named after a quotation (`post`: from the closing mark to the sentence end):
/// "…,” Shoigu had said." / "…,” as Cui Heng … told the Global Times."
fn speaker_after(post: &str) -> Option<String> {
    let post = post.trim_start_matches(|c: char| c.is_whitespace() || c == ',');
    let post = post.strip_prefix("as ").unwrap_or(post);
    let (va, _) = last_reporting(post)?;
    if va > 120 {
        return None;
    }
    let runs = name_runs(post);
    let &(a, b) = runs.first()?;
    if a > 0 && !post[..a].trim().is_empty() && !post[..a].trim().eq_ignore_ascii_case("said") {
        return None;
    }
    clean_name(&post[a..b])
}

fn attribute_speakers(text: &str, sentences: &[Sentence], quotes: &mut [Quote]) {
    let mut last: Option<String> = None;
    for q in quotes.iter_mut() {
        if q.inside.is_some() {
            continue;
        }
        let Some(&first) = q.sentences.first() else {
            continue;
        };
        let Some(&lastsent) = q.sentences.last() else {
            continue;
        };
        let open_pos = q.outer.0;
        let sent_start = sentences[first].start;
        let mut pre = text[sent_start.min(open_pos)..open_pos].to_string();
        if pre.trim().is_empty() && first > 0 {
            // The quotation opens its sentence: the previous sentence may introduce it
            // ("To quote Peskov," / "He said:").
            let prev = sentences[first - 1].text(text);
            if prev.trim_end().ends_with([',', ':']) {
                pre = prev.to_string();
            }
        }
        let close_end = q.outer.1;
        let post = &text[close_end.min(sentences[lastsent].end)..sentences[lastsent].end];
        let speaker = speaker_after(post).or_else(|| speaker_before(&pre, last.as_ref()));
        if speaker.is_some() {
            last = speaker.clone();
        }
        q.speaker = speaker;
    }
}
