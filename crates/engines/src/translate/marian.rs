//! The Marian (OPUS-MT) engine: Hugging Face checkpoints run on candle, in pure Rust.
//!
//! A model folder holds `config.json`, `model.safetensors` or `pytorch_model.bin`,
//! `source.spm`, `target.spm` and `vocab.json` (and often `generation_config.json`). The
//! configuration, the decoding settings (beams, length penalty, maximum length) and the
//! tokenizer all come from those files; nothing is hard-coded per language pair.
//!
//! ```no_run
//! use driftlens_engines::translate::marian::Marian;
//! let model = Marian::load(std::path::Path::new("models/opus-mt-es-en"))?;
//! let english = model.translate(&["Hola, mundo.".to_string()])?;
//! # Ok::<(), driftlens_engines::translate::marian::MarianError>(())
//! ```

pub mod attention;
pub mod config;
pub mod dense;
pub mod encoder;
pub mod files;
pub mod generate;
pub mod int8;
pub mod model;
mod panels;
pub mod profile;
pub mod spm;
pub mod tokenizer;

pub use files::{check_safetensors, check_safetensors_header};

use self::config::{GenerationSettings, ModelShape};
use self::generate::{Control, SearchError};
use self::model::MarianNet;
pub use self::model::Precision;
use self::spm::SentencePiece;
use self::tokenizer::MarianTokenizer;
use super::{CancelFlag, EngineId, Progress, TranslateError, Translator};
use candle_core::{DType, Device};
use candle_nn::VarBuilder;
use candle_transformers::models::marian::Config;
use std::cell::Cell;
use std::collections::HashMap;
use std::fmt;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU8, Ordering};

/// Why a Marian model could not be loaded or run. Each message names the file or model and
/// what to do about it.
#[derive(Debug)]
pub enum MarianError {
    /// A file the model needs is not there.
    MissingFile { path: PathBuf, fix: String },
    /// A file is there but cannot be used: truncated, damaged, or not what it should be.
    BadFile {
        path: PathBuf,
        problem: String,
        fix: String,
    },
    /// The model ran into an error while translating.
    Model { model: String, problem: String },
    /// Translation was cancelled.
    Cancelled { model: String },
}

impl fmt::Display for MarianError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            MarianError::MissingFile { path, fix } => {
                write!(f, "model file {} is missing; {fix}", path.display())
            }
            MarianError::BadFile { path, problem, fix } => write!(
                f,
                "model file {} cannot be used: {problem}; {fix}",
                path.display()
            ),
            MarianError::Model { model, problem } => write!(f, "model {model} failed: {problem}"),
            MarianError::Cancelled { model } => write!(f, "translation with {model} was cancelled"),
        }
    }
}

impl std::error::Error for MarianError {}

impl From<MarianError> for TranslateError {
    fn from(e: MarianError) -> Self {
        match e {
            MarianError::Cancelled { model } => TranslateError::Cancelled {
                engine: format!("marian:{model}"),
            },
            MarianError::Model { model, problem } => TranslateError::Model {
                model,
                message: problem,
            },
            MarianError::MissingFile { ref path, .. } | MarianError::BadFile { ref path, .. } => {
                TranslateError::File {
                    path: path.clone(),
                    message: e.to_string(),
                }
            }
        }
    }
}

/// What to tell a user whose model folder lacks or spoils a file.
pub fn default_fix(dir: &Path) -> String {
    format!(
        "download the model again (`driftlens models fetch LANG`), or point --model at a folder holding config.json, model.safetensors or pytorch_model.bin, source.spm, target.spm and vocab.json (looked in {})",
        dir.display()
    )
}

/// The files of one model, found on disk.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ModelFiles {
    pub config: PathBuf,
    pub generation_config: Option<PathBuf>,
    pub weights: PathBuf,
    pub source_spm: PathBuf,
    pub target_spm: PathBuf,
    pub vocab: PathBuf,
    pub target_vocab: Option<PathBuf>,
}

