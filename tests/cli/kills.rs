//! Trust issue, item 5: a SIGKILL at any moment of a step that writes more
//! than one file (`init`, `roster`, `draw`, `keygen`) leaves the old state
//! or the new one. The log is the commit point: files written before its
//! record either match the record that the log ends up holding, or are
//! refused before anything is built on them, and the same command run again
//! finishes the step with the bytes an uninterrupted run gives.
//!
//! `CHOUCHA_COMMIT_KILLS=N` runs N kills of each step (CI runs a few).

use std::collections::BTreeMap;
use std::fs;
use std::path::Path;
use std::process::Stdio;
use std::time::{Duration, Instant};

use tempfile::TempDir;

use crate::*;

fn copy_dir(from: &Path, to: &Path) {
    fs::create_dir_all(to).unwrap();
    for e in fs::read_dir(from).unwrap() {
        let p = e.unwrap().path();
        if p.is_file() {
            fs::copy(&p, to.join(p.file_name().unwrap())).unwrap();
        }
    }
}

fn roster_csv(n: usize, tag: &str) -> String {
    let mut csv = String::from("id,region,name\n");
    let strata = ["省直厅局", "合肥市", "亳州市", "黄山市"];
    for i in 0..n {
        csv.push_str(&format!(
            "{tag}{i:06},{},账号{i}\n",
            strata[i % strata.len()]
        ));
    }
    csv
}

/// Runs `choucha ARGS` and kills it after `delay` (it may have ended by then).
/// Returns whether it exited 0 on its own.
fn run_and_kill(dir: Option<&Path>, args: &[&str], delay: Duration) -> bool {
    let mut c = std::process::Command::new(assert_cmd::cargo::cargo_bin("choucha"));
    if let Some(d) = dir {
        c.arg("-C").arg(d);
    }
    let mut child = c
        .args(args)
        .env_remove("LANG")
        .env_remove("LC_ALL")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    std::thread::sleep(delay);
    let _ = child.kill();
    child.wait().unwrap().success()
}

/// How long one uninterrupted run takes, and a quarter more: kills are
/// spread over that window, so that some land after the end too.
fn timed(dir: Option<&Path>, args: &[&str]) -> Duration {
    let t = Instant::now();
    let o = run(dir, args);
    assert_eq!(o.code, 0, "{args:?}: {}", o.stderr);
    t.elapsed() * 5 / 4
}

/// The log holds, after setting aside a torn tail if the kill left one.
fn log_holds(round: &Path) {
    if run(Some(round), &["log", "check"]).code != 0 {
        ok(Some(round), &["log", "repair"]);
        ok(Some(round), &["log", "check"]);
    }
}

fn last_record(round: &Path, kind: &str) -> Option<serde_json::Value> {
    log_records(round, kind).pop()
}

#[derive(Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Seen {
    Old,
    New,
    /// Files of the new commit beside a log that holds the old one: refused
    /// until the step is run again.
    CutOffRefused,
    /// A draw's files written, its record not: the redraw writes them again.
    OldWithLeftovers,
}

