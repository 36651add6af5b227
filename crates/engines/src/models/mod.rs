//! Model files: which model serves which language (`models/models.toml`), where its files
//! are (a folder the user names, `models/<name>/`, the Hugging Face cache), downloading them
//! from the hub on request (`download.rs`), and checking them.

pub mod catalog;
pub mod download;
pub mod store;

pub use catalog::{Catalog, ModelEntry, ModelKind, SizeEstimate};
pub use store::{
    FileCheck, FileStatus, Location, ModelError, ModelStore, Presence, ResolvedModel, StoreConfig,
};

use crate::embed::{EmbedError, MultilingualEmbedder, MULTILINGUAL_MODEL};
use crate::translate::marian::{Marian, MarianError, ModelFiles};

/// Why a model could not be made ready.
#[derive(Debug)]
pub enum LoadError {
    Store(ModelError),
    Model(MarianError),
    Embedder(EmbedError),
}

impl std::fmt::Display for LoadError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            LoadError::Store(e) => e.fmt(f),
            LoadError::Model(e) => e.fmt(f),
            LoadError::Embedder(e) => e.fmt(f),
        }
    }
}

impl std::error::Error for LoadError {}

impl From<LoadError> for crate::translate::TranslateError {
    fn from(e: LoadError) -> Self {
        match e {
            LoadError::Model(m) => m.into(),
            LoadError::Store(s) => crate::translate::TranslateError::Other(s.to_string()),
            LoadError::Embedder(e) => crate::translate::TranslateError::Other(e.to_string()),
        }
    }
}

/// Loads the Marian model that back-translates `lang` (or the model named so) into English,
/// finding its files through the store.
pub fn load_marian(store: &ModelStore, lang_or_name: &str) -> Result<Marian, LoadError> {
    let entry = store.entry(lang_or_name).map_err(LoadError::Store)?;
    load_entry(store, entry)
}

/// Loads the Marian model that translates English into `lang` (opus-mt-en-xx), for the
/// engine's round trip of the original; `None` where the catalog lists none.
pub fn load_marian_forward(store: &ModelStore, lang: &str) -> Option<Result<Marian, LoadError>> {
    let (entry, target) = store.catalog.forward_for(lang)?;
    Some(load_entry(store, entry).map(|m| m.with_target_token(target)))
}

fn load_entry(store: &ModelStore, entry: &ModelEntry) -> Result<Marian, LoadError> {
    let resolved = store.resolve(entry).map_err(LoadError::Store)?;
    let fix = store.fetch_hint(entry);
    let files = ModelFiles::in_dir(&resolved.dir, &fix).map_err(LoadError::Model)?;
    let model = Marian::load_files(&entry.name, &files, &fix).map_err(LoadError::Model)?;
    Ok(match &entry.revision {
        Some(rev) => model.with_revision(rev),
        None => model,
    })
}

/// Loads the cross-lingual sentence embedder (multilingual-e5-small, "query: " prefix),
/// finding its files through the store: a folder the user names, `models/` beside the
/// project, or the Hugging Face cache. `Err(LoadError::Store(_))` when it is not on this
/// machine; its message says how to get it.
pub fn load_multilingual(store: &ModelStore) -> Result<MultilingualEmbedder, LoadError> {
    let entry = store.entry(MULTILINGUAL_MODEL).map_err(LoadError::Store)?;
    let resolved = store.resolve(entry).map_err(LoadError::Store)?;
    MultilingualEmbedder::load(&resolved.dir).map_err(LoadError::Embedder)
}
