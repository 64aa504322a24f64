//! SentencePiece model files (`*.spm`, `*.model`): read the protobuf, and
//! turn text into pieces and pieces back into text the way the C++
//! `SentencePieceProcessor` does for unigram models.
//!
//! What it is for: the opus-mt `source.spm`/`target.spm` files, for which no
//! `tokenizer.json` exists, and T5's `spiece.model` (MADLAD-400), whose ids
//! are the pieces' positions in the file ([`SentencePiece::encode_ids`],
//! [`SentencePiece::decode_ids`], byte-fallback pieces included). What it
//! is not: a trainer, nor Marian's id mapping — Marian maps pieces to ids
//! through its own `vocab.json` (`crate::translate::marian_tokenizer`).

use anyhow::{bail, Context, Result};
use prost::Message;
use tokenizers::normalizers::Precompiled;
use tokenizers::{Model, NormalizedString, Normalizer};

/// The subset of `sentencepiece_model.proto` we read. Field numbers are the
/// upstream ones; unknown fields are skipped by prost.
#[derive(Clone, PartialEq, Message)]
struct ModelProto {
    #[prost(message, repeated, tag = "1")]
    pieces: Vec<PieceProto>,
    #[prost(message, optional, tag = "2")]
    trainer_spec: Option<TrainerSpec>,
    #[prost(message, optional, tag = "3")]
    normalizer_spec: Option<NormalizerSpec>,
}

#[derive(Clone, PartialEq, Message)]
struct PieceProto {
    #[prost(string, optional, tag = "1")]
    piece: Option<String>,
    #[prost(float, optional, tag = "2")]
    score: Option<f32>,
    /// NORMAL=1, UNKNOWN=2, CONTROL=3, USER_DEFINED=4, UNUSED=5, BYTE=6.
    #[prost(int32, optional, tag = "3")]
    kind: Option<i32>,
}

#[derive(Clone, PartialEq, Message)]
struct TrainerSpec {
    /// UNIGRAM=1, BPE=2, WORD=3, CHAR=4.
    #[prost(int32, optional, tag = "3")]
    model_type: Option<i32>,
    #[prost(bool, optional, tag = "24")]
    treat_whitespace_as_suffix: Option<bool>,
    #[prost(bool, optional, tag = "35")]
    byte_fallback: Option<bool>,
}

#[derive(Clone, PartialEq, Message)]
struct NormalizerSpec {
    #[prost(string, optional, tag = "1")]
    name: Option<String>,
    #[prost(bytes = "vec", optional, tag = "2")]
    precompiled_charsmap: Option<Vec<u8>>,
    #[prost(bool, optional, tag = "3")]
    add_dummy_prefix: Option<bool>,
    #[prost(bool, optional, tag = "4")]
    remove_extra_whitespaces: Option<bool>,
    #[prost(bool, optional, tag = "5")]
    escape_whitespaces: Option<bool>,
}

const KIND_NORMAL: i32 = 1;
const KIND_UNKNOWN: i32 = 2;
const KIND_USER_DEFINED: i32 = 4;
const KIND_BYTE: i32 = 6;
const MODEL_UNIGRAM: i32 = 1;

/// The whitespace marker SentencePiece puts in pieces (U+2581).
pub const SPACE_MARK: char = '\u{2581}';

/// A unigram SentencePiece model ready to split text into pieces.
pub struct SentencePiece {
    /// Every piece of the file, in file order (its id), with its kind.
    pieces: Vec<(String, i32)>,
    /// Piece text → id, for the pieces text can produce.
    ids: std::collections::HashMap<String, u32>,
    unk_id: u32,
    charsmap: Option<Precompiled>,
    add_dummy_prefix: bool,
    remove_extra_whitespaces: bool,
    escape_whitespaces: bool,
    unigram: tokenizers::models::unigram::Unigram,
}

impl SentencePiece {
    /// Parses the bytes of a `.spm`/`.model` file.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self> {
        let proto = ModelProto::decode(bytes)
            .context("not a SentencePiece model (protobuf did not parse)")?;
        let trainer = proto.trainer_spec.unwrap_or_default();
        let model_type = trainer.model_type.unwrap_or(MODEL_UNIGRAM);
        if model_type != MODEL_UNIGRAM {
            bail!("SentencePiece model type {model_type} is not supported (only unigram, type 1)");
        }
        if trainer.treat_whitespace_as_suffix.unwrap_or(false) {
            bail!("SentencePiece models with treat_whitespace_as_suffix are not supported");
        }
        let normalizer = proto.normalizer_spec.unwrap_or_default();
        let charsmap = match normalizer.precompiled_charsmap.as_deref() {
            Some(map) if !map.is_empty() => {
                check_charsmap(map).context("bad precompiled_charsmap in SentencePiece model")?;
                Some(Precompiled::from(map).map_err(|e| {
                    anyhow::anyhow!("bad precompiled_charsmap in SentencePiece model: {e}")
                })?)
            }
            _ => None,
        };

