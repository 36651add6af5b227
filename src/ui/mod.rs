//! The Driftlens workbench: an egui application over the same pipeline as the command line.
//!
//! Shaped like egui's demo. [`Model`] is the app model: the report as it arrives (language by
//! language, from a worker thread) and the review project; panels read it and write through
//! its methods. [`Workbench`] holds the model, the navigation the panels share
//! ([`state::UiState`], pure and tested) and each panel's own view state. Every frame,
//! [`Workbench::logic`] does what must happen whether or not a panel is shown (the worker's
//! messages, downloads, the review's autosave); then one file per panel draws: `overview`,
//! `side_by_side`, `quotes`, `review_view`, `classroom_view`, `engines`; `export_dialog`
//! writes reports. Every control carries an AccessKit label, which is how `tests/ui.rs`
//! drives the app.

use eframe::egui;

pub mod cell;
pub mod fonts;
pub mod script;
pub mod state;
pub mod worker;

mod classroom_view;
mod downloads;
mod engines;
mod export_dialog;
mod model;
mod overview;
mod quotes;
mod review_view;
mod side_by_side;

use crate::analyze::{
    EngineChoice, Progress, Report, Settings, TranslationInput, TranslationReport,
};
use crate::translate::TranslationCache;
use state::{UiState, View};

pub use model::Model;
use std::path::{Path, PathBuf};
use std::sync::mpsc::Receiver;

pub use export_dialog::ExportFormat;

/// How the workbench analyses.
#[derive(Clone, Debug)]
pub struct Options {
    /// The back-translation cache folder; `None` disables the cache.
    pub cache_dir: Option<PathBuf>,
    /// A folder to look for models in first.
    pub models_dir: Option<PathBuf>,
    /// Only these translations, by label (`es`, `es.drift`); `None`: all of the corpus.
    pub labels: Option<Vec<String>>,
    pub engine: EngineChoice,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            cache_dir: Some(TranslationCache::default_dir()),
            models_dir: None,
            labels: None,
            engine: EngineChoice::Auto,
        }
    }
}

/// Progress of one translation's analysis.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct LangProgress {
    pub stage: String,
    pub done: usize,
    pub total: usize,
    pub finished: bool,
    pub analysed: bool,
}

/// A line in the status bar: information or an error with what to do.
#[derive(Debug, Clone, PartialEq)]
pub struct Notice {
    pub error: bool,
    pub text: String,
}

/// The application: the app model, the navigation shared by the panels, and each panel's
/// own view state.
pub struct Workbench {
    /// The report and the review project; panels read and write through it.
    pub model: Model,
    /// Which view, translation and pair are selected, the filters and the sort order.
    pub state: UiState,
    pub options: Options,
    worker: Option<worker::Worker>,
    export: export_dialog::ExportState,
    engines: engines::EnginesState,
    /// The overview's offer to download what the corpus lacks, and its job.
    downloads: downloads::DownloadsState,
    classroom: classroom_view::ClassroomState,
    folder_pick: Option<Receiver<Option<PathBuf>>>,
    fonts_installed: bool,
}

impl Workbench {
    /// Opens a corpus folder and starts analysing it on a worker thread.
    pub fn open(ctx: &egui::Context, corpus: &Path, options: Options) -> Workbench {
        let mut wb = Workbench::empty(corpus, options);
        wb.start_analysis(ctx, corpus);
        wb
    }

    /// A workbench over a report computed elsewhere (tests reuse one analysis this way).
    pub fn from_report(corpus: &Path, report: Report, options: Options) -> Workbench {
        let mut wb = Workbench::empty(corpus, options);
        wb.model.original_path = report.original.path.clone();
        wb.model.inputs = report
            .translations
            .iter()
            .map(|t| TranslationInput {
                lang: t.lang.clone(),
                label: t.label.clone(),
                path: t.path.clone(),
            })
            .collect();
        for t in &report.translations {
            wb.model.progress.insert(
                t.label.clone(),
                LangProgress {
                    stage: "done".into(),
                    done: 1,
                    total: 1,
                    finished: true,
                    analysed: t.is_analysed(),
                },
            );
        }
        wb.model.original = Some(report.original);
        wb.model.translations = report.translations;
        wb.model.open_review();
        wb.after_report_changed();
        wb
    }

