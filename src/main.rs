//! The `tarjama` binary: parse → resolve → dispatch, then exit with the
//! command's code (see `tarjama::cli::exit`).

use std::process::ExitCode;

use clap::Parser;

use tarjama::cli::{self, Cli, Environment};

fn main() -> ExitCode {
    let command = Cli::parse().command;
    let settings = cli::resolve(command, &Environment::read());
    cli::use_threads(settings.threads);
    cli::keep_freed_memory();
    cli::finish(cli::dispatch(settings.action))
}
