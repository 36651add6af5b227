//! Finding, checking and downloading model files.
//!
//! Files are looked for, in order: in a folder the user names; in `models/<name>/` beside the
//! project; in the Hugging Face cache (`HF_HUB_CACHE`, else `HF_HOME/hub`, else
//! `~/.cache/huggingface/hub`, in its `models--org--name/snapshots/<commit>/` layout). The
//! store only looks; `download.rs` fetches into the Hugging Face cache when asked (`driftlens
//! models fetch`, the workbench's Download), unless `HF_HUB_OFFLINE=1` says not to, and
//! checks what it fetched against the sizes and checksums `models.toml` knows.

use super::catalog::{Catalog, ModelEntry};
use crate::translate::marian::files::check_format;
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;
use std::fmt;
use std::io::Read;
use std::path::{Path, PathBuf};

/// Where a model was found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Location {
    /// A folder the user named (`--model DIR`, `--models DIR`).
    UserFolder,
    /// `models/<name>/` beside the project.
    Project,
    /// The Hugging Face cache.
    HfCache,
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Location::UserFolder => "your folder",
            Location::Project => "models/",
            Location::HfCache => "HF cache",
        })
    }
}

/// A model whose files are all on disk.
#[derive(Debug, Clone, PartialEq)]
pub struct ResolvedModel {
    pub entry: ModelEntry,
    pub location: Location,
    /// The folder holding the files.
    pub dir: PathBuf,
    /// File name -> path, for every file present (required, weights, optional).
    pub files: BTreeMap<String, PathBuf>,
}

impl ResolvedModel {
    /// Bytes on disk, over all files present.
    pub fn size(&self) -> u64 {
        self.files
            .values()
            .filter_map(|p| std::fs::metadata(p).ok())
            .map(|m| m.len())
            .sum()
    }
}

/// What `locate` found for a model.
#[derive(Debug, Clone, PartialEq)]
pub enum Presence {
    /// Boxed: a resolved model is large beside the other answers.
    Present(Box<ResolvedModel>),
    /// Some files were found, not all: the most complete folder and what it lacks.
    Incomplete {
        dir: PathBuf,
        location: Location,
        missing: Vec<String>,
    },
    Missing,
}

/// Why a model cannot be had. Every message names the model or file and what to do.
#[derive(Debug)]
pub enum ModelError {
    UnknownLanguage {
        lang: String,
        known: String,
    },
    /// Not on disk, and downloading is off or not allowed.
    NotFound {
        model: String,
        looked: Vec<PathBuf>,
        fix: String,
    },
    /// The Hugging Face hub cannot be reached (no network, a proxy, a wrong `HF_ENDPOINT`),
    /// or the connection broke mid-file: the whole download stops; parts are kept.
    Unreachable {
        endpoint: String,
        reason: String,
    },
    /// The download was cancelled; the parts fetched so far are kept and resumed next time.
    Cancelled,
    /// Downloading was needed but `HF_HUB_OFFLINE` forbids it.
    Offline {
        model: String,
        file: String,
        fix: String,
    },
    /// The download failed.
    Download {
        model: String,
        file: String,
        url: String,
        reason: String,
        fix: String,
    },
    /// A file is there but wrong: truncated, damaged, or not the file models.toml names.
    BadFile {
        path: PathBuf,
        problem: String,
        fix: String,
    },
    Io {
        path: PathBuf,
        error: std::io::Error,
    },
}