    fn empty(corpus: &Path, options: Options) -> Workbench {
        Workbench {
            model: Model::new(corpus),
            state: UiState::default(),
            options,
            worker: None,
            export: Default::default(),
            engines: Default::default(),
            downloads: Default::default(),
            classroom: Default::default(),
            folder_pick: None,
            fonts_installed: false,
        }
    }

    /// Starts (or restarts) the analysis of a corpus folder.
    pub fn start_analysis(&mut self, ctx: &egui::Context, corpus: &Path) {
        if corpus.is_file() && crate::import::is_pre_aligned(corpus) {
            return self.start_imported(ctx, corpus);
        }
        match crate::analyze::corpus_inputs(corpus, self.options.labels.as_deref()) {
            Ok((original, inputs)) => self.start_inputs(ctx, corpus, original, inputs),
            Err(e) => self.model.notices.push(Notice {
                error: true,
                text: format!("cannot open {}: {e}", corpus.display()),
            }),
        }
    }

    /// Opens a reviewer's XLIFF or TMX file: its target languages are the translations, the
    /// review project lives beside it.
    fn start_imported(&mut self, ctx: &egui::Context, file: &Path) {
        match crate::import::read(file) {
            Ok(imported) => {
                let inputs = imported
                    .translations
                    .iter()
                    .map(|t| TranslationInput {
                        lang: t.lang.clone(),
                        label: t.label.clone(),
                        path: file.to_path_buf(),
                    })
                    .collect();
                let folder = file.parent().unwrap_or(Path::new(".")).to_path_buf();
                self.start_inputs(ctx, &folder, file.to_path_buf(), inputs);
            }
            // the open corpus and its review stay as they are
            Err(e) => self.model.notices.push(Notice {
                error: true,
                text: format!("cannot open {}: {e}", file.display()),
            }),
        }
    }

    fn start_inputs(
        &mut self,
        ctx: &egui::Context,
        corpus: &Path,
        original: PathBuf,
        inputs: Vec<TranslationInput>,
    ) {
        self.model.save_review();
        self.worker = None; // cancels and joins a running analysis
        self.model.corpus = corpus.to_path_buf();
        self.model.original_path = original.clone();
        self.model.inputs = inputs.clone();
        self.model.original = None;
        self.model.translations.clear();
        self.model.progress = inputs
            .iter()
            .map(|i| {
                (
                    i.label.clone(),
                    LangProgress {
                        stage: "waiting".into(),
                        ..Default::default()
                    },
                )
            })
            .collect();
        self.model.analysis_seconds = None;
        self.engines.invalidate();
        self.downloads.invalidate();
        self.model.open_review();
        self.classroom = Default::default();
        let settings = Settings {
            engine: Some(self.options.engine),
            models_dir: self.options.models_dir.clone(),
            cache: self.options.cache_dir.clone().map(TranslationCache::new),
            cancel: Default::default(),
        };
        let ctx = ctx.clone();
        self.worker = Some(worker::Worker::start(
            original,
            inputs,
            settings,
            move || ctx.request_repaint(),
        ));
    }

    /// Analyses the open corpus again (the same original and translations), as after
    /// models arrived; verdicts and notes stay.
    fn reanalyse(&mut self, ctx: &egui::Context) {
        if self.model.inputs.is_empty() {
            return;
        }
        let corpus = self.model.corpus.clone();
        let original = self.model.original_path.clone();
        let inputs = self.model.inputs.clone();
        self.start_inputs(ctx, &corpus, original, inputs);
    }

