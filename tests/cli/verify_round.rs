//! Issue: verify / report / claims — the published numbers follow from the
//! records, and every kind of tampering is named.
//!
//! Each test runs `choucha demo` once (well under a second) and copies or
//! tampers with its round directories. Tampering that leaves the chain intact
//! (a line edited, inserted or deleted) re-hashes the log after it with
//! [`rechain`], so `log check` still passes and only the recount can catch it.

use std::collections::HashSet;
use std::fs;
use std::path::{Path, PathBuf};

use choucha::base::digest::sha256_hex;
use tempfile::TempDir;

use crate::*;

const NEW_MEDIA: &str = "anhui-2023q3-new-media";
const WEBSITES: &str = "anhui-2023q3-websites";
const NM_TABLE: &str = "table-new-media.csv";
const NM_CLAIMS: &[&str] = &[
    "--claim",
    "total=3316",
    "--claim",
    "checked=1658",
    "--claim",
    "failed=5",
    "--claim",
    "pass-rate=99.70%",
];

/// A copy of the demo's new-media round (published, verified) to tamper with.
fn nm_copy(base: &Path, name: &str) -> PathBuf {
    round_copy(&base.join(NEW_MEDIA), &base.join(name))
}

/// A copy of the files of round `from`, at `to`.
fn round_copy(from: &Path, to: &Path) -> PathBuf {
    fs::create_dir_all(to).unwrap();
    for e in fs::read_dir(from).unwrap() {
        let p = e.unwrap().path();
        if p.is_file() {
            fs::copy(&p, to.join(p.file_name().unwrap())).unwrap();
        }
    }
    to.to_path_buf()
}

fn input(base: &Path, name: &str) -> String {
    base.join("inputs").join(name).display().to_string()
}

/// `choucha verify ROUND ARGS…`, which must exit 1 with `FAILED` exactly for
/// `checks` (in output order) and end in `verdict: FAILED`. Returns the
/// `FAILED  CHECK:` lines' texts by check.
fn verify_fails(round: &Path, args: &[&str], checks: &[&str]) -> Vec<(String, String)> {
    let mut all = vec!["verify", round.to_str().unwrap()];
    all.extend_from_slice(args);
    let o = run(None, &all);
    assert_eq!(o.code, 1, "verify should exit 1:\n{}{}", o.stdout, o.stderr);
    assert!(!o.stderr.contains("panicked"), "{}", o.stderr);
    let last = o.stdout.lines().last().unwrap_or("");
    assert!(last.starts_with("verdict: FAILED"), "{}", o.stdout);
    let failed: Vec<(String, String)> = o
        .stdout
        .lines()
        .filter_map(|l| l.strip_prefix("FAILED  "))
        .map(|l| {
            let (check, detail) = l.split_once(": ").expect("CHECK: detail");
            (check.to_string(), detail.to_string())
        })
        .collect();
    let names: Vec<&str> = failed.iter().map(|(c, _)| c.as_str()).collect();
    assert_eq!(names, checks, "{}", o.stdout);
    // The verdict counts apart the checks that could not be run.
    let total = o
        .stdout
        .lines()
        .filter(|l| l.starts_with("ok      ") || l.starts_with("FAILED  "))
        .count();
    let unchecked = failed
        .iter()
        .filter(|(_, d)| d.starts_with("not checked:"))
        .count();
    let on_their_own = failed.len() - unchecked;
    let verdict = if unchecked == 0 {
        format!("verdict: FAILED — {on_their_own} of {total} checks failed")
    } else {
        format!(
            "verdict: FAILED — {on_their_own} of {total} checks failed; \
             {unchecked} could not be run because of that"
        )
    };
    assert_eq!(last, verdict, "{}", o.stdout);
    failed
}

/// The detail of the FAILED line for `check`, which must contain every needle.
fn detail<'a>(failed: &'a [(String, String)], check: &str, needles: &[&str]) -> &'a str {
    let d = &failed
        .iter()
        .find(|(c, _)| c == check)
        .unwrap_or_else(|| panic!("no FAILED {check}: {failed:?}"))
        .1;
    for n in needles {
        assert!(d.contains(n), "FAILED  {check}: expected {n:?} in {d:?}");
    }
    d
}

