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
use super::int8::QuantLinear;
use super::profile::{self, Op};
use candle_core::{DType, Device, IndexOp, Result, Tensor, D};
use candle_nn::{Activation, LayerNorm, VarBuilder};
use candle_transformers::models::marian::Config;

/// A dense f32 layer; inputs of any rank are flattened to one matrix product.
///
/// The weights are stored transposed, (in, out), with `out` padded to a multiple of 8: that
/// is the layout the CPU matrix kernels (the `gemm` crate) use in place, so they do not
/// repack the whole weight matrix at every decoding step, which at a handful of rows costs
/// as much as the product itself.
#[derive(Clone, Debug)]
struct DenseF32 {
    weight_t: Tensor,
    bias: Option<Tensor>,
    out_dim: usize,
}

const PAD_TO: usize = 8;

impl DenseF32 {
    fn new(weight: Tensor, bias: Option<Tensor>) -> Result<Self> {
        let (out_dim, in_dim) = weight.dims2()?;
        let padded = out_dim.div_ceil(PAD_TO) * PAD_TO;
        let w: Vec<f32> = weight.to_dtype(DType::F32)?.flatten_all()?.to_vec1()?;
        // Blocked transpose: (out, in) -> (in, padded out), zeros in the padding.
        let mut t = vec![0f32; in_dim * padded];
        const B: usize = 32;
        for o0 in (0..out_dim).step_by(B) {
            for i0 in (0..in_dim).step_by(B) {
                for o in o0..(o0 + B).min(out_dim) {
                    let row = &w[o * in_dim..(o + 1) * in_dim];
                    for i in i0..(i0 + B).min(in_dim) {
                        t[i * padded + o] = row[i];
                    }
                }
            }
        }
        let weight_t = Tensor::from_vec(t, (in_dim, padded), weight.device())?;
        let bias = match bias {
            Some(b) if padded != out_dim => Some(Tensor::cat(
                &[
                    &b.to_dtype(DType::F32)?,
                    &Tensor::zeros(padded - out_dim, DType::F32, weight.device())?,
                ],
                0,
            )?),
            other => other,
        };
        Ok(Self {
            weight_t,
            bias,
            out_dim,
        })
    }

    fn forward(&self, x: &Tensor) -> Result<Tensor> {
        let dims = x.dims().to_vec();
        let in_dim = *dims.last().unwrap_or(&0);
        let rows: usize = dims[..dims.len() - 1].iter().product();
        let y = x.reshape((rows, in_dim))?.matmul(&self.weight_t)?;
        let y = match &self.bias {
            Some(b) => y.broadcast_add(b)?,
            None => y,
        };
        let y = if y.dim(1)? != self.out_dim {
            y.narrow(1, 0, self.out_dim)?.contiguous()?
        } else {
            y
        };
        let mut out = dims;
        let last = out.len() - 1;
        out[last] = self.out_dim;
        y.reshape(out)
    }
}

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
    F32(DenseF32),
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
            Precision::F32 => Linear::F32(DenseF32::new(weight, bias)?),
            Precision::Int8 => Linear::Int8(QuantLinear::from_tensors(&weight, bias.as_ref())?),
        })
    }

    fn forward(&self, x: &Tensor) -> Result<Tensor> {
        match self {
            Linear::F32(l) => l.forward(x),
            Linear::Int8(l) => l.forward(&x.contiguous()?),
        }
    }
}

#[derive(Clone, Debug)]
struct Attention {
    q: Linear,
    k: Linear,
    v: Linear,
    out: Linear,
    heads: usize,
    scaling: f32,
}

impl Attention {
    /// `p` for the query and output projections, `kv` for the keys and values.
    fn load(d: usize, heads: usize, vb: VarBuilder, p: Precision, kv: Precision) -> Result<Self> {
        let head_dim = d / heads;
        Ok(Self {
            q: Linear::load(d, d, vb.pp("q_proj"), p)?,
            k: Linear::load(d, d, vb.pp("k_proj"), kv)?,
            v: Linear::load(d, d, vb.pp("v_proj"), kv)?,
            out: Linear::load(d, d, vb.pp("out_proj"), p)?,
            heads,
            scaling: (head_dim as f32).powf(-0.5),
        })
    }

    /// Keys and values of `x` (b, t, d), heads side by side: (b, t, d) each.
    fn keys_values(&self, x: &Tensor) -> Result<(Tensor, Tensor)> {
        Ok((self.k.forward(x)?, self.v.forward(x)?))
    }

