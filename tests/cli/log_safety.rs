//! Issue: the log survives concurrent writers, crashes and tampering.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::{Duration, Instant};

use tempfile::TempDir;

use crate::*;

fn copy_round(from: &Path, to: &Path) {
    fs::create_dir_all(to).unwrap();
    for e in fs::read_dir(from).unwrap() {
        let p = e.unwrap().path();
        if p.is_file() {
            fs::copy(&p, to.join(p.file_name().unwrap())).unwrap();
        }
    }
}

#[test]
fn four_concurrent_writers_lose_and_double_nothing() {
    let tmp = TempDir::new().unwrap();
    let (round, ids) = drawn_round(tmp.path(), "r", 2000);
    assert_eq!(ids.len(), 1000);
    let before = fs::read_to_string(round.join("log.jsonl"))
        .unwrap()
        .lines()
        .count();
    std::thread::scope(|s| {
        for part in ids.chunks(250) {
            let round = round.clone();
            s.spawn(move || {
                for id in part {
                    let o = run(Some(&round), &["record", "--id", id, "--pass"]);
                    assert_eq!(o.code, 0, "{id}: {}", o.stderr);
                }
            });
        }
    });
    let check = ok(Some(&round), &["log", "check"]);
    assert!(
        check.contains(&format!("ok: {} lines", before + 1000)),
        "{check}"
    );
    let mut got: Vec<String> = log_records(&round, "result-recorded")
        .iter()
        .map(|r| r["id"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(got.len(), 1000);
    got.sort();
    let mut want = ids.clone();
    want.sort();
    assert_eq!(got, want, "every id exactly once");
}

/// What a kill left behind, judged against the log before the batch.
#[derive(Debug, PartialEq, Eq, Hash, Clone, Copy)]
enum AfterKill {
    Unchanged,
    WholeBatch,
    TornThenRepaired,
}

fn judge(round: &Path, base: &[u8], batch: usize, exited_ok: bool) -> AfterKill {
    let log_path = round.join("log.jsonl");
    let after = fs::read(&log_path).unwrap();
    assert!(
        after.starts_with(base),
        "the lines before the batch must never change"
    );
    if after == base {
        assert!(!exited_ok, "a batch that exited 0 must be in the log");
        return AfterKill::Unchanged;
    }
    let check = run(Some(round), &["log", "check"]);
    if check.code == 0 {
        let added = after[base.len()..].iter().filter(|&&b| b == b'\n').count();
        assert_eq!(
            added,
            batch + 1,
            "a log that checks holds the whole batch and its header"
        );
        return AfterKill::WholeBatch;
    }
    assert!(
        !exited_ok,
        "a batch that exited 0 left a damaged log: {}",
        check.stderr
    );
    assert_eq!(check.code, 1, "{}", check.stderr);
    assert!(
        check.stderr.contains("torn tail"),
        "log check must call it a torn tail: {}",
        check.stderr
    );
    let refused_append = run(Some(round), &["record", "--id", "anything", "--pass"]);
    assert_eq!(refused_append.code, 2);
    assert!(
        refused_append.stderr.contains("choucha log repair"),
        "{}",
        refused_append.stderr
    );
    let rep = run(Some(round), &["log", "repair"]);
    assert_eq!(rep.code, 0, "{}", rep.stderr);
    let mended = fs::read(&log_path).unwrap();
    if rep.stdout.contains("was a complete record") {
        // Cut just before the batch's final LF: the whole batch is there.
        assert_eq!(mended[..after.len()], after[..]);
        assert_eq!(mended.len(), after.len() + 1);
        ok(Some(round), &["log", "check"]);
        return AfterKill::WholeBatch;
    }
    assert!(mended.starts_with(base));
    let tail = String::from_utf8(mended[base.len()..].to_vec()).unwrap();
    assert_eq!(
        tail.lines().count(),
        1,
        "only the repaired record is added: {tail}"
    );
    assert!(tail.contains("\"type\":\"repaired\""));
    let side: Vec<PathBuf> = fs::read_dir(round)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| {
            p.file_name()
                .unwrap()
                .to_string_lossy()
                .starts_with("log.jsonl.torn-")
        })
        .collect();
    assert_eq!(side.len(), 1);
    assert_eq!(
        fs::read(&side[0]).unwrap(),
        &after[base.len()..],
        "the torn bytes are kept, not lost"
    );
    ok(Some(round), &["log", "check"]);
    AfterKill::TornThenRepaired
}

#[test]
fn sigkill_during_batches_leaves_the_log_whole_unchanged_or_repairable() {
    let kills = campaign_size("CHOUCHA_CRASH_KILLS", 50);
    let tmp = TempDir::new().unwrap();
    let (base_round, ids) = drawn_round(tmp.path(), "base", 20_000);
    assert_eq!(ids.len(), 10_000);
    let mut csv = String::from("id,verdict,reason\n");
    for (i, id) in ids.iter().enumerate() {
        csv.push_str(&if i % 97 == 0 {
            format!("{id},fail,NM_NOT_UPDATED\n")
        } else {
            format!("{id},pass,\n")
        });
    }
    let batch = write(tmp.path(), "batch.csv", &csv);
    let base = fs::read(base_round.join("log.jsonl")).unwrap();

    // Half the kills use slow appends (4 KiB chunks with pauses), so that many
    // land inside the write itself; the others hit whatever the timing gives.
    let spawn = |round: &Path, slow: bool| {
        let mut c = std::process::Command::new(assert_cmd::cargo::cargo_bin("choucha"));
        c.arg("-C")
            .arg(round)
            .arg("record")
            .arg(&batch)
            .stdout(Stdio::null())
            .stderr(Stdio::null());
        if slow {
            c.env("CHOUCHA_TEST_SLOW_APPEND", "4096");
        }
        c.spawn().unwrap()
    };
    let mut full_time = [Duration::ZERO; 2];
    for (i, slow) in [false, true].into_iter().enumerate() {
        let r = tmp.path().join(format!("timing{i}"));
        copy_round(&base_round, &r);
        let t = Instant::now();
        assert!(spawn(&r, slow).wait().unwrap().success());
        full_time[i] = t.elapsed();
        assert_eq!(judge(&r, &base, ids.len(), true), AfterKill::WholeBatch);
    }
    eprintln!(
        "an uninterrupted batch takes {:?} (slow appends {:?})",
        full_time[0], full_time[1]
    );

    let mut rng = TestRng::from_env(20230822);
    let mut seen = std::collections::HashMap::new();
    for k in 0..kills {
        let slow = k % 2 == 1;
        let r = tmp.path().join(format!("kill{k}"));
        copy_round(&base_round, &r);
        let window = full_time[slow as usize].as_micros() as u64 + 1;
        let delay = Duration::from_micros(rng.below(window));
        let mut child = spawn(&r, slow);
        std::thread::sleep(delay);
        let _ = child.kill();
        let status = child.wait().unwrap();
        let outcome = judge(&r, &base, ids.len(), status.success());
        *seen.entry(outcome).or_insert(0) += 1;
        fs::remove_dir_all(&r).unwrap();
    }
    eprintln!("{kills} kills: {seen:?}");
    // The campaign must actually have cut appends, or it tested nothing.
    if kills >= 20 {
        assert!(
            seen.get(&AfterKill::TornThenRepaired).copied().unwrap_or(0) > 0,
            "no kill landed inside a write: {seen:?}"
        );
    }
}

/// A round whose log has exactly `lines` lines (results recorded in batches).
fn log_of(tmp: &Path, lines: usize) -> PathBuf {
    let (round, ids) = drawn_round(tmp, "tamper", 2 * lines);
    let have = fs::read_to_string(round.join("log.jsonl"))
        .unwrap()
        .lines()
        .count();
    // Singles for the last few lines, one batch (header + n) for the rest.
    let n = lines - have - 1 - 3;
    let mut csv = String::from("id,verdict\n");
    for id in &ids[..n] {
        csv.push_str(&format!("{id},pass\n"));
    }
    let f = write(tmp, "t.csv", &csv);
    ok(Some(&round), &["record", f.to_str().unwrap()]);
    for id in &ids[n..n + 3] {
        ok(Some(&round), &["record", "--id", id, "--pass"]);
    }
    assert_eq!(
        fs::read_to_string(round.join("log.jsonl"))
            .unwrap()
            .lines()
            .count(),
        lines
    );
    round
}

/// Runs `log check` on altered log text and returns the line it names.
fn first_bad_line(round: &Path, text: &[u8]) -> u64 {
    fs::write(round.join("log.jsonl"), text).unwrap();
    let o = run(Some(round), &["log", "check"]);
    assert_eq!(o.code, 1, "tampering went unnoticed: {}", o.stdout);
    let at = o.stderr.find("FAILED at line ").expect("names a line") + "FAILED at line ".len();
    o.stderr[at..].split(':').next().unwrap().parse().unwrap()
}

#[test]
fn tampering_with_a_200_line_log_is_caught_at_the_first_bad_line() {
    let tmp = TempDir::new().unwrap();
    let round = log_of(tmp.path(), 200);
    let good = fs::read(round.join("log.jsonl")).unwrap();
    let lines: Vec<&[u8]> = good.split_inclusive(|&b| b == b'\n').collect();
    assert_eq!(lines.len(), 200);
    let starts: Vec<usize> = lines
        .iter()
        .scan(0, |p, l| {
            let s = *p;
            *p += l.len();
            Some(s)
        })
        .collect();
    let line_of = |byte: usize| starts.partition_point(|&s| s <= byte);

    // Every single-byte change of every line but the last, in-process: each is caught.
    let last_start = starts[199];
    for i in 0..last_start {
        let mut bad = good.clone();
        bad[i] ^= 0x20;
        let d = choucha::log::chain::parse_log(bad)
            .expect_err(&format!("byte {i} (line {}) changed unnoticed", line_of(i)));
        let l = line_of(i) as u64;
        assert!(
            d.line == l || d.line == l + 1,
            "byte {i} of line {l}: reported line {}",
            d.line
        );
    }

    // Every deletion and duplication of a line, and every swap of two lines,
    // in-process: each is caught at the first line that no longer chains
    // (deleting the last line is cutting the end: see below).
    let parse = |ls: &[&[u8]]| {
        choucha::log::chain::parse_log(ls.concat())
            .err()
            .map(|d| d.line)
    };
    for i in 0..199 {
        let mut ls = lines.clone();
        ls.remove(i);
        assert_eq!(parse(&ls), Some(i as u64 + 1), "deleted line {}", i + 1);
    }
    for i in 0..200 {
        let mut ls = lines.clone();
        ls.insert(i, lines[i]);
        assert_eq!(parse(&ls), Some(i as u64 + 2), "duplicated line {}", i + 1);
    }
    for i in 0..200 {
        for j in i + 1..200 {
            let mut ls = lines.clone();
            ls.swap(i, j);
            assert_eq!(
                parse(&ls),
                Some(i as u64 + 1),
                "swapped lines {} and {}",
                i + 1,
                j + 1
            );
        }
    }

    // Through the CLI: a sample of changes, deletions, duplications and swaps.
    let mut rng = TestRng::from_env(7);
    let join = |ls: &[&[u8]]| ls.concat();
    for _ in 0..12 {
        let i = rng.below(last_start as u64) as usize;
        let mut bad = good.clone();
        bad[i] = if bad[i] == b'7' { b'8' } else { b'7' };
        if bad[i] == good[i] {
            continue;
        }
        let l = line_of(i) as u64;
        let named = first_bad_line(&round, &bad);
        assert!(
            named == l || named == l + 1,
            "changed line {l}, named {named}"
        );
    }
    for _ in 0..8 {
        let i = rng.below(199) as usize; // not the last line: cutting the end is not detectable
        let mut ls = lines.clone();
        ls.remove(i);
        assert_eq!(
            first_bad_line(&round, &join(&ls)),
            i as u64 + 1,
            "deleted line {}",
            i + 1
        );
        let mut ls = lines.clone();
        ls.insert(i, lines[i]);
        assert_eq!(
            first_bad_line(&round, &join(&ls)),
            i as u64 + 2,
            "duplicated line {}",
            i + 1
        );
        let j = i + 1 + rng.below((200 - i - 1) as u64) as usize;
        let mut ls = lines.clone();
        ls.swap(i, j);
        assert_eq!(
            first_bad_line(&round, &join(&ls)),
            i as u64 + 1,
            "swapped lines {} and {}",
            i + 1,
            j + 1
        );
    }
    // Cutting whole appends off the end leaves a valid shorter chain (SPEC.md §5):
    // only a published head or a signed checkpoint shows it. Cutting into a
    // batch is seen, by its header's count.
    fs::write(round.join("log.jsonl"), join(&lines[..198])).unwrap();
    let o = ok(Some(&round), &["log", "check"]);
    assert!(o.contains("ok: 198 lines"), "{o}");
    assert_eq!(
        first_bad_line(&round, &join(&lines[..150])),
        5,
        "the batch header is line 5"
    );
}

#[test]
fn repair_refuses_damage_that_is_not_a_torn_tail() {
    let tmp = TempDir::new().unwrap();
    let (round, ids) = drawn_round(tmp.path(), "r", 8);
    ok(Some(&round), &["record", "--id", &ids[0], "--pass"]);
    let nothing = ok(Some(&round), &["log", "repair"]);
    assert!(nothing.contains("nothing to repair"), "{nothing}");
    let log = round.join("log.jsonl");
    let good = fs::read_to_string(&log).unwrap();
    fs::write(
        &log,
        good.replacen("\"verdict\":\"pass\"", "\"verdict\":\"fail\"", 1)
            .replacen("\"seq\":3", "\"seq\":9", 1),
    )
    .unwrap();
    refused(&round, &["log", "repair"], "not a torn tail");
    // A torn tail is set aside; the next record chains on.
    fs::write(&log, format!("{good}{{\"seq\":5,\"prev\":\"ab")).unwrap();
    ok(Some(&round), &["log", "repair"]);
    ok(Some(&round), &["record", "--id", &ids[1], "--pass"]);
    let check = ok(Some(&round), &["log", "check"]);
    assert!(check.contains("last: result-recorded"), "{check}");
}

/// The code blocks of SPEC.md §5 (Python, and a shell loop around sha256sum)
/// are the contract an auditor runs: they must agree with `log check`.
#[test]
fn the_chain_checks_printed_in_the_spec_agree_with_log_check() {
    let spec = fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("SPEC.md")).unwrap();
    let block = |lang: &str| -> String {
        let start = spec
            .find("Checking the chain needs nothing")
            .expect("§5 chain check");
        let from = spec[start..].find(&format!("```{lang}\n")).unwrap() + start + lang.len() + 4;
        let to = spec[from..].find("```").unwrap() + from;
        spec[from..to].to_string()
    };
    let tmp = TempDir::new().unwrap();
    let (round, ids) = drawn_round(tmp.path(), "r", 40);
    let f = write(
        tmp.path(),
        "b.csv",
        &format!("id,verdict\n{},pass\n{},pass\n", ids[0], ids[1]),
    );
    ok(Some(&round), &["record", f.to_str().unwrap()]);
    ok(
        Some(&round),
        &[
            "record",
            "--id",
            &ids[2],
            "--fail",
            "NM_NOT_UPDATED",
            "--note",
            "引号\"和\\反斜杠",
        ],
    );
    let check = ok(Some(&round), &["log", "check"]);
    let head = check
        .lines()
        .find_map(|l| l.strip_prefix("head: "))
        .unwrap()
        .to_string();
    let lines = check
        .lines()
        .find_map(|l| l.strip_prefix("ok: "))
        .unwrap()
        .trim_end_matches(" lines")
        .to_string();
    let want = format!("{lines} lines, head {head}");

    let log = round.join("log.jsonl");
    // Each check's stdout and stderr, or None where python3 is missing.
    let python = || {
        std::process::Command::new("python3")
            .arg("-c")
            .arg(block("python"))
            .arg(&log)
            .output()
            .ok()
    };
    let shell = || {
        std::process::Command::new("sh")
            .arg("-c")
            .arg(block("sh"))
            .current_dir(&round)
            .output()
            .unwrap()
    };
    let text = |b: &[u8]| String::from_utf8_lossy(b).trim().to_string();
    match python() {
        Some(o) => assert_eq!(text(&o.stdout), want, "{}", text(&o.stderr)),
        None => eprintln!("python3 not found: the spec's Python check was not run"),
    }
    let sh = shell();
    assert_eq!(text(&sh.stdout), want, "{}", text(&sh.stderr));

    // And both see a changed line.
    let changed = fs::read_to_string(&log).unwrap().replacen(
        "\"verdict\":\"pass\"",
        "\"verdict\":\"fail\"",
        1,
    );
    fs::write(&log, changed).unwrap();
    let sh = shell();
    assert!(
        text(&sh.stdout).contains("does not chain"),
        "{}",
        text(&sh.stdout)
    );
    if let Some(o) = python() {
        assert!(!o.status.success() && text(&o.stderr).contains("does not chain"));
    }
}

