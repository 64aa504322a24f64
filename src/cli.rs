//! The command line: clap definitions, and turning raw flags into resolved
//! settings once, so the rest of the code never looks at arguments.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use clap::{Args, Parser, Subcommand};

use crate::model_store::{Catalog, HashLock, ModelKind, ModelStore, ResolvedModel};
use crate::translate::{MarianTranslator, Overrides};

const EXIT_CODES: &str = "\
Exit codes:
  0  everything asked for was done
  1  some articles failed (run, translate), or verify found stale or damaged records
  2  bad command line or configuration (unknown profile, unreadable models.toml)
  3  the model could not be resolved or loaded (missing file, wrong SHA-256, bad config)";

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
    /// List, fetch or check the models named in models.toml.
    #[command(subcommand)]
    Models(ModelsCommand),
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
    #[command(flatten)]
    pub model: ModelArgs,
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
const BUILTIN_CATALOG: &str = include_str!("../models.toml");

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

/// Resolves the translator a command asked for: `--model-dir`, else the
/// profile's model from the catalog.
pub fn load_translator(args: &ModelArgs) -> std::result::Result<MarianTranslator, Failure> {
    let mut overrides = Overrides {
        beams: args.beams,
        ..Overrides::default()
    };
    let resolved: ResolvedModel = if let Some(dir) = &args.model_dir {
        crate::model_store::resolve_marian_dir(dir).map_err(Failure::model)?
    } else {
        let loaded = load_catalog(args.catalog.as_deref()).map_err(Failure::config)?;
        let profile = loaded
            .catalog
            .profile(&args.profile)
            .map_err(Failure::config)?;
        overrides.beams = overrides.beams.or(profile.beams);
        overrides.max_length = profile.max_length;
        overrides.length_penalty = profile.length_penalty;
        let entry = loaded
            .catalog
            .model(&profile.translator)
            .map_err(Failure::config)?;
        if entry.kind != ModelKind::Marian {
            return Err(Failure::config(anyhow::anyhow!(
                "profile {} uses {} as translator, which is not a Marian model",
                args.profile,
                profile.translator
            )));
        }
        let mut lock = HashLock::open(loaded.lock_path.clone()).map_err(Failure::config)?;
        ModelStore::new(loaded.dir.clone())
            .resolve(&profile.translator, entry, &mut lock)
            .map_err(Failure::model)?
    };
    MarianTranslator::load(&resolved, &overrides).map_err(Failure::model)
}
