//! The `lotrace` binary run as a user runs it, for the CLI tests: one runner with a fixed
//! operator name and no signing key from the environment, and the helpers that check it
//! succeeded.

#![allow(dead_code)] // each test file uses part of this module

use std::ffi::OsStr;
use std::process::{Command, Output};

use serde_json::Value;

/// Who the operations of the tests are recorded as (`LOTRACE_OPERATOR`).
pub const OPERATOR: &str = "cli-test";

/// Runs `lotrace --db DB ARGS...` as `OPERATOR`.
pub fn lotrace(db: impl AsRef<OsStr>, args: &[&str]) -> Output {
    lotrace_as(OPERATOR, db, args)
}

/// Runs `lotrace --db DB ARGS...` as `operator`.
pub fn lotrace_as(operator: &str, db: impl AsRef<OsStr>, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_lotrace"))
        .arg("--db")
        .arg(db)
        .args(args)
        .env("LOTRACE_LOG", "warn")
        .env("LOTRACE_OPERATOR", operator)
        .env_remove("LOTRACE_KEY_FILE")
        .output()
        .expect("the lotrace binary runs")
}

/// The words of a command line without quoting: for arguments without spaces.
pub fn words(line: &str) -> Vec<&str> {
    line.split_whitespace().collect()
}

/// The standard output of a run that must succeed.
pub fn ok(db: impl AsRef<OsStr>, args: &[&str]) -> String {
    succeeded(args, lotrace(db, args))
}

/// The standard output of `out`, a run of `args` that must have succeeded.
pub fn succeeded(args: &[&str], out: Output) -> String {
    assert!(
        out.status.success(),
        "{args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

/// The JSON a run that must succeed prints.
pub fn json(db: impl AsRef<OsStr>, args: &[&str]) -> Value {
    let text = ok(db, args);
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{args:?}: {e}: {text}"))
}
