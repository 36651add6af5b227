//! The house rules a newcomer relies on, checked on the sources themselves: no file imports
//! one that imports it back, and the pure core names none of the UI, model or CLI crates.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Every `.rs` file below `dir`.
fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for e in std::fs::read_dir(dir).unwrap().flatten() {
        let p = e.path();
        if p.is_dir() {
            rust_files(&p, out);
        } else if p.extension().is_some_and(|x| x == "rs") {
            out.push(p);
        }
    }
}

/// The module path of a file of a crate whose sources are in `src` (`a/b.rs` and
/// `a/b/mod.rs` are `a::b`; `lib.rs` and `main.rs` the crate root).
fn module_path(src: &Path, file: &Path) -> Vec<String> {
    let rel = file.strip_prefix(src).unwrap().with_extension("");
    let mut parts: Vec<String> = rel
        .components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect();
    if parts.last().is_some_and(|p| p == "mod") || parts == ["lib"] || parts == ["main"] {
        parts.pop();
    }
    parts
}

/// The file that defines the longest prefix of a module path, if any.
fn file_of(src: &Path, path: &[String]) -> Option<PathBuf> {
    (1..=path.len()).rev().find_map(|k| {
        let base = path[..k].iter().fold(src.to_path_buf(), |p, s| p.join(s));
        [base.with_extension("rs"), base.join("mod.rs")]
            .into_iter()
            .find(|c| c.is_file())
    })
}

/// The files of the same crate that `file` names through `crate::…` or `super::…` paths.
fn imports(src: &Path, file: &Path) -> BTreeSet<PathBuf> {
    let here = module_path(src, file);
    let text = std::fs::read_to_string(file).unwrap();
    let mut out = BTreeSet::new();
    for line in text.lines() {
        let code = line.split("//").next().unwrap_or("");
        for (i, _) in code
            .match_indices("crate::")
            .chain(code.match_indices("super::"))
        {
            if i > 0 && code[..i].ends_with(|c: char| c.is_alphanumeric() || c == '_') {
                continue;
            }
            let path: Vec<&str> = code[i..]
                .split(|c: char| !(c.is_alphanumeric() || c == '_' || c == ':'))
                .next()
                .unwrap_or("")
                .split("::")
                .filter(|s| !s.is_empty())
                .collect();
            let mut target: Vec<String> = Vec::new();
            let mut rest = &path[..];
            if path.first() == Some(&"crate") {
                rest = &path[1..];
            } else {
                target = here[..here.len().saturating_sub(1)].to_vec();
                while rest.first() == Some(&"super") {
                    rest = &rest[1..];
                    if rest.first() == Some(&"super") {
                        target.pop();
                    }
                }
            }
            target.extend(rest.iter().map(|s| s.to_string()));
            if let Some(t) = file_of(src, &target).filter(|t| t != file) {
                out.insert(t);
            }
        }
    }
    out
}

#[test]
fn no_file_imports_one_that_imports_it_back() {
    let mut cycles = Vec::new();
    for src in ["src", "crates/core/src", "crates/engines/src"] {
        let src = root().join(src);
        let mut files = Vec::new();
        rust_files(&src, &mut files);
        let edges: Vec<(PathBuf, BTreeSet<PathBuf>)> = files
            .iter()
            .map(|f| (f.clone(), imports(&src, f)))
            .collect();
        assert!(
            edges.iter().map(|(_, t)| t.len()).sum::<usize>() > 10,
            "{}: the import scan found almost nothing",
            src.display()
        );
        for (a, targets) in &edges {
            for b in targets {
                let back = edges
                    .iter()
                    .find(|(f, _)| f == b)
                    .map(|(_, t)| t.contains(a));
                if back == Some(true) && a < b {
                    cycles.push(format!("{} <-> {}", a.display(), b.display()));
                }
            }
        }
    }
    assert!(
        cycles.is_empty(),
        "import cycles:\n  {}",
        cycles.join("\n  ")
    );
}

#[test]
fn the_core_crate_names_no_ui_model_or_cli_crate() {
    let manifest = std::fs::read_to_string(root().join("crates/core/Cargo.toml")).unwrap();
    for name in ["egui", "eframe", "candle", "ureq", "clap", "tokenizers"] {
        assert!(
            !manifest.lines().any(|l| l.trim_start().starts_with(name)),
            "crates/core/Cargo.toml depends on {name}"
        );
    }
    let mut files = Vec::new();
    rust_files(&root().join("crates/core/src"), &mut files);
    for f in files {
        let text = std::fs::read_to_string(&f).unwrap();
        for io in ["std::fs::", "std::process::", "std::net::", "println!("] {
            assert!(
                !text.contains(io),
                "{} uses {io}: the core does no I/O",
                f.display()
            );
        }
    }
}