        // Control pieces (<s>, </s>) are never produced from text, so they
        // are left out of the lattice; only ids from `vocab.json` matter to
        // Marian, so the positions here are private.
        let mut vocab = Vec::with_capacity(proto.pieces.len());
        let mut unk_id = None;
        let mut pieces = Vec::with_capacity(proto.pieces.len());
        let mut ids = std::collections::HashMap::with_capacity(proto.pieces.len());
        let mut file_unk_id = 0;
        for (id, piece) in proto.pieces.iter().enumerate() {
            let kind = piece.kind.unwrap_or(KIND_NORMAL);
            let text = piece.piece.clone().unwrap_or_default();
            pieces.push((text.clone(), kind));
            match kind {
                KIND_UNKNOWN => file_unk_id = id as u32,
                KIND_NORMAL | KIND_BYTE | KIND_USER_DEFINED => {
                    ids.entry(text.clone()).or_insert(id as u32);
                }
                _ => {}
            }
            match kind {
                KIND_UNKNOWN => {
                    unk_id = Some(vocab.len());
                    vocab.push((text, 0.0));
                }
                KIND_NORMAL | KIND_BYTE => {
                    vocab.push((text, f64::from(piece.score.unwrap_or(0.0))))
                }
                // spm always prefers user-defined symbols; a high score
                // makes the lattice pick them too.
                KIND_USER_DEFINED => vocab.push((text, 1e3)),
                _ => {}
            }
        }
        let Some(unk_id) = unk_id else {
            bail!("SentencePiece model has no unknown piece");
        };
        // spm scores an unknown character at (lowest piece score - 10); the
        // unk entry's own score must not lower that minimum.
        let min_score = vocab
            .iter()
            .enumerate()
            .filter(|(i, _)| *i != unk_id)
            .map(|(_, (_, s))| *s)
            .fold(f64::INFINITY, f64::min);
        vocab[unk_id].1 = if min_score.is_finite() {
            min_score
        } else {
            0.0
        };
        let unigram = tokenizers::models::unigram::Unigram::from(
            vocab,
            Some(unk_id),
            trainer.byte_fallback.unwrap_or(false),
        )
        .map_err(|e| anyhow::anyhow!("cannot build unigram model: {e}"))?;
        Ok(Self {
            pieces,
            ids,
            unk_id: file_unk_id,
            charsmap,
            add_dummy_prefix: normalizer.add_dummy_prefix.unwrap_or(true),
            remove_extra_whitespaces: normalizer.remove_extra_whitespaces.unwrap_or(true),
            escape_whitespaces: normalizer.escape_whitespaces.unwrap_or(true),
            unigram,
        })
    }

    /// Normalizes as spm does: the precompiled character map (NFKC and
    /// friends), then whitespace trimmed and collapsed, the dummy prefix
    /// added, and spaces escaped to `▁`.
    pub fn normalize(&self, text: &str) -> Result<String> {
        let mut normalized = NormalizedString::from(text);
        if let Some(charsmap) = &self.charsmap {
            charsmap
                .normalize(&mut normalized)
                .map_err(|e| anyhow::anyhow!("normalization failed: {e}"))?;
        }
        let mapped = normalized.get();
        let mut out = String::with_capacity(mapped.len() + 3);
        if self.remove_extra_whitespaces {
            // spm only collapses the ASCII space; the charsmap has already
            // turned other blanks into it.
            for (i, word) in mapped.split(' ').filter(|w| !w.is_empty()).enumerate() {
                if i > 0 {
                    out.push(' ');
                }
                out.push_str(word);
            }
        } else {
            out.push_str(mapped);
        }
        if out.is_empty() {
            return Ok(out);
        }
        if self.add_dummy_prefix {
            out.insert(0, ' ');
        }
        if self.escape_whitespaces {
            out = out.replace(' ', "\u{2581}");
        }
        Ok(out)
    }

    /// Splits text into pieces (the best unigram segmentation). Runs of
    /// characters the model does not know come out as one piece, as spm
    /// merges consecutive unknowns.
    pub fn encode(&self, text: &str) -> Result<Vec<String>> {
        let normalized = self.normalize(text)?;
        if normalized.is_empty() {
            return Ok(Vec::new());
        }
        let tokens = self
            .unigram
            .tokenize(&normalized)
            .map_err(|e| anyhow::anyhow!("unigram segmentation failed: {e}"))?;
        Ok(tokens.into_iter().map(|t| t.value).collect())
    }
}

