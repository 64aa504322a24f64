//! Bytes of an article file → text the rest of the pipeline can rely on.
//!
//! This module detects the encoding (byte order marks first, then UTF-8, then
//! the legacy Windows-1256 code page that older Arabic news sites still serve),
//! turns away files that are not text at all, and unifies line endings to LF.
//! It also answers "is this text Arabic?" so that English or other text is not
//! pushed through an Arabic→English model.
//!
//! It is not a cleaner: apart from dropping the byte order mark and turning CRLF
//! and lone CR into LF it changes nothing — no trimming, no Unicode
//! normalization — because every byte span computed later (debris removal,
//! sentence splitting) refers to the text returned here. It does not guess
//! among many legacy code pages either: anything that is neither UTF-8 nor
//! UTF-16 is read as Windows-1256, the one legacy encoding of Arabic web text.

use std::fmt;

use crate::text::script::is_arabic_script;

/// The encoding a file was read in, as detected by [`decode`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SourceEncoding {
    Utf8,
    Utf8Bom,
    Utf16Le,
    Utf16Be,
    Windows1256,
}

impl SourceEncoding {
    pub fn as_str(&self) -> &'static str {
        match self {
            SourceEncoding::Utf8 => "utf-8",
            SourceEncoding::Utf8Bom => "utf-8-bom",
            SourceEncoding::Utf16Le => "utf-16le",
            SourceEncoding::Utf16Be => "utf-16be",
            SourceEncoding::Windows1256 => "windows-1256",
        }
    }
}

/// Decoded text (BOM dropped, line endings unified to LF) and where it came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DecodedText {
    pub text: String,
    pub encoding: SourceEncoding,
}

/// Why a file could not be turned into text worth translating.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DecodeError {
    Empty,
    WhitespaceOnly,
    Binary { reason: String },
    Undecodable { reason: String },
}

impl fmt::Display for DecodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DecodeError::Empty => write!(f, "file is empty"),
            DecodeError::WhitespaceOnly => write!(f, "file contains only whitespace"),
            DecodeError::Binary { reason } => write!(f, "looks like binary data ({reason})"),
            DecodeError::Undecodable { reason } => write!(f, "cannot decode as text ({reason})"),
        }
    }
}

impl std::error::Error for DecodeError {}

const UTF8_BOM: &[u8] = &[0xEF, 0xBB, 0xBF];
const UTF16_LE_BOM: &[u8] = &[0xFF, 0xFE];
const UTF16_BE_BOM: &[u8] = &[0xFE, 0xFF];

/// Text with more than this percentage of C0 control characters (other than
/// tab, LF, CR and form feed) is called binary. Real text has next to none,
/// while random bytes have about 11%, so 5% separates them with room for a
/// stray escape character or two in a genuine article.
const MAX_CONTROL_PERCENT: usize = 5;

/// Decodes a file's bytes into text, or says why it is not text.
///
/// Order of checks: empty input; byte order marks (UTF-8, UTF-16 LE/BE, the
/// latter decoded strictly); NUL bytes; valid UTF-8; otherwise Windows-1256.
/// Then a high share of control characters means binary, line endings become
/// LF, and text that is empty or only whitespace is refused.
pub fn decode(bytes: &[u8]) -> Result<DecodedText, DecodeError> {
    if bytes.is_empty() {
        return Err(DecodeError::Empty);
    }
    let (raw, encoding) = decode_by_encoding(bytes)?;
    reject_control_heavy(&raw)?;
    let text = unify_line_endings(raw);
    if text.is_empty() {
        // A file holding nothing but a byte order mark.
        return Err(DecodeError::Empty);
    }
    if text.trim().is_empty() {
        return Err(DecodeError::WhitespaceOnly);
    }
    Ok(DecodedText { text, encoding })
}

