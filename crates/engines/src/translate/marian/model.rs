//! The Marian encoder-decoder (OPUS-MT) on candle, built for batched decoding.
//!
//! Unlike `candle_transformers::models::marian` (whose `Config` it reads), this network
//! masks padded source positions, caches the decoder's self-attention keys and values, and
//! computes the cross-attention keys and values once per sentence rather than at every
//! step. Rows of a batch can be dropped or reordered between steps (finished sentences,
//! beam search). The arithmetic follows `transformers`' `MarianMTModel`: post-layer-norm
//! blocks, embeddings scaled by √d_model, sinusoidal positions (sines in the first half,
//! cosines in the second), `final_logits_bias`, output layer tied to the embeddings.

use super::attention::Attend;
use super::config::ModelShape;
use super::dense::PackedF32;
use super::encoder::{PackedEncoder, Span};
use super::int8::QuantLinear;
use super::profile::{self, Op};
use crate::packed::Dense;
use candle_core::{DType, Device, IndexOp, Result, Tensor, D};
use candle_nn::{Activation, LayerNorm, VarBuilder};
use candle_transformers::models::marian::Config;

/// How the linear layers and the output projection compute; chosen at load.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Precision {
    /// Weights and inputs quantized to int8, products summed exactly in integers
    /// (`int8::QuantLinear`): about a quarter of the memory traffic.
    #[default]
    Int8,
    /// Single precision throughout: the arithmetic of the reference, logits within 1e-4.
    F32,
}

impl Precision {
    pub fn name(self) -> &'static str {
        match self {
            Precision::Int8 => "int8",
            Precision::F32 => "f32",
        }
    }
}

impl std::fmt::Display for Precision {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

impl std::str::FromStr for Precision {
    type Err = String;

    fn from_str(s: &str) -> std::result::Result<Self, String> {
        match s.trim().to_ascii_lowercase().as_str() {
            "int8" => Ok(Precision::Int8),
            "f32" | "fp32" | "float32" => Ok(Precision::F32),
            other => Err(format!("unknown precision \"{other}\"; use int8 or f32")),
        }
    }
}

/// A dense layer in the chosen precision.
#[derive(Clone, Debug)]
enum Linear {
    F32(PackedF32),
    Int8(QuantLinear),
}

impl Linear {
    fn load(in_dim: usize, out_dim: usize, vb: VarBuilder, precision: Precision) -> Result<Self> {
        let w = vb.get((out_dim, in_dim), "weight")?;
        let b = vb.get(out_dim, "bias")?;
        Self::new(w, Some(b), precision)
    }

    fn new(weight: Tensor, bias: Option<Tensor>, precision: Precision) -> Result<Self> {
        Ok(match precision {
            Precision::F32 => Linear::F32(PackedF32::from_tensors(&weight, bias.as_ref())?),
            Precision::Int8 => Linear::Int8(QuantLinear::from_tensors(&weight, bias.as_ref())?),
        })
    }

    fn forward(&self, x: &Tensor) -> Result<Tensor> {
        match self {
            Linear::F32(l) => l.forward(&x.contiguous()?),
            Linear::Int8(l) => l.forward(&x.contiguous()?),
        }
    }
}

/// A decoder attention block's projections: keys and values only for self-attention (the
/// cross-attention's come from `DecoderLayer::cross_kv`, once per batch).
#[derive(Clone, Debug)]
struct Attention {
    q: Linear,
    kv: Option<(Linear, Linear)>,
    out: Linear,
    heads: usize,
    scaling: f32,
}

impl Attention {
    fn load(d: usize, heads: usize, vb: VarBuilder, p: Precision, with_kv: bool) -> Result<Self> {
        let head_dim = d / heads;
        let kv = if with_kv {
            Some((
                Linear::load(d, d, vb.pp("k_proj"), p)?,
                Linear::load(d, d, vb.pp("v_proj"), p)?,
            ))
        } else {
            None
        };
        Ok(Self {
            q: Linear::load(d, d, vb.pp("q_proj"), p)?,
            kv,
            out: Linear::load(d, d, vb.pp("out_proj"), p)?,
            heads,
            scaling: (head_dim as f32).powf(-0.5),
        })
    }

    /// Keys and values of `x` (b, t, d), heads side by side: (b, t, d) each.
    fn keys_values(&self, x: &Tensor) -> Result<(Tensor, Tensor)> {
        match &self.kv {
            Some((k, v)) => Ok((k.forward(x)?, v.forward(x)?)),
            None => candle_core::bail!("this attention block has no key and value projections"),
        }
    }

