//! The review project (verdicts and notes saved atomically next to the corpus) and the
//! classroom exercise built from a drift variant's planted changes.

mod common;

use common::corpus;
use driftlens::analyze::{PairReport, Report, TranslationReport};
use driftlens::drift::DriftLevel;
use driftlens::review::classroom::{Exercise, Labels, RowOutcome};
use driftlens::review::{Project, ProjectError, Verdict};
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;
use std::time::Duration;

/// The Apertium analysis of es.drift (the Spanish variant with 10 planted changes), once.
fn es_drift() -> &'static TranslationReport {
    static R: OnceLock<Report> = OnceLock::new();
    let report = R.get_or_init(|| common::apertium_report(&["es.drift"], "review"));
    let t = &report.translations[0];
    assert!(t.is_analysed(), "es.drift was not analysed: {:?}", t.status);
    t
}

fn pair(i: usize, text: &str) -> PairReport {
    PairReport {
        original: vec![i],
        translation: vec![i],
        original_text: format!("original {i}"),
        translated_text: text.to_string(),
        back_translation: format!("back {i}"),
        drift: 0.8,
        level: DriftLevel::Major,
        reasons: vec![],
        alignment_cost: 0.1,
        unit: None,
        views: vec![driftlens::analyze::View::BackTranslation],
        cosine: None,
    }
}

#[test]
fn verdicts_and_notes_survive_a_round_trip() {
    let dir = tempfile::tempdir().unwrap();
    let mut p = Project::open(dir.path()).unwrap();
    assert!(p.entries().is_empty());
    let (a, b) = (pair(3, "tres"), pair(7, "siete"));
    assert!(p.set(
        "es",
        &a,
        Some(Verdict::RealDrift),
        Some("10 became 12 — ask the translator <&>\"".into())
    ));
    assert!(p.set("es", &b, Some(Verdict::FalseAlarm), None));
    p.save().unwrap();

    let q = Project::open(dir.path()).unwrap();
    assert_eq!(q.verdict("es", &a), Some(Verdict::RealDrift));
    assert_eq!(q.note("es", &a), "10 became 12 — ask the translator <&>\"");
    assert_eq!(q.verdict("es", &b), Some(Verdict::FalseAlarm));
    assert_eq!(
        q.verdict("fr", &a),
        None,
        "verdicts belong to one translation"
    );
    assert_eq!(q.entries(), p.entries());
    assert!(
        q.entries()[0].changed.ends_with('Z'),
        "{}",
        q.entries()[0].changed
    );
    // The file is readable JSON with a version and the snake_case verdict names.
    let text = std::fs::read_to_string(Project::path_in(dir.path())).unwrap();
    let v: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert_eq!(v["version"], 1);
    assert_eq!(v["entries"][1]["verdict"], "false_alarm");
}

#[test]
fn a_pair_renumbered_by_a_new_alignment_is_found_by_its_texts() {
    let dir = tempfile::tempdir().unwrap();
    let mut p = Project::open(dir.path()).unwrap();
    p.set(
        "ru",
        &pair(4, "четыре"),
        Some(Verdict::Acceptable),
        Some("free rendering".into()),
    );
    p.save().unwrap();
    // The re-analysis numbers the same sentences 5 and 6.
    let mut moved = pair(4, "четыре");
    moved.original = vec![5];
    moved.translation = vec![6];
    let mut q = Project::open(dir.path()).unwrap();
    assert_eq!(q.verdict("ru", &moved), Some(Verdict::Acceptable));
    // Editing it re-keys the entry to the new ids.
    q.set("ru", &moved, Some(Verdict::RealDrift), None);
    assert_eq!(q.entries()[0].original, vec![5]);
    assert_eq!(
        q.entries()[0].note,
        "free rendering",
        "the note is kept when only the verdict changes"
    );
}

