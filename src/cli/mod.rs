//! The command line: clap definitions, and turning raw flags into resolved
//! settings once, so the rest of the code never looks at arguments.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use clap::{Args, Parser, Subcommand};

use crate::model_store::Catalog;
use crate::models::marian::Precision;

const EXIT_CODES: &str = "\
Exit codes:
  0  everything asked for was done
  1  some articles failed (run, translate), or verify found stale or damaged records
  2  bad command line or configuration (unknown profile, unreadable models.toml)
  3  the model could not be resolved or loaded (missing file, wrong SHA-256, bad config)
  4  another run is writing to the output folder (run stops; see --wait)
130  stopped by SIGINT/SIGTERM after finishing the articles in progress; run again to resume";

/// Translate Arabic news articles into English with local open models.
#[derive(Debug, Parser)]
#[command(name = "tarjama", version, about, after_help = EXIT_CODES)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Translate every .txt article under PATHS into records in the output folder.
    #[command(after_help = EXIT_CODES)]
    Run(RunArgs),
    /// Translate one file (or - for stdin) and print English to stdout.
    #[command(after_help = EXIT_CODES)]
    Translate(TranslateArgs),
    /// Check that every record's source still has the hash it recorded.
    #[command(after_help = EXIT_CODES)]
    Verify(VerifyArgs),
    /// Write brief.md, brief.html and a bilingual <id>.html per record: one
    /// brief per story, built from the records alone (no model runs).
    #[command(after_help = EXIT_CODES)]
    Brief(BriefArgs),
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
    /// Weights of the linear layers: f32, q8 or q4.
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
    /// Decoding steps after the prompt, one token each.
    #[arg(long, default_value_t = 64)]
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
    /// Weights of the opus-mt model's linear layers: f32 (as published), q8
    /// (8-bit blocks) or q4 (4-bit k-quants); smaller, slightly less exact.
    #[arg(long, value_name = "P", default_value = "f32", value_parser = Precision::parse)]
    pub precision: Precision,
    /// Threads for reading, writing and the model's matrix products (default: all cores).
    #[arg(long, value_name = "N")]
    pub jobs: Option<usize>,
}

#[derive(Debug, Args)]
pub struct RunArgs {
    /// Files or folders of .txt articles.
    #[arg(default_value = "seeds")]
    pub paths: Vec<PathBuf>,
    /// Output folder.
    #[arg(long, default_value = "outputs")]
    pub out: PathBuf,
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
    /// Grouping threshold of the brief (see `tarjama brief --help`).
    #[arg(long, value_name = "X", default_value_t = crate::brief::group::DEFAULT_THRESHOLD, value_parser = parse_similarity)]
    pub similarity: f64,
    #[command(flatten)]
    pub model: ModelArgs,
}

#[derive(Debug, Args)]
pub struct BriefArgs {
    /// Output folder holding the records.
    #[arg(default_value = "outputs")]
    pub out: PathBuf,
    /// Grouping threshold, 0–1: articles whose combined similarity (Arabic
    /// source, entities, English) reaches it are one story; higher splits more.
    #[arg(long, value_name = "X", default_value_t = crate::brief::group::DEFAULT_THRESHOLD, value_parser = parse_similarity)]
    pub similarity: f64,
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
    /// Output folder to check.
    #[arg(default_value = "outputs")]
    pub out: PathBuf,
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

/// An error with the exit code it deserves.
#[derive(Debug)]
pub struct Failure {
    pub code: u8,
    pub error: anyhow::Error,
}

impl Failure {
    pub fn config(error: anyhow::Error) -> Self {
        Self { code: 2, error }
    }
    pub fn model(error: anyhow::Error) -> Self {
        Self { code: 3, error }
    }
}

/// The catalog shipped with tarjama, used when no models.toml is at hand.
const BUILTIN_CATALOG: &str = include_str!("../../models.toml");

/// The catalog and where trust-on-first-use hashes are kept.
pub struct LoadedCatalog {
    pub catalog: Catalog,
    pub dir: PathBuf,
    pub lock_path: PathBuf,
}

pub fn load_catalog(explicit: Option<&Path>) -> Result<LoadedCatalog> {
    let path = explicit.map(Path::to_path_buf).or_else(|| {
        let local = PathBuf::from("models.toml");
        local.is_file().then_some(local)
    });
    match path {
        Some(path) => {
            let catalog = Catalog::load(&path)?;
            let dir = path.parent().map(Path::to_path_buf).unwrap_or_default();
            Ok(LoadedCatalog {
                catalog,
                lock_path: dir.join("models.lock.toml"),
                dir,
            })
        }
        None => {
            let catalog = toml::from_str(BUILTIN_CATALOG).context("built-in models.toml")?;
            let cache = hf_hub::Cache::from_env();
            Ok(LoadedCatalog {
                catalog,
                dir: PathBuf::from("."),
                lock_path: cache.path().join("tarjama-models.lock.toml"),
            })
        }
    }
}

/// Applies `--jobs`: candle's matrix products and our own parallel steps
/// share rayon's global pool, so one number bounds every busy thread.
pub fn set_jobs(jobs: Option<usize>) {
    if let Some(n) = jobs.filter(|&n| n > 0) {
        // Only the first call can set the pool; later calls change nothing.
        let _ = rayon::ThreadPoolBuilder::new()
            .num_threads(n)
            .build_global();
        std::env::set_var("RAYON_NUM_THREADS", n.to_string());
    }
}
