//! File ▸ Export: the report as HTML, CSV or JSON (the `export` writers), the selected
//! translation as XLIFF with the reviewer's notes, or every translation as TMX.

use super::{Notice, Workbench};
use eframe::egui;
use std::path::{Path, PathBuf};
use std::sync::mpsc::Receiver;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExportFormat {
    Html,
    Csv,
    Json,
    Xliff,
    Tmx,
}

impl ExportFormat {
    pub const ALL: [ExportFormat; 5] = [
        ExportFormat::Html,
        ExportFormat::Csv,
        ExportFormat::Json,
        ExportFormat::Xliff,
        ExportFormat::Tmx,
    ];
    pub fn extension(self) -> &'static str {
        match self {
            ExportFormat::Html => "html",
            ExportFormat::Csv => "csv",
            ExportFormat::Json => "json",
            ExportFormat::Xliff => "xlf",
            ExportFormat::Tmx => "tmx",
        }
    }
    pub fn title(self) -> &'static str {
        match self {
            ExportFormat::Html => "HTML report",
            ExportFormat::Csv => "CSV (one row per pair)",
            ExportFormat::Json => "JSON (stable format)",
            ExportFormat::Xliff => "XLIFF 1.2 of the selected translation, with notes",
            ExportFormat::Tmx => "TMX 1.4b of all translations",
        }
    }
}

#[derive(Default)]
pub struct ExportState {
    pub open: bool,
    pub format: Option<ExportFormat>,
    pub path: String,
    pub last: Option<Result<PathBuf, String>>,
    pick: Option<Receiver<Option<PathBuf>>>,
}

impl Workbench {
    /// Writes an export to `path` (atomically, through [`crate::atomic::write`]).
    pub fn export_to(&self, format: ExportFormat, path: &Path) -> Result<(), String> {
        let report = self
            .report()
            .ok_or("nothing to export yet: the original is still being read")?;
        let text = match format {
            ExportFormat::Html => crate::export::html(&report),
            ExportFormat::Csv => crate::export::csv(&report),
            ExportFormat::Json => crate::export::json(&report),
            ExportFormat::Xliff => {
                let label =
                    self.state.selection.label.as_deref().ok_or(
                        "select a translation first (side by side), then export it as XLIFF",
                    )?;
                let t = report
                    .translations
                    .iter()
                    .find(|t| t.label == label)
                    .ok_or_else(|| format!("{label} is not analysed yet"))?;
                self.model.xliff(&report, t)
            }
            ExportFormat::Tmx => self.model.tmx(&report),
        };
        crate::atomic::write(path, text.as_bytes(), crate::atomic::Durability::Durable)
            .map_err(|e| e.to_string())?;
        Ok(())
    }
}

pub fn window(wb: &mut Workbench, ctx: &egui::Context) {
    if !wb.export.open {
        return;
    }
    if let Some(rx) = &wb.export.pick {
        match rx.try_recv() {
            Ok(Some(p)) => {
                wb.export.path = p.display().to_string();
                wb.export.pick = None;
            }
            Ok(None) | Err(std::sync::mpsc::TryRecvError::Disconnected) => wb.export.pick = None,
            Err(std::sync::mpsc::TryRecvError::Empty) => {
                ctx.request_repaint_after(std::time::Duration::from_millis(200))
            }
        }
    }
    let format = *wb.export.format.get_or_insert(ExportFormat::Html);
    if wb.export.path.is_empty() {
        wb.export.path = default_path(
            &wb.model.corpus,
            format,
            wb.state.selection.label.as_deref(),
        )
        .display()
        .to_string();
    }
    let mut close = false;
    egui::Window::new("Export")
        .collapsible(false)
        .resizable(false)
        .default_width(520.0)
        .show(ctx, |ui| {
            ui.label("Format:");
            for f in ExportFormat::ALL {
                if ui.radio(wb.export.format == Some(f), f.title()).clicked()
                    && wb.export.format != Some(f)
                {
                    wb.export.format = Some(f);
                    wb.export.path =
                        default_path(&wb.model.corpus, f, wb.state.selection.label.as_deref())
                            .display()
                            .to_string();
                }
            }
            ui.horizontal(|ui| {
                let l = ui.label("File:");
                ui.add(
                    egui::TextEdit::singleline(&mut wb.export.path)
                        .desired_width(360.0)
                        .hint_text("file to write"),
                )
                .labelled_by(l.id);
                if ui.button("Choose…").clicked() {
                    let (tx, rx) = std::sync::mpsc::channel();
                    let current = PathBuf::from(&wb.export.path);
                    std::thread::spawn(move || {
                        let mut d = rfd::FileDialog::new().set_title("Export the report");
                        if let Some(dir) = current.parent() {
                            d = d.set_directory(dir);
                        }
                        if let Some(name) = current.file_name() {
                            d = d.set_file_name(name.to_string_lossy());
                        }
                        let _ = tx.send(d.save_file());
                    });
                    wb.export.pick = Some(rx);
                }
            });
            ui.horizontal(|ui| {
                if ui.button("Export now").clicked() {
                    let path = PathBuf::from(wb.export.path.trim());
                    let f = wb.export.format.unwrap_or(ExportFormat::Html);
                    let r = wb.export_to(f, &path).map(|_| path);
                    let notice = match &r {
                        Ok(p) => Notice {
                            error: false,
                            text: format!("exported {}", p.display()),
                        },
                        Err(e) => Notice {
                            error: true,
                            text: format!("export failed: {e}"),
                        },
                    };
                    wb.model.notices.push(notice);
                    wb.export.last = Some(r);
                }
                if ui.button("Close").clicked() {
                    close = true;
                }
            });
            match &wb.export.last {
                Some(Ok(p)) => {
                    ui.label(format!("Written: {}", p.display()));
                }
                Some(Err(e)) => {
                    ui.label(egui::RichText::new(e).color(ui.visuals().error_fg_color));
                }
                None => {}
            }
        });
    if close {
        wb.export.open = false;
        wb.export.last = None;
    }
}

fn default_path(corpus: &Path, f: ExportFormat, label: Option<&str>) -> PathBuf {
    let name = match f {
        ExportFormat::Xliff => format!(
            "driftlens-{}.{}",
            label.unwrap_or("translation"),
            f.extension()
        ),
        _ => format!("driftlens-report.{}", f.extension()),
    };
    corpus.join(name)
}