    /// Whether an analysis is running.
    pub fn is_busy(&self) -> bool {
        self.worker.as_ref().map(|w| !w.finished).unwrap_or(false)
    }

    /// Asks the running analysis to stop.
    pub fn cancel(&mut self) {
        if let Some(w) = &self.worker {
            w.cancel();
        }
    }

    /// The report so far (the original and the translations done), in input order.
    pub fn report(&self) -> Option<Report> {
        self.model.report()
    }

    pub fn translation(&self, label: &str) -> Option<&TranslationReport> {
        self.model.translation(label)
    }

    /// The selected translation.
    pub fn selected(&self) -> Option<&TranslationReport> {
        self.state
            .selection
            .label
            .as_deref()
            .and_then(|l| self.translation(l))
    }

    /// Saves what the reviewer typed (the workbench also saves within a second of each edit
    /// and when it closes).
    pub fn save_review(&mut self) {
        self.model.save_review();
    }

    fn poll_worker(&mut self) {
        let Some(w) = self.worker.as_mut() else {
            return;
        };
        let messages = w.poll();
        let mut changed = false;
        for m in messages {
            match m {
                worker::Message::Original(o) => self.model.original = Some(o),
                worker::Message::Progress(p) => self.on_progress(p),
                worker::Message::Translation(t) => {
                    self.model.translations.retain(|x| x.label != t.label);
                    self.model.translations.push(*t);
                    changed = true;
                }
                worker::Message::Failed(e) => self.model.notices.push(Notice {
                    error: true,
                    text: e,
                }),
                worker::Message::Finished { cancelled, seconds } => {
                    self.model.analysis_seconds = Some(seconds);
                    let done = self.model.translations.len();
                    let text = if cancelled {
                        format!("analysis cancelled after {seconds:.1} s: {done} of {} translations done", self.model.inputs.len())
                    } else {
                        format!("analysed {done} translations in {seconds:.1} s")
                    };
                    self.model.notices.push(Notice { error: false, text });
                }
            }
        }
        if changed {
            self.after_report_changed();
        }
    }

    fn on_progress(&mut self, p: Progress) {
        match p {
            Progress::Started { label, sentences } => {
                let e = self.model.progress.entry(label).or_default();
                e.total = sentences;
                e.stage = "starting".into();
            }
            Progress::Stage { label, stage } => {
                self.model.progress.entry(label).or_default().stage = stage.to_string()
            }
            Progress::Sentences { label, done, total } => {
                let e = self.model.progress.entry(label).or_default();
                e.done = done;
                e.total = total;
            }
            Progress::Finished { label, analysed } => {
                let e = self.model.progress.entry(label).or_default();
                e.finished = true;
                e.analysed = analysed;
                e.stage = if analysed {
                    "done".into()
                } else {
                    "aligned only".into()
                };
                e.done = e.total;
            }
        }
    }

    fn after_report_changed(&mut self) {
        if self.state.selection.label.is_none() {
            if let Some(first) =
                state::sorted_languages(&self.model.translations, self.state.sort).first()
            {
                self.state.selection.label = Some(self.model.translations[*first].label.clone());
            }
        }
    }

    /// Draws one frame. The eframe app and the tests both call this.
    pub fn ui(&mut self, ui: &mut egui::Ui) {
        if !self.fonts_installed {
            self.fonts_installed = true;
            install_fonts(ui.ctx());
        }
        self.logic(ui.ctx());
        self.draw(ui);
    }

