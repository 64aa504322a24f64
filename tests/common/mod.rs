//! Helpers shared by the integration tests: where the fixtures are, work
//! folders to run in, the `tarjama` binary isolated from the machine's model
//! cache, and checks on an output folder. Each test file declares
//! `mod common;` and uses what it needs.
//!
//! Not a test binary (a folder with `mod.rs`, not `tests/common.rs`), and
//! not where assertions about tarjama's behaviour live: those stay in the
//! test files, which say what they check.

// Every test file is its own crate and uses only some of these helpers; the
// ones it leaves alone would be reported as dead code in that crate.
#[allow(dead_code)]
pub mod command;
#[allow(dead_code)]
pub mod encodings;
#[allow(dead_code)]
pub mod fixtures;
#[allow(dead_code)]
pub mod outputs;
#[allow(dead_code)]
pub mod random;
#[allow(dead_code)]
pub mod stories;
#[allow(dead_code)]
pub mod workspace;
