//! Marian's tokenizer, as `transformers`' `MarianTokenizer` does it: SentencePiece pieces
//! from `source.spm` looked up in `vocab.json` (unknown pieces become `<unk>`), a leading
//! `>>xx<<` target-language token kept whole, and `</s>` appended. Decoding maps ids back to
//! pieces through `vocab.json` (or `target_vocab.json`), drops special tokens, joins the
//! pieces and turns `▁` back into spaces.

use super::spm::{SentencePiece, SPACE};
use std::collections::HashMap;

#[derive(Debug)]
pub struct MarianTokenizer {
    source: SentencePiece,
    target: SentencePiece,
    source_vocab: HashMap<String, u32>,
    /// Id -> piece on the target side.
    target_pieces: HashMap<u32, String>,
    eos_id: u32,
    unk_id: u32,
    pad_id: u32,
    language_codes: Vec<String>,
}

impl MarianTokenizer {
    /// `vocab` is `vocab.json`; `target_vocab` is `target_vocab.json` for models with separate
    /// source and target vocabularies.
    pub fn new(
        source: SentencePiece,
        target: SentencePiece,
        vocab: HashMap<String, u32>,
        target_vocab: Option<HashMap<String, u32>>,
    ) -> Result<Self, String> {
        let need = |v: &HashMap<String, u32>, t: &str| {
            v.get(t)
                .copied()
                .ok_or_else(|| format!("it has no \"{t}\" token"))
        };
        let unk_id = need(&vocab, "<unk>")?;
        let eos_id = need(&vocab, "</s>")?;
        let pad_id = need(&vocab, "<pad>")?;
        let mut language_codes: Vec<String> = vocab
            .keys()
            .filter(|k| k.starts_with(">>") && k.ends_with("<<"))
            .cloned()
            .collect();
        language_codes.sort();
        let target_pieces = target_vocab
            .as_ref()
            .unwrap_or(&vocab)
            .iter()
            .map(|(k, &v)| (v, k.clone()))
            .collect();
        Ok(Self {
            source,
            target,
            source_vocab: vocab,
            target_pieces,
            eos_id,
            unk_id,
            pad_id,
            language_codes,
        })
    }

    pub fn eos_id(&self) -> u32 {
        self.eos_id
    }

    pub fn pad_id(&self) -> u32 {
        self.pad_id
    }

    pub fn unk_id(&self) -> u32 {
        self.unk_id
    }

    /// Target-language tokens (`>>deu<<` …) of a multi-target model; empty otherwise.
    pub fn language_codes(&self) -> &[String] {
        &self.language_codes
    }

    pub fn source_spm(&self) -> &SentencePiece {
        &self.source
    }

    pub fn target_spm(&self) -> &SentencePiece {
        &self.target
    }

    /// The source pieces of a text, a leading `>>xx<<` kept whole.
    pub fn source_pieces(&self, text: &str) -> Vec<String> {
        let (code, rest) = split_language_code(text);
        let mut pieces: Vec<String> = code.map(|c| vec![c.to_string()]).unwrap_or_default();
        pieces.extend(self.source.encode_pieces(rest));
        pieces
    }

    /// Token ids for the encoder, ending with `</s>`.
    pub fn encode(&self, text: &str) -> Vec<u32> {
        let mut ids: Vec<u32> = self
            .source_pieces(text)
            .iter()
            .map(|p| self.source_vocab.get(p).copied().unwrap_or(self.unk_id))
            .collect();
        ids.push(self.eos_id);
        ids
    }

    /// Token ids for the encoder with a target-language token put in front (for models that
    /// translate into several languages).
    pub fn encode_with_target(&self, text: &str, target_code: Option<&str>) -> Vec<u32> {
        match target_code {
            Some(code) => self.encode(&format!("{code} {text}")),
            None => self.encode(text),
        }
    }

    fn is_special(&self, id: u32) -> bool {
        id == self.eos_id || id == self.unk_id || id == self.pad_id
    }

    /// Text of target ids. With `skip_special`, `</s>`, `<unk>` and `<pad>` are left out.
    pub fn decode(&self, ids: &[u32], skip_special: bool) -> String {
        let mut out = String::new();
        let mut run: Vec<&str> = Vec::new();
        for &id in ids {
            if skip_special && self.is_special(id) {
                continue;
            }
            let piece = self
                .target_pieces
                .get(&id)
                .map(String::as_str)
                .or_else(|| {
                    self.target
                        .pieces()
                        .get(id as usize)
                        .map(|p| p.text.as_str())
                })
                .unwrap_or("<unk>");
            if self.is_special(id) {
                out.push_str(&self.target.decode_pieces(&run));
                out.push_str(piece);
                out.push(' ');
                run.clear();
            } else {
                run.push(piece);
            }
        }
        out.push_str(&self.target.decode_pieces(&run));
        out.replace(SPACE, " ").trim().to_string()
    }
}

/// Splits a leading `>>xx<<` off a text, as `MarianTokenizer.remove_language_code` does.
fn split_language_code(text: &str) -> (Option<&str>, &str) {
    if text.starts_with(">>") {
        if let Some(end) = text.find("<<") {
            return (Some(&text[..end + 2]), &text[end + 2..]);
        }
    }
    (None, text)
}
