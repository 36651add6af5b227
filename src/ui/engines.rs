//! Engines and models: which engine serves each language, whether its Marian model is on
//! this computer, a Download button with a progress bar (`models::download` on a thread), and
//! the exact reason and fix when a language cannot be analysed.

use super::Workbench;
use crate::analyze::TranslationStatus;
use crate::models::download::DownloadEvent;
use crate::models::{ModelError, ModelStore, Presence};
use eframe::egui;
use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::mpsc::{Receiver, TryRecvError};

/// A model download in progress or finished.
#[derive(Debug, Default)]
pub struct Download {
    pub file: String,
    pub size: u64,
    pub received: u64,
    pub done: bool,
    pub error: Option<String>,
    rx: Option<Receiver<DownloadMessage>>,
}

#[derive(Debug)]
enum DownloadMessage {
    Event(DownloadEvent),
    Done(Result<(), String>),
}

#[derive(Default)]
pub struct EnginesState {
    /// Downloads by language code.
    pub downloads: BTreeMap<String, Download>,
    /// What is on this computer, looked up by [`EnginesState::logic`] after the corpus
    /// changed or a download finished; `None` until then. Drawing only reads it.
    status: Option<EnginesStatus>,
}

/// Whether a language's Marian model is on this computer, as the model store says.
#[derive(Debug, Clone, PartialEq)]
pub enum ModelStatus {
    /// `models/models.toml` lists no Marian model for the language: nothing to download.
    NotListed,
    /// Every file is there.
    Present { name: String, dir: PathBuf },
    /// Some files were found, not all: the most complete folder and what it lacks.
    Incomplete {
        name: String,
        dir: PathBuf,
        missing: Vec<String>,
    },
    /// Listed, not on this computer.
    Missing { name: String },
}

impl ModelStatus {
    /// Looks the language's model up on disk (not cheap: call it outside drawing).
    pub fn lookup(store: &ModelStore, lang: &str) -> ModelStatus {
        let Ok(entry) = store.entry(lang) else {
            return ModelStatus::NotListed;
        };
        let name = entry.name.to_string();
        match store.locate(entry) {
            Presence::Present(r) => ModelStatus::Present { name, dir: r.dir },
            Presence::Incomplete { dir, missing, .. } => {
                ModelStatus::Incomplete { name, dir, missing }
            }
            Presence::Missing => ModelStatus::Missing { name },
        }
    }

    /// Whether the language has a model to download (or to download again).
    pub fn is_listed(&self) -> bool {
        !matches!(self, ModelStatus::NotListed)
    }

    /// Whether a Download button is offered: listed, and not every file is here.
    pub fn can_download(&self) -> bool {
        matches!(
            self,
            ModelStatus::Incomplete { .. } | ModelStatus::Missing { .. }
        )
    }

    /// The status in words, as the panel shows it ("opus-mt-ru-en missing").
    pub fn describe(&self) -> String {
        match self {
            ModelStatus::NotListed => "no Marian model listed in models/models.toml".into(),
            ModelStatus::Present { name, dir } => format!("{name} present ({})", dir.display()),
            ModelStatus::Incomplete { name, dir, missing } => format!(
                "{name} incomplete in {}: lacks {}",
                dir.display(),
                missing.join(", ")
            ),
            ModelStatus::Missing { name } => format!("{name} missing"),
        }
    }
}

/// Everything the panel shows about this computer, computed together outside drawing.
#[derive(Debug, Clone, PartialEq)]
pub struct EnginesStatus {
    /// The corpus's languages, sorted, each once, with its Marian model's status.
    pub models: BTreeMap<String, ModelStatus>,
    /// The sentence-embedding model's folder and whether it is there.
    pub embeddings: (PathBuf, bool),
    /// WordNet's folder, or why it is missing and how to install it.
    pub wordnet: String,
}

