//! Issue: inspection results — record, amend, codes, and every refusal.

use std::fs;

use tempfile::TempDir;

use crate::*;

#[test]
fn a_batch_is_recorded_whole_with_chinese_headers_and_gb18030() {
    let tmp = TempDir::new().unwrap();
    let (round, ids) = drawn_round(tmp.path(), "r", 40);
    let mut text = String::from("账号ID,检查结果,原因,备注,检查人,检查日期,账号名称\n");
    for (i, id) in ids.iter().enumerate() {
        let (v, r) = if i == 3 {
            ("不合格", "NM_NOT_UPDATED")
        } else {
            ("合格", "")
        };
        text.push_str(&format!("{id},{v},{r},,张三,2023/8/23,随便\n"));
    }
    text.push_str(",,,,,,\n"); // an empty row, as Excel leaves
    let (gbk, _, _) = encoding_rs::GB18030.encode(&text);
    let f = tmp.path().join("results.csv");
    fs::write(&f, &gbk).unwrap();
    let out = ok(Some(&round), &["record", f.to_str().unwrap()]);
    assert!(
        out.contains("recorded 20 result(s) (19 pass, 1 fail); 20 of 20"),
        "{out}"
    );
    let results = log_records(&round, "result-recorded");
    assert_eq!(results.len(), 20);
    assert_eq!(results[3]["verdict"], "fail");
    assert_eq!(results[3]["reasons"], serde_json::json!(["NM_NOT_UPDATED"]));
    assert_eq!(results[0]["checked_at"], "2023-08-23");
    assert_eq!(results[0]["inspector"], "张三");
    let batch = log_records(&round, "batch");
    assert_eq!(batch.len(), 1);
    assert_eq!(batch[0]["lines"], 20);
    assert_eq!(
        batch[0]["source_sha256"],
        choucha::base::digest::sha256_hex(&gbk)
    );
}

#[test]
fn every_bad_batch_is_refused_whole_naming_file_and_line() {
    let tmp = TempDir::new().unwrap();
    let (round, ids) = drawn_round(tmp.path(), "r", 40);
    let (a, b, c) = (&ids[0], &ids[1], &ids[2]);
    ok(Some(&round), &["record", "--id", c, "--pass"]);
    let cases: Vec<(&str, String, String)> = vec![
        (
            "outside.csv",
            format!("id,verdict\n{a},pass\nNOT-SAMPLED,pass\n"),
            "line 3: id \"NOT-SAMPLED\" is not in the sample".into(),
        ),
        (
            "again.csv",
            // c passed already: a row failing it differs (one passing it is skipped).
            format!("id,verdict,reason\n{a},pass,\n{c},fail,NM_SECURITY\n"),
            format!("line 3: id \"{c}\" already has a result (log line"),
        ),
        (
            "twice.csv",
            format!("id,verdict\n{a},pass\n{b},pass\n{a},fail,NM_SECURITY\n"),
            format!("line 4: id \"{a}\" is already in this batch, on line 2"),
        ),
        (
            "open_quote.csv",
            format!("id,verdict,note\n{a},pass,ok\n{b},pass,\"opened\n{a},pass,x\n"),
            "line 3: a quote opened on this line is never closed".into(),
        ),
        (
            "unknown.csv",
            format!("id,verdict,reason\n{a},fail,NM_BORED\n"),
            "line 2: id".into(),
        ),
        (
            "no_reason.csv",
            format!("id,verdict,reason\n{a},pass,\n{b},fail,\n"),
            "line 3: id".into(),
        ),
        (
            "veto_pass.csv",
            format!("id,verdict,reason\n{a},pass,NM_NOT_UPDATED\n"),
            "a pass cannot carry NM_NOT_UPDATED".into(),
        ),
        (
            "wrong_kind.csv",
            format!("id,verdict,reason\n{a},fail,WEB_UNREACHABLE\n"),
            "applies to website".into(),
        ),
        (
            "verdict.csv",
            format!("id,verdict\n{a},maybe\n"),
            "line 2: field \"verdict\" is \"maybe\"; accepted: pass, fail, 合格, 不合格".into(),
        ),
        (
            "date.csv",
            format!("id,verdict,checked_at\n{a},pass,2023-13-01\n"),
            "line 2: field \"checked_at\"".into(),
        ),
        (
            "no_verdict.csv",
            format!("id,result\n{a},pass\n"),
            "line 1: no verdict column".into(),
        ),
        (
            "header_only.csv",
            "id,verdict\n".into(),
            "has a header but no results".into(),
        ),
    ];
    for (name, text, message) in &cases {
        let f = write(tmp.path(), name, text);
        refused(&round, &["record", f.to_str().unwrap()], message);
        let o = run(Some(&round), &["record", f.to_str().unwrap()]);
        let names_line = o.stderr.contains(&format!("{name}: line")) || *name == "header_only.csv";
        assert!(
            names_line && o.stderr.contains(name),
            "{name}: the message names file and line: {}",
            o.stderr
        );
    }
    // The refusals of unknown codes and reason-less fails say what is accepted.
    let f = write(
        tmp.path(),
        "u2.csv",
        &format!("id,verdict,reason\n{a},fail,NM_BORED\n"),
    );
    let o = run(Some(&round), &["record", f.to_str().unwrap()]);
    assert!(
        o.stderr
            .contains("unknown reason code \"NM_BORED\"; accepted: NM_SECURITY"),
        "{}",
        o.stderr
    );
    let f = write(tmp.path(), "u3.csv", &format!("id,verdict\n{b},fail\n"));
    let o = run(Some(&round), &["record", f.to_str().unwrap()]);
    assert!(
        o.stderr.contains("a fail needs a single-veto reason code"),
        "{}",
        o.stderr
    );
    // Several problems are listed together.
    let f = write(tmp.path(), "many.csv", "id,verdict\nX1,pass\nX2,pass\n");
    let o = run(Some(&round), &["record", f.to_str().unwrap()]);
    assert!(
        o.stderr.contains("many.csv: line 2") && o.stderr.contains("many.csv: line 3"),
        "{}",
        o.stderr
    );
}