impl ModelFiles {
    /// Finds the files in a folder; `model.safetensors` is preferred to `pytorch_model.bin`.
    pub fn in_dir(dir: &Path, fix: &str) -> Result<Self, MarianError> {
        let need = |name: &str| -> Result<PathBuf, MarianError> {
            let p = dir.join(name);
            if p.is_file() {
                Ok(p)
            } else {
                Err(MarianError::MissingFile {
                    path: p,
                    fix: fix.to_string(),
                })
            }
        };
        let opt = |name: &str| Some(dir.join(name)).filter(|p| p.is_file());
        let weights = opt("model.safetensors")
            .or_else(|| opt("pytorch_model.bin"))
            .ok_or_else(|| MarianError::MissingFile {
                path: dir.join("model.safetensors"),
                fix: format!("neither model.safetensors nor pytorch_model.bin is there; {fix}"),
            })?;
        Ok(Self {
            config: need("config.json")?,
            generation_config: opt("generation_config.json"),
            weights,
            source_spm: need("source.spm")?,
            target_spm: need("target.spm")?,
            vocab: need("vocab.json")?,
            target_vocab: opt("target_vocab.json"),
        })
    }
}

/// How to translate: the model's own decoding settings, and how many sentences to decode
/// together.
#[derive(Clone, Debug, PartialEq)]
pub struct DecodeOptions {
    pub generation: GenerationSettings,
    /// Sentences decoded together (padded to the longest); more is faster up to the point
    /// where padding costs more than it saves.
    pub batch_size: usize,
}

/// A loaded Marian model, ready to translate.
pub struct Marian {
    name: String,
    revision: String,
    net: MarianNet,
    tokenizer: MarianTokenizer,
    options: DecodeOptions,
    /// `>>xx<<` token put in front of every sentence, for models that translate into several
    /// languages (none for the `xx-en` models Driftlens uses).
    target_token: Option<String>,
}

impl fmt::Debug for Marian {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Marian")
            .field("name", &self.name)
            .field("revision", &self.revision)
            .field("options", &self.options)
            .finish()
    }
}

fn read(path: &Path, fix: &str) -> Result<Vec<u8>, MarianError> {
    std::fs::read(path).map_err(|e| {
        if e.kind() == std::io::ErrorKind::NotFound {
            MarianError::MissingFile {
                path: path.to_path_buf(),
                fix: fix.to_string(),
            }
        } else {
            MarianError::BadFile {
                path: path.to_path_buf(),
                problem: format!("it cannot be read ({e})"),
                fix: fix.to_string(),
            }
        }
    })
}

fn bad(path: &Path, problem: impl Into<String>, fix: &str) -> MarianError {
    MarianError::BadFile {
        path: path.to_path_buf(),
        problem: problem.into(),
        fix: fix.to_string(),
    }
}

fn read_json(path: &Path, fix: &str) -> Result<serde_json::Value, MarianError> {
    let bytes = read(path, fix)?;
    serde_json::from_slice(&bytes).map_err(|e| {
        bad(
            path,
            format!("it is not valid JSON ({e}); it may be truncated"),
            fix,
        )
    })
}

fn read_vocab(path: &Path, fix: &str) -> Result<HashMap<String, u32>, MarianError> {
    let v = read_json(path, fix)?;
    let obj = v
        .as_object()
        .ok_or_else(|| bad(path, "it is not a JSON object of piece -> id", fix))?;
    let mut vocab = HashMap::with_capacity(obj.len());
    for (k, id) in obj {
        let id = id
            .as_u64()
            .filter(|&i| i <= u32::MAX as u64)
            .ok_or_else(|| bad(path, format!("the id of \"{k}\" is not a number"), fix))?;
        vocab.insert(k.clone(), id as u32);
    }
    Ok(vocab)
}

fn read_spm(path: &Path, fix: &str) -> Result<SentencePiece, MarianError> {
    let bytes = read(path, fix)?;
    SentencePiece::from_bytes(&bytes).map_err(|e| {
        bad(
            path,
            format!("it is not a usable SentencePiece model: {e}"),
            fix,
        )
    })
}

