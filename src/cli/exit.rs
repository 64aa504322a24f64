//! Exit codes: one enum for the codes the program returns and for the
//! "Exit codes:" text under every `--help`, so the two cannot drift apart.
//!
//! What it is not: which error deserves which code — the commands decide
//! that (`super::commands`) when they build a [`Failure`].

use std::fmt::Write as _;
use std::process::ExitCode;

use crate::pipeline::LoadError;

/// How a command ended, as the shell sees it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Exit {
    /// 0
    Done,
    /// 1
    SomeFailed,
    /// 2 (clap exits with 2 on a bad command line too)
    BadConfiguration,
    /// 3
    ModelUnavailable,
    /// 4
    FolderLocked,
    /// 130, the shells' code for "stopped by SIGINT"
    Interrupted,
}

impl Exit {
    /// Every code, in the order `--help` lists them.
    const ALL: [Exit; 6] = [
        Exit::Done,
        Exit::SomeFailed,
        Exit::BadConfiguration,
        Exit::ModelUnavailable,
        Exit::FolderLocked,
        Exit::Interrupted,
    ];

    pub fn code(self) -> u8 {
        match self {
            Exit::Done => 0,
            Exit::SomeFailed => 1,
            Exit::BadConfiguration => 2,
            Exit::ModelUnavailable => 3,
            Exit::FolderLocked => 4,
            Exit::Interrupted => 130,
        }
    }

    /// What the code means, as `--help` says it.
    fn meaning(self) -> &'static str {
        match self {
            Exit::Done => "everything asked for was done",
            Exit::SomeFailed => "some articles failed (run, translate, merge), merge found a shard missing or unfinished, verify found stale or damaged records, or eval could not score an article it was given",
            Exit::BadConfiguration => "bad command line or configuration (unknown profile, unreadable models.toml)",
            Exit::ModelUnavailable => "the model could not be resolved or loaded (missing file, wrong SHA-256, bad config)",
            Exit::FolderLocked => "another run is writing to the output folder (run stops; see --wait)",
            Exit::Interrupted => "stopped by SIGINT/SIGTERM after finishing the articles in progress; run again to resume",
        }
    }

    /// `Done` unless `failed`, then `SomeFailed`.
    pub fn failed_if(failed: bool) -> Self {
        if failed {
            Exit::SomeFailed
        } else {
            Exit::Done
        }
    }
}

impl From<Exit> for ExitCode {
    fn from(exit: Exit) -> Self {
        ExitCode::from(exit.code())
    }
}

/// The "Exit codes:" section under `--help`, written from [`Exit`].
pub fn help_text() -> String {
    let mut text = String::from("Exit codes:");
    for exit in Exit::ALL {
        let _ = write!(text, "\n{:>3}  {}", exit.code(), exit.meaning());
    }
    text
}

/// An error with the exit code it deserves.
#[derive(Debug)]
pub struct Failure {
    pub exit: Exit,
    pub error: anyhow::Error,
}

impl Failure {
    pub fn failed(error: anyhow::Error) -> Self {
        Self {
            exit: Exit::SomeFailed,
            error,
        }
    }
    pub fn config(error: anyhow::Error) -> Self {
        Self {
            exit: Exit::BadConfiguration,
            error,
        }
    }
    pub fn model(error: anyhow::Error) -> Self {
        Self {
            exit: Exit::ModelUnavailable,
            error,
        }
    }
}

impl From<LoadError> for Failure {
    fn from(error: LoadError) -> Self {
        match error {
            LoadError::Settings(error) => Failure::config(error),
            LoadError::Model(error) => Failure::model(error),
        }
    }
}

/// Ends the program: the exit code, and for a failure one line on stderr.
pub fn finish(outcome: Result<Exit, Failure>) -> ExitCode {
    match outcome {
        Ok(exit) => exit.into(),
        Err(failure) => {
            // One line for people: candle appends a backtrace to its errors
            // when RUST_BACKTRACE is set, which is not for them.
            let message = format!("{:#}", failure.error);
            eprintln!(
                "tarjama: error: {}",
                message.lines().next().unwrap_or_default()
            );
            failure.exit.into()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_help_text_lists_every_code_with_its_meaning() {
        let text = help_text();
        assert!(text.starts_with("Exit codes:\n  0  everything asked for was done\n"));
        assert!(text.ends_with("\n130  stopped by SIGINT/SIGTERM after finishing the articles in progress; run again to resume"));
        for exit in Exit::ALL {
            assert!(text.contains(&format!("{:>3}  ", exit.code())), "{exit:?}");
        }
    }
}