impl EnginesStatus {
    /// Looks at the disk: the model store for each language, the embedding model, WordNet.
    pub fn lookup<'a>(
        langs: impl IntoIterator<Item = &'a str>,
        models_dir: Option<PathBuf>,
    ) -> EnginesStatus {
        let store = ModelStore::from_env(models_dir);
        let models = langs
            .into_iter()
            .map(|l| (l.to_string(), ModelStatus::lookup(&store, l)))
            .collect();
        let embed_dir = crate::embed::model_dir("all-MiniLM-L6-v2");
        let present = embed_dir.is_dir();
        EnginesStatus {
            models,
            embeddings: (embed_dir, present),
            wordnet: crate::resources::wordnet_status(),
        }
    }
}

impl EnginesState {
    /// Forgets what was looked up (the corpus changed): the next [`EnginesState::logic`]
    /// while the panel is shown looks again.
    pub fn invalidate(&mut self) {
        self.status = None;
    }

    /// Every frame, shown or not: takes in download progress, and looks at the disk again
    /// when a download finished or the status was invalidated and the panel is shown (the
    /// lookups touch the disk and load WordNet, so a panel never opened never pays for them).
    /// True when a download finished (the overview's offer looks again too).
    pub fn logic(&mut self, langs: &[String], models_dir: Option<PathBuf>, shown: bool) -> bool {
        let finished = self.poll();
        if finished {
            self.status = None;
        }
        if shown && self.status.is_none() {
            self.status = Some(EnginesStatus::lookup(
                langs.iter().map(String::as_str),
                models_dir,
            ));
        }
        finished
    }

    fn poll(&mut self) -> bool {
        let mut changed = false;
        for d in self.downloads.values_mut() {
            let Some(rx) = &d.rx else { continue };
            loop {
                match rx.try_recv() {
                    Ok(DownloadMessage::Event(DownloadEvent::File {
                        name,
                        size,
                        resumed,
                        ..
                    })) => {
                        d.file = name;
                        d.size = size;
                        d.received = resumed;
                    }
                    Ok(DownloadMessage::Event(DownloadEvent::Bytes { bytes, .. })) => {
                        d.received += bytes
                    }
                    Ok(DownloadMessage::Event(_)) => {}
                    Ok(DownloadMessage::Done(r)) => {
                        d.done = true;
                        d.error = r.err();
                        changed = true;
                    }
                    Err(TryRecvError::Empty) => break,
                    Err(TryRecvError::Disconnected) => {
                        if !d.done {
                            d.done = true;
                            d.error = Some("the download thread ended without a result".into());
                        }
                        break;
                    }
                }
            }
            if d.done {
                d.rx = None;
            }
        }
        changed
    }

    /// Starts downloading the Marian model for `lang` on a worker thread.
    pub fn start_download(
        &mut self,
        lang: &str,
        models_dir: Option<std::path::PathBuf>,
        ctx: &egui::Context,
    ) {
        let (tx, rx) = std::sync::mpsc::channel();
        let lang_owned = lang.to_string();
        let ctx = ctx.clone();
        std::thread::spawn(move || {
            let store = ModelStore::from_env(models_dir);
            let tx_events = tx.clone();
            let ctx_events = ctx.clone();
            let on = move |e| {
                let _ = tx_events.send(DownloadMessage::Event(e));
                ctx_events.request_repaint();
            };
            let result = match store.entry(&lang_owned) {
                Ok(entry) => {
                    crate::models::download::fetch(&store, entry, &on, &Default::default())
                        .map(|_| ())
                        .map_err(|e| match e {
                            // the hub's error names no model: say which, and how else to get it
                            ModelError::Unreachable { endpoint, reason } => format!(
                                "could not download {}: the Hugging Face hub at {endpoint} cannot be reached ({reason}); {}",
                                entry.name,
                                store.fetch_hint(entry)
                            ),
                            e => e.to_string(),
                        })
                }
                Err(e) => Err(e.to_string()),
            };
            let _ = tx.send(DownloadMessage::Done(result));
            ctx.request_repaint();
        });
        self.downloads.insert(
            lang.to_string(),
            Download {
                file: "connecting…".into(),
                rx: Some(rx),
                ..Default::default()
            },
        );
    }
}

