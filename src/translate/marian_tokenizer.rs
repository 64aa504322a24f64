//! transformers' `MarianTokenizer`, rebuilt from a checkpoint's
//! `source.spm`, `target.spm` and `vocab.json`.
//!
//! Encoding: an optional `>>lang<<` code is cut out, the source SentencePiece
//! model splits the text into pieces, `vocab.json` maps each piece to an id
//! (pieces it lacks become `<unk>`), and `</s>` is appended. Decoding: ids
//! back to pieces, special tokens dropped, pieces joined, `▁` → space,
//! trimmed. What it is not: file handling (the caller passes bytes), or
//! batching (see `crate::translate`).

use std::collections::HashMap;

use anyhow::{Context, Result};

use crate::translate::sentencepiece::{join_pieces, SentencePiece};

pub struct MarianTokenizer {
    source: SentencePiece,
    piece_to_id: HashMap<String, u32>,
    id_to_piece: Vec<Option<String>>,
    eos_id: u32,
    unk_id: u32,
    pad_id: u32,
}

impl MarianTokenizer {
    /// `vocab_json` is the checkpoint's `vocab.json` (piece → id).
    /// The target model is not needed for decoding: Marian's target pieces
    /// only ever need their `▁` turned back into spaces.
    pub fn new(source_spm: &[u8], vocab_json: &[u8]) -> Result<Self> {
        let source = SentencePiece::from_bytes(source_spm).context("source.spm")?;
        let piece_to_id: HashMap<String, u32> = serde_json::from_slice(vocab_json)
            .context("vocab.json is not a JSON object of piece → id")?;
        let size = piece_to_id
            .values()
            .map(|&id| id as usize + 1)
            .max()
            .unwrap_or(0);
        // Ids are dense in real vocabularies; the id → piece table is sized
        // by the largest id, so one absurd id in a damaged file would ask
        // for gigabytes. Some slack is allowed, not that.
        if size > 2 * piece_to_id.len() + 1024 {
            anyhow::bail!(
                "vocab.json has an id of {} for {} entries; the file is damaged",
                size - 1,
                piece_to_id.len()
            );
        }
        let mut id_to_piece = vec![None; size];
        for (piece, &id) in &piece_to_id {
            id_to_piece[id as usize] = Some(piece.clone());
        }
        let special = |name: &str| {
            piece_to_id
                .get(name)
                .copied()
                .with_context(|| format!("vocab.json has no {name} entry"))
        };
        Ok(Self {
            eos_id: special("</s>")?,
            unk_id: special("<unk>")?,
            pad_id: special("<pad>")?,
            source,
            piece_to_id,
            id_to_piece,
        })
    }

    pub fn eos_id(&self) -> u32 {
        self.eos_id
    }

    pub fn pad_id(&self) -> u32 {
        self.pad_id
    }

    pub fn vocab_size(&self) -> usize {
        self.id_to_piece.len()
    }

    /// Token ids for one sentence, `</s>` included.
    ///
    /// As in transformers, the special tokens' own spellings (`</s>`,
    /// `<unk>`, `<pad>`) are recognised in the text and split out before
    /// SentencePiece sees the pieces between them.
    pub fn encode(&self, text: &str) -> Result<Vec<u32>> {
        let specials = [
            ("</s>", self.eos_id),
            ("<unk>", self.unk_id),
            ("<pad>", self.pad_id),
        ];
        let mut ids = Vec::new();
        let mut rest = text;
        loop {
            let next = specials
                .iter()
                .filter_map(|&(spelling, id)| rest.find(spelling).map(|at| (at, spelling, id)))
                .min_by_key(|&(at, _, _)| at);
            let segment_end = next.map_or(rest.len(), |(at, _, _)| at);
            self.encode_segment(&rest[..segment_end], &mut ids)?;
            match next {
                Some((at, spelling, id)) => {
                    ids.push(id);
                    rest = &rest[at + spelling.len()..];
                }
                None => break,
            }
        }
        ids.push(self.eos_id);
        Ok(ids)
    }

    fn encode_segment(&self, text: &str, ids: &mut Vec<u32>) -> Result<()> {
        let (code, text) = split_language_code(text);
        ids.extend(code.map(|c| self.piece_id(c)));
        for piece in self.source.encode(&text)? {
            ids.push(self.piece_id(&piece));
        }
        Ok(())
    }

    fn piece_id(&self, piece: &str) -> u32 {
        self.piece_to_id.get(piece).copied().unwrap_or(self.unk_id)
    }

    /// Text for generated ids, with special tokens (`</s>`, `<pad>`,
    /// `<unk>`) skipped, as `decode(ids, skip_special_tokens=True)`.
    pub fn decode(&self, ids: &[u32]) -> String {
        let pieces = ids
            .iter()
            .filter(|&&id| id != self.eos_id && id != self.pad_id && id != self.unk_id)
            .filter_map(|&id| self.id_to_piece.get(id as usize).and_then(|p| p.as_deref()));
        join_pieces(pieces).trim().to_string()
    }
}

/// transformers cuts every `>>…<<` span (regex `>>.+<<`, greedy, within a
/// line) out of the text, and keeps the one at the very start as a token of
/// its own.
fn split_language_code(text: &str) -> (Option<&str>, String) {
    let mut out = String::with_capacity(text.len());
    let mut code = None;
    let mut rest = text;
    let mut at_start = true;
    while let Some(open) = rest.find(">>") {
        let line_end = rest[open..].find('\n').map_or(rest.len(), |n| open + n);
        // `.+` needs at least one character between the markers.
        let search_from = open + 3;
        let close = (search_from <= line_end)
            .then(|| rest[search_from..line_end].rfind("<<"))
            .flatten();
        match close {
            Some(close) => {
                let end = search_from + close + 2;
                if at_start && open == 0 {
                    code = Some(&rest[..end]);
                }
                out.push_str(&rest[..open]);
                rest = &rest[end..];
            }
            None => {
                out.push_str(&rest[..open + 1]);
                rest = &rest[open + 1..];
            }
        }
        at_start = false;
    }
    out.push_str(rest);
    (code, out)
}

#[cfg(test)]
mod tests {
    use super::{split_language_code, MarianTokenizer};

    #[test]
    fn an_absurd_id_in_vocab_json_is_an_error_not_a_huge_table() {
        let spm = include_bytes!("../../tests/fixtures/marian/tiny-base/source.spm");
        let vocab = br#"{"</s>": 0, "<unk>": 1, "<pad>": 4294967295}"#;
        let err = MarianTokenizer::new(spm, vocab).err().unwrap().to_string();
        assert!(
            err.contains("4294967295") && err.contains("damaged"),
            "{err}"
        );
        let fine = br#"{"</s>": 0, "<unk>": 1, "<pad>": 2}"#;
        assert_eq!(MarianTokenizer::new(spm, fine).unwrap().vocab_size(), 3);
    }

    #[test]
    fn language_code_at_start_is_kept_as_a_token_and_cut_from_text() {
        assert_eq!(
            split_language_code(">>eng<< hello"),
            (Some(">>eng<<"), " hello".to_string())
        );
    }

    #[test]
    fn codes_elsewhere_are_cut_greedily_within_a_line() {
        assert_eq!(
            split_language_code("a >>x<< b <<c\nd"),
            (None, "a c\nd".to_string())
        );
        assert_eq!(
            split_language_code("a >><< b"),
            (None, "a >><< b".to_string())
        );
        assert_eq!(
            split_language_code("no codes"),
            (None, "no codes".to_string())
        );
    }
}
