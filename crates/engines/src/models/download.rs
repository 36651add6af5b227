//! Downloads from the Hugging Face hub into its cache layout
//! (`models--org--name/{blobs,snapshots/<commit>,refs}`), reporting progress through a
//! callback so each face draws its own (the command line a terminal bar, the workbench a
//! progress bar), stopping when a [`CancelFlag`] is raised.
//!
//! Every file is first asked for (a one-byte range request, as `huggingface_hub` does): its
//! commit, its etag and its size, so a job knows its total before the first byte. The bytes
//! go to `blobs/<etag>.part` — the name `hf-hub` uses, so either resumes the other — and a
//! later try asks for the rest with `Range: bytes=N-`. A whole part is checked before it is
//! renamed into place: its size against the hub's, and its sha256 against the hub's etag for
//! large (LFS) files, whose etag is their sha256; then against the sizes, checksums and
//! format `models.toml` and the store know. A file that fails is removed.
//!
//! Written on `ureq` (the client `hf-hub` uses) rather than through `hf-hub` 0.4: its
//! blocking `download_with_progress` cannot be stopped inside a file (its `Progress` has no
//! way to say stop), and a Cancel that lets 300 MB finish is not one.

use super::catalog::{ModelEntry, SizeEstimate};
use super::store::{
    verify_file, verify_files, FileCheck, ModelError, ModelStore, Presence, ResolvedModel,
};
use crate::translate::CancelFlag;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::time::Duration;

/// The hub `HF_ENDPOINT` replaces.
pub const DEFAULT_ENDPOINT: &str = "https://huggingface.co";

/// What a download reports to the face that draws it. Called on the downloading thread.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DownloadEvent {
    /// The hub is being asked for the files and sizes of model `done + 1` of `of`.
    Sizing {
        model: String,
        done: usize,
        of: usize,
    },
    /// Every file to fetch is known: `files` of them, `bytes` in all, of which `have` are
    /// already on disk (parts kept from an interrupted try).
    Planned { files: usize, bytes: u64, have: u64 },
    /// A file's download begins: its size, and the bytes an earlier try left (resumed).
    File {
        model: String,
        name: String,
        size: u64,
        resumed: u64,
    },
    /// `bytes` more bytes of the file arrived.
    Bytes {
        model: String,
        name: String,
        bytes: u64,
    },
    /// The file is complete, checked and in place.
    FileDone { model: String, name: String },
    /// Every file of the model is here and checked.
    ModelReady { model: String },
}

/// A size in decimal units, as the hub shows them: "298 MB", "4.8 GB".
pub fn human_size(bytes: u64) -> String {
    let b = bytes as f64;
    if bytes >= 1_000_000_000 {
        format!("{:.1} GB", b / 1e9)
    } else if bytes >= 1_000_000 {
        format!("{:.0} MB", b / 1e6)
    } else if bytes >= 1_000 {
        format!("{:.0} kB", b / 1e3)
    } else {
        format!("{bytes} B")
    }
}

/// The callback a download reports through.
pub type OnEvent<'a> = &'a (dyn Fn(DownloadEvent) + Sync);

/// What a job of several models ended with: the models now ready, and those that failed on
/// their own (a file the hub lacks, a checksum that does not match) while the rest went on.
#[derive(Debug, Default)]
pub struct FetchReport {
    pub ready: Vec<ResolvedModel>,
    pub failed: Vec<(String, ModelError)>,
}

/// Whether the model's back-translation into English or the forward model of the round trip.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    /// xx → en: the language is back-translated with it.
    Back,
    /// en → xx: the engine's own round trip of the original (its noise).
    Forward,
}

/// One model the open corpus lacks.
#[derive(Debug, Clone, PartialEq)]
pub struct Wanted {
    pub entry: ModelEntry,
    pub role: Role,
    /// The corpus languages it serves.
    pub langs: Vec<String>,
    pub size: SizeEstimate,
}

/// What the languages of a corpus lack on this computer, and what fetching it weighs.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Plan {
    /// Each missing model once, back-translation models first.
    pub models: Vec<Wanted>,
}

