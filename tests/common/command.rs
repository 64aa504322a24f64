//! The `tarjama` binary as the tests run it: always in a given folder, with
//! no standard input, and cut off from the machine's Hugging Face cache and
//! from the hub, so a test can only use the models it names (a fixture
//! checkpoint, or a catalogued model with a local `path`) and never a model
//! someone happened to download, nor start a download. Every test file runs
//! the binary through here; none needs looser isolation.

use std::ffi::OsStr;
use std::path::Path;
use std::process::{Command, Output, Stdio};

/// `tarjama` (no arguments yet) in `cwd`, isolated: `HF_HUB_OFFLINE=1`
/// whatever the environment says (tarjama then never builds a hub client,
/// so `HF_ENDPOINT` and tokens play no part), and `HF_HOME` — hf-hub's only
/// cache setting — at a folder inside `cwd` that does not exist, so the cache
/// is empty. Offline, nothing ever creates it; a test counting the entries
/// of `cwd` would see it if something did.
pub fn tarjama_command(cwd: &Path) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_tarjama"));
    command
        .current_dir(cwd)
        .stdin(Stdio::null())
        .env("HF_HUB_OFFLINE", "1")
        .env("HF_HOME", cwd.join("no-hf-home"));
    command
}

/// Runs `tarjama args…` in `cwd` (isolated as [`tarjama_command`]) to its
/// end and returns what it printed and its exit status.
pub fn tarjama(args: &[&str], cwd: &Path) -> Output {
    tarjama_command(cwd).args(args).output().unwrap()
}

/// `tarjama run in --out OUT --model-dir MODEL` in `cwd`: the run every
/// end-to-end test starts from; callers add their own flags.
pub fn run_command(cwd: &Path, out: impl AsRef<OsStr>, model: &Path) -> Command {
    let mut command = tarjama_command(cwd);
    command
        .args(["run", "in", "--out"])
        .arg(out)
        .arg("--model-dir")
        .arg(model);
    command
}

/// What the command wrote on standard error, as text.
pub fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// The command exited with 0; otherwise the test fails showing its stderr.
#[track_caller]
pub fn assert_success(output: &Output) {
    assert!(output.status.success(), "{}", stderr(output));
}