/// A short fingerprint of a model's files, so cached translations are not reused across
/// different weights: the small files whole, the weights by size and their first and last
/// 64 KiB.
fn fingerprint(files: &ModelFiles) -> String {
    use sha2::{Digest, Sha256};
    let mut h = Sha256::new();
    for p in [
        Some(&files.config),
        files.generation_config.as_ref(),
        Some(&files.vocab),
    ]
    .into_iter()
    .flatten()
    {
        if let Ok(b) = std::fs::read(p) {
            h.update(&b);
        }
    }
    if let Ok(mut f) = std::fs::File::open(&files.weights) {
        use std::io::{Seek, SeekFrom};
        let len = f.metadata().map(|m| m.len()).unwrap_or(0);
        h.update(len.to_le_bytes());
        let mut buf = vec![0u8; 65536];
        let n = f.read(&mut buf).unwrap_or(0);
        h.update(&buf[..n]);
        if len > 65536 && f.seek(SeekFrom::End(-65536)).is_ok() {
            let n = f.read(&mut buf).unwrap_or(0);
            h.update(&buf[..n]);
        }
    }
    let d = h.finalize();
    d.iter().take(8).map(|b| format!("{b:02x}")).collect()
}

/// The precision `Marian::load` and `Marian::load_files` use: `Precision::default()` unless
/// the program set another (the command line's `--precision`).
static DEFAULT_PRECISION: AtomicU8 = AtomicU8::new(0);

/// Sets the precision models load with from now on, in this process.
pub fn set_default_precision(precision: Precision) {
    DEFAULT_PRECISION.store(
        match precision {
            Precision::Int8 => 1,
            Precision::F32 => 2,
        },
        Ordering::Relaxed,
    );
}

/// The precision models load with (see `set_default_precision`).
pub fn default_precision() -> Precision {
    match DEFAULT_PRECISION.load(Ordering::Relaxed) {
        1 => Precision::Int8,
        2 => Precision::F32,
        _ => Precision::default(),
    }
}

/// Loads the network's weights, turning candle's errors into messages about the file.
fn load_net(
    cfg: &Config,
    shape: &ModelShape,
    weights: &Path,
    fix: &str,
    precision: Precision,
) -> Result<MarianNet, MarianError> {
    let dev = Device::Cpu;
    let is_safetensors = weights
        .extension()
        .map(|e| e == "safetensors")
        .unwrap_or(false);
    let explain = |e: candle_core::Error| -> MarianError {
        let msg = e.to_string();
        let problem = if msg.contains("shape mismatch")
            || msg.contains("cannot find tensor")
            || msg.contains("unexpected shape")
            || (msg.contains("tensor") && msg.contains("not found"))
        {
            format!(
                "it does not hold the weights config.json describes ({})",
                first_line(&msg)
            )
        } else {
            format!("it is damaged or incomplete ({})", first_line(&msg))
        };
        bad(weights, problem, fix)
    };
    let vb = if is_safetensors {
        let data = read(weights, fix)?;
        // Checked here so a truncated download gets a clear message rather than a parser's.
        check_safetensors(&data).map_err(|p| bad(weights, p, fix))?;
        VarBuilder::from_buffered_safetensors(data, DType::F32, &dev).map_err(explain)?
    } else {
        if !weights.is_file() {
            return Err(MarianError::MissingFile {
                path: weights.to_path_buf(),
                fix: fix.to_string(),
            });
        }
        // Only the zip format (PyTorch 1.6 and later) can be read; say so plainly.
        files::check_format("pytorch_model.bin", weights).map_err(|p| bad(weights, p, fix))?;
        VarBuilder::from_pth(weights, DType::F32, &dev).map_err(explain)?
    };
    MarianNet::load(cfg, shape, vb, precision).map_err(explain)
}

fn first_line(s: &str) -> &str {
    s.lines().next().unwrap_or(s)
}

impl Marian {
    /// Loads the model in a folder, naming it after the folder, in the default precision.
    pub fn load(dir: &Path) -> Result<Self, MarianError> {
        Self::load_with(dir, default_precision())
    }