impl Plan {
    /// For each language: its back-translation model when the catalog lists one and it is
    /// not whole on disk, and its forward model likewise. Looks at the disk only.
    pub fn for_languages<'a>(store: &ModelStore, langs: impl IntoIterator<Item = &'a str>) -> Plan {
        let mut models: Vec<Wanted> = Vec::new();
        let mut add = |entry: &ModelEntry, role: Role, lang: &str| {
            if let Some(w) = models.iter_mut().find(|w| w.entry.name == entry.name) {
                if !w.langs.iter().any(|l| l == lang) {
                    w.langs.push(lang.to_string());
                }
                return;
            }
            if matches!(store.locate(entry), Presence::Present(_)) {
                return;
            }
            models.push(Wanted {
                entry: entry.clone(),
                role,
                langs: vec![lang.to_string()],
                size: entry.size_estimate(),
            });
        };
        let langs: Vec<&str> = langs.into_iter().collect();
        for &lang in &langs {
            if let Some(e) = store.catalog.for_language(lang) {
                add(e, Role::Back, lang);
            }
        }
        for &lang in &langs {
            if let Some((e, _)) = store.catalog.forward_for(lang) {
                add(e, Role::Forward, lang);
            }
        }
        Plan { models }
    }

    pub fn is_empty(&self) -> bool {
        self.models.is_empty()
    }

    /// The languages that gain a model, sorted, each once.
    pub fn languages(&self) -> Vec<String> {
        let mut out: Vec<String> = self
            .models
            .iter()
            .flat_map(|w| w.langs.iter().cloned())
            .collect();
        out.sort();
        out.dedup();
        out
    }

    /// The bytes in all, and whether the sum is exact (every size known from the catalog);
    /// models of unknown size count nothing.
    pub fn total(&self) -> (u64, bool) {
        let mut exact = true;
        let mut sum = 0;
        for w in &self.models {
            match w.size {
                SizeEstimate::Known(b) => sum += b,
                SizeEstimate::About(b) => {
                    sum += b;
                    exact = false
                }
                SizeEstimate::Unknown => exact = false,
            }
        }
        (sum, exact)
    }
}

/// Where a model's files go when copied by hand into the Hugging Face cache of this
/// computer: `<cache>/models--org--name/snapshots/<revision>/` (`<revision>` is any folder
/// name for an unpinned model; `refs/main` may name it). `None` without a cache folder.
pub fn snapshot_dir(store: &ModelStore, entry: &ModelEntry) -> Option<PathBuf> {
    let hub = store.config.hf_cache.as_ref()?;
    Some(
        repo_dir(hub, &entry.repo)
            .join("snapshots")
            .join(entry.revision.as_deref().unwrap_or("<commit>")),
    )
}

fn repo_dir(hub: &Path, repo: &str) -> PathBuf {
    hub.join(format!("models--{}", repo.replace('/', "--")))
}

/// A file on the hub, as a one-byte request for it answered.
#[derive(Debug, Clone)]
struct RemoteFile {
    name: String,
    url: String,
    commit: String,
    etag: String,
    size: u64,
}

/// Why a request failed: the hub cannot be reached (the whole job stops), or this file or
/// model failed (the job goes on with the others).
enum Fail {
    Unreachable(String),
    Cancelled,
    Model(ModelError),
}

/// The hub as this computer is told to reach it: the store's endpoint (`HF_ENDPOINT`),
/// `HF_TOKEN`, the store's cache folder.
struct Hub {
    endpoint: String,
    token: Option<String>,
    cache: PathBuf,
    /// Metadata requests: redirects are read, not followed.
    meta: ureq::Agent,
    /// File bytes: redirects (to the hub's file servers) are followed, the range kept.
    data: ureq::Agent,
}

fn env(key: &str) -> Option<String> {
    std::env::var(key)
        .ok()
        .map(|v| v.trim().to_string())
        .filter(|v| !v.is_empty())
}

/// The endpoint a store downloads from, without a trailing slash.
pub fn endpoint(configured: &str) -> String {
    let e = configured.trim().trim_end_matches('/');
    if e.is_empty() {
        DEFAULT_ENDPOINT.to_string()
    } else {
        e.to_string()
    }
}

impl Hub {
    fn new(endpoint: &str, cache: PathBuf) -> Hub {
        let agent = |redirects| {
            ureq::AgentBuilder::new()
                .redirects(redirects)
                .timeout_connect(Duration::from_secs(15))
                .timeout_read(Duration::from_secs(60))
                .try_proxy_from_env(true)
                .user_agent(concat!("driftlens/", env!("CARGO_PKG_VERSION")))
                .build()
        };
        Hub {
            endpoint: self::endpoint(endpoint),
            token: env("HF_TOKEN"),
            cache,
            meta: agent(0),
            data: agent(5),
        }
    }

