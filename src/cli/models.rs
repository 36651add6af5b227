//! `driftlens models list|fetch|verify`: the command line over the model store.

use super::flags::{ModelsAction, ModelsArgs};
use driftlens::models::download::{self, human_size as human, DownloadEvent};
use driftlens::models::store::{verify_files, Presence, StoreConfig};
use driftlens::models::{Catalog, ModelEntry, ModelKind, ModelStore};
use driftlens::translate::CancelFlag;
use indicatif::{ProgressBar, ProgressStyle};
use std::io::IsTerminal;

/// Runs a `models` subcommand, printing to stdout; errors carry the message to show.
pub fn run(args: ModelsArgs) -> Result<(), String> {
    let catalog = match &args.catalog {
        Some(p) => Catalog::load(p)?,
        None => Catalog::bundled(),
    };
    let store = ModelStore::new(catalog, StoreConfig::from_env(args.models.clone()));
    match args.action {
        ModelsAction::List => {
            list(&store);
            Ok(())
        }
        ModelsAction::Fetch { langs } => fetch(&store, &langs),
        ModelsAction::Verify { langs } => verify(&store, &langs),
    }
}

fn list(store: &ModelStore) {
    println!(
        "{:<5} {:<22} {:<10} {:<10} {:>8}  where",
        "lang", "model", "revision", "status", "size"
    );
    let mut present = 0;
    for (lang, name) in &store.catalog.languages {
        let Some(entry) = store.catalog.model(name) else {
            continue;
        };
        let (status, size, place) = match store.locate(entry) {
            Presence::Present(r) => {
                present += 1;
                (
                    "present".to_string(),
                    human(r.size()),
                    format!("{} ({})", r.dir.display(), r.location),
                )
            }
            Presence::Incomplete { dir, missing, .. } => (
                "incomplete".to_string(),
                "-".to_string(),
                format!("{} lacks {}", dir.display(), missing.join(", ")),
            ),
            Presence::Missing => (
                "missing".to_string(),
                "-".to_string(),
                format!("driftlens models fetch {lang}"),
            ),
        };
        println!(
            "{:<5} {:<22} {:<10} {:<10} {:>8}  {}",
            lang,
            entry.name,
            entry.revision_label(),
            status,
            size,
            place
        );
    }
    for entry in store
        .catalog
        .models
        .iter()
        .filter(|m| m.kind == ModelKind::Embedding)
    {
        let (status, size, place) = match store.locate(entry) {
            Presence::Present(r) => (
                "present".to_string(),
                human(r.size()),
                format!("{} ({})", r.dir.display(), r.location),
            ),
            Presence::Incomplete { dir, missing, .. } => (
                "incomplete".to_string(),
                "-".to_string(),
                format!("{} lacks {}", dir.display(), missing.join(", ")),
            ),
            Presence::Missing => (
                "missing".to_string(),
                "-".to_string(),
                format!("driftlens models fetch {}", entry.name),
            ),
        };
        println!(
            "{:<5} {:<22} {:<10} {:<10} {:>8}  {} (embeddings)",
            "-",
            entry.name,
            entry.revision_label(),
            status,
            size,
            place
        );
    }
    let models: std::collections::BTreeSet<&String> = store.catalog.languages.values().collect();
    println!("\n{} languages routed to {} models; {present} languages have their model on this computer.", store.catalog.languages.len(), models.len());
    println!("{}", driftlens::resources::wordnet_status());
    if let Some(hub) = &store.config.hf_cache {
        println!(
            "Looked in: {}the project's models/ ({}), the Hugging Face cache ({}){}.",
            store
                .config
                .user_dir
                .as_ref()
                .map(|u| format!("{}, ", u.display()))
                .unwrap_or_default(),
            store
                .config
                .project_dir
                .clone()
                .unwrap_or_default()
                .display(),
            hub.display(),
            if store.config.offline {
                "; HF_HUB_OFFLINE is set"
            } else {
                ""
            }
        );
    }
}

/// Draws the download's progress on stderr: a bar per file on a terminal, a line per file
/// otherwise. The library only reports events; this face draws them.
struct TerminalProgress {
    bar: std::sync::Mutex<Option<ProgressBar>>,
    tty: bool,
}

impl TerminalProgress {
    fn new() -> TerminalProgress {
        TerminalProgress {
            bar: std::sync::Mutex::new(None),
            tty: std::io::stderr().is_terminal(),
        }
    }