impl SentencePiece {
    /// Text as the file's ids (positions of its pieces), as spm's
    /// `EncodeAsIds`: a piece the model does not know is the unknown id,
    /// and with byte fallback unknown characters are their UTF-8 bytes'
    /// `<0xNN>` pieces.
    pub fn encode_ids(&self, text: &str) -> Result<Vec<u32>> {
        Ok(self
            .encode(text)?
            .iter()
            .map(|piece| self.ids.get(piece).copied().unwrap_or(self.unk_id))
            .collect())
    }

    /// Ids back into text as spm's `DecodeIds`: control and unknown
    /// pieces are dropped, runs of byte pieces become their UTF-8 text
    /// (a broken sequence gives U+FFFD), `▁` becomes a space, and the
    /// space the dummy prefix put first is removed. Ids outside the file
    /// are dropped too.
    pub fn decode_ids(&self, ids: &[u32]) -> String {
        let mut text = String::new();
        let mut bytes = Vec::new();
        for &id in ids {
            let Some((piece, kind)) = self.pieces.get(id as usize) else {
                continue;
            };
            if *kind == KIND_BYTE {
                if let Some(byte) = piece
                    .strip_prefix("<0x")
                    .and_then(|hex| hex.strip_suffix('>'))
                    .and_then(|hex| u8::from_str_radix(hex, 16).ok())
                {
                    bytes.push(byte);
                }
                continue;
            }
            if !bytes.is_empty() {
                text.push_str(&String::from_utf8_lossy(&bytes));
                bytes.clear();
            }
            if matches!(*kind, KIND_NORMAL | KIND_USER_DEFINED) {
                text.push_str(piece);
            }
        }
        text.push_str(&String::from_utf8_lossy(&bytes));
        let text = text.replace(SPACE_MARK, " ");
        match text.strip_prefix(' ') {
            Some(rest) if self.add_dummy_prefix => rest.to_string(),
            _ => text,
        }
    }

    /// Number of pieces in the file (its vocabulary size).
    pub fn len(&self) -> usize {
        self.pieces.len()
    }

    pub fn is_empty(&self) -> bool {
        self.pieces.is_empty()
    }
}

/// Checks a precompiled character map before `tokenizers` (through the
/// `spm_precompiled` crate) uses it: that crate trusts the map, so a damaged
/// one panics on the first text it normalizes (an index far outside the
/// trie; found by `fuzz/` in a mutated `source.spm`) or allocates by the
/// declared trie size. Layout: a little-endian u32 trie size in bytes, the
/// double-array trie as u32 units, then NUL-separated UTF-8 replacements.
///
/// Every lookup path the crate can take is walked here: from each node a
/// trie reaches, every byte 1..=255 must index inside the array, and every
/// leaf must point inside the array and at a char boundary of the
/// replacements.
fn check_charsmap(map: &[u8]) -> Result<()> {
    // The unit accessors of spm_precompiled 0.1.
    let has_leaf = |unit: usize| (unit >> 8) & 1 == 1;
    let value = |unit: usize| unit & ((1 << 31) - 1);
    let label = |unit: usize| unit & ((1 << 31) | 0xFF);
    let offset = |unit: usize| (unit >> 10) << ((unit & (1 << 9)) >> 6);

    let Some((size, rest)) = map.split_first_chunk::<4>() else {
        bail!("shorter than its header");
    };
    let trie_bytes = u32::from_le_bytes(*size) as usize / 4 * 4;
    if trie_bytes == 0 || trie_bytes > rest.len() {
        bail!(
            "declares a trie of {trie_bytes} bytes in {} bytes",
            rest.len()
        );
    }
    let (trie, replacements) = rest.split_at(trie_bytes);
    let array: Vec<usize> = trie
        .chunks_exact(4)
        .map(|u| u32::from_le_bytes([u[0], u[1], u[2], u[3]]) as usize)
        .collect();
    let replacements =
        std::str::from_utf8(replacements).context("replacement text is not UTF-8")?;
    let mut pending = vec![offset(array[0])];
    let mut seen = std::collections::HashSet::new();
    while let Some(base) = pending.pop() {
        if !seen.insert(base) {
            continue;
        }
        for byte in 1..=255usize {
            let position = base ^ byte;
            let Some(&unit) = array.get(position) else {
                bail!("trie index {position} outside its {} units", array.len());
            };
            if label(unit) != byte {
                continue;
            }
            let next = position ^ offset(unit);
            if has_leaf(unit) {
                let Some(&leaf) = array.get(next) else {
                    bail!("trie leaf {next} outside its {} units", array.len());
                };
                if !replacements.is_char_boundary(value(leaf)) {
                    bail!("replacement offset {} is not in the text", value(leaf));
                }
            }
            pending.push(next);
        }
    }
    Ok(())
}

