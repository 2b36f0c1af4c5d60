//! Issue 16: what offices really hold. Registry exports with a title row
//! and an export note above the header, Chinese headers wrapped onto two
//! lines, region names merged over each block of accounts, rows that carry
//! only borders at the end, the list on the second sheet after an
//! instructions sheet — each written here with rust_xlsxwriter, and as the
//! CSV a web system exports, and read by the real CLI.

use std::fs;
use std::path::{Path, PathBuf};

use rust_xlsxwriter::{Format, FormatBorder, Workbook, Worksheet};
use tempfile::TempDir;

use crate::*;

const ZH: &[(&str, &str)] = &[("LANG", "zh_CN.UTF-8")];

/// The accounts of the export: (region, id, name, platform, owner).
const ACCOUNTS: &[(&str, u64, &str, &str, &str)] = &[
    (
        "合肥市",
        3401000001,
        "合肥发布",
        "微信公众号",
        "合肥市人民政府办公室",
    ),
    (
        "合肥市",
        3401000002,
        "合肥市场监管",
        "微博",
        "合肥市市场监督管理局",
    ),
    ("合肥市", 3401000003, "合肥教育", "抖音", "合肥市教育局"),
    (
        "芜湖市",
        3402000001,
        "芜湖发布",
        "微信公众号",
        "芜湖市人民政府办公室",
    ),
    ("芜湖市", 3402000002, "芜湖交通", "微博", "芜湖市交通运输局"),
    (
        "省直厅局",
        3400000001,
        "安徽发布",
        "微信公众号",
        "安徽省人民政府办公厅",
    ),
];

const HEADER: [&str; 6] = [
    "序号",
    "所属\n地区",
    "账号\nID",
    "账号名称",
    "平台",
    "主办单位",
];

fn instructions(ws: &mut Worksheet) {
    ws.set_name("填表说明").unwrap();
    ws.write_string(0, 0, "填表说明").unwrap();
    ws.write_string(1, 0, "1. 账号ID 请填写平台分配的唯一标识。")
        .unwrap();
    ws.write_string(2, 0, "2. 所属地区按地市填写。").unwrap();
}

/// The export as the registry system writes it: an instructions sheet,
/// then the list with a merged title and export note, a header wrapped onto
/// two lines, each region merged over its block, ids stored as numbers, and
/// ten bordered empty rows below the list.
pub(crate) fn registry_export(path: &Path) {
    let mut book = Workbook::new();
    instructions(book.add_worksheet());
    let ws = book.add_worksheet();
    ws.set_name("名录").unwrap();
    let plain = Format::new();
    let border = Format::new().set_border(FormatBorder::Thin);
    ws.merge_range(0, 0, 0, 5, "安徽省政务新媒体名录", &plain)
        .unwrap();
    ws.merge_range(
        1,
        0,
        1,
        5,
        "导出时间：2023-08-01 10:00　导出单位：省政务公开办",
        &plain,
    )
    .unwrap();
    for (c, h) in HEADER.iter().enumerate() {
        ws.write_string_with_format(2, c as u16, *h, &border)
            .unwrap();
    }
    let mut r = 3u32;
    let mut block_start = 3u32;
    for (i, (region, id, name, platform, owner)) in ACCOUNTS.iter().enumerate() {
        ws.write_number(r, 0, (i + 1) as f64).unwrap();
        ws.write_number(r, 2, *id as f64).unwrap();
        ws.write_string(r, 3, *name).unwrap();
        ws.write_string(r, 4, *platform).unwrap();
        ws.write_string(r, 5, *owner).unwrap();
        let last_of_block = ACCOUNTS.get(i + 1).is_none_or(|next| next.0 != *region);
        if last_of_block {
            if r > block_start {
                ws.merge_range(block_start, 1, r, 1, region, &border)
                    .unwrap();
            } else {
                ws.write_string_with_format(r, 1, *region, &border).unwrap();
            }
            block_start = r + 1;
        }
        r += 1;
    }
    for blank in r..r + 10 {
        for c in 0..6 {
            ws.write_blank(blank, c, &border).unwrap();
        }
    }
    book.save(path).unwrap();
}

