//! The `driftlens` command line: `driftlens` alone analyses the bundled corpus;
//! subcommands run single stages for batch work.

mod cli;

use clap::Parser;
use cli::flags::{BenchTarget, Cli, Command, Engine};
use driftlens::text::{self, Document, Segmented};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// Keeps freed memory in the process. glibc hands every freed block above 128 KiB back to
/// the kernel, which zeroes its pages again when the next matrix product allocates them:
/// the embedding and translation models allocate and free tens of megabytes per layer, and
/// a cold analysis spent a tenth of its time in the kernel clearing pages (perf:
/// `clear_page_erms` 11 %; five direct-only languages: 1.97 -> 1.04 s of system time, the
/// same peak memory, as the same blocks are reused). A tuning of the C library, not a
/// replacement allocator: two settings, no new code in the path.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
fn keep_freed_memory() {
    // SAFETY: mallopt only changes two thresholds of glibc's allocator; it is called
    // before any other thread exists.
    unsafe {
        libc::mallopt(libc::M_MMAP_THRESHOLD, 256 << 20);
        libc::mallopt(libc::M_TRIM_THRESHOLD, 1 << 30);
    }
}

#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
fn keep_freed_memory() {}

fn main() -> ExitCode {
    keep_freed_memory();
    let cli = Cli::parse();
    if let Some(p) = cli.precision {
        driftlens::translate::marian::set_default_precision(p);
    }
    let result = match cli.command {
        Some(Command::Segment { file, lang, json }) => segment(&file, lang.as_deref(), json),
        Some(Command::Backtranslate {
            file,
            lang,
            engine,
            model,
            json,
            cache_dir,
            no_cache,
        }) => backtranslate(
            &file,
            &lang,
            engine,
            model.as_deref(),
            json,
            cache_dir,
            no_cache,
        ),
        Some(Command::Corpus { dir }) => corpus(dir.as_deref()),
        Some(Command::Models(args)) => cli::models::run(args).map_err(Into::into),
        Some(Command::Analyze(args)) => cli::analyze::run(args, bundled_corpus()),
        Some(Command::Bench {
            target:
                BenchTarget::Align {
                    dir,
                    src,
                    tgt,
                    gold,
                    json,
                    no_model,
                },
        }) => driftlens::bench::align::run(&driftlens::bench::align::BenchAlignArgs {
            dir,
            src,
            tgt,
            gold,
            json,
            no_model,
        })
        .map(|out| print!("{out}"))
        .map_err(Into::into),
        Some(Command::Bench {
            target:
                BenchTarget::Drift {
                    dir,
                    json,
                    fit,
                    model,
                },
        }) => bench_drift(dir, json, fit, model),
        Some(Command::Bench {
            target: BenchTarget::Text { dir, megabytes },
        }) => driftlens::bench::text::run(&dir.unwrap_or_else(bundled_corpus), megabytes)
            .map(|out| print!("{out}"))
            .map_err(Into::into),
        Some(Command::Bench {
            target:
                BenchTarget::Embed {
                    dir,
                    sentences,
                    model,
                    batch,
                    json,
                    sentences_out,
                    vectors_out,
                },
        }) => driftlens::bench::embed::run(&driftlens::bench::embed::BenchEmbedArgs {
            corpus: dir.unwrap_or_else(bundled_corpus),
            sentences,
            model,
            batch,
            json,
            sentences_out,
            vectors_out,
        })
        .map(|out| print!("{out}"))
        .map_err(Into::into),
        Some(Command::Bench {
            target:
                BenchTarget::Import {
                    units,
                    measure,
                    dir,
                },
        }) => match (measure, dir) {
            (Some(side), Some(dir)) => driftlens::bench::import::measure(&side, &dir),
            _ => driftlens::bench::import::run(units),
        }
        .map(|out| print!("{out}"))
        .map_err(Into::into),
        Some(Command::Compare {
            original,
            back_translation,
            json,
        }) => compare(&original, &back_translation, json),
        Some(Command::Gui { dir }) => gui(dir),
        None => gui(None),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("driftlens: {e}");
            ExitCode::FAILURE
        }
    }
}