    fn url(&self, entry: &ModelEntry, file: &str) -> String {
        format!(
            "{}/{}/resolve/{}/{file}",
            self.endpoint,
            entry.repo,
            entry.revision.as_deref().unwrap_or("main")
        )
    }

    fn get(&self, agent: &ureq::Agent, url: &str, range: &str) -> ureq::Request {
        let req = agent
            .get(url)
            .set("Range", range)
            .set("Accept-Encoding", "identity");
        match &self.token {
            Some(t) => req.set("Authorization", &format!("Bearer {t}")),
            None => req,
        }
    }

    /// Asks for one file: `None` when the hub has no such file.
    fn remote(&self, entry: &ModelEntry, file: &str) -> Result<Option<RemoteFile>, Fail> {
        let url = self.url(entry, file);
        let mut current = url.clone();
        // The hub answers a renamed repository with a relative redirect (followed here) and
        // a large file with one to its file server (read, not followed: the headers say all).
        let mut response = None;
        for _ in 0..5 {
            let r = match self.get(&self.meta, &current, "bytes=0-0").call() {
                Ok(r) => r,
                Err(ureq::Error::Status(404, _)) => return Ok(None),
                Err(ureq::Error::Status(code, r)) => {
                    return Err(Fail::Model(download_error(
                        entry,
                        file,
                        &url,
                        format!("the hub answered {code} {}", r.status_text()),
                    )))
                }
                Err(ureq::Error::Transport(t)) => return Err(Fail::Unreachable(transport(&t))),
            };
            let relative = (300..400).contains(&r.status())
                && r.header("Location").is_some_and(|l| l.starts_with('/'));
            if !relative {
                response = Some(r);
                break;
            }
            let location = r.header("Location").unwrap_or_default();
            current = format!("{}{location}", self.endpoint);
        }
        let Some(r) = response else {
            return Err(Fail::Model(download_error(
                entry,
                file,
                &url,
                "too many redirects".into(),
            )));
        };
        let header = |k: &str| r.header(k).map(|v| v.trim().to_string());
        let missing = |what: &str| {
            Fail::Model(download_error(
                entry,
                file,
                &url,
                format!("the answer has no {what} header (is HF_ENDPOINT a Hugging Face hub?)"),
            ))
        };
        let commit = header("x-repo-commit").ok_or_else(|| missing("x-repo-commit"))?;
        let etag = header("x-linked-etag")
            .or_else(|| header("etag"))
            .map(|e| e.trim_start_matches("W/").replace('"', ""))
            .filter(|e| !e.is_empty() && !e.contains(['/', '\\', '.']))
            .ok_or_else(|| missing("etag"))?;
        let size = header("x-linked-size")
            .or_else(|| {
                header("content-range").and_then(|c| c.rsplit('/').next().map(str::to_string))
            })
            .or_else(|| {
                (r.status() == 200)
                    .then(|| header("content-length"))
                    .flatten()
            })
            .and_then(|s| s.parse::<u64>().ok())
            .ok_or_else(|| missing("size (x-linked-size or content-range)"))?;
        if commit.is_empty() || commit.contains(['/', '\\', '.']) {
            return Err(missing("usable x-repo-commit"));
        }
        Ok(Some(RemoteFile {
            name: file.to_string(),
            url,
            commit,
            etag,
            size,
        }))
    }

    /// The files of `entry` the hub has: every required file, the first weights file it
    /// holds, the optional files it holds.
    fn list(&self, entry: &ModelEntry) -> Result<Vec<RemoteFile>, Fail> {
        let mut out = Vec::new();
        for f in &entry.files {
            match self.remote(entry, f)? {
                Some(r) => out.push(r),
                None => {
                    return Err(Fail::Model(download_error(
                        entry,
                        f,
                        &self.url(entry, f),
                        "the hub has no such file".into(),
                    )))
                }
            }
        }
        let mut have_weights = entry.weights.is_empty();
        for f in &entry.weights {
            if let Some(r) = self.remote(entry, f)? {
                out.push(r);
                have_weights = true;
                break;
            }
        }
        if !have_weights {
            return Err(Fail::Model(download_error(
                entry,
                &entry.weights.join(" or "),
                &format!("{}/{}", self.endpoint, entry.repo),
                "the hub has none of these files".into(),
            )));
        }
        for f in &entry.optional {
            out.extend(self.remote(entry, f)?);
        }
        Ok(out)
    }

