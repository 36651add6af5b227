//! Writing a file so that a crash, a kill or a full disk mid-write leaves either the old file
//! or the new one, never a torn one. One implementation for every writer (the review project,
//! reports, exports, the back-translation cache), on `tempfile`: a temporary file beside the
//! target, renamed over it.

use std::io::Write;
use std::path::{Path, PathBuf};

/// How hard a write tries to survive a power failure.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Durability {
    /// Atomic, without fsync: a power failure may lose the new file (the old one or nothing
    /// remains). For caches, which can be recomputed and are written thousands of times.
    Atomic,
    /// Atomic, and the file is fsynced before the rename and its folder after: what a person
    /// wrote or asked for survives a power failure too.
    Durable,
}

/// Why a file could not be written: the step, the file and the system's reason.
#[derive(Debug, thiserror::Error)]
#[error("cannot {stage} {path}: {source}")]
pub struct WriteError {
    /// "create", "write", "fsync" or "replace".
    pub stage: &'static str,
    pub path: PathBuf,
    #[source]
    pub source: std::io::Error,
}

/// The prefix of the temporary files a write leaves beside `path` only if it is killed
/// (`.NAME.tmp-`), for clean-ups.
pub fn temporary_prefix(path: &Path) -> String {
    let name = path
        .file_name()
        .and_then(|n| n.to_str())
        .unwrap_or("driftlens");
    format!(".{name}.tmp-")
}

/// Writes `bytes` to `path` through a temporary file in the same folder; the temporary file
/// is removed on every failure.
pub fn write(path: &Path, bytes: &[u8], durability: Durability) -> Result<(), WriteError> {
    let dir = folder_of(path);
    let fail = |stage, path: &Path, source| WriteError {
        stage,
        path: path.to_path_buf(),
        source,
    };
    let mut tmp = tempfile::Builder::new()
        .prefix(&temporary_prefix(path))
        .tempfile_in(dir)
        .map_err(|e| fail("create a temporary file in", dir, e))?;
    tmp.write_all(bytes)
        .map_err(|e| fail("write", tmp.path(), e))?;
    if durability == Durability::Durable {
        tmp.as_file()
            .sync_all()
            .map_err(|e| fail("fsync", tmp.path(), e))?;
    }
    tmp.persist(path)
        .map_err(|e| fail("replace", path, e.error))?;
    if durability == Durability::Durable {
        sync_folder(path);
    }
    Ok(())
}

/// The folder holding `path` (`.` for a bare file name).
fn folder_of(path: &Path) -> &Path {
    match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    }
}

/// Fsyncs the folder holding `path`, so that a rename in it survives a power failure. Not
/// every platform can open a folder for fsync (Windows cannot); the rename is atomic there
/// regardless.
pub fn sync_folder(path: &Path) {
    let dir = folder_of(path);
    if let Ok(d) = std::fs::File::open(dir) {
        let _ = d.sync_all();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replaces_the_file_and_leaves_no_temporary() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("report.json");
        std::fs::write(&path, "old").unwrap();
        write(&path, b"new", Durability::Durable).unwrap();
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "new");
        let names: Vec<_> = std::fs::read_dir(dir.path()).unwrap().flatten().collect();
        assert_eq!(names.len(), 1, "a temporary file was left behind");
    }

    #[test]
    fn a_failed_write_names_the_folder_and_keeps_the_old_file() {
        let dir = tempfile::tempdir().unwrap();
        let missing = dir.path().join("no-such-folder").join("report.json");
        let e = write(&missing, b"new", Durability::Atomic).unwrap_err();
        assert!(e.to_string().contains("no-such-folder"), "{e}");
    }
}
