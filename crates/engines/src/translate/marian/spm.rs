//! SentencePiece unigram models read straight from their `.spm` file, in pure Rust.
//!
//! A `.spm` file is a protobuf `ModelProto`: the pieces with their scores and types, the
//! trainer's settings and the normaliser (a precompiled character map plus whitespace rules).
//! Encoding follows the reference implementation step by step: normalise by longest match in
//! the character map, drop extra whitespace, add the dummy prefix, escape spaces as `▁`, then
//! find the best segmentation with the unigram model (Viterbi, via `tokenizers`' `Unigram`).
//! Decoding joins pieces, turns `▁` back into spaces and drops the dummy prefix.

use std::collections::HashMap;
use std::fmt;
use tokenizers::models::unigram::Unigram;
use tokenizers::Model;

/// The space symbol SentencePiece uses in pieces.
pub const SPACE: char = '▁';

/// What a piece is for, as SentencePiece types them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PieceKind {
    Normal,
    Unknown,
    Control,
    UserDefined,
    Unused,
    Byte,
}

/// One piece of the vocabulary.
#[derive(Clone, Debug)]
pub struct Piece {
    pub text: String,
    pub score: f32,
    pub kind: PieceKind,
}

/// Why a `.spm` file could not be read.
#[derive(Debug, Clone, PartialEq)]
pub struct SpmError(pub String);

impl fmt::Display for SpmError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for SpmError {}

fn err<T>(msg: impl Into<String>) -> Result<T, SpmError> {
    Err(SpmError(msg.into()))
}

/// A SentencePiece unigram model.
pub struct SentencePiece {
    pieces: Vec<Piece>,
    by_text: HashMap<String, u32>,
    unk_id: u32,
    unk_surface: String,
    charsmap: Option<CharsMap>,
    add_dummy_prefix: bool,
    remove_extra_whitespaces: bool,
    escape_whitespaces: bool,
    unigram: Unigram,
}

impl fmt::Debug for SentencePiece {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SentencePiece")
            .field("pieces", &self.pieces.len())
            .field("unk_id", &self.unk_id)
            .finish()
    }
}