#[test]
fn reopening_on_a_real_analysis_restores_verdicts_and_keeps_vanished_pairs_as_orphaned() {
    let t = es_drift();
    let flagged: Vec<&PairReport> = t.flagged().collect();
    assert!(
        flagged.len() >= 3,
        "es.drift has {} flagged pairs",
        flagged.len()
    );
    let dir = tempfile::tempdir().unwrap();
    let mut p = Project::open(dir.path()).unwrap();
    for (i, f) in flagged.iter().enumerate() {
        p.set(
            &t.label,
            f,
            Some(Verdict::ALL[i % 3]),
            Some(format!("note {i}")),
        );
    }
    p.save().unwrap();

    let q = Project::open(dir.path()).unwrap();
    for (i, f) in flagged.iter().enumerate() {
        assert_eq!(q.verdict(&t.label, f), Some(Verdict::ALL[i % 3]));
        assert_eq!(q.note(&t.label, f), format!("note {i}"));
    }
    assert!(q.orphaned(std::slice::from_ref(t)).is_empty());

    // A later analysis aligned the first flagged pair differently: it is gone from the report.
    let mut later = t.clone();
    let gone = flagged[0].clone();
    later
        .pairs
        .retain(|p| !(p.original == gone.original && p.translation == gone.translation));
    for p in &mut later.pairs {
        if p.original_text == gone.original_text {
            p.original_text.push_str(" (merged)");
        }
    }
    let orphans = q.orphaned(std::slice::from_ref(&later));
    assert_eq!(orphans.len(), 1, "{orphans:?}");
    assert_eq!(orphans[0].original_text, gone.original_text);
    assert_eq!(orphans[0].note, "note 0");
    // Saving again keeps the orphaned entry: nothing a person wrote is dropped.
    q.save().unwrap();
    assert_eq!(
        Project::open(dir.path()).unwrap().entries().len(),
        flagged.len()
    );
}

#[test]
fn a_damaged_project_file_is_named_and_never_overwritten() {
    let dir = tempfile::tempdir().unwrap();
    let path = Project::path_in(dir.path());
    let mut p = Project::open(dir.path()).unwrap();
    p.set("de", &pair(1, "eins"), Some(Verdict::RealDrift), None);
    // Someone's editor left the file half written.
    let damaged =
        "{\n  \"version\": 1,\n  \"entries\": [\n    {\"label\": \"de\", \"original\": [1\n";
    std::fs::write(&path, damaged).unwrap();

    let err = Project::open(dir.path()).unwrap_err();
    match &err {
        ProjectError::Damaged {
            path: p,
            line,
            column,
            ..
        } => {
            assert_eq!(p, &path);
            assert_eq!(*line, 5, "{err}");
            let _ = column; // serde_json counts the column of an end-of-file error as 0
        }
        other => panic!("expected Damaged, got {other}"),
    }
    let message = err.to_string();
    assert!(
        message.contains("driftlens-project.json") && message.contains("line 5"),
        "{message}"
    );
    // A save from a project opened before the damage refuses to replace the file.
    assert!(matches!(p.save(), Err(ProjectError::Damaged { .. })));
    assert_eq!(
        std::fs::read_to_string(&path).unwrap(),
        damaged,
        "the damaged file is untouched"
    );

    // The reviewer chooses to keep it aside and start fresh.
    let (mut fresh, aside) = Project::keep_damaged_aside(dir.path()).unwrap();
    assert!(
        aside
            .file_name()
            .unwrap()
            .to_str()
            .unwrap()
            .starts_with("driftlens-project.json.damaged-"),
        "{}",
        aside.display()
    );
    assert_eq!(std::fs::read_to_string(&aside).unwrap(), damaged);
    fresh.set("de", &pair(1, "eins"), Some(Verdict::Acceptable), None);
    fresh.save().unwrap();
    assert_eq!(
        Project::open(dir.path())
            .unwrap()
            .verdict("de", &pair(1, "eins")),
        Some(Verdict::Acceptable)
    );
}

