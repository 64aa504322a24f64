//! The command line as clap sees it: subcommands, flags, defaults and help
//! texts. Nothing here is interpreted: `super::settings` turns these into
//! the typed settings the rest of the program uses.
//!
//! What it is not: defaults that depend on the catalog (the profile's
//! summarizer, beams…), which `crate::pipeline` applies.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

use super::exit::help_text;
use crate::brief::dating::Day;
use crate::eval::tokenize::Tokenizer;
use crate::models::marian::Precision;
use crate::store::Location;

/// Translate Arabic news articles into English with local open models.
#[derive(Debug, Parser)]
#[command(name = "tarjama", version, about, after_help = help_text())]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Translate every .txt article under PATHS into records in the output folder.
    #[command(after_help = help_text())]
    Run(RunArgs),
    /// Translate one file (or - for stdin) and print English to stdout.
    #[command(after_help = help_text())]
    Translate(TranslateArgs),
    /// After the shards of a run (`run --shard I/N`): join their manifest
    /// parts into manifest.jsonl and write the brief from all records, as
    /// one run would have; a missing or unfinished shard is named and
    /// nothing is written.
    #[command(after_help = help_text())]
    Merge(MergeArgs),
    /// Check that every record's source still has the hash it recorded.
    #[command(after_help = help_text())]
    Verify(VerifyArgs),
    /// Write brief.md, brief.html and a bilingual <id>.html per record: one
    /// brief per story, built from the records alone (no model runs).
    #[command(after_help = help_text())]
    Brief(BriefArgs),
    /// Score the records' English against your reference translations
    /// (REFS/<id>.txt, one paragraph per line): BLEU, chrF and chrF++ as
    /// sacreBLEU computes them, per article and for the corpus.
    #[command(after_help = help_text())]
    Eval(EvalArgs),
    /// List, fetch or check the models named in models.toml.
    #[command(subcommand)]
    Models(ModelsCommand),
    /// Measure opus-mt throughput on token ids with a forced output length
    /// (see bench/run.py for the comparison with CTranslate2).
    Bench(BenchArgs),
    /// Measure a GGUF language model's prompt and generation speed.
    BenchLlm(BenchLlmArgs),
}

#[derive(Debug, Args)]
pub struct BenchArgs {
    /// Marian checkpoint folder with config.json and model.safetensors.
    #[arg(long, value_name = "DIR")]
    pub model_dir: PathBuf,
    /// JSON file with "source_ids": a list of token-id lists ending in </s>.
    #[arg(long, value_name = "FILE")]
    pub inputs: PathBuf,
    #[arg(long, default_value_t = 1)]
    pub beams: usize,
    /// Sentences per batch.
    #[arg(long, default_value_t = 64)]
    pub batch: usize,
    /// Weights of the linear layers: f32, int8, q8 or q4.
    #[arg(long, value_name = "P", default_value = "f32", value_parser = Precision::parse)]
    pub precision: Precision,
    /// Tokens generated per sentence (end of sentence is banned until then).
    #[arg(long, default_value_t = 48)]
    pub output_tokens: usize,
    #[arg(long, value_name = "N")]
    pub threads: Option<usize>,
}

#[derive(Debug, Args)]
pub struct BenchLlmArgs {
    /// GGUF file.
    #[arg(long, value_name = "FILE")]
    pub model: PathBuf,
    #[arg(long, default_value_t = 128)]
    pub prompt_tokens: usize,
    /// Decoding steps after the prompt, one token each (at least one).
    #[arg(long, default_value_t = 64, value_parser = clap::builder::RangedU64ValueParser::<usize>::new().range(1..))]
    pub gen_tokens: usize,
    #[arg(long, value_name = "N")]
    pub threads: Option<usize>,
}