    fn on(&self, event: DownloadEvent) {
        let mut bar = self.bar.lock().unwrap_or_else(|e| e.into_inner());
        match event {
            DownloadEvent::Sizing { model, done, of } if self.tty => {
                eprint!(
                    "\rasking the hub for the files of {model} ({}/{of})…\x1b[K",
                    done + 1
                )
            }
            DownloadEvent::Planned { files, bytes, have } => {
                if self.tty {
                    eprint!("\r\x1b[K");
                }
                let resumed = if have > 0 {
                    format!(", {} of it already here", human(have))
                } else {
                    String::new()
                };
                eprintln!("{files} files to fetch, {}{resumed}", human(bytes));
            }
            DownloadEvent::File {
                model,
                name,
                size,
                resumed,
            } if self.tty => {
                let pb = ProgressBar::new(size);
                if let Ok(style) = ProgressStyle::with_template(
                    "{msg:<40} [{bar:30}] {bytes}/{total_bytes} {bytes_per_sec} {eta}",
                ) {
                    pb.set_style(style.progress_chars("=> "));
                }
                pb.set_message(format!("{model}/{name}"));
                pb.set_position(resumed);
                *bar = Some(pb);
            }
            DownloadEvent::Bytes { bytes, .. } => {
                if let Some(pb) = bar.as_ref() {
                    pb.inc(bytes);
                }
            }
            DownloadEvent::FileDone { model, name } => match bar.take() {
                Some(pb) => pb.finish_and_clear(),
                None => eprintln!("{model}/{name} downloaded and checked"),
            },
            _ => {}
        }
    }
}

/// Each language's back-translation model and the forward model of its round trip, fetched
/// in one job: sizes first, then the files; a hub that cannot be reached is said once.
fn fetch(store: &ModelStore, langs: &[String]) -> Result<(), String> {
    let mut wanted: Vec<(&String, &ModelEntry)> = Vec::new();
    for lang in langs {
        wanted.push((lang, store.entry(lang).map_err(|e| e.to_string())?));
        wanted.extend(store.catalog.forward_for(lang).map(|(e, _)| (lang, e)));
    }
    let mut seen = std::collections::HashSet::new();
    wanted.retain(|(_, e)| seen.insert(e.name.clone()));
    let mut missing = Vec::new();
    for (lang, entry) in wanted {
        match store.locate(entry) {
            Presence::Present(r) => println!(
                "{lang}: {} is already on this computer ({})",
                entry.name,
                r.dir.display()
            ),
            _ => missing.push(entry),
        }
    }
    if missing.is_empty() {
        return Ok(());
    }
    if !store.config.offline {
        eprintln!(
            "downloading {} from {} …",
            missing
                .iter()
                .map(|e| e.name.as_str())
                .collect::<Vec<_>>()
                .join(", "),
            download::endpoint(&store.config.endpoint)
        );
    }
    let progress = TerminalProgress::new();
    let report = download::fetch_all(store, &missing, &|e| progress.on(e), &CancelFlag::new())
        .map_err(|e| e.to_string())?;
    for r in &report.ready {
        println!(
            "{} ready in {} ({})",
            r.entry.name,
            r.dir.display(),
            human(r.size())
        );
    }
    for (_, e) in &report.failed {
        eprintln!("driftlens: {e}");
    }
    if report.failed.is_empty() {
        Ok(())
    } else {
        let names: Vec<&str> = report.failed.iter().map(|(n, _)| n.as_str()).collect();
        Err(format!("could not fetch {}", names.join(", ")))
    }
}

fn verify(store: &ModelStore, langs: &[String]) -> Result<(), String> {
    let entries: Vec<_> = if langs.is_empty() {
        let mut seen = std::collections::HashSet::new();
        store
            .catalog
            .models
            .iter()
            .filter(|m| seen.insert(m.name.clone()))
            .collect()
    } else {
        langs
            .iter()
            .map(|l| store.entry(l).map_err(|e| e.to_string()))
            .collect::<Result<_, _>>()?
    };
    let (mut checked, mut bad) = (0, 0);
    for entry in entries {
        match store.locate(entry) {
            Presence::Present(r) => {
                for c in verify_files(&r) {
                    checked += 1;
                    if c.status.is_ok() {
                        println!("ok       {}/{}  {}", entry.name, c.file, c.status);
                    } else {
                        bad += 1;
                        println!(
                            "DAMAGED  {} {}; {}",
                            c.path.display(),
                            c.status,
                            store.fetch_hint(entry)
                        );
                    }
                }
            }
            Presence::Incomplete { dir, missing, .. } => {
                bad += 1;
                println!(
                    "MISSING  {}: {} lacks {}; {}",
                    entry.name,
                    dir.display(),
                    missing.join(", "),
                    store.fetch_hint(entry)
                );
            }
            Presence::Missing if !langs.is_empty() => {
                bad += 1;
                println!(
                    "MISSING  {}: not on this computer; {}",
                    entry.name,
                    store.fetch_hint(entry)
                );
            }
            Presence::Missing => {}
        }
    }
    println!("{checked} files checked, {bad} problems.");
    if bad > 0 {
        Err(format!(
            "{bad} model files are missing or damaged (see above)"
        ))
    } else {
        Ok(())
    }
}