fn decode_by_encoding(bytes: &[u8]) -> Result<(String, SourceEncoding), DecodeError> {
    if let Some(payload) = bytes.strip_prefix(UTF8_BOM) {
        reject_nul_bytes(payload, UTF8_BOM.len())?;
        return match std::str::from_utf8(payload) {
            Ok(text) => Ok((text.to_owned(), SourceEncoding::Utf8Bom)),
            // A file that announces UTF-8 and then breaks it is not silently
            // reinterpreted as another encoding: the BOM is a promise.
            Err(error) => Err(DecodeError::Undecodable {
                reason: format!(
                    "invalid utf-8 after a utf-8 byte order mark at byte offset {}",
                    UTF8_BOM.len() + error.valid_up_to()
                ),
            }),
        };
    }
    if let Some(payload) = bytes.strip_prefix(UTF16_LE_BOM) {
        let text = decode_utf16_strict(payload, Endianness::Little, UTF16_LE_BOM.len())?;
        return Ok((text, SourceEncoding::Utf16Le));
    }
    if let Some(payload) = bytes.strip_prefix(UTF16_BE_BOM) {
        let text = decode_utf16_strict(payload, Endianness::Big, UTF16_BE_BOM.len())?;
        return Ok((text, SourceEncoding::Utf16Be));
    }

    // Outside UTF-16 a NUL byte never occurs in text, and checking before the
    // Windows-1256 fallback matters: that code page maps every byte to some
    // character, so it would happily "decode" an image.
    reject_nul_bytes(bytes, 0)?;
    if let Ok(text) = std::str::from_utf8(bytes) {
        return Ok((text.to_owned(), SourceEncoding::Utf8));
    }
    let (text, had_errors) = encoding_rs::WINDOWS_1256.decode_without_bom_handling(bytes);
    if had_errors {
        // Windows-1256 assigns a character to all 256 byte values, so this is
        // not expected; it is handled rather than assumed away.
        return Err(DecodeError::Undecodable {
            reason: "neither valid utf-8 nor windows-1256".to_owned(),
        });
    }
    Ok((text.into_owned(), SourceEncoding::Windows1256))
}

fn reject_nul_bytes(bytes: &[u8], base_offset: usize) -> Result<(), DecodeError> {
    match bytes.iter().position(|&byte| byte == 0) {
        Some(position) => Err(DecodeError::Binary {
            reason: format!("NUL bytes at offset {}", base_offset + position),
        }),
        None => Ok(()),
    }
}

#[derive(Clone, Copy)]
enum Endianness {
    Little,
    Big,
}

/// Decodes UTF-16 without replacement characters: a file with a broken code
/// unit is reported, not quietly altered. `base_offset` is where `payload`
/// starts in the file, so reported offsets point into the file itself.
fn decode_utf16_strict(
    payload: &[u8],
    endianness: Endianness,
    base_offset: usize,
) -> Result<String, DecodeError> {
    if !payload.len().is_multiple_of(2) {
        return Err(DecodeError::Undecodable {
            reason: format!(
                "utf-16 data has an odd number of bytes (dangling byte at offset {})",
                base_offset + payload.len() - 1
            ),
        });
    }
    let mut units = payload
        .chunks_exact(2)
        .map(|pair| match endianness {
            Endianness::Little => u16::from_le_bytes([pair[0], pair[1]]),
            Endianness::Big => u16::from_be_bytes([pair[0], pair[1]]),
        })
        .enumerate()
        .peekable();
    let unpaired = |index: usize, unit: u16| DecodeError::Undecodable {
        reason: format!(
            "unpaired utf-16 surrogate 0x{unit:04X} at byte offset {}",
            base_offset + 2 * index
        ),
    };

    let mut text = String::with_capacity(payload.len());
    while let Some((index, unit)) = units.next() {
        let code_point = match unit {
            0 => {
                return Err(DecodeError::Binary {
                    reason: format!("NUL character at byte offset {}", base_offset + 2 * index),
                })
            }
            0xD800..=0xDBFF => match units.peek() {
                Some(&(_, low @ 0xDC00..=0xDFFF)) => {
                    units.next();
                    0x10000 + ((u32::from(unit) - 0xD800) << 10) + (u32::from(low) - 0xDC00)
                }
                _ => return Err(unpaired(index, unit)),
            },
            0xDC00..=0xDFFF => return Err(unpaired(index, unit)),
            _ => u32::from(unit),
        };
        match char::from_u32(code_point) {
            Some(c) => text.push(c),
            None => return Err(unpaired(index, unit)),
        }
    }
    Ok(text)
}

fn reject_control_heavy(text: &str) -> Result<(), DecodeError> {
    let mut total = 0usize;
    let mut controls = 0usize;
    for c in text.chars() {
        total += 1;
        if c < ' ' && !matches!(c, '\t' | '\n' | '\r' | '\x0c') {
            controls += 1;
        }
    }
    // Compared as integers so the threshold is exact and overflow-free for
    // any input a machine can hold.
    if controls > 0 && controls.saturating_mul(100) > total.saturating_mul(MAX_CONTROL_PERCENT) {
        return Err(DecodeError::Binary {
            reason: format!("{controls} control characters in {total} characters"),
        });
    }
    Ok(())
}

