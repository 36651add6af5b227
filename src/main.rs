//! The `driftlens` command line: `driftlens` alone analyses the bundled corpus;
//! subcommands run single stages for batch work.

use clap::{Parser, Subcommand};
use driftlens::text::{self, Document, Segmented};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

#[derive(Parser)]
#[command(name = "driftlens", version, about = "Shows where the meaning of a text drifted when it was translated.", long_about = None)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// Split a document into sentences and find its quotations.
    ///
    /// Reads plain text, Markdown or a saved HTML page (UTF-8 with or without BOM, or UTF-16
    /// with BOM), drops site boilerplate from web pages, detects the language of the document
    /// and of every sentence, and prints one sentence a line (or JSON with byte offsets into
    /// the loaded text, paragraph indices, detected languages and quotations).
    Segment {
        /// The file to read (.txt, .md, .html).
        file: PathBuf,
        /// The document's language as an ISO 639-1 code (en, ru, zh, …); a declared language
        /// always wins over detection.
        #[arg(long)]
        lang: Option<String>,
        /// Print JSON instead of one sentence a line.
        #[arg(long)]
        json: bool,
    },
    /// Summarise the text stage over a corpus folder (default: the bundled corpus).
    Corpus {
        /// A corpus folder with `manifest.toml` or `*.md` files named by language code.
        dir: Option<PathBuf>,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Some(Command::Segment { file, lang, json }) => segment(&file, lang.as_deref(), json),
        Some(Command::Corpus { dir }) => corpus(dir.as_deref()),
        None => corpus(None),
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

fn segment(file: &Path, lang: Option<&str>, json: bool) -> Result<()> {
    let doc = text::load(file)?;
    let seg = text::segment(&doc, lang)?;
    if json {
        println!("{}", serde_json::to_string_pretty(&segment_json(&doc, &seg))?);
    } else {
        use std::io::Write;
        let mut out = std::io::BufWriter::new(std::io::stdout().lock());
        for s in &seg.sentences {
            writeln!(out, "{}", s.text(&doc.text).replace('\n', " "))?;
        }
        if !doc.dropped.is_empty() {
            eprintln!("driftlens: dropped {} paragraphs of site boilerplate from {}", doc.dropped.len(), file.display());
        }
    }
    Ok(())
}

/// The JSON that `segment --json` prints: sentences with offsets, paragraph, detected
/// language; quotations with speaker and sentences; boilerplate dropped.
fn segment_json(doc: &Document, seg: &Segmented) -> serde_json::Value {
    use serde_json::json;
    let foreign: std::collections::HashMap<usize, &text::Detection> = seg.foreign.iter().map(|f| (f.sentence, &f.detected)).collect();
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
        .filter(|p| p.extension().map(|x| x == "md").unwrap_or(false) && p.file_name().map(|n| n != "README.md").unwrap_or(false))
        .collect();
    files.sort();
    println!("{:<22} {:>5} {:>9} {:>7} {:>6}  {:<8} {}", "file", "lang", "detected", "paras", "sents", "quotes", "sentences in another language");
    for f in files {
        let name = f.file_name().unwrap_or_default().to_string_lossy().to_string();
        let code = name.split('.').next().unwrap_or("").to_string();
        let declared = text::language(&code).map(|l| l.code);
        let doc = text::load(&f)?;
        let seg = text::segment(&doc, declared)?;
        let det = seg.lang.detected.as_ref().map(|d| d.lang.clone()).unwrap_or_else(|| "?".into());
        let foreign: Vec<String> = seg.foreign.iter().map(|x| format!("#{} ({})", x.sentence, x.detected.lang)).collect();
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