    /// Attention of queries `x` (b, t, d) over keys and values (b, s, d); row `i` attends to
    /// its first `key_lengths[i]` keys (all, without lengths).
    ///
    /// One query per row (decoding) goes through `Attend`; many (the encoder) through
    /// candle's batched products, whose `gemm` calls pay off at that size: `Attend`'s plain
    /// loops cost more there than the head-split copies they save.
    fn attend(
        &self,
        x: &Tensor,
        k: &Tensor,
        v: &Tensor,
        key_lengths: Option<&[usize]>,
    ) -> Result<Tensor> {
        let q = self.q.forward(x)?;
        let (b, t, d) = q.dims3()?;
        if t == 1 {
            let op = Attend {
                heads: self.heads,
                scaling: self.scaling,
                key_lengths: key_lengths.map(<[usize]>::to_vec),
            };
            return self.out.forward(&op.forward(&q, k, v)?);
        }
        let s = k.dim(1)?;
        let split = |x: &Tensor, t: usize| -> Result<Tensor> {
            x.reshape((b, t, self.heads, d / self.heads))?
                .transpose(1, 2)?
                .contiguous()
        };
        let scores = (split(&q, t)? * self.scaling as f64)?.matmul(&split(k, s)?.t()?)?;
        let scores = match key_lengths {
            Some(lengths) => {
                let mask: Vec<f32> = lengths
                    .iter()
                    .flat_map(|&l| (0..s).map(move |j| if j < l { 0.0 } else { f32::MIN }))
                    .collect();
                scores.broadcast_add(&Tensor::from_vec(mask, (b, 1, 1, s), q.device())?)?
            }
            None => scores,
        };
        let probs = candle_nn::ops::softmax_last_dim(&scores)?;
        let ctx = probs
            .matmul(&split(v, s)?)?
            .transpose(1, 2)?
            .reshape((b, t, d))?;
        self.out.forward(&ctx)
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
struct EncoderLayer {
    attn: Attention,
    attn_norm: LayerNorm,
    ffn: FeedForward,
    ffn_norm: LayerNorm,
}

impl EncoderLayer {
    fn forward(&self, x: &Tensor, lengths: &[usize]) -> Result<Tensor> {
        let (k, v) = self.attn.keys_values(x)?;
        let h = (self.attn.attend(x, &k, &v, Some(lengths))? + x)?.apply(&self.attn_norm)?;
        (self.ffn.forward(&h)? + &h)?.apply(&self.ffn_norm)
    }
}

#[derive(Clone, Debug)]
struct DecoderLayer {
    self_attn: Attention,
    self_norm: LayerNorm,
    cross_attn: Attention,
    cross_norm: LayerNorm,
    ffn: FeedForward,
    ffn_norm: LayerNorm,
}

/// The source side of a batch, encoded.
///
/// Sentences of similar length are encoded together, each group padded only to its own
/// longest sentence, so little work goes into padding; `parts` keeps the groups as they
/// came out of the encoder, and the cross-attention keys and values are computed per group.
#[derive(Clone, Debug)]
pub struct Encoded {
    /// Groups of rows: the batch rows they hold, and their encoder output
    /// (rows in the group, the group's longest length, d_model).
    pub parts: Vec<(Vec<usize>, Tensor)>,
    /// Each row's source length (the rest of its positions is padding).
    pub lengths: Vec<usize>,
    /// Longest source length in the batch.
    pub len: usize,
}

impl Encoded {
    /// Every row's encoder output padded to the longest sentence, in batch order,
    /// (batch, longest length, d_model).
    pub fn hidden(&self) -> Result<Tensor> {
        assemble(&self.parts, 1, self.len)
    }
}

/// Pads every part along `dim` to `len`, stacks them and puts the rows back in batch order.
fn assemble(parts: &[(Vec<usize>, Tensor)], dim: usize, len: usize) -> Result<Tensor> {
    let mut tensors = Vec::with_capacity(parts.len());
    let mut order = Vec::new();
    for (rows, t) in parts {
        let have = t.dim(dim)?;
        tensors.push(if have < len {
            t.pad_with_zeros(dim, 0, len - have)?
        } else {
            t.clone()
        });
        order.extend(rows.iter().copied());
    }
    let stacked = Tensor::cat(&tensors, 0)?;
    if order.iter().enumerate().all(|(i, &r)| i == r) {
        return Ok(stacked);
    }
    let mut inverse = vec![0u32; order.len()];
    for (pos, &row) in order.iter().enumerate() {
        inverse[row] = pos as u32;
    }
    let idx = Tensor::from_vec(inverse, order.len(), stacked.device())?;
    stacked.index_select(&idx, 0)
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
    encoder: Vec<EncoderLayer>,
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
        // The encoder runs every source token at once (hundreds of rows per product), where
        // f32 `gemm` is compute-bound and faster than the int8 kernel: on the benchmark,
        // batch 16, the int8 encoder took 6.94 s against f32's 5.36 s (measured, not kept).
        // Int8 pays where rows are few and weights stream from memory: the decoder.
        let encoder_precision = Precision::F32;
        let mut encoder = Vec::with_capacity(cfg.encoder_layers);
        for i in 0..cfg.encoder_layers {
            let l = m.pp("encoder").pp("layers").pp(i);
            encoder.push(EncoderLayer {
                attn: Attention::load(
                    d,
                    cfg.encoder_attention_heads,
                    l.pp("self_attn"),
                    encoder_precision,
                    encoder_precision,
                )?,
                attn_norm: layer_norm(d, l.pp("self_attn_layer_norm"))?,
                ffn: FeedForward::load(d, cfg.encoder_ffn_dim, act, &l, encoder_precision)?,
                ffn_norm: layer_norm(d, l.pp("final_layer_norm"))?,
            });
        }
        let mut decoder = Vec::with_capacity(cfg.decoder_layers);
        for i in 0..cfg.decoder_layers {
            let l = m.pp("decoder").pp("layers").pp(i);
            decoder.push(DecoderLayer {
                self_attn: Attention::load(
                    d,
                    cfg.decoder_attention_heads,
                    l.pp("self_attn"),
                    precision,
                    precision,
                )?,
                self_norm: layer_norm(d, l.pp("self_attn_layer_norm"))?,
                cross_attn: Attention::load(
                    d,
                    cfg.decoder_attention_heads,
                    l.pp("encoder_attn"),
                    precision,
                    // Computed once per batch over every source token: many rows, as the
                    // encoder's products.
                    encoder_precision,
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
        let _time = profile::scope(Op::Encoder);
        let b = ids.len();
        let s = ids.iter().map(Vec::len).max().unwrap_or(0).max(1);
        if s > self.cfg.max_position_embeddings {
            candle_core::bail!(
                "a sentence of {s} tokens is longer than the model's limit of {}",
                self.cfg.max_position_embeddings
            );
        }
        let lengths: Vec<usize> = ids.iter().map(|r| r.len().max(1)).collect();
        // Groups of similar length: longest first, a new group where a sentence is under
        // 85% of the group's longest.
        let mut order: Vec<usize> = (0..b).collect();
        order.sort_by_key(|&i| std::cmp::Reverse(ids[i].len()));
        let mut groups: Vec<Vec<usize>> = Vec::new();
        for i in order {
            match groups.last_mut() {
                Some(g) if ids[i].len().max(1) * 100 >= ids[g[0]].len().max(1) * 85 => g.push(i),
                _ => groups.push(vec![i]),
            }
        }
        let mut parts = Vec::with_capacity(groups.len());
        for rows in groups {
            let batch: Vec<&Vec<u32>> = rows.iter().map(|&i| &ids[i]).collect();
            parts.push((rows, self.encode_group(&batch)?));
        }
        Ok(Encoded {
            parts,
            lengths,
            len: s,
        })
    }

    /// Encodes rows padded to the longest of them, (rows, longest, d_model).
    fn encode_group(&self, ids: &[&Vec<u32>]) -> Result<Tensor> {
        let b = ids.len();
        let s = ids.iter().map(|r| r.len()).max().unwrap_or(0).max(1);
        let pad = self.cfg.pad_token_id;
        let mut flat = Vec::with_capacity(b * s);
        for row in ids {
            flat.extend((0..s).map(|j| *row.get(j).unwrap_or(&pad)));
        }
        let lengths: Vec<usize> = ids.iter().map(|r| r.len().max(1)).collect();
        let ids = Tensor::from_vec(flat, b * s, &self.device)?;
        let x = self
            .enc_embed
            .embedding(&ids)?
            .reshape((b, s, self.cfg.d_model))?;
        let x = (x * self.embed_scale)?;
        let mut x = x.broadcast_add(&self.enc_pos.i(0..s)?)?;
        for layer in &self.encoder {
            x = layer.forward(&x, &lengths)?;
        }
        Ok(x)
    }

    /// Starts decoding: computes every layer's cross-attention keys and values once (per
    /// group of similar length). `repeat` copies each source row that many times in a row
    /// (one per beam).
    pub fn start(&self, enc: &Encoded, repeat: usize) -> Result<DecoderState> {
        on_pool(|| self.start_on_pool(enc, repeat))
    }

    fn start_on_pool(&self, enc: &Encoded, repeat: usize) -> Result<DecoderState> {
        let _time = profile::scope(Op::CrossKv);
        let b = enc.lengths.len();
        let expand = |t: Tensor| -> Result<Tensor> {
            if repeat > 1 {
                let idx: Vec<u32> = (0..b as u32)
                    .flat_map(|i| std::iter::repeat_n(i, repeat))
                    .collect();
                t.index_select(&Tensor::from_vec(idx, b * repeat, &self.device)?, 0)
            } else {
                Ok(t)
            }
        };
        let mut cross_kv = Vec::with_capacity(self.decoder.len());
        for layer in &self.decoder {
            let mut ks = Vec::with_capacity(enc.parts.len());
            let mut vs = Vec::with_capacity(enc.parts.len());
            for (rows, hidden) in &enc.parts {
                let (k, v) = layer.cross_attn.keys_values(hidden)?;
                ks.push((rows.clone(), k));
                vs.push((rows.clone(), v));
            }
            // (rows, source length, d_model): pad the length axis.
            cross_kv.push((
                expand(assemble(&ks, 1, enc.len)?)?.contiguous()?,
                expand(assemble(&vs, 1, enc.len)?)?.contiguous()?,
            ));
        }
        let source_lengths = enc
            .lengths
            .iter()
            .flat_map(|&l| std::iter::repeat_n(l, repeat.max(1)))
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