fn verify_ok(round: &Path, args: &[&str]) -> String {
    let mut all = vec!["verify", round.to_str().unwrap()];
    all.extend_from_slice(args);
    let o = run(None, &all);
    assert_eq!(o.code, 0, "verify should pass:\n{}{}", o.stdout, o.stderr);
    assert!(!o.stdout.contains("FAILED"), "{}", o.stdout);
    assert!(
        o.stdout
            .lines()
            .last()
            .unwrap_or("")
            .starts_with("verdict: ok"),
        "{}",
        o.stdout
    );
    o.stdout
}

#[test]
fn demo_reproduces_both_tables_of_the_notice() {
    let tmp = TempDir::new().unwrap();
    // The tables are the notice's, in Chinese, whatever the interface speaks.
    let (out, base) = demo(tmp.path());
    for needle in [
        "| 序号 | 省直厅局/各市 | 运行政务新媒体总数 | 检查政务新媒体数 | 存在突出问题的政务新媒体数 |",
        "|  | 合计 | 3316 | 1658 | 5 |",
        "|  | 合计 | 840 | 840 | 0 |",
        "合格率99.70%（1653/1658）",
        "合格率100.00%（840/840）",
        "| 6 | 蚌埠市 | 173 | 86 | 0 |",
        "| 17 | 黄山市 | 47 | 47 | 0 |",
    ] {
        assert!(out.contains(needle), "expected {needle:?} in:\n{out}");
    }
    assert_eq!(
        out.lines().filter(|l| l.starts_with("verdict: ok")).count(),
        2,
        "{out}"
    );
    assert!(!out.contains("FAILED"), "{out}");
    // The report's CSV is the published table, byte for byte.
    for (round, table) in [(NEW_MEDIA, NM_TABLE), (WEBSITES, "table-websites.csv")] {
        let csv = ok(
            Some(&base.join(round)),
            &["report", "--format", "csv", "--lang", "zh"],
        );
        let published = fs::read_to_string(
            Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("samples/anhui-2023q3")
                .join(table),
        )
        .unwrap();
        assert_eq!(csv, published, "{round} vs {table}");
    }
    // The demo writes into a fresh directory only.
    let o = run(None, &["demo", "--out", base.to_str().unwrap()]);
    assert_eq!(o.code, 2, "{}", o.stderr);
    assert!(o.stderr.contains("not empty"), "{}", o.stderr);
}

#[test]
fn verify_passes_on_the_example_rounds() {
    let tmp = TempDir::new().unwrap();
    let (_, base) = demo(tmp.path());
    let nm_table = input(&base, NM_TABLE);
    let mut args = vec!["--published", nm_table.as_str()];
    args.extend_from_slice(NM_CLAIMS);
    args.extend_from_slice(&["--claim", "passed=1653", "--claim", "合格率=99.70%"]);
    let out = verify_ok(&base.join(NEW_MEDIA), &args);
    for check in [
        "chain",
        "order",
        "roster",
        "draw",
        "results",
        "report",
        "published table",
        "claim",
    ] {
        assert!(
            out.contains(&format!("ok      {check}: ")),
            "no ok {check}: {out}"
        );
    }
    // A pass rate is compared at its own precision.
    let out = verify_ok(
        &base.join(NEW_MEDIA),
        &[
            "--claim",
            "pass-rate=99.7%",
            "--claim",
            "pass-rate=99.6984%",
        ],
    );
    assert!(
        out.contains("ok      claim: pass-rate=99.7% agrees"),
        "{out}"
    );
    let ws_table = input(&base, "table-websites.csv");
    verify_ok(
        &base.join(WEBSITES),
        &[
            "--published",
            &ws_table,
            "--claim",
            "checked=840",
            "--claim",
            "pass-rate=100.00%",
        ],
    );
    // A table that leaves the totals row out is compared row by row.
    let text = fs::read_to_string(&nm_table).unwrap();
    let rows_only: String = text
        .lines()
        .filter(|l| !l.contains("合计"))
        .map(|l| format!("{l}\n"))
        .collect();
    assert_ne!(rows_only, text);
    let t = write(tmp.path(), "rows-only.csv", &rows_only);
    let out = verify_ok(&base.join(NEW_MEDIA), &["--published", t.to_str().unwrap()]);
    assert!(
        out.contains("rows-only.csv: all 17 rows equal the recount (the table has no totals row)"),
        "{out}"
    );
    let changed = rows_only.replace("\n6,蚌埠市,173,86,0\n", "\n6,蚌埠市,173,86,1\n");
    assert_ne!(changed, rows_only);
    let t = write(tmp.path(), "rows-changed.csv", &changed);
    verify_fails(
        &base.join(NEW_MEDIA),
        &["--published", t.to_str().unwrap()],
        &["published table"],
    );
    // A copy verifies just as well, also given with -C.
    let copy = nm_copy(&base, "copy");
    verify_ok(&copy, &[]);
    let o = run(Some(&copy), &["verify"]);
    assert_eq!(o.code, 0, "{}{}", o.stdout, o.stderr);
    // The English CSV of the report is accepted as the published table.
    let en = ok(Some(&copy), &["report", "--format", "csv", "--lang", "en"]);
    let en_table = write(tmp.path(), "en.csv", &en);
    verify_ok(&copy, &["--published", en_table.to_str().unwrap()]);
}

