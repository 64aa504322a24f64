//! Article bytes in the encodings scraped files arrive in, beyond what
//! `encoding_rs` encodes (it writes no UTF-16).

/// `text` in UTF-16 with its byte-order mark, little- or big-endian.
pub fn utf16(text: &str, big_endian: bool) -> Vec<u8> {
    let mut bytes = if big_endian {
        vec![0xFE, 0xFF]
    } else {
        vec![0xFF, 0xFE]
    };
    for unit in text.encode_utf16() {
        bytes.extend(if big_endian {
            unit.to_be_bytes()
        } else {
            unit.to_le_bytes()
        });
    }
    bytes
}
