//! multilingual-e5-small (intfloat, MIT): one BERT encoder for about a hundred languages,
//! whose vectors of a sentence and of its translation lie close together, so an original
//! can be compared with a translation directly, with no back-translation in between.
//!
//! It is a [`SentenceEmbedder`] (the hub's config.json, model.safetensors, tokenizer.json:
//! XLM-R's SentencePiece Unigram vocabulary of 250,002 pieces, 384 dimensions, mean pooled
//! and L2 normalised) with the prefix its model card asks for: "query: " for symmetric
//! tasks such as bitext mining and similarity (the default here), "passage: " for the
//! documents of a search.
//!
//! ```no_run
//! use driftlens_engines::embed::{cosine, Embedder, MultilingualEmbedder, model_dir, MULTILINGUAL_MODEL};
//! let e5 = MultilingualEmbedder::load(&model_dir(MULTILINGUAL_MODEL))?;
//! let v = e5.embed(&["The talks went well.", "Las conversaciones fueron bien."])?;
//! println!("en-es cosine {:.3}", cosine(&v[0], &v[1]));
//! # Ok::<(), driftlens_engines::embed::EmbedError>(())
//! ```

use super::{EmbedError, Embedder, SentenceEmbedder};
use std::path::Path;

/// The model's name in the catalog (`models/models.toml`) and its folder under `models/`.
pub const MULTILINGUAL_MODEL: &str = "multilingual-e5-small";

/// The instruction e5 was trained with, put before every text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum E5Prefix {
    /// "query: ": symmetric tasks (bitext mining, similarity), the model card's advice for
    /// comparing a sentence with its translation.
    #[default]
    Query,
    /// "passage: ": the documents side of a search.
    Passage,
}

impl E5Prefix {
    pub fn text(self) -> &'static str {
        match self {
            E5Prefix::Query => "query: ",
            E5Prefix::Passage => "passage: ",
        }
    }
}

/// multilingual-e5-small on candle: vectors that compare sentences across languages.
pub struct MultilingualEmbedder {
    inner: SentenceEmbedder,
    prefix: E5Prefix,
}

impl MultilingualEmbedder {
    /// Loads the model from a folder in the hub's layout (config.json, model.safetensors,
    /// tokenizer.json, sentence_bert_config.json), with the "query: " prefix.
    pub fn load(dir: &Path) -> Result<Self, EmbedError> {
        Ok(Self::from_embedder(SentenceEmbedder::load(dir)?))
    }

    /// Wraps a loaded embedder, with the "query: " prefix.
    pub fn from_embedder(embedder: SentenceEmbedder) -> Self {
        MultilingualEmbedder {
            inner: embedder.with_prefix(E5Prefix::Query.text()),
            prefix: E5Prefix::Query,
        }
    }

    /// The same model with another prefix.
    pub fn with_prefix(self, prefix: E5Prefix) -> Self {
        MultilingualEmbedder {
            inner: self.inner.with_prefix(prefix.text()),
            prefix,
        }
    }

    pub fn prefix(&self) -> E5Prefix {
        self.prefix
    }

    /// Most sentences run through the model at once (default 256; a batch also stops at
    /// 4,096 tokens). The vectors do not depend on it.
    pub fn with_batch_size(self, n: usize) -> Self {
        MultilingualEmbedder {
            inner: self.inner.with_batch_size(n),
            prefix: self.prefix,
        }
    }

    /// The number of tokens each sentence becomes, prefix and special tokens included.
    pub fn token_counts(&self, sentences: &[&str]) -> Result<Vec<usize>, EmbedError> {
        self.inner.token_counts(sentences)
    }
}

impl Embedder for MultilingualEmbedder {
    fn embed(&self, sentences: &[&str]) -> Result<Vec<Vec<f32>>, EmbedError> {
        self.inner.embed(sentences)
    }

    fn dimension(&self) -> usize {
        self.inner.dimension()
    }

    fn id(&self) -> &str {
        self.inner.id()
    }
}
