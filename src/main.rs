//! The `tarjama` binary: parse the command line, dispatch, map the outcome
//! to an exit code (see `cli::EXIT_CODES`).

use std::io::{IsTerminal, Read, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use anyhow::Context;
use clap::Parser;

use tarjama::cli::{self, Cli, Command, Failure, ModelsCommand};
use tarjama::input::article::SourceArticle;
use tarjama::model_store::{HashLock, ModelStore};
use tarjama::output::lock::{FolderLocked, WhenLocked};
use tarjama::run::{self, Progress, RunConfig};

type Outcome = Result<u8, Failure>;

fn main() -> ExitCode {
    let outcome = match Cli::parse().command {
        Command::Run(args) => run_command(args),
        Command::Translate(args) => translate_command(args),
        Command::Verify(args) => verify_command(&args.out),
        Command::Brief(args) => brief_command(&args.out, args.similarity, None),
        Command::Models(command) => models_command(command),
        Command::Bench(args) => bench_command(args),
        Command::BenchLlm(args) => bench_llm_command(args),
    };
    match outcome {
        Ok(code) => ExitCode::from(code),
        Err(failure) => {
            // One line for people: candle appends a backtrace to its errors
            // when RUST_BACKTRACE is set, which is not for them.
            let message = format!("{:#}", failure.error);
            eprintln!(
                "tarjama: error: {}",
                message.lines().next().unwrap_or_default()
            );
            ExitCode::from(failure.code)
        }
    }
}

fn run_command(args: cli::RunArgs) -> Outcome {
    cli::set_jobs(args.model.jobs);
    let pipeline = tarjama::pipeline::load_pipeline(&args.model)?;
    let progress = if args.quiet {
        Progress::Quiet
    } else if std::io::stderr().is_terminal() {
        Progress::Bar
    } else {
        Progress::Lines
    };
    let stop = Arc::new(AtomicBool::new(false));
    let flag = stop.clone();
    // The first SIGINT/SIGTERM lets the articles in progress finish and be
    // written; a second one stops at once (atomic writes still leave no
    // partial file).
    let _ = ctrlc::set_handler(move || {
        if flag.swap(true, Ordering::SeqCst) {
            std::process::exit(130);
        }
        eprintln!("tarjama: stopping after the articles in progress (again to stop now)");
    });
    let config = RunConfig {
        inputs: args.paths,
        out_dir: args.out.clone(),
        force: args.force,
        progress,
        when_locked: if args.wait {
            WhenLocked::Wait
        } else {
            WhenLocked::Fail
        },
        stop,
    };
    let summary = run::run(&config, &pipeline).map_err(|e| {
        let locked = e.downcast_ref::<FolderLocked>().is_some();
        Failure {
            code: if locked { 4 } else { 1 },
            error: e,
        }
    })?;
    for error in &summary.errors {
        eprintln!("tarjama: failed: {error}");
    }
    match peak_memory_mib() {
        Some(mib) => eprintln!("tarjama: {}; peak memory {mib} MiB", summary.report()),
        None => eprintln!("tarjama: {}", summary.report()),
    }
    if let Some(error) = &summary.manifest_error {
        eprintln!("tarjama: error: {error}");
    }
    if let Some(reason) = &summary.stopped_by {
        eprintln!(
            "tarjama: stopped: the output folder takes no more writes ({}); {} article(s) not attempted; make room and run the same command again (finished records are kept)",
            reason.rsplit(": ").next().unwrap_or(reason),
            summary.interrupted
        );
        return Ok(1);
    }
    if summary.interrupted > 0 {
        eprintln!(
            "tarjama: stopped with {} article(s) not done; run the same command again to finish them (finished records are kept)",
            summary.interrupted
        );
        return Ok(130);
    }
    let code = u8::from(summary.failed > 0 || summary.manifest_error.is_some());
    if args.no_brief {
        return Ok(code);
    }
    Ok(brief_command(&args.out, args.similarity, Some(&pipeline.summarizer))?.max(code))
}

/// Writes the brief from the records in `out`; a record that cannot be
/// used is skipped with one line, and does not fail the brief. With the
/// run's summarizer, a language model may write merged summaries (cached).
fn brief_command(
    out: &Path,
    similarity: f64,
    summarizer: Option<&tarjama::summarize::Summarizer>,
) -> Outcome {
    let settings = tarjama::brief::BriefSettings { similarity };
    let report = tarjama::brief::write_brief(out, settings, summarizer)
        .map_err(|e| Failure { code: 1, error: e })?;
    for line in &report.warnings {
        eprintln!("tarjama: warning: brief: {line}");
    }
    eprintln!("tarjama: {}", report.line(out));
    Ok(0)
}

fn translate_command(args: cli::TranslateArgs) -> Outcome {
    cli::set_jobs(args.model.jobs);
    let article = if args.file == Path::new("-") {
        let mut bytes = Vec::new();
        std::io::stdin()
            .read_to_end(&mut bytes)
            .context("cannot read standard input")
            .map_err(|e| Failure { code: 1, error: e })?;
        SourceArticle::from_bytes(&PathBuf::from("stdin"), &bytes)
    } else {
        SourceArticle::load(&args.file)
    }
    .map_err(|e| Failure { code: 1, error: e })?;
    let pipeline = tarjama::pipeline::load_pipeline(&args.model)?;
    let record = tarjama::pipeline::translate_articles(std::slice::from_ref(&article), &pipeline)
        .and_then(|mut records| records.pop().context("no record produced"))
        .map_err(|e| Failure { code: 1, error: e })?;
    let out = if args.json {
        record
            .to_json()
            .map_err(|e| Failure { code: 1, error: e })?
    } else {
        let paragraphs: Vec<&str> = record
            .paragraphs
            .iter()
            .map(|p| p.translation.as_str())
            .collect();
        format!("{}\n", paragraphs.join("\n\n")).into_bytes()
    };
    print_stdout(&out)
}

/// Writes to stdout; a reader that went away (`| head`) is not an error.
fn print_stdout(bytes: &[u8]) -> Outcome {
    let mut stdout = std::io::stdout().lock();
    match stdout.write_all(bytes).and_then(|_| stdout.flush()) {
        Ok(()) => Ok(0),
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(0),
        Err(e) => Err(Failure {
            code: 1,
            error: anyhow::Error::new(e).context("cannot write to standard output"),
        }),
    }
}

fn verify_command(out: &Path) -> Outcome {
    let report = tarjama::output::verify::verify(out).map_err(Failure::config)?;
    let mut text = String::new();
    for problem in &report.problems {
        text.push_str(problem);
        text.push('\n');
    }
    text.push_str(&format!(
        "{} record(s) checked, {} problem(s)\n",
        report.checked,
        report.problems.len()
    ));
    print_stdout(text.as_bytes())?;
    Ok(u8::from(!report.problems.is_empty()))
}

fn models_command(command: ModelsCommand) -> Outcome {
    let (names, catalog, fetch) = match command {
        ModelsCommand::List { catalog } => {
            let loaded = cli::load_catalog(catalog.as_deref()).map_err(Failure::config)?;
            let mut text = String::new();
            for (name, profile) in &loaded.catalog.profiles {
                text.push_str(&format!(
                    "profile {name}: {} — {}\n",
                    profile.translator, profile.description
                ));
            }
            for (name, model) in &loaded.catalog.models {
                text.push_str(&format!(
                    "model {name}: {} @ {} ({} files)\n",
                    model.repo,
                    model.revision,
                    model.files.len()
                ));
            }
            return print_stdout(text.as_bytes());
        }
        ModelsCommand::Fetch { names, catalog } => (names, catalog, true),
        ModelsCommand::Verify { names, catalog } => (names, catalog, false),
    };
    let loaded = cli::load_catalog(catalog.as_deref()).map_err(Failure::config)?;
    if !fetch {
        // Checking must never download.
        std::env::set_var("HF_HUB_OFFLINE", "1");
    }
    let names: Vec<String> = if names.is_empty() {
        loaded.catalog.models.keys().cloned().collect()
    } else {
        names
    };
    let store = ModelStore::new(loaded.dir.clone());
    let mut lock = HashLock::open(loaded.lock_path.clone()).map_err(Failure::config)?;
    let mut failed = false;
    for name in &names {
        let entry = loaded.catalog.model(name).map_err(Failure::config)?;
        match store.resolve(name, entry, &mut lock) {
            Ok(resolved) => println!(
                "{name}: ok ({} files checked)",
                resolved.fingerprint.files.len()
            ),
            Err(e) => {
                failed = true;
                eprintln!("tarjama: {name}: {e:#}");
            }
        }
    }
    if failed {
        Err(Failure::model(anyhow::anyhow!(
            "some models are not available"
        )))
    } else {
        Ok(0)
    }
}

fn bench_command(args: cli::BenchArgs) -> Outcome {
    cli::set_jobs(args.threads);
    let inputs = tarjama::bench::BenchInputs::read(&args.inputs).map_err(Failure::config)?;
    let settings = tarjama::bench::MarianBenchSettings {
        beams: args.beams.max(1),
        batch: args.batch,
        output_tokens: args.output_tokens,
        precision: args.precision,
    };
    let result = tarjama::bench::bench_marian(&args.model_dir, &inputs, &settings)
        .map_err(Failure::model)?;
    println!("{}", serde_json::to_string(&result).expect("plain numbers"));
    Ok(0)
}

fn bench_llm_command(args: cli::BenchLlmArgs) -> Outcome {
    cli::set_jobs(args.threads);
    let result = tarjama::bench::bench_llm(&args.model, args.prompt_tokens, args.gen_tokens)
        .map_err(Failure::model)?;
    println!("{}", serde_json::to_string(&result).expect("plain numbers"));
    Ok(0)
}

/// The process's peak resident memory (Linux `VmHWM`), for the run's
/// closing line; `None` where /proc does not tell.
fn peak_memory_mib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kib: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib.div_ceil(1024))
}
