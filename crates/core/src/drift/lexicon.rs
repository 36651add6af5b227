//! English word relations from WordNet 3.0 (Princeton; the `wordnet-base` package on Debian
//! and Ubuntu, `brew install wordnet` on macOS), read from the system's database files: the
//! base form of an inflected word, synonyms and derived forms (so that a paraphrase is not
//! taken for a dropped word), antonyms, and more general words (hypernyms).
//!
//! The database is parsed here from the files' text; finding and reading them is the
//! application's (`driftlens::resources`). Where WordNet is not installed the drift checks
//! that need it find nothing; nothing else changes.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};

/// Part of speech, in WordNet's order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Pos {
    Noun = 0,
    Verb = 1,
    Adj = 2,
    Adv = 3,
}

const POS: [(Pos, &str); 4] = [
    (Pos::Noun, "noun"),
    (Pos::Verb, "verb"),
    (Pos::Adj, "adj"),
    (Pos::Adv, "adv"),
];

/// Senses of a word looked at, most frequent first: rarer senses make everything related.
const SENSES: usize = 4;

/// How pointers relate a synset (or one of its words) to another.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Link {
    Antonym,
    Hypernym,
    Similar,
    Derived,
    Other,
}

#[derive(Debug, Clone, Copy)]
struct Pointer {
    link: Link,
    target: u32,
    /// Word numbers (1-based) in source and target for a lexical pointer; 0 = whole synset.
    source_word: u8,
    target_word: u8,
}

#[derive(Debug, Default)]
struct Synset {
    words: Vec<Box<str>>,
    pointers: Vec<Pointer>,
}

/// The loaded database.
#[derive(Debug, Default)]
pub struct WordNet {
    synsets: Vec<Synset>,
    /// lemma → synset ids per part of speech, most frequent sense first
    index: HashMap<Box<str>, [Vec<u32>; 4]>,
    /// irregular form → base forms, per part of speech
    exceptions: [HashMap<Box<str>, Vec<Box<str>>>; 4],
    pub dir: PathBuf,
}

