//! Issue: the foundation — init, roster, seed, draw, and the choucha-v1 vectors.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

use tempfile::TempDir;

use crate::*;

#[test]
fn a_whole_round_draws_the_worked_example() {
    let tmp = TempDir::new().unwrap();
    let round = seeded(tmp.path(), "r", WORKED);
    let out = ok(Some(&round), &["draw"]);
    assert!(out.contains("drew 3 of 6"), "{out}");
    let m: serde_json::Value =
        serde_json::from_slice(&fs::read(round.join("manifest.json")).unwrap()).unwrap();
    assert_eq!(m["strata"][0]["name"], "合肥市");
    assert_eq!(m["strata"][0]["ids"], serde_json::json!(["A2", "A4", "A5"]));
    assert_eq!(m["strata"][1]["quota"], 0);
    assert_eq!(m["rate"], "1/2");
    let sample = fs::read_to_string(round.join("sample.csv")).unwrap();
    assert_eq!(
        sample,
        "\u{feff}stratum,rank,id,name\n合肥市,1,A2,b\n合肥市,2,A4,d\n合肥市,3,A5,e\n"
    );
    let tsv = fs::read_to_string(round.join("roster.tsv")).unwrap();
    assert_eq!(
        tsv,
        "合肥市\tA1\n合肥市\tA2\n合肥市\tA3\n合肥市\tA4\n合肥市\tA5\n省直厅局\tB1\n"
    );
    // The log records what sha256sum prints, for both files.
    let log = fs::read_to_string(round.join("log.jsonl")).unwrap();
    assert!(log.contains(&format!(
        "\"roster_sha256\":\"{}\"",
        sha256sum(&round.join("roster.tsv"))
    )));
    assert!(log.contains(&format!(
        "\"manifest_sha256\":\"{}\"",
        sha256sum(&round.join("manifest.json"))
    )));
    let check = ok(Some(&round), &["log", "check"]);
    assert!(
        check.contains("ok: 4 lines") && check.contains("last: sample-drawn"),
        "{check}"
    );
}

#[test]
fn shuffled_rows_and_other_spellings_give_identical_commitment_and_sample() {
    let tmp = TempDir::new().unwrap();
    let shuffled = "name,region,id\nf,省直厅局,B1\nd,合肥市,A4\na, 合肥市 ,A1\ne,合肥市,A5\u{3000}\nb,合肥市,A2\nc,合肥市,A3\n";
    let a = seeded(tmp.path(), "a", WORKED);
    let b = seeded(tmp.path(), "b", shuffled);
    ok(Some(&a), &["draw"]);
    ok(Some(&b), &["draw"]);
    for f in ["roster.tsv", "manifest.json"] {
        assert_eq!(
            fs::read(a.join(f)).unwrap(),
            fs::read(b.join(f)).unwrap(),
            "{f} differs"
        );
    }
}

#[test]
fn gb18030_roster_commits_to_the_same_digest_as_its_utf8_twin() {
    let tmp = TempDir::new().unwrap();
    let text = "账号ID,省直厅局/各市,账号名称\n皖-001,省直厅局,安徽发布\n皖-002,合肥市,合肥发布\n皖-003,亳州市,亳州发布\n";
    let (gbk, _, had_errors) = encoding_rs::GB18030.encode(text);
    assert!(!had_errors);
    let u = init(tmp.path(), "u", &[]);
    let g = init(tmp.path(), "g", &[]);
    let fu = write(tmp.path(), "u.csv", &format!("\u{feff}{text}"));
    let fg = tmp.path().join("g.csv");
    fs::write(&fg, &gbk).unwrap();
    ok(Some(&u), &["roster", fu.to_str().unwrap()]);
    let out = ok(Some(&g), &["roster", fg.to_str().unwrap()]);
    assert!(out.contains("as gb18030"), "{out}");
    assert_eq!(
        fs::read(u.join("roster.tsv")).unwrap(),
        fs::read(g.join("roster.tsv")).unwrap()
    );
    // Forced the wrong way, the GB18030 file is refused with its line.
    let o = run(
        Some(&g),
        &["roster", fg.to_str().unwrap(), "--encoding", "utf-8"],
    );
    assert_eq!(o.code, 2);
    assert!(
        o.stderr.contains("line 1: byte") && o.stderr.contains("not valid UTF-8"),
        "{}",
        o.stderr
    );
}

