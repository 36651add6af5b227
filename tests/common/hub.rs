//! A Hugging Face hub on this machine for the download tests: a small HTTP server
//! (std::net) that answers in the hub's URL layout (`/org/name/resolve/main/file`, with
//! `x-repo-commit` and an etag; large files redirected to `/cdn/<sha256>` with
//! `x-linked-etag` = their sha256 and `x-linked-size`, as the hub does for LFS files),
//! serving the Marian fixture model's files under every repository it is asked for. Range
//! requests are answered with 206; bodies can be slowed (to cancel inside a file) or
//! damaged (to fail the checksum).

use sha2::{Digest, Sha256};
use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

pub const COMMIT: &str = "0123456789abcdef0123456789abcdef01234567";
/// Files the hub serves through its file server, as it does LFS files.
pub const LARGE: [&str; 2] = ["model.safetensors", "pytorch_model.bin"];

pub fn fixture_model() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/marian/model")
}

pub fn sha256(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// A hub serving the fixture model's files under every repository it is asked for.
pub struct FixtureHub {
    pub addr: String,
    pub files: BTreeMap<String, Vec<u8>>,
    /// `path range` of every request, in order.
    pub log: Arc<Mutex<Vec<String>>>,
    /// While set, file bodies trickle (1 KiB every 20 ms) after their first 256 KiB.
    pub slow: Arc<AtomicBool>,
    /// While set, the large files' bytes are served with one byte changed.
    pub corrupt: Arc<AtomicBool>,
}

impl FixtureHub {
    pub fn start() -> FixtureHub {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = format!("http://{}", listener.local_addr().unwrap());
        let mut files = BTreeMap::new();
        for e in std::fs::read_dir(fixture_model()).unwrap() {
            let e = e.unwrap();
            files.insert(
                e.file_name().to_string_lossy().to_string(),
                std::fs::read(e.path()).unwrap(),
            );
        }
        let hub = FixtureHub {
            addr: addr.clone(),
            files: files.clone(),
            log: Default::default(),
            slow: Default::default(),
            corrupt: Default::default(),
        };
        let (log, slow, corrupt) = (hub.log.clone(), hub.slow.clone(), hub.corrupt.clone());
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let (files, log, slow, corrupt, addr) = (
                    files.clone(),
                    log.clone(),
                    slow.clone(),
                    corrupt.clone(),
                    addr.clone(),
                );
                std::thread::spawn(move || {
                    let _ = serve(stream, &files, &log, &slow, &corrupt, &addr);
                });
            }
        });
        hub
    }

    pub fn requests(&self) -> Vec<String> {
        self.log.lock().unwrap().clone()
    }
}

fn serve(
    mut stream: TcpStream,
    files: &BTreeMap<String, Vec<u8>>,
    log: &Mutex<Vec<String>>,
    slow: &AtomicBool,
    corrupt: &AtomicBool,
    addr: &str,
) -> std::io::Result<()> {
    let mut reader = BufReader::new(stream.try_clone()?);
    let mut line = String::new();
    reader.read_line(&mut line)?;
    let path = line.split_whitespace().nth(1).unwrap_or("").to_string();
    let mut range = None;
    loop {
        let mut h = String::new();
        reader.read_line(&mut h)?;
        if h.trim().is_empty() {
            break;
        }
        if let Some((k, v)) = h.split_once(':') {
            if k.eq_ignore_ascii_case("range") {
                range = Some(v.trim().to_string());
            }
        }
    }
    log.lock()
        .unwrap()
        .push(format!("{path} {}", range.clone().unwrap_or_default()));
    let not_found = "HTTP/1.1 404 Not Found\r\nx-error-code: EntryNotFound\r\nContent-Length: 0\r\nConnection: close\r\n\r\n";
    // /cdn/<sha256>: the file server of large files.
    if let Some(sha) = path.strip_prefix("/cdn/") {
        let Some(bytes) = files.values().find(|b| sha256(b) == sha) else {
            return stream.write_all(not_found.as_bytes());
        };
        let mut bytes = bytes.clone();
        if corrupt.load(Ordering::SeqCst) {
            bytes[100] ^= 0xff;
        }
        return send_range(&mut stream, &bytes, range.as_deref(), "", slow);
    }
    // /org/name/resolve/main/<file>
    let Some((_, file)) = path.split_once("/resolve/main/") else {
        return stream.write_all(not_found.as_bytes());
    };
    let Some(bytes) = files.get(file) else {
        return stream.write_all(not_found.as_bytes());
    };
    let sha = sha256(bytes);
    if LARGE.contains(&file) {
        let head = format!(
            "HTTP/1.1 302 Found\r\nLocation: {addr}/cdn/{sha}\r\nx-repo-commit: {COMMIT}\r\nx-linked-etag: \"{sha}\"\r\nx-linked-size: {}\r\nETag: \"{}\"\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
            bytes.len(),
            &sha[..40]
        );
        return stream.write_all(head.as_bytes());
    }
    let extra = format!("x-repo-commit: {COMMIT}\r\nETag: \"{}\"\r\n", &sha[..40]);
    send_range(&mut stream, bytes, range.as_deref(), &extra, slow)
}

fn send_range(
    stream: &mut TcpStream,
    bytes: &[u8],
    range: Option<&str>,
    extra: &str,
    slow: &AtomicBool,
) -> std::io::Result<()> {
    let total = bytes.len();
    let (start, end) = match range.and_then(|r| r.strip_prefix("bytes=")) {
        Some(r) => {
            let (a, b) = r.split_once('-').unwrap_or((r, ""));
            let a: usize = a.parse().unwrap_or(0);
            let b: usize = b.parse().unwrap_or(total - 1).min(total - 1);
            (a, b)
        }
        None => (0, total - 1),
    };
    let body = &bytes[start..=end];
    let status = if range.is_some() {
        "206 Partial Content"
    } else {
        "200 OK"
    };
    let head = format!(
        "HTTP/1.1 {status}\r\nContent-Range: bytes {start}-{end}/{total}\r\nContent-Length: {}\r\n{extra}Connection: close\r\n\r\n",
        body.len()
    );
    stream.write_all(head.as_bytes())?;
    if !slow.load(Ordering::SeqCst) || body.len() < 2 {
        return stream.write_all(body);
    }
    let quick = body.len().min(256 * 1024);
    stream.write_all(&body[..quick])?;
    for chunk in body[quick..].chunks(1024) {
        stream.write_all(chunk)?;
        std::thread::sleep(Duration::from_millis(20));
    }
    Ok(())
}