impl WordNet {
    /// Builds the database from a WordNet 3.0 `dict` folder's files (`data.*`, `index.*`,
    /// `*.exc`), which `read` returns by name (the application reads them from disk: see
    /// `driftlens::resources::wordnet`); `dir` names the folder in messages.
    pub fn from_files(
        dir: &Path,
        read: impl Fn(&str) -> Result<String, String>,
    ) -> Result<WordNet, String> {
        let mut wn = WordNet {
            dir: dir.to_path_buf(),
            ..Default::default()
        };
        // offsets are per file: (pos, offset) → id; adjective satellites ("s") live in data.adj
        let mut ids: HashMap<(u8, u32), u32> = HashMap::new();
        // per synset: its pointers as (link, target pos, target offset, source word, target word)
        type RawPointer = (Link, u8, u32, u8, u8);
        let mut raw: Vec<Vec<RawPointer>> = Vec::new();
        let pos_code = |c: &str| -> Option<u8> {
            match c {
                "n" => Some(0),
                "v" => Some(1),
                "a" | "s" => Some(2),
                "r" => Some(3),
                _ => None,
            }
        };
        for (pos, name) in POS {
            let file = format!("data.{name}");
            let text = read(&file)?;
            for (ln, line) in text.lines().enumerate() {
                if line.starts_with("  ") || line.is_empty() {
                    continue; // licence header
                }
                let bad = || {
                    format!(
                        "{}/{file} line {}: not a WordNet data line",
                        dir.display(),
                        ln + 1
                    )
                };
                let body = line.split(" | ").next().unwrap_or(line);
                let f: Vec<&str> = body.split(' ').collect();
                if f.len() < 4 {
                    return Err(bad());
                }
                let offset: u32 = f[0].parse().map_err(|_| bad())?;
                let w_cnt = usize::from_str_radix(f[3], 16).map_err(|_| bad())?;
                let mut k = 4;
                let mut words = Vec::with_capacity(w_cnt);
                for _ in 0..w_cnt {
                    let w = f.get(k).ok_or_else(bad)?;
                    // adjective markers such as "(a)" / "(p)"
                    let w = w.split('(').next().unwrap_or(w);
                    words.push(w.to_lowercase().into_boxed_str());
                    k += 2;
                }
                let p_cnt: usize = f.get(k).ok_or_else(bad)?.parse().map_err(|_| bad())?;
                k += 1;
                let mut ptrs = Vec::with_capacity(p_cnt);
                for _ in 0..p_cnt {
                    if k + 3 >= f.len() {
                        return Err(bad());
                    }
                    let link = match f[k] {
                        "!" => Link::Antonym,
                        "@" | "@i" => Link::Hypernym,
                        "&" => Link::Similar,
                        "+" | "\\" => Link::Derived,
                        _ => Link::Other,
                    };
                    if link != Link::Other {
                        let target: u32 = f[k + 1].parse().map_err(|_| bad())?;
                        let tpos = pos_code(f[k + 2]).ok_or_else(bad)?;
                        let st = u16::from_str_radix(f[k + 3], 16).map_err(|_| bad())?;
                        ptrs.push((link, tpos, target, (st >> 8) as u8, (st & 0xff) as u8));
                    }
                    k += 4;
                }
                ids.insert((pos as u8, offset), wn.synsets.len() as u32);
                wn.synsets.push(Synset {
                    words,
                    pointers: Vec::new(),
                });
                raw.push(ptrs);
            }
        }
        for (s, ptrs) in wn.synsets.iter_mut().zip(raw) {
            s.pointers = ptrs
                .into_iter()
                .filter_map(|(link, tpos, off, sw, tw)| {
                    ids.get(&(tpos, off)).map(|&target| Pointer {
                        link,
                        target,
                        source_word: sw,
                        target_word: tw,
                    })
                })
                .collect();
        }
        for (pos, name) in POS {
            let file = format!("index.{name}");
            let text = read(&file)?;
            for line in text.lines() {
                if line.starts_with("  ") || line.is_empty() {
                    continue;
                }
                let f: Vec<&str> = line.split(' ').filter(|x| !x.is_empty()).collect();
                // lemma pos synset_cnt p_cnt [ptr_symbol...] sense_cnt tagsense_cnt offsets...
                let (Some(n), Some(p)) = (
                    f.get(2).and_then(|x| x.parse::<usize>().ok()),
                    f.get(3).and_then(|x| x.parse::<usize>().ok()),
                ) else {
                    continue;
                };
                let start = 4 + p + 2;
                let offsets = f.get(start..start + n).unwrap_or(&[]);
                let entry = wn.index.entry(f[0].into()).or_default();
                entry[pos as usize] = offsets
                    .iter()
                    .filter_map(|o| o.parse::<u32>().ok())
                    .filter_map(|o| ids.get(&(pos as u8, o)).copied())
                    .collect();
            }
            if let Ok(text) = read(&format!("{name}.exc")) {
                for line in text.lines() {
                    let mut it = line.split(' ');
                    if let Some(form) = it.next() {
                        wn.exceptions[pos as usize]
                            .entry(form.into())
                            .or_default()
                            .extend(it.map(Into::into));
                    }
                }
            }
        }
        if wn.index.is_empty() {
            return Err(format!("{} has no WordNet index entries", dir.display()));
        }
        Ok(wn)
    }

    fn sense_ids(&self, lemma: &str, pos: Pos) -> &[u32] {
        self.index
            .get(lemma)
            .map(|e| {
                let v = &e[pos as usize];
                &v[..v.len().min(SENSES)]
            })
            .unwrap_or(&[])
    }

    /// Base forms of `word` as `pos` that WordNet knows (morphy: exceptions, then suffix
    /// rules), the word itself first when it is one.
    pub fn base_forms(&self, word: &str, pos: Pos) -> Vec<String> {
        let w = word.to_lowercase();
        let mut out: Vec<String> = Vec::new();
        let push = |s: &str, out: &mut Vec<String>| {
            if self
                .index
                .get(s)
                .is_some_and(|e| !e[pos as usize].is_empty())
                && !out.iter().any(|o| o == s)
            {
                out.push(s.to_string());
            }
        };
        push(&w, &mut out);
        if let Some(bases) = self.exceptions[pos as usize].get(w.as_str()) {
            for b in bases {
                push(b, &mut out);
            }
        }
        let rules: &[(&str, &str)] = match pos {
            Pos::Noun => &[
                ("s", ""),
                ("ses", "s"),
                ("xes", "x"),
                ("zes", "z"),
                ("ches", "ch"),
                ("shes", "sh"),
                ("men", "man"),
                ("ies", "y"),
            ],
            Pos::Verb => &[
                ("s", ""),
                ("ies", "y"),
                ("es", "e"),
                ("es", ""),
                ("ed", "e"),
                ("ed", ""),
                ("ing", "e"),
                ("ing", ""),
            ],
            Pos::Adj => &[("er", ""), ("est", ""), ("er", "e"), ("est", "e")],
            Pos::Adv => &[],
        };
        for (suffix, repl) in rules {
            if let Some(stem) = w.strip_suffix(suffix) {
                if !stem.is_empty() {
                    push(&format!("{stem}{repl}"), &mut out);
                    // doubled consonant: stopped → stop, bigger → big
                    let b = stem.as_bytes();
                    if repl.is_empty() && b.len() >= 3 && b[b.len() - 1] == b[b.len() - 2] {
                        push(&stem[..stem.len() - 1], &mut out);
                    }
                }
            }
        }
        out
    }

