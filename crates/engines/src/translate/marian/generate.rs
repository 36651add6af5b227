//! Greedy and beam search over a batch of sentences, as `transformers`' `generate` does it
//! for Marian: decoding starts from the padding token, the padding token is never produced,
//! end of sentence is forced at the last position, and beam hypotheses are ranked by their
//! summed log-probability divided by length^length_penalty, with the same early-stopping
//! rule. A sentence whose search is over leaves the batch, so the others run faster; the
//! search can be cancelled between steps, and reports each sentence as it finishes.

use super::config::{EarlyStopping, GenerationSettings};
use super::model::{DecoderState, MarianNet};
use super::profile::{self, Op};
use std::sync::atomic::{AtomicBool, Ordering};

/// Why a search stopped without results.
#[derive(Debug)]
pub enum SearchError {
    Cancelled,
    Model(candle_core::Error),
}

impl From<candle_core::Error> for SearchError {
    fn from(e: candle_core::Error) -> Self {
        SearchError::Model(e)
    }
}

/// Ways to watch and stop a search.
#[derive(Default, Clone, Copy)]
pub struct Control<'a> {
    /// Set to stop the search between two decoding steps.
    pub cancel: Option<&'a AtomicBool>,
    /// Called with the sentence's index in the batch as soon as its output is final.
    pub on_sentence_done: Option<&'a dyn Fn(usize)>,
}

impl Control<'_> {
    fn check(&self) -> Result<(), SearchError> {
        match self.cancel {
            Some(c) if c.load(Ordering::Relaxed) => Err(SearchError::Cancelled),
            _ => Ok(()),
        }
    }

    fn done(&self, i: usize) {
        if let Some(f) = self.on_sentence_done {
            f(i)
        }
    }
}

/// Searches for the translation of each source row (token ids ending in end of sentence).
/// Returns, per row, the generated ids after the decoder start token, ending with end of
/// sentence unless the maximum length cut it off.
pub fn generate(
    net: &MarianNet,
    sources: &[Vec<u32>],
    settings: &GenerationSettings,
    control: Control,
) -> Result<Vec<Vec<u32>>, SearchError> {
    if sources.is_empty() {
        return Ok(Vec::new());
    }
    if settings.max_length < 2 {
        // Room for the start token only: nothing to generate.
        return Ok(vec![Vec::new(); sources.len()]);
    }
    control.check()?;
    if settings.num_beams <= 1 {
        greedy(net, sources, settings, control)
    } else {
        beam_search(net, sources, settings, control)
    }
}

/// Sets the scores the reference's logits processors change: banned words, no end of
/// sentence before the minimum length, end of sentence forced at the last position.
/// `cur_len` counts the tokens so far, decoder start included.
fn process_scores(scores: &mut [f32], cur_len: usize, s: &GenerationSettings, sequence: &[u32]) {
    for bad in &s.bad_words_ids {
        let Some((last, prefix)) = bad.split_last() else {
            continue;
        };
        if prefix.is_empty() || sequence.ends_with(prefix) {
            if let Some(x) = scores.get_mut(*last as usize) {
                *x = f32::NEG_INFINITY;
            }
        }
    }
    if cur_len < s.min_length {
        if let Some(x) = scores.get_mut(s.eos_token_id as usize) {
            *x = f32::NEG_INFINITY;
        }
    }
    if let Some(eos) = s.forced_eos_token_id {
        if cur_len == s.max_length - 1 && (eos as usize) < scores.len() {
            scores.iter_mut().for_each(|x| *x = f32::NEG_INFINITY);
            scores[eos as usize] = 0.0;
        }
    }
}

/// Index of the first largest value (as `torch.argmax`).
fn argmax(xs: &[f32]) -> u32 {
    let mut best = 0;
    for (i, &x) in xs.iter().enumerate() {
        if x > xs[best] || (xs[best].is_nan() && !x.is_nan()) {
            best = i;
        }
    }
    best as u32
}

fn logits_rows(logits: &candle_core::Tensor) -> Result<(Vec<f32>, usize), SearchError> {
    let v = logits.dim(1)?;
    Ok((logits.flatten_all()?.to_vec1::<f32>()?, v))
}

