//! A GGUF file's header, read before anything is trusted: metadata and
//! the tensor directory (candle's reader), after a walk of our own that
//! finds `general.alignment` and refuses a value candle would divide by.
//!
//! What it is not: the weights (`LanguageModel::load`) or the tokenizer
//! rebuilt from the metadata (`crate::llm::tokenizer`).

use std::io::{BufReader, Read, Seek};

use anyhow::{bail, Context, Result};
use candle_core::quantized::gguf_file;

/// A GGUF file's header: metadata and the tensor directory, not the
/// weights. Public for the fuzz targets (`fuzz/`), which feed it garbage.
pub fn read_gguf_header<R: Read + Seek>(reader: &mut R) -> Result<gguf_file::Content> {
    let start = reader.stream_position().context("not a GGUF file")?;
    if let Some(alignment) = gguf_alignment(reader) {
        // candle 0.11 divides by it; llama.cpp requires a power of two.
        if !alignment.is_power_of_two() {
            bail!("not a usable GGUF file: general.alignment is {alignment}, not a power of two");
        }
    }
    reader
        .seek(std::io::SeekFrom::Start(start))
        .context("not a GGUF file")?;
    gguf_file::Content::read(reader).context("not a GGUF file")
}

/// The `general.alignment` a GGUF header declares, found by walking the
/// metadata without keeping it (values are skipped, never allocated). `None`
/// when it is absent or the header does not parse; candle's reader then
/// reports any damage in its own words.
fn gguf_alignment<R: Read + Seek>(reader: &mut R) -> Option<u64> {
    // Buffered, with relative seeks that keep the buffer: a vocabulary is
    // hundreds of thousands of short strings.
    let mut buffered = BufReader::new(reader);
    let reader = &mut buffered;
    let mut magic = [0; 4];
    reader.read_exact(&mut magic).ok()?;
    if &magic != b"GGUF" {
        return None;
    }
    let wide = read_u32(reader)? >= 2;
    let _tensors = read_length(reader, wide)?;
    let entries = read_length(reader, wide)?;
    for _ in 0..entries {
        let key_len = read_length(reader, wide)?;
        let is_alignment = if key_len == "general.alignment".len() as u64 {
            let mut key = [0; 17];
            reader.read_exact(&mut key).ok()?;
            &key == b"general.alignment"
        } else {
            skip(reader, key_len)?;
            false
        };
        let kind = read_u32(reader)?;
        let found = skip_value(reader, kind, wide, 0)?;
        if is_alignment {
            // candle's `Content::read` uses a non-negative 8- to 32-bit
            // integer and its default for anything else.
            return found.filter(|&a| a >= 0 && kind <= 5).map(|a| a as u64);
        }
    }
    None
}

fn read_u32<R: Read>(r: &mut R) -> Option<u32> {
    let mut b = [0; 4];
    r.read_exact(&mut b).ok()?;
    Some(u32::from_le_bytes(b))
}

fn read_u64<R: Read>(r: &mut R) -> Option<u64> {
    let mut b = [0; 8];
    r.read_exact(&mut b).ok()?;
    Some(u64::from_le_bytes(b))
}

fn skip<R: Seek>(r: &mut BufReader<R>, bytes: u64) -> Option<()> {
    r.seek_relative(i64::try_from(bytes).ok()?).ok()
}

/// A length or a count: GGUF v1 stores them as u32, later versions as u64.
fn read_length<R: Read>(r: &mut R, wide: bool) -> Option<u64> {
    if wide {
        read_u64(r)
    } else {
        read_u32(r).map(u64::from)
    }
}

/// The size of a fixed-size value type (integers, floats, bool); `None`
/// for strings, arrays and unknown types.
fn fixed_size(kind: u32) -> Option<u64> {
    match kind {
        0 | 1 | 7 => Some(1),
        2 | 3 => Some(2),
        4..=6 => Some(4),
        10..=12 => Some(8),
        _ => None,
    }
}

/// Skips one value of `kind`; returns it when it is a fixed-size value
/// (integers as themselves, the alignment's possible types). `None` when
/// the header ends early or holds an unknown type or a nested array.
fn skip_value<R: Read + Seek>(
    r: &mut BufReader<R>,
    kind: u32,
    wide: bool,
    depth: u8,
) -> Option<Option<i64>> {
    if let Some(size) = fixed_size(kind) {
        return read_fixed(r, kind, size as usize).map(Some);
    }
    match kind {
        8 => {
            let len = read_length(r, wide)?;
            skip(r, len).map(|_| None)
        }
        9 if depth == 0 => {
            let inner = read_u32(r)?;
            let len = read_length(r, wide)?;
            if let Some(size) = fixed_size(inner) {
                return skip(r, len.checked_mul(size)?).map(|_| None);
            }
            for _ in 0..len {
                skip_value(r, inner, wide, depth + 1)?;
            }
            Some(None)
        }
        _ => None,
    }
}

/// A fixed-size value of `size` bytes: signed integers sign-extended,
/// anything else read as unsigned (floats' bits are never used).
fn read_fixed<R: Read>(r: &mut R, kind: u32, size: usize) -> Option<i64> {
    let mut b = [0u8; 8];
    r.read_exact(&mut b[..size]).ok()?;
    Some(match (kind, size) {
        (1, 1) => i64::from(b[0] as i8),
        (3, 2) => i64::from(i16::from_le_bytes([b[0], b[1]])),
        (5, 4) => i64::from(i32::from_le_bytes([b[0], b[1], b[2], b[3]])),
        _ => i64::try_from(u64::from_le_bytes(b)).unwrap_or(i64::MAX),
    })
}

#[cfg(test)]
mod tests {
    /// Found by reading candle's GGUF reader while writing the fuzz target:
    /// an alignment of 0 made it divide by zero.
    #[test]
    fn a_zero_alignment_is_an_error_not_a_panic() {
        let mut file = b"GGUF\x03\0\0\0".to_vec();
        file.extend(0u64.to_le_bytes()); // tensors
        file.extend(1u64.to_le_bytes()); // metadata entries
        file.extend(17u64.to_le_bytes());
        file.extend(b"general.alignment");
        file.extend(4u32.to_le_bytes()); // u32
        file.extend(0u32.to_le_bytes());
        let err = super::read_gguf_header(&mut std::io::Cursor::new(file))
            .err()
            .unwrap();
        assert!(format!("{err:#}").contains("alignment"), "{err:#}");
    }
}