/// A log line must be UTF-8 (SPEC.md §5: what `json.loads` takes of the
/// bytes): a raw 0xFF inside a string of the last line, the chain holding
/// otherwise, is refused by `log check` and by `verify`, naming the line.
#[test]
fn a_byte_not_utf8_in_a_note_is_refused_by_log_check_and_verify() {
    let tmp = TempDir::new().unwrap();
    let (round, ids) = drawn_round(tmp.path(), "r", 40);
    ok(
        Some(&round),
        &[
            "record",
            "--id",
            &ids[0],
            "--pass",
            "--note",
            "note-xyz-note",
        ],
    );
    // Unpublished, the round fails verify's report check, but not its chain.
    let before = run(Some(&round), &["verify"]);
    assert!(!before.stdout.contains("UTF-8"), "{}", before.stdout);
    let path = round.join("log.jsonl");
    let mut log = fs::read(&path).unwrap();
    let last = log.iter().filter(|&&b| b == b'\n').count();
    let at = log
        .windows(7)
        .rposition(|w| w == b"note-xy")
        .expect("the note is in the last line");
    assert!(
        at > log[..log.len() - 1]
            .iter()
            .rposition(|&b| b == b'\n')
            .unwrap()
    );
    log[at + 5] = 0xff;
    fs::write(&path, &log).unwrap();
    let check = run(Some(&round), &["log", "check"]);
    assert_eq!(check.code, 1, "{}", check.stdout);
    assert!(
        check.stderr.contains(&format!("FAILED at line {last}:")),
        "{}",
        check.stderr
    );
    assert!(check.stderr.contains("UTF-8"), "{}", check.stderr);
    let verify = run(Some(&round), &["verify"]);
    assert_eq!(verify.code, 1, "{}", verify.stdout);
    let said = format!("{}{}", verify.stdout, verify.stderr);
    assert!(said.contains(&format!("line {last}:")), "{said}");
    assert!(said.contains("UTF-8"), "{said}");
}

