//! Back-translation with the operating system's Apertium (rule-based machine translation).
//!
//! One `apertium -f txt PAIR` process translates a whole batch (a document): every
//! sentence goes in as its own paragraph, separated by a blank line. Apertium's text
//! deformatter treats a blank line as a sentence end and its reformatter prints the blank
//! line back, so output paragraph *i* is the translation of sentence *i*; this was checked
//! on the bundled corpus (es, ca, gl, eo, hr, sr: every sentence comes back). Should the
//! count ever differ, the batch is split in halves and each half translated again, down to
//! single sentences, so a result always maps back to its input.
//!
//! Apertium runs without `-u`, so the words it could not translate come back marked: `*word`
//! (unknown to the analyser, passed through as written), `@word` (no entry in the bilingual
//! dictionary) and `#word` (the English form could not be generated). The marks stay in what
//! [`Translator::translate_batch`] returns; [`unmark`] strips them and says where the marked
//! words are, so that a reader sees clean English and the drift score can tell an engine gap
//! (a word the engine does not know) from a change of meaning.
//!
//! The process runs in its own process group; a timeout or a cancellation kills the whole
//! pipeline (the `apertium` script and the `lt-proc`, tagger and transfer stages under it).

use super::route::{apertium_languages, apertium_package, apertium_route};
use super::{CancelFlag, EngineId, Progress, TranslateError, Translator};
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicU32, AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// How to reach Apertium.
#[derive(Debug, Clone)]
pub struct ApertiumOptions {
    /// The `apertium` program (default: `apertium` on `PATH`).
    pub program: PathBuf,
    /// A folder of language data to use instead of the system's (`apertium -d`).
    pub datadir: Option<PathBuf>,
    /// The longest a batch may take before the process is killed; `None`: 30 s plus 0.1 s
    /// a sentence.
    pub timeout: Option<Duration>,
}

impl Default for ApertiumOptions {
    fn default() -> Self {
        ApertiumOptions {
            program: PathBuf::from("apertium"),
            datadir: None,
            timeout: None,
        }
    }
}

/// Apertium translating one pair into English.
pub struct Apertium {
    options: ApertiumOptions,
    pair: String,
    package: String,
    /// The transliteration mode run first on Cyrillic input, where the pair has one.
    cyrillic_to_latin: Option<String>,
    installed: Vec<String>,
    id: EngineId,
    invocations: AtomicUsize,
    last_pid: AtomicU32,
}

impl std::fmt::Debug for Apertium {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Apertium")
            .field("pair", &self.pair)
            .field("id", &self.id)
            .finish()
    }
}

impl Apertium {
    /// Apertium for a pair such as `spa-eng`, from the system's installation.
    pub fn new(pair: &str) -> Result<Apertium, TranslateError> {
        Apertium::open(pair, ApertiumOptions::default())
    }

    /// Apertium for the language with ISO 639-1 code `lang` (`es`, `hr`, …).
    pub fn for_language(lang: &str, options: ApertiumOptions) -> Result<Apertium, TranslateError> {
        let route = apertium_route(lang).ok_or_else(|| TranslateError::NoApertiumPair {
            lang: lang.to_string(),
            known: apertium_languages(),
        })?;
        Apertium::open(route.pair, options)
    }

    /// Apertium translating English into the language with ISO 639-1 code `lang`, for the
    /// engine's own round trip of the original (see [`super::round_trip`]).
    pub fn forward_for_language(
        lang: &str,
        options: ApertiumOptions,
    ) -> Result<Apertium, TranslateError> {
        let pair =
            super::route::apertium_forward(lang).ok_or_else(|| TranslateError::NoForwardPair {
                lang: lang.to_string(),
                known: forward_languages(),
            })?;
        Apertium::open(pair, options)
    }