#[test]
fn a_project_from_a_newer_driftlens_is_refused_not_overwritten() {
    let dir = tempfile::tempdir().unwrap();
    let path = Project::path_in(dir.path());
    std::fs::write(&path, r#"{"version": 9, "entries": [], "future": true}"#).unwrap();
    let err = Project::open(dir.path()).unwrap_err();
    assert!(
        matches!(err, ProjectError::TooNew { version: 9, .. }),
        "{err}"
    );
    assert!(err.to_string().contains("update Driftlens"));
}

// --- The crash test: a child process saves in a tight loop; the parent kills it (SIGKILL)
// at random moments; after every kill the file must hold one complete state.

const CHILD_ENV: &str = "DRIFTLENS_REVIEW_CRASH_CHILD";

/// State number `g`: (g % 5) + 1 slots with the note "generation g" and a verdict that
/// depends on g, the other slots cleared.
fn write_state(dir: &Path, g: u64) -> Project {
    let mut p = Project::open(dir).unwrap();
    let n = (g % 5) as usize + 1;
    for k in 0..5 {
        let note = if k < n {
            format!("generation {g}")
        } else {
            String::new()
        };
        let verdict = if k < n {
            Some(Verdict::ALL[(g as usize + k) % 3])
        } else {
            None
        };
        p.set("xx", &pair(k, &format!("slot {k}")), verdict, Some(note));
    }
    p
}

/// The generation a project file holds, checking that it is one complete state.
fn generation_of(p: &Project) -> Option<u64> {
    let notes: Vec<&str> = p
        .entries()
        .iter()
        .map(|e| e.note.as_str())
        .filter(|n| !n.is_empty())
        .collect();
    if notes.is_empty() {
        return None;
    }
    let g: u64 = notes[0]
        .strip_prefix("generation ")
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("odd note {:?}", notes[0]));
    assert!(
        notes.iter().all(|n| *n == notes[0]),
        "a mix of states in one file: {notes:?}"
    );
    assert_eq!(
        notes.len(),
        (g % 5) as usize + 1,
        "generation {g} is incomplete: {notes:?}"
    );
    for (k, e) in p.entries().iter().enumerate().take(notes.len()) {
        assert_eq!(
            e.verdict,
            Some(Verdict::ALL[(g as usize + k) % 3]),
            "verdict of slot {k} in generation {g}"
        );
    }
    Some(g)
}

/// Not a test of its own: the process the crash test starts and kills. Without the
/// environment variable it returns at once.
#[test]
fn crash_test_child_process() {
    let Some(dir) = std::env::var_os(CHILD_ENV) else {
        return;
    };
    let dir = PathBuf::from(dir);
    let mut g = Project::open(&dir)
        .ok()
        .and_then(|p| generation_of(&p))
        .unwrap_or(0);
    loop {
        g += 1;
        write_state(&dir, g).save().unwrap();
    }
}

#[test]
fn a_save_killed_at_any_moment_leaves_the_old_or_the_new_state() {
    let dir = tempfile::tempdir().unwrap();
    write_state(dir.path(), 0).save().unwrap();
    let exe = std::env::current_exe().unwrap();
    let mut seed: u64 = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos() as u64
        | 1;
    let mut random = move || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed
    };
    let mut last = 0;
    let mut advanced = 0;
    let rounds = 60;
    for round in 0..rounds {
        let mut child = std::process::Command::new(&exe)
            .args([
                "--exact",
                "crash_test_child_process",
                "--test-threads=1",
                "--nocapture",
            ])
            .env(CHILD_ENV, dir.path())
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        // Let it start and save a few times, then kill it somewhere in the middle of a save.
        std::thread::sleep(
            Duration::from_millis(15 + random() % 60) + Duration::from_micros(random() % 1000),
        );
        child.kill().unwrap(); // SIGKILL on Unix
        child.wait().unwrap();
        let p = Project::open(dir.path()).unwrap_or_else(|e| {
            panic!("round {round}: the project does not open after the kill: {e}")
        });
        let g = generation_of(&p).unwrap_or_else(|| panic!("round {round}: the project is empty"));
        assert!(
            g >= last,
            "round {round}: generation went back from {last} to {g}"
        );
        if g > last {
            advanced += 1;
        }
        last = g;
    }
    eprintln!("{rounds} kills, {last} saves in all, {advanced} rounds saved before the kill");
    assert!(
        advanced >= rounds / 2,
        "the child saved in only {advanced} of {rounds} rounds: the test did not exercise saving"
    );
    let leftovers: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .flatten()
        .map(|e| e.file_name())
        .collect();
    assert!(
        leftovers.len() <= 2,
        "temporary files pile up: {leftovers:?}"
    );
}

// --- Classroom.

fn es_drift_exercise() -> Exercise {
    let t = es_drift();
    Exercise::load(&Labels::path_for(&t.path), t).unwrap()
}