/// tests/vectors/log (see its README): `log check` accepts each `ok_*` log
/// and refuses each `fail_*` log at its last line, as SPEC.md §5's Python
/// check does (run here too where python3 is found).
#[test]
fn log_vectors_are_accepted_or_refused_as_named() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/vectors/log");
    let mut names: Vec<PathBuf> = fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "jsonl"))
        .collect();
    names.sort();
    assert!(names.len() >= 5, "{names:?}");
    let tmp = TempDir::new().unwrap();
    for path in &names {
        let name = path.file_name().unwrap().to_str().unwrap();
        let bytes = fs::read(path).unwrap();
        let lines = bytes.iter().filter(|&&b| b == b'\n').count();
        let round = tmp.path().join(name);
        fs::create_dir_all(&round).unwrap();
        fs::write(round.join("log.jsonl"), &bytes).unwrap();
        let o = run(Some(&round), &["log", "check"]);
        if name.starts_with("ok_") {
            assert_eq!(o.code, 0, "{name}: {}", o.stderr);
            assert!(o.stdout.contains(&format!("ok: {lines} lines")), "{name}");
        } else {
            assert!(name.starts_with("fail_"), "{name}");
            assert_eq!(o.code, 1, "{name}: {}", o.stdout);
            assert!(
                o.stderr.contains(&format!("FAILED at line {lines}:")),
                "{name}: {}",
                o.stderr
            );
        }
    }
}