    fn blob(&self, entry: &ModelEntry, f: &RemoteFile) -> PathBuf {
        repo_dir(&self.cache, &entry.repo)
            .join("blobs")
            .join(&f.etag)
    }

    fn part(&self, entry: &ModelEntry, f: &RemoteFile) -> PathBuf {
        repo_dir(&self.cache, &entry.repo)
            .join("blobs")
            .join(format!("{}.part", f.etag))
    }

    fn pointer(&self, entry: &ModelEntry, f: &RemoteFile) -> PathBuf {
        repo_dir(&self.cache, &entry.repo)
            .join("snapshots")
            .join(&f.commit)
            .join(&f.name)
    }

    /// Bytes of the file already here: the whole blob, or the part an earlier try left.
    fn on_disk(&self, entry: &ModelEntry, f: &RemoteFile) -> u64 {
        let len = |p: PathBuf| std::fs::metadata(p).map(|m| m.len()).unwrap_or(0);
        let blob = len(self.blob(entry, f));
        if blob == f.size {
            return blob;
        }
        len(self.part(entry, f)).min(f.size)
    }

    /// Fetches one file into `blobs/`, resuming a part, and checks it against the hub.
    fn download(
        &self,
        entry: &ModelEntry,
        f: &RemoteFile,
        on: OnEvent,
        cancel: &CancelFlag,
    ) -> Result<PathBuf, Fail> {
        let blob = self.blob(entry, f);
        let io = |path: &Path, error| {
            Fail::Model(ModelError::Io {
                path: path.to_path_buf(),
                error,
            })
        };
        if std::fs::metadata(&blob)
            .map(|m| m.len() == f.size)
            .unwrap_or(false)
        {
            on(DownloadEvent::File {
                model: entry.name.clone(),
                name: f.name.clone(),
                size: f.size,
                resumed: f.size,
            });
            return Ok(blob);
        }
        let part = self.part(entry, f);
        if let Some(dir) = part.parent() {
            std::fs::create_dir_all(dir).map_err(|e| io(dir, e))?;
        }
        let mut file = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&part)
            .map_err(|e| io(&part, e))?;
        let mut start = file.metadata().map_err(|e| io(&part, e))?.len();
        if start > f.size {
            file.set_len(0).map_err(|e| io(&part, e))?;
            start = 0;
        }
        on(DownloadEvent::File {
            model: entry.name.clone(),
            name: f.name.clone(),
            size: f.size,
            resumed: start,
        });
        if start < f.size {
            self.stream(entry, f, (&mut file, &part), start, on, cancel)?;
        }
        drop(file);
        self.check_part(entry, f, &part)?;
        std::fs::rename(&part, &blob).map_err(|e| io(&blob, e))?;
        Ok(blob)
    }

    /// Appends the file's bytes from `start` to `file`.
    fn stream(
        &self,
        entry: &ModelEntry,
        f: &RemoteFile,
        (file, part): (&mut std::fs::File, &Path),
        start: u64,
        on: OnEvent,
        cancel: &CancelFlag,
    ) -> Result<(), Fail> {
        let lost = |why: String| Fail::Unreachable(format!("{} of {}: {why}", f.name, entry.name));
        let io = |error| {
            Fail::Model(ModelError::Io {
                path: part.to_path_buf(),
                error,
            })
        };
        let response = match self
            .get(&self.data, &f.url, &format!("bytes={start}-"))
            .call()
        {
            Ok(r) => r,
            Err(ureq::Error::Status(code, r)) => {
                return Err(Fail::Model(download_error(
                    entry,
                    &f.name,
                    &f.url,
                    format!("the hub answered {code} {}", r.status_text()),
                )))
            }
            Err(ureq::Error::Transport(t)) => return Err(Fail::Unreachable(transport(&t))),
        };
        if response.status() == 200 && start > 0 {
            // The server ignored the range: start the part again.
            file.set_len(0).map_err(io)?;
            on(DownloadEvent::File {
                model: entry.name.clone(),
                name: f.name.clone(),
                size: f.size,
                resumed: 0,
            });
        }
        let mut reader = response.into_reader();
        let mut buf = vec![0u8; 64 * 1024];
        loop {
            if cancel.is_cancelled() {
                let _ = file.flush();
                return Err(Fail::Cancelled);
            }
            let n = match reader.read(&mut buf) {
                Ok(0) => break,
                Ok(n) => n,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                Err(e) => {
                    return Err(lost(format!(
                        "the connection broke ({e}); downloading again resumes here"
                    )))
                }
            };
            file.write_all(&buf[..n]).map_err(io)?;
            on(DownloadEvent::Bytes {
                model: entry.name.clone(),
                name: f.name.clone(),
                bytes: n as u64,
            });
        }
        file.flush().map_err(io)
    }

    /// A whole part has the hub's size, and a large file the sha256 its etag names; a part
    /// that fails is removed.
    fn check_part(&self, entry: &ModelEntry, f: &RemoteFile, part: &Path) -> Result<(), Fail> {
        let bad = |problem: String| {
            let _ = std::fs::remove_file(part);
            Fail::Model(ModelError::BadFile {
                path: part.to_path_buf(),
                problem: format!("{problem}; it was removed"),
                fix: format!("download it again; if it fails the same way, the copy at {} is not the file the hub lists", f.url),
            })
        };
        let len = std::fs::metadata(part).map(|m| m.len()).unwrap_or(0);
        if len != f.size {
            return Err(if len < f.size {
                Fail::Unreachable(format!(
                    "{} of {} stopped after {len} of {} bytes; downloading again resumes there",
                    f.name, entry.name, f.size
                ))
            } else {
                bad(format!("has {len} bytes where the hub says {}", f.size))
            });
        }
        if f.etag.len() == 64 && f.etag.chars().all(|c| c.is_ascii_hexdigit()) {
            let actual = super::store::sha256_file(part).map_err(|e| {
                Fail::Model(ModelError::Io {
                    path: part.to_path_buf(),
                    error: e,
                })
            })?;
            if !actual.eq_ignore_ascii_case(&f.etag) {
                return Err(bad(format!(
                    "has sha256 {actual} where the hub says {}",
                    f.etag
                )));
            }
        }
        Ok(())
    }

    /// Links a blob into its snapshot (`snapshots/<commit>/<name>`) and records the commit
    /// of an unpinned model as `refs/main`.
    fn link(&self, entry: &ModelEntry, f: &RemoteFile, blob: &Path) -> Result<PathBuf, Fail> {
        let io = |path: &Path, error| {
            Fail::Model(ModelError::Io {
                path: path.to_path_buf(),
                error,
            })
        };
        let pointer = self.pointer(entry, f);
        let dir = pointer.parent().unwrap_or(Path::new("."));
        std::fs::create_dir_all(dir).map_err(|e| io(dir, e))?;
        let _ = std::fs::remove_file(&pointer);
        #[cfg(unix)]
        std::os::unix::fs::symlink(Path::new("../../blobs").join(&f.etag), &pointer)
            .map_err(|e| io(&pointer, e))?;
        #[cfg(not(unix))]
        std::fs::copy(blob, &pointer).map_err(|e| io(&pointer, e))?;
        let _ = blob;
        let refs = repo_dir(&self.cache, &entry.repo).join("refs");
        let name = entry.revision.as_deref().unwrap_or("main");
        std::fs::create_dir_all(&refs).map_err(|e| io(&refs, e))?;
        std::fs::write(refs.join(name), &f.commit).map_err(|e| io(&refs.join(name), e))?;
        Ok(pointer)
    }
}