impl SentencePiece {
    /// Parses the bytes of a `.spm` file.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, SpmError> {
        let mut pieces = Vec::new();
        let mut trainer = TrainerSpec::default();
        let mut normalizer = NormalizerSpec::default();
        let mut r = Reader::new(bytes);
        while !r.done() {
            let (field, wire) = r.key()?;
            match (field, wire) {
                (1, 2) => pieces.push(parse_piece(r.bytes()?)?),
                (2, 2) => trainer = parse_trainer(r.bytes()?)?,
                (3, 2) => normalizer = parse_normalizer(r.bytes()?)?,
                _ => r.skip(wire)?,
            }
        }
        if pieces.is_empty() {
            return err("it holds no vocabulary pieces (is it a SentencePiece model?)");
        }
        if trainer.model_type != 1 {
            let kind = match trainer.model_type {
                2 => "BPE",
                3 => "word",
                4 => "char",
                _ => "unknown",
            };
            return err(format!("it is a SentencePiece {kind} model; only unigram models (as OPUS-MT uses) are supported"));
        }
        if trainer.treat_whitespace_as_suffix {
            return err("it treats whitespace as a suffix, which is not supported");
        }
        let unk_id = match pieces.iter().position(|p| p.kind == PieceKind::Unknown) {
            Some(i) => i as u32,
            None => return err("it has no unknown piece (<unk>)"),
        };
        let charsmap = match normalizer.charsmap {
            Some(ref b) if !b.is_empty() => Some(CharsMap::parse(b)?),
            _ => None,
        };
        // The lattice only ever holds normal and user-defined pieces; the others get a
        // spelling no normalised text can contain, so they are never matched.
        let vocab: Vec<(String, f64)> = pieces
            .iter()
            .enumerate()
            .map(|(i, p)| match p.kind {
                PieceKind::Normal | PieceKind::UserDefined => (p.text.clone(), p.score as f64),
                _ => (format!("\u{0}reserved-{i}"), 0.0),
            })
            .collect();
        let unigram = Unigram::from(vocab, Some(unk_id as usize), false)
            .map_err(|e| SpmError(format!("its vocabulary is not usable: {e}")))?;
        let by_text = pieces
            .iter()
            .enumerate()
            .map(|(i, p)| (p.text.clone(), i as u32))
            .collect();
        Ok(Self {
            pieces,
            by_text,
            unk_id,
            unk_surface: trainer
                .unk_surface
                .unwrap_or_else(|| " \u{2047} ".to_string()),
            charsmap,
            add_dummy_prefix: normalizer.add_dummy_prefix,
            remove_extra_whitespaces: normalizer.remove_extra_whitespaces,
            escape_whitespaces: normalizer.escape_whitespaces,
            unigram,
        })
    }

    pub fn len(&self) -> usize {
        self.pieces.len()
    }

    pub fn is_empty(&self) -> bool {
        self.pieces.is_empty()
    }

    pub fn pieces(&self) -> &[Piece] {
        &self.pieces
    }

    pub fn unk_id(&self) -> u32 {
        self.unk_id
    }

    /// The id of a piece, if the model has it.
    pub fn piece_id(&self, piece: &str) -> Option<u32> {
        self.by_text.get(piece).copied()
    }

    /// Normalises text as SentencePiece does before segmenting it: character map (longest
    /// match), extra whitespace removed, dummy prefix added, spaces escaped as `▁`.
    pub fn normalize(&self, text: &str) -> String {
        let space = if self.escape_whitespaces {
            "\u{2581}"
        } else {
            " "
        };
        let mut out = String::with_capacity(text.len() + 3);
        let mut input = text.as_bytes();
        if self.remove_extra_whitespaces {
            // Leading whitespace goes, judged after normalisation.
            while !input.is_empty() {
                let (norm, used) = self.normalize_prefix(input);
                if norm != " " {
                    break;
                }
                input = &input[used..];
            }
        }
        if input.is_empty() {
            return out;
        }
        if self.add_dummy_prefix {
            out.push_str(space);
        }
        let mut prev_space = self.remove_extra_whitespaces;
        while !input.is_empty() {
            let (norm, used) = self.normalize_prefix(input);
            input = &input[used..];
            let mut piece: &str = &norm;
            if prev_space {
                piece = piece.trim_start_matches(' ');
            }
            if !piece.is_empty() {
                for c in piece.chars() {
                    if c == ' ' {
                        out.push_str(space);
                    } else {
                        out.push(c);
                    }
                }
                prev_space = piece.ends_with(' ');
            }
            if !self.remove_extra_whitespaces {
                prev_space = false;
            }
        }
        if self.remove_extra_whitespaces {
            while out.ends_with(space) {
                out.truncate(out.len() - space.len());
            }
        }
        out
    }

    /// Normalises the start of `input`: the longest match in the character map, else one
    /// character unchanged (an invalid UTF-8 byte becomes U+FFFD).
    fn normalize_prefix(&self, input: &[u8]) -> (String, usize) {
        if let Some(map) = &self.charsmap {
            if let Some((len, replacement)) = map.longest_match(input) {
                return (replacement.to_string(), len);
            }
        }
        let len = utf8_len(input);
        match std::str::from_utf8(&input[..len]) {
            Ok(s) => (s.to_string(), len),
            Err(_) => ("\u{FFFD}".to_string(), 1),
        }
    }

    /// Segments text into pieces: `(piece id, surface)` pairs. Unknown stretches keep their
    /// surface and get the unknown id.
    pub fn encode(&self, text: &str) -> Vec<(u32, String)> {
        let normalized = self.normalize(text);
        if normalized.is_empty() {
            return Vec::new();
        }
        match self.unigram.tokenize(&normalized) {
            Ok(tokens) => tokens
                .into_iter()
                .map(|t| {
                    let surface = normalized
                        .get(t.offsets.0..t.offsets.1)
                        .unwrap_or(&t.value)
                        .to_string();
                    (t.id, surface)
                })
                .collect(),
            // The unigram model only fails without an unknown piece, which from_bytes rules out.
            Err(_) => vec![(self.unk_id, normalized)],
        }
    }

    /// The pieces of a text, as `sp.encode(text, out_type=str)` gives them.
    pub fn encode_pieces(&self, text: &str) -> Vec<String> {
        self.encode(text).into_iter().map(|(_, s)| s).collect()
    }

    /// The piece ids of a text, as `sp.encode(text)` gives them.
    pub fn encode_ids(&self, text: &str) -> Vec<u32> {
        self.encode(text).into_iter().map(|(id, _)| id).collect()
    }

    /// Decodes piece ids as `sp.decode(ids)` does.
    pub fn decode_ids(&self, ids: &[u32]) -> String {
        let pieces: Vec<(Option<u32>, &str)> = ids
            .iter()
            .map(|&id| {
                (
                    Some(id),
                    self.pieces
                        .get(id as usize)
                        .map(|p| p.text.as_str())
                        .unwrap_or(""),
                )
            })
            .collect();
        self.decode_inner(&pieces)
    }

    /// Decodes piece strings as `sp.decode_pieces(pieces)` does: a piece the model does not
    /// know is written out as it is.
    pub fn decode_pieces<S: AsRef<str>>(&self, pieces: &[S]) -> String {
        let pieces: Vec<(Option<u32>, &str)> = pieces
            .iter()
            .map(|p| (self.piece_id(p.as_ref()), p.as_ref()))
            .collect();
        self.decode_inner(&pieces)
    }

    fn decode_inner(&self, pieces: &[(Option<u32>, &str)]) -> String {
        let mut text = String::new();
        for &(id, piece) in pieces {
            let id = id.unwrap_or(self.unk_id);
            let kind = self
                .pieces
                .get(id as usize)
                .map(|p| p.kind)
                .unwrap_or(PieceKind::Unknown);
            let surface: String = match kind {
                PieceKind::Control => String::new(),
                PieceKind::Unknown => {
                    if self.pieces.get(id as usize).map(|p| p.text.as_str()) == Some(piece) {
                        self.unk_surface.clone()
                    } else {
                        piece.to_string()
                    }
                }
                _ => {
                    let mut p = piece;
                    if text.is_empty() && self.add_dummy_prefix {
                        p = p.strip_prefix(SPACE).unwrap_or(p);
                    }
                    p.replace(SPACE, " ")
                }
            };
            text.push_str(&surface);
        }
        text
    }
}

