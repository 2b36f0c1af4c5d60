//! `choucha bound` and `choucha size` through the real CLI: the three forms
//! of bound agree with each other and with the library, bad input is
//! refused naming the option, and a round without every result is refused.

use crate::{demo, drawn_round, ok, refused, run, write};

fn json(out: &str) -> serde_json::Value {
    serde_json::from_str(out.trim_end()).unwrap()
}

#[test]
fn the_plain_bound_prints_the_fields_of_spec_10_and_the_sentence() {
    let v = json(&ok(
        None,
        &[
            "bound",
            "--population",
            "3316",
            "--checked",
            "1658",
            "--failed",
            "5",
            "--format",
            "json",
        ],
    ));
    let lib = choucha::stats::bound::upper_bound(
        3316,
        1658,
        5,
        choucha::stats::bound::parse_confidence("95%").unwrap(),
    )
    .unwrap();
    assert_eq!(v["max_failing"], lib.max_failing);
    let keys: Vec<&str> = v.as_object().unwrap().keys().map(String::as_str).collect();
    assert_eq!(
        keys,
        [
            "population",
            "checked",
            "failed",
            "confidence",
            "max_failing",
            "min_pass_rate",
            "min_pass_percent"
        ]
    );
    assert_eq!(v["confidence"], "19/20");
    let n = 3316 - lib.max_failing;
    assert_eq!(
        v["min_pass_rate"],
        choucha::stats::bound::fraction_string(n, 3316)
    );
    // The sentence in the notice's language says the same numbers.
    let zh = ok(
        None,
        &[
            "--lang",
            "zh",
            "bound",
            "--population",
            "3316",
            "--checked",
            "1658",
            "--failed",
            "5",
        ],
    );
    assert!(
        zh.contains(&format!(
            "按95%置信水平估计，总数3316个中存在突出问题的不超过{}个",
            lib.max_failing
        )),
        "{zh}"
    );
    assert!(zh.contains(v["min_pass_percent"].as_str().unwrap()), "{zh}");
}

#[test]
fn the_three_spellings_of_a_confidence_give_one_bound() {
    let at = |c: &str| {
        json(&ok(
            None,
            &[
                "bound",
                "--population",
                "10",
                "--checked",
                "1",
                "--failed",
                "0",
                "--confidence",
                c,
                "--format",
                "json",
            ],
        ))
    };
    let a = at("90%");
    assert_eq!(a, at("0.9"));
    assert_eq!(a, at("9/10"));
    assert_eq!(
        a["max_failing"], 8,
        "the exact tie at 1/10 is not above 1/10"
    );
}

#[test]
fn impossible_counts_and_confidences_are_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    let base = [
        "bound",
        "--population",
        "10",
        "--checked",
        "4",
        "--failed",
        "1",
    ];
    for (extra, message) in [
        (
            vec!["--confidence", "100%"],
            "--confidence: confidence \"100%\" is not understood",
        ),
        (vec!["--confidence", "0.95.1"], "--confidence"),
    ] {
        let args: Vec<&str> = base.iter().copied().chain(extra).collect();
        refused(d, &args, message);
    }
    refused(
        d,
        &[
            "bound",
            "--population",
            "10",
            "--checked",
            "11",
            "--failed",
            "0",
        ],
        "11 checked is more than the population of 10",
    );
    refused(
        d,
        &[
            "bound",
            "--population",
            "10",
            "--checked",
            "3",
            "--failed",
            "4",
        ],
        "4 failed is more than the 3 checked",
    );
    refused(
        d,
        &[
            "size",
            "--population",
            "10",
            "--max-fail-rate",
            "10%",
            "--accept",
            "1",
        ],
        "lower --accept",
    );
    refused(
        d,
        &["size", "--population", "10", "--max-fail-rate", "0%"],
        "--max-fail-rate",
    );
    let o = run(None, &["bound", "--population", "10"]);
    assert_eq!(o.code, 2, "{}", o.stderr);
}