#[test]
fn bad_rosters_are_refused_with_file_line_and_field() {
    let tmp = TempDir::new().unwrap();
    let round = init(tmp.path(), "r", &[]);
    let cases: &[(&str, &str, &str)] = &[
        (
            "missing_id.csv",
            "account,region\nA1,合肥市\n",
            "line 1: no account id column",
        ),
        (
            "missing_region.csv",
            "id,name\nA1,x\n",
            "line 1: no stratum (region) column",
        ),
        (
            "empty_id.csv",
            "id,region\nA1,合肥市\n  ,合肥市\n",
            "line 3: field \"id\" is empty",
        ),
        (
            "empty_region.csv",
            "id,region\nA1,合肥市\nA2,\u{3000}\n",
            "line 3: field \"region\" is empty",
        ),
        (
            "duplicate.csv",
            "id,region\nA1,合肥市\nA2,合肥市\nA1,省直厅局\n",
            "line 4: duplicate \"id\" \"A1\", already on line 2",
        ),
        (
            "tab.csv",
            "id,region\n\"A\t1\",合肥市\n",
            "line 2: field \"id\" contains a tab",
        ),
        (
            "newline.csv",
            "id,region\nA1,\"合肥\n市\"\n",
            "line 2: field \"region\" contains a line break",
        ),
        ("empty.csv", "", "the file is empty"),
        (
            "header_only.csv",
            "id,region\n",
            "has a header but no accounts",
        ),
        (
            "ambiguous.csv",
            "id,账号,region\nA1,x,合肥市\n",
            "ambiguous",
        ),
        (
            "short_row.csv",
            "id,name,region\nA1,x,合肥市\nA2\n",
            "line 3: has 1 fields",
        ),
    ];
    for (name, text, message) in cases {
        let f = write(tmp.path(), name, text);
        refused(&round, &["roster", f.to_str().unwrap()], message);
        let o = run(Some(&round), &["roster", f.to_str().unwrap()]);
        assert!(
            o.stderr.contains(name),
            "the message names the file: {}",
            o.stderr
        );
    }
    let f = write(tmp.path(), "named.csv", "账号,单位,地市\nX1,a,合肥市\n");
    refused(
        &round,
        &["roster", f.to_str().unwrap(), "--stratum-column", "城市"],
        "no column named \"城市\"",
    );
    ok(
        Some(&round),
        &["roster", f.to_str().unwrap(), "--stratum-column", "地市"],
    );
    refused(
        &round,
        &["roster", tmp.path().join("absent.csv").to_str().unwrap()],
        "absent.csv",
    );
}

#[test]
fn steps_out_of_order_are_refused_and_change_nothing() {
    let tmp = TempDir::new().unwrap();
    let round = init(tmp.path(), "r", &[]);
    let f = write(tmp.path(), "r.csv", WORKED);
    refused(&round, &["seed", SEED], "no roster is committed yet");
    refused(&round, &["draw"], "no seed has been revealed yet");
    ok(Some(&round), &["roster", f.to_str().unwrap()]);
    // Re-committing before the seed is allowed; the latest counts.
    ok(Some(&round), &["roster", f.to_str().unwrap()]);
    refused(&round, &["draw"], "no seed has been revealed yet");
    refused(
        &round,
        &["seed", "1234567890123456789"],
        "has 19 characters; at least 20",
    );
    ok(Some(&round), &["seed", SEED]);
    refused(
        &round,
        &["seed", "98765432109876543210"],
        "already revealed",
    );
    refused(
        &round,
        &["roster", f.to_str().unwrap()],
        "the roster is frozen",
    );
    ok(Some(&round), &["draw"]);
    refused(&round, &["draw"], "already been drawn");
    refused(
        &round,
        &["roster", f.to_str().unwrap()],
        "the roster is frozen",
    );
    let path = round.to_str().unwrap();
    refused(
        &round,
        &[
            "init",
            path,
            "--round",
            "x",
            "--population",
            "y",
            "--rate",
            "1/2",
        ],
        "a round already exists",
    );
    refused(
        &tmp.path().join("nowhere"),
        &["draw"],
        "not a choucha round",
    );
}

#[test]
fn init_refuses_bad_settings_and_creates_nothing() {
    let tmp = TempDir::new().unwrap();
    let d = tmp.path().join("r");
    let p = d.to_str().unwrap();
    for (args, message) in [
        (
            vec!["--rate", "150%"],
            "--rate: rate \"150%\" is out of range",
        ),
        (
            vec!["--rate", "half"],
            "--rate: rate \"half\" is not understood",
        ),
        (
            vec!["--rate", "1/2", "--allocation", "random"],
            "--allocation: \"random\" is not a rule",
        ),
        (
            vec!["--rate", "1/2", "--allocation", "quotas=missing.csv"],
            "missing.csv",
        ),
    ] {
        let mut all = vec!["init", p, "--round", "x", "--population", "y"];
        all.extend(args);
        let o = run(None, &all);
        assert_eq!(o.code, 2, "{all:?}: {}", o.stderr);
        assert!(o.stderr.contains(message), "{all:?}: {}", o.stderr);
        assert!(!d.exists(), "{all:?} created the directory");
    }
}