/// A transport failure in words, without the URL ureq puts first: "Connection Failed:
/// Connection refused (os error 111)".
fn transport(t: &ureq::Transport) -> String {
    let mut cause = std::error::Error::source(t);
    let mut last = None;
    while let Some(c) = cause {
        last = Some(c.to_string());
        cause = c.source();
    }
    match (last, t.message()) {
        (Some(c), _) => format!("{}: {c}", t.kind()),
        (None, Some(m)) => format!("{}: {m}", t.kind()),
        (None, None) => t.kind().to_string(),
    }
}

fn download_error(entry: &ModelEntry, file: &str, url: &str, reason: String) -> ModelError {
    ModelError::Download {
        model: entry.name.clone(),
        file: file.to_string(),
        url: url.to_string(),
        reason,
        fix: format!("check the name in models/models.toml, or copy the files of https://huggingface.co/{} by hand", entry.repo),
    }
}

/// Downloads every model of `entries` that is not whole on disk, in one job: first asks the
/// hub for every file and its size (reported as [`DownloadEvent::Planned`]), then fetches
/// them, resuming parts an earlier try left. A model that fails on its own is reported in
/// [`FetchReport::failed`] and the others go on; `Err` when the whole job stops: downloads
/// are off (`HF_HUB_OFFLINE`), the hub cannot be reached, or `cancel` was raised (the parts
/// fetched so far are kept for the next try).
pub fn fetch_all(
    store: &ModelStore,
    entries: &[&ModelEntry],
    on: OnEvent,
    cancel: &CancelFlag,
) -> Result<FetchReport, ModelError> {
    let Some(first) = entries.first() else {
        return Ok(FetchReport::default());
    };
    if store.config.offline {
        return Err(ModelError::Offline {
            model: first.name.clone(),
            file: first.files.first().or(first.weights.first()).cloned().unwrap_or_default(),
            fix: format!("unset HF_HUB_OFFLINE to allow downloads, or copy the files of https://huggingface.co/{} into {}", first.repo, store.config.project_dir.clone().unwrap_or_default().join(&first.name).display()),
        });
    }
    let Some(cache) = store.config.hf_cache.clone() else {
        return Err(ModelError::Io {
            path: PathBuf::from("$HF_HOME/hub"),
            error: std::io::Error::other(
                "no Hugging Face cache folder: set HF_HOME (or HOME) to say where downloads go",
            ),
        });
    };
    let hub = &Hub::new(&store.config.endpoint, cache);
    let job_error = |fail: Fail| match fail {
        Fail::Unreachable(reason) => ModelError::Unreachable {
            endpoint: hub.endpoint.clone(),
            reason,
        },
        Fail::Cancelled => ModelError::Cancelled,
        Fail::Model(e) => e,
    };
    let mut report = FetchReport::default();
    let mut listed: Vec<(&ModelEntry, Vec<RemoteFile>)> = Vec::new();
    for (entry, answer) in entries.iter().zip(list_all(hub, entries, on, cancel)) {
        match answer {
            Some(Ok(files)) => listed.push((entry, files)),
            Some(Err(Fail::Model(e))) => report.failed.push((entry.name.clone(), e)),
            Some(Err(other)) => return Err(job_error(other)),
            // not asked: the job stopped (an unreachable hub answers above, Cancel below)
            None => {}
        }
    }
    if cancel.is_cancelled() {
        return Err(ModelError::Cancelled);
    }
    let files = listed.iter().map(|(_, f)| f.len()).sum();
    let bytes = listed.iter().flat_map(|(_, f)| f).map(|f| f.size).sum();
    let have = listed
        .iter()
        .flat_map(|(e, fs)| fs.iter().map(move |f| hub.on_disk(e, f)))
        .sum();
    on(DownloadEvent::Planned { files, bytes, have });
    for (entry, remote) in listed {
        match fetch_listed(store, hub, entry, &remote, on, cancel) {
            Ok(r) => {
                on(DownloadEvent::ModelReady {
                    model: entry.name.clone(),
                });
                report.ready.push(r);
            }
            Err(Fail::Model(e)) => report.failed.push((entry.name.clone(), e)),
            Err(other) => return Err(job_error(other)),
        }
    }
    Ok(report)
}