#[test]
fn verify_refuses_unreadable_inputs_with_exit_2() {
    let tmp = TempDir::new().unwrap();
    let (_, base) = demo(tmp.path());
    let round = base.join(NEW_MEDIA);
    let missing = tmp.path().join("no-such-table.csv");
    let o = run(
        None,
        &[
            "verify",
            round.to_str().unwrap(),
            "--published",
            missing.to_str().unwrap(),
        ],
    );
    assert_eq!(o.code, 2, "{}{}", o.stdout, o.stderr);
    assert!(o.stderr.contains("no-such-table.csv"), "{}", o.stderr);
    let o = run(
        None,
        &["verify", round.to_str().unwrap(), "--claim", "checked=many"],
    );
    assert_eq!(o.code, 2, "{}{}", o.stdout, o.stderr);
    assert!(o.stderr.contains("--claim"), "{}", o.stderr);
}

#[test]
fn a_published_table_with_one_cell_changed_is_named() {
    let tmp = TempDir::new().unwrap();
    let (_, base) = demo(tmp.path());
    let text = fs::read_to_string(input(&base, NM_TABLE)).unwrap();
    let changed = text.replace("\n6,蚌埠市,173,86,0\n", "\n6,蚌埠市,173,86,1\n");
    assert_ne!(changed, text);
    let t = write(tmp.path(), "changed.csv", &changed);
    let failed = verify_fails(
        &base.join(NEW_MEDIA),
        &["--published", t.to_str().unwrap()],
        &["published table"],
    );
    let d = detail(
        &failed,
        "published table",
        &["changed.csv line 7 (蚌埠市): failed is 1, the records give 0"],
    );
    // Only that cell: the totals row still equals the recount.
    assert!(!d.contains("totals"), "{d}");

    // A row dropped and a totals cell changed are named too.
    let dropped = text
        .replace("\n6,蚌埠市,173,86,0\n", "\n")
        .replace(",合计,3316,1658,5", ",合计,3316,1659,5");
    let t = write(tmp.path(), "dropped.csv", &dropped);
    let failed = verify_fails(
        &base.join(NEW_MEDIA),
        &["--published", t.to_str().unwrap()],
        &["published table"],
    );
    detail(
        &failed,
        "published table",
        &[
            "has no row for stratum \"蚌埠市\"",
            "(totals): checked is 1659, the records give 1658",
        ],
    );
}

#[test]
fn false_claims_are_named_with_both_values() {
    let tmp = TempDir::new().unwrap();
    let (_, base) = demo(tmp.path());
    let round = base.join(NEW_MEDIA);
    let failed = verify_fails(&round, &["--claim", "checked=1659"], &["claim"]);
    detail(
        &failed,
        "claim",
        &["checked=1659 is claimed, the records give 1658"],
    );
    let failed = verify_fails(
        &round,
        &["--claim", "pass-rate=99.69%", "--claim", "failed=5"],
        &["claim"],
    );
    detail(
        &failed,
        "claim",
        &["pass-rate=99.69% is claimed", "99.70%", "1653/1658"],
    );
}

#[test]
fn an_edited_result_with_a_rehashed_chain_is_caught_by_the_recount() {
    let tmp = TempDir::new().unwrap();
    let (_, base) = demo(tmp.path());
    let round = nm_copy(&base, "edited");
    let mut lines = log_lines(&round);
    let i = index_of(&lines, "result-recorded");
    let before = lines[i].clone();
    lines[i] = before.replace(
        "\"verdict\":\"pass\",\"reasons\":[]",
        "\"verdict\":\"fail\",\"reasons\":[\"NM_NOT_UPDATED\"]",
    );
    assert_ne!(lines[i], before, "the first result is a pass");
    forge(&round, &mut lines, i + 1);
    let failed = verify_fails(&round, &[], &["report"]);
    detail(
        &failed,
        "report",
        &[
            &format!(
                "report-published (line {})",
                index_of(&lines, "report-published") + 1
            ),
            "recorded checked 1658, failed 5, pass rate 99.70%",
            "the records give checked 1658, failed 6, pass rate 99.64%",
        ],
    );
    // Against the published table the changed row is named as well.
    let t = input(&base, NM_TABLE);
    let failed = verify_fails(
        &round,
        &["--published", &t, "--claim", "failed=5"],
        &["report", "published table", "claim"],
    );
    detail(
        &failed,
        "published table",
        &["(totals): failed is 5, the records give 6"],
    );
    detail(
        &failed,
        "claim",
        &["failed=5 is claimed, the records give 6"],
    );
}

