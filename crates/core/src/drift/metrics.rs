//! Surface similarity as machine-translation research measures it: chrF and sentence BLEU,
//! computed exactly as sacreBLEU 2.x does (`sacrebleu.sentence_chrf`, `sacrebleu.sentence_bleu`
//! with their defaults), so figures can be compared with published ones.

/// Python's `str.split()` whitespace: Unicode White_Space plus the four information
/// separators U+001C..U+001F, which Python also counts as whitespace.
fn is_py_space(c: char) -> bool {
    c.is_whitespace() || ('\u{1c}'..='\u{1f}').contains(&c)
}

/// Character n-grams of orders 1..=6 of a text with all whitespace removed, each n-gram packed
/// exactly into an integer (6 chars × 21 bits in a u128), sorted so that counts can be matched
/// by merging.
fn char_ngrams(chars: &[u32]) -> [Vec<u128>; 6] {
    let mut out: [Vec<u128>; 6] = Default::default();
    for (n, grams) in out.iter_mut().enumerate() {
        let n = n + 1;
        if chars.len() < n {
            continue;
        }
        grams.reserve(chars.len() + 1 - n);
        for w in chars.windows(n) {
            let mut k: u128 = 0;
            for &c in w {
                k = (k << 21) | c as u128;
            }
            grams.push(k);
        }
        grams.sort_unstable();
    }
    out
}

/// The same with 10 bits a char in a u64, for texts whose characters all lie below U+0400
/// (Latin, Greek, most punctuation): the same counts, faster.
fn char_ngrams_small(chars: &[u32]) -> [Vec<u64>; 6] {
    let mut out: [Vec<u64>; 6] = Default::default();
    for (n, grams) in out.iter_mut().enumerate() {
        let n = n + 1;
        if chars.len() < n {
            continue;
        }
        grams.reserve(chars.len() + 1 - n);
        for w in chars.windows(n) {
            let mut k: u64 = 0;
            for &c in w {
                k = (k << 10) | c as u64;
            }
            grams.push(k);
        }
        grams.sort_unstable();
    }
    out
}

fn chars_of(text: &str) -> Vec<u32> {
    text.chars()
        .filter(|c| !is_py_space(*c))
        .map(|c| c as u32)
        .collect()
}

/// Clipped matches between two sorted multisets: Σ min(count in a, count in b).
fn sorted_matches<T: Ord>(a: &[T], b: &[T]) -> usize {
    let (mut i, mut j, mut m) = (0, 0, 0);
    while i < a.len() && j < b.len() {
        match a[i].cmp(&b[j]) {
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
            std::cmp::Ordering::Equal => {
                m += 1;
                i += 1;
                j += 1;
            }
        }
    }
    m
}

/// Sentence chrF (chrF2: character 6-grams, no word n-grams, β = 2, whitespace removed),
/// 0–100, equal to `sacrebleu.sentence_chrf(hypothesis, [reference]).score`.
pub fn chrf(hypothesis: &str, reference: &str) -> f64 {
    let (hc, rc) = (chars_of(hypothesis), chars_of(reference));
    // (hypothesis n-grams, reference n-grams, matches) per order
    let mut stats = [(0usize, 0usize, 0usize); 6];
    if hc.iter().chain(&rc).all(|&c| c < 1024) {
        let (h, r) = (char_ngrams_small(&hc), char_ngrams_small(&rc));
        for n in 0..6 {
            stats[n] = (h[n].len(), r[n].len(), sorted_matches(&h[n], &r[n]));
        }
    } else {
        let (h, r) = (char_ngrams(&hc), char_ngrams(&rc));
        for n in 0..6 {
            stats[n] = (h[n].len(), r[n].len(), sorted_matches(&h[n], &r[n]));
        }
    }
    chrf_of_counts(&stats)
}

/// A text's character n-grams, counted once, for scoring it with chrF against many
/// others (the aligner compares every run of sentences with dozens of runs of the other
/// side): [`ChrfProfile::chrf`] gives exactly [`chrf`] of the two texts.
#[derive(Debug, Clone, PartialEq)]
pub struct ChrfProfile {
    grams: [Vec<u128>; 6],
    /// The first and the last (up to) five characters: the n-grams across a join.
    head: Vec<u32>,
    tail: Vec<u32>,
}

/// The characters an n-gram of order 6 reaches across a join.
const SEAM: usize = 5;

impl ChrfProfile {
    pub fn new(text: &str) -> ChrfProfile {
        let chars = chars_of(text);
        ChrfProfile {
            grams: char_ngrams(&chars),
            head: chars[..chars.len().min(SEAM)].to_vec(),
            tail: chars[chars.len().saturating_sub(SEAM)..].to_vec(),
        }
    }

