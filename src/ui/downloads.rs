//! The download offer above the overview's heat map. Where the open corpus's languages would
//! be analysed better after a download — a Marian model to back-translate a language (today
//! Apertium or nothing), the forward model that measures the engine's own noise — the
//! overview says so once, with the total size, and one action downloads everything in one
//! job on its own thread: exact sizes first, then a bar for the file and one for the total,
//! Cancel (what arrived is kept and the next try resumes it), every file checked. Models
//! that arrive make the workbench look at the disk again and analyse the corpus again.
//! Where the hub cannot be reached (or `HF_HUB_OFFLINE` is set), one plain message says so
//! and what to copy where, instead of an error per language.

use super::Workbench;
use crate::models::download::{self, human_size, DownloadEvent, FetchReport, Plan, Role};
use crate::models::{ModelError, ModelStore};
use crate::translate::CancelFlag;
use eframe::egui;
use std::path::PathBuf;
use std::sync::mpsc::{Receiver, TryRecvError};

/// The offer's state: what the corpus lacks, the running job, how the last one ended.
#[derive(Default)]
pub struct DownloadsState {
    /// Looked up by [`DownloadsState::logic`] when the overview is shown and the corpus
    /// changed or models arrived; drawing only reads it.
    offer: Option<Offer>,
    job: Option<Job>,
    outcome: Option<Outcome>,
    /// "Not now": the banner shrinks to one line until the corpus changes.
    pub hidden: bool,
}

/// What the corpus lacks, and where models copied by hand would go.
#[derive(Debug, Clone)]
struct Offer {
    plan: Plan,
    /// `HF_HUB_OFFLINE` is set: nothing is downloaded.
    offline: bool,
    /// The hub the job would ask.
    endpoint: String,
    /// The Hugging Face cache downloads go to (`$HF_HOME/hub`).
    hf_cache: Option<PathBuf>,
    /// The project's `models/` folder, the other place models may be copied to.
    project_dir: Option<PathBuf>,
    /// Each model's snapshot folder in the cache, for copying by hand.
    copy_to: Vec<(String, PathBuf)>,
}

impl Offer {
    fn lookup(langs: &[String], models_dir: Option<PathBuf>) -> Offer {
        let store = ModelStore::from_env(models_dir);
        let plan = Plan::for_languages(&store, langs.iter().map(String::as_str));
        let copy_to = plan
            .models
            .iter()
            .filter_map(|w| {
                download::snapshot_dir(&store, &w.entry).map(|d| (w.entry.repo.clone(), d))
            })
            .collect();
        Offer {
            plan,
            offline: store.config.offline,
            endpoint: download::endpoint(&store.config.endpoint),
            hf_cache: store.config.hf_cache.clone(),
            project_dir: store.config.project_dir.clone(),
            copy_to,
        }
    }
}

/// A job's progress as the banner draws it, built from the download's events alone.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct JobProgress {
    /// Asking the hub for sizes: the model asked about, models asked, models in all.
    pub sizing: Option<(String, usize, usize)>,
    /// Bytes in all, once every size is known.
    pub total: Option<u64>,
    /// Bytes on disk: parts kept from earlier tries and what arrived since.
    pub done: u64,
    /// The file arriving: `model/file`, its size, its bytes here.
    pub file: Option<(String, u64, u64)>,
    pub models_ready: usize,
}

impl JobProgress {
    pub fn apply(&mut self, event: DownloadEvent) {
        match event {
            DownloadEvent::Sizing { model, done, of } => self.sizing = Some((model, done, of)),
            DownloadEvent::Planned { bytes, have, .. } => {
                self.sizing = None;
                self.total = Some(bytes);
                self.done = have;
            }
            DownloadEvent::File {
                model,
                name,
                size,
                resumed,
            } => self.file = Some((format!("{model}/{name}"), size, resumed)),
            DownloadEvent::Bytes { bytes, .. } => {
                self.done += bytes;
                if let Some(f) = self.file.as_mut() {
                    f.2 += bytes;
                }
            }
            DownloadEvent::FileDone { .. } => self.file = None,
            DownloadEvent::ModelReady { .. } => self.models_ready += 1,
        }
    }

    /// The share of the total here, 0 until the sizes are known.
    pub fn fraction(&self) -> f32 {
        match self.total {
            Some(t) if t > 0 => (self.done as f64 / t as f64).min(1.0) as f32,
            _ => 0.0,
        }
    }
}