/// The same export as CSV from a web system: title and note rows, the
/// wrapped header quoted, every region written out.
fn registry_export_csv() -> String {
    let mut s = String::from(
        "安徽省政务新媒体名录,,,,,\n导出时间：2023-08-01 10:00　导出单位：省政务公开办,,,,,\n",
    );
    let header: Vec<String> = HEADER
        .iter()
        .map(|h| {
            if h.contains('\n') {
                format!("\"{h}\"")
            } else {
                h.to_string()
            }
        })
        .collect();
    s.push_str(&header.join(","));
    s.push('\n');
    for (i, (region, id, name, platform, owner)) in ACCOUNTS.iter().enumerate() {
        s.push_str(&format!(
            "{},{region},{id},{name},{platform},{owner}\n",
            i + 1
        ));
    }
    s
}

/// The same accounts as a tidy file, header on line 1.
fn tidy_csv() -> String {
    let mut s = String::from("id,region\n");
    for (region, id, ..) in ACCOUNTS {
        s.push_str(&format!("{id},{region}\n"));
    }
    s
}

fn committed(tmp: &Path, name: &str, file: &Path, extra: &[&str]) -> (PathBuf, String) {
    let round = init(tmp, name, &[]);
    let mut args = vec!["roster", file.to_str().unwrap()];
    args.extend_from_slice(extra);
    let out = ok(Some(&round), &args);
    (round, out)
}

#[test]
fn a_registry_export_commits_as_its_tidy_twin_in_xlsx_and_csv() {
    let tmp = TempDir::new().unwrap();
    let xlsx = tmp.path().join("名录导出.xlsx");
    registry_export(&xlsx);
    let csv = write(tmp.path(), "名录导出.csv", &registry_export_csv());
    let tidy = write(tmp.path(), "tidy.csv", &tidy_csv());

    let (t, _) = committed(tmp.path(), "tidy", &tidy, &[]);
    let (x, out) = committed(tmp.path(), "xlsx", &xlsx, &[]);
    assert!(
        out.contains("read sheet \"名录\", the first with a recognised header"),
        "{out}"
    );
    assert!(
        out.contains("header on row 3; the 2 non-empty row(s) above it skipped"),
        "{out}"
    );
    assert!(out.contains("committed 6 accounts in 3 strata"), "{out}");
    let (c, out) = committed(tmp.path(), "csv", &csv, &[]);
    assert!(
        out.contains("header on row 3; the 2 non-empty row(s) above it skipped"),
        "{out}"
    );
    let tsv = fs::read(t.join("roster.tsv")).unwrap();
    assert_eq!(fs::read(x.join("roster.tsv")).unwrap(), tsv);
    assert_eq!(fs::read(c.join("roster.tsv")).unwrap(), tsv);
    // The record names the columns as the header wrote them.
    let rec = &log_records(&x, "roster-committed")[0];
    assert_eq!(rec["id_column"], "账号 ID");
    assert_eq!(rec["stratum_column"], "所属 地区");

    // In Chinese, as the issue asks.
    let round = init(tmp.path(), "zh", &[]);
    let o = run_env(ZH, Some(&round), &["roster", xlsx.to_str().unwrap()]);
    assert_eq!(o.code, 0, "{}", o.stderr);
    assert!(
        o.stdout.contains("表头在第3行，跳过上方2行"),
        "{}",
        o.stdout
    );
    assert!(o.stdout.contains("读取工作表“名录”"), "{}", o.stdout);

    // The draw copies the other columns from below the header, merged
    // regions and all, into the sample list.
    ok(Some(&x), &["seed", SEED, "--source", "20 dice"]);
    ok(Some(&x), &["draw"]);
    let sample = fs::read_to_string(x.join("sample.csv")).unwrap();
    let head = sample.lines().next().unwrap();
    assert!(
        head.contains("账号名称") && !head.contains("名录"),
        "{head}"
    );
}