#[test]
fn a_roster_line_removed_is_caught() {
    let tmp = TempDir::new().unwrap();
    let (_, base) = demo(tmp.path());
    let round = nm_copy(&base, "roster");
    let tsv = fs::read_to_string(round.join("roster.tsv")).unwrap();
    let shorter: String = tsv.lines().skip(1).map(|l| format!("{l}\n")).collect();
    fs::write(round.join("roster.tsv"), &shorter).unwrap();
    let failed = verify_fails(&round, &[], &["roster", "draw"]);
    detail(
        &failed,
        "roster",
        &[
            &format!("roster.tsv hashes to {}", sha256_hex(shorter.as_bytes())),
            &format!("roster-committed recorded {}", sha256_hex(tsv.as_bytes())),
        ],
    );
    detail(&failed, "draw", &["the roster does not hold"]);
}

#[test]
fn two_manifest_ids_swapped_are_caught_even_with_the_digest_rewritten() {
    let tmp = TempDir::new().unwrap();
    let (_, base) = demo(tmp.path());
    let round = nm_copy(&base, "swapped");
    let text = fs::read_to_string(round.join("manifest.json")).unwrap();
    let m: serde_json::Value = serde_json::from_str(&text).unwrap();
    let stratum = m["strata"][0]["name"].as_str().unwrap().to_string();
    let a = m["strata"][0]["ids"][0].as_str().unwrap().to_string();
    let b = m["strata"][0]["ids"][1].as_str().unwrap().to_string();
    let swapped = text
        .replace(&format!("\"{a}\""), "\"@\"")
        .replace(&format!("\"{b}\""), &format!("\"{a}\""))
        .replace("\"@\"", &format!("\"{b}\""));
    assert_ne!(swapped, text);
    fs::write(round.join("manifest.json"), &swapped).unwrap();
    // As is: the digest no longer matches sample-drawn.
    let failed = verify_fails(&round, &[], &["draw"]);
    detail(
        &failed,
        "draw",
        &[
            &format!("manifest.json hashes to {}", sha256_hex(swapped.as_bytes())),
            &format!("sample-drawn recorded {}", sha256_hex(text.as_bytes())),
        ],
    );
    // With sample-drawn rewritten and the chain re-hashed: the redraw names the rank.
    let mut lines = log_lines(&round);
    let i = index_of(&lines, "sample-drawn");
    lines[i] = lines[i].replace(
        &sha256_hex(text.as_bytes()),
        &sha256_hex(swapped.as_bytes()),
    );
    forge(&round, &mut lines, i + 1);
    let failed = verify_fails(&round, &[], &["draw"]);
    detail(
        &failed,
        "draw",
        &[&format!(
            "stratum {stratum:?}, rank 1: the redraw gives {a:?}, manifest.json has {b:?}"
        )],
    );
}

#[test]
fn a_second_draw_appended_by_hand_is_an_order_failure() {
    let tmp = TempDir::new().unwrap();
    let (_, base) = demo(tmp.path());
    let round = nm_copy(&base, "second-draw");
    let mut lines = log_lines(&round);
    let drawn = lines[index_of(&lines, "sample-drawn")].clone();
    lines.push(drawn);
    let n = lines.len();
    forge(&round, &mut lines, n - 1);
    let failed = verify_fails(
        &round,
        &[],
        &["order", "roster", "draw", "results", "report"],
    );
    detail(&failed, "order", &[&format!("line {n}: a second draw")]);
    detail(&failed, "roster", &["not checked"]);
    // One failure; the four checks after the order could not be run.
    assert_eq!(
        failed
            .iter()
            .filter(|(_, d)| d.starts_with("not checked:"))
            .count(),
        4
    );
}

