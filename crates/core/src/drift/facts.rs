//! What every check of one pair reads, computed once ([`PairFacts::new`]): the tokens of
//! both sentences, the words the back-translation engine could not translate, the names on
//! each side, the verbs, and which content words have a counterpart on the other side (by
//! word, stem, spelling, name, synonym or derived form; an engine gap excuses the word it
//! stands for).

use super::lexicon::Lexicon;
use super::matching::{
    auto_quotes, cognates, gap_units, info, missing_names, name_key, negated_form, same_name_key,
    transliterated_name, unmatched_content, GAP_REACH,
};
use super::verbs::{self, Profile};
use super::words::{is_stop_word, negation_cue, tokenize, Kind, Token};
use super::Span;

/// One pair and the facts the checks share.
pub struct PairFacts<'a> {
    pub original: &'a str,
    pub back: &'a str,
    /// The translated sentence itself, when known.
    pub translated: Option<&'a str>,
    /// Cosine similarity of the sentences' embeddings, when given.
    pub similarity: Option<f32>,
    /// The original's quotations: those given, else the ones found between quotation marks.
    pub quotes: std::borrow::Cow<'a, [Span]>,
    pub lexicon: Option<&'a dyn Lexicon>,
    pub original_tokens: Vec<Token<'a>>,
    pub back_tokens: Vec<Token<'a>>,
    /// Back-translation tokens inside a span the engine marked as not translated.
    pub marked: Vec<bool>,
    /// Marked tokens that are not a word of the original either: the engine's gaps.
    pub gap: Vec<bool>,
    /// The gap tokens, less those that are names the translation added.
    pub gap_words: Vec<usize>,
    /// Names of the original the back-translation lacks (token indices).
    pub missing_names: Vec<usize>,
    /// Names of the back-translation the original lacks (token indices).
    pub added_names: Vec<usize>,
    /// Name keys of the translated sentence's words, when it is known.
    pub translated_name_keys: Option<Vec<String>>,
    /// Verb groups of the original and of the back-translation.
    pub original_verbs: Profile,
    pub back_verbs: Profile,
    pub words: WordMatch,
}

/// Which content words have no counterpart on the other side.
#[derive(Debug, Default)]
pub struct WordMatch {
    /// Content words of the original with no counterpart (token indices).
    pub original_unmatched: Vec<usize>,
    /// How many content words the original has.
    pub original_content: usize,
    /// Content words of the back-translation with no counterpart, engine gaps excluded.
    pub back_unmatched: Vec<usize>,
    pub back_content: usize,
    /// Original words without the same word on the surface: inside a quotation a synonym is
    /// a misquote.
    pub strict: Vec<usize>,
    /// Pairs (original, back-translation) of opposite words.
    pub opposites: Vec<(usize, usize)>,
    /// Pairs (original, back-translation) where the back-translation's word is more general.
    pub vaguer: Vec<(usize, usize)>,
}

impl<'a> PairFacts<'a> {
    /// Computes the facts of one pair. `gaps` are byte spans of the back-translation that the
    /// engine marked as words it could not translate.
    pub fn new(pair: &super::Pair<'a>, lexicon: Option<&'a dyn Lexicon>) -> Self {
        let (original, back) = (pair.original, pair.back_translation);
        let translated = pair.translation.map(|(t, _)| t);
        let original_tokens = tokenize(original);
        let back_tokens = tokenize(back);
        let quotes = if pair.quotes.is_empty() {
            std::borrow::Cow::Owned(auto_quotes(original))
        } else {
            std::borrow::Cow::Borrowed(pair.quotes)
        };
        let mut facts = PairFacts {
            original,
            back,
            translated,
            similarity: pair.similarity,
            quotes,
            lexicon,
            original_verbs: verbs::profile(&original_tokens, lexicon),
            back_verbs: verbs::profile(&back_tokens, lexicon),
            original_tokens,
            back_tokens,
            marked: Vec::new(),
            gap: Vec::new(),
            gap_words: Vec::new(),
            missing_names: Vec::new(),
            added_names: Vec::new(),
            translated_name_keys: None,
            words: WordMatch::default(),
        };
        facts.find_engine_gaps(pair.engine_gaps);
        facts.find_names();
        facts.match_words();
        facts
    }