#[test]
fn the_header_row_can_be_named_and_a_wrong_one_is_refused() {
    let tmp = TempDir::new().unwrap();
    let xlsx = tmp.path().join("export.xlsx");
    registry_export(&xlsx);
    let tidy = write(tmp.path(), "tidy.csv", &tidy_csv());
    let (t, _) = committed(tmp.path(), "tidy", &tidy, &[]);
    let (x, out) = committed(
        tmp.path(),
        "x",
        &xlsx,
        &["--sheet", "名录", "--header-row", "3"],
    );
    assert!(!out.contains("read sheet"), "named, so not said: {out}");
    assert_eq!(
        fs::read(x.join("roster.tsv")).unwrap(),
        fs::read(t.join("roster.tsv")).unwrap()
    );
    let round = init(tmp.path(), "wrong", &[]);
    let path = xlsx.to_str().unwrap();
    // Row 2 is the export note: taken as the header, it has no id column.
    refused(
        &round,
        &["roster", path, "--sheet", "名录", "--header-row", "2"],
        "名录, row 2: no account id column",
    );
    // Row 20 is below the list: empty.
    refused(
        &round,
        &["roster", path, "--sheet", "名录", "--header-row", "20"],
        "--header-row 20: there is no non-empty row 20",
    );
    // A header spelled in full-width letters is named as the user types it.
    let wide = write(
        tmp.path(),
        "wide.csv",
        "说明：内部名录\n编号,ＲＥＧＩＯＮ\nA1,合肥市\n",
    );
    let o = run(
        Some(&round),
        &["roster", wide.to_str().unwrap(), "--id-column", "编号"],
    );
    assert_eq!(o.code, 0, "{}", o.stderr);
    assert!(o.stdout.contains("header on row 2"), "{}", o.stdout);
}

#[test]
fn a_workbook_without_a_recognisable_header_lists_every_sheet() {
    let tmp = TempDir::new().unwrap();
    let path = tmp.path().join("两张表.xlsx");
    let mut book = Workbook::new();
    instructions(book.add_worksheet());
    let ws = book.add_worksheet();
    ws.set_name("数据").unwrap();
    ws.write_string(0, 0, "编号").unwrap();
    ws.write_string(0, 1, "单位").unwrap();
    ws.write_string(1, 0, "X1").unwrap();
    ws.write_string(1, 1, "合肥市").unwrap();
    book.save(&path).unwrap();
    let round = init(tmp.path(), "r", &[]);
    let o = run(Some(&round), &["roster", path.to_str().unwrap()]);
    assert_eq!(o.code, 2, "{}", o.stderr);
    for shown in [
        "no sheet has a header row with the columns id / 账号ID",
        "sheet \"填表说明\": row 1: \"填表说明\"; row 2:",
        "sheet \"数据\": row 1: \"编号\", \"单位\"; row 2: \"X1\", \"合肥市\"",
        "--header-row N",
    ] {
        assert!(o.stderr.contains(shown), "{shown:?} in {}", o.stderr);
    }
    // Named, the columns are found on the second sheet.
    let o = run(
        Some(&round),
        &[
            "roster",
            path.to_str().unwrap(),
            "--id-column",
            "编号",
            "--stratum-column",
            "单位",
        ],
    );
    assert_eq!(o.code, 0, "{}", o.stderr);
    assert!(o.stdout.contains("read sheet \"数据\""), "{}", o.stdout);
}

/// An inspectors' results sheet as they fill it: a title row, a header
/// wrapped onto two lines, a row left empty in the middle, bordered empty
/// rows at the end. `rows` are (id, 检查结果, 问题类型, 备注).
fn results_sheet(path: &Path, rows: &[(String, &str, &str, &str)]) {
    let mut book = Workbook::new();
    let ws = book.add_worksheet();
    ws.set_name("检查结果").unwrap();
    let plain = Format::new();
    let border = Format::new().set_border(FormatBorder::Thin);
    ws.merge_range(0, 0, 0, 4, "2023年第三季度政务新媒体抽查结果登记表", &plain)
        .unwrap();
    for (c, h) in ["账号\nID", "检查\n结果", "问题类型", "备注", "检查人"]
        .iter()
        .enumerate()
    {
        ws.write_string_with_format(1, c as u16, *h, &border)
            .unwrap();
    }
    let mut r = 2u32;
    for (i, (id, verdict, reason, note)) in rows.iter().enumerate() {
        if i == 3 {
            r += 1; // an empty row inside the list
        }
        ws.write_string(r, 0, id).unwrap();
        ws.write_string(r, 1, *verdict).unwrap();
        ws.write_string(r, 2, *reason).unwrap();
        ws.write_string(r, 3, *note).unwrap();
        ws.write_string(r, 4, "张三").unwrap();
        r += 1;
    }
    for blank in r..r + 5 {
        for c in 0..5 {
            ws.write_blank(blank, c, &border).unwrap();
        }
    }
    book.save(path).unwrap();
}