    /// Loads the model in a folder, naming it after the folder.
    pub fn load_with(dir: &Path, precision: Precision) -> Result<Self, MarianError> {
        let name = dir
            .file_name()
            .map(|n| n.to_string_lossy().to_string())
            .unwrap_or_else(|| "marian".into());
        let fix = default_fix(dir);
        let files = ModelFiles::in_dir(dir, &fix)?;
        Self::load_files_with(&name, &files, &fix, precision)
    }

    /// Loads a model from its files in the default precision; `fix` says what to do when one
    /// of them is missing or damaged (the model store knows the model's name and how to
    /// fetch it).
    pub fn load_files(name: &str, files: &ModelFiles, fix: &str) -> Result<Self, MarianError> {
        Self::load_files_with(name, files, fix, default_precision())
    }

    /// Loads a model from its files in the given precision.
    pub fn load_files_with(
        name: &str,
        files: &ModelFiles,
        fix: &str,
        precision: Precision,
    ) -> Result<Self, MarianError> {
        let config_json = read_json(&files.config, fix)?;
        let (cfg, shape) =
            config::model_config(&config_json).map_err(|p| bad(&files.config, p, fix))?;
        let generation_json = match &files.generation_config {
            Some(p) => Some(read_json(p, fix)?),
            None => None,
        };
        let generation = config::generation_settings(&config_json, generation_json.as_ref(), &cfg);
        let source = read_spm(&files.source_spm, fix)?;
        let target = read_spm(&files.target_spm, fix)?;
        let vocab = read_vocab(&files.vocab, fix)?;
        let target_vocab = match &files.target_vocab {
            Some(p) => Some(read_vocab(p, fix)?),
            None => None,
        };
        let max_id = vocab.values().copied().max().unwrap_or(0) as usize;
        if max_id >= cfg.vocab_size {
            return Err(bad(&files.vocab, format!("it has ids up to {max_id} but config.json says the vocabulary has {} entries; the files come from different models", cfg.vocab_size), fix));
        }
        let tokenizer = MarianTokenizer::new(source, target, vocab, target_vocab)
            .map_err(|p| bad(&files.vocab, p, fix))?;
        let net = load_net(&cfg, &shape, &files.weights, fix, precision)?;
        Ok(Self {
            name: name.to_string(),
            revision: fingerprint(files),
            net,
            tokenizer,
            options: DecodeOptions {
                generation,
                batch_size: 16,
            },
            target_token: None,
        })
    }

    pub fn name(&self) -> &str {
        &self.name
    }

    pub fn precision(&self) -> Precision {
        self.net.precision()
    }

    /// Settings for the model revision: a pinned revision from models.toml, say.
    pub fn with_revision(mut self, revision: &str) -> Self {
        self.revision = revision.to_string();
        self
    }

    /// Puts a target-language token (`>>eng<<`) in front of every sentence, for models that
    /// translate into several languages.
    pub fn with_target_token(mut self, token: Option<&str>) -> Self {
        self.target_token = token.map(str::to_string);
        self
    }

    pub fn options(&self) -> &DecodeOptions {
        &self.options
    }

    pub fn with_options(mut self, options: DecodeOptions) -> Self {
        self.options = options;
        self
    }

    pub fn tokenizer(&self) -> &MarianTokenizer {
        &self.tokenizer
    }

    pub fn network(&self) -> &MarianNet {
        &self.net
    }

    /// Token ids for the encoder, cut to what the model can read (its position table).
    pub fn encode(&self, sentence: &str) -> Vec<u32> {
        let mut ids = self
            .tokenizer
            .encode_with_target(sentence, self.target_token.as_deref());
        let limit = self.net.config().max_position_embeddings.max(2);
        if ids.len() > limit {
            ids.truncate(limit - 1);
            ids.push(self.tokenizer.eos_id());
        }
        ids
    }