    /// Apertium for `pair` with the given options. Fails, naming the Debian package to
    /// install, when Apertium or the pair is missing.
    pub fn open(pair: &str, options: ApertiumOptions) -> Result<Apertium, TranslateError> {
        let package = apertium_package(pair)
            .map(str::to_string)
            .unwrap_or_else(|| format!("the Apertium package for {pair}"));
        let installed = list_pairs(&options, &package)?;
        if !installed.iter().any(|p| p == pair) {
            return Err(TranslateError::PairMissing {
                pair: pair.to_string(),
                package,
                installed: describe_installed(&installed),
            });
        }
        let cyrillic_to_latin = apertium_route_for_pair(pair);
        let revision = format!(
            "{}, data {:016x}",
            version(&options),
            data_fingerprint(&options, pair)
        );
        let id = EngineId::new("apertium", pair, &revision, "unknown-words=marked");
        Ok(Apertium {
            options,
            pair: pair.to_string(),
            package,
            cyrillic_to_latin,
            installed,
            id,
            invocations: AtomicUsize::new(0),
            last_pid: AtomicU32::new(0),
        })
    }

    /// The same engine with another time limit for a batch.
    pub fn with_timeout(mut self, timeout: Duration) -> Apertium {
        self.options.timeout = Some(timeout);
        self
    }

    /// The pair this engine runs (`spa-eng`).
    pub fn pair(&self) -> &str {
        &self.pair
    }

    /// The pairs installed on this system, as `apertium -l` lists them.
    pub fn installed_pairs(&self) -> &[String] {
        &self.installed
    }

    /// How many Apertium processes this engine has started to translate (transliteration
    /// passes included; listing pairs not).
    pub fn invocations(&self) -> usize {
        self.invocations.load(Ordering::SeqCst)
    }

    /// The process id of the last Apertium process started (also its process group on
    /// Unix), if any.
    pub fn last_process_id(&self) -> Option<u32> {
        match self.last_pid.load(Ordering::SeqCst) {
            0 => None,
            pid => Some(pid),
        }
    }

    fn engine_name(&self, mode: &str) -> String {
        format!("apertium {mode}")
    }

    fn timeout_for(&self, sentences: usize) -> Duration {
        self.options.timeout.unwrap_or_else(|| {
            Duration::from_secs(30) + Duration::from_millis(100) * sentences as u32
        })
    }

    /// Translates `texts` (one sentence each, no line breaks, none empty) with `mode`,
    /// splitting the batch where Apertium does not return one paragraph per sentence.
    fn run_segments(
        &self,
        mode: &str,
        texts: &[String],
        progress: Progress<'_>,
        cancel: &CancelFlag,
        deadline: Deadline,
    ) -> Result<Vec<String>, TranslateError> {
        let mut input = String::with_capacity(texts.iter().map(|t| t.len() + 2).sum());
        for t in texts {
            input.push_str(t);
            input.push_str("\n\n");
        }
        let output = self.run_process(mode, input, texts.len(), progress, cancel, deadline)?;
        let paragraphs = paragraphs(&output);
        if paragraphs.len() == texts.len() {
            return Ok(paragraphs);
        }
        if texts.len() == 1 {
            return Ok(vec![paragraphs.join(" ")]);
        }
        let half = texts.len() / 2;
        let mut first = self.run_segments(
            mode,
            &texts[..half],
            &|d, _| progress(d, texts.len()),
            cancel,
            deadline,
        )?;
        let second = self.run_segments(
            mode,
            &texts[half..],
            &|d, _| progress(half + d, texts.len()),
            cancel,
            deadline,
        )?;
        first.extend(second);
        Ok(first)
    }