    /// Whether the commonest sense of `word` in some part of speech is a common word
    /// (“tipping”, “point”, “alliance”) rather than a name (“Russia”, “China”): WordNet writes
    /// names with their capitals.
    pub fn is_common_word(&self, word: &str) -> bool {
        POS.iter().any(|&(pos, _)| {
            self.base_forms(word, pos).iter().any(|b| {
                self.sense_ids(b, pos).first().is_some_and(|&id| {
                    self.synsets[id as usize].words.iter().any(|w| {
                        w.eq_ignore_ascii_case(b) && !w.starts_with(|c: char| c.is_uppercase())
                    })
                })
            })
        })
    }

    /// The word's first sense in each part of speech (WordNet orders senses by frequency).
    pub fn dominant(&self, word: &str) -> Vec<u32> {
        let mut out = Vec::new();
        for (pos, _) in POS {
            for b in self.base_forms(word, pos) {
                out.extend(self.sense_ids(&b, pos).first());
            }
        }
        out.sort_unstable();
        out.dedup();
        out
    }

    /// The synsets of a word in any part of speech (its commonest senses).
    pub fn synsets_of(&self, word: &str) -> Vec<u32> {
        let mut out = Vec::new();
        for (pos, _) in POS {
            for b in self.base_forms(word, pos) {
                out.extend_from_slice(self.sense_ids(&b, pos));
            }
        }
        out.sort_unstable();
        out.dedup();
        out
    }

    /// (synset, word number) of every sense of `word`, for lexical pointers.
    fn lexical_senses(&self, word: &str) -> Vec<(u32, u8, String)> {
        let mut out = Vec::new();
        for (pos, _) in POS {
            for b in self.base_forms(word, pos) {
                for &s in self.sense_ids(&b, pos) {
                    if let Some(i) = self.synsets[s as usize]
                        .words
                        .iter()
                        .position(|x| **x == *b)
                    {
                        out.push((s, (i + 1) as u8, b.clone()));
                    }
                }
            }
        }
        out
    }

    /// The two words share a sense, or one is derived from the other (compare /
    /// comparison, quick / quickly), or two adjectives are similar: a paraphrase, not a change.
    pub fn related(&self, a: &str, b: &str) -> bool {
        self.senses(a).related(&self.senses(b))
    }

    /// Antonyms of `word`'s senses (and, for an adjective satellite, of its head): the words
    /// WordNet says mean the opposite.
    pub fn antonyms(&self, word: &str) -> HashSet<String> {
        let mut out = HashSet::new();
        for (s, wi, _) in self.lexical_senses(word) {
            let syn = &self.synsets[s as usize];
            for p in &syn.pointers {
                match p.link {
                    Link::Antonym if p.source_word == wi || p.source_word == 0 => {
                        let t = &self.synsets[p.target as usize];
                        if p.target_word > 0 {
                            if let Some(w) = t.words.get(p.target_word as usize - 1) {
                                out.insert(w.to_string());
                            }
                        } else {
                            out.extend(t.words.iter().map(|w| w.to_string()));
                        }
                    }
                    // a satellite adjective: the antonym of its head, and the head's
                    // antonym's satellites
                    Link::Similar => {
                        let head = &self.synsets[p.target as usize];
                        for q in &head.pointers {
                            if q.link == Link::Antonym {
                                let t = &self.synsets[q.target as usize];
                                out.extend(t.words.iter().map(|w| w.to_string()));
                            }
                        }
                    }
                    _ => {}
                }
            }
        }
        out
    }

    /// Are `a` and `b` opposites?
    pub fn opposite(&self, a: &str, b: &str) -> bool {
        let lb = b.to_lowercase();
        let bases: Vec<String> = POS
            .iter()
            .flat_map(|(p, _)| self.base_forms(&lb, *p))
            .chain(std::iter::once(lb.clone()))
            .collect();
        let ants = self.antonyms(a);
        bases.iter().any(|x| ants.contains(x))
    }

    /// Is `general` a more general word for `specific` (a hypernym within two steps of one of
    /// its commonest senses)?
    pub fn more_general(&self, specific: &str, general: &str) -> bool {
        let broader = self.broader(specific);
        self.synsets_of(general).iter().any(|s| broader.contains(s))
    }