/// Joins pieces back into text: `▁` becomes a space. Leading and trailing
/// whitespace is left for the caller to trim (transformers strips it).
pub fn join_pieces<'a>(pieces: impl IntoIterator<Item = &'a str>) -> String {
    let mut out = String::new();
    for piece in pieces {
        out.push_str(piece);
    }
    out.replace(SPACE_MARK, " ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn garbage_is_a_clear_error_not_a_panic() {
        let err = SentencePiece::from_bytes(b"\xff\xff\xff\xff")
            .err()
            .unwrap();
        assert!(err.to_string().contains("SentencePiece"), "{err}");
    }

    /// A model with this precompiled character map (and one piece).
    fn model_with_charsmap(map: Vec<u8>) -> Vec<u8> {
        ModelProto {
            pieces: vec![PieceProto {
                piece: Some("<unk>".into()),
                score: Some(0.0),
                kind: Some(KIND_UNKNOWN),
            }],
            trainer_spec: None,
            normalizer_spec: Some(NormalizerSpec {
                precompiled_charsmap: Some(map),
                ..Default::default()
            }),
        }
        .encode_to_vec()
    }

    /// The shape of the crash `fuzz/` found (a mutated `source.spm`): a
    /// trie whose units send the lookup of an ordinary letter far outside
    /// the array, which spm_precompiled indexes without a check.
    #[test]
    fn a_damaged_charsmap_is_an_error_not_a_panic_on_first_use() {
        // One unit: offset 0x7FFFFF << 10 sends every lookup out of bounds.
        let mut map = 4u32.to_le_bytes().to_vec();
        map.extend((0x7F_FFFFu32 << 10).to_le_bytes());
        let err = SentencePiece::from_bytes(&model_with_charsmap(map))
            .err()
            .unwrap();
        assert!(format!("{err:#}").contains("outside"), "{err:#}");
        // A declared trie larger than the map: no allocation by its size.
        let mut map = u32::MAX.to_le_bytes().to_vec();
        map.extend([0; 8]);
        let err = SentencePiece::from_bytes(&model_with_charsmap(map))
            .err()
            .unwrap();
        assert!(format!("{err:#}").contains("declares"), "{err:#}");
        // No trie at all (spm_precompiled would index an empty array).
        let err = SentencePiece::from_bytes(&model_with_charsmap(vec![0, 0, 0, 0, b'a']))
            .err()
            .unwrap();
        assert!(format!("{err:#}").contains("charsmap"), "{err:#}");
    }

    /// The crash the `sentencepiece` fuzz target found (artifact
    /// crash-d8fa67e3…, a mutated tiny-base `source.spm`): its character
    /// map is the fixture's with six trie units changed. Unchecked, the
    /// first text normalized panics inside spm_precompiled.
    #[test]
    fn the_fuzzed_charsmap_crash_is_an_error() {
        let spm = include_bytes!("../../tests/fixtures/marian/tiny-base/source.spm");
        let mut proto = ModelProto::decode(spm.as_slice()).unwrap();
        let spec = proto.normalizer_spec.as_mut().unwrap();
        let map = spec.precompiled_charsmap.as_mut().unwrap();
        for (unit, value) in [
            (0usize, 2950203353u32),
            (1, 2178525144),
            (8675, 2147506994),
            (28628, 4177543605),
            (28629, 2147533569),
            (38579, 16564659),
        ] {
            map[4 + 4 * unit..8 + 4 * unit].copy_from_slice(&value.to_le_bytes());
        }
        let damaged_map = map.clone();
        let unchecked = std::panic::catch_unwind(|| {
            let mut text = NormalizedString::from("قال");
            let _ = Precompiled::from(&damaged_map)
                .unwrap()
                .normalize(&mut text);
        });
        assert!(
            unchecked.is_err(),
            "the input no longer reproduces the crash"
        );
        let err = SentencePiece::from_bytes(&proto.encode_to_vec())
            .err()
            .unwrap();
        assert!(format!("{err:#}").contains("outside"), "{err:#}");
    }

    /// The check accepts real maps: the fixtures' (nmt_nfkc) ones.
    #[test]
    fn real_charsmaps_pass_the_check() {
        for spm in [
            include_bytes!("../../tests/fixtures/marian/tiny-base/source.spm").as_slice(),
            include_bytes!("../../tests/fixtures/marian/tiny-big/target.spm").as_slice(),
        ] {
            let proto = ModelProto::decode(spm).unwrap();
            let map = proto.normalizer_spec.unwrap().precompiled_charsmap.unwrap();
            assert!(map.len() > 1000);
            check_charsmap(&map).unwrap();
        }
    }

    #[test]
    fn join_pieces_turns_marks_into_spaces() {
        assert_eq!(
            join_pieces(["\u{2581}Le", "\u{2581}Dri", "an"]),
            " Le Drian"
        );
    }
}