#[derive(Debug, Args)]
pub struct ModelArgs {
    /// Profile from models.toml (default, fast).
    #[arg(long, default_value = "default")]
    pub profile: String,
    /// Use the opus-mt checkpoint in DIR (Hugging Face layout) instead of the profile's.
    #[arg(long, value_name = "DIR")]
    pub model_dir: Option<PathBuf>,
    /// Model catalog; defaults to ./models.toml, else the one built into tarjama.
    #[arg(long, value_name = "FILE")]
    pub catalog: Option<PathBuf>,
    /// Beam width (1 = greedy); defaults to the checkpoint's generation config.
    #[arg(long)]
    pub beams: Option<usize>,
    /// How to summarize: extractive, none, or a GGUF model from models.toml
    /// (default: the profile's; extractive with --model-dir).
    #[arg(long, value_name = "NAME")]
    pub summarizer: Option<String>,
    /// Longest summary, in words.
    #[arg(long, value_name = "N")]
    pub summary_words: Option<usize>,
    /// The language of every input (ISO 639-1 such as ar, fa, tr; or ckb,
    /// ps), instead of identifying it per article and paragraph.
    #[arg(long, value_name = "CODE", value_parser = parse_language)]
    pub source_lang: Option<String>,
    /// Weights of the opus-mt model's linear layers: f32 (as published),
    /// int8 (one scale per column, as CTranslate2's; the fastest), q8
    /// (8-bit blocks) or q4 (4-bit k-quants); smaller, slightly less exact.
    #[arg(long, value_name = "P", default_value = "f32", value_parser = Precision::parse)]
    pub precision: Precision,
    /// Threads for reading, writing and the model's matrix products (default: all cores).
    #[arg(long, value_name = "N")]
    pub jobs: Option<usize>,
}

#[derive(Debug, Args)]
pub struct RunArgs {
    /// Files or folders of .txt articles, or object-store URLs (s3://bucket/prefix, gs://…, az://…, file://…).
    #[arg(default_value = "seeds", value_parser = Location::parse_arg)]
    pub paths: Vec<Location>,
    /// Output folder, or an object-store URL (credentials from AWS_*, GOOGLE_*, AZURE_*).
    #[arg(long, default_value = "outputs", value_parser = Location::parse_arg)]
    pub out: Location,
    /// Redo articles whose record is current.
    #[arg(long)]
    pub force: bool,
    /// Print nothing but the final summary.
    #[arg(long, short)]
    pub quiet: bool,
    /// If another run is writing to the output folder, wait for it instead of stopping.
    #[arg(long)]
    pub wait: bool,
    /// Do not write the brief (brief.md, brief.html, <id>.html) at the end.
    #[arg(long)]
    pub no_brief: bool,
    #[command(flatten)]
    pub brief: BriefFlags,
    /// Take only part I of N of the articles (0 ≤ I < N), chosen by a hash
    /// of each article's name; `auto` reads I and N from a Slurm job array
    /// (SLURM_ARRAY_TASK_ID, SLURM_ARRAY_TASK_COUNT) or a Kubernetes
    /// Indexed Job (JOB_COMPLETION_INDEX, with --shard-count). A shard
    /// writes its records and shards/part-I-of-N.json, no brief: run
    /// `tarjama merge` after the last shard.
    #[arg(long, value_name = "I/N|auto")]
    pub shard: Option<String>,
    /// With `--shard auto` on Kubernetes: the number of shards (the Job's
    /// `completions`).
    #[arg(long, value_name = "N", requires = "shard")]
    pub shard_count: Option<usize>,
    #[command(flatten)]
    pub model: ModelArgs,
}

#[derive(Debug, Args)]
pub struct MergeArgs {
    /// Output folder (or object-store URL) the shards wrote to.
    #[arg(default_value = "outputs", value_parser = Location::parse_arg)]
    pub out: Location,
    /// Do not write the brief.
    #[arg(long)]
    pub no_brief: bool,
    #[command(flatten)]
    pub brief: BriefFlags,
    /// If another run or merge is writing to the output folder, wait for it.
    #[arg(long)]
    pub wait: bool,
    /// The run's model flags: a summarizer that is a language model writes
    /// the brief's merged summaries, as at the end of `tarjama run`.
    #[command(flatten)]
    pub model: ModelArgs,
}