/// The hub's answer about one model's files; `None` where it was not asked.
type Listing = Option<Result<Vec<RemoteFile>, Fail>>;

/// How many models are asked about at once: each costs a round trip per file (~8), so 16
/// models one after the other wait on some 130 answers in a row.
const SIZING_THREADS: usize = 8;

/// Asks the hub for every model's files and sizes, several models at once, the answers in
/// the order of `entries`; `None` for a model not asked because the job stopped (the hub
/// cannot be reached, or Cancel).
fn list_all(hub: &Hub, entries: &[&ModelEntry], on: OnEvent, cancel: &CancelFlag) -> Vec<Listing> {
    use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
    let next = AtomicUsize::new(0);
    let asked = AtomicUsize::new(0);
    let stop = AtomicBool::new(false);
    let answers: std::sync::Mutex<Vec<Listing>> =
        std::sync::Mutex::new(entries.iter().map(|_| None).collect());
    std::thread::scope(|scope| {
        for _ in 0..entries.len().min(SIZING_THREADS) {
            scope.spawn(|| loop {
                if stop.load(Ordering::SeqCst) || cancel.is_cancelled() {
                    break;
                }
                let i = next.fetch_add(1, Ordering::SeqCst);
                let Some(entry) = entries.get(i) else { break };
                on(DownloadEvent::Sizing {
                    model: entry.name.clone(),
                    done: asked.fetch_add(1, Ordering::SeqCst),
                    of: entries.len(),
                });
                let answer = hub.list(entry);
                if matches!(answer, Err(Fail::Unreachable(_))) {
                    stop.store(true, Ordering::SeqCst);
                }
                if let Ok(mut all) = answers.lock() {
                    all[i] = Some(answer);
                }
            });
        }
    });
    answers.into_inner().unwrap_or_default()
}

