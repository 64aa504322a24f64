//! What each subcommand does with its settings, and what it prints.
//!
//! Each command returns the [`Exit`] it ended with, or a [`Failure`] that
//! carries its code; `super::exit::finish` turns either into the process's
//! exit code. What it is not: the work itself — the batch job is
//! `crate::run`, loading models `crate::pipeline`, the brief `crate::brief`.

use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use anyhow::Context;

use super::exit::{Exit, Failure};
use super::settings::{Action, MergeSettings, RunSettings, TranslateSettings, TranslateSource};
use crate::bench::{BenchInputs, MarianBenchSettings};
use crate::eval::tokenize::Tokenizer;
use crate::input::article::SourceArticle;
use crate::model_store::{HubAccess, Models};
use crate::output::lock::FolderLocked;
use crate::output::OutputFolder;
use crate::pipeline::{load_pipeline, translate_articles};
use crate::run::{self, MergeOutcome, RunConfig};
use crate::store::StoreOptions;
use crate::summarize::Summarizer;

pub type Outcome = Result<Exit, Failure>;

/// Carries out one command.
pub fn dispatch(action: Action) -> Outcome {
    match action {
        Action::Run(settings) => run_command(settings),
        Action::Merge(settings) => merge_command(settings),
        Action::Refuse(reason) => Err(Failure::config(anyhow::anyhow!(reason))),
        Action::Translate(settings) => translate_command(settings),
        Action::Verify { out, store } => verify_command(&OutputFolder::at(out), &store),
        Action::Brief { out, brief } => brief_command(&OutputFolder::at(out), brief, None),
        Action::Eval {
            out,
            refs,
            tokenizer,
            json,
        } => eval_command(&out, &refs, tokenizer, json),
        Action::ListModels { catalog } => list_models_command(catalog.as_deref()),
        Action::CheckModels {
            names,
            catalog,
            hub,
        } => check_models_command(names, catalog.as_deref(), hub),
        Action::BenchMarian {
            model_dir,
            inputs,
            settings,
        } => bench_command(&model_dir, &inputs, &settings),
        Action::BenchLlm {
            model,
            prompt_tokens,
            gen_tokens,
        } => bench_llm_command(&model, prompt_tokens, gen_tokens),
    }
}