#[test]
fn single_results_and_amendments_keep_history() {
    let tmp = TempDir::new().unwrap();
    let (round, ids) = drawn_round(tmp.path(), "r", 8);
    let id = &ids[0];
    refused(
        &round,
        &["amend", "--id", id, "--pass", "--why", "x"],
        "has no result to amend",
    );
    ok(
        Some(&round),
        &[
            "record",
            "--id",
            id,
            "--fail",
            "NM_NOT_UPDATED",
            "--note",
            "两周未更新",
            "--inspector",
            "李四",
        ],
    );
    refused(
        &round,
        &["record", "--id", id, "--pass"],
        "already has a result",
    );
    refused(
        &round,
        &["amend", "--id", id, "--pass", "--why", "  "],
        "--why",
    );
    refused(
        &round,
        &[
            "amend",
            "--id",
            id,
            "--fail",
            "REGISTRY_MISMATCH",
            "--why",
            "x",
        ],
        "needs a single-veto",
    );
    let out = ok(
        Some(&round),
        &[
            "amend",
            "--id",
            id,
            "--pass",
            "--reason",
            "REGISTRY_MISMATCH",
            "--why",
            "复核：8月20日有更新",
        ],
    );
    assert!(out.contains("fail → pass"), "{out}");
    ok(
        Some(&round),
        &[
            "amend",
            "--id",
            id,
            "--fail",
            "NM_NO_INTERACTION",
            "--why",
            "再次复核",
        ],
    );
    let recorded = log_records(&round, "result-recorded");
    let amended = log_records(&round, "result-amended");
    assert_eq!(recorded.len(), 1);
    assert_eq!(recorded[0]["verdict"], "fail");
    assert_eq!(amended.len(), 2);
    assert_eq!(amended[0]["why"], "复核：8月20日有更新");
    assert_eq!(
        amended[1]["reasons"],
        serde_json::json!(["NM_NO_INTERACTION"])
    );
    refused(
        &round,
        &["record", "--id", &ids[1], "--pass", "--fail", "NM_SECURITY"],
        "cannot be used with",
    );
    refused(
        &round,
        &["record", "--id", "nobody", "--pass"],
        "\"nobody\" is not in the sample",
    );
}

#[test]
fn results_are_refused_before_the_draw() {
    let tmp = TempDir::new().unwrap();
    let round = seeded(tmp.path(), "r", WORKED);
    refused(
        &round,
        &["record", "--id", "A2", "--pass"],
        "no sample has been drawn yet",
    );
}