#[test]
fn a_round_its_published_table_and_the_library_give_the_same_bounds() {
    let tmp = tempfile::tempdir().unwrap();
    let (_, base) = demo(tmp.path());
    let round = base.join("anhui-2023q3-new-media");
    let from_round = json(&ok(Some(&round), &["bound", "--format", "json"]));
    let table = base.join("inputs/table-new-media.csv");
    let from_table = json(&ok(
        None,
        &[
            "bound",
            "--table",
            table.to_str().unwrap(),
            "--format",
            "json",
        ],
    ));
    assert_eq!(from_round, from_table);
    assert_eq!(from_round["method"], "stratified");
    let rows = from_round["rows"].as_array().unwrap();
    let c = choucha::stats::bound::parse_confidence("95%").unwrap();
    let mut strata = Vec::new();
    for r in rows {
        let n = |k: &str| r[k].as_u64().unwrap();
        let lib = choucha::stats::bound::upper_bound(n("population"), n("checked"), n("failed"), c)
            .unwrap();
        assert_eq!(n("max_failing"), lib.max_failing, "{r}");
        strata.push(choucha::stats::strata::Stratum {
            population: n("population"),
            checked: n("checked"),
            failed: n("failed"),
        });
    }
    let whole = choucha::stats::strata::stratified_bound(&strata, c)
        .unwrap()
        .whole;
    assert_eq!(from_round["max_failing"], whole.max_failing);
    // Close to a simple random sample of the same size, never the rows' sum.
    let srs = choucha::stats::bound::upper_bound(3316, 1658, 5, c)
        .unwrap()
        .max_failing;
    let whole_bound = from_round["max_failing"].as_u64().unwrap();
    assert!(
        whole_bound >= srs && whole_bound <= srs + 2,
        "{whole_bound} vs {srs}"
    );
    let sum: u64 = rows
        .iter()
        .map(|r| r["max_failing"].as_u64().unwrap())
        .sum();
    assert!(whole_bound < sum);
    // The sentence names the round's units.
    let zh = ok(Some(&round), &["--lang", "zh", "bound"]);
    assert!(
        zh.contains(&format!(
            "全部3316个政务新媒体中存在突出问题的不超过{whole_bound}个"
        )),
        "{zh}"
    );
}

#[test]
fn a_round_without_every_result_has_no_bound_yet() {
    let tmp = tempfile::tempdir().unwrap();
    let (round, _) = drawn_round(tmp.path(), "r", 40);
    refused(
        &round,
        &["bound"],
        "the bound needs every sampled account's result",
    );
}

#[test]
fn size_agrees_with_the_bound_it_promises_and_reads_a_committed_roster() {
    let v = json(&ok(
        None,
        &[
            "size",
            "--population",
            "3316",
            "--max-fail-rate",
            "1%",
            "--format",
            "json",
        ],
    ));
    let n = v["sample_size"].as_u64().unwrap();
    assert_eq!(v["min_failing"], 34);
    let bound_at = |checked: u64| {
        json(&ok(
            None,
            &[
                "bound",
                "--population",
                "3316",
                "--checked",
                &checked.to_string(),
                "--failed",
                "0",
                "--format",
                "json",
            ],
        ))["max_failing"]
            .as_u64()
            .unwrap()
    };
    assert!(bound_at(n) < 34, "n = {n} must rule out 34 failing");
    assert!(bound_at(n - 1) >= 34, "n − 1 = {} must not", n - 1);
    // Per stratum from a committed roster.
    let tmp = tempfile::tempdir().unwrap();
    let (round, _) = drawn_round(tmp.path(), "r", 400);
    let roster = round.join("roster.tsv");
    let r = json(&ok(
        None,
        &[
            "size",
            "--roster",
            roster.to_str().unwrap(),
            "--max-fail-rate",
            "5%",
            "--format",
            "json",
        ],
    ));
    assert_eq!(r["population"], 400);
    let rows = r["rows"].as_array().unwrap();
    assert_eq!(rows.len(), 4);
    let mut sum = 0;
    for row in rows {
        let own = json(&ok(
            None,
            &[
                "size",
                "--population",
                &row["population"].to_string(),
                "--max-fail-rate",
                "5%",
                "--format",
                "json",
            ],
        ));
        assert_eq!(row["sample_size"], own["sample_size"]);
        sum += own["sample_size"].as_u64().unwrap();
    }
    assert_eq!(r["strata_sample_size"], sum);
    let bad = write(tmp.path(), "bad.tsv", "not a roster\n");
    let o = run(
        None,
        &[
            "size",
            "--roster",
            bad.to_str().unwrap(),
            "--max-fail-rate",
            "5%",
        ],
    );
    assert_eq!(o.code, 2);
    assert!(o.stderr.contains("bad.tsv"), "{}", o.stderr);
}

fn vectors(name: &str) -> Vec<serde_json::Value> {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/vectors/bound")
        .join(name);
    let doc: serde_json::Value = serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap();
    doc["cases"].as_array().unwrap().clone()
}

fn u(v: &serde_json::Value, k: &str) -> u64 {
    v[k].as_u64().unwrap_or_else(|| panic!("{k} in {v}"))
}

fn s<'a>(v: &'a serde_json::Value, k: &str) -> &'a str {
    v[k].as_str().unwrap_or_else(|| panic!("{k} in {v}"))
}