impl fmt::Display for ModelError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ModelError::UnknownLanguage { lang, known } => write!(f, "no back-translation model is listed for language '{lang}' in models/models.toml (languages listed: {known})"),
            ModelError::NotFound { model, looked, fix } => {
                let looked: Vec<String> = looked.iter().map(|p| p.display().to_string()).collect();
                write!(f, "model {model} is not on this computer (looked in {}); {fix}", looked.join(", "))
            }
            ModelError::Unreachable { endpoint, reason } => write!(f, "cannot reach the Hugging Face hub at {endpoint}: {reason}; check the network (or HTTPS_PROXY, HF_ENDPOINT), or copy the model folders by hand into the Hugging Face cache ($HF_HOME/hub/models--ORG--NAME/snapshots/REVISION/) or into models/NAME/"),
            ModelError::Cancelled => write!(f, "the download was cancelled; what arrived is kept, and downloading again resumes there"),
            ModelError::Offline { model, file, fix } => write!(f, "model {model} needs {file}, but HF_HUB_OFFLINE is set so nothing is downloaded; {fix}"),
            ModelError::Download { model, file, url, reason, fix } => write!(f, "could not download {file} of model {model} from {url}: {reason}; {fix}"),
            ModelError::BadFile { path, problem, fix } => write!(f, "model file {} {problem}; {fix}", path.display()),
            ModelError::Io { path, error } => write!(f, "cannot use {}: {error}", path.display()),
        }
    }
}

impl std::error::Error for ModelError {}

/// Where to look and whether to download.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct StoreConfig {
    /// A folder the user named: the model folder itself, or a folder of model folders.
    pub user_dir: Option<PathBuf>,
    /// The project's `models/` folder.
    pub project_dir: Option<PathBuf>,
    /// The Hugging Face hub cache (the folder holding `models--org--name`).
    pub hf_cache: Option<PathBuf>,
    /// `HF_HUB_OFFLINE=1`: never download.
    pub offline: bool,
    /// The hub downloads come from: `HF_ENDPOINT`, else (empty) https://huggingface.co.
    pub endpoint: String,
}

/// The Hugging Face hub cache folder as `huggingface_hub` finds it.
pub fn hf_cache_from_env() -> Option<PathBuf> {
    let var = |k: &str| {
        std::env::var_os(k)
            .filter(|v| !v.is_empty())
            .map(PathBuf::from)
    };
    if let Some(p) = var("HF_HUB_CACHE") {
        return Some(p);
    }
    if let Some(p) = var("HF_HOME") {
        return Some(p.join("hub"));
    }
    if let Some(p) = var("XDG_CACHE_HOME") {
        return Some(p.join("huggingface").join("hub"));
    }
    var("HOME").map(|h| h.join(".cache").join("huggingface").join("hub"))
}

/// Whether `HF_HUB_OFFLINE` asks for no network (`1`, `true`, `yes`, `on`).
pub fn offline_from_env() -> bool {
    std::env::var("HF_HUB_OFFLINE")
        .map(|v| {
            matches!(
                v.trim().to_ascii_lowercase().as_str(),
                "1" | "true" | "yes" | "on"
            )
        })
        .unwrap_or(false)
}

/// The project's `models/` folder: in the working directory if there is one, else beside
/// the sources the binary was built from.
pub fn project_models_dir() -> PathBuf {
    let here = PathBuf::from("models");
    if here.join("models.toml").is_file() {
        return here;
    }
    crate::project_dir().join("models")
}

impl StoreConfig {
    /// Settings from the environment, with an optional user folder.
    pub fn from_env(user_dir: Option<PathBuf>) -> StoreConfig {
        StoreConfig {
            user_dir,
            project_dir: Some(project_models_dir()),
            hf_cache: hf_cache_from_env(),
            offline: offline_from_env(),
            endpoint: std::env::var("HF_ENDPOINT").unwrap_or_default(),
        }
    }
}

/// Finds, checks and fetches the models a catalog lists.
#[derive(Debug, Clone)]
pub struct ModelStore {
    pub catalog: Catalog,
    pub config: StoreConfig,
}

/// Names the files of `entry` found in `dir`; `None` for the weights when none is there.
fn files_in(entry: &ModelEntry, dir: &Path) -> (BTreeMap<String, PathBuf>, Vec<String>) {
    let mut found = BTreeMap::new();
    let mut missing = Vec::new();
    for f in &entry.files {
        let p = dir.join(f);
        if p.is_file() {
            found.insert(f.clone(), p);
        } else {
            missing.push(f.clone());
        }
    }
    if !entry.weights.is_empty() {
        let mut any = false;
        for f in &entry.weights {
            let p = dir.join(f);
            if p.is_file() {
                found.insert(f.clone(), p);
                any = true;
            }
        }
        if !any {
            missing.push(entry.weights.join(" or "));
        }
    }
    for f in &entry.optional {
        let p = dir.join(f);
        if p.is_file() {
            found.insert(f.clone(), p);
        }
    }
    (found, missing)
}

