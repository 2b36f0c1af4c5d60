//! A closed or full standard output is no crash: `| head` ends quietly, a
//! full disk is said with exit 2, and a step that was committed stays so.

use std::process::Stdio;

use crate::{log_records, seeded};

/// Runs choucha with `stdout` as standard output; returns its exit code and stderr.
fn with_stdout(stdout: Stdio, args: &[&str]) -> (i32, String) {
    let mut c = std::process::Command::new(assert_cmd::cargo::cargo_bin("choucha"));
    c.env_remove("LANG")
        .env_remove("LC_ALL")
        .env_remove("LC_MESSAGES");
    let out = c
        .args(args)
        .stdout(stdout)
        .stderr(Stdio::piped())
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// A pipe whose reader is already gone: every write to it fails with EPIPE.
fn closed_pipe() -> Stdio {
    let (reader, writer) = std::io::pipe().unwrap();
    drop(reader);
    writer.into()
}

#[test]
fn a_reader_that_stopped_ends_the_output_quietly() {
    let tmp = tempfile::tempdir().unwrap();
    let round = seeded(tmp.path(), "r", crate::WORKED);
    let dir = round.to_str().unwrap();
    for args in [
        vec!["codes"],
        vec!["-C", dir, "status"],
        vec!["-C", dir, "report"],
    ] {
        let (code, stderr) = with_stdout(closed_pipe(), &args);
        // `report` before the draw is refused (2); the others hold (0).
        let want = if args.contains(&"report") { 2 } else { 0 };
        assert_eq!(code, want, "{args:?}: {stderr}");
        assert!(!stderr.contains("panicked"), "{args:?}: {stderr}");
    }
    // The draw is committed though nobody read what it printed.
    let (code, stderr) = with_stdout(closed_pipe(), &["-C", dir, "draw"]);
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(log_records(&round, "sample-drawn").len(), 1);
}

#[cfg(target_os = "linux")]
#[test]
fn a_full_stdout_is_said_and_the_step_stays_committed() {
    let full = || Stdio::from(std::fs::File::create("/dev/full").unwrap());
    let (code, stderr) = with_stdout(full(), &["codes"]);
    assert_eq!(code, 2, "{stderr}");
    assert!(
        stderr.contains("standard output could not be written"),
        "{stderr}"
    );
    assert!(!stderr.contains("panicked"), "{stderr}");

    let tmp = tempfile::tempdir().unwrap();
    let round = seeded(tmp.path(), "r", crate::WORKED);
    let (code, stderr) = with_stdout(full(), &["-C", round.to_str().unwrap(), "draw"]);
    assert_eq!(code, 2, "{stderr}");
    assert!(
        stderr.contains("a step it recorded stays in the log"),
        "{stderr}"
    );
    assert_eq!(log_records(&round, "sample-drawn").len(), 1);
}