#[test]
fn the_exercise_places_every_planted_change_on_its_row() {
    let ex = es_drift_exercise();
    let labels = Labels::load(&corpus().join("es.drift.labels.toml")).unwrap();
    assert_eq!(ex.changes.len(), labels.change.len());
    assert!(
        ex.unplaced.is_empty(),
        "changes not on any row: {:?}",
        ex.unplaced
    );
    for (i, c) in ex.changes.iter().enumerate() {
        let row = ex.rows.iter().find(|r| r.planted.contains(&i)).unwrap();
        assert!(
            row.translation_ids.contains(&c.variant_id),
            "{} is on a row without its sentence {}",
            c.kind,
            c.variant_id
        );
        assert!(
            row.translation.contains(c.variant_text.trim()),
            "row text {:?} lacks {:?}",
            row.translation,
            c.variant_text
        );
        assert!(!row.back_translation.is_empty());
    }
    assert_eq!(ex.rows.len(), es_drift().pairs.len());
}

#[test]
fn check_scores_hits_misses_and_false_marks() {
    let ex = es_drift_exercise();
    let planted: Vec<usize> = (0..ex.rows.len())
        .filter(|&i| !ex.rows[i].planted.is_empty())
        .collect();
    let clean: Vec<usize> = (0..ex.rows.len())
        .filter(|&i| ex.rows[i].planted.is_empty())
        .collect();
    let n = planted.len();
    assert!(n >= 6, "{n} planted rows");

    // A perfect student.
    let all: BTreeSet<usize> = planted.iter().copied().collect();
    let c = ex.check(&all);
    assert_eq!(
        (c.hits, c.misses, c.false_marks, c.percent()),
        (n, 0, 0, 100)
    );

    // Finds all but two, and marks one clean row.
    let mut marks: BTreeSet<usize> = planted[2..].iter().copied().collect();
    marks.insert(clean[0]);
    let c = ex.check(&marks);
    assert_eq!((c.hits, c.misses, c.false_marks), (n - 2, 2, 1));
    assert_eq!(c.percent(), ((100 * (n - 3) + n / 2) / n) as u32);
    assert_eq!(c.rows[planted[0]].outcome, RowOutcome::Missed);
    assert_eq!(c.rows[planted[2]].outcome, RowOutcome::Hit);
    assert_eq!(c.rows[clean[0]].outcome, RowOutcome::FalseMark);
    assert_eq!(c.rows[clean[1]].outcome, RowOutcome::Unchanged);
    // The explanation of each planted change is revealed on its row.
    let first = &ex.changes[ex.rows[planted[0]].planted[0]];
    assert!(c.rows[planted[0]]
        .explanations
        .iter()
        .any(|(k, e)| k == &first.kind && e == &first.explanation));
    assert!(
        c.summary().contains(&format!("Found {} of {n}", n - 2)),
        "{}",
        c.summary()
    );

    // Nothing marked: nothing found.
    let c = ex.check(&BTreeSet::new());
    assert_eq!((c.hits, c.misses, c.percent()), (0, n, 0));
}

#[test]
fn check_shows_what_driftlens_flagged_on_each_row() {
    let ex = es_drift_exercise();
    let t = es_drift();
    let c = ex.check(&BTreeSet::new());
    for (row, pair) in c.rows.iter().zip(&t.pairs) {
        assert_eq!(row.tool_flagged, Some(pair.level.is_flagged()));
    }
    let flagged_planted = ex
        .rows
        .iter()
        .filter(|r| !r.planted.is_empty() && r.tool.as_ref().unwrap().flagged())
        .count();
    assert_eq!(c.tool_hits, flagged_planted);
    assert!(
        c.tool_summary()
            .starts_with(&format!("Driftlens flagged {flagged_planted} of the")),
        "{}",
        c.tool_summary()
    );
}

#[test]
fn a_missing_or_broken_labels_file_is_named() {
    let t = es_drift();
    let err = Exercise::load(Path::new("/nonexistent/es.drift.labels.toml"), t)
        .unwrap_err()
        .to_string();
    assert!(err.contains("/nonexistent/es.drift.labels.toml"), "{err}");
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("x.labels.toml");
    std::fs::write(&bad, "variant = 3\n").unwrap();
    let err = Exercise::load(&bad, t).unwrap_err().to_string();
    assert!(
        err.contains("x.labels.toml") && err.contains("not a labels file"),
        "{err}"
    );
}