    /// The work of every frame, whether or not a panel is shown: the worker's messages, the
    /// folder picker, dropped files, the review's autosave, downloads (the Engines panel's
    /// and the overview's offer, whose arrivals start a new analysis) and the engines'
    /// status, and the side-by-side keys. Drawing comes after and only reads what this left.
    pub fn logic(&mut self, ctx: &egui::Context) {
        self.poll_worker();
        self.poll_folder_pick(ctx);
        self.handle_dropped_files(ctx);
        self.model.autosave_review(ctx);
        let mut langs: Vec<String> = self.model.inputs.iter().map(|i| i.lang.clone()).collect();
        langs.sort();
        langs.dedup();
        if self.engines.logic(
            &langs,
            self.options.models_dir.clone(),
            self.state.view == View::Engines,
        ) {
            self.downloads.invalidate();
        }
        let overview = self.state.view == View::Overview;
        if self
            .downloads
            .logic(&langs, self.options.models_dir.clone(), overview)
        {
            // models arrived: the engines look again, the languages are analysed again
            self.engines.invalidate();
            self.reanalyse(ctx);
        }
        if self.state.view == View::SideBySide {
            self.handle_keys(ctx);
        }
    }

    /// Draws the menu, the status and progress bars, the current panel and the export window.
    fn draw(&mut self, ui: &mut egui::Ui) {
        egui::Panel::top("menu").show(ui, |ui| {
            egui::MenuBar::new().ui(ui, |ui| {
                ui.menu_button("File", |ui| {
                    if ui.button("Open folder…").clicked() {
                        self.pick_folder();
                        ui.close();
                    }
                    if ui.button("Export…").clicked() {
                        self.export.open = true;
                        ui.close();
                    }
                    if ui.button("Save review").clicked() {
                        self.save_review();
                        ui.close();
                    }
                    if ui.button("Quit").clicked() {
                        self.save_review();
                        ui.ctx().send_viewport_cmd(egui::ViewportCommand::Close);
                    }
                });
                ui.separator();
                for v in View::ALL {
                    if ui
                        .selectable_label(self.state.view == v, v.title())
                        .clicked()
                    {
                        self.state.view = v;
                    }
                }
            });
        });
        egui::Panel::bottom("status").show(ui, |ui| self.status_bar(ui));
        if self.is_busy() {
            egui::Panel::top("progress").show(ui, |ui| self.progress_bar(ui));
        }
        egui::CentralPanel::default().show(ui, |ui| match self.state.view {
            View::Overview => overview::show(self, ui),
            View::SideBySide => side_by_side::show(self, ui),
            View::Quotes => quotes::show(self, ui),
            View::Review => review_view::show(self, ui),
            View::Classroom => classroom_view::show(self, ui),
            View::Engines => engines::show(self, ui),
        });
        export_dialog::window(self, ui.ctx());
    }

    fn handle_keys(&mut self, ctx: &egui::Context) {
        if ctx.egui_wants_keyboard_input() {
            return;
        }
        let (next, prev, lang) = ctx.input(|i| {
            (
                i.key_pressed(egui::Key::J) || i.key_pressed(egui::Key::ArrowDown),
                i.key_pressed(egui::Key::K) || i.key_pressed(egui::Key::ArrowUp),
                i.key_pressed(egui::Key::L),
            )
        });
        if lang {
            self.state.select_next_language(&self.model.translations);
        }
        let Some(label) = self.state.selection.label.clone() else {
            return;
        };
        let Some(t) = self.model.translations.iter().find(|t| t.label == label) else {
            return;
        };
        if next {
            self.state.select_next_flagged(t);
        } else if prev {
            self.state.select_previous_flagged(t);
        }
    }

    fn progress_bar(&mut self, ui: &mut egui::Ui) {
        let finished = self.model.progress.values().filter(|p| p.finished).count();
        let total = self.model.progress.len().max(1);
        let current = self
            .model
            .progress
            .iter()
            .find(|(_, p)| !p.finished && p.stage != "waiting");
        let what = match current {
            Some((label, p)) if p.total > 0 => {
                format!("{label}: {} {}/{}", p.stage, p.done, p.total)
            }
            Some((label, p)) => format!("{label}: {}", p.stage),
            None if self.model.original.is_none() => "reading the original".into(),
            None => "starting the next translation".into(),
        };
        ui.horizontal(|ui| {
            ui.spinner();
            ui.add(
                egui::ProgressBar::new(finished as f32 / total as f32)
                    .desired_width(240.0)
                    .text(format!("{finished}/{total} translations")),
            );
            ui.label(what);
            let cancelling = self
                .worker
                .as_ref()
                .map(|w| w.is_cancelled())
                .unwrap_or(false);
            if ui
                .add_enabled(
                    !cancelling,
                    egui::Button::new(if cancelling {
                        "Cancelling…"
                    } else {
                        "Cancel"
                    }),
                )
                .clicked()
            {
                self.cancel();
            }
        });
    }

