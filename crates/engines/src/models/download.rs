//! Downloads through `hf-hub` (blocking client) into the Hugging Face cache, with a progress
//! bar per file. `hf-hub` writes each file to a temporary `.part` file beside its blob and
//! renames it into place when complete, so an interrupted download never leaves a file that
//! looks whole; the store then checks sizes and checksums.

use super::catalog::ModelEntry;
use super::store::{
    verify_file, verify_files, FileCheck, ModelError, ModelStore, Presence, ResolvedModel,
};
use hf_hub::api::sync::ApiBuilder;
use hf_hub::api::Progress;
use hf_hub::{Repo, RepoType};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

fn bar(show: bool) -> ProgressBar {
    let pb = ProgressBar::with_draw_target(
        None,
        if show {
            ProgressDrawTarget::stderr()
        } else {
            ProgressDrawTarget::hidden()
        },
    );
    if let Ok(style) = ProgressStyle::with_template(
        "{msg:<28} [{bar:30}] {bytes}/{total_bytes} {bytes_per_sec} {eta}",
    ) {
        pb.set_style(style.progress_chars("=> "));
    }
    pb
}

/// Whether an hf-hub error means "the hub has no such file" rather than "cannot reach it".
fn is_not_found(e: &hf_hub::api::sync::ApiError) -> bool {
    let s = e.to_string();
    s.contains("404") || s.contains("Not Found") || s.contains("EntryNotFound")
}

/// Downloads the files of `entry` that the hub has: every required file, the first weights
/// file the hub holds, and the optional files it holds.
pub fn fetch(store: &ModelStore, entry: &ModelEntry, progress: bool) -> Result<(), ModelError> {
    let make = |file: &str| {
        let pb = bar(progress);
        pb.set_message(file.to_string());
        pb
    };
    fetch_impl(store, entry, &make, &|pb: &ProgressBar| {
        pb.finish_and_clear()
    })
}

/// What a download reports to a caller that draws its own progress (the workbench).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DownloadEvent {
    /// A file's download began; `size` is its length in bytes.
    File { name: String, size: usize },
    /// `bytes` more bytes of the file arrived.
    Bytes { name: String, bytes: usize },
    /// The file is complete (or its download stopped).
    FileDone { name: String },
}

/// [`fetch`] reporting its progress through `on` (called on the downloading thread) instead
/// of drawing a terminal bar.
pub fn fetch_reporting(
    store: &ModelStore,
    entry: &ModelEntry,
    on: std::sync::Arc<dyn Fn(DownloadEvent) + Send + Sync>,
) -> Result<(), ModelError> {
    let make = |file: &str| EventProgress {
        name: file.to_string(),
        on: on.clone(),
        finished: std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false)),
    };
    fetch_impl(store, entry, &make, &|p: &EventProgress| p.finish())
}

/// An hf-hub progress that turns its calls into [`DownloadEvent`]s.
#[derive(Clone)]
struct EventProgress {
    name: String,
    on: std::sync::Arc<dyn Fn(DownloadEvent) + Send + Sync>,
    finished: std::sync::Arc<std::sync::atomic::AtomicBool>,
}

impl Progress for EventProgress {
    fn init(&mut self, size: usize, _filename: &str) {
        (self.on)(DownloadEvent::File {
            name: self.name.clone(),
            size,
        });
    }
    fn update(&mut self, size: usize) {
        (self.on)(DownloadEvent::Bytes {
            name: self.name.clone(),
            bytes: size,
        });
    }
    fn finish(&mut self) {
        EventProgress::finish(self);
    }
}

impl EventProgress {
    fn finish(&self) {
        if !self
            .finished
            .swap(true, std::sync::atomic::Ordering::SeqCst)
        {
            (self.on)(DownloadEvent::FileDone {
                name: self.name.clone(),
            });
        }
    }
}

