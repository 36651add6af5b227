//! The analysis on a worker thread: the original is prepared once, then each translation is
//! analysed by its own call and sent back as soon as it is done, with progress per language
//! in between. The UI polls the channel every frame; the worker asks for a repaint whenever
//! it sends something.

use crate::analyze::{
    self, OriginalReport, Prepared, Progress, Settings, TranslationInput, TranslationReport,
};
use crate::translate::CancelFlag;
use std::path::PathBuf;
use std::sync::mpsc::{self, Receiver, Sender, TryRecvError};
use std::time::Instant;

/// What the worker reports.
#[derive(Debug)]
pub enum Message {
    /// The original is loaded and segmented.
    Original(OriginalReport),
    Progress(Progress),
    /// One translation is done (analysed or not).
    Translation(Box<TranslationReport>),
    /// The original could not be read: nothing can be analysed.
    Failed(String),
    /// All done (or cancelled).
    Finished {
        cancelled: bool,
        seconds: f64,
    },
}

/// A running analysis.
pub struct Worker {
    rx: Receiver<Message>,
    cancel: CancelFlag,
    thread: Option<std::thread::JoinHandle<()>>,
    pub finished: bool,
}

impl Worker {
    /// Starts analysing `inputs` against `original`. `repaint` is called after each message
    /// (the workbench passes `ctx.request_repaint`).
    pub fn start(
        original: PathBuf,
        inputs: Vec<TranslationInput>,
        mut settings: Settings,
        repaint: impl Fn() + Send + 'static,
    ) -> Worker {
        let (tx, rx) = mpsc::channel();
        let cancel = CancelFlag::new();
        settings.cancel = cancel.clone();
        let thread = std::thread::Builder::new()
            .name("driftlens-analysis".into())
            .spawn(move || run(original, inputs, settings, tx, repaint))
            .ok();
        Worker {
            rx,
            cancel,
            thread,
            finished: false,
        }
    }

    /// Asks the worker to stop; it stops at the next sentence batch and reports Finished.
    pub fn cancel(&self) {
        self.cancel.cancel();
    }

    pub fn is_cancelled(&self) -> bool {
        self.cancel.is_cancelled()
    }

    /// The messages that arrived since the last call (never blocks).
    pub fn poll(&mut self) -> Vec<Message> {
        let mut out = Vec::new();
        loop {
            match self.rx.try_recv() {
                Ok(m) => {
                    if matches!(m, Message::Finished { .. } | Message::Failed(_)) {
                        self.finished = true;
                    }
                    out.push(m)
                }
                Err(TryRecvError::Empty) => break,
                Err(TryRecvError::Disconnected) => {
                    if !self.finished {
                        self.finished = true;
                        out.push(Message::Failed("the analysis stopped unexpectedly (its thread ended without a result); run `driftlens analyze` in a terminal to see the error".into()));
                    }
                    break;
                }
            }
        }
        out
    }
}

impl Drop for Worker {
    fn drop(&mut self) {
        self.cancel.cancel();
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

fn run(
    original: PathBuf,
    inputs: Vec<TranslationInput>,
    settings: Settings,
    tx: Sender<Message>,
    repaint: impl Fn(),
) {
    let started = Instant::now();
    let send = |m: Message| {
        let _ = tx.send(m);
        repaint();
    };
    if crate::import::is_pre_aligned(&original) {
        return run_imported(&original, &inputs, &settings, &send, started);
    }
    let prepared = match Prepared::new(&original, Some("en"), settings.models_dir.as_deref()) {
        Ok(p) => p,
        Err(e) => {
            send(Message::Failed(format!(
                "cannot read the original {}: {e}",
                original.display()
            )));
            return;
        }
    };
    send(Message::Original(prepared.original_report()));
    // Progress messages arrive many times per sentence batch; forward at most ~30 a second
    // per language so the channel never floods the UI.
    let last = std::cell::Cell::new(Instant::now() - std::time::Duration::from_secs(1));
    let progress = |p: Progress| {
        let forward = match &p {
            Progress::Sentences { done, total, .. } => {
                done == total || last.get().elapsed().as_millis() >= 33
            }
            _ => true,
        };
        if forward {
            last.set(Instant::now());
            send(Message::Progress(p));
        }
    };
    for input in &inputs {
        if settings.cancel.is_cancelled() {
            break;
        }
        let report = prepared.analyze_translation(input, &settings, &progress);
        send(Message::Progress(Progress::Finished {
            label: input.label.clone(),
            analysed: report.is_analysed(),
        }));
        send(Message::Translation(Box::new(report)));
    }
    send(Message::Finished {
        cancelled: settings.cancel.is_cancelled(),
        seconds: started.elapsed().as_secs_f64(),
    });
}

/// A reviewer's XLIFF or TMX file: its source is the original, its target languages (those
/// of `inputs`) the translations, its segments the alignment.
fn run_imported(
    file: &std::path::Path,
    inputs: &[TranslationInput],
    settings: &Settings,
    send: &dyn Fn(Message),
    started: Instant,
) {
    let imported = match crate::import::read(file) {
        Ok(i) => i,
        Err(e) => return send(Message::Failed(e.to_string())),
    };
    let aligned = match crate::import::build(&imported) {
        Ok(a) => a,
        Err(e) => return send(Message::Failed(e.to_string())),
    };
    let prepared = Prepared::from_segmented(
        file,
        aligned.original_doc,
        aligned.original_seg,
        settings.models_dir.as_deref(),
    );
    send(Message::Original(prepared.original_report()));
    let progress = |p: Progress| {
        if !matches!(p, Progress::Sentences { .. }) {
            send(Message::Progress(p));
        }
    };
    for t in &aligned.translations {
        if settings.cancel.is_cancelled() {
            break;
        }
        if !inputs.iter().any(|i| i.label == t.input.label) {
            continue;
        }
        let mut report = prepared.analyze_aligned(t.as_aligned(), settings, &progress);
        t.name_units(&mut report);
        send(Message::Progress(Progress::Finished {
            label: t.input.label.clone(),
            analysed: report.is_analysed(),
        }));
        send(Message::Translation(Box::new(report)));
    }
    send(Message::Finished {
        cancelled: settings.cancel.is_cancelled(),
        seconds: started.elapsed().as_secs_f64(),
    });
}

/// The inputs of a corpus folder, or of loose files (a file named `en.*` is the original).
pub fn corpus_inputs(dir: &std::path::Path) -> Result<(PathBuf, Vec<TranslationInput>), String> {
    analyze::corpus_inputs(dir, None).map_err(|e| e.to_string())
}