    /// Attention of queries `x` (b, 1, d) over keys and values (b, s, d); row `i` attends to
    /// its first `key_lengths[i]` keys (all, without lengths).
    fn attend(
        &self,
        x: &Tensor,
        k: &Tensor,
        v: &Tensor,
        key_lengths: Option<&[usize]>,
    ) -> Result<Tensor> {
        let q = self.q.forward(x)?;
        let op = Attend {
            heads: self.heads,
            scaling: self.scaling,
            key_lengths: key_lengths.map(<[usize]>::to_vec),
            // The cross-attention's keys and values (the ones with lengths) are laid out
            // head by head (`MarianNet::start`), the self-attention's cache as projected.
            heads_first: key_lengths.is_some(),
        };
        self.out.forward(&op.forward(&q, k, v)?)
    }
}

#[derive(Clone, Debug)]
struct FeedForward {
    fc1: Linear,
    fc2: Linear,
    act: Activation,
}

impl FeedForward {
    fn load(d: usize, ffn: usize, act: Activation, vb: &VarBuilder, p: Precision) -> Result<Self> {
        Ok(Self {
            fc1: Linear::load(d, ffn, vb.pp("fc1"), p)?,
            fc2: Linear::load(ffn, d, vb.pp("fc2"), p)?,
            act,
        })
    }

    fn forward(&self, x: &Tensor) -> Result<Tensor> {
        let h = self.fc1.forward(x)?;
        let h = match self.act {
            // The same function; candle's fused kernel is faster than x * sigmoid(x).
            Activation::Swish => h.silu()?,
            a => h.apply(&a)?,
        };
        self.fc2.forward(&h)
    }
}

fn layer_norm(d: usize, vb: VarBuilder) -> Result<LayerNorm> {
    candle_nn::layer_norm(d, 1e-5, vb)
}

#[derive(Clone, Debug)]
struct DecoderLayer {
    self_attn: Attention,
    self_norm: LayerNorm,
    cross_attn: Attention,
    /// The cross-attention's key and value projections side by side, f32: run once per
    /// batch over every source token (many rows, as the encoder's products).
    cross_kv: Dense,
    cross_norm: LayerNorm,
    ffn: FeedForward,
    ffn_norm: LayerNorm,
}

/// The source side of a batch, encoded: the sentences packed end to end, no padding.
#[derive(Clone, Debug)]
pub struct Encoded {
    /// The encoder's output, (all the batch's tokens, d_model), row-major.
    pub hidden: Vec<f32>,
    /// Where each batch row's tokens lie in `hidden`.
    pub spans: Vec<Span>,
    /// Longest source length in the batch.
    pub len: usize,
}

impl Encoded {
    /// Each row's source length.
    pub fn lengths(&self) -> Vec<usize> {
        self.spans.iter().map(|s| s.len).collect()
    }
}

/// What the decoder keeps between steps, one row per hypothesis.
#[derive(Clone, Debug)]
pub struct DecoderState {
    /// Per layer: self-attention keys and values so far, (rows, steps, d_model).
    self_kv: Vec<Option<(Tensor, Tensor)>>,
    /// Per layer: cross-attention keys and values, (rows, longest source length, d_model).
    cross_kv: Vec<(Tensor, Tensor)>,
    /// Each row's source length.
    source_lengths: Vec<usize>,
    /// Tokens fed so far.
    steps: usize,
}

impl DecoderState {
    pub fn rows(&self) -> usize {
        self.source_lengths.len()
    }

    pub fn steps(&self) -> usize {
        self.steps
    }

