//! Outputs never overwrite records, and write into what they are given.

use std::fs;

use crate::{drawn_round, ok, refused, run};

/// A round drawn and fully recorded, ready to publish.
fn complete_round(tmp: &std::path::Path) -> std::path::PathBuf {
    let (round, ids) = drawn_round(tmp, "r", 8);
    for id in &ids {
        ok(Some(&round), &["record", "--id", id, "--pass"]);
    }
    round
}

#[test]
fn an_output_naming_a_record_of_the_round_is_refused_and_nothing_is_published() {
    let tmp = tempfile::tempdir().unwrap();
    let round = complete_round(tmp.path());
    let r = round.to_str().unwrap();
    let via_dots = format!("{r}/../r/manifest.json");
    let link = tmp.path().join("innocent.tsv");
    std::os::unix::fs::symlink(round.join("roster.tsv"), &link).unwrap();
    for target in [
        round.join("log.jsonl").to_str().unwrap(),
        &via_dots,
        link.to_str().unwrap(),
        round.join("sample.csv").to_str().unwrap(),
    ] {
        refused(
            &round,
            &["report", "--publish", "-o", target],
            "never replaces a file of the round's record",
        );
    }
    // Nothing was published: the same command to another file closes the round.
    let table = tmp.path().join("table.csv");
    ok(
        Some(&round),
        &[
            "report",
            "--publish",
            "--format",
            "csv",
            "-o",
            table.to_str().unwrap(),
        ],
    );
    assert!(fs::read_to_string(&table).unwrap().contains("合肥市"));
}

#[cfg(unix)]
#[test]
fn a_fifo_or_a_link_is_written_into_and_stays_what_it_was() {
    let tmp = tempfile::tempdir().unwrap();
    let round = complete_round(tmp.path());
    // A link to a regular file: the file is replaced, the link stays a link.
    let target = tmp.path().join("table.md");
    fs::write(&target, "old").unwrap();
    let link = tmp.path().join("latest.md");
    std::os::unix::fs::symlink(&target, &link).unwrap();
    ok(Some(&round), &["report", "-o", link.to_str().unwrap()]);
    assert!(
        fs::symlink_metadata(&link)
            .unwrap()
            .file_type()
            .is_symlink()
    );
    assert!(fs::read_to_string(&target).unwrap().contains("| 合肥市 |"));

    // A FIFO: a reader gets the table, and the FIFO is still a FIFO.
    let fifo = tmp.path().join("pipe");
    let made = std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .unwrap();
    assert!(made.success());
    let reader = {
        let fifo = fifo.clone();
        std::thread::spawn(move || fs::read_to_string(fifo).unwrap())
    };
    ok(Some(&round), &["report", "-o", fifo.to_str().unwrap()]);
    assert!(reader.join().unwrap().contains("| 合肥市 |"));
    use std::os::unix::fs::FileTypeExt;
    assert!(fs::symlink_metadata(&fifo).unwrap().file_type().is_fifo());

    // `-o -` is standard output.
    let o = run(Some(&round), &["report", "-o", "-"]);
    assert_eq!(o.code, 0, "{}", o.stderr);
    assert!(o.stdout.contains("| 合肥市 |"), "{}", o.stdout);
    assert!(!round.join("-").exists());
}

/// A refused step leaves nothing behind: no round directory from a refused
/// `init`, no manifest from a refused `draw`, no private key without its pair.
#[cfg(unix)]
#[test]
fn refused_steps_leave_nothing_behind() {
    let tmp = tempfile::tempdir().unwrap();
    let never = tmp.path().join("never");
    let missing = tmp.path().join("missing-order.csv");
    let o = run(
        None,
        &[
            "init",
            never.to_str().unwrap(),
            "--round",
            "r",
            "--population",
            "p",
            "--rate",
            "50%",
            "--order",
            missing.to_str().unwrap(),
        ],
    );
    assert_eq!(o.code, 2, "{}", o.stderr);
    assert!(!never.exists());

    // roster-columns.csv damaged after the seed: the draw is refused whole.
    let round = crate::seeded(tmp.path(), "r", crate::WORKED);
    fs::write(round.join("roster-columns.csv"), "id,region,name\nZZ,X,y\n").unwrap();
    refused(&round, &["draw"], "no longer matches roster.tsv");
    assert!(!round.join("manifest.json").exists());

    // keygen k with k.pub a dangling link: refused, and k is not made.
    let key = tmp.path().join("k");
    std::os::unix::fs::symlink(tmp.path().join("nowhere"), tmp.path().join("k.pub")).unwrap();
    let o = run(None, &["keygen", key.to_str().unwrap()]);
    assert_eq!(o.code, 2, "{}", o.stderr);
    assert!(fs::symlink_metadata(&key).is_err());
}