    /// The profile of this text and `next` joined with a space (chrF ignores whitespace,
    /// so the join only adds the n-grams across it), by merging the two profiles instead of
    /// counting afresh: a run of sentences is counted once per sentence.
    pub fn joined(&self, next: &ChrfProfile) -> ChrfProfile {
        let seam: Vec<u32> = self.tail.iter().chain(&next.head).copied().collect();
        let left = self.tail.len();
        let mut grams: [Vec<u128>; 6] = Default::default();
        for (k, out) in grams.iter_mut().enumerate() {
            let n = k + 1;
            // windows that start in this text and end in the next
            let mut across: Vec<u128> = (left.saturating_sub(n - 1)..left)
                .filter(|&start| start + n > left && start + n <= seam.len())
                .map(|start| {
                    seam[start..start + n]
                        .iter()
                        .fold(0u128, |k, &c| (k << 21) | c as u128)
                })
                .collect();
            across.sort_unstable();
            *out = merge_sorted(&merge_sorted(&self.grams[k], &next.grams[k]), &across);
        }
        let head: Vec<u32> = self
            .head
            .iter()
            .chain(&next.head)
            .take(SEAM)
            .copied()
            .collect();
        let tail: Vec<u32> = {
            let both: Vec<u32> = self.tail.iter().chain(&next.tail).copied().collect();
            both[both.len().saturating_sub(SEAM)..].to_vec()
        };
        ChrfProfile { grams, head, tail }
    }

    /// `chrf(self's text, reference's text)`: self is the hypothesis.
    pub fn chrf(&self, reference: &ChrfProfile) -> f64 {
        let mut stats = [(0usize, 0usize, 0usize); 6];
        for (n, stat) in stats.iter_mut().enumerate() {
            let (h, r) = (&self.grams[n], &reference.grams[n]);
            *stat = (h.len(), r.len(), sorted_matches(h, r));
        }
        chrf_of_counts(&stats)
    }
}

/// Two sorted lists as one sorted list.
fn merge_sorted<T: Ord + Copy>(a: &[T], b: &[T]) -> Vec<T> {
    let mut out = Vec::with_capacity(a.len() + b.len());
    let (mut i, mut j) = (0, 0);
    while i < a.len() && j < b.len() {
        if a[i] <= b[j] {
            out.push(a[i]);
            i += 1;
        } else {
            out.push(b[j]);
            j += 1;
        }
    }
    out.extend_from_slice(&a[i..]);
    out.extend_from_slice(&b[j..]);
    out
}

/// chrF (β = 2, orders 1–6, sacreBLEU's averaging) from (hypothesis n-grams, reference
/// n-grams, matches) per order.
fn chrf_of_counts(stats: &[(usize, usize, usize); 6]) -> f64 {
    let factor = 4.0f64; // β²
    let (mut avg_prec, mut avg_rec, mut effective) = (0.0f64, 0.0f64, 0usize);
    for &(nh, nr, m) in stats {
        if nh > 0 && nr > 0 {
            let m = m as f64;
            avg_prec += m / nh as f64;
            avg_rec += m / nr as f64;
            effective += 1;
        }
    }
    if effective == 0 {
        return 0.0;
    }
    avg_prec /= effective as f64;
    avg_rec /= effective as f64;
    if avg_prec + avg_rec == 0.0 {
        return 0.0;
    }
    100.0 * (1.0 + factor) * avg_prec * avg_rec / (factor * avg_prec + avg_rec)
}

/// The `13a` tokenizer of sacreBLEU (mteval-v13a): punctuation split off, periods and commas
/// kept inside numbers.
pub fn tokenize_13a(line: &str) -> Vec<String> {
    let mut line = line
        .replace("<skipped>", "")
        .replace("-\n", "")
        .replace('\n', " ");
    if line.contains('&') {
        line = line
            .replace("&quot;", "\"")
            .replace("&amp;", "&")
            .replace("&lt;", "<")
            .replace("&gt;", ">");
    }
    let chars: Vec<char> = format!(" {line} ").chars().collect();
    // 1. ASCII punctuation except ' - . , and digits/letters: padded with spaces.
    let punct =
        |c: char| matches!(c, '{'..='~' | '['..='`' | ' '..='&' | '('..='+' | ':'..='@' | '/');
    let mut s1: Vec<char> = Vec::with_capacity(chars.len() * 2);
    for &c in &chars {
        if punct(c) {
            s1.push(' ');
            s1.push(c);
            s1.push(' ');
        } else {
            s1.push(c);
        }
    }
    // 2. ([^0-9])([\.,]) -> \1 \2 ; regex substitution scans left to right without overlap.
    let s2 = regex_pair(
        &s1,
        |a| !a.is_ascii_digit(),
        |b| b == '.' || b == ',',
        |a, b, out| {
            out.push(a);
            out.push(' ');
            out.push(b);
            out.push(' ');
        },
    );
    // 3. ([\.,])([^0-9]) -> ' \1 \2'
    let s3 = regex_pair(
        &s2,
        |a| a == '.' || a == ',',
        |b| !b.is_ascii_digit(),
        |a, b, out| {
            out.push(' ');
            out.push(a);
            out.push(' ');
            out.push(b);
        },
    );
    // 4. ([0-9])(-) -> \1 \2 ' '
    let s4 = regex_pair(
        &s3,
        |a| a.is_ascii_digit(),
        |b| b == '-',
        |a, b, out| {
            out.push(a);
            out.push(' ');
            out.push(b);
            out.push(' ');
        },
    );
    let joined: String = s4.into_iter().collect();
    joined
        .split(is_py_space)
        .filter(|w| !w.is_empty())
        .map(str::to_string)
        .collect()
}