    /// Keeps only the given rows, in the given order (finished sentences dropped, beams
    /// reordered). `cross` says whether the source side changes too.
    pub fn select_rows(&mut self, rows: &[u32], cross: bool) -> Result<()> {
        if cross {
            self.source_lengths = rows
                .iter()
                .map(|&r| self.source_lengths.get(r as usize).copied().unwrap_or(1))
                .collect();
        }
        let Some(dev) = self.cross_kv.first().map(|kv| kv.0.device().clone()) else {
            return Ok(());
        };
        let idx = Tensor::from_slice(rows, rows.len(), &dev)?;
        for kv in self.self_kv.iter_mut().flatten() {
            *kv = (kv.0.index_select(&idx, 0)?, kv.1.index_select(&idx, 0)?);
        }
        if cross {
            for kv in self.cross_kv.iter_mut() {
                *kv = (kv.0.index_select(&idx, 0)?, kv.1.index_select(&idx, 0)?);
            }
        }
        Ok(())
    }
}

/// The whole network, ready to run.
#[derive(Clone, Debug)]
pub struct MarianNet {
    cfg: Config,
    enc_embed: Tensor,
    dec_embed: Tensor,
    enc_pos: Tensor,
    dec_pos: Tensor,
    embed_scale: f64,
    encoder: PackedEncoder,
    decoder: Vec<DecoderLayer>,
    lm_head: Linear,
    precision: Precision,
    device: Device,
}

/// Marian's sinusoidal position table, computed in double precision as the reference does.
pub fn sinusoidal_positions(n_pos: usize, dim: usize, dev: &Device) -> Result<Tensor> {
    let half = dim.div_ceil(2);
    let mut table = vec![0f32; n_pos * dim];
    for pos in 0..n_pos {
        for j in 0..dim {
            let i = if j < half { 2 * j } else { 2 * (j - half) + 1 };
            let angle = pos as f64 / 10000f64.powf((2 * (i / 2)) as f64 / dim as f64);
            table[pos * dim + j] = if j < half { angle.sin() } else { angle.cos() } as f32;
        }
    }
    Tensor::from_vec(table, (n_pos, dim), dev)
}

impl MarianNet {
    /// Builds the network from weights named as `transformers` saves `MarianMTModel`.
    pub fn load(
        cfg: &Config,
        shape: &ModelShape,
        vb: VarBuilder,
        precision: Precision,
    ) -> Result<Self> {
        let d = cfg.d_model;
        let dev = vb.device().clone();
        let target_vocab = cfg.decoder_vocab_size.unwrap_or(cfg.vocab_size);
        let m = vb.pp("model");
        let (enc_embed, dec_embed) = if shape.separate_embeddings {
            (
                m.pp("encoder")
                    .pp("embed_tokens")
                    .get((cfg.vocab_size, d), "weight")?,
                m.pp("decoder")
                    .pp("embed_tokens")
                    .get((target_vocab, d), "weight")?,
            )
        } else {
            let shared = m.pp("shared").get((cfg.vocab_size, d), "weight")?;
            (shared.clone(), shared)
        };
        let lm_weight = if shape.tie_word_embeddings && !shape.separate_embeddings {
            dec_embed.clone()
        } else if vb.contains_tensor("lm_head.weight") {
            vb.pp("lm_head").get((target_vocab, d), "weight")?
        } else {
            dec_embed.clone()
        };
        let bias = if vb.contains_tensor("final_logits_bias") {
            vb.get((1, target_vocab), "final_logits_bias")?
                .reshape(target_vocab)?
        } else {
            Tensor::zeros(target_vocab, DType::F32, &dev)?
        };
        let lm_head = Linear::new(lm_weight, Some(bias), precision)?;
        let positions = |side: &str| -> Result<Tensor> {
            let name = format!("model.{side}.embed_positions.weight");
            if vb.contains_tensor(&name) {
                if let Ok(t) = m
                    .pp(side)
                    .pp("embed_positions")
                    .get((cfg.max_position_embeddings, d), "weight")
                {
                    return Ok(t);
                }
            }
            sinusoidal_positions(cfg.max_position_embeddings, d, &dev)
        };
        let enc_pos = positions("encoder")?;
        let dec_pos = positions("decoder")?;
        let act = cfg.activation_function;
        let encoder = PackedEncoder::load(
            m.pp("encoder").pp("layers"),
            cfg.encoder_layers,
            d,
            cfg.encoder_attention_heads,
            cfg.encoder_ffn_dim,
            act,
        )?;
        let mut decoder = Vec::with_capacity(cfg.decoder_layers);
        for i in 0..cfg.decoder_layers {
            let l = m.pp("decoder").pp("layers").pp(i);
            decoder.push(DecoderLayer {
                self_attn: Attention::load(
                    d,
                    cfg.decoder_attention_heads,
                    l.pp("self_attn"),
                    precision,
                    true,
                )?,
                self_norm: layer_norm(d, l.pp("self_attn_layer_norm"))?,
                cross_attn: Attention::load(
                    d,
                    cfg.decoder_attention_heads,
                    l.pp("encoder_attn"),
                    precision,
                    false,
                )?,
                cross_kv: Dense::load_side_by_side(
                    &[
                        l.pp("encoder_attn").pp("k_proj"),
                        l.pp("encoder_attn").pp("v_proj"),
                    ],
                    d,
                    d,
                )?,
                cross_norm: layer_norm(d, l.pp("encoder_attn_layer_norm"))?,
                ffn: FeedForward::load(d, cfg.decoder_ffn_dim, act, &l, precision)?,
                ffn_norm: layer_norm(d, l.pp("final_layer_norm"))?,
            });
        }
        Ok(Self {
            cfg: cfg.clone(),
            enc_embed,
            dec_embed,
            enc_pos,
            dec_pos,
            embed_scale: if cfg.scale_embedding {
                (d as f64).sqrt()
            } else {
                1.0
            },
            encoder,
            decoder,
            lm_head,
            precision,
            device: dev,
        })
    }