fn run_command(settings: RunSettings) -> Outcome {
    let pipeline = load_pipeline(&settings.pipeline)?;
    let config = RunConfig {
        inputs: settings.inputs,
        out_dir: settings.out.clone(),
        force: settings.force,
        progress: settings.progress,
        when_locked: settings.when_locked,
        shard: settings.shard,
        stop: stop_on_signal(),
    };
    let summary = run::run(&config, &pipeline).map_err(|e| {
        let locked = e.downcast_ref::<FolderLocked>().is_some();
        Failure {
            exit: if locked {
                Exit::FolderLocked
            } else {
                Exit::SomeFailed
            },
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
    if let Some(reason) = &summary.lease_lost {
        eprintln!("tarjama: stopped: {reason}");
        return Ok(Exit::FolderLocked);
    }
    if let Some(reason) = &summary.stopped_by {
        eprintln!(
            "tarjama: stopped: the output folder takes no more writes ({}); {} article(s) not attempted; make room and run the same command again (finished records are kept)",
            reason.rsplit(": ").next().unwrap_or(reason),
            summary.interrupted
        );
        return Ok(Exit::SomeFailed);
    }
    if summary.interrupted > 0 {
        eprintln!(
            "tarjama: stopped with {} article(s) not done; run the same command again to finish them (finished records are kept)",
            summary.interrupted
        );
        return Ok(Exit::Interrupted);
    }
    let exit = Exit::failed_if(summary.failed > 0 || summary.manifest_error.is_some());
    if settings.write_brief {
        // The brief either succeeds (adding nothing to the exit code) or
        // fails the command.
        brief_command(
            &OutputFolder::at(settings.out),
            settings.brief,
            Some(&pipeline.summarizer),
        )?;
    }
    Ok(exit)
}

/// Joins the shards' manifest parts and writes the brief, as the end of
/// one run over all the inputs would. A shard that has not finished (or
/// ran over other inputs) is named, one line each, and nothing is
/// written: exit 1, so a scheduler's dependent step sees the night failed.
fn merge_command(settings: MergeSettings) -> Outcome {
    let folder = OutputFolder::at(settings.out.clone());
    let lock = folder.lock(settings.when_locked).map_err(|e| Failure {
        exit: if e.downcast_ref::<FolderLocked>().is_some() {
            Exit::FolderLocked
        } else {
            Exit::SomeFailed
        },
        error: e,
    })?;
    let outcome = run::merge_manifests(&folder).map_err(Failure::failed)?;
    let failed = match outcome {
        MergeOutcome::Incomplete(problems) => {
            for problem in &problems {
                eprintln!("tarjama: missing: {problem}");
            }
            return Err(Failure::failed(anyhow::anyhow!(
                "merge: {} problem(s) with the shards' parts in {}; nothing was written",
                problems.len(),
                settings.out
            )));
        }
        MergeOutcome::Merged {
            shards,
            lines,
            failed,
        } => {
            eprintln!(
                "tarjama: merged {shards} shard(s): {lines} input(s), {failed} failed, into {}",
                settings.out
            );
            failed
        }
    };
    // Every shard has finished: temp files left now are of killed writes.
    folder.remove_stale_temp_files();
    drop(lock);
    if settings.write_brief {
        let pipeline = load_pipeline(&settings.pipeline)?;
        brief_command(&folder, settings.brief, Some(&pipeline.summarizer))?;
    }
    Ok(Exit::failed_if(failed > 0))
}

/// The flag a run checks before each wave. The first SIGINT/SIGTERM lets
/// the articles in progress finish and be written; a second one stops at
/// once (atomic writes still leave no partial file).
fn stop_on_signal() -> Arc<AtomicBool> {
    let stop = Arc::new(AtomicBool::new(false));
    let flag = stop.clone();
    let _ = ctrlc::set_handler(move || {
        if flag.swap(true, Ordering::SeqCst) {
            std::process::exit(Exit::Interrupted.code().into());
        }
        eprintln!("tarjama: stopping after the articles in progress (again to stop now)");
    });
    stop
}

/// Writes the brief from the records in `out`; a record that cannot be
/// used is skipped with one line, and does not fail the brief. With the
/// run's summarizer, a language model may write merged summaries (cached).
fn brief_command(
    out: &OutputFolder,
    settings: crate::brief::BriefSettings,
    summarizer: Option<&Summarizer>,
) -> Outcome {
    let report = crate::brief::write_brief(out, settings, summarizer).map_err(Failure::failed)?;
    for line in &report.warnings {
        eprintln!("tarjama: warning: brief: {line}");
    }
    eprintln!("tarjama: {}", report.line(out));
    Ok(Exit::Done)
}

fn translate_command(settings: TranslateSettings) -> Outcome {
    let article = read_article(&settings.source).map_err(Failure::failed)?;
    let pipeline = load_pipeline(&settings.pipeline)?;
    let record = translate_articles(std::slice::from_ref(&article), &pipeline)
        .pop()
        .context("no record produced")
        .and_then(|record| record)
        .map_err(Failure::failed)?;
    let out = if settings.json {
        record.to_json().map_err(Failure::failed)?
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

fn read_article(source: &TranslateSource) -> anyhow::Result<SourceArticle> {
    match source {
        TranslateSource::Stdin => {
            let mut bytes = Vec::new();
            std::io::stdin()
                .read_to_end(&mut bytes)
                .context("cannot read standard input")?;
            SourceArticle::from_bytes(&PathBuf::from("stdin"), &bytes)
        }
        TranslateSource::File(path) => SourceArticle::load(path),
    }
}

/// Writes to stdout; a reader that went away (`| head`) is not an error.
fn print_stdout(bytes: &[u8]) -> Outcome {
    let mut stdout = std::io::stdout().lock();
    match stdout.write_all(bytes).and_then(|_| stdout.flush()) {
        Ok(()) => Ok(Exit::Done),
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(Exit::Done),
        Err(e) => Err(Failure::failed(
            anyhow::Error::new(e).context("cannot write to standard output"),
        )),
    }
}

fn verify_command(out: &OutputFolder, store: &StoreOptions) -> Outcome {
    let report = crate::output::verify::verify(out, store).map_err(Failure::config)?;
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
    Ok(Exit::failed_if(!report.problems.is_empty()))
}

/// Scores the records of `out` against the references in `refs`: the
/// table (or JSON) on stdout, one line per file left out on stderr. Exits
/// with 1 when a pair could not be scored or none could, with 2 when a
/// folder cannot be listed; records and references without a partner
/// are only named.
fn eval_command(out: &Path, refs: &Path, tokenizer: Tokenizer, json: bool) -> Outcome {
    let evaluation = crate::eval::evaluate(out, refs, tokenizer).map_err(Failure::config)?;
    let notices = evaluation
        .unusable_records
        .iter()
        .chain(&evaluation.skipped)
        .cloned()
        .chain(unpaired_line(
            "record(s) with no reference in",
            refs,
            &evaluation.records_without_reference,
        ))
        .chain(unpaired_line(
            "reference(s) with no record in",
            out,
            &evaluation
                .references_without_record
                .iter()
                .map(|p| p.display().to_string())
                .collect::<Vec<_>>(),
        ));
    for line in notices {
        eprintln!("tarjama: warning: eval: {line}");
    }
    if evaluation.articles.is_empty() {
        let error = if evaluation.skipped.is_empty() {
            anyhow::anyhow!(
                "no record in {} has a reference in {} (named <id>.txt)",
                out.display(),
                refs.display()
            )
        } else {
            anyhow::anyhow!("no article could be scored")
        };
        return Err(Failure::failed(error));
    }
    let text = if json {
        crate::eval::report::json(&evaluation)
    } else {
        crate::eval::report::table(&evaluation).into_bytes()
    };
    print_stdout(&text)?;
    eprintln!(
        "tarjama: scored {} article(s), skipped {}",
        evaluation.articles.len(),
        evaluation.skipped.len()
    );
    Ok(Exit::failed_if(!evaluation.skipped.is_empty()))
}

/// `3 record(s) with no reference in refs: a, b, c`, or nothing.
fn unpaired_line(what: &str, folder: &Path, names: &[String]) -> Option<String> {
    (!names.is_empty()).then(|| {
        format!(
            "{} {what} {}: {}",
            names.len(),
            folder.display(),
            names.join(", ")
        )
    })
}

fn list_models_command(catalog: Option<&Path>) -> Outcome {
    // Listing reads the catalog only; no file is looked for.
    let models = Models::open(catalog, HubAccess::CacheOnly).map_err(Failure::config)?;
    let mut text = String::new();
    for (name, profile) in &models.catalog().profiles {
        text.push_str(&format!(
            "profile {name}: {} — {}\n",
            profile.translator, profile.description
        ));
    }
    for (name, model) in &models.catalog().models {
        text.push_str(&format!(
            "model {name}: {} @ {} ({} files)\n",
            model.repo,
            model.revision,
            model.files.len()
        ));
    }
    print_stdout(text.as_bytes())
}

/// `models fetch` and `models verify`: resolves each model (every one in
/// the catalog when none is named), one line per model.
fn check_models_command(names: Vec<String>, catalog: Option<&Path>, hub: HubAccess) -> Outcome {
    let models = Models::open(catalog, hub).map_err(Failure::config)?;
    let names: Vec<String> = if names.is_empty() {
        models.catalog().models.keys().cloned().collect()
    } else {
        names
    };
    let mut failed = false;
    for name in &names {
        match models.model(name).map_err(Failure::config)?.resolve() {
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
        Ok(Exit::Done)
    }
}

fn bench_command(model_dir: &Path, inputs: &Path, settings: &MarianBenchSettings) -> Outcome {
    let inputs = BenchInputs::read(inputs).map_err(Failure::config)?;
    let result =
        crate::bench::bench_marian(model_dir, &inputs, settings).map_err(Failure::model)?;
    println!("{}", serde_json::to_string(&result).expect("plain numbers"));
    Ok(Exit::Done)
}

fn bench_llm_command(model: &Path, prompt_tokens: usize, gen_tokens: usize) -> Outcome {
    let result =
        crate::bench::bench_llm(model, prompt_tokens, gen_tokens).map_err(Failure::model)?;
    println!("{}", serde_json::to_string(&result).expect("plain numbers"));
    Ok(Exit::Done)
}

/// The process's peak resident memory (Linux `VmHWM`), for the run's
/// closing line; `None` where /proc does not tell.
fn peak_memory_mib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kib: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib.div_ceil(1024))
}
