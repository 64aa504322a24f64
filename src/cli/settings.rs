//! Flags resolved once into plain typed settings, by a pure function
//! ([`resolve`]) of the parsed command line and the few facts read from
//! the environment at start ([`Environment`]).
//!
//! What it is not: defaults that need the catalog (`crate::pipeline`), or
//! doing anything (`super::commands`).

use std::path::{Path, PathBuf};

use super::args::{
    BenchArgs, BenchLlmArgs, BriefFlags, Command, MergeArgs, ModelArgs, ModelsCommand, RunArgs,
    TranslateArgs,
};
use crate::bench::MarianBenchSettings;
use crate::brief::BriefSettings;
use crate::eval::tokenize::Tokenizer;
use crate::model_store::{HubAccess, SummarizerChoice};
use crate::output::lock::WhenLocked;
use crate::pipeline::PipelineSettings;
use crate::run::{Progress, Shard};
use crate::store::{Location, StoreOptions};

/// What the program takes from its environment, read once at start so
/// that [`resolve`] stays a pure function.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Environment {
    /// `HF_HUB_OFFLINE=1` (or `true`): never download, as with Python's
    /// huggingface_hub.
    pub hf_hub_offline: bool,
    /// Whether stderr is a terminal (a progress bar, else plain lines).
    pub stderr_is_terminal: bool,
    /// Where a batch scheduler says this task is, for `--shard auto`.
    pub scheduler: SchedulerIndex,
    /// Object-store settings and credentials (`AWS_*`, `GOOGLE_*`,
    /// `AZURE_*`), for locations given as URLs.
    pub store: StoreOptions,
}

/// The task index a batch scheduler gives a process: a Slurm job array's
/// or a Kubernetes Indexed Job's (each number as the variable held it;
/// unset or not a number: `None`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct SchedulerIndex {
    /// SLURM_ARRAY_TASK_ID
    pub slurm_task_id: Option<usize>,
    /// SLURM_ARRAY_TASK_MIN: arrays may start elsewhere than 0 (`--array=1-3`).
    pub slurm_task_min: Option<usize>,
    /// SLURM_ARRAY_TASK_COUNT
    pub slurm_task_count: Option<usize>,
    /// JOB_COMPLETION_INDEX
    pub job_completion_index: Option<usize>,
}

impl SchedulerIndex {
    pub const NONE: Self = Self {
        slurm_task_id: None,
        slurm_task_min: None,
        slurm_task_count: None,
        job_completion_index: None,
    };

    fn read() -> Self {
        let number = |name: &str| std::env::var(name).ok()?.trim().parse().ok();
        Self {
            slurm_task_id: number("SLURM_ARRAY_TASK_ID"),
            slurm_task_min: number("SLURM_ARRAY_TASK_MIN"),
            slurm_task_count: number("SLURM_ARRAY_TASK_COUNT"),
            job_completion_index: number("JOB_COMPLETION_INDEX"),
        }
    }

    /// The shard `--shard auto` means here (`count`: `--shard-count`).
    fn shard(&self, count: Option<usize>) -> Result<Shard, String> {
        let (index, count) = if let Some(id) = self.slurm_task_id {
            let index = id.checked_sub(self.slurm_task_min.unwrap_or(0));
            let count = count.or(self.slurm_task_count).ok_or(
                "--shard auto: SLURM_ARRAY_TASK_ID is set but SLURM_ARRAY_TASK_COUNT is not; pass --shard-count N",
            )?;
            let index =
                index.ok_or("--shard auto: SLURM_ARRAY_TASK_ID is below SLURM_ARRAY_TASK_MIN")?;
            (index, count)
        } else if let Some(index) = self.job_completion_index {
            let count = count.ok_or(
                "--shard auto: JOB_COMPLETION_INDEX is set but not the number of shards; pass --shard-count N (the Job's completions)",
            )?;
            (index, count)
        } else {
            return Err("--shard auto: neither SLURM_ARRAY_TASK_ID (a Slurm job array) nor JOB_COMPLETION_INDEX (a Kubernetes Indexed Job) is set; pass --shard I/N".into());
        };
        Shard::new(index, count).ok_or_else(|| {
            format!("--shard auto: task {index} of {count} is not a shard (is the array numbered 0..N-1, or N its task count?)")
        })
    }
}

impl Environment {
    pub fn read() -> Self {
        Self {
            hf_hub_offline: std::env::var("HF_HUB_OFFLINE")
                .is_ok_and(|v| v == "1" || v.eq_ignore_ascii_case("true")),
            stderr_is_terminal: std::io::IsTerminal::is_terminal(&std::io::stderr()),
            scheduler: SchedulerIndex::read(),
            store: StoreOptions::from_vars(std::env::vars()),
        }
    }