#[test]
fn a_killed_roster_recommit_leaves_the_old_commitment_or_the_new_one() {
    let kills = campaign_size("CHOUCHA_COMMIT_KILLS", 8);
    let tmp = TempDir::new().unwrap();
    let base = init(tmp.path(), "base", &[]);
    let old_csv = write(tmp.path(), "old.csv", &roster_csv(20_000, "OLD"));
    let new_csv = write(tmp.path(), "new.csv", &roster_csv(20_000, "NEW"));
    ok(Some(&base), &["roster", old_csv.to_str().unwrap()]);
    let old_digest = sha256sum(&base.join("roster.tsv"));

    // What an uninterrupted re-commit, seed and draw give.
    let reference = tmp.path().join("reference");
    copy_dir(&base, &reference);
    let window = timed(Some(&reference), &["roster", new_csv.to_str().unwrap()]);
    let new_digest = sha256sum(&reference.join("roster.tsv"));
    ok(Some(&reference), &["seed", SEED, "--source", "dice"]);
    ok(Some(&reference), &["draw"]);
    let manifest = fs::read(reference.join("manifest.json")).unwrap();

    let mut rng = TestRng::from_env(20231001);
    let mut seen = BTreeMap::new();
    for k in 0..kills {
        let r = tmp.path().join(format!("kill{k}"));
        copy_dir(&base, &r);
        let delay = Duration::from_micros(rng.below(window.as_micros() as u64 + 1));
        let exited_ok = run_and_kill(Some(&r), &["roster", new_csv.to_str().unwrap()], delay);
        log_holds(&r);
        let committed = last_record(&r, "roster-committed").unwrap();
        let committed = committed["roster_sha256"].as_str().unwrap().to_string();
        assert!(
            committed == old_digest || committed == new_digest,
            "the log holds a roster that is neither: {committed}"
        );
        if exited_ok {
            assert_eq!(committed, new_digest, "an acknowledged commit was lost");
        }
        let outcome = if sha256sum(&r.join("roster.tsv")) != committed
            || run(Some(&r), &["status"]).code != 0
        {
            Seen::CutOffRefused
        } else if committed == new_digest {
            Seen::New
        } else {
            Seen::Old
        };
        // Whatever the files, the seed is accepted only over the files the log
        // holds: it is refused here or the draw that follows works.
        let before = fs::read(r.join("log.jsonl")).unwrap();
        let seed = run(Some(&r), &["seed", SEED, "--source", "dice"]);
        if seed.code == 0 {
            assert_ne!(outcome, Seen::CutOffRefused, "{}", seed.stderr);
            ok(Some(&r), &["draw"]);
        } else {
            assert_eq!(seed.code, 2, "{}", seed.stderr);
            assert!(seed.stderr.contains("roster"), "{}", seed.stderr);
            assert_eq!(fs::read(r.join("log.jsonl")).unwrap(), before);
            // Run again, the step finishes as an uninterrupted one does.
            ok(Some(&r), &["roster", new_csv.to_str().unwrap()]);
            ok(Some(&r), &["seed", SEED, "--source", "dice"]);
            ok(Some(&r), &["draw"]);
            assert!(fs::read(r.join("manifest.json")).unwrap() == manifest);
        }
        *seen.entry(outcome).or_insert(0) += 1;
        fs::remove_dir_all(&r).unwrap();
    }
    eprintln!("{kills} kills of roster: {seen:?}");
}

#[test]
fn a_killed_draw_leaves_the_round_undrawn_or_drawn_and_a_redraw_gives_the_same_files() {
    let kills = campaign_size("CHOUCHA_COMMIT_KILLS", 8);
    let tmp = TempDir::new().unwrap();
    let base = seeded(tmp.path(), "base", &roster_csv(20_000, "ID"));
    let reference = tmp.path().join("reference");
    copy_dir(&base, &reference);
    let window = timed(Some(&reference), &["draw"]);
    // The workbooks carry their time of writing; these two are the draw's.
    let files = ["manifest.json", "sample.csv"];
    let want: Vec<Vec<u8>> = files
        .iter()
        .map(|f| fs::read(reference.join(f)).unwrap())
        .collect();

    let mut rng = TestRng::from_env(20231002);
    let mut seen = BTreeMap::new();
    for k in 0..kills {
        let r = tmp.path().join(format!("kill{k}"));
        copy_dir(&base, &r);
        let delay = Duration::from_micros(rng.below(window.as_micros() as u64 + 1));
        let exited_ok = run_and_kill(Some(&r), &["draw"], delay);
        log_holds(&r);
        let outcome = match last_record(&r, "sample-drawn") {
            Some(drawn) => {
                assert_eq!(
                    drawn["manifest_sha256"].as_str().unwrap(),
                    sha256sum(&r.join("manifest.json")),
                    "the recorded draw's manifest is not the file"
                );
                Seen::New
            }
            None => {
                assert!(!exited_ok, "an acknowledged draw was lost");
                let leftovers = r.join("manifest.json").exists();
                ok(Some(&r), &["draw"]);
                if leftovers {
                    Seen::OldWithLeftovers
                } else {
                    Seen::Old
                }
            }
        };
        // Drawn now, with the bytes of an uninterrupted draw (the draw is a
        // function of the roster and the seed: a cut-off draw's leftovers are
        // what the redraw writes again).
        for (f, bytes) in files.iter().zip(&want) {
            assert!(&fs::read(r.join(f)).unwrap() == bytes, "{f} differs");
        }
        *seen.entry(outcome).or_insert(0) += 1;
        fs::remove_dir_all(&r).unwrap();
    }
    eprintln!("{kills} kills of draw: {seen:?}");
}