// The trust issue: repair removes no record, an empty log is no round,
// round files that are symbolic links are refused, a failing disk tears
// nothing.

fn side_files(round: &Path) -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = fs::read_dir(round)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| {
            p.file_name()
                .unwrap()
                .to_string_lossy()
                .starts_with("log.jsonl.torn-")
        })
        .collect();
    v.sort();
    v
}

#[test]
fn repair_completes_a_seed_line_missing_only_its_lf_and_a_second_seed_stays_refused() {
    let tmp = TempDir::new().unwrap();
    let round = seeded(tmp.path(), "r", WORKED);
    let log_path = round.join("log.jsonl");
    let whole = fs::read(&log_path).unwrap();
    assert!(String::from_utf8_lossy(&whole).trim_end().ends_with('}'));
    fs::write(&log_path, &whole[..whole.len() - 1]).unwrap();
    let o = run(Some(&round), &["log", "check"]);
    assert_eq!(o.code, 1, "{}", o.stderr);
    let out = ok(Some(&round), &["log", "repair"]);
    assert!(
        out.contains("line 3 was a complete record without its line feed"),
        "{out}"
    );
    assert_eq!(fs::read(&log_path).unwrap(), whole, "only the LF is added");
    assert!(side_files(&round).is_empty(), "nothing is set aside");
    ok(Some(&round), &["log", "check"]);
    refused(
        &round,
        &["seed", "99999999999999999999", "--source", "dice again"],
        "",
    );
    assert_eq!(log_records(&round, "seed-revealed").len(), 1);
}

