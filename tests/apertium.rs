//! The Apertium engine against the system's real Apertium and the bundled corpus.
//!
//! These tests need `apertium` and five pairs (`sudo apt-get install apertium
//! apertium-eng-spa apertium-eng-cat apertium-en-gl apertium-eo-en apertium-hbs-eng`); without
//! them they fail with that command in the message rather than skip.

use driftlens::text;
use driftlens::translate::apertium::{installed_pairs, unmark, ApertiumOptions};
use driftlens::translate::route::APERTIUM_ROUTES;
use driftlens::translate::{
    back_translate, no_progress, Apertium, CancelFlag, TranslateError, Translator,
};
use std::cell::RefCell;
use std::path::PathBuf;
use std::time::{Duration, Instant};

const INSTALL: &str = "sudo apt-get install apertium apertium-eng-spa apertium-eng-cat apertium-en-gl apertium-eo-en apertium-hbs-eng";

fn corpus(lang: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("corpora/russia-china-alliance")
        .join(format!("{lang}.md"))
}

/// The sentences of a corpus document, as the text stage splits them.
fn sentences(lang: &str) -> Vec<String> {
    let doc = text::load(&corpus(lang)).unwrap();
    let seg = text::segment(&doc, Some(lang)).unwrap();
    seg.sentences
        .iter()
        .map(|s| s.text(&doc.text).to_string())
        .collect()
}

/// The engine for a language, or a failure that says how to install it.
fn engine(lang: &str) -> Apertium {
    Apertium::for_language(lang, ApertiumOptions::default())
        .unwrap_or_else(|e| panic!("{e}\n(these tests need Apertium: {INSTALL})"))
}

/// Runs of digits in a text, in order: numbers survive Apertium untouched, so they show
/// which input sentence an output belongs to.
fn numbers(s: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    for c in s.chars() {
        if c.is_ascii_digit() {
            cur.push(c);
        } else if !cur.is_empty() {
            out.push(std::mem::take(&mut cur));
        }
    }
    if !cur.is_empty() {
        out.push(cur);
    }
    out.sort();
    out
}

fn has_cyrillic(s: &str) -> bool {
    s.chars().any(|c| ('\u{0400}'..='\u{04FF}').contains(&c))
}

#[test]
fn every_sentence_comes_back_in_one_process_per_document() {
    for lang in ["es", "ca", "gl", "eo", "hr"] {
        let source = sentences(lang);
        assert!(
            source.len() > 30,
            "{lang}.md splits into {} sentences",
            source.len()
        );
        let engine = engine(lang);
        let english = engine
            .translate_batch(&source, &no_progress, &CancelFlag::new())
            .unwrap();
        assert_eq!(
            english.len(),
            source.len(),
            "{lang}: one back-translation per sentence"
        );
        assert_eq!(
            engine.invocations(),
            1,
            "{lang}: the whole document goes through one Apertium process"
        );
        for (i, (s, e)) in source.iter().zip(&english).enumerate() {
            assert!(
                !e.trim().is_empty(),
                "{lang} sentence {i} came back empty: {s}"
            );
            assert!(
                !e.contains('\n'),
                "{lang} sentence {i} came back over several lines: {e}"
            );
            // Output i belongs to input i: it carries the same numbers.
            assert_eq!(
                numbers(e),
                numbers(s),
                "{lang} sentence {i} maps to another sentence:\n  {s}\n  {e}"
            );
        }
        let changed = source.iter().zip(&english).filter(|(s, e)| s != e).count();
        assert!(
            changed * 10 >= source.len() * 9,
            "{lang}: only {changed} of {} sentences were translated",
            source.len()
        );
    }
}