enum JobMessage {
    Event(DownloadEvent),
    Done(Result<FetchReport, ModelError>),
}

struct Job {
    rx: Receiver<JobMessage>,
    cancel: CancelFlag,
    progress: JobProgress,
    models: usize,
}

/// How the last job ended.
#[derive(Debug, Clone, PartialEq)]
pub enum Outcome {
    /// Models arrived (`ready`); `failed` holds each other model's error, in words.
    Finished { ready: usize, failed: Vec<String> },
    /// Cancelled with `kept` of `total` bytes on disk, resumed by the next try.
    Cancelled { kept: u64, total: Option<u64> },
    /// The hub cannot be reached.
    Unreachable { endpoint: String, reason: String },
    /// The job could not start or stopped for another reason (a cache folder not writable).
    Failed(String),
}

impl DownloadsState {
    /// Forgets what was looked up (the corpus changed or models arrived).
    pub fn invalidate(&mut self) {
        self.offer = None;
    }

    /// Every frame: takes in the job's progress; looks at the disk when the overview is
    /// shown and nothing is looked up. True when models arrived, so the caller looks and
    /// analyses again.
    pub fn logic(&mut self, langs: &[String], models_dir: Option<PathBuf>, shown: bool) -> bool {
        let arrived = self.poll();
        if arrived {
            self.offer = None;
        }
        if shown && self.offer.is_none() && self.job.is_none() {
            self.offer = Some(Offer::lookup(langs, models_dir));
        }
        arrived
    }

    fn poll(&mut self) -> bool {
        let Some(job) = self.job.as_mut() else {
            return false;
        };
        let mut result = None;
        loop {
            match job.rx.try_recv() {
                Ok(JobMessage::Event(e)) => job.progress.apply(e),
                Ok(JobMessage::Done(r)) => {
                    result = Some(r);
                    break;
                }
                Err(TryRecvError::Empty) => break,
                Err(TryRecvError::Disconnected) => {
                    result = Some(Err(ModelError::Io {
                        path: PathBuf::from("the download thread"),
                        error: std::io::Error::other("it ended without a result"),
                    }));
                    break;
                }
            }
        }
        let Some(result) = result else {
            return false;
        };
        let progress = self.job.take().map(|j| j.progress).unwrap_or_default();
        let (outcome, arrived) = match result {
            Ok(report) => (
                Outcome::Finished {
                    ready: report.ready.len(),
                    failed: report.failed.iter().map(|(_, e)| e.to_string()).collect(),
                },
                !report.ready.is_empty(),
            ),
            Err(ModelError::Cancelled) => (
                Outcome::Cancelled {
                    kept: progress.done,
                    total: progress.total,
                },
                progress.models_ready > 0,
            ),
            Err(ModelError::Unreachable { endpoint, reason }) => (
                Outcome::Unreachable { endpoint, reason },
                progress.models_ready > 0,
            ),
            Err(e) => (Outcome::Failed(e.to_string()), progress.models_ready > 0),
        };
        self.outcome = Some(outcome);
        arrived
    }

    /// Starts one job that downloads every model of the offer.
    pub fn start(&mut self, models_dir: Option<PathBuf>, ctx: &egui::Context) {
        let Some(offer) = &self.offer else { return };
        let entries: Vec<_> = offer.plan.models.iter().map(|w| w.entry.clone()).collect();
        let models = entries.len();
        let (tx, rx) = std::sync::mpsc::channel();
        let cancel = CancelFlag::new();
        let job_cancel = cancel.clone();
        let ctx = ctx.clone();
        let spawned = std::thread::Builder::new()
            .name("driftlens-downloads".into())
            .spawn(move || {
                let store = ModelStore::from_env(models_dir);
                let refs: Vec<_> = entries.iter().collect();
                let events = tx.clone();
                let repaint = ctx.clone();
                let on = move |e| {
                    let _ = events.send(JobMessage::Event(e));
                    repaint.request_repaint();
                };
                let result = download::fetch_all(&store, &refs, &on, &job_cancel);
                let _ = tx.send(JobMessage::Done(result));
                ctx.request_repaint();
            });
        match spawned {
            Ok(_) => {
                self.outcome = None;
                self.job = Some(Job {
                    rx,
                    cancel,
                    progress: JobProgress::default(),
                    models,
                });
            }
            Err(e) => {
                self.outcome = Some(Outcome::Failed(format!(
                    "cannot start the download thread: {e}"
                )))
            }
        }
    }