fn greedy(
    net: &MarianNet,
    sources: &[Vec<u32>],
    s: &GenerationSettings,
    control: Control,
) -> Result<Vec<Vec<u32>>, SearchError> {
    let enc = net.encode(sources)?;
    let mut state = net.start(&enc, 1)?;
    let mut outputs: Vec<Vec<u32>> = vec![Vec::new(); sources.len()];
    // Rows of the state, by sentence index.
    let mut active: Vec<usize> = (0..sources.len()).collect();
    let mut last: Vec<u32> = vec![s.decoder_start_token_id; sources.len()];
    let mut cur_len = 1;
    while cur_len < s.max_length && !active.is_empty() {
        control.check()?;
        let logits = net.step(&mut state, &last)?;
        let time = profile::scope(Op::Scores);
        let (mut flat, v) = logits_rows(&logits)?;
        let mut keep = Vec::with_capacity(active.len());
        let mut next_last = Vec::with_capacity(active.len());
        for (row, &sent) in active.iter().enumerate() {
            let scores = &mut flat[row * v..(row + 1) * v];
            let mut seq = Vec::with_capacity(cur_len);
            seq.push(s.decoder_start_token_id);
            seq.extend_from_slice(&outputs[sent]);
            process_scores(scores, cur_len, s, &seq);
            let tok = argmax(scores);
            outputs[sent].push(tok);
            if tok == s.eos_token_id || cur_len + 1 >= s.max_length {
                control.done(sent);
            } else {
                keep.push(row as u32);
                next_last.push(tok);
            }
        }
        drop(time);
        let _time = profile::scope(Op::Bookkeeping);
        cur_len += 1;
        if keep.len() != active.len() && !keep.is_empty() {
            state.select_rows(&keep, true)?;
        }
        active = keep.iter().map(|&r| active[r as usize]).collect();
        last = next_last;
    }
    Ok(outputs)
}

/// One sentence's beam search, as the reference keeps it.
struct Beams {
    /// Running hypotheses (generated tokens after the start token) and their summed scores.
    running: Vec<Vec<u32>>,
    running_scores: Vec<f32>,
    /// Best finished hypotheses so far, best first, with length-penalised scores.
    finished: Vec<Vec<u32>>,
    finished_scores: Vec<f32>,
    is_finished: Vec<bool>,
    /// Whether a running hypothesis may still beat the finished ones.
    improvable: bool,
}

const NEG: f32 = -1.0e9;

impl Beams {
    /// Merges this step's candidates that end (end of sentence, or the maximum length) into
    /// the finished hypotheses, as the reference does: only the first `n` candidates may
    /// finish, scores divided by length^length_penalty, best `n` kept.
    fn merge_finished(
        &mut self,
        cands: &[(f32, usize, u32)],
        hits: &[bool],
        n: usize,
        cur_len: usize,
        s: &GenerationSettings,
    ) {
        // Finished hypotheses: only the first `n` candidates may finish.
        let full = self.is_finished.iter().all(|&f| f) && s.early_stopping == EarlyStopping::Yes;
        let denom = (cur_len as f64).powf(s.length_penalty) as f32;
        let mut merged_scores = self.finished_scores.clone();
        let mut merged_seqs: Vec<Vec<u32>> = self.finished.clone();
        let mut merged_fin = self.is_finished.clone();
        for (ci, &(score, beam, tok)) in cands.iter().enumerate() {
            let finishing = hits[ci] && ci < n;
            let mut sc = score / denom;
            if full {
                sc += NEG;
            }
            if !self.improvable {
                sc += NEG;
            }
            if !finishing {
                sc += NEG;
            }
            merged_scores.push(sc);
            let mut seq = self.running[beam].clone();
            seq.push(tok);
            merged_seqs.push(seq);
            merged_fin.push(finishing);
        }
        let best = top_k(&merged_scores, n);
        self.finished = best.iter().map(|&(_, i)| merged_seqs[i].clone()).collect();
        self.finished_scores = best.iter().map(|&(sc, _)| sc).collect();
        self.is_finished = best.iter().map(|&(_, i)| merged_fin[i]).collect();
    }
}

/// The `k` largest values with their indices, largest first; equal values keep index order.
fn top_k(xs: &[f32], k: usize) -> Vec<(f32, usize)> {
    let mut top: Vec<(f32, usize)> = Vec::with_capacity(k + 1);
    for (i, &x) in xs.iter().enumerate() {
        if top.len() == k && x.partial_cmp(&top[k - 1].0) != Some(std::cmp::Ordering::Greater) {
            continue;
        }
        let pos = top.iter().position(|&(y, _)| x > y).unwrap_or(top.len());
        top.insert(pos, (x, i));
        if top.len() > k {
            top.pop();
        }
    }
    top
}