#[test]
fn bound_agrees_with_every_exact_vector() {
    use choucha::stats::bound::{parse_confidence, upper_bound};
    let cases = vectors("bound.json");
    assert!(cases.len() >= 300, "several hundred cases");
    for (i, c) in cases.iter().enumerate() {
        let conf = parse_confidence(s(c, "confidence_input")).unwrap();
        assert_eq!(conf.to_string(), s(c, "confidence"), "{c}");
        let b = upper_bound(u(c, "population"), u(c, "checked"), u(c, "failed"), conf).unwrap();
        assert_eq!(b.max_failing, u(c, "max_failing"), "{c}");
        assert_eq!(b.min_pass_rate(), s(c, "min_pass_rate"), "{c}");
        // Through the CLI too, for a spread of cases and the tie.
        if i % 37 == 0 || (u(c, "population") == 10 && u(c, "checked") == 1) {
            let v = json(&ok(
                None,
                &[
                    "bound",
                    "--population",
                    &c["population"].to_string(),
                    "--checked",
                    &c["checked"].to_string(),
                    "--failed",
                    &c["failed"].to_string(),
                    "--confidence",
                    s(c, "confidence_input"),
                    "--format",
                    "json",
                ],
            ));
            for k in [
                "population",
                "checked",
                "failed",
                "confidence",
                "max_failing",
                "min_pass_rate",
            ] {
                assert_eq!(v[k], c[k], "{k}: {c}");
            }
        }
    }
}

#[test]
fn size_agrees_with_every_exact_vector() {
    use choucha::stats::bound::{parse_confidence, parse_fail_rate, sample_size};
    let cases = vectors("size.json");
    assert!(cases.len() >= 100);
    for (i, c) in cases.iter().enumerate() {
        let conf = parse_confidence(s(c, "confidence_input")).unwrap();
        let rate = parse_fail_rate(s(c, "max_fail_rate_input")).unwrap();
        assert_eq!(rate.to_string(), s(c, "max_fail_rate"), "{c}");
        let z = sample_size(u(c, "population"), rate, conf, u(c, "accept")).unwrap();
        assert_eq!(z.min_failing, u(c, "min_failing"), "{c}");
        assert_eq!(z.sample_size, u(c, "sample_size"), "{c}");
        if i % 41 == 0 {
            let v = json(&ok(
                None,
                &[
                    "size",
                    "--population",
                    &c["population"].to_string(),
                    "--max-fail-rate",
                    s(c, "max_fail_rate_input"),
                    "--confidence",
                    s(c, "confidence_input"),
                    "--accept",
                    &c["accept"].to_string(),
                    "--format",
                    "json",
                ],
            ));
            for k in [
                "population",
                "max_fail_rate",
                "confidence",
                "accept",
                "min_failing",
                "sample_size",
            ] {
                assert_eq!(v[k], c[k], "{k}: {c}");
            }
        }
    }
}

#[test]
fn the_negative_vectors_are_refused() {
    use choucha::stats::bound::{parse_confidence, parse_fail_rate, sample_size, upper_bound};
    let tmp = tempfile::tempdir().unwrap();
    for c in vectors("fail_bound.json") {
        let refused_by_lib = match parse_confidence(s(&c, "confidence_input")) {
            Err(_) => true,
            Ok(conf) => {
                upper_bound(u(&c, "population"), u(&c, "checked"), u(&c, "failed"), conf).is_err()
            }
        };
        assert!(refused_by_lib, "{c}");
        let args = [
            "bound".to_string(),
            "--population".into(),
            c["population"].to_string(),
            "--checked".into(),
            c["checked"].to_string(),
            "--failed".into(),
            c["failed"].to_string(),
            "--confidence".into(),
            s(&c, "confidence_input").into(),
        ];
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        refused(tmp.path(), &args, "choucha: error:");
    }
    let fails = vectors("fail_size.json");
    assert!(!fails.is_empty());
    for c in &fails {
        let conf = parse_confidence(s(c, "confidence_input")).unwrap();
        let rate = parse_fail_rate(s(c, "max_fail_rate_input")).unwrap();
        assert!(
            sample_size(u(c, "population"), rate, conf, u(c, "accept")).is_err(),
            "{c}"
        );
    }
}