#[test]
fn spanish_back_translation_keeps_names_and_dates() {
    let source = sentences("es");
    let engine = engine("es");
    let pairs = back_translate(&engine, &source, &no_progress, &CancelFlag::new()).unwrap();
    assert_eq!(pairs.len(), source.len());
    let peskov = pairs
        .iter()
        .position(|p| p.source.contains("Peskov"))
        .expect("es.md quotes Peskov");
    assert!(
        pairs[peskov].english.contains("Peskov"),
        "{:?}",
        pairs[peskov]
    );
    let dated = pairs
        .iter()
        .find(|p| p.source.contains("2021"))
        .expect("es.md gives a date in 2021");
    assert!(
        dated.english.contains("2021") && dated.english.contains("December"),
        "{dated:?}"
    );
    let putin = pairs.iter().filter(|p| p.source.contains("Putin")).count();
    assert!(putin > 3 && pairs.iter().filter(|p| p.english.contains("Putin")).count() == putin);
    // It is English: common English words, not Spanish ones, carry the text.
    let all: String = pairs
        .iter()
        .map(|p| p.english.as_str())
        .collect::<Vec<_>>()
        .join(" ");
    let words: Vec<&str> = all.split_whitespace().collect();
    let count = |w: &str| words.iter().filter(|x| x.eq_ignore_ascii_case(w)).count();
    assert!(
        count("the") > 50 && count("of") > 30,
        "the/of: {} {}",
        count("the"),
        count("of")
    );
    assert!(
        count("el") + count("los") + count("que") < 10,
        "Spanish words left: {}",
        count("el") + count("los") + count("que")
    );
    assert!(pairs.iter().all(|p| p.engine.engine == "apertium"
        && p.engine.model == "spa-eng"
        && p.engine.revision.starts_with("apertium ")));
}

#[test]
fn serbian_in_cyrillic_is_transliterated_then_translated() {
    let source = sentences("sr");
    assert!(
        source.iter().filter(|s| has_cyrillic(s)).count() > 30,
        "sr.md is written in Cyrillic"
    );
    let engine = engine("sr");
    let english = engine
        .translate_batch(&source, &no_progress, &CancelFlag::new())
        .unwrap();
    assert_eq!(english.len(), source.len());
    assert_eq!(
        engine.invocations(),
        2,
        "one transliteration and one translation process for the document"
    );
    let cyrillic = english.iter().filter(|e| has_cyrillic(e)).count();
    assert_eq!(
        cyrillic,
        0,
        "Cyrillic left in the back-translation: {:?}",
        english.iter().find(|e| has_cyrillic(e))
    );
    assert!(english.iter().any(|e| e.contains("Putin")), "{english:?}");
    for (s, e) in source.iter().zip(&english) {
        assert_eq!(numbers(e), numbers(s), "{s}\n{e}");
    }
}