#[test]
fn a_round_can_add_its_own_codes() {
    let tmp = TempDir::new().unwrap();
    let codes = write(
        tmp.path(),
        "codes.csv",
        "code,label,applies-to,veto\nNM_FAKE,假冒仿冒账号,new-media,yes\n",
    );
    let round = init(tmp.path(), "r", &["--codes", codes.to_str().unwrap()]);
    let listed = ok(Some(&round), &["codes"]);
    assert!(
        listed.contains("NM_FAKE\tyes\tnew-media\t假冒仿冒账号"),
        "{listed}"
    );
    assert!(
        listed.contains("NM_NOT_UPDATED\tyes\tnew-media\t内容不更新"),
        "{listed}"
    );
    let log = fs::read_to_string(round.join("log.jsonl")).unwrap();
    assert!(log.contains("\"codes\":[{\"code\":\"NM_FAKE\""), "{log}");
    let f = write(tmp.path(), "r.csv", WORKED);
    ok(Some(&round), &["roster", f.to_str().unwrap()]);
    ok(Some(&round), &["seed", SEED]);
    ok(Some(&round), &["draw"]);
    ok(Some(&round), &["record", "--id", "A2", "--fail", "NM_FAKE"]);
}

#[test]
fn line_numbers_are_right_for_excel_crlf_files_with_blank_lines() {
    let tmp = TempDir::new().unwrap();
    let (round, ids) = drawn_round(tmp.path(), "r", 8);
    let text = format!("id,verdict\r\n{},pass\r\n\r\n{},maybe\r\n", ids[0], ids[1]);
    let f = write(tmp.path(), "crlf.csv", &text);
    refused(
        &round,
        &["record", f.to_str().unwrap()],
        "crlf.csv: line 4: field \"verdict\" is \"maybe\"",
    );
    let plan = write(
        tmp.path(),
        "plan.csv",
        "stratum,quota\r\n合肥市,1\r\n\r\n省直厅局,x\r\n",
    );
    let o = run(
        None,
        &[
            "init",
            tmp.path().join("p").to_str().unwrap(),
            "--round",
            "p",
            "--population",
            "x",
            "--rate",
            "1/2",
            "--allocation",
            &format!("quotas={}", plan.display()),
        ],
    );
    assert_eq!(o.code, 2);
    assert!(
        o.stderr.contains("plan.csv: line 4: quota \"x\""),
        "{}",
        o.stderr
    );
}

/// Every problem of a batch in one refusal, whatever pass finds it (reading
/// the rows or checking them against the sample); more than twenty go to a
/// problems file beside the batch, which the message names.
#[test]
fn a_batch_is_refused_with_every_problem_in_one_pass() {
    let tmp = TempDir::new().unwrap();
    let (round, ids) = drawn_round(tmp.path(), "r", 40);
    // Line 2: a verdict no one can read; line 3: an id not sampled.
    let text = format!("id,verdict\n{},maybe\nNOT-SAMPLED,pass\n", ids[0]);
    let f = write(tmp.path(), "mixed.csv", &text);
    refused(&round, &["record", f.to_str().unwrap()], "line 2");
    let o = run(Some(&round), &["record", f.to_str().unwrap()]);
    assert!(
        o.stderr
            .contains("line 3: id \"NOT-SAMPLED\" is not in the sample"),
        "{}",
        o.stderr
    );

    let mut text = String::from("id,verdict\n");
    for i in 0..30 {
        text.push_str(&format!("NOT-{i},pass\n"));
    }
    let f = write(tmp.path(), "many.csv", &text);
    refused(&round, &["record", f.to_str().unwrap()], "… and 10 more");
    let o = run(Some(&round), &["record", f.to_str().unwrap()]);
    let listed = tmp.path().join("many.csv.problems.txt");
    assert!(
        o.stderr.contains(&format!(
            "all 30 problems are listed in {}",
            listed.display()
        )),
        "{}",
        o.stderr
    );
    let all = fs::read_to_string(&listed).unwrap();
    assert_eq!(all.lines().count(), 30);
    assert!(
        all.contains("line 31: id \"NOT-29\" is not in the sample"),
        "{all}"
    );
}