    fn hub(&self) -> HubAccess {
        if self.hf_hub_offline {
            HubAccess::CacheOnly
        } else {
            HubAccess::Download
        }
    }
}

/// Everything a command needs to know, with no flag left to interpret.
#[derive(Debug)]
pub struct Settings {
    /// Threads for the whole process (`--jobs`, `--threads`); `None`: all cores.
    pub threads: Option<usize>,
    pub action: Action,
}

/// The command to carry out.
#[derive(Debug)]
pub enum Action {
    Run(RunSettings),
    Merge(MergeSettings),
    /// The command line cannot be carried out (exit 2), for this reason.
    Refuse(String),
    Translate(TranslateSettings),
    Verify {
        out: Location,
        /// To read sources that are objects.
        store: StoreOptions,
    },
    Brief {
        out: Location,
        brief: BriefSettings,
    },
    /// `tarjama eval`.
    Eval {
        out: PathBuf,
        refs: PathBuf,
        tokenizer: Tokenizer,
        json: bool,
    },
    ListModels {
        catalog: Option<PathBuf>,
    },
    /// `models fetch` (may download) and `models verify` (never does).
    CheckModels {
        /// Empty: every model of the catalog.
        names: Vec<String>,
        catalog: Option<PathBuf>,
        hub: HubAccess,
    },
    BenchMarian {
        model_dir: PathBuf,
        inputs: PathBuf,
        settings: MarianBenchSettings,
    },
    BenchLlm {
        model: PathBuf,
        prompt_tokens: usize,
        gen_tokens: usize,
    },
}

#[derive(Debug)]
pub struct RunSettings {
    pub inputs: Vec<Location>,
    pub out: Location,
    pub force: bool,
    pub progress: Progress,
    pub when_locked: WhenLocked,
    /// Write the brief at the end (not with `--no-brief`).
    pub write_brief: bool,
    pub brief: BriefSettings,
    /// The part of the inputs this run takes (`None`: all).
    pub shard: Option<Shard>,
    pub pipeline: PipelineSettings,
}

#[derive(Debug)]
pub struct MergeSettings {
    pub out: Location,
    pub write_brief: bool,
    pub brief: BriefSettings,
    pub when_locked: WhenLocked,
    pub pipeline: PipelineSettings,
}

#[derive(Debug)]
pub struct TranslateSettings {
    pub source: TranslateSource,
    /// Print the record as JSON instead of the English text.
    pub json: bool,
    pub pipeline: PipelineSettings,
}

/// Where `tarjama translate` reads its article.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TranslateSource {
    /// `-`
    Stdin,
    File(PathBuf),
}

/// Resolves the parsed command line; reads nothing, changes nothing.
pub fn resolve(command: Command, env: &Environment) -> Settings {
    let (threads, action) = match command {
        Command::Run(args) => (args.model.jobs, run_action(args, env)),
        Command::Merge(args) => (args.model.jobs, Action::Merge(merge_settings(args, env))),
        Command::Translate(args) => (
            args.model.jobs,
            Action::Translate(translate_settings(args, env)),
        ),
        Command::Verify(args) => (
            None,
            Action::Verify {
                out: args.out.with_options(&env.store),
                store: env.store.clone(),
            },
        ),
        Command::Brief(args) => (
            None,
            Action::Brief {
                out: args.out.with_options(&env.store),
                brief: brief_settings(&args.brief),
            },
        ),
        Command::Eval(args) => (
            None,
            Action::Eval {
                out: args.out,
                refs: args.refs,
                tokenizer: args.tokenize,
                json: args.json,
            },
        ),
        Command::Models(command) => (None, models_action(command, env)),
        Command::Bench(args) => (args.threads, bench_action(args)),
        Command::BenchLlm(BenchLlmArgs {
            model,
            prompt_tokens,
            gen_tokens,
            threads,
        }) => (
            threads,
            Action::BenchLlm {
                model,
                prompt_tokens,
                gen_tokens,
            },
        ),
    };
    Settings {
        // `--jobs 0` means the default, all cores.
        threads: threads.filter(|&n| n > 0),
        action,
    }
}

/// A run, or its refusal when `--shard` cannot be resolved.
fn run_action(args: RunArgs, env: &Environment) -> Action {
    let shard = match args.shard.as_deref() {
        None => None,
        Some("auto") => match env.scheduler.shard(args.shard_count) {
            Ok(shard) => Some(shard),
            Err(reason) => return Action::Refuse(reason),
        },
        Some(text) => match Shard::parse(text) {
            Ok(shard) => Some(shard),
            Err(reason) => return Action::Refuse(format!("--shard: {reason}")),
        },
    };
    let mut settings = run_settings(args, env);
    settings.shard = shard;
    // The brief needs every shard's records: `tarjama merge` writes it.
    settings.write_brief &= shard.is_none();
    Action::Run(settings)
}

