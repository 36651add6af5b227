//! `driftlens analyze`: the command-line face of [`driftlens::analyze`] (its flags are in
//! `cli/flags.rs`).

use super::flags::{AnalyzeArgs, Format};
use driftlens::analyze::{
    self, Progress, Report, Request, Settings, TranslationInput, TranslationStatus,
};
use driftlens::atomic::Durability;
use driftlens::review::Project;
use driftlens::translate::{CancelFlag, TranslationCache};
use indicatif::{MultiProgress, ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::collections::HashMap;
use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

type Result<T> = std::result::Result<T, Box<dyn std::error::Error>>;

pub fn run(args: AnalyzeArgs, default_corpus: PathBuf) -> Result<()> {
    if let Some((file, langs)) = pre_aligned(&args)? {
        return run_pre_aligned(&args, &file, langs);
    }
    let (original, translations) = match &args.original {
        Some(original) => {
            let mut out = Vec::new();
            for t in &args.translations {
                let (lang, file) = t.split_once('=').ok_or_else(|| {
                    format!("--translation {t}: expected LANG=FILE, e.g. es=article.es.md")
                })?;
                if driftlens::text::language(lang).is_none() {
                    return Err(format!("--translation {t}: unknown language code '{lang}'").into());
                }
                out.push(TranslationInput {
                    lang: lang.to_string(),
                    label: lang.to_string(),
                    path: PathBuf::from(file),
                });
            }
            if out.is_empty() {
                return Err("--original needs at least one --translation LANG=FILE".into());
            }
            (original.clone(), out)
        }
        None => analyze::corpus_inputs(
            args.corpus.as_deref().unwrap_or(&default_corpus),
            args.langs.as_deref(),
        )?,
    };
    let format = format_of(&args);
    let req = Request {
        original,
        original_lang: Some("en".into()),
        translations,
        engine: args.engine.into(),
        models_dir: args.models.clone(),
        cache: (!args.no_cache).then(TranslationCache::open_default),
        cancel: CancelFlag::new(),
    };
    let reporter = Reporter::new(args.quiet);
    let report = analyze::analyze(&req, &|p| reporter.on(p))?;
    reporter.finish();
    let text = match format {
        Format::Xliff => match report.translations.as_slice() {
            [one] => driftlens::export::xliff::xliff(&report, one, None),
            _ => return Err("--format xliff writes one translation; choose it with --langs (or --translation) or use --format tmx".into()),
        },
        Format::Tmx => driftlens::export::tmx::tmx(&report, None, None),
        _ => render(&report, format),
    };
    finish(&args, &report, format, &text)
}

/// The format --format names, else the one --out's extension suggests, else the summary.
fn format_of(args: &AnalyzeArgs) -> Format {
    args.format.unwrap_or_else(|| {
        match args
            .out
            .as_ref()
            .and_then(|p| p.extension())
            .and_then(|e| e.to_str())
            .map(str::to_ascii_lowercase)
            .as_deref()
        {
            Some("json") => Format::Json,
            Some("csv") => Format::Csv,
            Some("html" | "htm") => Format::Html,
            Some("xlf" | "xliff" | "sdlxliff" | "mqxliff" | "mxliff") => Format::Xliff,
            Some("tmx") => Format::Tmx,
            _ => Format::Summary,
        }
    })
}

/// The report in one of the formats every input has (JSON, CSV, HTML, summary).
fn render(report: &Report, format: Format) -> String {
    match format {
        Format::Json => driftlens::export::json(report),
        Format::Csv => driftlens::export::csv(report),
        Format::Html => driftlens::export::html(report),
        _ => summary(report),
    }
}

/// The XLIFF or TMX file given to `analyze` (as the corpus, or as `--translation LANG=FILE`
/// without `--original`), and the languages asked for.
fn pre_aligned(args: &AnalyzeArgs) -> Result<Option<(PathBuf, Option<Vec<String>>)>> {
    if let Some(file) = args.corpus.as_ref().filter(|p| p.is_file()) {
        if driftlens::import::is_pre_aligned(file) {
            return Ok(Some((file.clone(), args.langs.clone())));
        }
    }
    if args.original.is_some() || args.translations.is_empty() {
        return Ok(None);
    }
    let mut file: Option<PathBuf> = None;
    let mut langs = Vec::new();
    for t in &args.translations {
        let (lang, path) = t
            .split_once('=')
            .ok_or_else(|| format!("--translation {t}: expected LANG=FILE, e.g. es=review.xlf"))?;
        let path = PathBuf::from(path);
        if !driftlens::import::is_pre_aligned(&path) {
            return Err(format!("--translation {t} without --original: give --original FILE, or an XLIFF (.xlf) or TMX (.tmx) file, which holds its original").into());
        }
        if file.as_ref().is_some_and(|f| *f != path) {
            return Err("--translation: one XLIFF or TMX file at a time".into());
        }
        file = Some(path);
        langs.push(lang.to_string());
    }
    Ok(file.map(|f| (f, Some(langs))))
}

/// `analyze FILE.xlf|FILE.tmx`: the file's segments are the alignment; `--format xliff|tmx`
/// writes the file back with the drift in it.
fn run_pre_aligned(args: &AnalyzeArgs, file: &Path, langs: Option<Vec<String>>) -> Result<()> {
    let mut imported = driftlens::import::read(file)?;
    if let Some(langs) = &langs {
        imported
            .translations
            .retain(|t| langs.iter().any(|l| *l == t.label || *l == t.lang));
        if imported.translations.is_empty() {
            return Err(format!(
                "{} has none of the languages {}",
                file.display(),
                langs.join(", ")
            )
            .into());
        }
    }
    let format = format_of(args);
    let kind = imported.kind;
    match (format, kind) {
        (Format::Xliff, driftlens::import::FileKind::Tmx) => {
            return Err(format!("{} is TMX: --format tmx writes it back", file.display()).into())
        }
        (
            Format::Tmx,
            driftlens::import::FileKind::Xliff1 | driftlens::import::FileKind::Xliff2,
        ) => {
            return Err(
                format!("{} is XLIFF: --format xliff writes it back", file.display()).into(),
            )
        }
        _ => {}
    }
    let settings = Settings {
        engine: Some(args.engine.into()),
        models_dir: args.models.clone(),
        cache: (!args.no_cache).then(TranslationCache::open_default),
        cancel: CancelFlag::new(),
    };
    let reporter = Reporter::new(args.quiet);
    let report = driftlens::import::analyze(&imported, &settings, &|p| reporter.on(p))?;
    reporter.finish();
    let text = match format {
        Format::Xliff | Format::Tmx => {
            // the reviewer's verdicts and notes, from the project beside the file
            let folder = file.parent().unwrap_or(Path::new("."));
            let project = Project::open(folder).ok();
            driftlens::export::writeback::write_back(&imported, &report, project.as_ref())
        }
        _ => render(&report, format),
    };
    finish(args, &report, format, &text)
}

/// Writes or prints the output; an error when no translation could be analysed.
fn finish(args: &AnalyzeArgs, report: &Report, format: Format, text: &str) -> Result<()> {
    match &args.out {
        Some(path) => driftlens::atomic::write(path, text.as_bytes(), Durability::Durable)?,
        None => print!("{text}"),
    }
    if report.translations.iter().any(|t| t.is_analysed()) || report.translations.is_empty() {
        Ok(())
    } else if format == Format::Summary && args.out.is_none() {
        Err("no translation could be analysed (see the reasons above)".into())
    } else {
        // The reasons went into the report, not to the terminal: the error says them itself.
        Err(format!(
            "no translation could be analysed:\n{}",
            not_analysed_reasons(report)
        )
        .into())
    }
}

/// One line per translation that was not analysed: `  es: why (fix: …)`.
fn not_analysed_reasons(report: &Report) -> String {
    let mut out = Vec::new();
    for t in &report.translations {
        if let TranslationStatus::NotAnalysed { why, fix } = &t.status {
            out.push(format!("  {}: {why} (fix: {fix})", t.label));
        }
    }
    out.join("\n")
}

/// The terminal summary: per language, what drifted most.
fn summary(report: &Report) -> String {
    let mut out = format!(
        "{} — {} sentences, {} quotations\n\n",
        report.original.path.display(),
        report.original.sentences.len(),
        report.original.quotes.len()
    );
    for t in &report.translations {
        match &t.status {
            TranslationStatus::Analysed => {
                let flagged: Vec<_> = t.flagged().collect();
                out.push_str(&format!(
                    "{:<14} {:>3} flagged of {:>3} pairs  ({})\n",
                    t.label,
                    flagged.len(),
                    t.pairs.len(),
                    t.views_note()
                ));
                if let Some(note) = t.level_note() {
                    out.push_str(&format!("               {note}\n"));
                }
                for n in &t.not_run {
                    out.push_str(&format!(
                        "               no {}: {}\n               fix: {} (would add {})\n",
                        n.view.name(),
                        n.why.chars().take(90).collect::<String>(),
                        n.fix,
                        n.adds
                    ));
                }
                let mut worst: Vec<_> = flagged.clone();
                worst.sort_by(|a, b| b.drift.total_cmp(&a.drift));
                for p in worst.iter().take(5) {
                    let why = p
                        .reasons
                        .iter()
                        .take(2)
                        .map(|r| r.message.as_str())
                        .collect::<Vec<_>>()
                        .join("; ");
                    // a sentence the translation added has no original: show the translation's
                    let (ids, text) = if let Some(unit) = &p.unit {
                        (format!("unit {unit}"), &p.original_text)
                    } else if p.original.is_empty() {
                        (format!("+{:?}", p.translation), &p.translated_text)
                    } else {
                        (format!("#{:?}", p.original), &p.original_text)
                    };
                    let short: String = text.chars().take(60).collect();
                    out.push_str(&format!(
                        "    {:<8} {:.2}  {ids}  {short}…  — {why}\n",
                        p.level.name(),
                        p.drift
                    ));
                }
            }
            TranslationStatus::NotAnalysed { why, fix } => {
                let why: String = why.chars().take(110).collect();
                out.push_str(&format!(
                    "{:<14} not analysed: {why}\n               fix: {fix}\n",
                    t.label
                ));
            }
        }
    }
    out
}

/// Progress on the terminal: bars on a TTY, plain lines when piped, nothing with --quiet.
struct Reporter {
    quiet: bool,
    tty: bool,
    multi: MultiProgress,
    bars: Mutex<HashMap<String, ProgressBar>>,
}

impl Reporter {
    fn new(quiet: bool) -> Reporter {
        let tty = std::io::stderr().is_terminal();
        let multi = MultiProgress::with_draw_target(if tty && !quiet {
            ProgressDrawTarget::stderr()
        } else {
            ProgressDrawTarget::hidden()
        });
        Reporter {
            quiet,
            tty,
            multi,
            bars: Mutex::new(HashMap::new()),
        }
    }

    fn on(&self, p: Progress) {
        if self.quiet {
            return;
        }
        let mut bars = self.bars.lock().unwrap_or_else(|e| e.into_inner());
        match p {
            Progress::Started { label, sentences } => {
                if self.tty {
                    let bar = self.multi.add(ProgressBar::new(sentences as u64));
                    bar.set_style(
                        ProgressStyle::with_template("{prefix:>12} {bar:30} {pos}/{len} {msg}")
                            .unwrap_or_else(|_| ProgressStyle::default_bar()),
                    );
                    bar.set_prefix(label.clone());
                    bars.insert(label, bar);
                } else {
                    eprintln!("{label}: {sentences} sentences");
                }
            }
            Progress::Stage { label, stage } => match bars.get(&label) {
                Some(b) => b.set_message(stage),
                None => eprintln!("{label}: {stage}"),
            },
            Progress::Sentences { label, done, .. } => {
                if let Some(b) = bars.get(&label) {
                    b.set_position(done as u64);
                }
            }
            Progress::Finished { label, analysed } => match bars.get(&label) {
                Some(b) => b.finish_with_message(if analysed { "done" } else { "not analysed" }),
                None => eprintln!(
                    "{label}: {}",
                    if analysed { "done" } else { "not analysed" }
                ),
            },
        }
    }

    fn finish(&self) {
        let _ = self.multi.clear();
    }
}