    /// Runs one Apertium process over `input` and returns what it printed. Reports the
    /// paragraphs finished so far; kills the process group on timeout or cancellation.
    fn run_process(
        &self,
        mode: &str,
        input: String,
        expected: usize,
        progress: Progress<'_>,
        cancel: &CancelFlag,
        deadline: Deadline,
    ) -> Result<String, TranslateError> {
        let engine = self.engine_name(mode);
        if cancel.is_cancelled() {
            return Err(TranslateError::Cancelled { engine });
        }
        let mut cmd = Command::new(&self.options.program);
        if let Some(dir) = &self.options.datadir {
            cmd.arg("-d").arg(dir);
        }
        // Words the translation cannot handle come back marked (see `unmark`); the
        // transliteration pass runs with `-u`, as its output is the translation's input.
        if self.cyrillic_to_latin.as_deref() == Some(mode) {
            cmd.arg("-u");
        }
        // The `apertium` script keeps its temporary files in $TMPDIR and leaves them there
        // when it is killed (timeout, cancel): each run gets a folder of its own, removed
        // with everything in it when the run ends.
        let scratch = tempfile::Builder::new()
            .prefix("driftlens-apertium-")
            .tempdir()
            .ok();
        if let Some(dir) = &scratch {
            cmd.env("TMPDIR", dir.path());
        }
        cmd.args(["-f", "txt", mode])
            .env("LC_ALL", "C.UTF-8")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        #[cfg(unix)]
        {
            use std::os::unix::process::CommandExt;
            cmd.process_group(0);
        }
        let mut child = cmd
            .spawn()
            .map_err(|e| spawn_error(e, &self.options, &self.package, &engine))?;
        self.invocations.fetch_add(1, Ordering::SeqCst);
        self.last_pid.store(child.id(), Ordering::SeqCst);

        let mut stdin = child.stdin.take().expect("stdin is piped");
        let writer = std::thread::spawn(move || {
            // A process killed early closes the pipe: that error is expected, not reported.
            let _ = stdin.write_all(input.as_bytes());
        });
        let done = Arc::new(AtomicUsize::new(0));
        let mut stdout = child.stdout.take().expect("stdout is piped");
        let counter = Arc::clone(&done);
        let reader = std::thread::spawn(move || -> std::io::Result<Vec<u8>> {
            let mut out = Vec::new();
            let mut buf = [0u8; 16 * 1024];
            let mut last = 0u8;
            loop {
                let n = stdout.read(&mut buf)?;
                if n == 0 {
                    return Ok(out);
                }
                let mut finished = 0;
                for &b in &buf[..n] {
                    if b == b'\n' && last == b'\n' {
                        finished += 1;
                    }
                    last = b;
                }
                counter.fetch_add(finished, Ordering::SeqCst);
                out.extend_from_slice(&buf[..n]);
            }
        });
        let mut stderr = child.stderr.take().expect("stderr is piped");
        let errors = std::thread::spawn(move || {
            let mut err = Vec::new();
            let _ = stderr.read_to_end(&mut err);
            err
        });

        let mut reported = 0;
        let status = loop {
            match child.try_wait() {
                Ok(Some(status)) => break status,
                Ok(None) => {}
                Err(e) => {
                    kill_group(&mut child);
                    return Err(TranslateError::Io { engine, source: e });
                }
            }
            if cancel.is_cancelled() {
                kill_group(&mut child);
                let _ = (writer.join(), reader.join(), errors.join());
                return Err(TranslateError::Cancelled { engine });
            }
            if Instant::now() >= deadline.at {
                kill_group(&mut child);
                let _ = (writer.join(), reader.join(), errors.join());
                return Err(TranslateError::Timeout {
                    engine,
                    sentences: deadline.sentences,
                    timeout: deadline.limit,
                });
            }
            let now = done.load(Ordering::SeqCst).min(expected.saturating_sub(1));
            if now > reported {
                reported = now;
                progress(now, expected);
            }
            std::thread::sleep(Duration::from_millis(5));
        };
        let _ = writer.join();
        let output = reader.join().map_err(|_| {
            TranslateError::Other(format!("{engine}: the output reader stopped unexpectedly"))
        })?;
        let stderr = errors.join().unwrap_or_default();
        if !status.success() {
            let text = String::from_utf8_lossy(&stderr);
            let tail: String = text
                .trim()
                .chars()
                .rev()
                .take(2000)
                .collect::<Vec<_>>()
                .into_iter()
                .rev()
                .collect();
            let stderr = if tail.is_empty() {
                "it printed no message".to_string()
            } else {
                tail
            };
            return Err(TranslateError::EngineFailed {
                engine,
                status: status.to_string(),
                stderr,
            });
        }
        let output = output.map_err(|e| TranslateError::Io { engine, source: e })?;
        Ok(String::from_utf8_lossy(&output).into_owned())
    }
}

