//! Verb forms of an English sentence, for the tense and aspect checks: which verbs appear in
//! which form (past, present, -ing, participle), what is put in the future (will, shall,
//! 'll) and which verb groups are progressive (was revealing) or perfect (have been).
//!
//! No tagger: auxiliaries are listed here, other verbs are recognised through WordNet's base
//! forms. A noun that is also a verb ("plants") is harmless, because forms are only compared
//! for a verb both sentences share.

use super::lexicon::Lexicon;
use super::words::{is_stop_word, Kind, Token};
use std::collections::HashMap;

/// The form of one verb occurrence.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Form {
    /// find, receive (also infinitive, after will or to)
    Base,
    /// finds, is, has
    Present,
    /// was, had, did
    Past,
    /// found, received: simple past, or a participle after have / be
    PastOrParticiple,
    /// been, done
    Participle,
    /// finding, being
    Ing,
}

/// Tense as the check compares it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Tense {
    Past,
    NonPast,
}

/// One verb occurrence: the token, its base form and its form.
#[derive(Debug, Clone)]
pub struct VerbUse {
    pub token: usize,
    pub lemma: String,
    pub form: Form,
    /// Tense where the form shows one (not for participles and -ing forms).
    pub tense: Option<Tense>,
}

/// The verbs of a sentence.
#[derive(Debug, Clone, Default)]
pub struct Profile {
    pub verbs: Vec<VerbUse>,
    /// tokens of will / shall / 'll / won't
    pub future: Vec<usize>,
    /// first and last token of each progressive group (is running)
    pub progressive: Vec<(usize, usize)>,
    /// first and last token of each perfect group (has been, had said)
    pub perfect: Vec<(usize, usize)>,
}

fn auxiliary(w: &str) -> Option<(&'static str, Form)> {
    let w = w.strip_suffix("n't").unwrap_or(w);
    Some(match w {
        "am" | "is" | "are" | "ai" => ("be", Form::Present),
        "was" | "were" => ("be", Form::Past),
        "be" => ("be", Form::Base),
        "been" => ("be", Form::Participle),
        "being" => ("be", Form::Ing),
        "has" | "have" | "ha" => ("have", Form::Present),
        "had" => ("have", Form::Past),
        "having" => ("have", Form::Ing),
        "does" | "do" | "doesn" | "don" => ("do", Form::Present),
        "did" | "didn" => ("do", Form::Past),
        "done" => ("do", Form::Participle),
        "doing" => ("do", Form::Ing),
        _ => {
            // contractions: it's, they're, I'm, we've
            if let Some(i) = w.find('\'') {
                return match &w[i..] {
                    "'re" | "'m" => Some(("be", Form::Present)),
                    "'ve" => Some(("have", Form::Present)),
                    "'s" if matches!(
                        &w[..i],
                        "it" | "that" | "there" | "he" | "she" | "what" | "who" | "here"
                    ) =>
                    {
                        Some(("be", Form::Present))
                    }
                    _ => None,
                };
            }
            return None;
        }
    })
}

/// Words after which a word is not a verb: determiners, possessives, prepositions.
const NOUN_BEFORE: &[&str] = &[
    "the", "a", "an", "this", "these", "those", "his", "her", "its", "their", "our", "my", "your",
    "of", "in", "on", "at", "for", "with", "by", "from", "into", "over", "under", "between",
    "among", "against", "during", "without", "through",
];

pub fn is_future(w: &str) -> bool {
    matches!(w, "will" | "shall" | "won't" | "shan't" | "wo") || w.ends_with("'ll")
}

/// A word that may stand between an auxiliary and its verb: not, also, still, widely …
fn is_filler(w: &str) -> bool {
    matches!(
        w,
        "not" | "also" | "still" | "just" | "already" | "never" | "always" | "now" | "being"
    ) || (w.len() > 4 && w.ends_with("ly"))
}

fn lexical_form(word: &str, base: &str) -> Form {
    if word == base {
        Form::Base
    } else if word.ends_with("ing") {
        Form::Ing
    } else if word.ends_with('s') && !word.ends_with("ss") {
        Form::Present
    } else {
        Form::PastOrParticiple
    }
}

