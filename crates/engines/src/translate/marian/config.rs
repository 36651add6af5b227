//! The model's own settings: `config.json` read into candle's Marian `Config` (with the
//! reference's defaults for keys older checkpoints leave out), and the decoding settings from
//! `generation_config.json` or, failing that, `config.json`, as `transformers` reads them.

use candle_transformers::models::marian::Config;
use serde_json::{Map, Value};

/// Everything `config.json` says that candle's `Config` does not hold.
#[derive(Clone, Debug, PartialEq)]
pub struct ModelShape {
    /// Separate source and target embeddings (and an untied output layer).
    pub separate_embeddings: bool,
    /// Output layer tied to the target embeddings.
    pub tie_word_embeddings: bool,
}

/// How output is searched for, as `transformers`' `GenerationConfig` has it for Marian.
#[derive(Clone, Debug, PartialEq)]
pub struct GenerationSettings {
    /// 1 = greedy search; more = beam search with that many beams.
    pub num_beams: usize,
    /// Beam scores are divided by length^length_penalty.
    pub length_penalty: f64,
    /// Most tokens in an output, counting the decoder start token.
    pub max_length: usize,
    /// Fewest tokens in an output, counting the decoder start token (end of sentence is
    /// forbidden before that).
    pub min_length: usize,
    /// Beam search stops as soon as `num_beams` finished hypotheses exist (`true`), when no
    /// better one can be found by the heuristic (`false`), or never early (`Never`).
    pub early_stopping: EarlyStopping,
    /// Token sequences that must never be generated (Marian: the padding token).
    pub bad_words_ids: Vec<Vec<u32>>,
    /// Token forced at the last position (Marian: end of sentence).
    pub forced_eos_token_id: Option<u32>,
    pub eos_token_id: u32,
    pub pad_token_id: u32,
    pub decoder_start_token_id: u32,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EarlyStopping {
    Yes,
    Heuristic,
    Never,
}

impl GenerationSettings {
    /// Greedy search with these settings otherwise.
    pub fn greedy(&self) -> Self {
        Self {
            num_beams: 1,
            ..self.clone()
        }
    }
}

/// Reads `config.json` (already parsed) into candle's `Config`, filling the keys that old
/// OPUS-MT checkpoints leave out with `MarianConfig`'s defaults.
pub fn model_config(json: &Value) -> Result<(Config, ModelShape), String> {
    let obj = json.as_object().ok_or("it is not a JSON object")?;
    if let Some(kind) = obj.get("model_type").and_then(Value::as_str) {
        if kind != "marian" {
            return Err(format!(
                "it describes a \"{kind}\" model, not a Marian translation model"
            ));
        }
    }
    let mut m: Map<String, Value> = obj.clone();
    let defaults: [(&str, Value); 19] = [
        ("vocab_size", 58101.into()),
        ("max_position_embeddings", 1024.into()),
        ("encoder_layers", 12.into()),
        ("encoder_ffn_dim", 4096.into()),
        ("encoder_attention_heads", 16.into()),
        ("decoder_layers", 12.into()),
        ("decoder_ffn_dim", 4096.into()),
        ("decoder_attention_heads", 16.into()),
        ("use_cache", true.into()),
        ("is_encoder_decoder", true.into()),
        ("activation_function", "gelu".into()),
        ("d_model", 1024.into()),
        ("decoder_start_token_id", 58100.into()),
        ("scale_embedding", false.into()),
        ("pad_token_id", 58100.into()),
        ("eos_token_id", 0.into()),
        ("forced_eos_token_id", 0.into()),
        ("share_encoder_decoder_embeddings", true.into()),
        ("decoder_vocab_size", Value::Null),
    ];
    for (k, v) in defaults {
        let missing = m.get(k).map(Value::is_null).unwrap_or(true);
        if missing {
            m.insert(k.to_string(), v);
        }
    }
    // `transformers` calls it "swish"; candle knows both names.
    let cfg: Config = serde_json::from_value(Value::Object(m.clone()))
        .map_err(|e| format!("it does not describe a Marian model: {e}"))?;
    if cfg.d_model == 0 || cfg.encoder_attention_heads == 0 || cfg.decoder_attention_heads == 0 {
        return Err("it gives a zero model width or head count".into());
    }
    if cfg.d_model % cfg.encoder_attention_heads != 0
        || cfg.d_model % cfg.decoder_attention_heads != 0
    {
        return Err(format!(
            "its model width {} is not a multiple of its attention heads",
            cfg.d_model
        ));
    }
    let separate = !cfg.share_encoder_decoder_embeddings;
    let tie = m
        .get("tie_word_embeddings")
        .and_then(Value::as_bool)
        .unwrap_or(true);
    if obj.get("normalize_before").and_then(Value::as_bool) == Some(true) {
        return Err("it asks for pre-layer normalisation, which Marian models do not use".into());
    }
    Ok((
        cfg,
        ModelShape {
            separate_embeddings: separate,
            tie_word_embeddings: tie,
        },
    ))
}

/// Decoding settings as `transformers` takes them: `generation_config.json` when the model
/// has one, else the generation keys of `config.json`, else the library defaults.
pub fn generation_settings(
    config: &Value,
    generation: Option<&Value>,
    cfg: &Config,
) -> GenerationSettings {
    let src = generation.unwrap_or(config);
    let get = |k: &str| src.get(k).filter(|v| !v.is_null());
    let as_u32 = |v: &Value| {
        v.as_u64().map(|x| x as u32).or_else(|| {
            v.as_array()
                .and_then(|a| a.first())
                .and_then(Value::as_u64)
                .map(|x| x as u32)
        })
    };
    let eos = get("eos_token_id")
        .and_then(as_u32)
        .unwrap_or(cfg.eos_token_id);
    let pad = get("pad_token_id")
        .and_then(as_u32)
        .unwrap_or(cfg.pad_token_id);
    let start = get("decoder_start_token_id")
        .and_then(as_u32)
        .unwrap_or(cfg.decoder_start_token_id);
    let forced_eos = match get("forced_eos_token_id") {
        Some(v) => as_u32(v),
        None if generation.is_none() => Some(cfg.forced_eos_token_id),
        None => None,
    };
    let bad_words_ids = get("bad_words_ids")
        .and_then(Value::as_array)
        .map(|outer| {
            outer
                .iter()
                .filter_map(|seq| {
                    seq.as_array().map(|s| {
                        s.iter()
                            .filter_map(|t| t.as_u64().map(|x| x as u32))
                            .collect::<Vec<u32>>()
                    })
                })
                .filter(|s| !s.is_empty())
                .collect()
        })
        .unwrap_or_default();
    let early_stopping = match get("early_stopping") {
        Some(Value::Bool(true)) => EarlyStopping::Yes,
        Some(Value::String(s)) if s == "never" => EarlyStopping::Never,
        _ => EarlyStopping::Heuristic,
    };
    GenerationSettings {
        num_beams: get("num_beams").and_then(Value::as_u64).unwrap_or(1).max(1) as usize,
        length_penalty: get("length_penalty").and_then(Value::as_f64).unwrap_or(1.0),
        max_length: get("max_length")
            .and_then(Value::as_u64)
            .unwrap_or(20)
            .max(2) as usize,
        min_length: get("min_length").and_then(Value::as_u64).unwrap_or(0) as usize,
        early_stopping,
        bad_words_ids,
        forced_eos_token_id: forced_eos,
        eos_token_id: eos,
        pad_token_id: pad,
        decoder_start_token_id: start,
    }
}
