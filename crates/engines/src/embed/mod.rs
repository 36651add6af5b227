//! Sentence embeddings on candle: BERT-family sentence-transformers models such as
//! all-MiniLM-L6-v2, mean pooled over the attention mask and L2 normalised, so that the dot
//! product of two vectors is their cosine similarity.
//!
//! ```no_run
//! use driftlens_engines::embed::{Embedder, SentenceEmbedder};
//! let model = SentenceEmbedder::load("models/all-MiniLM-L6-v2".as_ref())?;
//! let v = model.embed(&["The talks went well.", "The negotiations were a success."])?;
//! println!("cosine {:.3}", driftlens_engines::embed::cosine(&v[0], &v[1]));
//! # Ok::<(), driftlens_engines::embed::EmbedError>(())
//! ```

mod bert;
mod cache;
mod multilingual;

/// The encoder loops' `exp` and softmax, shared with Marian's encoder and decoding attention,
/// and the run-time check for the AVX2 and FMA loops (also Marian's f32 kernel's).
pub(crate) use bert::{fast_exp, has_avx2_fma, softmax};
pub use cache::EmbeddingCache;
pub use multilingual::{E5Prefix, MultilingualEmbedder, MULTILINGUAL_MODEL};

use bert::PackedBert;
use candle_core::{DType, Device};
use candle_nn::VarBuilder;
use candle_transformers::models::bert::Config as BertConfig;
use std::path::{Path, PathBuf};
use tokenizers::{Tokenizer, TruncationParams};

/// What to run to get the test and default models.
pub const FETCH_HINT: &str =
    "run scripts/fetch-test-models (or put the model's files there yourself)";