/// The verbs of a tokenised sentence (empty without WordNet, apart from auxiliaries).
pub fn profile(tokens: &[Token], wn: Option<&dyn Lexicon>) -> Profile {
    let mut p = Profile::default();
    let words: Vec<usize> = (0..tokens.len())
        .filter(|&i| tokens[i].kind == Kind::Word)
        .collect();
    for (k, &i) in words.iter().enumerate() {
        let w = tokens[i].norm.as_str();
        if is_future(w) {
            p.future.push(i);
            continue;
        }
        // every reading: "found" is found (Base) and find (past)
        let readings: Vec<(String, Form)> = if let Some((l, f)) = auxiliary(w) {
            vec![(l.to_string(), f)]
        } else {
            if is_stop_word(w) || tokens[i].is_capitalised() && !tokens[i].initial {
                continue;
            }
            // no verb after a determiner, a possessive or a preposition (“the echo”, “of
            // signing”), nor a bare form right after a verb (“made echo of”): a noun there
            let prev = k.checked_sub(1).map(|x| words[x]);
            if prev.is_some_and(|j| NOUN_BEFORE.contains(&tokens[j].norm.as_str())) {
                continue;
            }
            let after_verb = prev.is_some_and(|j| {
                p.verbs.iter().any(|v| {
                    v.token == j
                        && auxiliary(&tokens[j].norm).is_none()
                        && matches!(v.form, Form::Past | Form::Present | Form::PastOrParticiple)
                })
            });
            let Some(wn) = wn else { continue };
            wn.verb_bases(w)
                .into_iter()
                .map(|b| {
                    let f = lexical_form(w, &b);
                    (b, f)
                })
                .filter(|(_, f)| !(after_verb && *f == Form::Base))
                .collect()
        };
        for (lemma, form) in readings {
            // after have / be (a few fillers allowed) a past form is a participle
            let prev_aux = words[..k]
                .iter()
                .rev()
                .find(|&&j| !is_filler(&tokens[j].norm))
                .and_then(|&j| auxiliary(&tokens[j].norm).map(|a| (j, a)));
            let after_aux =
                prev_aux.filter(|(j, _)| k >= 1 && words[k.saturating_sub(3)..k].contains(j));
            let form = match (form, after_aux) {
                (Form::PastOrParticiple, Some(_)) => Form::Participle,
                (f, _) => f,
            };
            let next = words.get(k + 1).map(|&n| tokens[n].norm.as_str());
            if let Some((j, (aux_lemma, _))) = after_aux {
                match (aux_lemma, form) {
                    // "is going to" is a future, not an ongoing action
                    ("be", Form::Ing) if lemma == "go" && next == Some("to") => {}
                    ("be", Form::Ing) if lemma != "be" => p.progressive.push((j, i)),
                    ("have", Form::Participle) => p.perfect.push((j, i)),
                    _ => {}
                }
            }
            // an infinitive (to be, will find, did echo) has no tense of its own
            let prev = k.checked_sub(1).map(|x| tokens[words[x]].norm.as_str());
            let infinitive = form == Form::Base
                && prev.is_some_and(|w| {
                    w == "to"
                        || super::words::certainty_cue(w).is_some()
                        || auxiliary(w).is_some_and(|(l, _)| l == "do")
                });
            // “if we were to”, “as if it were”: unreal, not past
            let unreal = w == "were"
                && words[k.saturating_sub(3)..k]
                    .iter()
                    .any(|&j| tokens[j].norm == "if");
            let tense = match form {
                // a bare “be” is an infinitive or a subjunctive (be that as it may), never a tense
                Form::Base if lemma == "be" => None,
                Form::Past if unreal => None,
                Form::Past | Form::PastOrParticiple => Some(Tense::Past),
                Form::Base | Form::Present if !infinitive => Some(Tense::NonPast),
                _ => None,
            };
            p.verbs.push(VerbUse {
                token: i,
                lemma,
                form,
                tense,
            });
        }
    }
    p.progressive.dedup();
    p.perfect.dedup();
    p
}

/// A verb both sentences have, in another tense: (original token, back-translation token).
pub fn tense_changes(a: &Profile, b: &Profile) -> Vec<(usize, usize)> {
    fn tenses(p: &Profile) -> HashMap<&str, Vec<(Tense, usize)>> {
        let mut m: HashMap<&str, Vec<(Tense, usize)>> = HashMap::new();
        for v in &p.verbs {
            if let Some(t) = v.tense {
                m.entry(v.lemma.as_str()).or_default().push((t, v.token));
            }
        }
        m
    }
    let (ta, tb) = (tenses(a), tenses(b));
    let mut out = Vec::new();
    for (lemma, ua) in &ta {
        let Some(ub) = tb.get(lemma) else { continue };
        // every use of the verb in one tense on one side and in the other on the other side
        let one = |u: &Vec<(Tense, usize)>| {
            let t = u[0].0;
            u.iter().all(|x| x.0 == t).then_some(t)
        };
        if let (Some(x), Some(y)) = (one(ua), one(ub)) {
            if x != y {
                out.push((ua[0].1, ub[0].1));
            }
        }
    }
    out.sort_unstable();
    out
}
