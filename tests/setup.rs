//! `scripts/setup`, the set-up behind the README's first command: its dry run lists the
//! Debian package of every Apertium route (so that a new route cannot be left uninstalled,
//! as Basque, Icelandic and Macedonian once were), and `scripts/test` takes its packages
//! from it rather than keeping a list of its own.

use driftlens::translate::route::APERTIUM_ROUTES;
use std::path::{Path, PathBuf};
use std::process::Command;

fn script(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("scripts")
        .join(name)
}

/// The packages and models `scripts/setup --dry-run ARGS` lists (`package NAME …` and
/// `model NAME …` lines), with its whole output for messages.
fn dry_run(args: &[&str]) -> (Vec<String>, Vec<String>, String) {
    let out = Command::new("bash")
        .arg(script("setup"))
        .arg("--dry-run")
        .args(args)
        .output()
        .expect("bash runs scripts/setup");
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.success(),
        "scripts/setup --dry-run failed:\n{stdout}{stderr}"
    );
    let names = |kind: &str| -> Vec<String> {
        stdout
            .lines()
            .filter_map(|l| l.strip_prefix(kind))
            .filter_map(|rest| rest.split_whitespace().next())
            .map(str::to_string)
            .collect()
    };
    (names("package "), names("model "), stdout)
}

#[test]
fn setup_installs_the_package_of_every_apertium_route() {
    let (packages, _, out) = dry_run(&[]);
    assert!(packages.iter().any(|p| p == "apertium"), "{out}");
    for route in APERTIUM_ROUTES {
        assert!(
            packages.iter().any(|p| p == route.package),
            "scripts/setup does not install {} (Apertium {} for '{}', routed in src/translate/route.rs): add it to main_packages\n{out}",
            route.package,
            route.pair,
            route.lang
        );
    }
}

#[test]
fn setup_names_wordnet_the_fonts_and_the_embedding_model_with_a_reason() {
    let (packages, models, out) = dry_run(&[]);
    for p in ["wordnet-base", "fonts-noto-core", "fonts-noto-cjk"] {
        assert!(packages.iter().any(|q| q == p), "{p} missing:\n{out}");
    }
    assert!(models.iter().any(|m| m == "all-MiniLM-L6-v2"), "{out}");
    // Every line says why: name, state, reason.
    for line in out
        .lines()
        .filter(|l| l.starts_with("package ") || l.starts_with("model "))
    {
        assert!(
            line.split_whitespace().count() >= 4,
            "no reason given: {line}"
        );
    }
    assert!(
        !packages.iter().any(|p| p == "chromium"),
        "test-only packages belong to --test:\n{out}"
    );
}

#[test]
fn the_test_profile_adds_the_test_packages_to_the_same_list() {
    let (main, _, _) = dry_run(&[]);
    let (test, _, out) = dry_run(&["--test"]);
    for p in &main {
        assert!(test.contains(p), "--test lacks {p}:\n{out}");
    }
    for p in [
        "chromium",
        "mesa-vulkan-drivers",
        "libvulkan1",
        "xvfb",
        "xauth",
        "fonts-dejavu-core",
    ] {
        assert!(
            test.iter().any(|q| q == p),
            "{p} missing from --test:\n{out}"
        );
    }
}

#[test]
fn scripts_test_reuses_the_setup_list() {
    let text = std::fs::read_to_string(script("test")).unwrap();
    assert!(
        text.lines().any(|l| l.trim() == "scripts/setup --test"),
        "scripts/test runs scripts/setup --test"
    );
    assert!(
        !text.contains("apertium-"),
        "scripts/test names Apertium packages of its own; they belong in scripts/setup"
    );
}