fn brief_settings(flags: &BriefFlags) -> BriefSettings {
    BriefSettings {
        similarity: flags.similarity,
        since: flags.since,
    }
}

fn when_locked(wait: bool) -> WhenLocked {
    if wait {
        WhenLocked::Wait
    } else {
        WhenLocked::Fail
    }
}

fn merge_settings(args: MergeArgs, env: &Environment) -> MergeSettings {
    MergeSettings {
        out: args.out.with_options(&env.store),
        write_brief: !args.no_brief,
        brief: brief_settings(&args.brief),
        when_locked: when_locked(args.wait),
        pipeline: pipeline_settings(args.model, env),
    }
}

fn run_settings(args: RunArgs, env: &Environment) -> RunSettings {
    let progress = if args.quiet {
        Progress::Quiet
    } else if env.stderr_is_terminal {
        Progress::Bar
    } else {
        Progress::Lines
    };
    RunSettings {
        inputs: args
            .paths
            .into_iter()
            .map(|input| input.with_options(&env.store))
            .collect(),
        out: args.out.with_options(&env.store),
        force: args.force,
        progress,
        when_locked: when_locked(args.wait),
        write_brief: !args.no_brief,
        brief: brief_settings(&args.brief),
        shard: None,
        pipeline: pipeline_settings(args.model, env),
    }
}

fn translate_settings(args: TranslateArgs, env: &Environment) -> TranslateSettings {
    let source = if args.file == Path::new("-") {
        TranslateSource::Stdin
    } else {
        TranslateSource::File(args.file)
    };
    TranslateSettings {
        source,
        json: args.json,
        pipeline: pipeline_settings(args.model, env),
    }
}

fn pipeline_settings(args: ModelArgs, env: &Environment) -> PipelineSettings {
    PipelineSettings {
        profile: args.profile,
        model_dir: args.model_dir,
        catalog: args.catalog,
        hub: env.hub(),
        beams: args.beams,
        precision: args.precision,
        summarizer: args.summarizer.map(SummarizerChoice::from),
        summary_words: args.summary_words,
        source_language: args.source_lang,
    }
}

fn models_action(command: ModelsCommand, env: &Environment) -> Action {
    match command {
        ModelsCommand::List { catalog } => Action::ListModels { catalog },
        ModelsCommand::Fetch { names, catalog } => Action::CheckModels {
            names,
            catalog,
            hub: env.hub(),
        },
        ModelsCommand::Verify { names, catalog } => Action::CheckModels {
            names,
            catalog,
            // Checking must never download.
            hub: HubAccess::CacheOnly,
        },
    }
}