fn fetch_impl<P: Progress + Clone>(
    store: &ModelStore,
    entry: &ModelEntry,
    make: &dyn Fn(&str) -> P,
    clear: &dyn Fn(&P),
) -> Result<(), ModelError> {
    let fix = store.fetch_hint(entry);
    let first_file = entry
        .files
        .first()
        .or(entry.weights.first())
        .cloned()
        .unwrap_or_default();
    if store.config.offline {
        return Err(ModelError::Offline {
            model: entry.name.clone(),
            file: first_file,
            fix: format!("unset HF_HUB_OFFLINE to allow downloads, or copy the files of https://huggingface.co/{} into {}", entry.repo, store.config.project_dir.clone().unwrap_or_default().join(&entry.name).display()),
        });
    }
    let mut builder = ApiBuilder::from_env().with_progress(false);
    if let Some(hub) = &store.config.hf_cache {
        builder = builder.with_cache_dir(hub.clone());
    }
    let api = builder.build().map_err(|e| ModelError::Download {
        model: entry.name.clone(),
        file: first_file.clone(),
        url: format!("https://huggingface.co/{}", entry.repo),
        reason: e.to_string(),
        fix: fix.clone(),
    })?;
    let revision = entry.revision.clone().unwrap_or_else(|| "main".to_string());
    let repo = api.repo(Repo::with_revision(
        entry.repo.clone(),
        RepoType::Model,
        revision,
    ));
    let get = |file: &str| -> Result<Option<std::path::PathBuf>, ModelError> {
        let pb = make(file);
        match repo.download_with_progress(file, pb.clone()) {
            Ok(path) => {
                clear(&pb);
                let status = verify_file(entry, file, &path);
                if !status.is_ok() {
                    // Do not leave a file that failed its check where the store would find it.
                    if let Ok(blob) = std::fs::canonicalize(&path) {
                        let _ = std::fs::remove_file(&blob);
                    }
                    let _ = std::fs::remove_file(&path);
                    return Err(ModelError::BadFile {
                        path,
                        problem: format!("{status}; it was removed"),
                        fix: fix.clone(),
                    });
                }
                Ok(Some(path))
            }
            Err(e) if is_not_found(&e) => {
                clear(&pb);
                Ok(None)
            }
            Err(e) => {
                clear(&pb);
                Err(ModelError::Download {
                    model: entry.name.clone(),
                    file: file.to_string(),
                    url: repo.url(file),
                    reason: e.to_string(),
                    fix: fix.clone(),
                })
            }
        }
    };
    for f in &entry.files {
        if get(f)?.is_none() {
            return Err(ModelError::Download {
                model: entry.name.clone(),
                file: f.clone(),
                url: repo.url(f),
                reason: "the hub has no such file".into(),
                fix: fix.clone(),
            });
        }
    }
    let mut have_weights = entry.weights.is_empty();
    for f in &entry.weights {
        if get(f)?.is_some() {
            have_weights = true;
            break;
        }
    }
    if !have_weights {
        return Err(ModelError::Download {
            model: entry.name.clone(),
            file: entry.weights.join(" or "),
            url: format!("https://huggingface.co/{}", entry.repo),
            reason: "the hub has none of these files".into(),
            fix,
        });
    }
    for f in &entry.optional {
        get(f)?;
    }
    Ok(())
}

/// Finding a model and downloading it where allowed: the store looks on disk, this module
/// fetches (the store knows nothing of downloads).
impl ModelStore {
    /// Finds a model on disk, downloading it when allowed and needed.
    pub fn resolve(&self, entry: &ModelEntry) -> Result<ResolvedModel, ModelError> {
        match self.locate(entry) {
            Presence::Present(r) => Ok(*r),
            Presence::Incomplete { dir, missing, .. } if !self.config.download => {
                Err(ModelError::BadFile {
                    path: dir.join(&missing[0]),
                    problem: format!("is missing (the folder lacks {})", missing.join(", ")),
                    fix: self.fetch_hint(entry),
                })
            }
            _ if self.config.download => self.fetch(entry, true),
            _ => Err(ModelError::NotFound {
                model: entry.name.clone(),
                looked: self.candidates(entry).into_iter().map(|(_, p)| p).collect(),
                fix: self.fetch_hint(entry),
            }),
        }
    }

    /// Downloads a model into the Hugging Face cache through `hf-hub`, then checks it.
    pub fn fetch(&self, entry: &ModelEntry, progress: bool) -> Result<ResolvedModel, ModelError> {
        fetch(self, entry, progress)?;
        match self.locate(entry) {
            Presence::Present(r) => {
                let bad: Vec<FileCheck> = verify_files(&r)
                    .into_iter()
                    .filter(|c| !c.status.is_ok())
                    .collect();
                if let Some(c) = bad.into_iter().next() {
                    return Err(ModelError::BadFile {
                        path: c.path.clone(),
                        problem: c.status.to_string(),
                        fix: self.fetch_hint(entry),
                    });
                }
                Ok(*r)
            }
            _ => Err(ModelError::NotFound {
                model: entry.name.clone(),
                looked: self.candidates(entry).into_iter().map(|(_, p)| p).collect(),
                fix: self.fetch_hint(entry),
            }),
        }
    }
}