    pub fn config(&self) -> &Config {
        &self.cfg
    }

    pub fn precision(&self) -> Precision {
        self.precision
    }

    pub fn device(&self) -> &Device {
        &self.device
    }

    pub fn target_vocab_size(&self) -> usize {
        self.cfg.decoder_vocab_size.unwrap_or(self.cfg.vocab_size)
    }

    /// Encodes a batch of source token rows (each ending in end of sentence).
    pub fn encode(&self, ids: &[Vec<u32>]) -> Result<Encoded> {
        on_pool(|| self.encode_on_pool(ids))
    }

    fn encode_on_pool(&self, ids: &[Vec<u32>]) -> Result<Encoded> {
        let time = profile::scope(Op::Encoder);
        let d = self.cfg.d_model;
        let len = ids.iter().map(Vec::len).max().unwrap_or(0).max(1);
        if len > self.cfg.max_position_embeddings {
            candle_core::bail!(
                "a sentence of {len} tokens is longer than the model's limit of {}",
                self.cfg.max_position_embeddings
            );
        }
        // An empty row is encoded as one padding token, as a padded batch would see it.
        let pad = [self.cfg.pad_token_id];
        let rows: Vec<&[u32]> = ids
            .iter()
            .map(|r| if r.is_empty() { &pad[..] } else { &r[..] })
            .collect();
        let mut spans = Vec::with_capacity(rows.len());
        let mut flat = Vec::new();
        for r in &rows {
            spans.push(Span {
                start: flat.len(),
                len: r.len(),
            });
            flat.extend_from_slice(r);
        }
        let total = flat.len();
        let tokens = Tensor::from_vec(flat, total, &self.device)?;
        let mut x: Vec<f32> = self
            .enc_embed
            .embedding(&tokens)?
            .flatten_all()?
            .to_vec1()?;
        let positions: Vec<f32> = self.enc_pos.i(0..len)?.flatten_all()?.to_vec1()?;
        let scale = self.embed_scale as f32;
        for s in &spans {
            for (row, place) in x[s.start * d..(s.start + s.len) * d]
                .chunks_mut(d)
                .zip(positions.chunks(d))
            {
                for (v, p) in row.iter_mut().zip(place) {
                    *v = *v * scale + p;
                }
            }
        }
        drop(time);
        let hidden = self.encoder.forward(x, &spans)?;
        Ok(Encoded { hidden, spans, len })
    }

    /// Starts decoding: computes every layer's cross-attention keys and values once (per
    /// group of similar length). `repeat` copies each source row that many times in a row
    /// (one per beam).
    pub fn start(&self, enc: &Encoded, repeat: usize) -> Result<DecoderState> {
        on_pool(|| self.start_on_pool(enc, repeat))
    }

    fn start_on_pool(&self, enc: &Encoded, repeat: usize) -> Result<DecoderState> {
        let _time = profile::scope(Op::CrossKv);
        let d = self.cfg.d_model;
        let (b, len) = (enc.spans.len(), enc.len);
        let repeat = repeat.max(1);
        let rows = enc.hidden.len() / d.max(1);
        let mut cross_kv = Vec::with_capacity(self.decoder.len());
        for layer in &self.decoder {
            // Keys and values of every token at once, (tokens, 2 × d_model) ...
            let kv = layer.cross_kv.forward(&enc.hidden, rows, None);
            // ... laid out head by head, as `Attend { heads_first: true }` reads them:
            // (rows × beams, heads, longest source, head_dim) each, zeros past a sentence's
            // end.
            let heads = self.cfg.decoder_attention_heads;
            let hd = d / heads;
            let mut k = vec![0f32; b * repeat * len * d];
            let mut v = vec![0f32; b * repeat * len * d];
            for (i, s) in enc.spans.iter().enumerate() {
                for beam in 0..repeat {
                    let at = (i * repeat + beam) * len * d;
                    for t in 0..s.len {
                        let src = &kv[(s.start + t) * 2 * d..(s.start + t + 1) * 2 * d];
                        for h in 0..heads {
                            let to = at + (h * len + t) * hd;
                            k[to..to + hd].copy_from_slice(&src[h * hd..(h + 1) * hd]);
                            v[to..to + hd].copy_from_slice(&src[d + h * hd..d + (h + 1) * hd]);
                        }
                    }
                }
            }
            cross_kv.push((
                Tensor::from_vec(k, (b * repeat, len, d), &self.device)?,
                Tensor::from_vec(v, (b * repeat, len, d), &self.device)?,
            ));
        }
        let source_lengths = enc
            .spans
            .iter()
            .flat_map(|s| std::iter::repeat_n(s.len, repeat))
            .collect();
        Ok(DecoderState {
            self_kv: vec![None; self.decoder.len()],
            cross_kv,
            source_lengths,
            steps: 0,
        })
    }