#[derive(Debug, Args)]
pub struct BriefArgs {
    /// Output folder holding the records, or an object-store URL.
    #[arg(default_value = "outputs", value_parser = Location::parse_arg)]
    pub out: Location,
    #[command(flatten)]
    pub brief: BriefFlags,
}

/// How the brief is made, wherever it is written (`brief`, and at the end
/// of `run` and `merge`).
#[derive(Debug, Args)]
pub struct BriefFlags {
    /// Grouping threshold of the brief, 0–1: articles whose combined
    /// similarity (Arabic source, entities, English) reaches it are one
    /// story; higher splits more.
    #[arg(long, value_name = "X", default_value_t = crate::brief::group::DEFAULT_THRESHOLD, value_parser = parse_similarity)]
    pub similarity: f64,
    /// The brief covers only articles whose estimated date can be on or
    /// after this day (the brief's dating: office-holders named, else the
    /// latest year mentioned); articles with no estimate are kept and
    /// counted.
    #[arg(long, value_name = "YYYY-MM-DD", value_parser = parse_since)]
    pub since: Option<Day>,
}

fn parse_since(text: &str) -> std::result::Result<Day, String> {
    Day::parse(text).map_err(|e| e.to_string())
}

fn parse_similarity(text: &str) -> std::result::Result<f64, String> {
    match text.parse::<f64>() {
        Ok(x) if (0.0..=1.0).contains(&x) => Ok(x),
        _ => Err(format!("{text:?} is not a number from 0 to 1")),
    }
}

#[derive(Debug, Args)]
pub struct TranslateArgs {
    /// Article file, or - for standard input.
    pub file: PathBuf,
    /// Print the whole record as JSON instead of the English text.
    #[arg(long)]
    pub json: bool,
    #[command(flatten)]
    pub model: ModelArgs,
}

#[derive(Debug, Args)]
pub struct VerifyArgs {
    /// Output folder to check, or an object-store URL.
    #[arg(default_value = "outputs", value_parser = Location::parse_arg)]
    pub out: Location,
}

#[derive(Debug, Args)]
pub struct EvalArgs {
    /// Output folder holding the records.
    #[arg(default_value = "outputs")]
    pub out: PathBuf,
    /// Folder of reference translations: <id>.txt per record, one
    /// paragraph per non-blank line, in the order of the article's.
    #[arg(long, value_name = "DIR")]
    pub refs: PathBuf,
    /// sacreBLEU's tokenizer for BLEU: 13a (its default) or intl.
    #[arg(long, value_name = "TOK", default_value = "13a", value_parser = Tokenizer::parse)]
    pub tokenize: Tokenizer,
    /// Print the scores as JSON (unrounded) instead of a table.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Subcommand)]
pub enum ModelsCommand {
    /// Show the models and profiles of the catalog.
    List {
        #[arg(long, value_name = "FILE")]
        catalog: Option<PathBuf>,
    },
    /// Download a model's files (all models when none is named) and check them.
    Fetch {
        names: Vec<String>,
        #[arg(long, value_name = "FILE")]
        catalog: Option<PathBuf>,
    },
    /// Check the SHA-256 of a model's files already on disk (never downloads).
    Verify {
        names: Vec<String>,
        #[arg(long, value_name = "FILE")]
        catalog: Option<PathBuf>,
    },
}

/// A language code identification could give (so a route can exist for it).
fn parse_language(code: &str) -> Result<String, String> {
    let code = code.trim().to_ascii_lowercase();
    if crate::input::language::is_known_code(&code) {
        Ok(code)
    } else {
        Err(format!(
            "{code:?} is not a language tarjama knows (ISO 639-1 such as ar, fa, ur, he, tr, fr, ru; or ckb, ps)"
        ))
    }
}