#[test]
fn rates_are_kept_as_exact_fractions() {
    let tmp = TempDir::new().unwrap();
    for (i, rate) in ["50%", "0.5", "1/2"].iter().enumerate() {
        let d = tmp.path().join(format!("r{i}"));
        ok(
            None,
            &[
                "init",
                d.to_str().unwrap(),
                "--round",
                "x",
                "--population",
                "y",
                "--rate",
                rate,
            ],
        );
        let log = fs::read_to_string(d.join("log.jsonl")).unwrap();
        assert!(log.contains("\"rate\":\"1/2\""), "{rate}: {log}");
    }
}

#[test]
fn a_quota_plan_is_copied_recorded_and_must_fit_the_roster() {
    let tmp = TempDir::new().unwrap();
    let plan = write(
        tmp.path(),
        "plan.csv",
        "stratum,quota\n合肥市,4\n省直厅局,1\n",
    );
    let spec = format!("quotas={}", plan.display());
    let round = init(tmp.path(), "r", &["--allocation", &spec]);
    assert_eq!(
        fs::read(round.join("quotas.csv")).unwrap(),
        fs::read(&plan).unwrap()
    );
    let log = fs::read_to_string(round.join("log.jsonl")).unwrap();
    assert!(
        log.contains(&format!("\"quotas_sha256\":\"{}\"", sha256sum(&plan))),
        "{log}"
    );
    // A roster with a stratum the plan does not name is refused before the seed.
    let extra = write(tmp.path(), "extra.csv", &format!("{WORKED}C1,黄山市,g\n"));
    refused(
        &round,
        &["roster", extra.to_str().unwrap()],
        "no quota for stratum \"黄山市\"",
    );
    let f = write(tmp.path(), "r.csv", WORKED);
    ok(Some(&round), &["roster", f.to_str().unwrap()]);
    ok(Some(&round), &["seed", SEED]);
    let out = ok(Some(&round), &["draw"]);
    assert!(out.contains("drew 5 of 6"), "{out}");
    // A plan above a stratum's size is refused at roster time.
    let big = write(
        tmp.path(),
        "big.csv",
        "stratum,quota\n合肥市,6\n省直厅局,1\n",
    );
    let round2 = init(
        tmp.path(),
        "r2",
        &["--allocation", &format!("quotas={}", big.display())],
    );
    refused(&round2, &["roster", f.to_str().unwrap()], "only 5 accounts");
}

#[test]
fn a_changed_roster_file_is_refused_at_draw() {
    let tmp = TempDir::new().unwrap();
    let round = seeded(tmp.path(), "r", WORKED);
    let tsv = round.join("roster.tsv");
    let text = fs::read_to_string(&tsv).unwrap().replace("A3", "A6");
    fs::write(&tsv, text).unwrap();
    refused(
        &round,
        &["draw"],
        "the file was changed after the commitment",
    );
}

/// The seed fixes the roster for good: it is refused while the files the
/// draw will read are not those of the committed roster, and then accepted.
#[test]
fn the_seed_is_refused_while_the_roster_files_do_not_match_the_commitment() {
    let tmp = TempDir::new().unwrap();
    let round = init(tmp.path(), "r", &[]);
    let f = write(tmp.path(), "w.csv", WORKED);
    ok(Some(&round), &["roster", f.to_str().unwrap()]);
    let seed = ["seed", SEED, "--source", "20 dice"];

    let tsv = round.join("roster.tsv");
    let committed = fs::read(&tsv).unwrap();
    fs::write(
        &tsv,
        String::from_utf8(committed.clone())
            .unwrap()
            .replace("A3", "A6"),
    )
    .unwrap();
    refused(&round, &seed, "not to the committed");
    fs::write(&tsv, &committed).unwrap();

    let idx = round.join("roster-columns.idx");
    let index = fs::read(&idx).unwrap();
    fs::write(&idx, &index[..index.len() - 4]).unwrap();
    refused(
        &round,
        &seed,
        "roster-columns.idx has 5 entries for 6 committed accounts",
    );
    fs::write(&idx, &index).unwrap();

    ok(Some(&round), &seed);
    ok(Some(&round), &["draw"]);
}

