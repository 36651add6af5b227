//! An on-disk cache of back-translations, so that reopening a corpus costs nothing.
//!
//! One small JSON file per sentence, keyed by a 128-bit hash of the engine, model, model
//! revision, settings and source text, under `<dir>/<engine>-<model>/<2 hex>/<32 hex>.json`.
//! Each file repeats the engine and the source text, so a hash collision, a truncated file
//! or a file from another engine is noticed and recomputed, never trusted and never fatal.
//! Files are written to a temporary name and renamed into place, so readers see either the
//! old entry or the new one, never half of one.

use super::{CancelFlag, EngineId, Progress, TranslateError, Translator};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

const FORMAT: &str = "driftlens-back-translation-1";

/// Back-translations stored on disk.
#[derive(Debug, Clone)]
pub struct TranslationCache {
    dir: PathBuf,
}

/// What the cache holds for a sentence.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Lookup {
    /// A stored back-translation.
    Hit(String),
    /// Nothing stored.
    Miss,
    /// A file that could not be read, did not parse, or belongs to another engine or
    /// sentence: to be recomputed and overwritten.
    Damaged(String),
}

#[derive(Serialize, Deserialize)]
struct Entry {
    format: String,
    engine: EngineId,
    source: String,
    english: String,
}

impl TranslationCache {
    /// The default folder: `$DRIFTLENS_CACHE`, else `$XDG_CACHE_HOME/driftlens`, else
    /// `~/.cache/driftlens`, with `translations/` below it.
    pub fn default_dir() -> PathBuf {
        let base = std::env::var_os("DRIFTLENS_CACHE")
            .filter(|v| !v.is_empty())
            .map(PathBuf::from)
            .or_else(|| {
                std::env::var_os("XDG_CACHE_HOME")
                    .filter(|v| !v.is_empty())
                    .map(|x| PathBuf::from(x).join("driftlens"))
            })
            .or_else(|| {
                std::env::var_os("HOME")
                    .filter(|v| !v.is_empty())
                    .map(|h| PathBuf::from(h).join(".cache").join("driftlens"))
            })
            .unwrap_or_else(|| std::env::temp_dir().join("driftlens"));
        base.join("translations")
    }

    /// A cache in `dir` (created when the first entry is written).
    pub fn new(dir: impl Into<PathBuf>) -> TranslationCache {
        TranslationCache { dir: dir.into() }
    }

    /// A cache in [`TranslationCache::default_dir`].
    pub fn open_default() -> TranslationCache {
        TranslationCache::new(TranslationCache::default_dir())
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The file that holds (or would hold) the back-translation of `source` by `engine`.
    pub fn entry_path(&self, engine: &EngineId, source: &str) -> PathBuf {
        let key = format!("{:032x}", entry_key(engine, source));
        let folder: String = format!("{}-{}", engine.engine, engine.model)
            .chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() || c == '-' || c == '_' || c == '.' {
                    c
                } else {
                    '_'
                }
            })
            .collect();
        self.dir
            .join(folder)
            .join(&key[..2])
            .join(format!("{key}.json"))
    }

    /// The stored back-translation of `source` by `engine`, if any.
    pub fn get(&self, engine: &EngineId, source: &str) -> Lookup {
        let path = self.entry_path(engine, source);
        let bytes = match std::fs::read(&path) {
            Ok(b) => b,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Lookup::Miss,
            Err(e) => return Lookup::Damaged(format!("{}: {e}", path.display())),
        };
        match serde_json::from_slice::<Entry>(&bytes) {
            Ok(entry)
                if entry.format == FORMAT && &entry.engine == engine && entry.source == source =>
            {
                Lookup::Hit(entry.english)
            }
            Ok(_) => Lookup::Damaged(format!(
                "{}: holds another engine's or sentence's entry",
                path.display()
            )),
            Err(e) => Lookup::Damaged(format!("{}: {e}", path.display())),
        }
    }

    /// Stores the back-translation of `source` by `engine`, atomically.
    pub fn put(&self, engine: &EngineId, source: &str, english: &str) -> std::io::Result<()> {
        let path = self.entry_path(engine, source);
        let folder = path.parent().expect("entry paths have a folder");
        std::fs::create_dir_all(folder)?;
        let entry = Entry {
            format: FORMAT.to_string(),
            engine: engine.clone(),
            source: source.to_string(),
            english: english.to_string(),
        };
        let bytes = serde_json::to_vec(&entry).map_err(std::io::Error::other)?;
        // atomic (a reader never sees half an entry), not durable: a cache can be recomputed
        crate::atomic::write(&path, &bytes, crate::atomic::Durability::Atomic)
            .map_err(|e| std::io::Error::new(e.source.kind(), e.to_string()))
    }
}