impl Translator for Apertium {
    fn id(&self) -> EngineId {
        self.id.clone()
    }

    fn translate_batch(
        &self,
        sentences: &[String],
        progress: Progress<'_>,
        cancel: &CancelFlag,
    ) -> Result<Vec<String>, TranslateError> {
        let total = sentences.len();
        if cancel.is_cancelled() {
            return Err(TranslateError::Cancelled {
                engine: self.engine_name(&self.pair),
            });
        }
        let limit = self.timeout_for(total);
        let deadline = Deadline {
            at: Instant::now() + limit,
            limit,
            sentences: total,
        };
        // Line breaks inside a sentence would read as paragraph breaks: one line each.
        let cleaned: Vec<String> = sentences.iter().map(|s| one_line(s)).collect();
        let kept: Vec<usize> = (0..total).filter(|&i| !cleaned[i].is_empty()).collect();
        let mut texts: Vec<String> = kept.iter().map(|&i| cleaned[i].clone()).collect();
        let mut out = vec![String::new(); total];
        if texts.is_empty() {
            progress(total, total);
            return Ok(out);
        }
        if texts.iter().any(|t| has_cyrillic(t)) {
            if let Some(mode) = &self.cyrillic_to_latin {
                if !self.installed.iter().any(|p| p == mode) {
                    let package = apertium_package(mode).unwrap_or(&self.package).to_string();
                    return Err(TranslateError::PairMissing {
                        pair: mode.clone(),
                        package,
                        installed: describe_installed(&self.installed),
                    });
                }
                texts = self.run_segments(mode, &texts, &super::no_progress, cancel, deadline)?;
            }
        }
        // Progress counts the caller's sentences, empty ones included (they are done).
        let skipped = total - kept.len();
        let english = self.run_segments(
            &self.pair,
            &texts,
            &|d, _| progress(skipped + d, total),
            cancel,
            deadline,
        )?;
        for (i, e) in kept.into_iter().zip(english) {
            out[i] = e;
        }
        progress(total, total);
        Ok(out)
    }
}

#[derive(Clone, Copy)]
struct Deadline {
    at: Instant,
    limit: Duration,
    sentences: usize,
}

/// The pairs `apertium -l` lists.
pub fn installed_pairs(options: &ApertiumOptions) -> Result<Vec<String>, TranslateError> {
    list_pairs(options, "apertium-eng-spa")
}

fn list_pairs(options: &ApertiumOptions, package: &str) -> Result<Vec<String>, TranslateError> {
    let key = (options.program.clone(), options.datadir.clone());
    if let Some(pairs) = recently(&LISTED, &key) {
        return Ok(pairs);
    }
    let pairs = list_pairs_now(options, package)?;
    remember(&LISTED, key, pairs.clone());
    Ok(pairs)
}

/// What `apertium -l` and `apertium -V` said lately, per program and data folder: an
/// analysis opens an engine per translation and direction, and each `apertium` run starts a
/// shell script that lists every mode (a fifth of a second here), so a cached re-analysis of
/// the corpus spent most of its time asking again. Kept [`ASKED_FOR`]: long enough for one
/// analysis, short enough that a pair installed meanwhile is seen by the next.
type Asked<T> = std::sync::Mutex<Vec<((PathBuf, Option<PathBuf>), Instant, T)>>;
static LISTED: Asked<Vec<String>> = std::sync::Mutex::new(Vec::new());
static VERSIONS: Asked<String> = std::sync::Mutex::new(Vec::new());
const ASKED_FOR: Duration = Duration::from_secs(30);

fn recently<T: Clone>(asked: &Asked<T>, key: &(PathBuf, Option<PathBuf>)) -> Option<T> {
    let asked = asked.lock().ok()?;
    asked
        .iter()
        .find(|(k, at, _)| k == key && at.elapsed() < ASKED_FOR)
        .map(|(_, _, v)| v.clone())
}

