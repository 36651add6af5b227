//! The Marian engine's own file checks: whether a model file is whole and of the format its
//! name says, without loading it (the model store verifies downloads with them, the engine
//! checks before loading).

use super::spm::SentencePiece;
use std::io::Read;
use std::path::Path;

/// Checks that a safetensors file is whole: its header parses and its data is as long as
/// the header says.
pub fn check_safetensors(data: &[u8]) -> Result<(), String> {
    check_safetensors_header(data, data.len() as u64)
}

/// The same check from the start of the file (at least its header) and the file's length.
pub fn check_safetensors_header(start: &[u8], file_len: u64) -> Result<(), String> {
    if start.len() < 8 || file_len < 8 {
        return Err("it is too short to be a safetensors file (truncated download?)".into());
    }
    let n = u64::from_le_bytes(start[..8].try_into().unwrap_or([0; 8]));
    if n > file_len - 8 || 8 + n > start.len() as u64 {
        return Err("its header runs past the end of the file (truncated download?)".into());
    }
    let n = n as usize;
    let header: serde_json::Value = serde_json::from_slice(&start[8..8 + n]).map_err(|_| {
        "its header is not valid (damaged file, or not a safetensors file)".to_string()
    })?;
    let end = header
        .as_object()
        .map(|o| {
            o.iter()
                .filter(|(k, _)| *k != "__metadata__")
                .filter_map(|(_, v)| v.get("data_offsets")?.as_array()?.get(1)?.as_u64())
                .max()
                .unwrap_or(0)
        })
        .unwrap_or(0);
    let have = file_len - 8 - n as u64;
    if have < end {
        return Err(format!("it holds {have} bytes of tensor data where its header promises {end} (truncated download?)"));
    }
    Ok(())
}

/// Checks that a file is whole and is what its name says, without the model: JSON parses,
/// SentencePiece models parse, safetensors data is as long as its header says, PyTorch
/// archives end with their zip directory.
pub fn check_format(name: &str, path: &Path) -> Result<(), String> {
    let read = || std::fs::read(path).map_err(|e| e.to_string());
    if name.ends_with(".json") {
        serde_json::from_slice::<serde_json::Value>(&read()?)
            .map(|_| ())
            .map_err(|e| format!("it is not valid JSON ({e}); truncated download?"))
    } else if name.ends_with(".spm") || name.ends_with(".model") {
        SentencePiece::from_bytes(&read()?)
            .map(|_| ())
            .map_err(|e| format!("it is not a usable SentencePiece model: {e}"))
    } else if name.ends_with(".safetensors") {
        // The header alone says how long the file must be; no need to read the weights.
        let mut f = std::fs::File::open(path).map_err(|e| e.to_string())?;
        let len = f.metadata().map_err(|e| e.to_string())?.len();
        let mut n = [0u8; 8];
        if len < 8 || f.read_exact(&mut n).is_err() {
            return Err("it is too short to be a safetensors file (truncated download?)".into());
        }
        let header_len = u64::from_le_bytes(n);
        if header_len > len - 8 || header_len > 100 << 20 {
            return Err("its header runs past the end of the file (truncated download?)".into());
        }
        let mut head = vec![0u8; 8 + header_len as usize];
        head[..8].copy_from_slice(&n);
        f.read_exact(&mut head[8..]).map_err(|e| e.to_string())?;
        check_safetensors_header(&head, len)
    } else if name.ends_with(".bin") {
        let mut f = std::fs::File::open(path).map_err(|e| e.to_string())?;
        let len = f.metadata().map_err(|e| e.to_string())?.len();
        let mut head = [0u8; 4];
        if len < 22 || f.read_exact(&mut head).is_err() {
            return Err("it is too short to be a PyTorch checkpoint (truncated download?)".into());
        }
        if &head != b"PK\x03\x04" {
            return Err("it is not a zip-format PyTorch checkpoint (a legacy format, or damaged); convert it to model.safetensors with `transformers` (`MarianMTModel.from_pretrained(DIR).save_pretrained(DIR)`)".into());
        }
        use std::io::{Seek, SeekFrom};
        let tail_len = len.min(65536 + 22);
        f.seek(SeekFrom::End(-(tail_len as i64)))
            .map_err(|e| e.to_string())?;
        let mut tail = vec![0u8; tail_len as usize];
        f.read_exact(&mut tail).map_err(|e| e.to_string())?;
        if tail.windows(4).any(|w| w == b"PK\x05\x06") {
            Ok(())
        } else {
            Err("its zip directory is missing (truncated download?)".into())
        }
    } else {
        Ok(())
    }
}