type Result<T> = std::result::Result<T, Box<dyn std::error::Error>>;

/// Opens the workbench, or, with no display to open it on, prints the terminal analysis.
fn gui(dir: Option<PathBuf>) -> Result<()> {
    let dir = dir.unwrap_or_else(bundled_corpus);
    if !driftlens::ui::display_available() {
        eprintln!("driftlens: no display (neither DISPLAY nor WAYLAND_DISPLAY is set), so the workbench cannot open; printing the terminal analysis instead (`driftlens analyze --help` for more)");
        let mut args = cli::flags::AnalyzeArgs::bundled();
        args.corpus = Some(dir);
        return cli::analyze::run(args, bundled_corpus());
    }
    driftlens::ui::run(&dir, driftlens::ui::Options::default()).map_err(Into::into)
}

fn compare(original: &str, back: &str, json: bool) -> Result<()> {
    use driftlens::drift::Pair;
    use driftlens::embed::Embedder;
    if original.trim().is_empty() || back.trim().is_empty() {
        return Err(
            "both sentences are needed: driftlens compare \"ORIGINAL\" \"BACK-TRANSLATION\"".into(),
        );
    }
    let model = driftlens::embed::model_dir(driftlens::bench::drift::MODEL);
    // Apertium's marks (`*word`) pasted with the back-translation name engine gaps
    let (back, gaps) = driftlens::analyze::engine_gaps(back);
    let back = back.as_str();
    let mut pair = Pair::new(original, back).with_engine_gaps(&gaps);
    let similarity = if model.is_dir() {
        let e = driftlens::embed::SentenceEmbedder::load(&model)?;
        let v = e.embed(&[original, back])?;
        Some(driftlens::embed::cosine(&v[0], &v[1]))
    } else {
        eprintln!("driftlens: no embedding model in {} (scripts/fetch-test-models fetches it); scoring without the meaning similarity", model.display());
        None
    };
    if let Some(s) = similarity {
        pair = pair.with_similarity(s);
    }
    let d = driftlens::resources::scorer().score(&pair);
    if json {
        // the reasons as `analyze --format json` writes them
        let reasons: Vec<_> = d
            .reasons
            .iter()
            .map(driftlens::analyze::reason_report)
            .collect();
        println!(
            "{}",
            serde_json::to_string_pretty(
                &serde_json::json!({ "drift": d.score.0, "level": d.level, "similarity": similarity, "reasons": reasons })
            )?
        );
    } else {
        println!(
            "drift {:.2} ({}){}",
            d.score.0,
            d.level.name(),
            similarity
                .map(|s| format!(", meaning similarity {s:.2}"))
                .unwrap_or_default()
        );
        for r in &d.reasons {
            println!("  - {}", r.message());
        }
        if d.reasons.is_empty() {
            println!("  nothing found that changed the meaning");
        }
    }
    Ok(())
}

fn bench_drift(dir: Option<PathBuf>, json: bool, fit: bool, model: Option<PathBuf>) -> Result<()> {
    let dir = dir.unwrap_or_else(|| PathBuf::from("../shared/eval/demetr"));
    let (_, out) = driftlens::bench::drift::run(&driftlens::bench::drift::Options {
        dir,
        json,
        fit,
        model,
    })?;
    println!("{out}");
    Ok(())
}

fn segment(file: &Path, lang: Option<&str>, json: bool) -> Result<()> {
    let doc = text::load(file)?;
    let seg = text::segment(&doc, lang)?;
    if json {
        println!(
            "{}",
            serde_json::to_string_pretty(&segment_json(&doc, &seg))?
        );
    } else {
        use std::io::Write;
        let mut out = std::io::BufWriter::new(std::io::stdout().lock());
        for s in &seg.sentences {
            writeln!(out, "{}", s.text(&doc.text).replace('\n', " "))?;
        }
        if !doc.dropped.is_empty() {
            eprintln!(
                "driftlens: dropped {} paragraphs of site boilerplate from {}",
                doc.dropped.len(),
                file.display()
            );
        }
    }
    Ok(())
}

