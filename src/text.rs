//! The text stage (`driftlens_core::text`), and reading a document from disk.

pub use driftlens_core::text::*;

use std::path::Path;

/// Loads a text file: decodes it, recognises its format (by extension, else by content),
/// strips markup and site boilerplate, and keeps paragraph structure.
pub fn load(path: &Path) -> Result<Document, TextError> {
    let io = |source| TextError::Io {
        path: path.to_path_buf(),
        source,
    };
    let size = std::fs::metadata(path).map_err(io)?.len();
    if size > MAX_FILE_BYTES {
        return Err(TextError::TooLarge {
            path: path.to_path_buf(),
            size,
            max: MAX_FILE_BYTES,
        });
    }
    let bytes = std::fs::read(path).map_err(io)?;
    load_bytes(&bytes, path)
}
