//! `models/models.toml`: which model serves which language, and the files each model needs,
//! with sizes and checksums where they are known.

use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::Path;

/// The catalog the binary was built with.
pub const BUNDLED: &str = include_str!("../../../../models/models.toml");

/// What a model is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum ModelKind {
    /// Marian / OPUS-MT: translates into English.
    #[default]
    Translation,
    /// Sentence embeddings.
    Embedding,
}

/// One model: where it comes from and what files make it whole.
#[derive(Debug, Clone, PartialEq)]
pub struct ModelEntry {
    /// Folder name under `models/`, and the model's name in messages.
    pub name: String,
    /// Hugging Face repository, `org/name`.
    pub repo: String,
    pub kind: ModelKind,
    /// A pinned commit, or `None` for the newest (`main`).
    pub revision: Option<String>,
    /// Files every copy must have.
    pub files: Vec<String>,
    /// One of these must be present (the first is preferred when downloading).
    pub weights: Vec<String>,
    /// Used when present, fetched when the hub has them.
    pub optional: Vec<String>,
    /// Known sizes in bytes, per file.
    pub sizes: BTreeMap<String, u64>,
    /// Known sha256 digests (lowercase hex), per file.
    pub sha256: BTreeMap<String, String>,
    /// What a download of this model usually weighs, where the catalog says (Marian models:
    /// `[marian_files] typical_bytes`), for estimates before the hub is asked.
    pub typical_bytes: Option<u64>,
}

/// What fetching a model will download, as far as the catalog knows before the hub is asked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SizeEstimate {
    /// Every file that will be fetched has its size in the catalog.
    Known(u64),
    /// The catalog's typical size for the kind of model.
    About(u64),
    /// Nothing known.
    Unknown,
}

impl ModelEntry {
    /// Every file name this model may have: required, weights, optional.
    pub fn all_files(&self) -> impl Iterator<Item = &String> {
        self.files.iter().chain(&self.weights).chain(&self.optional)
    }

    /// The bytes a download of this model fetches: the sum of the catalog's sizes where it
    /// lists every required file and a weights file, else its typical size.
    pub fn size_estimate(&self) -> SizeEstimate {
        let known = |f: &String| self.sizes.get(f).copied();
        let required: Option<u64> = self.files.iter().map(known).sum();
        let weights = if self.weights.is_empty() {
            Some(0)
        } else {
            self.weights.iter().find_map(known)
        };
        match (required, weights) {
            (Some(r), Some(w)) => {
                SizeEstimate::Known(r + w + self.optional.iter().filter_map(known).sum::<u64>())
            }
            _ => self
                .typical_bytes
                .map_or(SizeEstimate::Unknown, SizeEstimate::About),
        }
    }

    /// The revision in words: the pinned commit or "unpinned".
    pub fn revision_label(&self) -> &str {
        self.revision.as_deref().unwrap_or("unpinned")
    }
}

/// The whole catalog.
#[derive(Debug, Clone, PartialEq)]
pub struct Catalog {
    pub models: Vec<ModelEntry>,
    /// Language code -> model name.
    pub languages: BTreeMap<String, String>,
    /// Language code -> the model that translates English into it, for the engine's round
    /// trip of the original.
    pub forward: BTreeMap<String, String>,
    /// Language code -> the `>>xxx<<` token a forward model that writes several languages
    /// needs for it.
    pub forward_targets: BTreeMap<String, String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCatalog {
    #[serde(default)]
    languages: BTreeMap<String, String>,
    #[serde(default)]
    forward: BTreeMap<String, String>,
    #[serde(default)]
    forward_targets: BTreeMap<String, String>,
    #[serde(default)]
    marian_files: Option<RawFiles>,
    #[serde(default)]
    model: Vec<RawModel>,
}

#[derive(Deserialize, Default, Clone)]
#[serde(deny_unknown_fields)]
struct RawFiles {
    #[serde(default)]
    files: Vec<String>,
    #[serde(default)]
    weights: Vec<String>,
    #[serde(default)]
    optional: Vec<String>,
    #[serde(default)]
    typical_bytes: Option<u64>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawModel {
    name: String,
    repo: String,
    #[serde(default)]
    kind: ModelKind,
    #[serde(default)]
    revision: Option<String>,
    files: Option<Vec<String>>,
    weights: Option<Vec<String>>,
    optional: Option<Vec<String>>,
    #[serde(default)]
    sizes: BTreeMap<String, u64>,
    #[serde(default)]
    sha256: BTreeMap<String, String>,
}

impl Catalog {
    /// The catalog bundled with the binary.
    pub fn bundled() -> Catalog {
        Catalog::parse(BUNDLED).expect("the bundled models/models.toml is valid (checked by tests)")
    }