fn filled(
    ids: &[String],
    failing: &str,
) -> Vec<(String, &'static str, &'static str, &'static str)> {
    ids.iter()
        .map(|id| {
            if id == failing {
                (id.clone(), "不合格", "NM_NOT_UPDATED", "两周未更新")
            } else {
                (id.clone(), "合格", "", "")
            }
        })
        .collect()
}

#[test]
fn a_resubmitted_sheet_records_only_what_is_new_and_twice_leaves_the_log_as_it_was() {
    let tmp = TempDir::new().unwrap();
    let (round, ids) = drawn_round(tmp.path(), "r", 40);
    assert_eq!(ids.len(), 20);
    let log = round.join("log.jsonl");
    let failing = ids[1].clone();
    let sheet = tmp.path().join("结果.xlsx");

    // The first 12 rows, then the whole sheet (the same 12 and 8 more).
    results_sheet(&sheet, &filled(&ids[..12], &failing));
    let out = ok(Some(&round), &["record", sheet.to_str().unwrap()]);
    assert!(
        out.contains("header on row 2; the 1 non-empty row(s) above it skipped"),
        "{out}"
    );
    assert!(
        out.contains("1 empty row(s) inside the table skipped"),
        "{out}"
    );
    assert!(
        out.contains("recorded 12 result(s) (11 pass, 1 fail)"),
        "{out}"
    );
    results_sheet(&sheet, &filled(&ids, &failing));
    let out = ok(Some(&round), &["record", sheet.to_str().unwrap()]);
    assert!(
        out.contains("12 row(s) identical to the results already recorded, skipped"),
        "{out}"
    );
    assert!(
        out.contains("recorded 8 result(s) (8 pass, 0 fail)"),
        "{out}"
    );
    assert_eq!(log_records(&round, "result-recorded").len(), 20);

    // The full sheet again, as xlsx and as CSV: nothing new, the log byte-identical.
    let before = fs::read(&log).unwrap();
    let o = run_env(ZH, Some(&round), &["record", sheet.to_str().unwrap()]);
    assert_eq!(o.code, 0, "{}", o.stderr);
    assert!(
        o.stdout.contains("20 行与已登记结果相同，已跳过"),
        "{}",
        o.stdout
    );
    assert!(o.stdout.contains("无新增结果，日志未改动"), "{}", o.stdout);
    let mut csv = String::from("登记表,,,\n账号ID,检查结果,问题类型,备注,检查人\n");
    for (id, v, r, n) in filled(&ids, &failing) {
        csv.push_str(&format!("{id},{v},{r},{n},张三\n"));
    }
    let twin = write(tmp.path(), "结果.csv", &csv);
    let out = ok(Some(&round), &["record", twin.to_str().unwrap()]);
    assert!(
        out.contains("nothing new to record: the log is unchanged"),
        "{out}"
    );
    assert_eq!(fs::read(&log).unwrap(), before);

    // A changed row is refused, pointing to amend and to --amend-changed.
    let mut changed = filled(&ids, &failing);
    changed[5] = (ids[5].clone(), "不合格", "NM_NO_INTERACTION", "留言未回复");
    results_sheet(&sheet, &changed);
    let path = sheet.to_str().unwrap();
    refused(&round, &["record", path], "already has a result");
    let o = run(Some(&round), &["record", path]);
    // Row 6 of the list is below the empty row: sheet row 9.
    assert!(
        o.stderr.contains(&format!(
            "检查结果!A9: id \"{}\" already has a result (log line",
            ids[5]
        )),
        "{}",
        o.stderr
    );
    assert!(
        o.stderr.contains("--amend-changed --why TEXT"),
        "{}",
        o.stderr
    );
    assert_eq!(fs::read(&log).unwrap(), before);
    refused(
        &round,
        &["record", path, "--amend-changed", "--why", " "],
        "--why",
    );

    // Asked for, the change becomes an amendment with the one reason.
    let out = ok(
        Some(&round),
        &["record", path, "--amend-changed", "--why", "复核后更正"],
    );
    assert!(out.contains("19 row(s) identical"), "{out}");
    assert!(out.contains("amended 1 recorded result(s)"), "{out}");
    assert!(out.contains(&format!("{}: pass → fail", ids[5])), "{out}");
    let amended = log_records(&round, "result-amended");
    assert_eq!(amended.len(), 1);
    assert_eq!(amended[0]["id"], ids[5].as_str());
    assert_eq!(amended[0]["why"], "复核后更正");
    assert_eq!(amended[0]["reasons"][0], "NM_NO_INTERACTION");
    chain_holds(&round);
    // The amended sheet again: identical to what now counts.
    let before = fs::read(&log).unwrap();
    let out = ok(Some(&round), &["record", path]);
    assert!(out.contains("20 row(s) identical"), "{out}");
    assert_eq!(fs::read(&log).unwrap(), before);
    ok(Some(&round), &["verify"]);
}