fn remember<T>(asked: &Asked<T>, key: (PathBuf, Option<PathBuf>), value: T) {
    if let Ok(mut asked) = asked.lock() {
        asked.retain(|(k, at, _)| *k != key && at.elapsed() < ASKED_FOR);
        asked.push((key, Instant::now(), value));
    }
}

fn list_pairs_now(options: &ApertiumOptions, package: &str) -> Result<Vec<String>, TranslateError> {
    let mut cmd = Command::new(&options.program);
    if let Some(dir) = &options.datadir {
        cmd.arg("-d").arg(dir);
    }
    let engine = "apertium -l".to_string();
    let out = cmd
        .arg("-l")
        .env("LC_ALL", "C.UTF-8")
        .stdin(Stdio::null())
        .output()
        .map_err(|e| spawn_error(e, options, package, &engine))?;
    // `apertium -l` lists nothing (and may exit non-zero) when no pair is installed.
    // With no modes at all it prints an unexpanded `*`: keep only names a mode can have.
    Ok(String::from_utf8_lossy(&out.stdout)
        .split_whitespace()
        .filter(|p| {
            p.chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
        })
        .map(str::to_string)
        .collect())
}

/// The installed pairs that translate into English, for messages.
fn describe_installed(pairs: &[String]) -> String {
    let into_english: Vec<&str> = pairs
        .iter()
        .map(String::as_str)
        .filter(|p| {
            p.rsplit('-').next().is_some_and(|target| {
                target == "en"
                    || target == "eng"
                    || target.starts_with("eng_")
                    || target.starts_with("en_")
            })
        })
        .collect();
    if into_english.is_empty() {
        "none into English".to_string()
    } else {
        into_english.join(", ")
    }
}

fn spawn_error(
    e: std::io::Error,
    options: &ApertiumOptions,
    package: &str,
    engine: &str,
) -> TranslateError {
    if e.kind() == std::io::ErrorKind::NotFound {
        let install = if package.starts_with("apertium-") {
            format!("apertium {package}")
        } else {
            "apertium".to_string()
        };
        TranslateError::ApertiumMissing {
            program: options.program.display().to_string(),
            install,
        }
    } else {
        TranslateError::Io {
            engine: engine.to_string(),
            source: e,
        }
    }
}

fn apertium_route_for_pair(pair: &str) -> Option<String> {
    super::route::APERTIUM_ROUTES
        .iter()
        .find(|r| r.pair == pair)
        .and_then(|r| r.cyrillic_to_latin)
        .map(str::to_string)
}

/// The languages Apertium translates English into, for messages.
fn forward_languages() -> String {
    let mut langs: Vec<&str> = super::route::APERTIUM_ROUTES
        .iter()
        .filter(|r| r.forward.is_some())
        .map(|r| r.lang)
        .collect();
    langs.sort_unstable();
    langs.join(", ")
}

/// `Apertium 3.8.3` → `apertium 3.8.3`; `apertium (version unknown)` where `-V` fails.
fn version(options: &ApertiumOptions) -> String {
    let key = (options.program.clone(), options.datadir.clone());
    if let Some(v) = recently(&VERSIONS, &key) {
        return v;
    }
    let v = version_now(options);
    remember(&VERSIONS, key, v.clone());
    v
}

fn version_now(options: &ApertiumOptions) -> String {
    let out = Command::new(&options.program)
        .arg("-V")
        .env("LC_ALL", "C.UTF-8")
        .stdin(Stdio::null())
        .output();
    match out {
        Ok(o) if o.status.success() => {
            let v = String::from_utf8_lossy(&o.stdout).trim().to_string();
            if v.is_empty() {
                "apertium (version unknown)".to_string()
            } else {
                v.to_lowercase()
            }
        }
        _ => "apertium (version unknown)".to_string(),
    }
}

