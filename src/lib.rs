//! tarjama: news in Arabic and other languages → English translations,
//! summaries and briefs with local open models (candle).
//!
//! The folders follow the data: input → translate → summarize → output →
//! brief; `pipeline` holds the loaded models and turns articles into
//! records, `run` is the batch job around it, `cli` the command line.
//! There are no import circles: `cli` → `run` → `pipeline` → the steps →
//! `names`, `llm`, `model_store`, `models`, `files`, `store`, `text` at the
//! bottom.
//!
//! ```text
//! src/main.rs            parse → resolve → dispatch (nothing else)
//! src/cli/               args (clap), settings (flags → typed settings, once, pure),
//!                        commands (what each subcommand does and prints),
//!                        exit (the exit codes, one enum, and the help's list of them),
//!                        threads (the one place the thread count is set)
//! src/pipeline/          load (the models a run needs; a GGUF named twice loads once),
//!                        routes (language → model; models loaded when first needed),
//!                        process (articles → languages → routes → sealed records)
//! src/run/               the batch job: discover, skip what is current, waves,
//!                        manifest, progress
//! src/input/             read (bytes → text), clean (debris), language (which language
//!                        an article and each paragraph are in), segment (paragraphs →
//!                        sentences: the sentence splitter), article (SourceArticle)
//! src/translate/         Translator (the kinds: Marian, T5 for MADLAD, LLM), search
//!                        (greedy, beam; one for both encoder-decoders),
//!                        marian_tokenizer + sentencepiece, t5 (MADLAD with its <2en>
//!                        tag), llm (a GGUF model as translator), translation (the
//!                        result type)
//! src/summarize/         Summarizer, extractive, model, checks (what a summary must pass)
//! src/output/            folder (THE owner of the output folder's layout: file names,
//!                        listing, writing a record), record (the record format:
//!                        <id>.json and <id>.md), markdown (the Markdown escape),
//!                        labels (flags and methods), lock, verify
//! src/brief/             model (types), analyse (record → entities, dates, wording),
//!                        group (stories), build (stories → Brief), sections (what a story
//!                        shows, for both renderers), render_md, render_html, folder
//!                        (the brief's way to the output folder), model_merge (the one
//!                        place a model runs: merged summaries), dates, dating,
//!                        wording
//! src/names/             gazetteer (the reviewed names, data/entities.toml, and the
//!                        places list), english (names in English text), grounding
//!                        (a translation's names against its Arabic), transliteration,
//!                        finding (names no list holds, tied to their Arabic), register
//!                        (those merged across articles)
//! src/llm/               GGUF language models: mod (load, chat prompts, generate),
//!                        header (the GGUF header, checked before candle reads it),
//!                        chat (the file's own chat template, rendered with minijinja),
//!                        tokenizer (from the file's metadata), ask (ask, check, retry
//!                        once stricter, keep the better; flags a cut-off answer)
//! src/models/            one architecture per file (marian, t5, gemma3, llama: Llama and
//!                        Qwen2); layers (what the GGUF models share); attention; the
//!                        AVX-512 VNNI kernels: int8 (Marian's int8), qgemm
//!                        (Q8_0/Q5_0/Q4_1), kquant (Q4_K/Q6_K); argmax
//! src/model_store/       catalog (models.toml), hub, local_dir, lock (models.lock.toml),
//!                        Models: name → checked files on disk
//! src/text/              tfidf, script (the Arabic-script test, and which letters
//!                        belong to a language's script), arabic (normalized
//!                        Arabic words and phrase matching)
//! src/eval/              `tarjama eval`: mod (records paired with references, counts
//!                        summed, scores), tokenize (sacreBLEU's 13a and intl), bleu,
//!                        chrf, report (the table and the JSON)
//! src/files.rs           atomic writes, SHA-256
//! src/store.rs           Location: a local path or an object-store URL (s3://, gs://,
//!                        az://, file://), read, written whole, listed (object_store)
//! src/bench.rs           `tarjama bench` and `bench-llm`
//! ```

pub mod bench;
pub mod brief;
pub mod cli;
pub mod eval;
pub mod files;
pub mod input;
pub mod llm;
pub mod model_store;
pub mod models;
pub mod names;
pub mod output;
pub mod pipeline;
pub mod run;
pub mod store;
pub mod summarize;
pub mod text;
pub mod translate;