/// Length of the UTF-8 character starting `bytes` (1 for an invalid lead byte).
fn utf8_len(bytes: &[u8]) -> usize {
    let b = bytes[0];
    let n = if b < 0x80 {
        1
    } else if b >> 5 == 0b110 {
        2
    } else if b >> 4 == 0b1110 {
        3
    } else if b >> 3 == 0b11110 {
        4
    } else {
        1
    };
    if n > bytes.len() || std::str::from_utf8(&bytes[..n]).is_err() {
        1
    } else {
        n
    }
}

/// The precompiled character map: a Darts double-array trie over byte strings whose values
/// point into a blob of NUL-terminated replacements.
struct CharsMap {
    units: Vec<u32>,
    normalized: Vec<u8>,
}

impl CharsMap {
    fn parse(blob: &[u8]) -> Result<Self, SpmError> {
        if blob.len() < 4 {
            return err("its normaliser's character map is cut short");
        }
        let trie_len = u32::from_le_bytes([blob[0], blob[1], blob[2], blob[3]]) as usize;
        if trie_len % 4 != 0 || 4 + trie_len > blob.len() || trie_len == 0 {
            return err("its normaliser's character map is damaged");
        }
        let units = blob[4..4 + trie_len]
            .chunks_exact(4)
            .map(|c| u32::from_le_bytes([c[0], c[1], c[2], c[3]]))
            .collect();
        Ok(Self {
            units,
            normalized: blob[4 + trie_len..].to_vec(),
        })
    }

    /// The longest key that prefixes `input`, as (its length in bytes, its replacement).
    fn longest_match(&self, input: &[u8]) -> Option<(usize, &str)> {
        let unit = |pos: usize| self.units.get(pos).copied();
        let offset = |u: u32| ((u >> 10) << ((u & (1 << 9)) >> 6)) as usize;
        let has_leaf = |u: u32| (u >> 8) & 1 == 1;
        let label = |u: u32| u & ((1 << 31) | 0xFF);
        let value = |u: u32| (u & ((1u32 << 31) - 1)) as usize;
        let mut best: Option<(usize, usize)> = None;
        let mut pos = offset(unit(0)?);
        for (i, &c) in input.iter().enumerate() {
            if c == 0 {
                break;
            }
            pos ^= c as usize;
            let u = unit(pos)?;
            if label(u) != c as u32 {
                break;
            }
            pos ^= offset(u);
            if has_leaf(u) {
                best = Some((i + 1, value(unit(pos)?)));
            }
        }
        let (len, start) = best?;
        let rest = self.normalized.get(start..)?;
        let end = rest.iter().position(|&b| b == 0).unwrap_or(rest.len());
        let replacement = std::str::from_utf8(&rest[..end]).ok()?;
        Some((len, replacement))
    }
}

#[derive(Default)]
struct TrainerSpec {
    model_type: u64,
    treat_whitespace_as_suffix: bool,
    unk_surface: Option<String>,
}

struct NormalizerSpec {
    charsmap: Option<Vec<u8>>,
    add_dummy_prefix: bool,
    remove_extra_whitespaces: bool,
    escape_whitespaces: bool,
}

impl Default for NormalizerSpec {
    fn default() -> Self {
        Self {
            charsmap: None,
            add_dummy_prefix: true,
            remove_extra_whitespaces: true,
            escape_whitespaces: true,
        }
    }
}