/// The folder Apertium reads its modes from: `-d`, else `$APERTIUM_DATADIR`, else the
/// default written into the `apertium` script, else `/usr/share/apertium`.
fn data_dir(options: &ApertiumOptions) -> PathBuf {
    if let Some(d) = &options.datadir {
        return d.clone();
    }
    if let Some(d) = std::env::var_os("APERTIUM_DATADIR") {
        return PathBuf::from(d);
    }
    let script = which(&options.program)
        .and_then(|p| std::fs::read(p).ok())
        .map(|b| String::from_utf8_lossy(&b).into_owned());
    if let Some(script) = script {
        let marker = "APERTIUM_DATADIR:-";
        if let Some(at) = script.find(marker) {
            let rest = &script[at + marker.len()..];
            if let Some(end) = rest.find('}') {
                return PathBuf::from(&rest[..end]);
            }
        }
    }
    PathBuf::from("/usr/share/apertium")
}

fn which(program: &Path) -> Option<PathBuf> {
    if program.components().count() > 1 {
        return Some(program.to_path_buf());
    }
    std::env::split_paths(&std::env::var_os("PATH")?)
        .map(|d| d.join(program))
        .find(|p| p.is_file())
}

/// A fingerprint of the pair's data: its mode file and the size and modification time of
/// every file the mode names, so that an upgraded package invalidates cached results.
fn data_fingerprint(options: &ApertiumOptions, pair: &str) -> u64 {
    let mode = data_dir(options).join("modes").join(format!("{pair}.mode"));
    let mut h = Fnv64::new();
    let Ok(text) = std::fs::read_to_string(&mode) else {
        return h.finish();
    };
    h.write(text.as_bytes());
    for token in text.split_whitespace() {
        let path = token.trim_matches(|c| c == '\'' || c == '"');
        if !path.starts_with('/') {
            continue;
        }
        if let Ok(meta) = std::fs::metadata(path) {
            h.write(&meta.len().to_le_bytes());
            if let Ok(t) = meta.modified().and_then(|m| {
                m.duration_since(std::time::UNIX_EPOCH)
                    .map_err(std::io::Error::other)
            }) {
                h.write(&t.as_secs().to_le_bytes());
            }
        }
    }
    h.finish()
}

struct Fnv64(u64);

impl Fnv64 {
    fn new() -> Fnv64 {
        Fnv64(0xcbf29ce484222325)
    }
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 ^= b as u64;
            self.0 = self.0.wrapping_mul(0x100000001b3);
        }
    }
    fn finish(&self) -> u64 {
        self.0
    }
}

/// Kills the process and every process in its group (the whole Apertium pipeline), then
/// reaps it.
fn kill_group(child: &mut Child) {
    #[cfg(unix)]
    {
        let pid = child.id() as libc::pid_t;
        if pid > 0 {
            // SAFETY: kill(2) with a negative pid signals the process group we created with
            // process_group(0); it touches no memory of ours.
            unsafe {
                libc::kill(-pid, libc::SIGKILL);
            }
        }
    }
    let _ = child.kill();
    let _ = child.wait();
}

/// The text on one line: every run of whitespace (line breaks included) as one space,
/// trimmed.
fn one_line(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Apertium's output split at blank lines, each paragraph on one line with single spaces.
fn paragraphs(output: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut current = String::new();
    for line in output.lines() {
        if line.trim().is_empty() {
            if !current.is_empty() {
                out.push(std::mem::take(&mut current));
            }
        } else {
            if !current.is_empty() {
                current.push(' ');
            }
            current.push_str(line.trim());
        }
    }
    if !current.is_empty() {
        out.push(current);
    }
    out.into_iter().map(|p| one_line(&p)).collect()
}

/// A word Apertium marked as one it could not translate, in the text [`unmark`] returns.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MarkedWord {
    /// Byte range of the word (without its mark) in the unmarked text.
    pub range: std::ops::Range<usize>,
    /// `*` unknown word, `@` missing from the bilingual dictionary, `#` not generated.
    pub mark: char,
}

