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
        &["report", "--format", "xlsx", "-o", t.to_str().unwrap()],
    );
    let sheet = choucha::xlsx::read_sheet(&t, None).unwrap();
    let cells: Vec<String> = sheet.rows.iter().flatten().cloned().collect();
    assert!(cells.iter().any(|c| c == "合计"), "{cells:?}");
    assert!(
        cells.iter().any(|c| c.contains("合格率75.00%")),
        "{cells:?}"
    );
    refused(&round, &["report", "--format", "xlsx"], "-o FILE.xlsx");
}