    /// Reads a catalog file.
    pub fn load(path: &Path) -> Result<Catalog, String> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
        Catalog::parse(&text).map_err(|e| format!("{}: {e}", path.display()))
    }

    /// Parses catalog text, checking that every language points at a listed model and that
    /// checksums look like checksums.
    pub fn parse(text: &str) -> Result<Catalog, String> {
        let raw: RawCatalog =
            toml::from_str(text).map_err(|e| format!("not a valid model catalog: {e}"))?;
        let defaults = raw.marian_files.unwrap_or_default();
        let mut models = Vec::with_capacity(raw.model.len());
        for m in raw.model {
            let revision = m
                .revision
                .filter(|r| !r.is_empty() && r != "unpinned" && r != "main");
            if let Some(r) = &revision {
                if r.len() != 40 || !r.chars().all(|c| c.is_ascii_hexdigit()) {
                    return Err(format!("model {}: revision \"{r}\" is not a 40-digit commit hash (write \"unpinned\" when none is known)", m.name));
                }
            }
            for (file, digest) in &m.sha256 {
                if digest.len() != 64 || !digest.chars().all(|c| c.is_ascii_hexdigit()) {
                    return Err(format!(
                        "model {}: the sha256 of {file} is not 64 hex digits",
                        m.name
                    ));
                }
            }
            let (files, weights, optional, typical_bytes) = match m.kind {
                ModelKind::Translation => (
                    m.files.unwrap_or(defaults.files.clone()),
                    m.weights.unwrap_or(defaults.weights.clone()),
                    m.optional.unwrap_or(defaults.optional.clone()),
                    defaults.typical_bytes,
                ),
                ModelKind::Embedding => (
                    m.files.unwrap_or_default(),
                    m.weights.unwrap_or_default(),
                    m.optional.unwrap_or_default(),
                    None,
                ),
            };
            if files.is_empty() && weights.is_empty() {
                return Err(format!("model {} lists no files", m.name));
            }
            models.push(ModelEntry {
                name: m.name,
                repo: m.repo,
                kind: m.kind,
                revision,
                files,
                weights,
                optional,
                sizes: m.sizes,
                sha256: m
                    .sha256
                    .into_iter()
                    .map(|(k, v)| (k, v.to_ascii_lowercase()))
                    .collect(),
                typical_bytes,
            });
        }
        let mut seen = std::collections::HashSet::new();
        for m in &models {
            if !seen.insert(m.name.as_str()) {
                return Err(format!("model {} is listed twice", m.name));
            }
        }
        for (lang, name) in raw.languages.iter().chain(&raw.forward) {
            if !models.iter().any(|m| &m.name == name) {
                return Err(format!(
                    "language {lang} points at model {name}, which is not listed"
                ));
            }
        }
        if let Some(lang) = raw
            .forward_targets
            .keys()
            .find(|l| !raw.forward.contains_key(*l))
        {
            return Err(format!(
                "forward_targets names {lang}, which has no forward model"
            ));
        }
        Ok(Catalog {
            models,
            languages: raw.languages,
            forward: raw.forward,
            forward_targets: raw.forward_targets,
        })
    }

    pub fn model(&self, name: &str) -> Option<&ModelEntry> {
        self.models.iter().find(|m| m.name == name)
    }

    /// The model that back-translates a language (ISO 639-1, case-insensitive) into English.
    pub fn for_language(&self, lang: &str) -> Option<&ModelEntry> {
        let code = lang
            .split(['-', '_'])
            .next()
            .unwrap_or("")
            .to_ascii_lowercase();
        self.languages.get(&code).and_then(|n| self.model(n))
    }

    /// The model that translates English into a language, and the target token it needs.
    pub fn forward_for(&self, lang: &str) -> Option<(&ModelEntry, Option<&str>)> {
        let code = lang
            .split(['-', '_'])
            .next()
            .unwrap_or("")
            .to_ascii_lowercase();
        let model = self.forward.get(&code).and_then(|n| self.model(n))?;
        Some((model, self.forward_targets.get(&code).map(String::as_str)))
    }

    /// A language code or a model name.
    pub fn find(&self, lang_or_name: &str) -> Option<&ModelEntry> {
        self.for_language(lang_or_name)
            .or_else(|| self.model(lang_or_name))
    }
}