pub fn show(wb: &mut Workbench, ui: &mut egui::Ui) {
    ui.label(egui::RichText::new("Engines and models").heading());
    let Some(status) = wb.engines.status.clone() else {
        // looked up by the logic step before this frame's drawing; only a frame drawn
        // without it (none in the app) lands here
        ui.spinner();
        return;
    };
    let (embed_dir, embed_present) = &status.embeddings;
    ui.label(format!(
        "Sentence embeddings (all-MiniLM-L6-v2): {}",
        if *embed_present {
            format!("present in {}", embed_dir.display())
        } else {
            format!("missing ({}); drift then rests on chrF and the fact checks — run scripts/fetch-test-models", embed_dir.display())
        }
    ));
    ui.label(format!(
        "Apertium serves: {}",
        crate::translate::route::apertium_languages()
    ));
    ui.label(&status.wordnet);
    ui.separator();
    let mut start = None;
    egui::ScrollArea::vertical()
        .auto_shrink([false, false])
        .show(ui, |ui| {
            egui::Grid::new("engines")
                .striped(true)
                .num_columns(4)
                .min_col_width(60.0)
                .show(ui, |ui| {
                    for h in [
                        "language",
                        "judged by",
                        "Marian model",
                        "download / why no back-translation",
                    ] {
                        ui.label(egui::RichText::new(h).strong());
                    }
                    ui.end_row();
                    for (lang, model) in &status.models {
                        if let Some(l) = language_row(wb, ui, lang, model) {
                            start = Some(l);
                        }
                        ui.end_row();
                    }
                });
        });
    if let Some(lang) = start {
        wb.engines
            .start_download(&lang, wb.options.models_dir.clone(), ui.ctx());
    }
}

/// One language's row; the language whose Download button was clicked.
fn language_row(
    wb: &Workbench,
    ui: &mut egui::Ui,
    lang: &str,
    model: &ModelStatus,
) -> Option<String> {
    let name = crate::text::language(lang).map(|l| l.name).unwrap_or("");
    ui.label(format!("{lang} {name}"));
    let reports: Vec<_> = wb
        .model
        .translations
        .iter()
        .filter(|t| t.lang == lang)
        .collect();
    let engines: Vec<String> = reports
        .iter()
        .map(|t| format!("{}: {}", t.label, t.views_note()))
        .collect();
    ui.label(if engines.is_empty() {
        "not analysed yet".to_string()
    } else {
        engines.join("\n")
    });
    ui.label(model.describe());
    let mut start = None;
    ui.vertical(|ui| {
        // why it was not analysed, or why the back-translation did not run (direct only)
        let why = reports
            .iter()
            .find_map(|t| match &t.status {
                TranslationStatus::NotAnalysed { why, fix } => Some((why, fix)),
                _ => None,
            })
            .or_else(|| {
                reports
                    .iter()
                    .flat_map(|t| &t.not_run)
                    .map(|n| (&n.why, &n.fix))
                    .next()
            });
        if let Some((why, fix)) = why {
            ui.label(egui::RichText::new(why).small());
            ui.horizontal(|ui| {
                ui.label(egui::RichText::new("fix:").small());
                ui.code(fix);
            });
        }
        match wb.engines.downloads.get(lang) {
            Some(d) if !d.done => {
                let frac = if d.size > 0 {
                    d.received as f32 / d.size as f32
                } else {
                    0.0
                };
                ui.add(
                    egui::ProgressBar::new(frac)
                        .desired_width(220.0)
                        .text(format!(
                            "{} {}/{} kB",
                            d.file,
                            d.received / 1024,
                            d.size / 1024
                        )),
                );
            }
            Some(d) => {
                match &d.error {
                    Some(e) => {
                        ui.label(
                            egui::RichText::new(format!("Download failed: {e}"))
                                .color(ui.visuals().error_fg_color),
                        );
                    }
                    None => {
                        ui.label("Downloaded. Open the folder again to analyse with it.");
                    }
                }
                if model.is_listed() && ui.button(format!("Retry download {lang}")).clicked() {
                    start = Some(lang.to_string());
                }
            }
            None if model.can_download() && ui.button(format!("Download {lang}")).clicked() => {
                start = Some(lang.to_string());
            }
            None => {}
        }
    });
    start
}