/// Fetches and checks the files of one model, then finds it whole where the store looks.
fn fetch_listed(
    store: &ModelStore,
    hub: &Hub,
    entry: &ModelEntry,
    remote: &[RemoteFile],
    on: OnEvent,
    cancel: &CancelFlag,
) -> Result<ResolvedModel, Fail> {
    for f in remote {
        let blob = hub.download(entry, f, on, cancel)?;
        let pointer = hub.link(entry, f, &blob)?;
        let status = verify_file(entry, &f.name, &pointer);
        if !status.is_ok() {
            // Do not leave a file that failed its check where the store would find it.
            let _ = std::fs::remove_file(&blob);
            let _ = std::fs::remove_file(&pointer);
            return Err(Fail::Model(ModelError::BadFile {
                path: pointer,
                problem: format!("{status}; it was removed"),
                fix: store.fetch_hint(entry),
            }));
        }
        on(DownloadEvent::FileDone {
            model: entry.name.clone(),
            name: f.name.clone(),
        });
    }
    match store.locate(entry) {
        Presence::Present(r) => {
            let bad: Vec<FileCheck> = verify_files(&r)
                .into_iter()
                .filter(|c| !c.status.is_ok())
                .collect();
            match bad.into_iter().next() {
                Some(c) => Err(Fail::Model(ModelError::BadFile {
                    path: c.path.clone(),
                    problem: c.status.to_string(),
                    fix: store.fetch_hint(entry),
                })),
                None => Ok(*r),
            }
        }
        _ => Err(Fail::Model(store.not_found(entry))),
    }
}

/// Downloads one model (see [`fetch_all`]).
pub fn fetch(
    store: &ModelStore,
    entry: &ModelEntry,
    on: OnEvent,
    cancel: &CancelFlag,
) -> Result<ResolvedModel, ModelError> {
    let mut report = fetch_all(store, &[entry], on, cancel)?;
    match report.failed.pop() {
        Some((_, e)) => Err(e),
        None => report.ready.pop().ok_or_else(|| store.not_found(entry)),
    }
}

/// Finding a model, and downloading it on request: the store looks on disk, this module
/// fetches (the store knows nothing of downloads). Nothing downloads by itself: `resolve`
/// only looks, and `fetch` is called by `driftlens models fetch` and the workbench's
/// Download buttons.
impl ModelStore {
    /// Finds a model on disk; never downloads.
    pub fn resolve(&self, entry: &ModelEntry) -> Result<ResolvedModel, ModelError> {
        match self.locate(entry) {
            Presence::Present(r) => Ok(*r),
            Presence::Incomplete { dir, missing, .. } => Err(ModelError::BadFile {
                path: dir.join(&missing[0]),
                problem: format!("is missing (the folder lacks {})", missing.join(", ")),
                fix: self.fetch_hint(entry),
            }),
            Presence::Missing => Err(self.not_found(entry)),
        }
    }

    /// The model is nowhere on this machine: where it was looked for, and how to get it.
    fn not_found(&self, entry: &ModelEntry) -> ModelError {
        ModelError::NotFound {
            model: entry.name.clone(),
            looked: self.candidates(entry).into_iter().map(|(_, p)| p).collect(),
            fix: self.fetch_hint(entry),
        }
    }

    /// Downloads a model into the Hugging Face cache, reporting through `on`, then checks it.
    pub fn fetch(&self, entry: &ModelEntry, on: OnEvent) -> Result<ResolvedModel, ModelError> {
        fetch(self, entry, on, &CancelFlag::new())
    }
}