    /// Feeds one token per row and returns the next-token logits, (rows, target vocab).
    pub fn step(&self, state: &mut DecoderState, tokens: &[u32]) -> Result<Tensor> {
        on_pool(|| self.step_on_pool(state, tokens))
    }

    fn step_on_pool(&self, state: &mut DecoderState, tokens: &[u32]) -> Result<Tensor> {
        let rows = tokens.len();
        if rows != state.rows() {
            candle_core::bail!(
                "{} tokens fed to a decoder state of {} rows",
                rows,
                state.rows()
            );
        }
        let pos = state.steps;
        if pos >= self.cfg.max_position_embeddings {
            candle_core::bail!(
                "output longer than the model's limit of {} tokens",
                self.cfg.max_position_embeddings
            );
        }
        let time = profile::scope(Op::Embed);
        let ids = Tensor::from_slice(tokens, rows, &self.device)?;
        let x = (self.dec_embed.embedding(&ids)? * self.embed_scale)?;
        let mut x = x.broadcast_add(&self.dec_pos.i(pos..pos + 1)?)?.reshape((
            rows,
            1,
            self.cfg.d_model,
        ))?;
        drop(time);
        for (i, layer) in self.decoder.iter().enumerate() {
            let time = profile::scope(Op::SelfAttn);
            let (k, v) = layer.self_attn.keys_values(&x)?;
            let (k, v) = match &state.self_kv[i] {
                Some((pk, pv)) => (Tensor::cat(&[pk, &k], 1)?, Tensor::cat(&[pv, &v], 1)?),
                None => (k, v),
            };
            let h = (layer.self_attn.attend(&x, &k, &v, None)? + &x)?.apply(&layer.self_norm)?;
            state.self_kv[i] = Some((k, v));
            drop(time);
            let time = profile::scope(Op::CrossAttn);
            let (ck, cv) = &state.cross_kv[i];
            let h = (layer
                .cross_attn
                .attend(&h, ck, cv, Some(&state.source_lengths))?
                + &h)?
                .apply(&layer.cross_norm)?;
            drop(time);
            let _time = profile::scope(Op::Ffn);
            x = (layer.ffn.forward(&h)? + &h)?.apply(&layer.ffn_norm)?;
        }
        state.steps += 1;
        let _time = profile::scope(Op::OutProj);
        self.lm_head.forward(&x.reshape((rows, self.cfg.d_model))?)
    }

    /// Logits for a whole decoder input at once (teacher forcing), (batch, steps, vocab):
    /// the check against the reference's forward pass.
    pub fn forward(&self, src: &[Vec<u32>], decoder_input: &[Vec<u32>]) -> Result<Tensor> {
        let enc = self.encode(src)?;
        let mut state = self.start(&enc, 1)?;
        let steps = decoder_input.iter().map(Vec::len).max().unwrap_or(0);
        let mut out = Vec::with_capacity(steps);
        for t in 0..steps {
            let tokens: Vec<u32> = decoder_input
                .iter()
                .map(|r| *r.get(t).unwrap_or(&self.cfg.pad_token_id))
                .collect();
            out.push(self.step(&mut state, &tokens)?.unsqueeze(1)?);
        }
        Tensor::cat(&out, 1)
    }
}

/// Runs `f` on one of rayon's threads (at once if this is one), so that the parallel loops
/// inside it are split by work stealing: a thread that is not running (the cores are busy
/// with other programs) holds back only work it has taken. Called from outside the pool,
/// each parallel loop would instead hand its work over and wait, and candle's barrier pool
/// (used before by the int8 products and attention) waits at every operation until every
/// worker has checked in, which on busy cores took the decoder's self-attention from 1.1 s
/// with one thread to 7.9 s with two (benchmark, batch 16, load average 3.8 on 2 cores).
fn on_pool<R: Send>(f: impl FnOnce() -> R + Send) -> R {
    rayon::scope(|_| f())
}

/// log-softmax over the last dimension, in f32.
pub fn log_softmax_last(x: &Tensor) -> Result<Tensor> {
    candle_nn::ops::log_softmax(x, D::Minus1)
}