#[test]
fn empty_sentences_and_line_breaks_keep_their_places() {
    let engine = engine("es");
    let input: Vec<String> = [
        "",
        "Hola.\nEl año 2021.",
        "   ",
        "Moscú\n\ny Pekín.",
        "Adiós 7.",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    let out = engine
        .translate_batch(&input, &no_progress, &CancelFlag::new())
        .unwrap();
    assert_eq!(out.len(), 5);
    assert_eq!(out[0], "");
    assert_eq!(out[2], "");
    assert!(
        out[1].contains("2021") && out[1].contains("Hello"),
        "{out:?}"
    );
    assert!(
        out[3].contains("Moscow") && out[3].contains("Peking"),
        "{out:?}"
    );
    assert!(out[4].contains('7'), "{out:?}");
    assert_eq!(engine.invocations(), 1);
}

#[test]
fn progress_is_reported_per_sentence_and_ends_at_the_total() {
    let one = sentences("es");
    let source: Vec<String> = (0..20).flat_map(|_| one.iter().cloned()).collect();
    let seen = RefCell::new(Vec::new());
    let engine = engine("es");
    let out = engine
        .translate_batch(
            &source,
            &|d, t| seen.borrow_mut().push((d, t)),
            &CancelFlag::new(),
        )
        .unwrap();
    assert_eq!(out.len(), source.len());
    let seen = seen.into_inner();
    assert_eq!(seen.last(), Some(&(source.len(), source.len())));
    assert!(
        seen.windows(2).all(|w| w[0].0 <= w[1].0),
        "progress went backwards: {seen:?}"
    );
    assert!(seen.iter().all(|&(_, t)| t == source.len()));
    let partial = seen
        .iter()
        .filter(|&&(d, _)| d > 0 && d < source.len())
        .count();
    assert!(partial >= 2, "progress came only at the end: {seen:?}");
}

/// Processes still alive (not zombies) in process group `pgid`.
fn live_processes_in_group(pgid: u32) -> Vec<String> {
    let mut live = Vec::new();
    for entry in std::fs::read_dir("/proc").unwrap().flatten() {
        let Ok(stat) = std::fs::read_to_string(entry.path().join("stat")) else {
            continue;
        };
        // pid (comm) state ppid pgrp …; comm may hold spaces, so read after the last ')'.
        let Some(close) = stat.rfind(')') else {
            continue;
        };
        let fields: Vec<&str> = stat[close + 1..].split_whitespace().collect();
        if fields.len() > 2 && fields[2] == pgid.to_string() && fields[0] != "Z" && fields[0] != "X"
        {
            live.push(stat[..close + 1].to_string());
        }
    }
    live
}

fn wait_until_gone(pgid: u32) -> Vec<String> {
    let until = Instant::now() + Duration::from_secs(3);
    loop {
        let live = live_processes_in_group(pgid);
        if live.is_empty() || Instant::now() > until {
            return live;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

#[test]
fn a_timeout_kills_the_whole_apertium_pipeline() {
    let one = sentences("es");
    // About 4,500 sentences: most of a minute of work. After 3 s the whole pipeline is
    // running; had only the `apertium` script been killed, its stages would run on to the
    // end, holding the output open, and this call would not return until they finished.
    let source: Vec<String> = (0..100).flat_map(|_| one.iter().cloned()).collect();
    let engine = engine("es").with_timeout(Duration::from_secs(3));
    let started = Instant::now();
    let err = engine
        .translate_batch(&source, &no_progress, &CancelFlag::new())
        .unwrap_err();
    let took = started.elapsed();
    assert!(matches!(err, TranslateError::Timeout { .. }), "{err}");
    let msg = err.to_string();
    assert!(
        msg.contains("apertium spa-eng")
            && msg.contains("3.0 s")
            && msg.contains(&source.len().to_string()),
        "{msg}"
    );
    assert!(took < Duration::from_secs(8), "stopping took {took:?}");
    let pgid = engine.last_process_id().expect("a process was started");
    let live = wait_until_gone(pgid);
    assert!(live.is_empty(), "still running after the timeout: {live:?}");
}

#[test]
fn cancelling_stops_the_translation_and_its_processes() {
    let one = sentences("es");
    let source: Vec<String> = (0..100).flat_map(|_| one.iter().cloned()).collect();
    let engine = engine("es");
    let cancel = CancelFlag::new();
    let cancelled_at = RefCell::new(None);
    let err = engine
        .translate_batch(
            &source,
            &|done, _| {
                if done > 0 && !cancel.is_cancelled() {
                    cancel.cancel();
                    *cancelled_at.borrow_mut() = Some(Instant::now());
                }
            },
            &cancel,
        )
        .unwrap_err();
    assert!(matches!(err, TranslateError::Cancelled { .. }), "{err}");
    let after = cancelled_at
        .into_inner()
        .expect("progress was reported before the end")
        .elapsed();
    // The rest of the document would take most of a minute.
    assert!(
        after < Duration::from_secs(5),
        "stopping took {after:?} after the cancel"
    );
    let live = wait_until_gone(engine.last_process_id().unwrap());
    assert!(live.is_empty(), "still running after cancel: {live:?}");
    // A flag already set stops the work before any process starts.
    let before = engine.invocations();
    assert!(matches!(
        engine.translate_batch(&one, &no_progress, &cancel),
        Err(TranslateError::Cancelled { .. })
    ));
    assert_eq!(engine.invocations(), before);
}

#[test]
fn a_missing_pair_names_the_debian_package() {
    // With an empty data folder Apertium has no pairs at all.
    let empty = tempfile::tempdir().unwrap();
    std::fs::create_dir(empty.path().join("modes")).unwrap();
    let options = ApertiumOptions {
        datadir: Some(empty.path().to_path_buf()),
        ..ApertiumOptions::default()
    };
    let err = Apertium::for_language("es", options).unwrap_err();
    assert!(matches!(err, TranslateError::PairMissing { .. }), "{err}");
    assert!(
        err.to_string().contains("spa-eng")
            && err.to_string().contains("apt-get install apertium-eng-spa"),
        "{err}"
    );

    // A pair Driftlens knows but this system lacks (Basque, Icelandic or Macedonian here).
    let installed = installed_pairs(&ApertiumOptions::default()).unwrap();
    let absent = APERTIUM_ROUTES
        .iter()
        .find(|r| !installed.iter().any(|p| p == r.pair));
    if let Some(route) = absent {
        let err = Apertium::for_language(route.lang, ApertiumOptions::default()).unwrap_err();
        assert!(
            err.to_string()
                .contains(&format!("apt-get install {}", route.package)),
            "{err}"
        );
        assert!(
            err.to_string().contains("spa-eng"),
            "the message lists what is installed: {err}"
        );
    }
}

#[test]
fn a_language_without_a_pair_and_a_missing_apertium_say_what_to_do() {
    let err = Apertium::for_language("ja", ApertiumOptions::default()).unwrap_err();
    assert!(matches!(err, TranslateError::NoApertiumPair { .. }));
    assert!(
        err.to_string().contains("'ja'") && err.to_string().contains("--engine marian"),
        "{err}"
    );

    let options = ApertiumOptions {
        program: PathBuf::from("/nonexistent/bin/apertium"),
        ..ApertiumOptions::default()
    };
    let err = Apertium::for_language("ca", options).unwrap_err();
    assert!(
        matches!(err, TranslateError::ApertiumMissing { .. }),
        "{err}"
    );
    assert!(
        err.to_string()
            .contains("apt-get install apertium apertium-eng-cat"),
        "{err}"
    );
}

#[test]
fn a_lost_sentence_boundary_is_recovered_by_splitting_the_batch() {
    // A stand-in for `apertium` that, like a misbehaving pair, runs the first two
    // paragraphs of its input together (and upper-cases a single one).
    let dir = tempfile::tempdir().unwrap();
    let fake = dir.path().join("apertium");
    std::fs::write(
        &fake,
        r#"#!/bin/sh
case "$1" in -l) echo "  spa-eng"; exit 0;; -V) echo "Apertium 0.0-test"; exit 0;; esac
awk 'BEGIN { RS = ""; n = 0 } { p[++n] = $0 } END {
  if (n == 1) { print toupper(p[1]); exit }
  printf "%s %s\n\n", p[1], p[2]; for (i = 3; i <= n; i++) printf "%s\n\n", p[i] }'
"#,
    )
    .unwrap();
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&fake, std::fs::Permissions::from_mode(0o755)).unwrap();
    let options = ApertiumOptions {
        program: fake,
        ..ApertiumOptions::default()
    };
    let engine = Apertium::for_language("es", options).unwrap();
    assert_eq!(
        engine.id().revision.split(',').next(),
        Some("apertium 0.0-test")
    );
    let input: Vec<String> = ["uno.", "dos.", "tres.", "cuatro."]
        .iter()
        .map(|s| s.to_string())
        .collect();
    let out = engine
        .translate_batch(&input, &no_progress, &CancelFlag::new())
        .unwrap();
    assert_eq!(out, vec!["UNO.", "DOS.", "TRES.", "CUATRO."]);
    // 4 sentences, then 2 + 2, then 1 + 1 + 1 + 1.
    assert_eq!(engine.invocations(), 7);
}