    /// Engine gaps: marked words of the back-translation, except those the original has too
    /// (a name passed through as written is simply right).
    fn find_engine_gaps(&mut self, gaps: &[Span]) {
        let (ot, bt) = (&self.original_tokens, &self.back_tokens);
        let orig_keys: Vec<String> = ot
            .iter()
            .filter(|t| t.kind == Kind::Word)
            .map(|t| name_key(&t.norm))
            .collect();
        self.marked = bt
            .iter()
            .map(|t| {
                t.kind == Kind::Word && gaps.iter().any(|g| t.start < g.end && g.start < t.end)
            })
            .collect();
        self.gap = (0..bt.len())
            .map(|i| {
                self.marked[i]
                    && !orig_keys
                        .iter()
                        .any(|k| same_name_key(&name_key(&bt[i].norm), k))
            })
            .collect();
        self.gap_words = (0..bt.len()).filter(|&i| self.gap[i]).collect();
    }

    /// Names on one side only. A name the engine did not know and spelt its own way (Xoigu
    /// for Shoigu) is neither missing nor added; one unlike any name of the original is a name
    /// added (a swapped name comes through Apertium as an unknown word), not an engine gap.
    fn find_names(&mut self) {
        let (ot, bt) = (&self.original_tokens, &self.back_tokens);
        let mut missing = missing_names(ot, bt, self.lexicon);
        let mut added = missing_names(bt, ot, self.lexicon);
        for &g in &self.gap_words {
            if let Some(k) = missing
                .iter()
                .position(|&i| transliterated_name(&bt[g].norm, &ot[i].norm))
            {
                missing.remove(k);
                added.retain(|&i| i != g);
            }
        }
        self.pair_title_words(&mut missing, &mut added);
        self.gap_words.retain(|g| !added.contains(g));
        self.missing_names = missing;
        self.added_names = added;
        self.translated_name_keys = self.translated.map(|tr| {
            tokenize(tr)
                .iter()
                .filter(|t| t.kind == Kind::Word)
                .map(|t| name_key(&t.norm))
                .collect()
        });
    }

    /// A word of a title that the translation put in its own language ("Treaty of
    /// Good-Neighbourliness" → "Tratado de Buena Vecindad", "People's Republic" → "República
    /// Popular") comes back as a capitalised word the engine did not know, or as another
    /// capitalised common word: a capitalised common English word of the original facing, at
    /// about the same place, such a word of the back-translation is the title's word
    /// rendered, not a name lost and another added. Neither side is a name then (the words
    /// still count as unmatched content). A name the translation swapped stays a name: its
    /// is replaced whole: most words of its name are lost ("South China Morning Post" →
    /// "Financial Times", "Wei Fenghe" → "Wang Yi"), while a title keeps most of its words
    /// ("People's Republic of China" keeps Republic and China).
    fn pair_title_words(&self, missing: &mut Vec<usize>, added: &mut Vec<usize>) {
        let Some(lexicon) = self.lexicon else { return };
        let (ot, bt) = (&self.original_tokens, &self.back_tokens);
        let common = |t: &Token| lexicon.is_common_word(&t.norm);
        let lost = |i: &usize| missing.contains(i);
        let mostly_kept = |i: usize| {
            let run = capitalised_run(ot, i);
            run.iter().filter(|j| lost(j)).count() * 2 < run.len()
        };
        let title_words: Vec<usize> = missing
            .iter()
            .copied()
            .filter(|&i| common(&ot[i]) && mostly_kept(i))
            .collect();
        let rendered = |g: usize| {
            if self.gap[g] {
                !lexicon.knows(&bt[g].norm)
            } else {
                common(&bt[g])
            }
        };
        let rel = |i: usize, n: usize| i as f32 / n.max(1) as f32;
        missing.retain(|&i| {
            if !title_words.contains(&i) {
                return true;
            }
            let at = rel(i, ot.len());
            let nearest = added
                .iter()
                .enumerate()
                .filter(|&(_, &g)| rendered(g))
                .map(|(k, &g)| (k, (rel(g, bt.len()) - at).abs()))
                .filter(|&(_, d)| d <= GAP_REACH)
                .min_by(|a, b| a.1.total_cmp(&b.1));
            match nearest {
                Some((k, _)) => {
                    added.remove(k);
                    false
                }
                None => true,
            }
        });
    }