/// The snapshot folders of a repository in the HF cache, the best first: the pinned
/// revision, else the one `refs/main` names, else the others newest first.
fn hf_snapshots(hub: &Path, entry: &ModelEntry) -> Vec<PathBuf> {
    let repo_dir = hub.join(format!("models--{}", entry.repo.replace('/', "--")));
    let snaps = repo_dir.join("snapshots");
    if let Some(rev) = &entry.revision {
        return vec![snaps.join(rev)];
    }
    let mut out = Vec::new();
    if let Ok(main) = std::fs::read_to_string(repo_dir.join("refs").join("main")) {
        let main = main.trim();
        if !main.is_empty() && !main.contains(['/', '\\']) {
            out.push(snaps.join(main));
        }
    }
    let mut others: Vec<(std::time::SystemTime, PathBuf)> = std::fs::read_dir(&snaps)
        .into_iter()
        .flatten()
        .filter_map(|e| e.ok())
        .map(|e| e.path())
        .filter(|p| p.is_dir() && !out.contains(p))
        .map(|p| {
            (
                std::fs::metadata(&p)
                    .and_then(|m| m.modified())
                    .unwrap_or(std::time::UNIX_EPOCH),
                p,
            )
        })
        .collect();
    others.sort_by_key(|o| std::cmp::Reverse(o.0));
    out.extend(others.into_iter().map(|(_, p)| p));
    out
}

impl ModelStore {
    pub fn new(catalog: Catalog, config: StoreConfig) -> ModelStore {
        ModelStore { catalog, config }
    }

    /// The bundled catalog with settings from the environment.
    pub fn from_env(user_dir: Option<PathBuf>) -> ModelStore {
        ModelStore::new(Catalog::bundled(), StoreConfig::from_env(user_dir))
    }

    /// The model for a language code or model name.
    pub fn entry(&self, lang_or_name: &str) -> Result<&ModelEntry, ModelError> {
        self.catalog
            .find(lang_or_name)
            .ok_or_else(|| ModelError::UnknownLanguage {
                lang: lang_or_name.to_string(),
                known: self
                    .catalog
                    .languages
                    .keys()
                    .cloned()
                    .collect::<Vec<_>>()
                    .join(" "),
            })
    }

    /// The folders to look in for a model, in order, with their kind.
    pub fn candidates(&self, entry: &ModelEntry) -> Vec<(Location, PathBuf)> {
        let mut out = Vec::new();
        if let Some(u) = &self.config.user_dir {
            out.push((Location::UserFolder, u.join(&entry.name)));
            out.push((Location::UserFolder, u.clone()));
        }
        if let Some(p) = &self.config.project_dir {
            out.push((Location::Project, p.join(&entry.name)));
        }
        if let Some(h) = &self.config.hf_cache {
            out.extend(
                hf_snapshots(h, entry)
                    .into_iter()
                    .map(|p| (Location::HfCache, p)),
            );
        }
        out
    }

    /// Looks for a model on disk, without downloading.
    pub fn locate(&self, entry: &ModelEntry) -> Presence {
        let mut best: Option<(usize, PathBuf, Location, Vec<String>)> = None;
        for (loc, dir) in self.candidates(entry) {
            if !dir.is_dir() {
                continue;
            }
            let (found, missing) = files_in(entry, &dir);
            if missing.is_empty() {
                return Presence::Present(Box::new(ResolvedModel {
                    entry: entry.clone(),
                    location: loc,
                    dir,
                    files: found,
                }));
            }
            // A user folder that holds other things is not a partial copy of this model.
            let relevant = found
                .keys()
                .filter(|f| entry.files.contains(f) || entry.weights.contains(f))
                .count();
            if relevant > 0 && best.as_ref().map(|b| relevant > b.0).unwrap_or(true) {
                best = Some((relevant, dir, loc, missing));
            }
        }
        match best {
            Some((_, dir, location, missing)) => Presence::Incomplete {
                dir,
                location,
                missing,
            },
            None => Presence::Missing,
        }
    }