    /// Asks the running job to stop; what arrived is kept.
    pub fn cancel(&self) {
        if let Some(j) = &self.job {
            j.cancel.cancel();
        }
    }
}

/// What the banner asks the workbench to do.
enum Action {
    Start,
    Cancel,
    Hide,
    Show,
}

/// The banner above the heat map: the offer, the job's progress, or the offline message;
/// nothing when the corpus lacks nothing.
pub fn banner(wb: &mut Workbench, ui: &mut egui::Ui) {
    let state = &wb.downloads;
    let Some(offer) = state.offer.as_ref() else {
        return;
    };
    if offer.plan.is_empty() && state.job.is_none() && state.outcome.is_none() {
        return;
    }
    // languages judged by the direct view alone today, which a back-translation model lets
    // read the meaning too
    let not_analysed: Vec<String> = wb
        .model
        .translations
        .iter()
        .filter(|t| !t.is_analysed() || t.is_direct_only())
        .map(|t| t.lang.clone())
        .collect();
    let mut action = None;
    let fill = ui.visuals().faint_bg_color;
    egui::Frame::group(ui.style()).fill(fill).show(ui, |ui| {
        ui.set_width(ui.available_width());
        action = if let Some(job) = &state.job {
            job_view(ui, job, offer)
        } else if state.hidden {
            hidden_view(ui, offer)
        } else {
            match &state.outcome {
                Some(Outcome::Unreachable { endpoint, reason }) => {
                    cannot_download(ui, offer, &format!("The Hugging Face hub ({endpoint}) cannot be reached from this computer ({reason}), so nothing was downloaded."), true)
                }
                _ if offer.offline && !offer.plan.is_empty() => cannot_download(
                    ui,
                    offer,
                    "Downloads are off on this computer (HF_HUB_OFFLINE is set).",
                    false,
                ),
                outcome => offer_view(ui, offer, outcome.as_ref(), &not_analysed),
            }
        };
    });
    match action {
        Some(Action::Start) => {
            let dir = wb.options.models_dir.clone();
            wb.downloads.hidden = false;
            wb.downloads.start(dir, ui.ctx());
        }
        Some(Action::Cancel) => wb.downloads.cancel(),
        Some(Action::Hide) => wb.downloads.hidden = true,
        Some(Action::Show) => wb.downloads.hidden = false,
        None => {}
    }
}

/// What the models bring, in words: "ar, ru are compared directly only without them; es would use
/// Marian in place of Apertium; 2 forward models measure each engine's own noise."
fn gains(plan: &Plan, not_analysed: &[String]) -> String {
    let mut missing = Vec::new();
    let mut better = Vec::new();
    for w in plan.models.iter().filter(|w| w.role == Role::Back) {
        for l in &w.langs {
            if not_analysed.contains(l) {
                missing.push(l.as_str());
            } else {
                better.push(l.as_str());
            }
        }
    }
    missing.sort();
    better.sort();
    let forward = plan
        .models
        .iter()
        .filter(|w| w.role == Role::Forward)
        .count();
    let mut parts = Vec::new();
    if !missing.is_empty() {
        parts.push(format!(
            "{} are compared directly only without them (a back-translation adds negation, certainty, reworded quotations)",
            missing.join(", ")
        ));
    }
    if !better.is_empty() {
        parts.push(format!(
            "{} would be back-translated with Marian",
            better.join(", ")
        ));
    }
    if forward > 0 {
        parts.push(format!(
            "{forward} forward {} measure each engine's own noise",
            if forward == 1 { "model" } else { "models" }
        ));
    }
    let mut text = parts.join("; ");
    text.push('.');
    text
}

/// "8 languages … 16 models, about 4.8 GB".
fn headline(plan: &Plan) -> String {
    let langs = plan.languages();
    let (bytes, exact) = plan.total();
    let size = if bytes == 0 {
        "size unknown".to_string()
    } else if exact {
        human_size(bytes)
    } else {
        format!("about {}", human_size(bytes))
    };
    format!(
        "{} {} can be analysed better after a download: {} {}, {size}",
        langs.len(),
        if langs.len() == 1 {
            "language"
        } else {
            "languages"
        },
        plan.models.len(),
        if plan.models.len() == 1 {
            "model"
        } else {
            "models"
        },
    )
}

