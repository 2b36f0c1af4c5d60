//! Fuzzing every parser on the stable toolchain: inputs from the corpus in
//! `tests/fuzz/corpus/TARGET/`, mutated by proptest (bytes flipped,
//! inserted, deleted, runs repeated, the text cut), and each parser must
//! answer with a value or an error — never a panic. CI runs a short
//! campaign; `CHOUCHA_FUZZ_CASES=N` runs N cases per target (RELIABILITY.md).

use std::path::Path;

use choucha::input::text::Origin;
use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};

/// Cases per target: short in CI, long by the environment.
fn cases() -> u32 {
    std::env::var("CHOUCHA_FUZZ_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(64)
}

fn corpus(target: &str) -> Vec<Vec<u8>> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fuzz/corpus")
        .join(target);
    let mut out: Vec<Vec<u8>> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| std::fs::read(e.unwrap().path()).unwrap())
        .collect();
    out.sort();
    assert!(!out.is_empty(), "no corpus in {}", dir.display());
    out
}

#[derive(Debug, Clone)]
enum Edit {
    Flip(usize, u8),
    Insert(usize, u8),
    Delete(usize, usize),
    Repeat(usize, usize, usize),
    Cut(usize),
}

/// Bytes that mean something to one of the formats.
const INTERESTING: &[u8] = b",\"\n\r\t{}[]:\\ 0-9.e+\xEF\xBB\xBF\xFF\x00u";

fn edit() -> impl Strategy<Value = Edit> {
    let byte = prop_oneof![any::<u8>(), prop::sample::select(INTERESTING)];
    prop_oneof![
        (any::<usize>(), byte.clone()).prop_map(|(i, b)| Edit::Flip(i, b)),
        (any::<usize>(), byte).prop_map(|(i, b)| Edit::Insert(i, b)),
        (any::<usize>(), 1..16usize).prop_map(|(i, n)| Edit::Delete(i, n)),
        (any::<usize>(), 1..64usize, 1..8usize).prop_map(|(i, n, k)| Edit::Repeat(i, n, k)),
        any::<usize>().prop_map(Edit::Cut),
    ]
}

fn apply(mut b: Vec<u8>, edits: &[Edit]) -> Vec<u8> {
    for e in edits {
        let len = b.len().max(1);
        match *e {
            Edit::Flip(i, x) if !b.is_empty() => b[i % len] = x,
            Edit::Insert(i, x) => b.insert(i % (b.len() + 1), x),
            Edit::Delete(i, n) if !b.is_empty() => {
                let at = i % len;
                b.drain(at..(at + n).min(b.len()));
            }
            Edit::Repeat(i, n, k) if !b.is_empty() => {
                let at = i % len;
                let run = b[at..(at + n).min(b.len())].to_vec();
                for _ in 0..k {
                    b.splice(at..at, run.iter().copied());
                }
            }
            Edit::Cut(i) => b.truncate(i % (b.len() + 1)),
            _ => {}
        }
    }
    b
}

/// Runs `parse` on mutated corpus inputs of `target`; a panic fails the test.
fn fuzz(target: &str, parse: impl Fn(&[u8])) {
    let seeds = corpus(target);
    let mut runner = TestRunner::new(Config {
        cases: cases(),
        failure_persistence: None,
        ..Config::default()
    });
    let strategy = (0..seeds.len(), prop::collection::vec(edit(), 0..8));
    runner
        .run(&strategy, |(seed, edits)| {
            let input = apply(seeds[seed].clone(), &edits);
            parse(&input);
            Ok(())
        })
        .unwrap_or_else(|e| panic!("{target}: {e}"));
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

#[test]
fn roster_csv() {
    fuzz("roster", |b| {
        let Ok((text, _, _)) = choucha::input::text::decode(b.to_vec(), None) else {
            return;
        };
        let opts = choucha::roster::canonical::RosterOptions::default();
        if let Ok(r) = choucha::roster::canonical::parse(text.as_bytes(), &Origin::file("f"), &opts)
        {
            // What was accepted reads back canonically.
            choucha::roster::canonical::parse_canonical(&r.tsv, "roster.tsv").unwrap();
        }
    });
}

#[test]
fn roster_tsv() {
    fuzz("roster", |b| {
        let _ = choucha::roster::canonical::parse_canonical(b, "roster.tsv");
    });
}

#[test]
fn results_plan_codes_and_published_tables() {
    fuzz("results", |b| {
        let _ = choucha::results::batch::parse_results(&text(b), &Origin::file("r.csv"), &[]);
    });
    fuzz("plan", |b| {
        let _ = choucha::sampling::plan::parse_plan(&text(b), &Origin::file("q.csv"));
    });
    fuzz("codes", |b| {
        let _ = choucha::results::codes::parse_custom(&text(b), &Origin::file("c.csv"));
    });
    fuzz("table", |b| {
        let _ = choucha::audit::published::parse_table(&text(b), "t.csv");
        for claim in text(b).split([',', '\n']) {
            let _ = choucha::audit::published::parse_claim(claim);
        }
    });
}

#[test]
fn log_lines() {
    fuzz("log", |b| {
        if let Ok(log) = choucha::log::chain::parse_log(b.to_vec()) {
            let _ = choucha::log::state::RoundState::from_log(&log);
        }
    });
}

#[test]
fn checkpoints_notes_proofs_and_keys() {
    fuzz("checkpoint", |b| {
        let t = text(b);
        if let Ok(body) = choucha::proof::note::unverified_text(&t) {
            let _ = choucha::proof::checkpoint::Checkpoint::parse(body);
        }
        let _ = choucha::proof::checkpoint::Checkpoint::parse(&t);
    });
    fuzz("proof", |b| {
        let _ = serde_json::from_slice::<choucha::proof::tlog::Proof>(b);
    });
    fuzz("keys", |b| {
        let t = text(b);
        let _ = choucha::proof::keys::parse_allowed_signers(&t, "allowed_signers");
        for line in t.lines() {
            let _ = choucha::proof::keys::parse_public(line);
        }
    });
}

#[test]
fn workbooks() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("w.xlsx");
    fuzz("workbook", |b| {
        std::fs::write(&path, b).unwrap();
        if let Ok(sheet) = choucha::input::workbook::read_sheet(&path, None) {
            let _ = choucha::input::workbook::to_csv(&sheet);
        }
    });
}