/// Applies a two-character regex `(A)(B)` → replacement across `s` the way Python's `re.sub`
/// does: matches do not overlap and scanning resumes after each match.
fn regex_pair(
    s: &[char],
    first: impl Fn(char) -> bool,
    second: impl Fn(char) -> bool,
    replace: impl Fn(char, char, &mut Vec<char>),
) -> Vec<char> {
    let mut out = Vec::with_capacity(s.len() + 8);
    let mut i = 0;
    while i < s.len() {
        if i + 1 < s.len() && first(s[i]) && second(s[i + 1]) {
            replace(s[i], s[i + 1], &mut out);
            i += 2;
        } else {
            out.push(s[i]);
            i += 1;
        }
    }
    out
}

/// Sentence BLEU, 0–100, equal to `sacrebleu.sentence_bleu(hypothesis, [reference]).score`
/// (13a tokenizer, exponential smoothing, effective order).
pub fn sentence_bleu(hypothesis: &str, reference: &str) -> f64 {
    let trim = |s: &str| s.trim_end_matches(is_py_space).to_string();
    let h = tokenize_13a(&trim(hypothesis));
    let r = tokenize_13a(&trim(reference));
    let (sys_len, ref_len) = (h.len(), r.len());
    let mut correct = [0usize; 4];
    let mut total = [0usize; 4];
    for n in 1..=4 {
        if h.len() >= n {
            let mut hg: Vec<&[String]> = h.windows(n).collect();
            hg.sort_unstable();
            total[n - 1] = hg.len();
            if r.len() >= n {
                let mut rg: Vec<&[String]> = r.windows(n).collect();
                rg.sort_unstable();
                correct[n - 1] = sorted_matches(&hg, &rg);
            }
        }
    }
    let bp = if sys_len < ref_len {
        if sys_len > 0 {
            (1.0 - ref_len as f64 / sys_len as f64).exp()
        } else {
            0.0
        }
    } else {
        1.0
    };
    if correct.iter().all(|&c| c == 0) {
        return 0.0;
    }
    let mut precisions = [0.0f64; 4];
    let mut smooth = 1.0f64;
    let mut eff_order = 4;
    for n in 1..=4 {
        if total[n - 1] == 0 {
            break;
        }
        eff_order = n;
        if correct[n - 1] == 0 {
            smooth *= 2.0;
            precisions[n - 1] = 100.0 / (smooth * total[n - 1] as f64);
        } else {
            precisions[n - 1] = 100.0 * correct[n - 1] as f64 / total[n - 1] as f64;
        }
    }
    let log = |p: f64| if p == 0.0 { -9999999999.0 } else { p.ln() };
    bp * (precisions[..eff_order].iter().map(|&p| log(p)).sum::<f64>() / eff_order as f64).exp()
}

/// Cosine similarity of two vectors (for unit vectors, their dot product); 0 for an empty or
/// zero vector.
pub fn cosine(a: &[f32], b: &[f32]) -> f32 {
    let (mut dot, mut na, mut nb) = (0f32, 0f32, 0f32);
    for (x, y) in a.iter().zip(b) {
        dot += x * y;
        na += x * x;
        nb += y * y;
    }
    if na == 0.0 || nb == 0.0 {
        return 0.0;
    }
    dot / (na.sqrt() * nb.sqrt())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_joined_profile_counts_as_the_joined_text() {
        let parts = [
            "Die Gespräche",
            "gingen gut.",
            "Ja",
            "—",
            "Путин «сказал»",
            "x y z 12",
        ];
        for a in parts {
            for b in parts {
                for c in parts {
                    let joined = ChrfProfile::new(a)
                        .joined(&ChrfProfile::new(b))
                        .joined(&ChrfProfile::new(c));
                    assert_eq!(
                        joined,
                        ChrfProfile::new(&format!("{a} {b} {c}")),
                        "{a}|{b}|{c}"
                    );
                }
            }
        }
        assert_eq!(
            ChrfProfile::new("").joined(&ChrfProfile::new("ab")),
            ChrfProfile::new(" ab")
        );
    }

    #[test]
    fn identical_sentences_score_100() {
        assert!((chrf("The talks went well.", "The talks went well.") - 100.0).abs() < 1e-9);
        assert!(
            (sentence_bleu("The talks went well.", "The talks went well.") - 100.0).abs() < 1e-9
        );
    }

    #[test]
    fn tokenizer_keeps_numbers_whole() {
        assert_eq!(
            tokenize_13a("It cost $10,000.50, (AT&T's) 2021-2025."),
            vec![
                "It",
                "cost",
                "$",
                "10,000.50",
                ",",
                "(",
                "AT",
                "&",
                "T's",
                ")",
                "2021",
                "-",
                "2025",
                "."
            ]
        );
    }
}