#[test]
fn repair_refuses_a_torn_first_line_and_completes_a_whole_one() {
    let tmp = TempDir::new().unwrap();
    let round = init(tmp.path(), "r", &[]);
    let log_path = round.join("log.jsonl");
    let whole = fs::read(&log_path).unwrap();
    // A round-opened line cut in the middle: repair would empty the log.
    fs::write(&log_path, &whole[..whole.len() / 2]).unwrap();
    refused(&round, &["log", "repair"], "round-opened line");
    assert_eq!(fs::read(&log_path).unwrap(), &whole[..whole.len() / 2]);
    // The whole round-opened line without its LF is completed.
    fs::write(&log_path, &whole[..whole.len() - 1]).unwrap();
    let out = ok(Some(&round), &["log", "repair"]);
    assert!(out.contains("line 1 was a complete record"), "{out}");
    assert_eq!(fs::read(&log_path).unwrap(), whole);
    assert!(side_files(&round).is_empty());
}

#[test]
fn two_repairs_in_one_second_keep_two_side_files_and_verify_reports_both() {
    let tmp = TempDir::new().unwrap();
    let (round, ids) = drawn_round(tmp.path(), "r", 40);
    let log_path = round.join("log.jsonl");
    let mut torn = Vec::new();
    for fragment in [&b"{\"seq\":9,\"prev\":\"ab"[..], b"{\"seq\""] {
        let mut bytes = fs::read(&log_path).unwrap();
        bytes.extend_from_slice(fragment);
        fs::write(&log_path, &bytes).unwrap();
        let o = run(Some(&round), &["log", "repair"]);
        assert_eq!(o.code, 0, "{}", o.stderr);
        assert!(o.stdout.contains("moved the torn tail"), "{}", o.stdout);
        torn.push(fragment.to_vec());
    }
    let sides = side_files(&round);
    assert_eq!(sides.len(), 2, "{sides:?}");
    let held: Vec<Vec<u8>> = sides.iter().map(|p| fs::read(p).unwrap()).collect();
    assert!(held.contains(&torn[0]) && held.contains(&torn[1]));
    for r in log_records(&round, "repaired") {
        let name = r["moved_to"].as_str().unwrap();
        assert!(round.join(name).is_file(), "{name}");
    }
    ok(Some(&round), &["log", "check"]);
    ok(Some(&round), &["record", "--id", &ids[0], "--pass"]);
    let v = run(None, &["verify", round.to_str().unwrap()]);
    let repairs: Vec<&str> = v
        .stdout
        .lines()
        .filter(|l| l.starts_with("ok      repairs:"))
        .collect();
    assert_eq!(repairs.len(), 2, "{}", v.stdout);
    assert!(repairs[0].contains("torn tail only"), "{}", v.stdout);
    assert!(!v.stdout.contains("FAILED  repairs"), "{}", v.stdout);
}