/// A roster re-commit cut off after its companions were written and before
/// its record: the companions are from another commit than the log's, and
/// the seed is refused (before, it was accepted and the draw then stuck).
#[test]
fn the_seed_is_refused_while_the_companions_are_from_another_commit() {
    let tmp = tempfile::tempdir().unwrap();
    let round = crate::init(tmp.path(), "r", &[]);
    let first = crate::write(
        tmp.path(),
        "first.csv",
        "id,region,name\nA1,合肥市,a\nA2,合肥市,b\n",
    );
    let second = crate::write(
        tmp.path(),
        "second.csv",
        "id,region,name\nA1,合肥市,x\nA2,合肥市,y\n",
    );
    let other = crate::init(tmp.path(), "other", &[]);
    ok(Some(&round), &["roster", first.to_str().unwrap()]);
    ok(Some(&other), &["roster", second.to_str().unwrap()]);
    // Same accounts, other descriptive columns: the count alone agrees.
    fs::copy(
        other.join("roster-columns.csv"),
        round.join("roster-columns.csv"),
    )
    .unwrap();
    refused(
        &round,
        &["seed", crate::SEED],
        "roster-columns.csv has sha256",
    );
    // A new commit mends it.
    ok(Some(&round), &["roster", first.to_str().unwrap()]);
    ok(Some(&round), &["seed", crate::SEED]);
}

/// A 2 MB header without an id column: refused, naming the line, without
/// echoing the header whole.
#[test]
fn a_hostile_header_is_refused_without_being_echoed_whole() {
    let tmp = tempfile::tempdir().unwrap();
    let round = crate::init(tmp.path(), "r", &[]);
    let mut text = "x".repeat(2_000_000);
    for i in 0..100 {
        text.push_str(&format!(",column{i}"));
    }
    text.push_str("\na,b\n");
    let f = crate::write(tmp.path(), "big.csv", &text);
    let o = run(Some(&round), &["roster", f.to_str().unwrap()]);
    assert_eq!(o.code, 2, "{}", &o.stderr[..o.stderr.len().min(300)]);
    assert!(o.stderr.len() < 4096, "{} bytes of message", o.stderr.len());
    assert!(
        o.stderr.contains("line 1: no account id column"),
        "{}",
        o.stderr
    );
    assert!(o.stderr.contains("… (2000000)"), "{}", o.stderr);
    assert!(o.stderr.contains("(+71)"), "{}", o.stderr);
}

/// A quote never closed would make the rest of the roster one field and
/// its accounts vanish from the commitment: refused, naming its line. A
/// last record that ends without a line feed after a closed quoted field
/// holding a line break is still read.
#[test]
fn a_roster_quote_left_open_is_refused_not_committed_short() {
    let tmp = tempfile::tempdir().unwrap();
    let round = crate::init(tmp.path(), "r", &[]);
    let open = crate::write(
        tmp.path(),
        "open.csv",
        "id,region,name\nA1,X,a\nA2,X,\"open quote\nA3,Y,c\nA4,Y,d\n",
    );
    refused(
        &round,
        &["roster", open.to_str().unwrap()],
        "line 3: a quote opened on this line is never closed",
    );
    let closed = crate::write(
        tmp.path(),
        "closed.csv",
        "id,region,name\nA1,X,a\nA2,Y,\"two\nlines\"",
    );
    let out = ok(Some(&round), &["roster", closed.to_str().unwrap()]);
    assert!(out.contains("committed 2 accounts"), "{out}");
}