    /// What to tell the user to do to get a model.
    pub fn fetch_hint(&self, entry: &ModelEntry) -> String {
        let lang = self
            .catalog
            .languages
            .iter()
            .find(|(_, n)| **n == entry.name)
            .map(|(l, _)| l.as_str())
            .unwrap_or(entry.name.as_str());
        let project = self
            .config
            .project_dir
            .clone()
            .unwrap_or_else(|| PathBuf::from("models"))
            .join(&entry.name);
        format!(
            "run `driftlens models fetch {lang}` where the Hugging Face hub is reachable, or copy the files of https://huggingface.co/{} into {}",
            entry.repo,
            project.display()
        )
    }
}

/// The verdict on one file.
#[derive(Debug, Clone, PartialEq)]
pub enum FileStatus {
    Ok { size: u64, sha256_checked: bool },
    SizeMismatch { expected: u64, actual: u64 },
    ChecksumMismatch { expected: String, actual: String },
    Damaged(String),
    Unreadable(String),
}

impl FileStatus {
    pub fn is_ok(&self) -> bool {
        matches!(self, FileStatus::Ok { .. })
    }
}

impl fmt::Display for FileStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            FileStatus::Ok { size, sha256_checked: true } => write!(f, "ok ({size} bytes, sha256 matches)"),
            FileStatus::Ok { size, .. } => write!(f, "ok ({size} bytes)"),
            FileStatus::SizeMismatch { expected, actual } => write!(f, "has {actual} bytes where models.toml says {expected} (truncated or a different file)"),
            FileStatus::ChecksumMismatch { expected, actual } => write!(f, "has sha256 {actual} where models.toml says {expected} (damaged or a different file)"),
            FileStatus::Damaged(p) => write!(f, "is damaged: {p}"),
            FileStatus::Unreadable(p) => write!(f, "cannot be read: {p}"),
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct FileCheck {
    pub file: String,
    pub path: PathBuf,
    pub status: FileStatus,
}

pub(crate) fn sha256_file(path: &Path) -> std::io::Result<String> {
    let mut f = std::fs::File::open(path)?;
    let mut h = Sha256::new();
    let mut buf = vec![0u8; 1 << 20];
    loop {
        let n = f.read(&mut buf)?;
        if n == 0 {
            break;
        }
        h.update(&buf[..n]);
    }
    Ok(h.finalize().iter().map(|b| format!("{b:02x}")).collect())
}

/// Checks one file against what models.toml knows of it, and its format.
pub fn verify_file(entry: &ModelEntry, name: &str, path: &Path) -> FileStatus {
    let size = match std::fs::metadata(path) {
        Ok(m) => m.len(),
        Err(e) => return FileStatus::Unreadable(e.to_string()),
    };
    if let Some(&expected) = entry.sizes.get(name) {
        if expected != size {
            return FileStatus::SizeMismatch {
                expected,
                actual: size,
            };
        }
    }
    let mut checked = false;
    if let Some(expected) = entry.sha256.get(name) {
        match sha256_file(path) {
            Ok(actual) if &actual == expected => checked = true,
            Ok(actual) => {
                return FileStatus::ChecksumMismatch {
                    expected: expected.clone(),
                    actual,
                }
            }
            Err(e) => return FileStatus::Unreadable(e.to_string()),
        }
    }
    match check_format(name, path) {
        Ok(()) => FileStatus::Ok {
            size,
            sha256_checked: checked,
        },
        Err(p) => FileStatus::Damaged(p),
    }
}

/// Checks every file of a model found on disk.
pub fn verify_files(model: &ResolvedModel) -> Vec<FileCheck> {
    model
        .files
        .iter()
        .map(|(name, path)| FileCheck {
            file: name.clone(),
            path: path.clone(),
            status: verify_file(&model.entry, name, path),
        })
        .collect()
}