/// FNV-1a, 128 bits, over the engine's fields and the source text, each ended by a zero
/// byte: stable across runs, platforms and compiler versions.
fn entry_key(engine: &EngineId, source: &str) -> u128 {
    const OFFSET: u128 = 0x6c62272e07bb014262b821756295c58d;
    const PRIME: u128 = 0x0000000001000000000000000000013B;
    let mut h = OFFSET;
    for part in [
        FORMAT,
        &engine.engine,
        &engine.model,
        &engine.revision,
        &engine.settings,
        source,
    ] {
        for &b in part.as_bytes().iter().chain(std::iter::once(&0u8)) {
            h ^= b as u128;
            h = h.wrapping_mul(PRIME);
        }
    }
    h
}

/// What a [`CachedTranslator`] did so far.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct CacheStats {
    /// Sentences answered from the cache.
    pub hits: usize,
    /// Sentences the engine translated.
    pub misses: usize,
    /// Damaged entries found (and recomputed).
    pub damaged: usize,
    /// Entries that could not be written (the results were still returned).
    pub write_errors: usize,
    /// The last write error, for a warning.
    pub last_write_error: Option<String>,
}

/// Any [`Translator`] with the on-disk cache in front of it: cached sentences are not sent
/// to the engine; new results are stored. The cache never makes a translation fail.
pub struct CachedTranslator<T> {
    inner: T,
    cache: TranslationCache,
    stats: Mutex<CacheStats>,
}

impl<T: Translator> CachedTranslator<T> {
    pub fn new(inner: T, cache: TranslationCache) -> CachedTranslator<T> {
        CachedTranslator {
            inner,
            cache,
            stats: Mutex::new(CacheStats::default()),
        }
    }

    /// The engine behind the cache.
    pub fn inner(&self) -> &T {
        &self.inner
    }

    pub fn cache(&self) -> &TranslationCache {
        &self.cache
    }

    /// Hits, misses and problems so far.
    pub fn stats(&self) -> CacheStats {
        self.stats.lock().map(|s| s.clone()).unwrap_or_default()
    }

    fn record(&self, f: impl FnOnce(&mut CacheStats)) {
        if let Ok(mut s) = self.stats.lock() {
            f(&mut s);
        }
    }
}

impl<T: Translator> Translator for CachedTranslator<T> {
    fn id(&self) -> EngineId {
        self.inner.id()
    }

    fn translate_batch(
        &self,
        sentences: &[String],
        progress: Progress<'_>,
        cancel: &CancelFlag,
    ) -> Result<Vec<String>, TranslateError> {
        let id = self.inner.id();
        let total = sentences.len();
        let mut out: Vec<Option<String>> = Vec::with_capacity(total);
        let mut damaged = 0;
        for s in sentences {
            match self.cache.get(&id, s) {
                Lookup::Hit(english) => out.push(Some(english)),
                Lookup::Miss => out.push(None),
                Lookup::Damaged(_) => {
                    damaged += 1;
                    out.push(None);
                }
            }
        }
        let hits = out.iter().filter(|o| o.is_some()).count();
        // Each distinct missing sentence goes to the engine once.
        let mut unique: Vec<String> = Vec::new();
        let mut slot: HashMap<&str, usize> = HashMap::new();
        for (s, o) in sentences.iter().zip(&out) {
            if o.is_none() && !slot.contains_key(s.as_str()) {
                slot.insert(s, unique.len());
                unique.push(s.clone());
            }
        }
        self.record(|st| {
            st.hits += hits;
            st.misses += total - hits;
            st.damaged += damaged;
        });
        if !unique.is_empty() {
            if hits > 0 {
                progress(hits, total);
            }
            let english = self.inner.translate_batch(
                &unique,
                &|d, _| progress((hits + d).min(total), total),
                cancel,
            )?;
            if english.len() != unique.len() {
                return Err(TranslateError::Misaligned {
                    engine: id.to_string(),
                    expected: unique.len(),
                    got: english.len(),
                });
            }
            for (s, e) in unique.iter().zip(&english) {
                if let Err(err) = self.cache.put(&id, s, e) {
                    let msg = format!(
                        "cannot write the back-translation cache in {}: {err}",
                        self.cache.dir().display()
                    );
                    self.record(|st| {
                        st.write_errors += 1;
                        st.last_write_error = Some(msg);
                    });
                }
            }
            for (s, o) in sentences.iter().zip(out.iter_mut()) {
                if o.is_none() {
                    *o = Some(english[slot[s.as_str()]].clone());
                }
            }
        }
        progress(total, total);
        Ok(out.into_iter().map(|o| o.unwrap_or_default()).collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_differ_by_engine_revision_settings_and_text() {
        let a = EngineId::new("apertium", "spa-eng", "r1", "");
        let b = EngineId::new("apertium", "spa-eng", "r2", "");
        let c = EngineId::new("apertium", "spa-eng", "r1", "beam=4");
        let keys = [
            entry_key(&a, "Hola."),
            entry_key(&b, "Hola."),
            entry_key(&c, "Hola."),
            entry_key(&a, "Hola!"),
        ];
        for i in 0..keys.len() {
            for j in i + 1..keys.len() {
                assert_ne!(keys[i], keys[j]);
            }
        }
        assert_eq!(entry_key(&a, "Hola."), entry_key(&a.clone(), "Hola."));
    }
}