#[test]
fn report_verify_and_claims_state_the_bound_beside_the_digested_bytes() {
    let tmp = tempfile::tempdir().unwrap();
    let (_, base) = demo(tmp.path());
    let round = base.join("anhui-2023q3-new-media");
    let whole = json(&ok(Some(&round), &["bound", "--format", "json"]))["max_failing"]
        .as_u64()
        .unwrap();
    let sentence =
        format!("按95%置信水平估计，全部3316个政务新媒体中存在突出问题的不超过{whole}个");
    // report: the sentence on standard error; the JSON's bytes still hash
    // to the digest the round published.
    let o = run(
        Some(&round),
        &["--lang", "zh", "report", "--format", "json"],
    );
    assert_eq!(o.code, 0, "{}", o.stderr);
    assert!(o.stderr.contains(&sentence), "{}", o.stderr);
    assert!(!o.stdout.contains("置信"));
    let digest = choucha::base::digest::sha256_hex(o.stdout.as_bytes());
    let published = crate::log_records(&round, "report-published");
    assert_eq!(published[0]["table_sha256"], digest);
    // verify: after a verdict that holds, on standard error.
    let o = run(None, &["--lang", "zh", "verify", round.to_str().unwrap()]);
    assert_eq!(o.code, 0, "{}", o.stderr);
    assert!(o.stderr.contains(&sentence), "{}", o.stderr);
    // claims: for the published table, and not for one whose claim fails.
    let table = base.join("inputs/table-new-media.csv");
    let o = run(None, &["--lang", "zh", "claims", table.to_str().unwrap()]);
    assert_eq!(o.code, 0, "{}", o.stderr);
    assert!(
        o.stderr.contains(&format!(
            "按95%置信水平估计，总数3316个中存在突出问题的不超过{whole}个"
        )),
        "{}",
        o.stderr
    );
    let o = run(
        None,
        &["claims", table.to_str().unwrap(), "--claim", "failed=6"],
    );
    assert_eq!(o.code, 1);
    assert!(!o.stderr.contains("At 95% confidence"), "{}", o.stderr);
}

/// Failures placed among the strata in three ways, samples drawn by strata
/// at unequal fractions, and the whole's bound must cover the true number
/// at least at the stated rate, allowing three standard errors for the
/// estimate of the coverage itself. CHOUCHA_BOUND_SIMULATIONS sets the
/// draws per placement (150 in CI); CHOUCHA_TEST_SEED replays another.
#[test]
fn the_stratified_bound_covers_the_truth_at_the_stated_rate() {
    use choucha::stats::bound::parse_confidence;
    use choucha::stats::strata::{Stratum, stratified_bound};
    let trials = crate::campaign_size("CHOUCHA_BOUND_SIMULATIONS", 150);
    let mut rng = crate::TestRng::from_env(0x5eed_b0d5);
    // (population, checked): sampling fractions from 1/10 to 3/5.
    let strata = [(40u64, 20u64), (60, 12), (100, 10), (30, 18), (80, 24)];
    let total: u64 = strata.iter().map(|s| s.0).sum();
    let truth = 14u64;
    let placements: [(&str, [u64; 5]); 3] = [
        ("all in one stratum", [0, 0, 14, 0, 0]),
        ("spread evenly", [3, 3, 3, 3, 2]),
        ("in the least-sampled strata", [0, 5, 9, 0, 0]),
    ];
    for conf in ["90%", "95%"] {
        let c = parse_confidence(conf).unwrap();
        let level = c.numerator() as f64 / c.denominator() as f64;
        for (what, failing) in &placements {
            assert_eq!(failing.iter().sum::<u64>(), truth);
            let (mut covered, mut sum_bound) = (0usize, 0u64);
            for _ in 0..trials {
                let sample: Vec<Stratum> = strata
                    .iter()
                    .zip(failing)
                    .map(|(&(population, checked), &bad)| {
                        // Draw `checked` without replacement, one unit at a time.
                        let (mut left, mut bad_left, mut failed) = (population, bad, 0);
                        for _ in 0..checked {
                            if rng.below(left) < bad_left {
                                bad_left -= 1;
                                failed += 1;
                            }
                            left -= 1;
                        }
                        Stratum {
                            population,
                            checked,
                            failed,
                        }
                    })
                    .collect();
                let b = stratified_bound(&sample, c).unwrap().whole;
                covered += usize::from(b.max_failing >= truth);
                sum_bound += b.max_failing;
            }
            let rate = covered as f64 / trials as f64;
            eprintln!(
                "{what} at {conf}: covered {covered} of {trials}, mean bound {}",
                sum_bound as f64 / trials as f64
            );
            let sigma = (level * (1.0 - level) / trials as f64).sqrt();
            assert!(
                rate >= level - 3.0 * sigma,
                "{what} at {conf}: covered {covered} of {trials} ({rate:.3} < {level} − 3σ)"
            );
            // Not covered by saying nothing: the bound stays well below N.
            let mean = sum_bound as f64 / trials as f64;
            assert!(
                mean < total as f64 / 3.0,
                "{what} at {conf}: mean bound {mean} of {total}"
            );
        }
    }
}