/// Apertium's output without its marks for words it could not translate (`*word`, `@word`,
/// `#word` at the start of a word), and where those words are in the returned text. Text
/// without marks comes back unchanged. A `*`, `@` or `#` that does not start a word or is
/// not followed by a letter (`5 * 3`, `user@example`, `#1`) is kept.
pub fn unmark(text: &str) -> (String, Vec<MarkedWord>) {
    let mut out = String::with_capacity(text.len());
    let mut marked = Vec::new();
    let mut chars = text.char_indices().peekable();
    let mut prev: Option<char> = None;
    let is_word = |c: char| c.is_alphanumeric();
    while let Some((_, c)) = chars.next() {
        let next = chars.peek().map(|&(_, n)| n);
        let at_word_start =
            prev.is_none_or(|p| !(p.is_alphanumeric() || matches!(p, '*' | '@' | '#')));
        if matches!(c, '*' | '@' | '#') && at_word_start && next.is_some_and(char::is_alphabetic) {
            let start = out.len();
            // the word: letters and digits, joined by inner hyphens and apostrophes
            while let Some(&(_, w)) = chars.peek() {
                if is_word(w) {
                    out.push(w);
                    chars.next();
                    continue;
                }
                if matches!(w, '-' | '\'' | '’') {
                    let mut ahead = chars.clone();
                    ahead.next();
                    if ahead.peek().is_some_and(|&(_, a)| is_word(a)) {
                        out.push(w);
                        chars.next();
                        continue;
                    }
                }
                break;
            }
            marked.push(MarkedWord {
                range: start..out.len(),
                mark: c,
            });
            prev = out.chars().last();
            continue;
        }
        out.push(c);
        prev = Some(c);
    }
    (out, marked)
}

fn has_cyrillic(s: &str) -> bool {
    s.chars().any(|c| ('\u{0400}'..='\u{04FF}').contains(&c))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn output_splits_at_blank_lines() {
        assert_eq!(
            paragraphs("Hello  there.\n\nSecond\nline.\n\n\nThird\n"),
            vec!["Hello there.", "Second line.", "Third"]
        );
        assert!(paragraphs("\n\n").is_empty());
    }

    #[test]
    fn messages_list_only_pairs_into_english() {
        let listed: Vec<String> = [
            "Cyrl-Latn",
            "eng-spa",
            "spa-eng",
            "spa-eng_US",
            "eo-en",
            "en-eo",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        assert_eq!(describe_installed(&listed), "spa-eng, spa-eng_US, eo-en");
        assert_eq!(describe_installed(&[]), "none into English");
    }

    #[test]
    fn marks_of_untranslated_words_are_stripped_and_located() {
        let (text, words) = unmark("It said that the *bravuconadas of *Lavrov in @Liverpool. But #blablaísmo works, *hind-*pacifikan.");
        assert_eq!(text, "It said that the bravuconadas of Lavrov in Liverpool. But blablaísmo works, hind-pacifikan.");
        let found: Vec<(&str, char)> = words
            .iter()
            .map(|w| (&text[w.range.clone()], w.mark))
            .collect();
        assert_eq!(
            found,
            vec![
                ("bravuconadas", '*'),
                ("Lavrov", '*'),
                ("Liverpool", '@'),
                ("blablaísmo", '#'),
                ("hind", '*'),
                ("pacifikan", '*')
            ]
        );
        let (text, words) =
            unmark("*EE. *UU.», said *Peskov's aide; 5 * 3 = 15, mail user@example.org, #1 *");
        assert_eq!(
            text,
            "EE. UU.», said Peskov's aide; 5 * 3 = 15, mail user@example.org, #1 *"
        );
        let found: Vec<&str> = words.iter().map(|w| &text[w.range.clone()]).collect();
        assert_eq!(found, vec!["EE", "UU", "Peskov's"]);
        assert_eq!(unmark("No marks here.").0, "No marks here.");
        assert_eq!(unmark(""), (String::new(), vec![]));
    }

    #[test]
    fn sentences_go_in_on_one_line() {
        assert_eq!(one_line("  a\nb\r\n\tc  "), "a b c");
        assert!(has_cyrillic("Пише: М. К."));
        assert!(!has_cyrillic("Piše: M. K."));
    }
}