#[test]
fn thirty_bad_rows_of_a_sheet_are_all_reported_in_one_run_with_their_cells() {
    let tmp = TempDir::new().unwrap();
    let (round, ids) = drawn_round(tmp.path(), "r", 40);
    let mut rows = filled(&ids, "");
    // 30 bad rows: ids not sampled, verdicts no one can read, fails
    // without a single-veto reason.
    for (i, id) in ids.iter().take(10).enumerate() {
        rows.push((format!("NOT-{i}"), "合格", "", ""));
        rows.push((id.clone() + "X", "待定", "", ""));
    }
    for row in rows.iter_mut().take(10) {
        row.1 = "不合格";
    }
    let sheet = tmp.path().join("bad.xlsx");
    results_sheet(&sheet, &rows);
    let o = run_env(ZH, Some(&round), &["record", sheet.to_str().unwrap()]);
    assert_eq!(o.code, 2, "{}", o.stderr);
    let listed = tmp.path().join("bad.xlsx.problems.txt");
    assert!(
        o.stderr
            .contains(&format!("全部 30 个问题见 {}", listed.display())),
        "{}",
        o.stderr
    );
    let all = fs::read_to_string(&listed).unwrap();
    assert_eq!(all.lines().count(), 30, "{all}");
    assert!(
        all.contains("检查结果!B43"),
        "the last bad verdict's cell: {all}"
    );
    assert!(all.contains("不合格须至少填写"), "in Chinese: {all}");
    assert!(log_records(&round, "result-recorded").is_empty());
}

#[test]
fn columns_lists_every_name_the_readers_take_in_both_languages() {
    let en = ok(None, &["columns"]);
    let zh = run_env(ZH, None, &["columns"]);
    assert_eq!(zh.code, 0);
    for (field, names) in [
        ("id", "id / 账号ID / 账号 / 标识码"),
        (
            "stratum",
            "所属地区 / 省直厅局/各市 / stratum / 地市 / 区域",
        ),
        ("name", "账号名称 / 名称"),
        ("platform", "平台 / 账号类型"),
        ("owner", "主办单位 / 开办主体"),
        ("verdict", "结论 / 检查结论 / 是否合格"),
        ("reason", "问题类型 / 问题代码"),
        ("note", "备注 / 说明 / 问题描述"),
        ("inspector", "检查人 / 检查员 / 检查人员"),
        ("checked_at", "检查日期 / 日期 / 检查时间"),
    ] {
        let line = format!("\t{field}\t");
        assert!(
            en.lines().any(|l| l.contains(&line) && l.contains(names)),
            "{field}: {en}"
        );
        assert!(
            zh.stdout
                .lines()
                .any(|l| l.contains(&line) && l.contains(names)),
            "{field}: {}",
            zh.stdout
        );
    }
    assert!(en.starts_with("table\tfield\trequired"), "{en}");
    assert!(zh.stdout.starts_with("表\t字段\t必需"), "{}", zh.stdout);
    assert!(zh.stdout.contains("名册\tid\t是\t"), "{}", zh.stdout);
}