#[test]
fn a_damaged_log_blocks_every_command() {
    let tmp = TempDir::new().unwrap();
    let round = seeded(tmp.path(), "r", WORKED);
    let log = round.join("log.jsonl");
    let text = fs::read_to_string(&log).unwrap();
    fs::write(&log, text.replacen("\"accounts\":6", "\"accounts\":7", 1)).unwrap();
    refused(&round, &["draw"], "line 3: \"prev\"");
    let o = run(Some(&round), &["log", "check"]);
    assert_eq!(o.code, 1, "{}", o.stderr);
    assert!(o.stderr.contains("line 3"), "{}", o.stderr);
    // A torn tail (no final LF) is named as such.
    fs::write(&log, &text[..text.len() - 5]).unwrap();
    refused(&round, &["draw"], "an append was interrupted");
}

// ---- choucha-v1 spec vectors (tests/vectors/draw, made by tools/reference) ----

fn vector_files() -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/vectors/draw");
    let mut files: Vec<PathBuf> = fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .collect();
    files.sort();
    files
}

/// Redraws one vector through the library; Ok(quotas, sample) or the error text.
#[allow(clippy::type_complexity)]
fn redraw(
    v: &serde_json::Value,
) -> Result<(BTreeMap<String, u64>, BTreeMap<String, Vec<String>>), String> {
    use choucha::sampling::draw::Allocation;
    let mut pairs: Vec<(String, String)> = v["roster"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            (
                p[0].as_str().unwrap().to_string(),
                p[1].as_str().unwrap().to_string(),
            )
        })
        .collect();
    pairs.sort_by(|a, b| (a.0.as_bytes(), a.1.as_bytes()).cmp(&(b.0.as_bytes(), b.1.as_bytes())));
    let tsv: String = pairs.iter().map(|(s, i)| format!("{s}\t{i}\n")).collect();
    let roster = choucha::roster::canonical::parse_canonical(tsv.as_bytes(), "vector")
        .map_err(|e| e.to_string())?;
    let allocation = match v["allocation"].as_str().unwrap() {
        "largest-remainder" => Allocation::LargestRemainder,
        "ceil" => Allocation::Ceil,
        "floor" => Allocation::Floor,
        "quotas" => Allocation::Quotas(
            v["plan"]
                .as_object()
                .unwrap()
                .iter()
                .map(|(k, q)| (k.clone(), q.as_u64().unwrap()))
                .collect(),
        ),
        other => panic!("unknown rule {other}"),
    };
    let inputs = choucha::sampling::manifest::DrawInputs {
        round: "vector",
        population: "vector",
        seed: v["seed"].as_str().unwrap(),
        seed_source: "",
        roster_sha256: "",
        rate: v["rate"].as_str().unwrap().parse().unwrap(),
        allocation,
        quotas_sha256: None,
    };
    let drawn = choucha::sampling::manifest::draw_manifest(&inputs, &roster)?;
    let quotas = drawn
        .manifest
        .strata
        .iter()
        .map(|s| (s.name.clone(), s.quota))
        .collect();
    let sample = drawn
        .manifest
        .strata
        .iter()
        .map(|s| {
            (
                s.name.clone(),
                s.ids.iter().map(|i| i.to_string()).collect(),
            )
        })
        .collect();
    Ok((quotas, sample))
}

