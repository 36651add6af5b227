//! `driftlens models list|fetch|verify`: the command line over the model store.

use super::flags::{ModelsAction, ModelsArgs};
use driftlens::models::store::{verify_files, Presence, StoreConfig};
use driftlens::models::{Catalog, ModelKind, ModelStore};

fn human(bytes: u64) -> String {
    if bytes >= 1 << 30 {
        format!("{:.1} GB", bytes as f64 / (1u64 << 30) as f64)
    } else if bytes >= 1 << 20 {
        format!("{:.0} MB", bytes as f64 / (1u64 << 20) as f64)
    } else if bytes >= 1 << 10 {
        format!("{:.0} kB", bytes as f64 / 1024.0)
    } else {
        format!("{bytes} B")
    }
}

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

fn fetch(store: &ModelStore, langs: &[String]) -> Result<(), String> {
    let mut failures = Vec::new();
    let mut done = std::collections::HashSet::new();
    // each language's back-translation model, and the forward model of its round trip
    let mut wanted = Vec::new();
    for lang in langs {
        wanted.push((lang, store.entry(lang).map_err(|e| e.to_string())?));
        wanted.extend(store.catalog.forward_for(lang).map(|(e, _)| (lang, e)));
    }
    for (lang, entry) in wanted {
        if !done.insert(entry.name.clone()) {
            continue;
        }
        if let Presence::Present(r) = store.locate(entry) {
            println!(
                "{lang}: {} is already on this computer ({})",
                entry.name,
                r.dir.display()
            );
            continue;
        }
        if !store.config.offline {
            eprintln!(
                "{lang}: downloading {} from https://huggingface.co/{} …",
                entry.name, entry.repo
            );
        }
        match store.fetch(entry, true) {
            Ok(r) => println!(
                "{lang}: {} ready in {} ({})",
                entry.name,
                r.dir.display(),
                human(r.size())
            ),
            Err(e) => {
                eprintln!("driftlens: {e}");
                failures.push(lang.clone());
            }
        }
    }
    if failures.is_empty() {
        Ok(())
    } else {
        Err(format!(
            "could not fetch the models for {}",
            failures.join(", ")
        ))
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