#[test]
fn a_result_for_an_account_outside_the_sample_is_named() {
    let tmp = TempDir::new().unwrap();
    let (_, base) = demo(tmp.path());
    // An account in the roster that was not drawn.
    let m: serde_json::Value =
        serde_json::from_slice(&fs::read(base.join(NEW_MEDIA).join("manifest.json")).unwrap())
            .unwrap();
    let sampled: HashSet<&str> = m["strata"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|s| s["ids"].as_array().unwrap().iter())
        .map(|v| v.as_str().unwrap())
        .collect();
    let tsv = fs::read_to_string(base.join(NEW_MEDIA).join("roster.tsv")).unwrap();
    let (stratum, outsider) = tsv
        .lines()
        .map(|l| l.split_once('\t').unwrap())
        .find(|(_, id)| !sampled.contains(id))
        .unwrap();
    let forged = |template: &str| -> String {
        let r: serde_json::Value = serde_json::from_str(template).unwrap();
        let id = r["id"].as_str().unwrap();
        let s = r["stratum"].as_str().unwrap();
        template
            .replace(
                &format!("\"id\":\"{id}\""),
                &format!("\"id\":\"{outsider}\""),
            )
            .replace(
                &format!("\"stratum\":\"{s}\""),
                &format!("\"stratum\":\"{stratum}\""),
            )
    };

    // Slipped in before the report was published, chained: only the results check sees it.
    let round = nm_copy(&base, "outsider");
    let mut lines = log_lines(&round);
    let template = lines[index_of(&lines, "result-recorded")].clone();
    let p = index_of(&lines, "report-published");
    lines.insert(p, forged(&template));
    forge(&round, &mut lines, p);
    let failed = verify_fails(&round, &[], &["results"]);
    detail(
        &failed,
        "results",
        &[&format!(
            "line {}: \"{outsider}\" is not in the sample",
            p + 1
        )],
    );

    // Appended after the report: the round was closed.
    let round = nm_copy(&base, "outsider-late");
    let mut lines = log_lines(&round);
    lines.push(forged(&template));
    let n = lines.len();
    forge(&round, &mut lines, n - 1);
    let failed = verify_fails(
        &round,
        &[],
        &["order", "roster", "draw", "results", "report"],
    );
    detail(
        &failed,
        "order",
        &[&format!(
            "line {n}: a result after the report was published"
        )],
    );
}

#[test]
fn a_missing_result_is_incomplete() {
    let tmp = TempDir::new().unwrap();
    let (_, base) = demo(tmp.path());
    let round = nm_copy(&base, "missing");
    let mut lines = log_lines(&round);
    // A careful forger also lowers the batch's count, so the log stays well framed.
    let b = index_of(&lines, "batch");
    assert!(lines[b].contains("\"lines\":1658,"), "{}", lines[b]);
    lines[b] = lines[b].replace("\"lines\":1658,", "\"lines\":1657,");
    let i = index_of(&lines, "result-recorded") + 100;
    let gone: serde_json::Value = serde_json::from_str(&lines.remove(i)).unwrap();
    let id = gone["id"].as_str().unwrap();
    forge(&round, &mut lines, b);
    let failed = verify_fails(&round, &[], &["results", "report"]);
    detail(
        &failed,
        "results",
        &[&format!(
            "incomplete: 1 of 1658 sampled accounts have no result: {id}"
        )],
    );
}