fn beam_search(
    net: &MarianNet,
    sources: &[Vec<u32>],
    s: &GenerationSettings,
    control: Control,
) -> Result<Vec<Vec<u32>>, SearchError> {
    let n = s.num_beams;
    let k = 2 * n;
    let lp = s.length_penalty;
    let enc = net.encode(sources)?;
    let mut state: DecoderState = net.start(&enc, n)?;
    let mut beams: Vec<Beams> = (0..sources.len())
        .map(|_| Beams {
            running: vec![Vec::new(); n],
            running_scores: (0..n).map(|j| if j == 0 { 0.0 } else { NEG }).collect(),
            finished: vec![Vec::new(); n],
            finished_scores: vec![NEG; n],
            is_finished: vec![false; n],
            improvable: true,
        })
        .collect();
    let mut active: Vec<usize> = (0..sources.len()).collect();
    let mut cur_len = 1;
    let mut last: Vec<u32> = vec![s.decoder_start_token_id; sources.len() * n];
    loop {
        control.check()?;
        let logits = net.step(&mut state, &last)?;
        let time = profile::scope(Op::Scores);
        let (flat, v) = logits_rows(&logits)?;
        drop(time);
        let mut rows: Vec<u32> = Vec::with_capacity(active.len() * n);
        let mut next_last = Vec::with_capacity(active.len() * n);
        let mut still_active = Vec::with_capacity(active.len());
        for (slot, &sent) in active.iter().enumerate() {
            let time = profile::scope(Op::Scores);
            let b = &mut beams[sent];
            // Accumulated log-probabilities of every continuation of every beam.
            let mut acc = Vec::with_capacity(n * v);
            for j in 0..n {
                let row = slot * n + j;
                let mut lps = log_softmax(&flat[row * v..(row + 1) * v]);
                let mut seq = Vec::with_capacity(cur_len);
                seq.push(s.decoder_start_token_id);
                seq.extend_from_slice(&b.running[j]);
                process_scores(&mut lps, cur_len, s, &seq);
                let base = b.running_scores[j];
                acc.extend(lps.iter().map(|&x| x + base));
            }
            let top = top_k(&acc, k);
            drop(time);
            let _time = profile::scope(Op::Bookkeeping);
            let cands: Vec<(f32, usize, u32)> = top
                .iter()
                .map(|&(score, idx)| (score, idx / v, (idx % v) as u32))
                .collect();
            let hits: Vec<bool> = cands
                .iter()
                .map(|&(_, _, tok)| tok == s.eos_token_id || cur_len + 1 >= s.max_length)
                .collect();
            // Next running beams: the best candidates that did not finish.
            let masked: Vec<f32> = cands
                .iter()
                .zip(&hits)
                .map(|(c, &h)| c.0 + if h { NEG } else { 0.0 })
                .collect();
            let next = top_k(&masked, n);
            let new_running: Vec<Vec<u32>> = next
                .iter()
                .map(|&(_, ci)| {
                    let (_, beam, tok) = cands[ci];
                    let mut seq = b.running[beam].clone();
                    seq.push(tok);
                    seq
                })
                .collect();
            let new_running_scores: Vec<f32> = next.iter().map(|&(sc, _)| sc).collect();
            let parents: Vec<usize> = next.iter().map(|&(_, ci)| cands[ci].1).collect();
            b.merge_finished(&cands, &hits, n, cur_len, s);
            b.running = new_running;
            b.running_scores = new_running_scores;
            // The reference's early-stopping heuristic, with the length after this step.
            let next_len = cur_len + 1;
            let hypothetical = if s.early_stopping == EarlyStopping::Never && lp > 0.0 {
                s.max_length - 1
            } else {
                next_len - 1
            };
            let best_possible = b.running_scores[0] / (hypothetical as f64).powf(lp) as f32;
            let worst = b
                .finished_scores
                .iter()
                .cloned()
                .fold(f32::INFINITY, f32::min);
            let any_better = b
                .is_finished
                .iter()
                .any(|&f| best_possible > if f { worst } else { NEG });
            b.improvable = b.improvable && any_better;
            let all_finished = b.is_finished.iter().all(|&f| f);
            let over = !b.improvable
                || (all_finished && s.early_stopping == EarlyStopping::Yes)
                || next_len >= s.max_length;
            if over {
                control.done(sent);
            } else {
                still_active.push(sent);
                for (j, &p) in parents.iter().enumerate() {
                    rows.push((slot * n + p) as u32);
                    next_last.push(*b.running[j].last().expect("running beams have a token"));
                }
            }
        }
        cur_len += 1;
        if still_active.is_empty() {
            break;
        }
        let _time = profile::scope(Op::Bookkeeping);
        let dropped = still_active.len() != active.len();
        state.select_rows(&rows, dropped)?;
        active = still_active;
        last = next_last;
    }
    Ok(beams
        .into_iter()
        .map(|b| {
            let mut best = b.finished.into_iter().next().unwrap_or_default();
            // A placeholder never beats a real hypothesis, but keep the output clean.
            while best.last() == Some(&s.pad_token_id) {
                best.pop();
            }
            best
        })
        .collect())
}

/// log-softmax of one row, in single precision as `torch.nn.functional.log_softmax` computes
/// it (the sum of exponentials kept in eight partial sums, as a vectorised loop would).
fn log_softmax(xs: &[f32]) -> Vec<f32> {
    let max = xs.iter().cloned().fold(f32::NEG_INFINITY, f32::max);
    let mut lanes = [0f32; 8];
    let mut chunks = xs.chunks_exact(8);
    for c in &mut chunks {
        for (l, &x) in lanes.iter_mut().zip(c) {
            *l += (x - max).exp();
        }
    }
    let tail: f32 = chunks.remainder().iter().map(|&x| (x - max).exp()).sum();
    let sum = lanes.iter().sum::<f32>() + tail;
    let lse = max + sum.ln();
    // A NaN from a broken model must not win a comparison.
    xs.iter()
        .map(|&x| {
            if x.is_nan() {
                f32::NEG_INFINITY
            } else {
                x - lse
            }
        })
        .collect()
}