    /// Whether the translated sentence carries this token's word as written (`None` when the
    /// translated sentence is not known).
    pub fn in_translated(&self, t: &Token) -> Option<bool> {
        self.translated_name_keys.as_ref().map(|keys| {
            let k = name_key(&t.norm);
            keys.iter().any(|x| same_name_key(&k, x))
        })
    }

    /// Content words with and without a counterpart; then synonyms and derived forms (WordNet)
    /// count as counterparts, opposites and more general words are noted, and each run of
    /// words the engine could not translate excuses the original word it stands for.
    fn match_words(&mut self) {
        let (ot, bt) = (&self.original_tokens, &self.back_tokens);
        let (original_unmatched, original_content) = unmatched_content(ot, bt);
        let (mut back_unmatched, back_content) = unmatched_content(bt, ot);
        back_unmatched.retain(|&i| !self.gap[i]);
        self.words = WordMatch {
            strict: original_unmatched.clone(),
            original_unmatched,
            original_content,
            back_unmatched,
            back_content,
            ..WordMatch::default()
        };
        self.match_lexically();
        self.excuse_engine_gaps();
    }

    /// Opposites (un-/non- words need no lexicon), then with the lexicon: opposites among the
    /// words without a counterpart, synonyms and derived forms (not missing, not added), and
    /// more general words among those still without a counterpart.
    fn match_lexically(&mut self) {
        let (ot, bt) = (&self.original_tokens, &self.back_tokens);
        let words = &mut self.words;
        // Not for names (United / unity), not for the negation check's own words, and not
        // where a "not" before the word undoes the opposite (unable / not able).
        let negated = |t: &[Token], i: usize| {
            t[i.saturating_sub(3)..i]
                .iter()
                .any(|x| negation_cue(&x.norm))
        };
        let o_words: Vec<usize> = (0..ot.len()).filter(|&i| opposable(ot, i)).collect();
        let b_words: Vec<usize> = (0..bt.len()).filter(|&i| opposable(bt, i)).collect();
        for &j in &b_words {
            for &i in &o_words {
                if negated_form(&ot[i].norm, &bt[j].norm)
                    && !negated(ot, i)
                    && !negated(bt, j)
                    && !b_words.iter().any(|&k| bt[k].norm == ot[i].norm)
                    && !o_words.iter().any(|&k| ot[k].norm == bt[j].norm)
                {
                    words.opposites.push((i, j));
                }
            }
        }
        let Some(wn) = self.lexicon else {
            return;
        };
        let (om_words, bm_words) = (&words.original_unmatched, &words.back_unmatched);
        let os: Vec<_> = om_words.iter().map(|&i| info(wn, &ot[i].norm)).collect();
        let bs: Vec<_> = bm_words.iter().map(|&j| info(wn, &bt[j].norm)).collect();
        // opposites among the words without a counterpart
        for (x, &j) in bm_words.iter().enumerate() {
            if bs[x].senses.is_empty() || !opposable(bt, j) || negated(bt, j) {
                continue;
            }
            if words.opposites.iter().any(|p| p.1 == j) {
                continue;
            }
            let ants = &bs[x].antonyms;
            if ants.is_empty() {
                continue;
            }
            let ant_senses: Vec<_> = ants.iter().map(|a| info(wn, a)).collect();
            for (y, &i) in om_words.iter().enumerate() {
                // the original's word is the opposite, or a synonym of the opposite
                if !opposable(ot, i) || negated(ot, i) {
                    continue;
                }
                // (not where each has a synonym on the other side: “western and eastern” given
                // as “occidental and oriental” is not two opposites)
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
                    // a synonym of the opposite, in both words' dominant senses: across all
                    // their common senses "get" met "go" (the opposite of "come") in "get
                    // going"; 3 of the bundled corpus's 8 opposites, all false alarms, were
                    // of this kind. DEMETR's antonyms 0.917 -> 0.915
                    || ant_senses
                        .iter()
                        .any(|a| a.dominant.iter().any(|s| os[y].dominant.contains(s))))
                    && !has_synonym()
                {
                    words.opposites.push((i, j));
                    break;
                }
            }
        }
        // synonyms and derived forms: not missing, not added
        let mut o_keep = vec![true; om_words.len()];
        let mut b_keep = vec![true; bm_words.len()];
        for (x, a) in os.iter().enumerate() {
            for (y, b) in bs.iter().enumerate() {
                if a.senses.related(&b.senses)
                    && !words.opposites.contains(&(om_words[x], bm_words[y]))
                {
                    o_keep[x] = false;
                    b_keep[y] = false;
                }
            }
        }
        // more general words, among those still without a counterpart
        for (y, b) in bs.iter().enumerate() {
            if !b_keep[y] || words.opposites.iter().any(|p| p.1 == bm_words[y]) {
                continue;
            }
            if let Some(x) = (0..os.len())
                .find(|&x| o_keep[x] && b.senses.own.iter().any(|s| os[x].broader.contains(s)))
            {
                if !words.vaguer.iter().any(|v| v.0 == om_words[x]) {
                    words.vaguer.push((om_words[x], bm_words[y]));
                }
            }
        }
        let kept = |list: &[usize], keep: &[bool]| -> Vec<usize> {
            list.iter()
                .zip(keep)
                .filter(|(_, &k)| k)
                .map(|(&i, _)| i)
                .collect()
        };
        words.original_unmatched = kept(om_words, &o_keep);
        words.back_unmatched = kept(bm_words, &b_keep);
    }

    /// Each run of words the engine could not translate (“EE. UU.”, “hind-pacifikan”) stands
    /// for one original word, which is then not counted as missing: the missing word it
    /// resembles (a cognate passed through as written: “tensos” for “tense”), else the
    /// missing word nearest to it by relative position, when one is near. A marked word the
    /// original has too (a name, or “tensos” for “tense”) is that word.
    fn excuse_engine_gaps(&mut self) {
        let (ot, bt) = (&self.original_tokens, &self.back_tokens);
        let words = &mut self.words;
        let passed: Vec<String> = (0..bt.len())
            .filter(|&i| self.marked[i] && !self.gap[i])
            .map(|i| name_key(&bt[i].norm))
            .collect();
        if !passed.is_empty() {
            let is_passed = |i: &usize| {
                passed
                    .iter()
                    .any(|k| same_name_key(k, &name_key(&ot[*i].norm)))
            };
            words.original_unmatched.retain(|i| !is_passed(i));
            words.strict.retain(|i| !is_passed(i));
        }
        let rel = |i: usize, n: usize| i as f32 / n.max(1) as f32;
        for unit in gap_units(bt, &self.gap_words) {
            let om_words = &words.original_unmatched;
            let at = rel(unit[0], bt.len());
            let cognate = om_words
                .iter()
                .position(|&i| unit.iter().any(|&g| cognates(&bt[g].norm, &ot[i].norm)));
            // a capitalised gap (a name, “EE. UU.”) stands for a capitalised word, and the
            // reverse
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
                let w = words.original_unmatched.remove(k);
                words.strict.retain(|&i| i != w);
            }
        }
    }
}