/// A results sheet with the office's own column names: 是否合格 answered
/// 是/否, 检查时间 as Excel date cells and as typed text, 问题描述, 检查人员,
/// and a column choucha does not read.
#[test]
fn office_column_names_yes_no_verdicts_and_check_times_are_read() {
    use rust_xlsxwriter::ExcelDateTime;
    let tmp = TempDir::new().unwrap();
    let (round, ids) = drawn_round(tmp.path(), "r", 16);
    let mut book = Workbook::new();
    let ws = book.add_worksheet();
    ws.set_name("结果").unwrap();
    for (c, h) in [
        "账号ID",
        "是否\n合格",
        "问题代码",
        "问题描述",
        "检查人员",
        "检查时间",
        "复核意见",
    ]
    .iter()
    .enumerate()
    {
        ws.write_string(0, c as u16, *h).unwrap();
    }
    let day = Format::new().set_num_format("yyyy-mm-dd");
    let stamp = Format::new().set_num_format("yyyy-mm-dd hh:mm");
    for (r, id) in ids.iter().enumerate() {
        let row = r as u32 + 1;
        ws.write_string(row, 0, id).unwrap();
        ws.write_string(row, 1, if r == 0 { "否" } else { "是" })
            .unwrap();
        ws.write_string(row, 2, if r == 0 { "NM_NOT_UPDATED" } else { "" })
            .unwrap();
        ws.write_string(row, 3, if r == 0 { "两周未更新" } else { "" })
            .unwrap();
        ws.write_string(row, 4, "李四").unwrap();
        ws.write_string(row, 6, "同意").unwrap();
        match r {
            0 => {
                let d = ExcelDateTime::from_ymd(2023, 8, 23).unwrap();
                ws.write_datetime_with_format(row, 5, &d, &day).unwrap();
            }
            1 => {
                let t = ExcelDateTime::from_ymd(2023, 8, 24)
                    .unwrap()
                    .and_hms(10, 30, 0)
                    .unwrap();
                ws.write_datetime_with_format(row, 5, &t, &stamp).unwrap();
            }
            2 => {
                ws.write_string(row, 5, "2023/8/25").unwrap();
            }
            _ => {
                ws.write_string(row, 5, "2023-08-26 09:00").unwrap();
            }
        }
    }
    let x = tmp.path().join("结果.xlsx");
    book.save(&x).unwrap();

    // One time no one can read: refused, naming the cell.
    let bad = tmp.path().join("bad.csv");
    fs::write(
        &bad,
        format!("账号ID,是否合格,检查时间\n{},是,8月23日上午\n", ids[0]),
    )
    .unwrap();
    refused(
        &round,
        &["record", bad.to_str().unwrap()],
        "line 2: field \"检查时间\": \"8月23日上午\" is not a date",
    );
    // 是/否 only in a 是否合格 column.
    fs::write(&bad, format!("账号ID,结果\n{},是\n", ids[0])).unwrap();
    refused(
        &round,
        &["record", bad.to_str().unwrap()],
        "\"是\"; accepted",
    );

    let o = run(Some(&round), &["record", x.to_str().unwrap()]);
    assert_eq!(o.code, 0, "{}", o.stderr);
    assert!(
        o.stderr.contains(
            "warning: columns not read, neither results nor the sample's own: \"复核意见\""
        ),
        "{}",
        o.stderr
    );
    assert!(o.stdout.contains("(7 pass, 1 fail)"), "{}", o.stdout);
    let recs = log_records(&round, "result-recorded");
    let by_id = |id: &str| recs.iter().find(|r| r["id"] == id).unwrap().clone();
    let first = by_id(&ids[0]);
    assert_eq!(first["verdict"], "fail");
    assert_eq!(first["note"], "两周未更新");
    assert_eq!(first["inspector"], "李四");
    let at: Vec<String> = ids[..4]
        .iter()
        .map(|id| by_id(id)["checked_at"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(
        at,
        [
            "2023-08-23",
            "2023-08-24T10:30:00",
            "2023-08-25",
            "2023-08-26T09:00:00"
        ]
    );
    chain_holds(&round);
}

#[test]
fn ids_excel_has_rounded_or_stripped_of_zeros_are_refused_naming_the_cell() {
    let tmp = TempDir::new().unwrap();
    let round = init(tmp.path(), "r", &[]);
    // As Excel saves a CSV of ids it took for numbers.
    for (name, text, shown) in [
        (
            "sci.csv",
            "地区,账号ID\n合肥市,500832000001\n合肥市,5.00832E+11\n",
            "sci.csv: line 3: the id \"5.00832E+11\" is a number Excel has rounded",
        ),
        (
            "float.csv",
            "地区,账号ID\n合肥市,123.0\n",
            "float.csv: line 2: the id \"123.0\"",
        ),
        (
            "zeros.csv",
            "地区,账号ID\n合肥市,0340000001\n合肥市,0340000002\n芜湖市,340000003\n",
            "zeros.csv: line 4: the id \"340000003\" has 9 digits, but the column's ids with leading zeros all have 10",
        ),
    ] {
        let f = write(tmp.path(), name, text);
        refused(&round, &["roster", f.to_str().unwrap()], shown);
        refused(
            &round,
            &["roster", f.to_str().unwrap()],
            "export the ids as text",
        );
    }
    // Ids of one width, some led by zeros, or none: accepted.
    for text in [
        "地区,账号ID\n合肥市,0340000001\n合肥市,3400000002\n",
        "地区,账号ID\n合肥市,A1.0\n合肥市,1E5\n合肥市,12\n",
    ] {
        let f = write(tmp.path(), "fine.csv", text);
        ok(Some(&round), &["roster", f.to_str().unwrap()]);
    }

    // In a workbook: text ids with their zeros, one typed as a number.
    let x = tmp.path().join("名单.xlsx");
    let mut book = Workbook::new();
    let ws = book.add_worksheet();
    ws.set_name("名单").unwrap();
    ws.write_string(0, 0, "地区").unwrap();
    ws.write_string(0, 1, "标识码").unwrap();
    for r in 1..4u32 {
        ws.write_string(r, 0, "合肥市").unwrap();
        ws.write_string(r, 1, format!("034000000{r}")).unwrap();
    }
    ws.write_string(4, 0, "合肥市").unwrap();
    ws.write_number(4, 1, 340000004.0).unwrap();
    ws.write_string(5, 0, "合肥市").unwrap();
    ws.write_string(5, 1, "3.40000E+09").unwrap();
    book.save(&x).unwrap();
    let o = run_env(ZH, Some(&round), &["roster", x.to_str().unwrap()]);
    assert_eq!(o.code, 2, "{}", o.stderr);
    assert!(
        o.stderr.contains("名单!B6：账号 \"3.40000E+09\""),
        "{}",
        o.stderr
    );
    assert!(o.stderr.contains("请以文本格式导出账号"), "{}", o.stderr);

    // An 18-digit id typed as a number: Excel kept 15 digits of it.
    let mut book = Workbook::new();
    let ws = book.add_worksheet();
    ws.write_string(0, 0, "地区").unwrap();
    ws.write_string(0, 1, "标识码").unwrap();
    ws.write_string(1, 0, "合肥市").unwrap();
    ws.write_number(1, 1, 340000000000001.0).unwrap();
    ws.write_string(2, 0, "合肥市").unwrap();
    ws.write_number(2, 1, 340000000000000012.0).unwrap();
    ws.write_number(2, 2, 1e18).unwrap(); // not an id: read as it is
    book.save(&x).unwrap();
    refused(
        &round,
        &["roster", x.to_str().unwrap()],
        "Sheet1!B3: holds the number 340000000000000000, of 16 or more digits",
    );
    // The same zeros-stripped column in the workbook as in CSV.
    let mut book = Workbook::new();
    let ws = book.add_worksheet();
    ws.write_string(0, 0, "地区").unwrap();
    ws.write_string(0, 1, "标识码").unwrap();
    for r in 1..4u32 {
        ws.write_string(r, 0, "合肥市").unwrap();
        ws.write_string(r, 1, format!("034000000{r}")).unwrap();
    }
    ws.write_string(4, 0, "合肥市").unwrap();
    ws.write_number(4, 1, 340000004.0).unwrap();
    book.save(&x).unwrap();
    refused(
        &round,
        &["roster", x.to_str().unwrap()],
        "Sheet1!B5: the id \"340000004\" has 9 digits",
    );
}

#[test]
fn strata_written_two_ways_are_named_at_roster_time_and_in_status() {
    let tmp = TempDir::new().unwrap();
    let round = init(tmp.path(), "r", &[]);
    let f = write(
        tmp.path(),
        "two-ways.csv",
        "地区,账号ID\n合肥市,A1\n合肥,A2\n芜湖市,A3\n黄山 市,A4\n黄山市,A5\n",
    );
    let path = f.to_str().unwrap();
    refused(
        &round,
        &["roster", path, "--strict-strata"],
        "\"合肥市\" / \"合肥\"; \"黄山 市\" / \"黄山市\"",
    );
    let o = run(Some(&round), &["roster", path]);
    assert_eq!(o.code, 0, "{}", o.stderr);
    let warning = "the strata \"合肥市\", \"合肥\" are probably one place written differently";
    assert!(o.stderr.contains(warning), "{}", o.stderr);
    assert!(o.stderr.contains("\"黄山 市\", \"黄山市\""), "{}", o.stderr);
    assert!(!o.stderr.contains("芜湖"), "{}", o.stderr);
    let status = ok(Some(&round), &["status"]);
    assert!(status.contains(warning), "{status}");
    let zh = run_env(ZH, Some(&round), &["status"]);
    assert!(
        zh.stdout
            .contains("注意：分层 \"合肥市\", \"合肥\" 很可能是同一地区的不同写法"),
        "{}",
        zh.stdout
    );
    // Written alike, nothing is said.
    let f = write(
        tmp.path(),
        "alike.csv",
        "地区,账号ID\n合肥市,A1\n合肥市,A2\n",
    );
    let o = run(
        Some(&round),
        &["roster", f.to_str().unwrap(), "--strict-strata"],
    );
    assert_eq!(o.code, 0, "{}", o.stderr);
    assert!(!ok(Some(&round), &["status"]).contains("probably one"));
}

#[test]
fn a_csv_is_held_to_the_limits_of_a_sheet_while_it_is_read() {
    let tmp = TempDir::new().unwrap();
    let round = init(tmp.path(), "r", &[]);
    let long = "长".repeat(32_768);
    let f = write(
        tmp.path(),
        "long.csv",
        &format!("地区,账号ID,名称\n合肥市,A1,短\n合肥市,A2,{long}\n"),
    );
    refused(
        &round,
        &["roster", f.to_str().unwrap()],
        "long.csv: line 3: a field holds more than 32767 characters",
    );
    // 32,767 characters are a cell's worth: accepted.
    let f = write(
        tmp.path(),
        "full.csv",
        &format!("地区,账号ID,名称\n合肥市,A2,{}\n", &long[3..]),
    );
    ok(Some(&round), &["roster", f.to_str().unwrap()]);
    let mut wide = String::from("地区,账号ID");
    for i in 0..16_383 {
        wide.push_str(&format!(",c{i}"));
    }
    let f = write(tmp.path(), "wide.csv", &format!("{wide}\n合肥市,A1\n"));
    refused(
        &round,
        &["roster", f.to_str().unwrap()],
        "wide.csv: line 1: the header has 16385 columns, more than the 16384",
    );

    let (drawn, ids) = drawn_round(tmp.path(), "d", 8);
    let f = write(
        tmp.path(),
        "notes.csv",
        &format!("id,verdict,note\n{},pass,{long}\n", ids[0]),
    );
    refused(
        &drawn,
        &["record", f.to_str().unwrap()],
        "notes.csv: line 2: a field holds more than 32767 characters",
    );
    let f = write(
        tmp.path(),
        "wide-results.csv",
        &format!("id,verdict{}\n{},pass\n", ",x".repeat(16_383), ids[0]),
    );
    refused(
        &drawn,
        &["record", f.to_str().unwrap()],
        "the header has 16385 columns",
    );
}