/// A key pair is whole when `sign` with one and `verify-signature` with the
/// other agree.
fn pair_works(dir: &Path, key: &Path) {
    let msg = write(dir, "msg.txt", "checkpoint\n");
    let k = key.to_str().unwrap();
    let pubf = format!("{k}.pub");
    ok(None, &["sign", msg.to_str().unwrap(), "--key", k]);
    ok(
        None,
        &["verify-signature", msg.to_str().unwrap(), "--pubkey", &pubf],
    );
}

#[test]
fn a_killed_keygen_leaves_no_key_the_pair_or_a_private_key_the_next_keygen_completes() {
    let kills = campaign_size("CHOUCHA_COMMIT_KILLS", 8) * 3;
    let tmp = TempDir::new().unwrap();
    let probe = tmp.path().join("probe");
    let window = timed(None, &["keygen", probe.to_str().unwrap()]);
    let mut rng = TestRng::from_env(20231003);
    let mut seen = BTreeMap::new();
    for k in 0..kills {
        let d = tmp.path().join(format!("kill{k}"));
        fs::create_dir_all(&d).unwrap();
        let key = d.join("office");
        let pubf = d.join("office.pub");
        let delay = Duration::from_micros(rng.below(window.as_micros() as u64 + 1));
        let exited_ok = run_and_kill(None, &["keygen", key.to_str().unwrap()], delay);
        let outcome = match (key.exists(), pubf.exists()) {
            (false, false) => {
                assert!(!exited_ok);
                ok(None, &["keygen", key.to_str().unwrap()]);
                "none"
            }
            (true, true) => "pair",
            (true, false) => {
                assert!(!exited_ok);
                let out = ok(None, &["keygen", key.to_str().unwrap()]);
                assert!(out.contains("was missing beside"), "{out}");
                "private only, completed"
            }
            (false, true) => panic!("a public key without its private key"),
        };
        pair_works(&d, &key);
        *seen.entry(outcome).or_insert(0) += 1;
    }
    eprintln!("{kills} kills of keygen: {seen:?}");
}

#[test]
fn a_killed_init_leaves_no_round_or_a_whole_one() {
    let kills = campaign_size("CHOUCHA_COMMIT_KILLS", 8) * 3;
    let tmp = TempDir::new().unwrap();
    let plan = write(
        tmp.path(),
        "quotas.csv",
        "stratum,quota\n合肥市,2\n省直厅局,1\n",
    );
    let args = |round: &Path| -> Vec<String> {
        [
            "init",
            round.to_str().unwrap(),
            "--round",
            "r1",
            "--population",
            "政务新媒体",
            "--rate",
            "50%",
            "--allocation",
            &format!("quotas={}", plan.to_str().unwrap()),
        ]
        .iter()
        .map(|s| s.to_string())
        .collect()
    };
    let probe = tmp.path().join("probe");
    let probe_args = args(&probe);
    let window = timed(
        None,
        &probe_args.iter().map(String::as_str).collect::<Vec<_>>(),
    );
    let mut rng = TestRng::from_env(20231004);
    let mut seen = BTreeMap::new();
    for k in 0..kills {
        let round = tmp.path().join(format!("kill{k}"));
        let a = args(&round);
        let a: Vec<&str> = a.iter().map(String::as_str).collect();
        let delay = Duration::from_micros(rng.below(window.as_micros() as u64 + 1));
        let exited_ok = run_and_kill(None, &a, delay);
        let outcome = if round.join("log.jsonl").exists() {
            "round"
        } else {
            assert!(!exited_ok, "an acknowledged init left no log");
            // No round: init runs again over whatever it left.
            ok(None, &a);
            "no round, init again"
        };
        ok(Some(&round), &["log", "check"]);
        assert_eq!(
            fs::read(round.join("quotas.csv")).unwrap(),
            fs::read(&plan).unwrap()
        );
        let roster = write(tmp.path(), "w.csv", WORKED);
        ok(Some(&round), &["roster", roster.to_str().unwrap()]);
        *seen.entry(outcome).or_insert(0) += 1;
    }
    eprintln!("{kills} kills of init: {seen:?}");
}