#[test]
fn words_apertium_does_not_know_come_back_marked_and_unmark_strips_them() {
    let spanish = engine("es");
    assert_eq!(spanish.id().settings, "unknown-words=marked");
    let input: Vec<String> = [
        "Los vientos están aullando en 2021.",
        "Peskov habló el 15 de diciembre.",
        "Hola.",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    let out = spanish
        .translate_batch(&input, &no_progress, &CancelFlag::new())
        .unwrap();
    assert_eq!(out.len(), 3);
    assert!(out[0].contains("*aullando"), "{out:?}");
    let (clean, words) = unmark(&out[0]);
    assert!(
        !clean.contains('*') && clean.contains("aullando") && clean.contains("2021"),
        "{clean}"
    );
    let marked: Vec<&str> = words.iter().map(|w| &clean[w.range.clone()]).collect();
    assert_eq!(marked, vec!["aullando"]);
    // the mapping stays exact: each output carries its own sentence's numbers
    for (s, e) in input.iter().zip(&out) {
        assert_eq!(numbers(e), numbers(s), "{s}\n{e}");
    }
    assert!(
        unmark(&out[1]).0.contains("Peskov") && !unmark(&out[1]).0.contains('*'),
        "{out:?}"
    );
    // and so on the whole document: once the marks are stripped, no mark is left
    let source = sentences("gl");
    let english = engine("gl")
        .translate_batch(&source, &no_progress, &CancelFlag::new())
        .unwrap();
    assert_eq!(english.len(), source.len());
    let marked_sentences = english.iter().filter(|e| e.contains('*')).count();
    assert!(
        marked_sentences > 5,
        "gl: only {marked_sentences} sentences carry a mark"
    );
    for e in &english {
        let (clean, words) = unmark(e);
        assert!(
            !clean.contains(" *") && !clean.starts_with('*'),
            "{e}\n{clean}"
        );
        for w in words {
            assert!(
                clean
                    .get(w.range.clone())
                    .is_some_and(|x| x.chars().next().is_some_and(char::is_alphabetic)),
                "{e}: {w:?}"
            );
        }
    }
}