#[test]
fn a_torn_batch_whose_last_line_is_whole_is_cut_from_its_header() {
    let tmp = TempDir::new().unwrap();
    let (round, ids) = drawn_round(tmp.path(), "r", 40);
    let log_path = round.join("log.jsonl");
    let base = fs::read(&log_path).unwrap();
    let csv = format!(
        "id,verdict\n{},pass\n{},pass\n{},pass\n",
        ids[0], ids[1], ids[2]
    );
    let f = write(tmp.path(), "b.csv", &csv);
    ok(Some(&round), &["record", f.to_str().unwrap()]);
    let full = fs::read(&log_path).unwrap();
    // Header and two of three results, the second without its LF.
    let tail = &full[base.len()..];
    let third = tail
        .iter()
        .enumerate()
        .filter(|(_, b)| **b == b'\n')
        .nth(2)
        .unwrap()
        .0;
    fs::write(&log_path, &full[..base.len() + third]).unwrap();
    let out = ok(Some(&round), &["log", "repair"]);
    assert!(out.contains("moved the torn tail"), "{out}");
    let sides = side_files(&round);
    assert_eq!(sides.len(), 1);
    assert_eq!(fs::read(&sides[0]).unwrap(), &tail[..third]);
    let mended = fs::read(&log_path).unwrap();
    assert!(mended.starts_with(&base));
    assert_eq!(log_records(&round, "result-recorded").len(), 0);
    let v = run(None, &["verify", round.to_str().unwrap()]);
    assert!(v.stdout.contains("ok      repairs:"), "{}", v.stdout);
}