fn unify_line_endings(text: String) -> String {
    if !text.contains('\r') {
        return text;
    }
    let mut unified = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '\r' {
            if chars.peek() == Some(&'\n') {
                chars.next();
            }
            unified.push('\n');
        } else {
            unified.push(c);
        }
    }
    unified
}

/// Fewer Arabic letters than this is not enough evidence that a text is
/// Arabic, whatever the share (a stray «في» in an English paragraph). Three
/// still admits short credits such as «أ ف ب».
const MIN_ARABIC_LETTERS: usize = 3;

/// (letters, Arabic-script letters) in `text`.
fn count_letters(text: &str) -> (usize, usize) {
    text.chars()
        .filter(|c| c.is_alphabetic())
        .fold((0, 0), |(letters, arabic), c| {
            (letters + 1, arabic + usize::from(is_arabic_script(c)))
        })
}

/// Share of the letters in `text` that are Arabic script; 0.0 when there are
/// no letters at all. Digits, punctuation and spaces do not count either way.
pub fn arabic_share(text: &str) -> f32 {
    let (letters, arabic) = count_letters(text);
    if letters == 0 {
        return 0.0;
    }
    (arabic as f64 / letters as f64) as f32
}

/// Whether `text` is Arabic enough to send through the Arabic→English model:
/// at least half of its letters are Arabic script, and there are at least a
/// few of them.
pub fn is_arabic(text: &str) -> bool {
    let (letters, arabic) = count_letters(text);
    arabic >= MIN_ARABIC_LETTERS && arabic.saturating_mul(2) >= letters
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::input::test_texts::{xorshift, SEEDS};

    const ARABIC_SAMPLE: &str = "وصرح الوزير الفرنسي في مستهل اجتماعه مع نظيره الروسي.\nسطر ثان.";

    /// Deterministic pseudo-random bytes, so the tests need no
    /// random-number crate and never flake.
    fn pseudo_random_bytes(count: usize, seed: u64) -> Vec<u8> {
        let mut next_random = xorshift(seed);
        (0..count).map(|_| (next_random() >> 24) as u8).collect()
    }

    fn utf16_bytes(text: &str, endianness: Endianness) -> Vec<u8> {
        let mut bytes = match endianness {
            Endianness::Little => UTF16_LE_BOM.to_vec(),
            Endianness::Big => UTF16_BE_BOM.to_vec(),
        };
        for unit in text.encode_utf16() {
            bytes.extend_from_slice(&match endianness {
                Endianness::Little => unit.to_le_bytes(),
                Endianness::Big => unit.to_be_bytes(),
            });
        }
        bytes
    }

    fn reason_of(result: Result<DecodedText, DecodeError>) -> String {
        match result {
            Err(DecodeError::Binary { reason } | DecodeError::Undecodable { reason }) => reason,
            other => panic!("expected a binary or undecodable error, got {other:?}"),
        }
    }

    #[test]
    fn plain_utf8_is_returned_unchanged() {
        let decoded = decode(ARABIC_SAMPLE.as_bytes()).expect("decodes");
        assert_eq!(decoded.encoding, SourceEncoding::Utf8);
        assert_eq!(decoded.text, ARABIC_SAMPLE);
    }

    #[test]
    fn leading_and_trailing_whitespace_is_kept() {
        let input = "  \n نص عربي \n\n";
        assert_eq!(decode(input.as_bytes()).expect("decodes").text, input);
    }

    #[test]
    fn utf8_bom_is_detected_and_stripped() {
        let mut bytes = UTF8_BOM.to_vec();
        bytes.extend_from_slice(ARABIC_SAMPLE.as_bytes());
        let decoded = decode(&bytes).expect("decodes");
        assert_eq!(decoded.encoding, SourceEncoding::Utf8Bom);
        assert_eq!(decoded.text, ARABIC_SAMPLE);
    }

    #[test]
    fn invalid_utf8_after_a_utf8_bom_is_undecodable() {
        let mut bytes = UTF8_BOM.to_vec();
        bytes.extend_from_slice(b"ok \xff");
        let reason = reason_of(decode(&bytes));
        assert!(reason.contains("byte offset 6"), "{reason}");
    }

    #[test]
    fn utf16_le_with_bom() {
        let decoded = decode(&utf16_bytes(ARABIC_SAMPLE, Endianness::Little)).expect("decodes");
        assert_eq!(decoded.encoding, SourceEncoding::Utf16Le);
        assert_eq!(decoded.text, ARABIC_SAMPLE);
    }

    #[test]
    fn utf16_be_with_bom() {
        let decoded = decode(&utf16_bytes(ARABIC_SAMPLE, Endianness::Big)).expect("decodes");
        assert_eq!(decoded.encoding, SourceEncoding::Utf16Be);
        assert_eq!(decoded.text, ARABIC_SAMPLE);
    }

    #[test]
    fn utf16_surrogate_pairs_decode() {
        let text = "نص 😀 end";
        let decoded = decode(&utf16_bytes(text, Endianness::Little)).expect("decodes");
        assert_eq!(decoded.text, text);
    }

    #[test]
    fn utf16_with_odd_length_names_the_dangling_byte() {
        let mut bytes = utf16_bytes("abc", Endianness::Little);
        bytes.push(b'd');
        let reason = reason_of(decode(&bytes));
        assert!(reason.contains("odd number of bytes"), "{reason}");
        assert!(reason.contains("offset 8"), "{reason}");
    }

    #[test]
    fn utf16_with_unpaired_high_surrogate_names_its_offset() {
        let mut bytes = utf16_bytes("ab", Endianness::Big);
        bytes.extend_from_slice(&[0xD8, 0x3D, 0x00, 0x41]); // high surrogate, then 'A'
        let result = decode(&bytes);
        assert!(matches!(result, Err(DecodeError::Undecodable { .. })));
        let reason = reason_of(result);
        assert!(reason.contains("0xD83D"), "{reason}");
        assert!(reason.contains("byte offset 6"), "{reason}");
    }

    #[test]
    fn utf16_with_lone_low_surrogate_or_truncated_pair_is_undecodable() {
        let mut lone_low = utf16_bytes("a", Endianness::Little);
        lone_low.extend_from_slice(&[0x00, 0xDC]);
        assert!(reason_of(decode(&lone_low)).contains("byte offset 4"));

        let mut truncated = utf16_bytes("a", Endianness::Little);
        truncated.extend_from_slice(&[0x3D, 0xD8]);
        assert!(reason_of(decode(&truncated)).contains("byte offset 4"));
    }

    #[test]
    fn windows_1256_is_the_fallback_for_non_utf8() {
        let (bytes, _, unmappable) = encoding_rs::WINDOWS_1256.encode(ARABIC_SAMPLE);
        assert!(!unmappable);
        assert!(
            std::str::from_utf8(&bytes).is_err(),
            "test input must not be utf-8"
        );
        let decoded = decode(&bytes).expect("decodes");
        assert_eq!(decoded.encoding, SourceEncoding::Windows1256);
        assert_eq!(decoded.text, ARABIC_SAMPLE);
    }

    #[test]
    fn crlf_and_lone_cr_become_lf_in_every_encoding() {
        let input = "سطر أول\r\nسطر ثان\rسطر ثالث\r\n\r\n";
        let expected = "سطر أول\nسطر ثان\nسطر ثالث\n\n";
        assert_eq!(decode(input.as_bytes()).expect("utf-8").text, expected);
        let (legacy, _, _) = encoding_rs::WINDOWS_1256.encode(input);
        assert_eq!(decode(&legacy).expect("1256").text, expected);
        let wide = utf16_bytes(input, Endianness::Big);
        assert_eq!(decode(&wide).expect("utf-16").text, expected);
    }

    #[test]
    fn empty_input_and_bom_only_are_empty() {
        assert_eq!(decode(b""), Err(DecodeError::Empty));
        assert_eq!(decode(UTF8_BOM), Err(DecodeError::Empty));
        assert_eq!(decode(UTF16_LE_BOM), Err(DecodeError::Empty));
    }

    #[test]
    fn whitespace_only_is_refused() {
        assert_eq!(decode(b" \n\t\r\n  "), Err(DecodeError::WhitespaceOnly));
        assert_eq!(
            decode("\u{a0}\u{2008}\n".as_bytes()),
            Err(DecodeError::WhitespaceOnly)
        );
        let wide = utf16_bytes("  \n", Endianness::Little);
        assert_eq!(decode(&wide), Err(DecodeError::WhitespaceOnly));
    }

    #[test]
    fn nul_bytes_mean_binary_and_name_the_offset() {
        let error = decode(b"hello\0world").expect_err("binary");
        assert_eq!(
            error.to_string(),
            "looks like binary data (NUL bytes at offset 5)"
        );
        let mut with_bom = UTF8_BOM.to_vec();
        with_bom.extend_from_slice(b"ab\0");
        assert!(reason_of(decode(&with_bom)).contains("offset 5"));
    }

    #[test]
    fn nul_characters_in_utf16_mean_binary() {
        let bytes = utf16_bytes("ab\0c", Endianness::Little);
        assert!(matches!(decode(&bytes), Err(DecodeError::Binary { .. })));
    }

    #[test]
    fn random_bytes_are_binary() {
        for seed in 1..20 {
            let bytes = pseudo_random_bytes(4096, seed);
            assert!(
                matches!(decode(&bytes), Err(DecodeError::Binary { .. })),
                "seed {seed}"
            );
        }
    }

    #[test]
    fn random_bytes_without_nul_are_binary_by_control_share() {
        for seed in 1..20 {
            let bytes: Vec<u8> = pseudo_random_bytes(4096, seed)
                .into_iter()
                .map(|byte| byte.max(1))
                .collect();
            let reason = reason_of(decode(&bytes));
            assert!(reason.contains("control characters"), "{reason}");
        }
    }

    #[test]
    fn a_stray_control_character_in_real_text_is_tolerated() {
        let text = format!("{}\u{1b}[0m\t\u{c}", SEEDS[0]);
        assert!(decode(text.as_bytes()).is_ok());
        assert!(matches!(decode(b"a\x01"), Err(DecodeError::Binary { .. })));
    }

    #[test]
    fn display_messages_are_short_lower_case_lines() {
        assert_eq!(DecodeError::Empty.to_string(), "file is empty");
        assert_eq!(
            DecodeError::WhitespaceOnly.to_string(),
            "file contains only whitespace"
        );
        let undecodable = DecodeError::Undecodable {
            reason: "x".to_owned(),
        };
        assert_eq!(undecodable.to_string(), "cannot decode as text (x)");
        let as_error: &dyn std::error::Error = &undecodable;
        assert!(as_error.source().is_none());
    }

    #[test]
    fn encoding_names() {
        let names: Vec<&str> = [
            SourceEncoding::Utf8,
            SourceEncoding::Utf8Bom,
            SourceEncoding::Utf16Le,
            SourceEncoding::Utf16Be,
            SourceEncoding::Windows1256,
        ]
        .iter()
        .map(SourceEncoding::as_str)
        .collect();
        assert_eq!(
            names,
            ["utf-8", "utf-8-bom", "utf-16le", "utf-16be", "windows-1256"]
        );
    }

    #[test]
    fn seeds_decode_as_utf8_unchanged_and_are_arabic() {
        for seed in SEEDS {
            let decoded = decode(seed.as_bytes()).expect("seed decodes");
            assert_eq!(decoded.encoding, SourceEncoding::Utf8);
            assert_eq!(decoded.text, seed);
            assert!(is_arabic(&decoded.text));
            assert!(arabic_share(&decoded.text) > 0.95);
        }
    }

    #[test]
    fn english_text_is_not_arabic() {
        let english = "France and Russia agreed on Monday to share military intelligence.";
        assert_eq!(arabic_share(english), 0.0);
        assert!(!is_arabic(english));
        // A few Arabic words inside English do not make it Arabic.
        assert!(!is_arabic(
            "The minister said «في سوريا» twice in his long statement."
        ));
    }

    #[test]
    fn arabic_share_counts_letters_only() {
        assert_eq!(arabic_share(""), 0.0);
        assert_eq!(arabic_share("2014 ... 12٪ !"), 0.0);
        assert_eq!(arabic_share("abcd عربي"), 0.5);
        assert!(is_arabic("abc عربي"));
        assert!(!is_arabic("في")); // too few letters to judge
        assert!(is_arabic("أ ف ب"));
    }

    #[test]
    fn huge_inputs_do_not_panic() {
        let huge_arabic = "ب".repeat(1_000_000);
        assert!(decode(huge_arabic.as_bytes()).is_ok());
        assert!(is_arabic(&huge_arabic));
        let huge_binary = pseudo_random_bytes(1_000_000, 7);
        assert!(decode(&huge_binary).is_err());
        let many_crs = "\r".repeat(100_000);
        assert_eq!(
            decode(many_crs.as_bytes()),
            Err(DecodeError::WhitespaceOnly)
        );
    }
}