    /// A word's commonest senses and those one derivation or similarity away, computed once
    /// for many comparisons (see [`Senses::related`]).
    pub fn senses(&self, word: &str) -> Senses {
        let own = self.synsets_of(word);
        let mut near = own.clone();
        for s in &own {
            near.extend(
                self.synsets[*s as usize]
                    .pointers
                    .iter()
                    .filter(|p| matches!(p.link, Link::Derived | Link::Similar))
                    .map(|p| p.target),
            );
        }
        near.sort_unstable();
        near.dedup();
        Senses { own, near }
    }

    /// The synsets up to two hypernym steps above a word's commonest senses.
    pub fn broader(&self, word: &str) -> HashSet<u32> {
        let mut out = HashSet::new();
        let mut frontier = self.synsets_of(word);
        for _ in 0..2 {
            let mut next = Vec::new();
            for s in frontier {
                for p in &self.synsets[s as usize].pointers {
                    if p.link == Link::Hypernym && out.insert(p.target) {
                        next.push(p.target);
                    }
                }
            }
            frontier = next;
        }
        out
    }

    /// Is `word` (some form of) a verb WordNet knows, and which base forms?
    pub fn verb_bases(&self, word: &str) -> Vec<String> {
        self.base_forms(word, Pos::Verb)
    }
}

/// Senses of one word (see [`WordNet::senses`]).
#[derive(Debug, Clone, Default)]
pub struct Senses {
    /// its commonest synsets, sorted
    pub own: Vec<u32>,
    /// those and the synsets one derivation or similarity away, sorted
    pub near: Vec<u32>,
}

impl Senses {
    /// Same as [`WordNet::related`], on senses computed beforehand.
    pub fn related(&self, other: &Senses) -> bool {
        let meets = |a: &[u32], b: &[u32]| {
            let (mut i, mut j) = (0, 0);
            while i < a.len() && j < b.len() {
                match a[i].cmp(&b[j]) {
                    std::cmp::Ordering::Equal => return true,
                    std::cmp::Ordering::Less => i += 1,
                    std::cmp::Ordering::Greater => j += 1,
                }
            }
            false
        };
        meets(&self.near, &other.own) || meets(&self.own, &other.near)
    }
    pub fn is_empty(&self) -> bool {
        self.own.is_empty()
    }
}

/// What the drift checks ask of an English lexicon, in WordNet's terms: senses to tell a
/// synonym or derived form from a different word, more general senses, antonyms, common words
/// against names, and verb base forms. The core reads no files: the application builds a
/// [`WordNet`] from the system's database (`driftlens::resources::wordnet`) and hands it to
/// the scorer; without one the checks that need it find nothing.
pub trait Lexicon: Send + Sync + std::fmt::Debug {
    /// The word's commonest senses and those one derivation or similarity away.
    fn senses(&self, word: &str) -> Senses;
    /// Senses up to two steps more general than the word's own.
    fn broader(&self, word: &str) -> HashSet<u32>;
    /// Words of opposite meaning.
    fn antonyms(&self, word: &str) -> HashSet<String>;
    /// Whether the word's commonest sense is a common word rather than a name.
    fn is_common_word(&self, word: &str) -> bool;
    /// Whether the lexicon knows the word (in any inflection).
    fn knows(&self, word: &str) -> bool;
    /// The verb base forms the word can be an inflection of (empty: not a verb).
    fn verb_bases(&self, word: &str) -> Vec<String>;
    /// The word's dominant sense in each part of speech it has (WordNet's first, the most
    /// frequent in its tagged corpus), sorted.
    fn dominant(&self, word: &str) -> Vec<u32>;
}

impl Lexicon for WordNet {
    fn senses(&self, word: &str) -> Senses {
        WordNet::senses(self, word)
    }
    fn broader(&self, word: &str) -> HashSet<u32> {
        WordNet::broader(self, word)
    }
    fn antonyms(&self, word: &str) -> HashSet<String> {
        WordNet::antonyms(self, word)
    }
    fn is_common_word(&self, word: &str) -> bool {
        WordNet::is_common_word(self, word)
    }
    fn knows(&self, word: &str) -> bool {
        !self.synsets_of(word).is_empty()
    }
    fn verb_bases(&self, word: &str) -> Vec<String> {
        WordNet::verb_bases(self, word)
    }
    fn dominant(&self, word: &str) -> Vec<u32> {
        WordNet::dominant(self, word)
    }
}