/// The capitalised words of the name or title that token `i` belongs to: the run of
/// capitalised words around it, across hyphens and the small words of titles ("Treaty of
/// Good-Neighbourliness and Friendly Cooperation").
fn capitalised_run(t: &[Token], i: usize) -> Vec<usize> {
    let joins = |k: usize| {
        let w = &t[k];
        (w.kind != Kind::Word && w.text == "-") || matches!(w.norm.as_str(), "of" | "and" | "the")
    };
    let (mut start, mut end) = (i, i);
    while start > 0 {
        if t[start - 1].is_capitalised() {
            start -= 1;
        } else if start > 1 && joins(start - 1) && t[start - 2].is_capitalised() {
            start -= 2;
        } else {
            break;
        }
    }
    while end + 1 < t.len() {
        if t[end + 1].is_capitalised() {
            end += 1;
        } else if end + 2 < t.len() && joins(end + 1) && t[end + 2].is_capitalised() {
            end += 2;
        } else {
            break;
        }
    }
    (start..=end).filter(|&k| t[k].is_capitalised()).collect()
}

/// A word that can be the opposite of another: a content word, not a negation cue, and not
/// a name (a capitalised word is a name, unless it only starts the sentence: “United States”
/// is).
fn opposable(t: &[Token], i: usize) -> bool {
    let w = &t[i];
    w.kind == Kind::Word
        && !is_stop_word(&w.norm)
        && !negation_cue(&w.norm)
        && !(w.is_capitalised() && (!w.initial || t.get(i + 1).is_some_and(Token::is_capitalised)))
}