/// The JSON that `segment --json` prints: sentences with offsets, paragraph, detected
/// language; quotations with speaker and sentences; boilerplate dropped.
fn segment_json(doc: &Document, seg: &Segmented) -> serde_json::Value {
    use serde_json::json;
    let foreign: std::collections::HashMap<usize, &text::Detection> = seg
        .foreign
        .iter()
        .map(|f| (f.sentence, &f.detected))
        .collect();
    let sentences: Vec<_> = seg
        .sentences
        .iter()
        .map(|s| {
            let t = s.text(&doc.text);
            json!({
                "id": s.id, "text": t, "start": s.start, "end": s.end, "paragraph": s.paragraph,
                "detected": text::detect(t), "foreign": foreign.get(&s.id),
            })
        })
        .collect();
    let quotes: Vec<_> = seg
        .quotes
        .iter()
        .map(|q| json!({"id": q.id, "text": q.text(&doc.text), "start": q.start, "end": q.end, "speaker": q.speaker, "sentences": q.sentences, "inside": q.inside}))
        .collect();
    json!({
        "path": doc.path, "format": doc.format, "lang": seg.lang,
        "paragraphs": doc.paragraphs.len(), "sentences": sentences, "quotes": quotes,
        "dropped_boilerplate": doc.dropped,
    })
}

fn backtranslate(
    file: &Path,
    lang: &str,
    engine: Option<Engine>,
    model: Option<&Path>,
    json: bool,
    cache_dir: Option<PathBuf>,
    no_cache: bool,
) -> Result<()> {
    use driftlens::translate::{
        apertium::ApertiumOptions, route, Apertium, CacheStats, CachedTranslator, CancelFlag,
        TranslationCache, Translator,
    };
    use std::io::{IsTerminal, Write};
    let doc = text::load(file)?;
    let seg = text::segment(&doc, Some(lang))?;
    let sentences: Vec<String> = seg
        .sentences
        .iter()
        .map(|s| s.text(&doc.text).replace('\n', " "))
        .collect();
    let choice = match engine {
        Some(e) => e,
        None if model.is_some() => Engine::Marian,
        None => match route::apertium_route(lang) {
            Some(r)
                if driftlens::translate::apertium::installed_pairs(&ApertiumOptions::default())
                    .map(|p| p.iter().any(|x| x == r.pair))
                    .unwrap_or(false) =>
            {
                Engine::Apertium
            }
            _ => Engine::Marian,
        },
    };
    let engine: Box<dyn Translator> = match choice {
        Engine::Apertium => {
            if model.is_some() {
                return Err("--model names a Marian model folder; it does not apply to --engine apertium".into());
            }
            Box::new(Apertium::for_language(lang, ApertiumOptions::default())?)
        }
        Engine::Marian => match model {
            Some(dir) => Box::new(driftlens::translate::marian::Marian::load(dir).map_err(driftlens::translate::TranslateError::from)?),
            None => {
                return Err(format!(
                    "back-translating with Marian needs --model DIR, a folder holding an OPUS-MT model for {lang} (config.json, model.safetensors or pytorch_model.bin, source.spm, target.spm, vocab.json); or use --engine apertium (pairs for {})",
                    route::apertium_languages()
                )
                .into())
            }
        },
    };
    let id = engine.id();
    let show_progress = !json && std::io::stderr().is_terminal();
    let progress = |done: usize, total: usize| {
        if show_progress {
            eprint!("\rback-translating: {done}/{total} sentences");
        }
    };
    let cancel = CancelFlag::new();
    let started = std::time::Instant::now();
    let (english, stats) = if no_cache {
        (
            engine.translate_batch(&sentences, &progress, &cancel)?,
            None,
        )
    } else {
        let cache = TranslationCache::new(cache_dir.unwrap_or_else(TranslationCache::default_dir));
        let cached = CachedTranslator::new(engine, cache);
        let english = cached.translate_batch(&sentences, &progress, &cancel)?;
        (english, Some(cached.stats()))
    };
    let seconds = started.elapsed().as_secs_f64();
    if show_progress {
        eprintln!();
    }
    // Apertium marks the words it could not translate (`*word`): print the English without the
    // marks and name those words apart, as the analysis does.
    let (english, untranslated): (Vec<String>, Vec<Vec<String>>) = english
        .iter()
        .map(|en| {
            let (clean, words) = driftlens::translate::apertium::unmark(en);
            let names = words
                .iter()
                .filter(|w| w.mark != '#')
                .map(|w| clean[w.range.clone()].to_string())
                .collect();
            (clean, names)
        })
        .unzip();
    if let Some(CacheStats {
        write_errors,
        last_write_error: Some(e),
        ..
    }) = &stats
    {
        eprintln!("driftlens: warning: {write_errors} back-translations were not cached: {e}");
    }
    if json {
        use serde_json::json;
        let rows: Vec<_> = seg
            .sentences
            .iter()
            .zip(sentences.iter().zip(english.iter().zip(&untranslated)))
            .map(|(s, (src, (en, gaps)))| json!({"id": s.id, "paragraph": s.paragraph, "source": src, "english": en, "untranslated_words": gaps}))
            .collect();
        let out = json!({
            "path": doc.path, "lang": seg.lang.code, "engine": id, "seconds": seconds,
            "cache": stats, "sentences": rows,
        });
        println!("{}", serde_json::to_string_pretty(&out)?);
    } else {
        let mut out = std::io::BufWriter::new(std::io::stdout().lock());
        for ((src, en), gaps) in sentences.iter().zip(&english).zip(&untranslated) {
            writeln!(out, "{src}\n  → {en}")?;
            if !gaps.is_empty() {
                writeln!(
                    out,
                    "    (left untranslated by the engine: {})",
                    gaps.join(", ")
                )?;
            }
        }
        out.flush()?;
        let cache = match &stats {
            Some(s) => format!("; {} from the cache, {} translated", s.hits, s.misses),
            None => String::new(),
        };
        eprintln!(
            "driftlens: {} sentences back-translated with {id} in {seconds:.3} s{cache}",
            sentences.len()
        );
    }
    Ok(())
}

