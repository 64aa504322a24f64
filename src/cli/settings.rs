//! Flags resolved once into plain typed settings, by a pure function
//! ([`resolve`]) of the parsed command line and the few facts read from
//! the environment at start ([`Environment`]).
//!
//! What it is not: defaults that need the catalog (`crate::pipeline`), or
//! doing anything (`super::commands`).

use std::path::{Path, PathBuf};

use super::args::{
    BenchArgs, BenchLlmArgs, Command, ModelArgs, ModelsCommand, RunArgs, TranslateArgs,
};
use crate::bench::MarianBenchSettings;
use crate::brief::BriefSettings;
use crate::eval::tokenize::Tokenizer;
use crate::model_store::{HubAccess, SummarizerChoice};
use crate::output::lock::WhenLocked;
use crate::pipeline::PipelineSettings;
use crate::run::Progress;

/// What the program takes from its environment, read once at start so
/// that [`resolve`] stays a pure function.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Environment {
    /// `HF_HUB_OFFLINE=1` (or `true`): never download, as with Python's
    /// huggingface_hub.
    pub hf_hub_offline: bool,
    /// Whether stderr is a terminal (a progress bar, else plain lines).
    pub stderr_is_terminal: bool,
}

impl Environment {
    pub fn read() -> Self {
        Self {
            hf_hub_offline: std::env::var("HF_HUB_OFFLINE")
                .is_ok_and(|v| v == "1" || v.eq_ignore_ascii_case("true")),
            stderr_is_terminal: std::io::IsTerminal::is_terminal(&std::io::stderr()),
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
    Translate(TranslateSettings),
    Verify {
        out: PathBuf,
    },
    Brief {
        out: PathBuf,
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
    pub inputs: Vec<PathBuf>,
    pub out: PathBuf,
    pub force: bool,
    pub progress: Progress,
    pub when_locked: WhenLocked,
    /// Write the brief at the end (not with `--no-brief`).
    pub write_brief: bool,
    pub brief: BriefSettings,
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
        Command::Run(args) => (args.model.jobs, Action::Run(run_settings(args, env))),
        Command::Translate(args) => (
            args.model.jobs,
            Action::Translate(translate_settings(args, env)),
        ),
        Command::Verify(args) => (None, Action::Verify { out: args.out }),
        Command::Brief(args) => (
            None,
            Action::Brief {
                out: args.out,
                brief: BriefSettings {
                    similarity: args.similarity,
                    since: args.since,
                },
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

fn run_settings(args: RunArgs, env: &Environment) -> RunSettings {
    let progress = if args.quiet {
        Progress::Quiet
    } else if env.stderr_is_terminal {
        Progress::Bar
    } else {
        Progress::Lines
    };
    RunSettings {
        inputs: args.paths,
        out: args.out,
        force: args.force,
        progress,
        when_locked: if args.wait {
            WhenLocked::Wait
        } else {
            WhenLocked::Fail
        },
        write_brief: !args.no_brief,
        brief: BriefSettings {
            similarity: args.similarity,
            since: args.since,
        },
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
        assert_eq!(run(&["run"], terminal).progress, Progress::Bar);
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
        assert_eq!(hub(&["models", "fetch"], offline), HubAccess::CacheOnly);
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
    fn a_dash_reads_standard_input() {
        let source = |file: &str| match settings(&["translate", file], PLAIN).action {
            Action::Translate(t) => t.source,
            other => panic!("not a translate: {other:?}"),
        };
        assert_eq!(source("-"), TranslateSource::Stdin);
        assert_eq!(source("a.txt"), TranslateSource::File("a.txt".into()));
    }
}
