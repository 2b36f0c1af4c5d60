//! One integration binary driving the real CLI, plus the spec vectors.

mod bound;
mod broken_output;
mod bundle;
mod excel;
mod foundation;
mod fuzz;
mod gm;
mod i18n;
mod kills;
mod layering;
mod log_safety;
mod offices;
mod outputs;
mod results;
mod serve;
mod signing;
mod verify_round;
mod witness;

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

use assert_cmd::Command;

pub(crate) const SEED: &str = "12345678901234567890";
pub(crate) const WORKED: &str = "id,region,name\nA1,合肥市,a\nA2,合肥市,b\nA3,合肥市,c\nA4,合肥市,d\nA5,合肥市,e\nB1,省直厅局,f\n";

pub(crate) fn choucha() -> Command {
    let mut c = Command::cargo_bin("choucha").unwrap();
    c.env_remove("CHOUCHA_LANG")
        .env_remove("LANG")
        .env_remove("LC_ALL")
        .env_remove("LC_MESSAGES");
    c
}

pub(crate) struct Outcome {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

pub(crate) fn run(dir: Option<&Path>, args: &[&str]) -> Outcome {
    run_env(&[], dir, args)
}

/// [`run`] with these environment variables set (the locale's are unset
/// otherwise, so that messages are in English).
pub(crate) fn run_env(env: &[(&str, &str)], dir: Option<&Path>, args: &[&str]) -> Outcome {
    let mut c = choucha();
    for (k, v) in env {
        c.env(k, v);
    }
    if let Some(d) = dir {
        c.arg("-C").arg(d);
    }
    let out = c.args(args).output().unwrap();
    Outcome {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

pub(crate) fn ok(dir: Option<&Path>, args: &[&str]) -> String {
    let o = run(dir, args);
    assert_eq!(o.code, 0, "choucha {args:?} failed: {}", o.stderr);
    o.stdout
}

/// Every file in a directory with its bytes: to show a refusal changed nothing.
pub(crate) fn snapshot(dir: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    let mut out = BTreeMap::new();
    let Ok(entries) = fs::read_dir(dir) else {
        return out;
    };
    for e in entries {
        let p = e.unwrap().path();
        if p.is_file() {
            out.insert(p.clone(), fs::read(&p).unwrap());
        }
    }
    out
}

/// Runs a command that must be refused: exit 2, the message, nothing changed.
pub(crate) fn refused(dir: &Path, args: &[&str], message: &str) {
    let before = snapshot(dir);
    let o = run(Some(dir), args);
    assert_eq!(
        o.code, 2,
        "choucha {args:?} should exit 2; stderr: {}",
        o.stderr
    );
    assert!(
        o.stderr.contains(message),
        "choucha {args:?}: expected {message:?} in: {}",
        o.stderr
    );
    assert!(!o.stderr.contains("panicked"), "{}", o.stderr);
    assert_eq!(
        before,
        snapshot(dir),
        "choucha {args:?} changed the round directory"
    );
}

pub(crate) fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let p = dir.join(name);
    fs::write(&p, text).unwrap();
    p
}

pub(crate) fn init(tmp: &Path, name: &str, extra: &[&str]) -> PathBuf {
    let round = tmp.join(name);
    let mut args = vec![
        "init",
        round.to_str().unwrap(),
        "--round",
        "r1",
        "--population",
        "政务新媒体",
        "--rate",
        "50%",
    ];
    args.extend_from_slice(extra);
    ok(None, &args);
    round
}

/// A round through roster and seed, ready to draw.
pub(crate) fn seeded(tmp: &Path, name: &str, roster_csv: &str) -> PathBuf {
    let round = init(tmp, name, &[]);
    let f = write(tmp, &format!("{name}.csv"), roster_csv);
    ok(Some(&round), &["roster", f.to_str().unwrap()]);
    ok(Some(&round), &["seed", SEED, "--source", "20 dice"]);
    round
}

pub(crate) fn sha256sum(path: &Path) -> String {
    choucha::base::digest::sha256_hex(&fs::read(path).unwrap())
}

/// A drawn round over `n` accounts in four strata at 50%: (round, sampled ids).
pub(crate) fn drawn_round(tmp: &Path, name: &str, n: usize) -> (PathBuf, Vec<String>) {
    let mut csv = String::from("id,region,name\n");
    let strata = ["省直厅局", "合肥市", "亳州市", "黄山市"];
    for i in 0..n {
        csv.push_str(&format!("ID{i:06},{},账号{i}\n", strata[i % strata.len()]));
    }
    let round = seeded(tmp, name, &csv);
    ok(Some(&round), &["draw"]);
    let m: serde_json::Value =
        serde_json::from_slice(&fs::read(round.join("manifest.json")).unwrap()).unwrap();
    let ids = m["strata"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|s| {
            s["ids"]
                .as_array()
                .unwrap()
                .iter()
                .map(|i| i.as_str().unwrap().to_string())
        })
        .collect();
    (round, ids)
}

/// Lines of the log whose type is `kind`.
pub(crate) fn log_records(round: &Path, kind: &str) -> Vec<serde_json::Value> {
    fs::read_to_string(round.join("log.jsonl"))
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap())
        .filter(|v| v["type"] == kind)
        .collect()
}

// The demo's rounds, and tampering with a log as a forger would (shared by
// verify_round and signing).

/// `choucha demo --out TMP/d`: (its standard output, the base directory).
pub(crate) fn demo(tmp: &Path) -> (String, PathBuf) {
    demo_in(tmp, "en")
}

/// `choucha --lang LANG demo --out TMP/d`.
pub(crate) fn demo_in(tmp: &Path, lang: &str) -> (String, PathBuf) {
    let base = tmp.join("d");
    let out = ok(
        None,
        &["--lang", lang, "demo", "--out", base.to_str().unwrap()],
    );
    (out, base)
}

pub(crate) fn log_lines(round: &Path) -> Vec<String> {
    fs::read_to_string(round.join("log.jsonl"))
        .unwrap()
        .lines()
        .map(str::to_string)
        .collect()
}

pub(crate) fn write_log(round: &Path, lines: &[String]) {
    let mut text = lines.join("\n");
    text.push('\n');
    fs::write(round.join("log.jsonl"), text).unwrap();
}

/// Re-hashes the log from line index `from` on: every line keeps its fixed
/// prefix `{"seq":N,"prev":"<hex>",` with N its index and `prev` the SHA-256
/// of the previous line's exact bytes (without LF), as a forger would.
pub(crate) fn rechain(lines: &mut [String], from: usize) {
    for i in from.max(1)..lines.len() {
        let prev = choucha::base::digest::sha256_hex(lines[i - 1].as_bytes());
        let line = &lines[i];
        let at = line.find(",\"prev\":\"").expect("a prev field");
        assert!(line.starts_with("{\"seq\":"), "{line}");
        let rest = &line[at + ",\"prev\":\"".len() + 64..];
        assert!(rest.starts_with("\","), "{line}");
        lines[i] = format!("{{\"seq\":{i},\"prev\":\"{prev}{rest}");
    }
}

/// Index of the first log line of type `kind`.
pub(crate) fn index_of(lines: &[String], kind: &str) -> usize {
    let needle = format!("\"type\":\"{kind}\"");
    lines
        .iter()
        .position(|l| l.contains(&needle))
        .unwrap_or_else(|| panic!("no {kind} line"))
}

/// The log chains (as an auditor's ten lines of Python would say).
/// Writes a forged log: `lines` re-chained from `from` on, so that the chain
/// check alone passes and only the deeper checks can catch the forgery.
pub(crate) fn forge(round: &Path, lines: &mut [String], from: usize) {
    rechain(lines, from);
    write_log(round, lines);
    chain_holds(round);
}

pub(crate) fn chain_holds(round: &Path) {
    let o = run(Some(round), &["log", "check"]);
    assert_eq!(o.code, 0, "log check: {}{}", o.stdout, o.stderr);
}

/// A small deterministic generator for test schedules (xorshift64*).
pub(crate) struct TestRng(u64);

impl TestRng {
    pub fn from_env(default: u64) -> TestRng {
        let seed = std::env::var("CHOUCHA_TEST_SEED")
            .ok()
            .and_then(|s| s.parse().ok())
            .unwrap_or(default);
        eprintln!("test schedule seed {seed} (set CHOUCHA_TEST_SEED to replay another)");
        TestRng(seed.max(1))
    }

    pub fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545F4914F6CDD1D)
    }

    pub fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

/// A size for a longer campaign from the environment, or the CI default.
pub(crate) fn campaign_size(var: &str, default: usize) -> usize {
    std::env::var(var)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}