#[test]
fn claims_checks_a_table_on_its_own() {
    let tmp = TempDir::new().unwrap();
    let header =
        "序号,省直厅局/各市,运行政务新媒体总数,检查政务新媒体数,存在突出问题的政务新媒体数\n";
    let good = format!("{header}1,淮北市,133,67,1\n2,亳州市,131,66,1\n,合计,264,133,2\n");
    let t = write(tmp.path(), "t.csv", &good);
    let t = t.to_str().unwrap();
    let out = ok(
        None,
        &[
            "claims",
            t,
            "--claim",
            "pass-rate=98.50%",
            "--claim",
            "pass-rate=98.5%",
            "--claim",
            "checked=133",
            "--claim",
            "failed=2",
            "--claim",
            "passed=131",
            "--rate",
            "50%",
        ],
    );
    assert!(out.contains("131 passed of 133 checked is 98.50%"), "{out}");
    assert!(
        out.lines().last().unwrap().starts_with("verdict: ok"),
        "{out}"
    );

    let o = run(None, &["claims", t, "--claim", "pass-rate=98.49%"]);
    assert_eq!(o.code, 1, "{}{}", o.stdout, o.stderr);
    assert!(
        o.stdout
            .contains("FAILED  pass-rate=98.49% disagrees with 合计 (line 4)"),
        "{}",
        o.stdout
    );

    // Rows that do not add up to the totals: the column is named.
    let bad = good.replace("2,亳州市,131,66,1", "2,亳州市,131,66,2");
    let t = write(tmp.path(), "bad.csv", &bad);
    let o = run(None, &["claims", t.to_str().unwrap()]);
    assert_eq!(o.code, 1, "{}{}", o.stdout, o.stderr);
    assert!(
        o.stdout
            .contains("FAILED  failed: the rows add up to 3 but 合计 (line 4) says 2"),
        "{}",
        o.stdout
    );
    assert_eq!(o.stdout.matches("FAILED").count(), 2, "{}", o.stdout); // the line and the verdict
    assert!(
        o.stdout
            .lines()
            .last()
            .unwrap()
            .starts_with("verdict: FAILED"),
        "{}",
        o.stdout
    );

    // A missing table is an input error.
    let o = run(
        None,
        &["claims", tmp.path().join("none.csv").to_str().unwrap()],
    );
    assert_eq!(o.code, 2, "{}{}", o.stdout, o.stderr);
}

#[test]
fn claims_finds_the_notice_short_of_its_stated_rate_in_bengbu() {
    let table =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("samples/anhui-2023q3/table-new-media.csv");
    let table = table.to_str().unwrap();
    // The table itself and its headline figures hold.
    let out = ok(
        None,
        &[
            "claims",
            table,
            "--claim",
            "checked=1658",
            "--claim",
            "failed=5",
            "--claim",
            "pass-rate=99.70%",
        ],
    );
    assert!(
        out.lines().last().unwrap().starts_with("verdict: ok"),
        "{out}"
    );
    // 50%, as the office apportioned it: the real notice fits largest
    // remainder (an auditor's reading), and not a per-row ceiling.
    let o = run(None, &["claims", table, "--rate", "50%"]);
    assert_eq!(o.code, 0, "{}{}", o.stdout, o.stderr);
    assert!(
        o.stdout
            .contains("ok      rate 1/2: the checked counts fit largest-remainder:"),
        "{}",
        o.stdout
    );
    let o = run(
        None,
        &["claims", table, "--rate", "50%", "--allocation", "ceil"],
    );
    assert_eq!(o.code, 1, "{}{}", o.stdout, o.stderr);
    assert!(
        o.stdout.contains(
            "FAILED  the table does not fit ceil: 淮北市 (line 4): checked 66 is not ceil(133 × 1/2) = 67"
        ),
        "{}",
        o.stdout
    );
    let o = run(
        None,
        &["claims", table, "--rate", "50%", "--allocation", "hamilton"],
    );
    assert_eq!(o.code, 2, "{}", o.stderr);
    assert!(
        o.stderr
            .contains("accepted: largest-remainder, floor, ceil, at-least"),
        "{}",
        o.stderr
    );
}

