//! Bytes to text: BOMs, UTF-16, binary files and invalid UTF-8, each with a clear error.

use super::TextError;
use std::path::Path;

/// Decodes a file's bytes: UTF-8 with or without BOM, UTF-16 LE/BE with BOM.
///
/// A file with NUL bytes and no UTF-16 BOM is taken as binary. Invalid UTF-8 is an error
/// naming the byte offset of the first bad byte.
pub fn decode(bytes: &[u8], path: &Path) -> Result<String, TextError> {
    if let Some(rest) = bytes.strip_prefix(&[0xEF, 0xBB, 0xBF]) {
        return utf8(rest, path, 3);
    }
    if let Some(rest) = bytes.strip_prefix(&[0xFF, 0xFE]) {
        return utf16(rest, path, u16::from_le_bytes);
    }
    if let Some(rest) = bytes.strip_prefix(&[0xFE, 0xFF]) {
        return utf16(rest, path, u16::from_be_bytes);
    }
    if looks_binary(bytes) {
        return Err(TextError::Binary {
            path: path.to_path_buf(),
        });
    }
    utf8(bytes, path, 0)
}

/// NUL bytes, or many control bytes, in the first 8 KiB mean this is no text file.
fn looks_binary(bytes: &[u8]) -> bool {
    let head = &bytes[..bytes.len().min(8192)];
    if head.contains(&0) {
        return true;
    }
    let controls = head
        .iter()
        .filter(|&&b| b < 0x20 && !matches!(b, b'\n' | b'\r' | b'\t' | 0x0c))
        .count();
    !head.is_empty() && controls * 10 > head.len()
}

fn utf8(bytes: &[u8], path: &Path, bom: usize) -> Result<String, TextError> {
    match std::str::from_utf8(bytes) {
        Ok(s) => Ok(s.to_owned()),
        Err(e) => Err(TextError::InvalidUtf8 {
            path: path.to_path_buf(),
            offset: e.valid_up_to() + bom,
        }),
    }
}

fn utf16(bytes: &[u8], path: &Path, unit: fn([u8; 2]) -> u16) -> Result<String, TextError> {
    if bytes.len() % 2 != 0 {
        return Err(TextError::InvalidUtf16 {
            path: path.to_path_buf(),
            offset: bytes.len() + 1,
        });
    }
    let units: Vec<u16> = bytes.chunks_exact(2).map(|c| unit([c[0], c[1]])).collect();
    let mut out = String::with_capacity(units.len());
    let mut consumed = 0;
    for r in char::decode_utf16(units.iter().copied()) {
        match r {
            Ok(c) => {
                out.push(c);
                consumed += c.len_utf16();
            }
            Err(_) => {
                return Err(TextError::InvalidUtf16 {
                    path: path.to_path_buf(),
                    offset: 2 + 2 * consumed,
                })
            }
        }
    }
    Ok(out)
}
