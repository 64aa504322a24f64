//! Debris removal, sentence splitting and clause splitting on arbitrary
//! text: never a panic, the sentence spans tile each kept paragraph, and the
//! pieces cut to a token budget concatenate back to their sentence.
//!
//! The first byte picks the budget; tokens are measured as whitespace words
//! plus one (for `</s>`), close to how a subword tokenizer grows.
#![no_main]

use libfuzzer_sys::fuzz_target;
use tarjama::input::clean::clean;
use tarjama::input::segment::{normalize_for_model, sentences, split_to_budget};

fuzz_target!(|bytes: &[u8]| {
    let Some((&first, rest)) = bytes.split_first() else {
        return;
    };
    let Ok(text) = std::str::from_utf8(rest) else {
        return;
    };
    let budget = usize::from(first % 64) + 1;
    let measure = |s: &str| normalize_for_model(s).split_whitespace().count() + 1;
    let cleaned = clean(text);
    for para in &cleaned.kept {
        let spans = sentences(text, para.clone());
        let mut at = para.start;
        for span in &spans {
            assert_eq!(
                span.start, at,
                "sentence spans do not tile {para:?}: {spans:?}"
            );
            assert!(span.end > span.start, "empty sentence in {spans:?}");
            at = span.end;
            let pieces = split_to_budget(text, span.clone(), budget, &measure);
            let mut piece_at = span.start;
            for piece in &pieces {
                assert_eq!(
                    piece.start, piece_at,
                    "pieces do not tile {span:?}: {pieces:?}"
                );
                assert!(
                    text.get(piece.clone()).is_some(),
                    "piece cuts a char: {piece:?}"
                );
                piece_at = piece.end;
            }
            assert_eq!(
                piece_at, span.end,
                "pieces do not cover {span:?}: {pieces:?}"
            );
        }
        if !text[para.clone()].is_empty() {
            assert_eq!(
                at, para.end,
                "sentence spans do not cover {para:?}: {spans:?}"
            );
        }
    }
});