fn offer_view(
    ui: &mut egui::Ui,
    offer: &Offer,
    outcome: Option<&Outcome>,
    not_analysed: &[String],
) -> Option<Action> {
    let mut action = None;
    if let Some(Outcome::Finished { ready, failed }) = outcome {
        if *ready > 0 {
            ui.label(format!(
                "{ready} models downloaded and checked; the corpus is analysed again with them."
            ));
        }
        for f in failed {
            ui.label(
                egui::RichText::new(f)
                    .small()
                    .color(ui.visuals().error_fg_color),
            );
        }
    }
    if offer.plan.is_empty() {
        return None;
    }
    ui.label(egui::RichText::new(headline(&offer.plan)).strong());
    ui.label(gains(&offer.plan, not_analysed));
    ui.label(
        egui::RichText::new(format!(
            "From {} into {}. Every file is checked; Cancel keeps what arrived.",
            offer.endpoint,
            offer
                .hf_cache
                .as_ref()
                .map(|p| p.display().to_string())
                .unwrap_or_else(|| "the Hugging Face cache".into()),
        ))
        .small()
        .weak(),
    );
    if let Some(Outcome::Cancelled { kept, total }) = outcome {
        ui.label(format!(
            "Download cancelled: {} of {} is kept; Resume continues where it stopped.",
            human_size(*kept),
            total.map(human_size).unwrap_or_else(|| "the total".into())
        ));
    }
    if let Some(Outcome::Failed(e)) = outcome {
        ui.label(
            egui::RichText::new(e)
                .small()
                .color(ui.visuals().error_fg_color),
        );
    }
    ui.horizontal(|ui| {
        let resume = matches!(outcome, Some(Outcome::Cancelled { .. }));
        let (bytes, exact) = offer.plan.total();
        let label = match (resume, bytes, exact) {
            (true, _, _) => "Resume download".to_string(),
            (false, 0, _) => "Download all".to_string(),
            (false, b, true) => format!("Download all ({})", human_size(b)),
            (false, b, false) => format!("Download all (about {})", human_size(b)),
        };
        if ui.button(label).clicked() {
            action = Some(Action::Start);
        }
        if ui.button("Not now").clicked() {
            action = Some(Action::Hide);
        }
        models_list(ui, offer);
    });
    action
}

fn models_list(ui: &mut egui::Ui, offer: &Offer) {
    ui.collapsing("Which models", |ui| {
        for w in &offer.plan.models {
            let size = match w.size {
                crate::models::SizeEstimate::Known(b) => human_size(b),
                crate::models::SizeEstimate::About(b) => format!("about {}", human_size(b)),
                crate::models::SizeEstimate::Unknown => "size unknown".into(),
            };
            let role = match w.role {
                Role::Back => "back-translation",
                Role::Forward => "forward (engine noise)",
            };
            ui.label(
                egui::RichText::new(format!(
                    "{} — {role} for {} — {size}",
                    w.entry.repo,
                    w.langs.join(", ")
                ))
                .small(),
            );
        }
    });
}

fn hidden_view(ui: &mut egui::Ui, offer: &Offer) -> Option<Action> {
    let mut action = None;
    ui.horizontal(|ui| {
        ui.label(egui::RichText::new(headline(&offer.plan)).small());
        if ui.small_button("Show").clicked() {
            action = Some(Action::Show);
        }
    });
    action
}

fn job_view(ui: &mut egui::Ui, job: &Job, offer: &Offer) -> Option<Action> {
    let mut action = None;
    let p = &job.progress;
    let langs = offer.plan.languages().len();
    ui.label(
        egui::RichText::new(format!(
            "Downloading {} {} for {langs} {}",
            job.models,
            if job.models == 1 { "model" } else { "models" },
            if langs == 1 { "language" } else { "languages" },
        ))
        .strong(),
    );
    ui.horizontal(|ui| {
        match (&p.sizing, p.total) {
            (Some((model, done, of)), _) => {
                ui.spinner();
                ui.label(format!(
                    "asking the hub for the file sizes: {model} ({}/{of})",
                    done + 1
                ));
            }
            (None, Some(total)) => {
                ui.add(
                    egui::ProgressBar::new(p.fraction())
                        .desired_width(320.0)
                        .text(format!(
                            "in all: {} of {} · {} of {} models",
                            human_size(p.done),
                            human_size(total),
                            p.models_ready,
                            job.models
                        )),
                );
            }
            (None, None) => {
                ui.spinner();
                ui.label("connecting to the hub…");
            }
        }
        if ui.button("Cancel download").clicked() {
            action = Some(Action::Cancel);
        }
    });
    if let Some((name, size, done)) = &p.file {
        let frac = if *size > 0 {
            *done as f32 / *size as f32
        } else {
            1.0
        };
        ui.add(
            egui::ProgressBar::new(frac)
                .desired_width(320.0)
                .text(format!(
                    "{name} {} of {}",
                    human_size(*done),
                    human_size(*size)
                )),
        );
    }
    if job.cancel.is_cancelled() {
        ui.label("Cancelling… what arrived is kept.");
    }
    action
}