/// The bundled corpus, found beside the binary's sources or in the working directory.
fn bundled_corpus() -> PathBuf {
    let here = PathBuf::from("corpora/russia-china-alliance");
    if here.is_dir() {
        return here;
    }
    Path::new(env!("CARGO_MANIFEST_DIR")).join("corpora/russia-china-alliance")
}

fn corpus(dir: Option<&Path>) -> Result<()> {
    let dir = dir.map(Path::to_path_buf).unwrap_or_else(bundled_corpus);
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .map_err(|e| format!("cannot read corpus folder {}: {e}", dir.display()))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| {
            p.extension().map(|x| x == "md").unwrap_or(false)
                && p.file_name().map(|n| n != "README.md").unwrap_or(false)
        })
        .collect();
    files.sort();
    println!(
        "{:<22} {:>5} {:>9} {:>7} {:>6}  {:<8} sentences in another language",
        "file", "lang", "detected", "paras", "sents", "quotes"
    );
    for f in files {
        let name = f
            .file_name()
            .unwrap_or_default()
            .to_string_lossy()
            .to_string();
        let code = name.split('.').next().unwrap_or("").to_string();
        let declared = text::language(&code).map(|l| l.code);
        let doc = text::load(&f)?;
        let seg = text::segment(&doc, declared)?;
        let det = seg
            .lang
            .detected
            .as_ref()
            .map(|d| d.lang.clone())
            .unwrap_or_else(|| "?".into());
        let foreign: Vec<String> = seg
            .foreign
            .iter()
            .map(|x| format!("#{} ({})", x.sentence, x.detected.lang))
            .collect();
        println!(
            "{:<22} {:>5} {:>9} {:>7} {:>6}  {:<8} {}",
            name,
            seg.lang.code,
            det,
            doc.paragraphs.len(),
            seg.sentences.len(),
            seg.quotes.iter().filter(|q| q.inside.is_none()).count(),
            foreign.join(" ")
        );
    }
    Ok(())
}