/// What an earlier `log repair` did to a seed line missing its LF: moved
/// it to a side file and recorded that, so that another seed was accepted.
#[test]
fn verify_fails_a_repair_that_cut_a_whole_seed_line() {
    let tmp = TempDir::new().unwrap();
    let round = seeded(tmp.path(), "r", WORKED);
    let mut lines = log_lines(&round);
    let seed_at = index_of(&lines, "seed-revealed");
    let seed_line = lines[seed_at].clone();
    let name = "log.jsonl.torn-2026-01-01T000000Z";
    fs::write(round.join(name), &seed_line).unwrap();
    let sha = choucha::base::digest::sha256_hex(seed_line.as_bytes());
    lines[seed_at] = format!(
        "{{\"seq\":{seed_at},\"prev\":\"{}\",\"type\":\"repaired\",\"at\":\"2026-01-01T00:00:00Z\",\"moved_to\":\"{name}\",\"bytes\":{},\"sha256\":\"{sha}\",\"from_line\":{}}}",
        "0".repeat(64),
        seed_line.len(),
        seed_at + 1
    );
    lines.truncate(seed_at + 1);
    forge(&round, &mut lines, seed_at);
    ok(
        Some(&round),
        &["seed", "11111111111111111111", "--source", "again"],
    );
    ok(Some(&round), &["draw"]);
    let v = run(None, &["verify", round.to_str().unwrap()]);
    assert_eq!(v.code, 1, "{}{}", v.stdout, v.stderr);
    assert!(
        v.stdout.contains("FAILED  repairs:") && v.stdout.contains("repair cut a record"),
        "{}",
        v.stdout
    );
    // A side file altered to hide it no longer holds the recorded bytes.
    fs::write(round.join(name), "{\"seq\":2,\"pr").unwrap();
    let v = run(None, &["verify", round.to_str().unwrap()]);
    assert_eq!(v.code, 1);
    assert!(v.stdout.contains("does not hold the"), "{}", v.stdout);
}