/// One plain message where nothing can be downloaded: why, and what to copy where.
fn cannot_download(ui: &mut egui::Ui, offer: &Offer, why: &str, retry: bool) -> Option<Action> {
    let mut action = None;
    ui.label(egui::RichText::new(headline(&offer.plan)).strong());
    ui.label(why);
    let hub = offer
        .hf_cache
        .as_ref()
        .map(|p| p.display().to_string())
        .unwrap_or_else(|| "~/.cache/huggingface/hub".into());
    let project = offer
        .project_dir
        .as_ref()
        .map(|p| p.display().to_string())
        .unwrap_or_else(|| "models".into());
    ui.label(format!(
        "To analyse these languages with Marian, copy each model from a computer that has it into the Hugging Face cache here: $HF_HOME/hub/models--Helsinki-NLP--opus-mt-xx-en/snapshots/<revision>/ with config.json, source.spm, target.spm, vocab.json and model.safetensors or pytorch_model.bin ($HF_HOME/hub is {hub} on this computer), or into {project}/<model name>/. Then open the folder again.",
    ));
    ui.horizontal(|ui| {
        if retry && ui.button("Try again").clicked() {
            action = Some(Action::Start);
        }
        let list: Vec<String> = offer
            .copy_to
            .iter()
            .map(|(repo, dir)| format!("https://huggingface.co/{repo} -> {}", dir.display()))
            .collect();
        if ui.button("Copy the list of models").clicked() {
            ui.ctx().copy_text(list.join("\n"));
        }
        if ui.button("Not now").clicked() {
            action = Some(Action::Hide);
        }
        ui.collapsing(
            format!("The {} repositories and where they go", list.len()),
            |ui| {
                for l in &list {
                    ui.label(egui::RichText::new(l).small().monospace());
                }
            },
        );
    });
    action
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(name: &str, size: u64, resumed: u64) -> DownloadEvent {
        DownloadEvent::File {
            model: "m".into(),
            name: name.into(),
            size,
            resumed,
        }
    }

    fn bytes(n: u64) -> DownloadEvent {
        DownloadEvent::Bytes {
            model: "m".into(),
            name: "f".into(),
            bytes: n,
        }
    }

    #[test]
    fn progress_counts_resumed_parts_once_and_files_and_models_as_they_finish() {
        let mut p = JobProgress::default();
        assert_eq!(p.fraction(), 0.0, "no total before the sizes are known");
        p.apply(DownloadEvent::Sizing {
            model: "m".into(),
            done: 0,
            of: 2,
        });
        assert!(p.sizing.is_some());
        p.apply(DownloadEvent::Planned {
            files: 2,
            bytes: 1000,
            have: 300,
        });
        assert_eq!((p.sizing.clone(), p.total, p.done), (None, Some(1000), 300));
        p.apply(file("f", 500, 300));
        p.apply(bytes(200));
        assert_eq!(p.file, Some(("m/f".into(), 500, 500)));
        assert_eq!(p.done, 500);
        p.apply(DownloadEvent::FileDone {
            model: "m".into(),
            name: "f".into(),
        });
        p.apply(DownloadEvent::ModelReady { model: "m".into() });
        assert_eq!((p.file.clone(), p.models_ready), (None, 1));
        p.apply(file("g", 500, 0));
        p.apply(bytes(500));
        assert_eq!(p.fraction(), 1.0);
    }

    #[test]
    fn the_headline_gives_languages_models_and_the_size() {
        let catalog = crate::models::Catalog::bundled();
        let store = ModelStore::new(
            catalog,
            crate::models::StoreConfig {
                hf_cache: Some(PathBuf::from("/nonexistent/hub")),
                ..Default::default()
            },
        );
        let plan = Plan::for_languages(&store, ["ru", "hr", "sr"]);
        // ru: opus-mt-ru-en + opus-mt-en-ru; hr and sr share opus-mt-zls-en and opus-mt-en-zls
        assert_eq!(
            headline(&plan),
            "3 languages can be analysed better after a download: 4 models, about 1.2 GB"
        );
    }
}
