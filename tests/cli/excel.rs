//! Issue: Excel in and out (the parts that have landed: workbooks as input,
//! the table as a workbook).

use std::fs;

use rust_xlsxwriter::Workbook;
use tempfile::TempDir;

use crate::*;

/// A roster workbook written by another program, ids stored as numbers.
fn roster_workbook(path: &std::path::Path) {
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    ws.set_name("名单").unwrap();
    for (c, h) in ["标识码", "省直厅局/各市", "网站名称"].iter().enumerate() {
        ws.write_string(0, c as u16, *h).unwrap();
    }
    let rows = [
        (3400000001u64, "省直厅局", "安徽省人民政府"),
        (3401000001, "合肥市", "合肥市人民政府"),
        (3416000001, "亳州市", "亳州市人民政府"),
    ];
    for (r, (id, st, name)) in rows.iter().enumerate() {
        ws.write_number(r as u32 + 1, 0, *id as f64).unwrap();
        ws.write_string(r as u32 + 1, 1, *st).unwrap();
        ws.write_string(r as u32 + 1, 2, *name).unwrap();
    }
    wb.save(path).unwrap();
}

#[test]
fn an_xlsx_roster_commits_to_the_same_digest_as_its_csv_twin() {
    let tmp = TempDir::new().unwrap();
    let x = tmp.path().join("roster.xlsx");
    roster_workbook(&x);
    let csv = write(
        tmp.path(),
        "roster.csv",
        "标识码,省直厅局/各市,网站名称\n3400000001,省直厅局,安徽省人民政府\n3401000001,合肥市,合肥市人民政府\n3416000001,亳州市,亳州市人民政府\n",
    );
    let a = init(tmp.path(), "a", &[]);
    let b = init(tmp.path(), "b", &[]);
    let out = ok(
        Some(&a),
        &["roster", x.to_str().unwrap(), "--sheet", "名单"],
    );
    assert!(out.contains("xlsx sheet 名单"), "{out}");
    ok(Some(&b), &["roster", csv.to_str().unwrap()]);
    assert_eq!(
        fs::read(a.join("roster.tsv")).unwrap(),
        fs::read(b.join("roster.tsv")).unwrap()
    );
    assert_eq!(
        fs::read_to_string(a.join("roster.tsv"))
            .unwrap()
            .lines()
            .next(),
        Some("亳州市\t3416000001")
    );
    refused(
        &a,
        &["roster", x.to_str().unwrap(), "--sheet", "结果"],
        "名单",
    );
}

#[test]
fn results_read_from_a_workbook_and_the_table_written_as_one() {
    let tmp = TempDir::new().unwrap();
    let (round, ids) = drawn_round(tmp.path(), "r", 8);
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    ws.set_name("结果").unwrap();
    for (c, h) in ["id", "verdict", "reason"].iter().enumerate() {
        ws.write_string(0, c as u16, *h).unwrap();
    }
    for (r, id) in ids.iter().enumerate() {
        ws.write_string(r as u32 + 1, 0, id).unwrap();
        ws.write_string(r as u32 + 1, 1, if r == 0 { "不合格" } else { "合格" })
            .unwrap();
        ws.write_string(r as u32 + 1, 2, if r == 0 { "NM_NOT_UPDATED" } else { "" })
            .unwrap();
    }
    let x = tmp.path().join("results.xlsx");
    wb.save(&x).unwrap();
    let out = ok(Some(&round), &["record", x.to_str().unwrap()]);
    assert!(
        out.contains("recorded 4 result(s) (3 pass, 1 fail)"),
        "{out}"
    );
    let t = tmp.path().join("table.xlsx");
    ok(
        Some(&round),
        &[
            "report",
            "--format",
            "xlsx",
            "--lang",
            "zh",
            "-o",
            t.to_str().unwrap(),
        ],
    );
    let sheet = choucha::input::workbook::read_sheet(&t, None).unwrap();
    let cells: Vec<String> = sheet.rows.iter().flatten().cloned().collect();
    assert!(cells.iter().any(|c| c == "合计"), "{cells:?}");
    assert!(
        cells.iter().any(|c| c.contains("合格率75.00%")),
        "{cells:?}"
    );
    refused(&round, &["report", "--format", "xlsx"], "-o FILE.xlsx");
}