#[test]
fn publishing_closes_the_round() {
    let tmp = TempDir::new().unwrap();
    let (round, ids) = drawn_round(tmp.path(), "r", 40);
    assert_eq!(ids.len(), 20);
    let (last, rest) = ids.split_last().unwrap();
    let mut csv = String::from("id,verdict,reason\n");
    for (i, id) in rest.iter().enumerate() {
        if i == 2 {
            csv.push_str(&format!("{id},fail,NM_SECURITY\n"));
        } else {
            csv.push_str(&format!("{id},pass,\n"));
        }
    }
    let f = write(tmp.path(), "results.csv", &csv);
    ok(Some(&round), &["record", f.to_str().unwrap()]);

    // A draft: the table says what is missing, and cannot be published.
    let draft = ok(Some(&round), &["report", "--lang", "zh"]);
    assert!(
        draft.contains(&format!("草稿：尚有1个抽查账号没有检查结果：{last}")),
        "{draft}"
    );
    refused(
        &round,
        &["report", "--publish"],
        &format!("1 sampled accounts have no result yet: {last}"),
    );

    ok(Some(&round), &["record", "--id", last, "--pass"]);
    // An output that cannot be written is refused before the round is closed.
    let nowhere = tmp.path().join("no-such-dir").join("t.json");
    refused(
        &round,
        &["report", "--publish", "-o", nowhere.to_str().unwrap()],
        "no-such-dir",
    );
    refused(
        &round,
        &["report", "--publish", "-o", tmp.path().to_str().unwrap()],
        "is a directory",
    );
    assert!(log_records(&round, "report-published").is_empty());
    let json = run(Some(&round), &["report", "--publish", "--format", "json"]);
    assert_eq!(json.code, 0, "{}", json.stderr);
    let published = log_records(&round, "report-published");
    assert_eq!(published.len(), 1);
    let digest = published[0]["table_sha256"].as_str().unwrap();
    assert_eq!(sha256_hex(json.stdout.as_bytes()), digest);
    assert!(json.stderr.contains(digest), "{}", json.stderr);
    assert_eq!(published[0]["checked"], 20);
    assert_eq!(published[0]["failed"], 1);
    assert_eq!(published[0]["pass_rate"], "95.00%");
    assert_eq!(published[0]["fraction"], "19/20");
    // The same bytes again, later: `report --format json | sha256sum` is the digest.
    let again = ok(Some(&round), &["report", "--format", "json"]);
    assert_eq!(again, json.stdout);

    // Closed: no result, amendment or second report.
    refused(&round, &["record", "--id", last, "--pass"], "closed");
    refused(
        &round,
        &[
            "amend",
            "--id",
            last,
            "--fail",
            "NM_SECURITY",
            "--why",
            "复核",
        ],
        "closed",
    );
    refused(&round, &["report", "--publish"], "already published");
    verify_ok(&round, &["--claim", "pass-rate=95%", "--claim", "failed=1"]);
}

#[test]
fn a_publish_whose_output_fails_says_the_round_is_closed_all_the_same() {
    // /dev/full refuses every write, as a full disk or a broken pipe would.
    let full = Path::new("/dev/full");
    if !full.exists() {
        eprintln!("skipped: no /dev/full here");
        return;
    }
    let tmp = TempDir::new().unwrap();
    let (round, ids) = drawn_round(tmp.path(), "r", 8);
    let mut csv = String::from("id,verdict,reason\n");
    for id in &ids {
        csv.push_str(&format!("{id},pass,\n"));
    }
    let f = write(tmp.path(), "results.csv", &csv);
    ok(Some(&round), &["record", f.to_str().unwrap()]);
    let out = std::process::Command::new(assert_cmd::cargo::cargo_bin("choucha"))
        .env_remove("LANG")
        .env_remove("LC_ALL")
        .env_remove("LC_MESSAGES")
        .arg("-C")
        .arg(&round)
        .args(["report", "--publish", "--format", "json"])
        .stdout(fs::File::create(full).unwrap())
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    let published = log_records(&round, "report-published");
    assert_eq!(published.len(), 1, "{stderr}");
    let digest = published[0]["table_sha256"].as_str().unwrap();
    assert!(
        stderr.contains("published all the same") && stderr.contains(digest),
        "{stderr}"
    );
    // As the message says: the same table, printed again.
    let again = ok(Some(&round), &["report", "--format", "json"]);
    assert_eq!(sha256_hex(again.as_bytes()), digest);
}

#[test]
fn report_formats_json_html_and_english() {
    let tmp = TempDir::new().unwrap();
    let (_, base) = demo(tmp.path());
    let round = base.join(NEW_MEDIA);
    let digest = log_records(&round, "report-published")[0]["table_sha256"]
        .as_str()
        .unwrap()
        .to_string();
    let json = ok(Some(&round), &["report", "--format", "json"]);
    assert_eq!(sha256_hex(json.as_bytes()), digest);
    assert!(json.ends_with("}\n") && json.lines().count() == 1, "{json}");

    let lines = log_lines(&round);
    let head = sha256_hex(lines.last().unwrap().as_bytes());
    let roster = sha256sum(&round.join("roster.tsv"));
    let html_file = tmp.path().join("table.html");
    ok(
        Some(&round),
        &[
            "report",
            "--lang",
            "zh",
            "--format",
            "html",
            "-o",
            html_file.to_str().unwrap(),
        ],
    );
    let html = fs::read_to_string(&html_file).unwrap();
    for needle in [
        "<title>2023年第三季度全省政务新媒体抽查情况</title>",
        "<h1>2023年第三季度全省政务新媒体抽查情况</h1>",
        "<th>运行政务新媒体总数</th>",
        "<td>合计</td><td>3316</td><td>1658</td><td>5</td>",
        "合格率99.70%（1653/1658）",
        &head,
        &roster,
    ] {
        assert!(html.contains(needle), "expected {needle:?} in:\n{html}");
    }
    assert_eq!(
        ok(
            Some(&round),
            &["report", "--lang", "zh", "--format", "html"]
        ),
        html
    );

    let en = ok(Some(&round), &["report", "--lang", "en"]);
    for needle in [
        "| no | stratum | total | checked | failed |",
        "| 6 | 蚌埠市 | 173 | 86 | 0 |",
        "|  | total | 3316 | 1658 | 5 |",
        "pass rate 99.70% (1653/1658)",
    ] {
        assert!(en.contains(needle), "expected {needle:?} in:\n{en}");
    }
    assert!(!en.contains("运行"), "{en}");
    let en_csv = ok(Some(&round), &["report", "--format", "csv", "--lang", "en"]);
    assert!(
        en_csv.starts_with("no,stratum,total,checked,failed\n"),
        "{en_csv}"
    );
    // The language does not change the published digest: JSON is language-free.
    assert_eq!(
        ok(
            Some(&round),
            &["report", "--format", "json", "--lang", "en"]
        ),
        json
    );
}