    fn status_bar(&mut self, ui: &mut egui::Ui) {
        ui.horizontal_wrapped(|ui| {
            ui.label(format!(
                "{} — {} translations",
                self.model.corpus.display(),
                self.model.inputs.len()
            ));
            if let Some(n) = self.model.notices.last() {
                ui.separator();
                let text = egui::RichText::new(&n.text);
                ui.label(if n.error {
                    text.color(ui.visuals().error_fg_color)
                } else {
                    text
                });
            }
        });
    }

    fn pick_folder(&mut self) {
        let (tx, rx) = std::sync::mpsc::channel();
        let start = self.model.corpus.clone();
        std::thread::spawn(move || {
            let picked = rfd::FileDialog::new()
                .set_title("Open a corpus folder")
                .set_directory(start)
                .pick_folder();
            let _ = tx.send(picked);
        });
        self.folder_pick = Some(rx);
    }

    fn poll_folder_pick(&mut self, ctx: &egui::Context) {
        let Some(rx) = &self.folder_pick else { return };
        match rx.try_recv() {
            Ok(Some(dir)) => {
                self.folder_pick = None;
                self.state = UiState::default();
                self.start_analysis(ctx, &dir);
            }
            Ok(None) | Err(std::sync::mpsc::TryRecvError::Disconnected) => self.folder_pick = None,
            Err(std::sync::mpsc::TryRecvError::Empty) => {
                ctx.request_repaint_after(std::time::Duration::from_millis(200))
            }
        }
    }

    /// A dropped folder opens as a corpus, a dropped XLIFF or TMX file as a pre-aligned
    /// translation (see `crate::import`); dropped files join the open corpus as
    /// translations named by their language code (`ru.md`, `ru.mine.md`), and a file named
    /// `en.*` becomes the original.
    fn handle_dropped_files(&mut self, ctx: &egui::Context) {
        let dropped: Vec<PathBuf> = ctx.input(|i| {
            i.raw
                .dropped_files
                .iter()
                .map(|f| f.path().to_path_buf())
                .filter(|p| !p.as_os_str().is_empty())
                .collect()
        });
        if dropped.is_empty() {
            return;
        }
        if let Some(file) = dropped.iter().find(|p| crate::import::is_pre_aligned(p)) {
            self.state = UiState::default();
            self.start_analysis(ctx, &file.clone());
            return;
        }
        if let Some(dir) = dropped.iter().find(|p| p.is_dir()) {
            self.state = UiState::default();
            self.start_analysis(ctx, &dir.clone());
            return;
        }
        match dropped_inputs(&self.model.original_path, &self.model.inputs, &dropped) {
            Ok((original, inputs, skipped)) => {
                for s in skipped {
                    self.model.notices.push(Notice {
                        error: true,
                        text: s,
                    });
                }
                let corpus = self.model.corpus.clone();
                self.start_inputs(ctx, &corpus, original, inputs);
            }
            Err(e) => self.model.notices.push(Notice {
                error: true,
                text: e,
            }),
        }
    }
}