fn parse_piece(bytes: &[u8]) -> Result<Piece, SpmError> {
    let mut r = Reader::new(bytes);
    let mut piece = Piece {
        text: String::new(),
        score: 0.0,
        kind: PieceKind::Normal,
    };
    while !r.done() {
        let (field, wire) = r.key()?;
        match (field, wire) {
            (1, 2) => {
                piece.text = String::from_utf8(r.bytes()?.to_vec())
                    .map_err(|_| SpmError("a piece is not valid UTF-8".into()))?
            }
            (2, 5) => piece.score = f32::from_le_bytes(r.fixed32()?),
            (3, 0) => {
                piece.kind = match r.varint()? {
                    1 => PieceKind::Normal,
                    2 => PieceKind::Unknown,
                    3 => PieceKind::Control,
                    4 => PieceKind::UserDefined,
                    5 => PieceKind::Unused,
                    6 => PieceKind::Byte,
                    other => return err(format!("a piece has an unknown type {other}")),
                }
            }
            _ => r.skip(wire)?,
        }
    }
    Ok(piece)
}

fn parse_trainer(bytes: &[u8]) -> Result<TrainerSpec, SpmError> {
    let mut r = Reader::new(bytes);
    let mut spec = TrainerSpec {
        model_type: 1,
        ..Default::default()
    };
    while !r.done() {
        let (field, wire) = r.key()?;
        match (field, wire) {
            (3, 0) => spec.model_type = r.varint()?,
            (24, 0) => spec.treat_whitespace_as_suffix = r.varint()? != 0,
            (48, 2) => spec.unk_surface = String::from_utf8(r.bytes()?.to_vec()).ok(),
            _ => r.skip(wire)?,
        }
    }
    Ok(spec)
}

fn parse_normalizer(bytes: &[u8]) -> Result<NormalizerSpec, SpmError> {
    let mut r = Reader::new(bytes);
    let mut spec = NormalizerSpec::default();
    while !r.done() {
        let (field, wire) = r.key()?;
        match (field, wire) {
            (2, 2) => spec.charsmap = Some(r.bytes()?.to_vec()),
            (3, 0) => spec.add_dummy_prefix = r.varint()? != 0,
            (4, 0) => spec.remove_extra_whitespaces = r.varint()? != 0,
            (5, 0) => spec.escape_whitespaces = r.varint()? != 0,
            _ => r.skip(wire)?,
        }
    }
    Ok(spec)
}

/// A protobuf wire-format reader that never reads past its buffer.
struct Reader<'a> {
    buf: &'a [u8],
    pos: usize,
}

impl<'a> Reader<'a> {
    fn new(buf: &'a [u8]) -> Self {
        Self { buf, pos: 0 }
    }

    fn done(&self) -> bool {
        self.pos >= self.buf.len()
    }

    fn varint(&mut self) -> Result<u64, SpmError> {
        let mut v = 0u64;
        for shift in (0..64).step_by(7) {
            let Some(&b) = self.buf.get(self.pos) else {
                return err("it ends in the middle of a record (truncated?)");
            };
            self.pos += 1;
            v |= ((b & 0x7f) as u64) << shift;
            if b & 0x80 == 0 {
                return Ok(v);
            }
        }
        err("it holds a malformed number (damaged file?)")
    }

    fn key(&mut self) -> Result<(u64, u8), SpmError> {
        let k = self.varint()?;
        Ok((k >> 3, (k & 7) as u8))
    }

    fn bytes(&mut self) -> Result<&'a [u8], SpmError> {
        let n = self.varint()? as usize;
        let end = self.pos.checked_add(n).filter(|&e| e <= self.buf.len());
        let Some(end) = end else {
            return err("it ends in the middle of a record (truncated?)");
        };
        let s = &self.buf[self.pos..end];
        self.pos = end;
        Ok(s)
    }

    fn fixed32(&mut self) -> Result<[u8; 4], SpmError> {
        let Some(s) = self.buf.get(self.pos..self.pos + 4) else {
            return err("it ends in the middle of a record (truncated?)");
        };
        self.pos += 4;
        Ok([s[0], s[1], s[2], s[3]])
    }

    fn skip(&mut self, wire: u8) -> Result<(), SpmError> {
        match wire {
            0 => {
                self.varint()?;
            }
            1 => {
                if self.pos + 8 > self.buf.len() {
                    return err("it ends in the middle of a record (truncated?)");
                }
                self.pos += 8;
            }
            2 => {
                self.bytes()?;
            }
            5 => {
                self.fixed32()?;
            }
            _ => {
                return err(format!(
                    "it is not a SentencePiece model (unexpected protobuf wire type {wire})"
                ))
            }
        }
        Ok(())
    }
}
