//! The command line: what `main` does between parsing and exiting.
//!
//! - `args`: the clap definitions (flags, defaults, help texts);
//! - `settings`: flags resolved once, by a pure function, into typed
//!   settings, so the rest of the code never looks at arguments;
//! - `commands`: what each subcommand does and prints;
//! - `exit`: the exit codes, one enum that also writes the help's list;
//! - `threads`: the one place the thread count is set.
//!
//! What it is not: the work itself (`crate::run`, `crate::pipeline`,
//! `crate::brief`), which takes plain settings and knows nothing of flags.

pub mod args;
pub mod commands;
pub mod exit;
pub mod settings;
pub mod threads;

pub use args::Cli;
pub use commands::dispatch;
pub use exit::{finish, Exit, Failure};
pub use settings::{resolve, Environment, Settings};
pub use threads::{keep_freed_memory, use_threads};