/// A log longer than the 4 MB chunks `verify` reads it in: the results on
/// both sides of a chunk's end decode and count, and tampering far into the
/// log is named with its line: a result whose stratum was changed, and a
/// second result of an id, each slipped in with the chain re-hashed.
#[test]
fn a_log_of_several_chunks_verifies_and_names_late_tampering() {
    let tmp = TempDir::new().unwrap();
    let (round, ids) = drawn_round(tmp.path(), "big", 36_000);
    let note = "复查".repeat(40);
    let mut csv = String::from("id,verdict,reason,note,inspector,checked_at\n");
    for (k, id) in ids.iter().enumerate() {
        let (verdict, reason) = if k % 97 == 0 {
            ("fail", "NM_NOT_UPDATED")
        } else {
            ("pass", "")
        };
        csv.push_str(&format!(
            "{id},{verdict},{reason},{note},检查组,2023-08-23\n"
        ));
    }
    let results = write(tmp.path(), "results.csv", &csv);
    ok(Some(&round), &["record", results.to_str().unwrap()]);
    let size = fs::metadata(round.join("log.jsonl")).unwrap().len();
    assert!(
        size > 6 << 20,
        "the log spans two chunks or more: {size} bytes"
    );
    let out = verify_ok(&round, &[]);
    assert!(
        out.contains(&format!(
            "{} sampled accounts, each with a final result",
            ids.len()
        )),
        "{out}"
    );

    // A stratum changed in a result well past the first chunk.
    let copy = |name: &str| round_copy(&round, &tmp.path().join(name));
    let moved = copy("moved");
    let mut lines = log_lines(&moved);
    let i = lines.len() - 3;
    let r: serde_json::Value = serde_json::from_str(&lines[i]).unwrap();
    let (id, stratum) = (r["id"].as_str().unwrap(), r["stratum"].as_str().unwrap());
    let other = if stratum == "黄山市" {
        "合肥市"
    } else {
        "黄山市"
    };
    lines[i] = lines[i].replace(
        &format!("\"stratum\":\"{stratum}\""),
        &format!("\"stratum\":\"{other}\""),
    );
    let id = id.to_string();
    forge(&moved, &mut lines, i + 1);
    let failed = verify_fails(&moved, &[], &["results"]);
    detail(
        &failed,
        "results",
        &[&format!(
            "line {}: \"{id}\" is in stratum \"{stratum}\", the record says \"{other}\"",
            i + 1
        )],
    );

    // A second result of an id recorded in the first chunk, slipped in at
    // the end of the log (inside its batch, whose count is raised).
    let twice = copy("twice");
    let mut lines = log_lines(&twice);
    let b = index_of(&lines, "batch");
    let count = format!("\"lines\":{},", ids.len());
    assert!(lines[b].contains(&count), "{}", lines[b]);
    lines[b] = lines[b].replace(&count, &format!("\"lines\":{},", ids.len() + 1));
    let first = lines[b + 1].clone();
    let r: serde_json::Value = serde_json::from_str(&first).unwrap();
    let id = r["id"].as_str().unwrap().to_string();
    lines.push(first);
    let n = lines.len();
    forge(&twice, &mut lines, b);
    let failed = verify_fails(
        &twice,
        &[],
        &["order", "roster", "draw", "results", "report"],
    );
    detail(
        &failed,
        "order",
        &[&format!("line {n}: a second result for \"{id}\"")],
    );
}
