//! An on-disk cache of sentence vectors, keyed by the model's id and a hash of the text, so
//! that a benchmark or a re-opened project embeds each sentence once.
//!
//! One append-only file per model: a header (`DLEMB001`, the dimension as u32) followed by
//! records of a 16-byte text hash and the vector as little-endian f32. A record cut short by a
//! crash is ignored on the next open.

use super::{EmbedError, Embedder};
use std::collections::HashMap;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};

const MAGIC: &[u8; 8] = b"DLEMB001";

/// Vectors already computed for one model, kept in memory and mirrored on disk.
pub struct EmbeddingCache {
    path: PathBuf,
    dim: usize,
    vectors: HashMap<u128, Vec<f32>>,
}

/// A 128-bit hash of a text (two FNV-1a passes with different seeds); stable across runs,
/// platforms and compiler versions.
pub fn text_key(text: &str) -> u128 {
    let mut a: u64 = 0xcbf29ce484222325;
    let mut b: u64 = 0x84222325cbf29ce4;
    for &c in text.as_bytes() {
        a ^= c as u64;
        a = a.wrapping_mul(0x100000001b3);
        b ^= (c as u64).wrapping_add(0x9e);
        b = b.wrapping_mul(0x100000001b3).rotate_left(5);
    }
    ((a as u128) << 64) | b as u128
}

impl EmbeddingCache {
    /// The default folder: `$DRIFTLENS_CACHE`, else `$XDG_CACHE_HOME/driftlens`, else
    /// `~/.cache/driftlens`, with `embeddings/` below it.
    pub fn default_dir() -> PathBuf {
        let base = std::env::var_os("DRIFTLENS_CACHE")
            .map(PathBuf::from)
            .or_else(|| {
                std::env::var_os("XDG_CACHE_HOME").map(|x| PathBuf::from(x).join("driftlens"))
            })
            .or_else(|| {
                std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cache").join("driftlens"))
            })
            .unwrap_or_else(|| std::env::temp_dir().join("driftlens"));
        base.join("embeddings")
    }

    /// Opens (or starts) the cache for `model_id` with vectors of `dim` numbers in `dir`.
    /// A file that is not a cache, or holds another dimension, is started afresh.
    pub fn open(dir: &Path, model_id: &str, dim: usize) -> Result<Self, EmbedError> {
        let safe: String = model_id
            .chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() || c == '-' || c == '_' || c == '.' {
                    c
                } else {
                    '_'
                }
            })
            .collect();
        let path = dir.join(format!("{safe}.bin"));
        let err = |reason: String| EmbedError::Cache {
            path: path.clone(),
            reason,
        };
        std::fs::create_dir_all(dir).map_err(|e| err(format!("cannot create the folder: {e}")))?;
        let mut vectors = HashMap::new();
        let mut valid = false;
        if let Ok(mut f) = std::fs::File::open(&path) {
            let mut bytes = Vec::new();
            f.read_to_end(&mut bytes)
                .map_err(|e| err(format!("cannot read: {e}")))?;
            if bytes.len() >= 12
                && &bytes[..8] == MAGIC
                && u32::from_le_bytes(bytes[8..12].try_into().unwrap()) as usize == dim
            {
                valid = true;
                let rec = 16 + 4 * dim;
                let body = &bytes[12..];
                for r in body.chunks_exact(rec) {
                    let key = u128::from_le_bytes(r[..16].try_into().unwrap());
                    let v: Vec<f32> = r[16..]
                        .chunks_exact(4)
                        .map(|c| f32::from_le_bytes(c.try_into().unwrap()))
                        .collect();
                    vectors.insert(key, v);
                }
                let whole = body.len() / rec * rec;
                if whole != body.len() {
                    // Drop a record cut short by a crash so that appends line up again.
                    let f = std::fs::OpenOptions::new()
                        .write(true)
                        .open(&path)
                        .map_err(|e| err(e.to_string()))?;
                    f.set_len((12 + whole) as u64)
                        .map_err(|e| err(e.to_string()))?;
                }
            }
        }
        if !valid {
            let mut f =
                std::fs::File::create(&path).map_err(|e| err(format!("cannot create: {e}")))?;
            f.write_all(MAGIC)
                .and_then(|_| f.write_all(&(dim as u32).to_le_bytes()))
                .map_err(|e| err(e.to_string()))?;
        }
        Ok(Self { path, dim, vectors })
    }

    /// Opens the cache for `embedder` in the default folder.
    pub fn for_embedder(embedder: &dyn Embedder) -> Result<Self, EmbedError> {
        Self::open(&Self::default_dir(), embedder.id(), embedder.dimension())
    }

    /// Where the vectors are kept.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// How many vectors the cache holds.
    pub fn len(&self) -> usize {
        self.vectors.len()
    }

    pub fn is_empty(&self) -> bool {
        self.vectors.is_empty()
    }

    /// The cached vector for a text, if any.
    pub fn get(&self, text: &str) -> Option<&[f32]> {
        self.vectors.get(&text_key(text)).map(|v| v.as_slice())
    }

    /// Vectors for all `texts`: cached ones are looked up, the others embedded (in chunks of
    /// `chunk`, with `progress(done, to_do)` called after each) and appended to the cache.
    pub fn embed_all(
        &mut self,
        embedder: &dyn Embedder,
        texts: &[&str],
        chunk: usize,
        mut progress: impl FnMut(usize, usize),
    ) -> Result<Vec<Vec<f32>>, EmbedError> {
        let mut missing: Vec<&str> = Vec::new();
        let mut seen = std::collections::HashSet::new();
        for t in texts {
            let k = text_key(t);
            if !self.vectors.contains_key(&k) && seen.insert(k) {
                missing.push(t);
            }
        }
        let total = missing.len();
        let mut done = 0;
        for part in missing.chunks(chunk.max(1)) {
            let vecs = embedder.embed(part)?;
            let mut buf = Vec::with_capacity(part.len() * (16 + 4 * self.dim));
            for (t, v) in part.iter().zip(&vecs) {
                if v.len() != self.dim {
                    return Err(EmbedError::Cache {
                        path: self.path.clone(),
                        reason: format!(
                            "the model gave {} numbers, the cache holds {}",
                            v.len(),
                            self.dim
                        ),
                    });
                }
                buf.extend_from_slice(&text_key(t).to_le_bytes());
                for x in v {
                    buf.extend_from_slice(&x.to_le_bytes());
                }
            }
            let mut f = std::fs::OpenOptions::new()
                .append(true)
                .open(&self.path)
                .map_err(|e| EmbedError::Cache {
                    path: self.path.clone(),
                    reason: format!("cannot append: {e}"),
                })?;
            f.write_all(&buf).map_err(|e| EmbedError::Cache {
                path: self.path.clone(),
                reason: format!("cannot append: {e}"),
            })?;
            for (t, v) in part.iter().zip(vecs) {
                self.vectors.insert(text_key(t), v);
            }
            done += part.len();
            progress(done, total);
        }
        Ok(texts
            .iter()
            .map(|t| self.vectors[&text_key(t)].clone())
            .collect())
    }
}