/// Something went wrong loading or running an embedding model.
#[derive(Debug, thiserror::Error)]
pub enum EmbedError {
    #[error("the model folder {dir} does not exist; {hint}")]
    MissingFolder { dir: PathBuf, hint: &'static str },
    #[error("the model file {path} is missing; {hint}")]
    MissingFile { path: PathBuf, hint: &'static str },
    #[error("the model file {path} cannot be read ({reason}); delete it and {hint}")]
    Corrupt {
        path: PathBuf,
        reason: String,
        hint: &'static str,
    },
    #[error("the embedding model in {dir} failed: {reason}")]
    Model { dir: PathBuf, reason: String },
    #[error("the embedding cache {path}: {reason}")]
    Cache { path: PathBuf, reason: String },
}

/// Turns sentences into unit-length vectors whose dot product is their cosine similarity.
pub trait Embedder {
    /// One vector per sentence, in the order given.
    fn embed(&self, sentences: &[&str]) -> Result<Vec<Vec<f32>>, EmbedError>;
    /// Length of every vector.
    fn dimension(&self) -> usize;
    /// A name for the model and its exact files, used to key caches.
    fn id(&self) -> &str;
}

pub use driftlens_core::drift::metrics::cosine;

/// How the aligner names cross-lingual sentence vectors among its signals.
pub const VECTORS_SIGNAL: &str = "cross-lingual sentence vectors";

/// Aligns two sides with `embedder`'s vectors of every sentence joining the evidence (the
/// core's [`VectorSimilarity`](driftlens_core::align::VectorSimilarity); length, marks and
/// paragraph anchors stay). The embedder should be cross-lingual
/// ([`MultilingualEmbedder`]): the two sides are in different languages.
pub fn align_with_vectors(
    embedder: &dyn Embedder,
    original: &driftlens_core::align::Side,
    translation: &driftlens_core::align::Side,
) -> Result<driftlens_core::align::Alignment, EmbedError> {
    let a = embedder.embed(&original.sentences)?;
    let b = embedder.embed(&translation.sentences)?;
    let mut embed = |texts: &[&str]| embedder.embed(texts).ok();
    Ok(align_with_given_vectors(
        original,
        translation,
        &a,
        &b,
        Some(&mut embed),
    ))
}

/// [`align_with_vectors`] with vectors computed beforehand (from a cache, say); vectors
/// that do not fit the sentences are left out and the alignment is model-free. Sentences
/// the aligner joined to a bead that reads better without them are split off as added or
/// dropped ([`split_strays`](driftlens_core::align::strays::split_strays)). With `embed`
/// (the same model's vectors of any text), two beads whose sentences a guessed cut
/// (Thai's spaces) parts in the wrong place are joined
/// ([`join_crossed_cuts`](driftlens_core::align::recut::join_crossed_cuts)).
pub fn align_with_given_vectors(
    original: &driftlens_core::align::Side,
    translation: &driftlens_core::align::Side,
    original_vectors: &[Vec<f32>],
    translation_vectors: &[Vec<f32>],
    embed: Option<&mut driftlens_core::align::recut::Embed>,
) -> driftlens_core::align::Alignment {
    use driftlens_core::align::recut::{join_crossed_cuts, Cuttable};
    use driftlens_core::align::strays::{split_strays, Sentences};
    use driftlens_core::align::{align_sides, PairSimilarity, VectorSimilarity};
    let fits = original_vectors.len() == original.sentences.len()
        && translation_vectors.len() == translation.sentences.len();
    // Each sentence weighs in a run's sum by its length in characters: e5 mean-pools
    // tokens, so the run's text would weigh its sentences so.
    let lengths = |side: &driftlens_core::align::Side| -> Vec<f32> {
        side.sentences
            .iter()
            .map(|s| s.chars().count().max(1) as f32)
            .collect()
    };
    let similarity = fits
        .then(|| {
            VectorSimilarity::weighted(
                VECTORS_SIGNAL,
                original_vectors,
                translation_vectors,
                &lengths(original),
                &lengths(translation),
            )
        })
        .flatten();
    let found = align_sides(
        original,
        translation,
        similarity.as_ref().map(|s| s as &dyn PairSimilarity),
    );
    if !fits {
        return found;
    }
    // The aligner weighs a bead's vectors summed; each sentence on its own tells an added
    // sentence joined to its neighbour from a split (Text+Berg dev strict F1 0.916 → 0.919,
    // the bundled corpus's hand-checked beads 794 → 802 of 807).
    let split = split_strays(
        &found,
        Sentences {
            texts: &original.sentences,
            vectors: original_vectors,
        },
        Sentences {
            texts: &translation.sentences,
            vectors: translation_vectors,
        },
    );
    match embed {
        Some(embed) => join_crossed_cuts(
            &split,
            Cuttable {
                side: original,
                vectors: original_vectors,
            },
            Cuttable {
                side: translation,
                vectors: translation_vectors,
            },
            embed,
        ),
        None => split,
    }
}

/// Tokens run through the model at once: large enough that the matrix products run at
/// full speed, small enough that a batch's activations (tokens × intermediate size × 4
/// bytes: 24 MiB for e5-small) stay modest.
const TOKENS_PER_BATCH: usize = 4096;

/// A sentence-transformers BERT model (config.json, model.safetensors, tokenizer.json) run
/// with candle on the CPU.
pub struct SentenceEmbedder {
    model: PackedBert,
    tokenizer: Tokenizer,
    dim: usize,
    max_tokens: usize,
    batch_size: usize,
    /// Put before every sentence (e5's "query: "); empty for sentence-transformers models.
    prefix: String,
    id: String,
    dir: PathBuf,
}

fn fnv1a(mut h: u64, bytes: &[u8]) -> u64 {
    for b in bytes {
        h ^= *b as u64;
        h = h.wrapping_mul(0x100000001b3);
    }
    h
}

/// A prefix as a part of a cache key: its letters, e.g. "query".
fn prefix_key(prefix: &str) -> String {
    prefix
        .chars()
        .filter(|c| c.is_alphanumeric())
        .collect::<String>()
}

/// What names a model's vectors in a cache: its config, tokenizer, and the weights' length,
/// first and last 64 KiB (a model fetched again or converted anew gets another id).
fn identity_hash(config: &[u8], tokenizer: &[u8], len: u64, head: &[u8], tail: &[u8]) -> u64 {
    let mut h = fnv1a(0xcbf29ce484222325, config);
    h = fnv1a(h, tokenizer);
    h = fnv1a(h, &len.to_le_bytes());
    h = fnv1a(h, head);
    fnv1a(h, tail)
}

/// The id and vector length that [`SentenceEmbedder::load`] followed by
/// [`SentenceEmbedder::with_prefix`]`(prefix)` would give the model in `dir`, without
/// loading it (reads the config, the tokenizer and 128 KiB of the weights): a caller whose
/// vectors are all cached need not load the model at all.
pub fn model_identity(dir: &Path, prefix: &str) -> Result<(String, usize), EmbedError> {
    use std::io::{Read, Seek, SeekFrom};
    let config_path = dir.join("config.json");
    let config_bytes = read_file(&config_path)?;
    let config: BertConfig =
        serde_json::from_slice(&config_bytes).map_err(|e| EmbedError::Corrupt {
            path: config_path,
            reason: format!("not a BERT config: {e}"),
            hint: FETCH_HINT,
        })?;
    let tokenizer_bytes = read_file(&dir.join("tokenizer.json"))?;
    let weights_path = dir.join("model.safetensors");
    let io = |e: std::io::Error| EmbedError::Corrupt {
        path: weights_path.clone(),
        reason: e.to_string(),
        hint: FETCH_HINT,
    };
    let mut f = std::fs::File::open(&weights_path).map_err(|_| EmbedError::MissingFile {
        path: weights_path.clone(),
        hint: FETCH_HINT,
    })?;
    let len = f.metadata().map_err(io)?.len();
    let part = len.min(1 << 16) as usize;
    let mut head = vec![0; part];
    f.read_exact(&mut head).map_err(io)?;
    let mut tail = vec![0; part];
    f.seek(SeekFrom::Start(len - part as u64)).map_err(io)?;
    f.read_exact(&mut tail).map_err(io)?;
    let name = dir
        .file_name()
        .map(|n| n.to_string_lossy().to_string())
        .unwrap_or_else(|| "model".into());
    let h = identity_hash(&config_bytes, &tokenizer_bytes, len, &head, &tail);
    let id = match prefix {
        "" => format!("{name}-{h:016x}"),
        p => format!("{name}-{h:016x}-{}", prefix_key(p)),
    };
    Ok((id, config.hidden_size))
}

fn read_file(path: &Path) -> Result<Vec<u8>, EmbedError> {
    match std::fs::read(path) {
        Ok(b) => Ok(b),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Err(EmbedError::MissingFile {
            path: path.to_path_buf(),
            hint: FETCH_HINT,
        }),
        Err(e) => Err(EmbedError::Corrupt {
            path: path.to_path_buf(),
            reason: e.to_string(),
            hint: FETCH_HINT,
        }),
    }
}

impl SentenceEmbedder {
    /// Loads a model from a folder holding `config.json`, `model.safetensors` and
    /// `tokenizer.json` (the layout of a sentence-transformers model on the Hugging Face hub).
    /// `sentence_bert_config.json`, when present, gives the longest input in tokens
    /// (default 256); longer sentences are cut, as sentence-transformers does.
    pub fn load(dir: &Path) -> Result<Self, EmbedError> {
        if !dir.is_dir() {
            return Err(EmbedError::MissingFolder {
                dir: dir.to_path_buf(),
                hint: FETCH_HINT,
            });
        }
        let config_path = dir.join("config.json");
        let weights_path = dir.join("model.safetensors");
        let tokenizer_path = dir.join("tokenizer.json");
        let config_bytes = read_file(&config_path)?;
        let config: BertConfig =
            serde_json::from_slice(&config_bytes).map_err(|e| EmbedError::Corrupt {
                path: config_path.clone(),
                reason: format!("not a BERT config: {e}"),
                hint: FETCH_HINT,
            })?;
        if config.hidden_size == 0
            || config.num_attention_heads == 0
            || config.hidden_size % config.num_attention_heads != 0
        {
            return Err(EmbedError::Corrupt {
                path: config_path,
                reason: format!(
                    "hidden_size {} is not a multiple of num_attention_heads {}",
                    config.hidden_size, config.num_attention_heads
                ),
                hint: FETCH_HINT,
            });
        }
        let tokenizer_bytes = read_file(&tokenizer_path)?;
        let mut tokenizer =
            Tokenizer::from_bytes(&tokenizer_bytes).map_err(|e| EmbedError::Corrupt {
                path: tokenizer_path.clone(),
                reason: e.to_string(),
                hint: FETCH_HINT,
            })?;
        let mut max_tokens = 256usize;
        if let Ok(b) = std::fs::read(dir.join("sentence_bert_config.json")) {
            if let Some(n) = serde_json::from_slice::<serde_json::Value>(&b)
                .ok()
                .and_then(|v| v.get("max_seq_length").and_then(|x| x.as_u64()))
            {
                max_tokens = n as usize;
            }
        }
        max_tokens = max_tokens.clamp(2, config.max_position_embeddings.max(2));
        tokenizer.with_padding(None);
        tokenizer
            .with_truncation(Some(TruncationParams {
                max_length: max_tokens,
                ..Default::default()
            }))
            .map_err(|e| EmbedError::Corrupt {
                path: tokenizer_path.clone(),
                reason: e.to_string(),
                hint: FETCH_HINT,
            })?;

        let weights = read_file(&weights_path)?;
        let device = Device::Cpu;
        let h = identity_hash(
            &config_bytes,
            &tokenizer_bytes,
            weights.len() as u64,
            &weights[..weights.len().min(1 << 16)],
            &weights[weights.len().saturating_sub(1 << 16)..],
        );
        let vb =
            VarBuilder::from_buffered_safetensors(weights, DType::F32, &device).map_err(|e| {
                EmbedError::Corrupt {
                    path: weights_path.clone(),
                    reason: e.to_string(),
                    hint: FETCH_HINT,
                }
            })?;
        let model = PackedBert::load(vb, &config).map_err(|e| EmbedError::Corrupt {
            path: weights_path.clone(),
            reason: format!("not the weights of this BERT model: {e}"),
            hint: FETCH_HINT,
        })?;
        let name = dir
            .file_name()
            .map(|n| n.to_string_lossy().to_string())
            .unwrap_or_else(|| "model".into());
        Ok(Self {
            model,
            tokenizer,
            dim: config.hidden_size,
            max_tokens,
            batch_size: 256,
            prefix: String::new(),
            id: format!("{name}-{h:016x}"),
            dir: dir.to_path_buf(),
        })
    }

    /// Most sentences run through the model at once (default 256; a batch also stops at
    /// 4,096 tokens). Sentences are packed end to end, with no padding, so the batch size
    /// changes only how large each matrix product is, never the vectors.
    pub fn with_batch_size(mut self, n: usize) -> Self {
        self.batch_size = n.max(1);
        self
    }

    /// Puts `prefix` before every sentence, as models trained with instructions want (e5:
    /// "query: "); the prefix is part of [`Embedder::id`], so caches keep the two apart.
    pub fn with_prefix(mut self, prefix: &str) -> Self {
        if !self.prefix.is_empty() {
            let old = format!("-{}", prefix_key(&self.prefix));
            if let Some(base) = self.id.strip_suffix(old.as_str()) {
                self.id = base.to_string();
            }
        }
        self.prefix = prefix.to_string();
        if !prefix.is_empty() {
            self.id = format!("{}-{}", self.id, prefix_key(prefix));
        }
        self
    }

    /// The longest input in tokens; longer sentences are cut.
    pub fn max_tokens(&self) -> usize {
        self.max_tokens
    }

    fn model_error(&self, e: impl std::fmt::Display) -> EmbedError {
        EmbedError::Model {
            dir: self.dir.clone(),
            reason: e.to_string(),
        }
    }

    /// The number of tokens each sentence becomes (with the prefix and the special tokens,
    /// cut at [`Self::max_tokens`]): what the model computes over.
    pub fn token_counts(&self, sentences: &[&str]) -> Result<Vec<usize>, EmbedError> {
        Ok(self
            .encode(sentences)?
            .iter()
            .map(|e| e.get_ids().len())
            .collect())
    }

    fn encode(&self, sentences: &[&str]) -> Result<Vec<tokenizers::Encoding>, EmbedError> {
        let inputs: Vec<String> = sentences
            .iter()
            .map(|s| format!("{}{s}", self.prefix))
            .collect();
        self.tokenizer
            .encode_batch(inputs, true)
            .map_err(|e| self.model_error(format!("tokenizer: {e}")))
    }
}

impl Embedder for SentenceEmbedder {
    fn embed(&self, sentences: &[&str]) -> Result<Vec<Vec<f32>>, EmbedError> {
        if sentences.is_empty() {
            return Ok(Vec::new());
        }
        let encodings = self.encode(sentences)?;
        let ids: Vec<&[u32]> = encodings.iter().map(|e| e.get_ids()).collect();
        let mut out = Vec::with_capacity(ids.len());
        let mut first = 0;
        while first < ids.len() {
            // Whole sentences up to the token budget (at least one).
            let mut end = first + 1;
            let mut tokens = ids[first].len();
            while end < ids.len()
                && end - first < self.batch_size
                && tokens + ids[end].len() <= TOKENS_PER_BATCH
            {
                tokens += ids[end].len();
                end += 1;
            }
            let vectors = self
                .model
                .embed(&ids[first..end])
                .map_err(|e| self.model_error(e))?;
            out.extend(vectors);
            first = end;
        }
        Ok(out)
    }

    fn dimension(&self) -> usize {
        self.dim
    }

    fn id(&self) -> &str {
        &self.id
    }
}

/// Where the test and benchmark models live: `$DRIFTLENS_MODELS/<name>` when that variable
/// is set, else `models/<name>` beside the project.
pub fn model_dir(name: &str) -> PathBuf {
    if let Some(root) = std::env::var_os("DRIFTLENS_MODELS") {
        return PathBuf::from(root).join(name);
    }
    let here = PathBuf::from("models").join(name);
    if here.is_dir() {
        return here;
    }
    crate::project_dir().join("models").join(name)
}