/// Fills results-template.xlsx as an inspector would (in another program:
/// the cells are written again with rust_xlsxwriter) and returns its path.
fn fill_template(
    round: &std::path::Path,
    out: &std::path::Path,
    verdict_of: impl Fn(&str) -> (&'static str, &'static str),
) {
    let sheet =
        choucha::input::workbook::read_sheet(&round.join("results-template.xlsx"), None).unwrap();
    assert_eq!(sheet.name, "结果");
    let header = &sheet.rows[0];
    let col = |name: &str| {
        header
            .iter()
            .position(|h| h == name)
            .unwrap_or_else(|| panic!("no {name} in {header:?}"))
    };
    let (id_c, v_c, r_c) = (col("id"), col("verdict"), col("reason"));
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    ws.set_name("结果").unwrap();
    for (r, row) in sheet.rows.iter().enumerate() {
        for (c, cell) in row.iter().enumerate() {
            let value = if r > 0 && c == v_c {
                verdict_of(&row[id_c]).0
            } else if r > 0 && c == r_c {
                verdict_of(&row[id_c]).1
            } else {
                cell.as_str()
            };
            ws.write_string(r as u32, c as u16, value).unwrap();
        }
    }
    wb.save(out).unwrap();
}

#[test]
fn draw_writes_workbooks_and_a_filled_template_records_like_its_csv_twin() {
    let tmp = TempDir::new().unwrap();
    let (a, ids) = drawn_round(tmp.path(), "a", 40);
    let (b, ids_b) = drawn_round(tmp.path(), "b", 40);
    assert_eq!(ids, ids_b);
    let sample = choucha::input::workbook::read_sheet(&a.join("sample.xlsx"), None).unwrap();
    assert_eq!(sample.name, "抽查名单");
    assert_eq!(&sample.rows[0][..3], ["stratum", "rank", "id"]);
    assert_eq!(sample.rows.len(), ids.len() + 1);
    let failing = ids[3].clone();
    let verdict = |id: &str| {
        if id == failing {
            ("不合格", "NM_NOT_UPDATED")
        } else {
            ("合格", "")
        }
    };
    let x = tmp.path().join("filled.xlsx");
    fill_template(&a, &x, verdict);
    ok(Some(&a), &["record", x.to_str().unwrap()]);
    let mut csv = String::from("id,verdict,reason\n");
    for id in &ids {
        let (v, r) = verdict(id);
        csv.push_str(&format!("{id},{v},{r}\n"));
    }
    let f = write(tmp.path(), "twin.csv", &csv);
    ok(Some(&b), &["record", f.to_str().unwrap()]);
    let strip = |v: Vec<serde_json::Value>| -> Vec<(String, String, String)> {
        v.iter()
            .map(|r| {
                (
                    r["id"].to_string(),
                    r["verdict"].to_string(),
                    r["reasons"].to_string(),
                )
            })
            .collect()
    };
    assert_eq!(
        strip(log_records(&a, "result-recorded")),
        strip(log_records(&b, "result-recorded"))
    );
}

#[test]
fn a_bad_cell_of_a_workbook_is_named_as_excel_names_it() {
    let tmp = TempDir::new().unwrap();
    let (round, ids) = drawn_round(tmp.path(), "r", 40);
    let x = tmp.path().join("bad.xlsx");
    let odd = ids[15].clone();
    fill_template(&round, &x, |id| {
        if id == odd {
            ("也许", "")
        } else {
            ("合格", "")
        }
    });
    let header = choucha::input::workbook::read_sheet(&round.join("results-template.xlsx"), None)
        .unwrap()
        .rows[0]
        .clone();
    let col = header.iter().position(|h| h == "verdict").unwrap();
    let cell = choucha::input::cell::cell_name("结果", 16, col);
    refused(
        &round,
        &["record", x.to_str().unwrap()],
        &format!("bad.xlsx: {cell}: field \"verdict\" is \"也许\""),
    );
}