#[test]
fn an_empty_log_is_no_round() {
    let tmp = TempDir::new().unwrap();
    let (round, _) = drawn_round(tmp.path(), "r", 40);
    fs::write(round.join("log.jsonl"), b"").unwrap();
    let o = run(Some(&round), &["log", "check"]);
    assert_eq!(o.code, 1, "{}{}", o.stdout, o.stderr);
    assert!(
        o.stderr
            .contains("log.jsonl is empty: a round's log begins with its round-opened line"),
        "{}",
        o.stderr
    );
    for args in [&["status"][..], &["log", "repair"], &["draw"]] {
        refused(&round, args, "is empty");
    }
    let v = run(None, &["verify", round.to_str().unwrap()]);
    assert_eq!(v.code, 1, "{}{}", v.stdout, v.stderr);
    assert!(v.stdout.contains("FAILED  chain"), "{}", v.stdout);
    assert!(v.stdout.contains("is empty"), "{}", v.stdout);
}

#[cfg(unix)]
#[test]
fn round_files_that_are_symbolic_links_are_refused() {
    let tmp = TempDir::new().unwrap();
    let (round, ids) = drawn_round(tmp.path(), "r", 40);
    ok(Some(&round), &["record", "--id", &ids[0], "--pass"]);
    let outside = tmp.path().join("outside.jsonl");
    fs::rename(round.join("log.jsonl"), &outside).unwrap();
    std::os::unix::fs::symlink(&outside, round.join("log.jsonl")).unwrap();
    for args in [&["log", "check"][..], &["status"], &["log", "repair"]] {
        refused(&round, args, "is a symbolic link");
    }
    fs::remove_file(round.join("log.jsonl")).unwrap();
    fs::rename(&outside, round.join("log.jsonl")).unwrap();
    let cdir = round.join("checkpoints");
    fs::create_dir_all(&cdir).unwrap();
    let elsewhere = write(tmp.path(), "cp", "not a checkpoint\n");
    std::os::unix::fs::symlink(&elsewhere, cdir.join("5")).unwrap();
    let o = run(Some(&round), &["prove", "--id", &ids[0]]);
    assert_eq!(o.code, 2, "{}", o.stderr);
    assert!(o.stderr.contains("is a symbolic link"), "{}", o.stderr);
}

/// A file size limit makes the write fail (EFBIG, with SIGXFSZ ignored)
/// partway through a batch: the log is cut back to its last whole line.
#[cfg(target_os = "linux")]
#[test]
fn a_write_that_fails_partway_leaves_the_log_as_it_was() {
    let tmp = TempDir::new().unwrap();
    let (round, ids) = drawn_round(tmp.path(), "r", 4000);
    let log_path = round.join("log.jsonl");
    let before = fs::read(&log_path).unwrap();
    let mut csv = String::from("id,verdict\n");
    for id in &ids {
        csv.push_str(&format!("{id},pass\n"));
    }
    let f = write(tmp.path(), "b.csv", &csv);
    // ulimit -f counts 1024-byte blocks: room for a few lines more only.
    let blocks = before.len() / 1024 + 2;
    let bin = assert_cmd::cargo::cargo_bin("choucha");
    let script = format!("ulimit -f {blocks}; trap '' XFSZ; exec \"$0\" -C \"$1\" record \"$2\"");
    let out = std::process::Command::new("bash")
        .args(["-c", &script])
        .arg(&bin)
        .arg(&round)
        .arg(&f)
        .env_remove("LANG")
        .env_remove("LC_ALL")
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("log.jsonl"), "{stderr}");
    assert_eq!(fs::read(&log_path).unwrap(), before, "nothing torn is left");
    ok(Some(&round), &["log", "check"]);
}