#[test]
fn spec_vectors_redraw_exactly() {
    let files = vector_files();
    assert!(
        files.len() >= 8,
        "expected the spec's draw vectors, found {}",
        files.len()
    );
    let mut failures = Vec::new();
    for f in &files {
        let v: serde_json::Value = serde_json::from_slice(&fs::read(f).unwrap()).unwrap();
        let name = f.file_name().unwrap().to_string_lossy().into_owned();
        let got = redraw(&v);
        if name.starts_with("fail_") {
            let want = v["expect"]["error"].as_str().unwrap();
            match got {
                Err(e) if e.contains(want) => {}
                other => failures.push(format!(
                    "{name}: expected an error containing {want:?}, got {other:?}"
                )),
            }
        } else {
            let want_q: BTreeMap<String, u64> =
                serde_json::from_value(v["expect"]["quotas"].clone()).unwrap();
            let want_s: BTreeMap<String, Vec<String>> =
                serde_json::from_value(v["expect"]["sample"].clone()).unwrap();
            match got {
                Ok((q, s)) if q == want_q && s == want_s => {}
                other => failures.push(format!(
                    "{name}: expected {want_q:?} {want_s:?}, got {other:?}"
                )),
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn keystream_and_uniform_vectors() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/vectors/uniform.json");
    let v: serde_json::Value = serde_json::from_slice(&fs::read(path).unwrap()).unwrap();
    let key = |h: &str| -> [u8; 32] {
        let b: Vec<u8> = (0..32)
            .map(|i| u8::from_str_radix(&h[2 * i..2 * i + 2], 16).unwrap())
            .collect();
        b.try_into().unwrap()
    };
    for s in v["streams"].as_array().unwrap() {
        let mut ks = choucha::sampling::draw::Keystream::new(key(s["key_hex"].as_str().unwrap()));
        for want in s["u64"].as_array().unwrap() {
            assert_eq!(ks.next_u64(), want.as_u64().unwrap());
        }
    }
    for u in v["uniform"].as_array().unwrap() {
        let mut ks = choucha::sampling::draw::Keystream::new(key(u["key_hex"].as_str().unwrap()));
        let m = u["m"].as_u64().unwrap();
        for want in u["values"].as_array().unwrap() {
            assert_eq!(ks.uniform(m), want.as_u64().unwrap(), "uniform({m})");
        }
    }
}

mod allocation {
    use choucha::sampling::draw::{Allocation, quotas};
    use choucha::sampling::rate::Rate;
    use proptest::prelude::*;

    proptest! {
        /// Largest-remainder quotas add up to ceil(N·p/q) and each is the
        /// floor or the ceiling of the stratum's exact share.
        #[test]
        fn largest_remainder_sums_to_the_target_and_rounds_each_share(
            sizes in proptest::collection::vec(1u64..500, 1..30),
            (p, q) in (1u64..20).prop_flat_map(|q| (1..=q, Just(q))),
            seed in "[0-9]{20,24}",
        ) {
            let rate = Rate::new(p, q).unwrap();
            let names: Vec<String> = (0..sizes.len()).map(|i| format!("s{i:03}")).collect();
            let strata: Vec<(&str, u64)> = names.iter().map(String::as_str).zip(sizes.iter().copied()).collect();
            let k = quotas(&strata, rate, &Allocation::LargestRemainder, &seed).unwrap();
            let (p, q) = (rate.numerator(), rate.denominator());
            let total: u64 = sizes.iter().sum();
            prop_assert_eq!(k.iter().sum::<u64>(), (total * p).div_ceil(q));
            for (n, k) in sizes.iter().zip(&k) {
                let floor = n * p / q;
                prop_assert!(*k == floor || *k == (n * p).div_ceil(q), "n={} k={}", n, k);
                prop_assert!(k <= n);
            }
        }
    }
}

#[test]
fn sample_csv_keeps_quoted_commas_and_line_breaks_of_other_columns() {
    let tmp = TempDir::new().unwrap();
    let roster = "id,region,name\r\nA1,合肥市,\"a, \"\"x\"\"\"\r\nA2,合肥市,\"two\r\nlines\"\r\nA3,合肥市,c\r\nA4,合肥市,d\r\nA5,合肥市,e\r\nB1,省直厅局,f\r\n";
    let round = seeded(tmp.path(), "r", roster);
    ok(Some(&round), &["draw"]);
    let sample = fs::read_to_string(round.join("sample.csv")).unwrap();
    assert_eq!(
        sample,
        "\u{feff}stratum,rank,id,name\n合肥市,1,A2,\"two\r\nlines\"\n合肥市,2,A4,d\n合肥市,3,A5,e\n"
    );
    // The same roster without the line break takes the fast path and agrees.
    let round2 = seeded(
        tmp.path(),
        "r2",
        &roster.replace("two\r\nlines", "two lines"),
    );
    ok(Some(&round2), &["draw"]);
    let sample2 = fs::read_to_string(round2.join("sample.csv")).unwrap();
    assert_eq!(sample2, sample.replace("\"two\r\nlines\"", "two lines"));
}

#[test]
fn status_says_what_comes_next_at_each_step() {
    let tmp = TempDir::new().unwrap();
    let round = init(tmp.path(), "r", &[]);
    assert!(ok(Some(&round), &["status"]).contains("next:       commit the roster"));
    let f = write(tmp.path(), "r.csv", WORKED);
    ok(Some(&round), &["roster", f.to_str().unwrap()]);
    assert!(ok(Some(&round), &["status"]).contains("record the public seed"));
    ok(Some(&round), &["seed", SEED]);
    assert!(ok(Some(&round), &["status"]).contains("next:       draw the sample"));
    ok(Some(&round), &["draw"]);
    let s = ok(Some(&round), &["status"]);
    assert!(
        s.contains("results:    0 of 3 (0 fail)") && s.contains("record the 3 missing results"),
        "{s}"
    );
}
