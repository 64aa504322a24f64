//! The SentencePiece protobuf reader on arbitrary bytes: an error or a
//! model, never a panic or an allocation sized by a length in the file; a
//! model that loads must also encode text without panicking.
#![no_main]

use libfuzzer_sys::fuzz_target;
use tarjama::translate::sentencepiece::SentencePiece;

fuzz_target!(|bytes: &[u8]| {
    if let Ok(model) = SentencePiece::from_bytes(bytes) {
        let _ = model.encode("قال الوزير إن المحادثات مستمرة. The talks go on.");
    }
});
