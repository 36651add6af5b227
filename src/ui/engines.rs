//! Engines and models: which engine serves each language, whether its Marian model is on
//! this computer, a Download button with a progress bar (hf-hub on a worker thread), and
//! the exact reason and fix when a language cannot be analysed.

use super::Workbench;
use crate::analyze::TranslationStatus;
use crate::models::download::DownloadEvent;
use crate::models::{ModelStore, Presence};
use eframe::egui;
use std::collections::BTreeMap;
use std::sync::mpsc::{Receiver, TryRecvError};
use std::sync::Arc;

/// A model download in progress or finished.
#[derive(Debug, Default)]
pub struct Download {
    pub file: String,
    pub size: usize,
    pub received: usize,
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
    /// Model presence per language, computed once (it looks at the disk).
    presence: Option<BTreeMap<String, String>>,
}

impl EnginesState {
    fn poll(&mut self) -> bool {
        let mut changed = false;
        for d in self.downloads.values_mut() {
            let Some(rx) = &d.rx else { continue };
            loop {
                match rx.try_recv() {
                    Ok(DownloadMessage::Event(DownloadEvent::File { name, size })) => {
                        d.file = name;
                        d.size = size;
                        d.received = 0;
                    }
                    Ok(DownloadMessage::Event(DownloadEvent::Bytes { bytes, .. })) => {
                        d.received += bytes
                    }
                    Ok(DownloadMessage::Event(DownloadEvent::FileDone { .. })) => {}
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
            let on: Arc<dyn Fn(DownloadEvent) + Send + Sync> = Arc::new(move |e| {
                let _ = tx_events.send(DownloadMessage::Event(e));
                ctx_events.request_repaint();
            });
            let result = match store.entry(&lang_owned) {
                Ok(entry) => crate::models::download::fetch_reporting(&store, entry, on)
                    .map_err(|e| e.to_string()),
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
        self.presence = None;
    }
}

fn presence(store: &ModelStore, lang: &str) -> String {
    match store.entry(lang) {
        Ok(e) => match store.locate(e) {
            Presence::Present(r) => format!("{} present ({})", e.name, r.dir.display()),
            Presence::Incomplete { dir, missing, .. } => format!(
                "{} incomplete in {}: lacks {}",
                e.name,
                dir.display(),
                missing.join(", ")
            ),
            Presence::Missing => format!("{} missing", e.name),
        },
        Err(_) => "no Marian model listed in models/models.toml".into(),
    }
}

pub fn show(wb: &mut Workbench, ui: &mut egui::Ui) {
    if wb.engines.poll() {
        wb.engines.presence = None;
    }
    let mut langs: Vec<String> = wb.inputs.iter().map(|i| i.lang.clone()).collect();
    langs.sort();
    langs.dedup();
    if wb.engines.presence.is_none() {
        let store = ModelStore::from_env(wb.options.models_dir.clone());
        wb.engines.presence = Some(
            langs
                .iter()
                .map(|l| (l.clone(), presence(&store, l)))
                .collect(),
        );
    }
    let embed_dir = crate::embed::model_dir("all-MiniLM-L6-v2");
    ui.label(egui::RichText::new("Engines and models").heading());
    ui.label(format!(
        "Sentence embeddings (all-MiniLM-L6-v2): {}",
        if embed_dir.is_dir() { format!("present in {}", embed_dir.display()) } else { format!("missing ({}); drift then rests on chrF and the fact checks — run scripts/fetch-test-models", embed_dir.display()) }
    ));
    ui.label(format!(
        "Apertium serves: {}",
        crate::translate::route::apertium_languages()
    ));
    ui.label(crate::resources::wordnet_status());
    ui.separator();
    let mut start = None;
    egui::ScrollArea::vertical().auto_shrink([false, false]).show(ui, |ui| {
        egui::Grid::new("engines").striped(true).num_columns(4).min_col_width(60.0).show(ui, |ui| {
            for h in ["language", "engine used", "Marian model", "download / why not analysed"] {
                ui.label(egui::RichText::new(h).strong());
            }
            ui.end_row();
            for lang in &langs {
                let name = crate::text::language(lang).map(|l| l.name).unwrap_or("");
                ui.label(format!("{lang} {name}"));
                let reports: Vec<_> = wb.translations.iter().filter(|t| &t.lang == lang).collect();
                let engines: Vec<String> = reports.iter().map(|t| format!("{}: {}", t.label, t.engine.as_deref().unwrap_or("none"))).collect();
                ui.label(if engines.is_empty() { "not analysed yet".to_string() } else { engines.join("\n") });
                let p = wb.engines.presence.as_ref().and_then(|m| m.get(lang)).cloned().unwrap_or_default();
                ui.label(&p);
                ui.vertical(|ui| {
                    let why = reports.iter().find_map(|t| match &t.status {
                        TranslationStatus::NotAnalysed { why, fix } => Some((why.clone(), fix.clone())),
                        _ => None,
                    });
                    if let Some((why, fix)) = &why {
                        ui.label(egui::RichText::new(why).small());
                        ui.horizontal(|ui| {
                            ui.label(egui::RichText::new("fix:").small());
                            ui.code(fix);
                        });
                    }
                    let listed = !p.starts_with("no Marian");
                    match wb.engines.downloads.get(lang) {
                        Some(d) if !d.done => {
                            let frac = if d.size > 0 { d.received as f32 / d.size as f32 } else { 0.0 };
                            ui.add(egui::ProgressBar::new(frac).desired_width(220.0).text(format!("{} {}/{} kB", d.file, d.received / 1024, d.size / 1024)));
                        }
                        Some(d) => {
                            match &d.error {
                                Some(e) => {
                                    ui.label(egui::RichText::new(format!("Download failed: {e}")).color(ui.visuals().error_fg_color));
                                }
                                None => {
                                    ui.label("Downloaded. Open the folder again to analyse with it.");
                                }
                            }
                            if listed && ui.button(format!("Retry download {lang}")).clicked() {
                                start = Some(lang.clone());
                            }
                        }
                        None if listed
                            && !p.contains(" present ")
                            && ui.button(format!("Download {lang}")).clicked() =>
                        {
                            start = Some(lang.clone());
                        }
                        None => {}
                    }
                });
                ui.end_row();
            }
        });
    });
    if let Some(lang) = start {
        wb.engines
            .start_download(&lang, wb.options.models_dir.clone(), ui.ctx());
    }
}
