//! Bytes of an article file → text: `read::decode` must never panic, and
//! what it returns must be what the rest of the pipeline assumes (LF line
//! ends only, not blank).
#![no_main]

use libfuzzer_sys::fuzz_target;
use tarjama::input::read::{decode, is_arabic};

fuzz_target!(|bytes: &[u8]| {
    if let Ok(decoded) = decode(bytes) {
        assert!(!decoded.text.contains('\r'), "a CR survived decoding");
        assert!(!decoded.text.trim().is_empty(), "blank text accepted");
        let _ = is_arabic(&decoded.text);
    }
});
