//! A GGUF file's header and metadata as our language-model loader reads
//! them (candle's `gguf_file::Content::read`, then the tokenizer rebuilt
//! from the metadata) on arbitrary bytes: an error, never a panic or an
//! allocation sized by a length in the file. A tokenizer that loads must
//! encode and decode without panicking.
#![no_main]

use libfuzzer_sys::fuzz_target;
use tarjama::llm::tokenizer::GgufTokenizer;

fuzz_target!(|bytes: &[u8]| {
    let _ = tarjama::llm::read_gguf_header_and_tokenizer(bytes).map(|tokenizer: GgufTokenizer| {
        let ids = tokenizer.encode("قال الوزير <s> hello", true);
        let _ = tokenizer.decode(&ids, true);
    });
});