    /// Generates output token ids for encoder inputs, batched as the options say.
    /// `on_done(i)` is called as input `i` finishes.
    pub fn generate_ids(
        &self,
        inputs: &[Vec<u32>],
        settings: &GenerationSettings,
        batch_size: usize,
        cancel: Option<&CancelFlag>,
        on_done: &dyn Fn(usize),
    ) -> Result<Vec<Vec<u32>>, MarianError> {
        let mut out = vec![Vec::new(); inputs.len()];
        // Similar lengths together: less padding.
        let mut order: Vec<usize> = (0..inputs.len()).collect();
        order.sort_by_key(|&i| std::cmp::Reverse(inputs[i].len()));
        let flag = cancel.map(|c| c.0.as_ref());
        for chunk in order.chunks(batch_size.max(1)) {
            let batch: Vec<Vec<u32>> = chunk.iter().map(|&i| inputs[i].clone()).collect();
            let done = |j: usize| on_done(chunk[j]);
            let control = Control {
                cancel: flag,
                on_sentence_done: Some(&done),
            };
            let result =
                generate::generate(&self.net, &batch, settings, control).map_err(|e| match e {
                    SearchError::Cancelled => MarianError::Cancelled {
                        model: self.name.clone(),
                    },
                    SearchError::Model(e) => MarianError::Model {
                        model: self.name.clone(),
                        problem: e.to_string(),
                    },
                })?;
            for (j, ids) in result.into_iter().enumerate() {
                out[chunk[j]] = ids;
            }
        }
        Ok(out)
    }

    /// Translates sentences with the model's own decoding settings. Empty sentences give
    /// empty translations.
    pub fn translate(&self, sentences: &[String]) -> Result<Vec<String>, MarianError> {
        self.translate_with(sentences, &self.options, &|_, _| {}, None)
    }

    /// Translates sentences; `progress(done, total)` is called as sentences finish, and
    /// `cancel` stops the work between decoding steps.
    pub fn translate_with(
        &self,
        sentences: &[String],
        options: &DecodeOptions,
        progress: &dyn Fn(usize, usize),
        cancel: Option<&CancelFlag>,
    ) -> Result<Vec<String>, MarianError> {
        let total = sentences.len();
        let work: Vec<usize> = (0..total)
            .filter(|&i| !sentences[i].trim().is_empty())
            .collect();
        let done = Cell::new(total - work.len());
        progress(done.get(), total);
        let inputs: Vec<Vec<u32>> = work.iter().map(|&i| self.encode(&sentences[i])).collect();
        let on_done = |_: usize| {
            done.set(done.get() + 1);
            progress(done.get(), total);
        };
        let ids = self.generate_ids(
            &inputs,
            &options.generation,
            options.batch_size,
            cancel,
            &on_done,
        )?;
        let mut out = vec![String::new(); total];
        for (k, &i) in work.iter().enumerate() {
            out[i] = self.tokenizer.decode(&ids[k], true);
        }
        Ok(out)
    }

    /// What the cache keys on: model name, revision and the settings that change output.
    pub fn engine_id(&self) -> EngineId {
        let g = &self.options.generation;
        // Int8 output can differ from f32 output, so it is cached apart; f32 keeps the keys it
        // always had.
        let precision = match self.precision() {
            Precision::F32 => "",
            Precision::Int8 => ",precision=int8",
        };
        let settings = format!(
            "beams={},length_penalty={},max_length={}{}{precision}",
            g.num_beams,
            g.length_penalty,
            g.max_length,
            self.target_token
                .as_ref()
                .map(|t| format!(",target={t}"))
                .unwrap_or_default()
        );
        EngineId::new("marian", &self.name, &self.revision, &settings)
    }
}

impl Translator for Marian {
    fn id(&self) -> EngineId {
        self.engine_id()
    }

    fn translate_batch(
        &self,
        sentences: &[String],
        progress: Progress<'_>,
        cancel: &CancelFlag,
    ) -> Result<Vec<String>, TranslateError> {
        self.translate_with(sentences, &self.options, progress, Some(cancel))
            .map_err(TranslateError::from)
    }
}