/// The original and translations after dropping loose files on the workbench, and a
/// message for each file that was not used.
pub fn dropped_inputs(
    original: &Path,
    inputs: &[TranslationInput],
    dropped: &[PathBuf],
) -> Result<(PathBuf, Vec<TranslationInput>, Vec<String>), String> {
    let mut original = original.to_path_buf();
    let mut inputs = inputs.to_vec();
    let mut skipped = Vec::new();
    for path in dropped {
        let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
        let stem = name.rsplit_once('.').map(|(s, _)| s).unwrap_or(name);
        let lang = stem.split(['.', '_', '-']).next().unwrap_or("");
        if lang == "en" {
            original = path.clone();
            continue;
        }
        match crate::text::language(lang) {
            Some(l) => {
                inputs.retain(|i| i.label != stem);
                inputs.push(TranslationInput { lang: l.code.to_string(), label: stem.to_string(), path: path.clone() });
            }
            None => skipped.push(format!("{}: the file name does not start with a language code (e.g. ru.md, ar.txt); rename it so Driftlens knows its language", path.display())),
        }
    }
    if inputs.is_empty() {
        return Err("no translation to analyse: drop files named by language code (ru.md, ar.txt …) or a corpus folder".into());
    }
    inputs.sort_by(|a, b| a.label.cmp(&b.label));
    Ok((original, inputs, skipped))
}

/// Fallback fonts for every script of the corpus.
fn install_fonts(ctx: &egui::Context) {
    let _ = fonts::install_fonts(ctx);
}

impl eframe::App for Workbench {
    fn ui(&mut self, ui: &mut egui::Ui, _frame: &mut eframe::Frame) {
        Workbench::ui(self, ui);
    }
    fn on_exit(&mut self, _gl: Option<&eframe::glow::Context>) {
        self.save_review();
    }
}

impl Drop for Workbench {
    fn drop(&mut self) {
        self.model.save_review();
    }
}

/// Colours shared by the panels.
pub mod colors {
    use crate::drift::DriftLevel;
    use eframe::egui;
    use egui::Color32;

    /// Drift 0 (pale green) → 0.5 (amber) → 1 (red): the shared ramp
    /// ([`crate::export::heat::WORKBENCH`]).
    pub fn drift(d: f32) -> Color32 {
        let [r, g, b] = crate::export::heat::WORKBENCH.rgb(d);
        Color32::from_rgb(r, g, b)
    }

    pub fn level(l: DriftLevel) -> Color32 {
        match l {
            DriftLevel::None => Color32::from_rgb(150, 190, 150),
            DriftLevel::Minor => Color32::from_rgb(230, 200, 90),
            DriftLevel::Major => Color32::from_rgb(235, 140, 50),
            DriftLevel::Critical => Color32::from_rgb(210, 50, 50),
        }
    }

    /// A translucent background for highlighted words.
    pub fn highlight(l: DriftLevel) -> Color32 {
        let c = level(l);
        Color32::from_rgba_unmultiplied(c.r(), c.g(), c.b(), 110)
    }

    pub const NOT_ANALYSED: Color32 = Color32::from_rgb(120, 120, 130);

    /// The mark of a translation judged by the direct view alone (no back-translation).
    pub const DIRECT_ONLY: Color32 = Color32::from_rgb(90, 150, 220);
}

/// Opens the workbench window on a corpus folder.
pub fn run(corpus: &Path, options: Options) -> Result<(), String> {
    let corpus = corpus.to_path_buf();
    let native = eframe::NativeOptions {
        viewport: egui::ViewportBuilder::default()
            .with_title("Driftlens")
            .with_inner_size([1400.0, 900.0])
            .with_drag_and_drop(true),
        ..Default::default()
    };
    eframe::run_native(
        "Driftlens",
        native,
        Box::new(move |cc| Ok(Box::new(Workbench::open(&cc.egui_ctx, &corpus, options)))),
    )
    .map_err(|e| format!("cannot open the workbench window: {e}"))
}

/// Whether a display is available for a window (X11 or Wayland).
pub fn display_available() -> bool {
    std::env::var_os("DISPLAY")
        .map(|d| !d.is_empty())
        .unwrap_or(false)
        || std::env::var_os("WAYLAND_DISPLAY")
            .map(|d| !d.is_empty())
            .unwrap_or(false)
}