fn bench_action(args: BenchArgs) -> Action {
    Action::BenchMarian {
        model_dir: args.model_dir,
        inputs: args.inputs,
        settings: MarianBenchSettings {
            // A beam of 0 would decode nothing; 1 is greedy.
            beams: args.beams.max(1),
            batch: args.batch,
            output_tokens: args.output_tokens,
            precision: args.precision,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cli::args::Cli;
    use clap::Parser;

    const PLAIN: Environment = Environment {
        hf_hub_offline: false,
        stderr_is_terminal: false,
        scheduler: SchedulerIndex::NONE,
        store: StoreOptions::NONE,
    };

    fn settings(args: &[&str], env: Environment) -> Settings {
        let cli = Cli::try_parse_from(std::iter::once("tarjama").chain(args.iter().copied()))
            .expect("valid command line");
        resolve(cli.command, &env)
    }

    fn run(args: &[&str], env: Environment) -> RunSettings {
        match settings(args, env).action {
            Action::Run(run) => run,
            other => panic!("not a run: {other:?}"),
        }
    }

    #[test]
    fn the_summarizer_flag_becomes_a_choice() {
        let choice = |flag: &str| {
            run(&["run", "--summarizer", flag], PLAIN)
                .pipeline
                .summarizer
        };
        assert_eq!(choice("extractive"), Some(SummarizerChoice::Extractive));
        assert_eq!(choice("none"), Some(SummarizerChoice::Off));
        assert_eq!(
            choice("gemma-3-1b"),
            Some(SummarizerChoice::Model("gemma-3-1b".into()))
        );
        assert_eq!(run(&["run"], PLAIN).pipeline.summarizer, None);
    }

    #[test]
    fn defaults_of_a_run() {
        let run = run(&["run"], PLAIN);
        assert_eq!(run.inputs, vec![PathBuf::from("seeds")]);
        assert_eq!(run.out, PathBuf::from("outputs"));
        assert_eq!(run.progress, Progress::Lines);
        assert_eq!(run.when_locked, WhenLocked::Fail);
        assert!(run.write_brief && !run.force);
        assert_eq!(run.pipeline.profile, "default");
        assert_eq!(run.pipeline.hub, HubAccess::Download);
    }

    #[test]
    fn since_becomes_the_briefs_day_for_brief_and_run() {
        let day = crate::brief::dating::Day::parse("2024-03-01").unwrap();
        let flags = ["--since", "2024-03-01", "--similarity", "0.3"];
        let expected = BriefSettings {
            similarity: 0.3,
            since: Some(day),
        };
        assert_eq!(run(&[&["run"][..], &flags].concat(), PLAIN).brief, expected);
        match settings(&[&["brief"][..], &flags].concat(), PLAIN).action {
            Action::Brief { brief, .. } => assert_eq!(brief, expected),
            other => panic!("not a brief: {other:?}"),
        }
        assert_eq!(run(&["run"], PLAIN).brief, BriefSettings::default());
    }

    #[test]
    fn progress_follows_quiet_then_the_terminal() {
        let terminal = Environment {
            stderr_is_terminal: true,
            ..PLAIN
        };
        assert_eq!(run(&["run"], terminal.clone()).progress, Progress::Bar);
        assert_eq!(run(&["run", "-q"], terminal).progress, Progress::Quiet);
    }

    #[test]
    fn jobs_zero_means_all_cores() {
        assert_eq!(settings(&["run", "--jobs", "3"], PLAIN).threads, Some(3));
        assert_eq!(settings(&["run", "--jobs", "0"], PLAIN).threads, None);
        assert_eq!(settings(&["verify"], PLAIN).threads, None);
    }

    #[test]
    fn models_verify_never_downloads_and_offline_is_the_users_choice() {
        let hub = |args: &[&str], env| match settings(args, env).action {
            Action::CheckModels { hub, .. } => hub,
            other => panic!("not a model check: {other:?}"),
        };
        assert_eq!(hub(&["models", "verify"], PLAIN), HubAccess::CacheOnly);
        assert_eq!(hub(&["models", "fetch"], PLAIN), HubAccess::Download);
        let offline = Environment {
            hf_hub_offline: true,
            ..PLAIN
        };
        assert_eq!(
            hub(&["models", "fetch"], offline.clone()),
            HubAccess::CacheOnly
        );
        assert_eq!(run(&["run"], offline).pipeline.hub, HubAccess::CacheOnly);
    }

    #[test]
    fn eval_reads_outputs_with_13a_unless_told() {
        match settings(&["eval", "--refs", "refs"], PLAIN).action {
            Action::Eval {
                out,
                refs,
                tokenizer,
                json,
            } => {
                assert_eq!((out, refs), ("outputs".into(), "refs".into()));
                assert_eq!((tokenizer, json), (Tokenizer::Mteval13a, false));
            }
            other => panic!("not an eval: {other:?}"),
        }
        let cli = Cli::try_parse_from([
            "tarjama",
            "eval",
            "out",
            "--refs",
            "r",
            "--tokenize",
            "intl",
        ]);
        assert!(cli.is_ok());
        let bad = Cli::try_parse_from(["tarjama", "eval", "--refs", "r", "--tokenize", "zh"]);
        assert!(bad.is_err());
        assert!(Cli::try_parse_from(["tarjama", "eval"]).is_err());
    }

    #[test]
    fn urls_are_store_locations_and_their_credentials_never_show() {
        let env = Environment {
            store: StoreOptions::from_vars([(
                "AWS_SECRET_ACCESS_KEY".to_string(),
                "hush-hush".to_string(),
            )]),
            ..PLAIN
        };
        let settings = settings(&["run", "s3://b/in", "--out", "s3://b/out"], env);
        let shown = format!("{settings:?}");
        assert!(!shown.contains("hush-hush"), "{shown}");
        let Action::Run(run) = settings.action else {
            panic!("not a run");
        };
        assert_eq!(run.out.to_string(), "s3://b/out");
        assert!(run.inputs[0].as_local().is_none());
    }

    #[test]
    fn a_dash_reads_standard_input() {
        let source = |file: &str| match settings(&["translate", file], PLAIN).action {
            Action::Translate(t) => t.source,
            other => panic!("not a translate: {other:?}"),
        };
        assert_eq!(source("-"), TranslateSource::Stdin);
        assert_eq!(source("a.txt"), TranslateSource::File("a.txt".into()));
    }
}
