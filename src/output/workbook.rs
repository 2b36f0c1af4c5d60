//! Workbooks out: the inspectors' sample list ([`write_sample_xlsx`]), a
//! results template with drop-down lists ([`write_results_template`]) and
//! the notice's table ready to print ([`write_table_xlsx`]).
//!
//! Nothing here is committed to: the roster commitment is over `roster.tsv`,
//! whatever the source's format. The only I/O is writing the workbook file
//! itself (atomically, like every file choucha writes).

use std::path::Path;

use rust_xlsxwriter::{
    DataValidation, DataValidationErrorStyle, Format, FormatAlign, FormatBorder, IgnoreError,
    Workbook, Worksheet, XlsxError,
};

use crate::audit::report::Table;
use crate::base::fsio;
use crate::error::{Error, Result};
use crate::i18n::Lang;
use crate::input::cell::column_letters;
use crate::input::columns::ID;
use crate::input::text::normalize_field;
use crate::output::table::titles;
use crate::t;

/// The inspectors' sample list in the round directory.
pub const SAMPLE_XLSX: &str = "sample.xlsx";
/// The results template handed out and read back with `choucha record`.
pub const TEMPLATE_XLSX: &str = "results-template.xlsx";
/// Above this many sampled accounts no workbooks are written: sample.csv
/// serves, and Excel is no tool for a list that long.
pub const XLSX_MAX_ROWS: u64 = 100_000;

/// The sheet of [`write_sample_xlsx`].
pub const SAMPLE_SHEET: &str = "抽查名单";
/// The sheet of [`write_results_template`].
pub const RESULTS_SHEET: &str = "结果";
/// The template's second sheet, holding a drop-down list too long to be written inline.
pub const CODES_SHEET: &str = "代码";
/// The columns the results template adds after the sample's, named as
/// `results::parse_results` recognises them.
pub const RESULT_COLUMNS: [&str; 5] = ["verdict", "reason", "note", "inspector", "checked_at"];

/// Header names that `results::parse_results` takes for its own columns (a
/// copy of its lists: a sample column so named would be read instead of the
/// template's column, since the first match wins).
const RESULT_HEADER_ALIASES: &[&str] = &[
    "verdict",
    "结果",
    "检查结果",
    "结论",
    "reason",
    "reasons",
    "原因",
    "问题",
    "问题类型",
    "note",
    "备注",
    "说明",
    "inspector",
    "检查人",
    "检查员",
    "checked_at",
    "checked-at",
    "检查日期",
    "日期",
];

/// Excel's limits: rows and columns of a worksheet, characters of an inline list.
const MAX_ROWS: usize = 1_048_576;
const MAX_COLS: usize = 16_384;
const MAX_INLINE_LIST: usize = 255;
/// Excel paper size code for A4.
const A4: u8 = 9;

/// Writes the inspectors' sample list: one sheet 抽查名单, the header bold,
/// frozen and with an autofilter over the used range, columns fitted to the
/// content (CJK characters counting double). Every cell is written as text,
/// so Excel neither turns 3400000001 into a number nor drops leading zeros,
/// and [`read_sheet`] gives back exactly these cells.
pub fn write_sample_xlsx(path: &Path, header: &[String], rows: &[Vec<String>]) -> Result<()> {
    check_size(path, header.len(), rows)?;
    let mut book = Workbook::new();
    let ws = book.add_worksheet();
    build_list(ws, SAMPLE_SHEET, header, rows, &[]).map_err(|e| xlsx_error(path, e))?;
    save(&mut book, path, fsio::write_atomic)
}

/// Writes the results template: sheet 结果 with the sample's columns (as
/// text, as in [`write_sample_xlsx`]) followed by the empty columns
/// [`RESULT_COLUMNS`] (`verdict`, `reason`, `note`, `inspector`,
/// `checked_at`). The verdict column gets a drop-down of `verdicts` that
/// refuses anything else; the reason column a drop-down of `reasons` that
/// only warns, since a cell may hold several codes separated by `;`. A list
/// that Excel cannot hold inline (over 255 characters, or an item with a
/// comma) goes to a second, visible sheet 代码 and the drop-down refers to
/// it. `checked_at` is shown as yyyy-mm-dd. The header is frozen with the
/// columns up to the id, and filtered.
///
/// A sample column whose name `results::parse_results` would take for one
/// of its own (e.g. 备注, 日期) is renamed `备注（名单）` here, so that the
/// inspectors' column is the one read back.
pub fn write_results_template(
    path: &Path,
    header: &[String],
    rows: &[Vec<String>],
    verdicts: &[&str],
    reasons: &[&str],
) -> Result<()> {
    check_size(path, header.len() + RESULT_COLUMNS.len(), rows)?;
    let mut book = Workbook::new();
    build_template(&mut book, header, rows, verdicts, reasons).map_err(|e| xlsx_error(path, e))?;
    save(&mut book, path, fsio::write_atomic)
}

/// Writes the notice's table for printing: the title merged across the five
/// columns in a larger bold font, the header bold with borders and wrapped
/// text, one bordered row per stratum, the totals row in bold, then the
/// headline (and, for a draft, the accounts still without a result).
/// Counts are numbers. A4 portrait, one page wide, centred horizontally,
/// the header repeated on every printed page.
pub fn write_table_xlsx(path: &Path, table: &Table, lang: Lang) -> Result<()> {
    let mut book = Workbook::new();
    let ws = book.add_worksheet();
    build_table(ws, table, lang).map_err(|e| xlsx_error(path, e))?;
    save(&mut book, path, fsio::write_output)
}

fn check_size(path: &Path, width: usize, rows: &[Vec<String>]) -> Result<()> {
    let width = rows.iter().map(Vec::len).max().unwrap_or(0).max(width);
    if rows.len() + 1 > MAX_ROWS || width > MAX_COLS {
        return Err(Error::input(t!(
            "xlsx.too-big",
            file = path.display(),
            rows = rows.len(),
            width,
            max_rows = MAX_ROWS - 1,
            max_cols = MAX_COLS
        )));
    }
    Ok(())
}

fn xlsx_error(path: &Path, e: XlsxError) -> Error {
    match e {
        XlsxError::IoError(io) => Error::io(path, io),
        other => Error::input(t!(
            "xlsx.cannot-write",
            file = path.display(),
            error = other
        )),
    }
}

/// `write`: `fsio::write_atomic` for a file of the round (a link there is
/// replaced, never followed out of it), `fsio::write_output` for a file the
/// user named (written into what it names).
fn save(book: &mut Workbook, path: &Path, write: fn(&Path, &[u8]) -> Result<()>) -> Result<()> {
    let bytes = book.save_to_buffer().map_err(|e| xlsx_error(path, e))?;
    write(path, &bytes)
}

/// Display width in Excel's column units, roughly: East Asian wide
/// characters count two, others one; the widest line of the cell.
fn display_width(s: &str) -> usize {
    s.lines()
        .map(|l| l.chars().map(|c| if is_wide(c) { 2 } else { 1 }).sum())
        .max()
        .unwrap_or(0)
}

fn is_wide(c: char) -> bool {
    matches!(c as u32,
        0x1100..=0x115F
        | 0x2E80..=0x303E
        | 0x3041..=0x33FF
        | 0x3400..=0x4DBF
        | 0x4E00..=0x9FFF
        | 0xA000..=0xA4CF
        | 0xAC00..=0xD7A3
        | 0xF900..=0xFAFF
        | 0xFE30..=0xFE4F
        | 0xFF00..=0xFF60
        | 0xFFE0..=0xFFE6
        | 0x20000..=0x3FFFD)
}

/// Column widths fitted to header and cells, between 6 and 60 units.
fn fitted_widths(header: &[String], rows: &[Vec<String>]) -> Vec<f64> {
    let width = rows
        .iter()
        .map(Vec::len)
        .max()
        .unwrap_or(0)
        .max(header.len());
    let mut w = vec![0usize; width];
    for (i, h) in header.iter().enumerate() {
        // The header is bold: a little wider, plus room for the filter button.
        w[i] = display_width(h) + 3;
    }
    for row in rows {
        for (i, c) in row.iter().enumerate() {
            w[i] = w[i].max(display_width(c));
        }
    }
    w.into_iter()
        .map(|n| ((n + 2) as f64).clamp(6.0, 60.0))
        .collect()
}

fn header_format() -> Format {
    Format::new()
        .set_bold()
        .set_background_color(0xD9D9D9)
        .set_border_bottom(FormatBorder::Thin)
}

/// A list sheet: header, text cells, widths, frozen header, autofilter,
/// print setup. `extra` are empty columns appended after the header's,
/// each with its own header format.
fn build_list(
    ws: &mut Worksheet,
    name: &str,
    header: &[String],
    rows: &[Vec<String>],
    extra: &[(&str, &Format)],
) -> std::result::Result<(), XlsxError> {
    ws.set_name(name)?;
    let head = header_format();
    let mut full: Vec<String> = header.to_vec();
    full.extend(extra.iter().map(|(h, _)| h.to_string()));
    for (c, h) in header.iter().enumerate() {
        ws.write_string_with_format(0, c as u16, h, &head)?;
    }
    for (i, (h, f)) in extra.iter().enumerate() {
        ws.write_string_with_format(0, (header.len() + i) as u16, *h, f)?;
    }
    for (r, row) in rows.iter().enumerate() {
        for (c, cell) in row.iter().enumerate() {
            if !cell.is_empty() {
                ws.write_string(r as u32 + 1, c as u16, cell)?;
            }
        }
    }
    let widths = fitted_widths(&full, rows);
    for (c, w) in widths.iter().enumerate() {
        ws.set_column_width(c as u16, *w)?;
    }
    let last_col = widths.len().max(1) as u16 - 1;
    let last_row = rows.len() as u32;
    ws.set_freeze_panes(1, 0)?;
    ws.autofilter(0, 0, last_row, last_col)?;
    if last_row > 0 {
        // Digits written as text are intended: no green triangles.
        ws.ignore_error_range(1, 0, last_row, last_col, IgnoreError::NumberStoredAsText)?;
    }
    ws.set_paper_size(A4)
        .set_landscape()
        .set_print_fit_to_pages(1, 0)
        .set_print_center_horizontally(true);
    ws.set_repeat_rows(0, 0)?;
    Ok(())
}

/// An inline list for a drop-down, if Excel can hold it: at most 255
/// characters (UTF-16 units) with the commas, no item holding a comma.
fn inline_list_ok(items: &[&str]) -> bool {
    let joined = items.join(",");
    items.iter().all(|s| !s.is_empty() && !s.contains(','))
        && joined.replace('"', "\"\"").encode_utf16().count() <= MAX_INLINE_LIST
}

fn build_template(
    book: &mut Workbook,
    header: &[String],
    rows: &[Vec<String>],
    verdicts: &[&str],
    reasons: &[&str],
) -> std::result::Result<(), XlsxError> {
    let header: Vec<String> = header
        .iter()
        .map(|h| {
            let n = normalize_field(h);
            if RESULT_HEADER_ALIASES
                .iter()
                .any(|a| n == *a || n.eq_ignore_ascii_case(a))
            {
                format!("{n}（名单）")
            } else {
                h.clone()
            }
        })
        .collect();
    let input_head = Format::new()
        .set_bold()
        .set_background_color(0xFFF2CC)
        .set_border_bottom(FormatBorder::Thin);
    let extra: Vec<(&str, &Format)> = RESULT_COLUMNS.iter().map(|c| (*c, &input_head)).collect();
    let mut ws = Worksheet::new();
    build_list(&mut ws, RESULTS_SHEET, &header, rows, &extra)?;

    let first = header.len() as u16;
    let text = Format::new().set_num_format("@");
    for c in 0..4 {
        ws.set_column_format(first + c, &text)?;
    }
    ws.set_column_format(first + 4, &Format::new().set_num_format("yyyy-mm-dd"))?;
    let verdict_col = first;
    let reason_col = first + 1;
    let last_row = rows.len().max(1) as u32;

    // Lists too long for Excel's inline form go to the 代码 sheet.
    let mut codes = Worksheet::new();
    codes.set_name(CODES_SHEET)?;
    let mut codes_used = 0u16;
    let mut list_rule =
        |items: &[&str], title: &str| -> std::result::Result<DataValidation, XlsxError> {
            if inline_list_ok(items) {
                return DataValidation::new().allow_list_strings(items);
            }
            let col = codes_used;
            codes_used += 1;
            codes.write_string_with_format(0, col, title, &header_format())?;
            let mut width = display_width(title) + 3;
            for (i, item) in items.iter().enumerate() {
                codes.write_string(i as u32 + 1, col, *item)?;
                width = width.max(display_width(item));
            }
            codes.set_column_width(col, (width + 2).clamp(6, 60) as f64)?;
            let letters = column_letters(col as usize);
            Ok(DataValidation::new().allow_list_formula(
                format!(
                    "'{CODES_SHEET}'!${letters}$2:${letters}${}",
                    items.len() + 1
                )
                .as_str()
                .into(),
            ))
        };
    if !verdicts.is_empty() {
        let rule = list_rule(verdicts, RESULT_COLUMNS[0])?
            .set_input_title("检查结果 verdict")?
            .set_input_message("从下拉列表选择 / choose from the list")?
            .set_error_title("检查结果 verdict")?
            .set_error_message("请从下拉列表选择检查结果。\nChoose a verdict from the list.")?
            .set_error_style(DataValidationErrorStyle::Stop);
        ws.add_data_validation(1, verdict_col, last_row, verdict_col, &rule)?;
    }
    if !reasons.is_empty() {
        let rule = list_rule(reasons, RESULT_COLUMNS[1])?
            .set_input_title("问题代码 reason")?
            .set_input_message(
                "可填多个代码，用 ; 分隔（见 choucha codes）。\nSeveral codes separated by ; (see choucha codes).",
            )?
            .set_error_title("问题代码 reason")?
            .set_error_message(
                "不在代码列表中；多个代码请用 ; 分隔。\nNot a listed code; separate several codes with ;.",
            )?
            .set_error_style(DataValidationErrorStyle::Information);
        ws.add_data_validation(1, reason_col, last_row, reason_col, &rule)?;
    }
    // Freeze the columns up to the id too, so that it stays in view beside the verdict.
    if let Some(id) = header.iter().position(|h| ID.is(h))
        && id < 6
    {
        ws.set_freeze_panes(1, id as u16 + 1)?;
    }
    book.push_worksheet(ws);
    if codes_used > 0 {
        codes.set_freeze_panes(1, 0)?;
        book.push_worksheet(codes);
    }
    Ok(())
}

fn build_table(
    ws: &mut Worksheet,
    table: &Table,
    lang: Lang,
) -> std::result::Result<(), XlsxError> {
    let t = titles(&table.population, lang);
    ws.set_name(match lang {
        Lang::Zh => "抽查情况",
        Lang::En => "table",
    })?;
    let head = [&t.no, &t.stratum, &t.total, &t.checked, &t.failed];

    // Widths: 序号 narrow, the stratum fitted, the counts wide enough for
    // their header on two or three lines.
    let stratum_w = table
        .rows
        .iter()
        .map(|r| display_width(&r.stratum))
        .chain([display_width(&t.stratum), display_width(&t.totals_row)])
        .max()
        .unwrap_or(0)
        .clamp(8, 30)
        + 2;
    let widths = [6.0, stratum_w as f64, 14.0, 14.0, 14.0];
    for (c, w) in widths.iter().enumerate() {
        ws.set_column_width(c as u16, *w)?;
    }
    let total_width: f64 = widths.iter().sum();
    let lines = |s: &str, w: f64| (display_width(s) as f64 / (w - 1.0)).ceil().max(1.0);

    let title = Format::new()
        .set_bold()
        .set_font_size(16)
        .set_align(FormatAlign::Center)
        .set_align(FormatAlign::VerticalCenter)
        .set_text_wrap();
    let cell = Format::new()
        .set_border(FormatBorder::Thin)
        .set_align(FormatAlign::Center)
        .set_align(FormatAlign::VerticalCenter);
    let header = cell.clone().set_bold().set_text_wrap();
    let totals = cell.clone().set_bold();
    let text = Format::new()
        .set_text_wrap()
        .set_align(FormatAlign::Left)
        .set_align(FormatAlign::VerticalCenter);

    ws.merge_range(0, 0, 0, 4, &table.title, &title)?;
    ws.set_row_height(0, 24.0 * lines(&table.title, total_width / 1.5) + 8.0)?;

    for (c, h) in head.iter().enumerate() {
        ws.write_string_with_format(1, c as u16, *h, &header)?;
    }
    let head_lines = head
        .iter()
        .zip(widths)
        .map(|(h, w)| lines(h, w))
        .fold(1.0, f64::max);
    ws.set_row_height(1, 15.0 * head_lines + 6.0)?;

    let mut r = 2u32;
    for row in &table.rows {
        ws.write_number_with_format(r, 0, row.no as f64, &cell)?;
        ws.write_string_with_format(r, 1, &row.stratum, &cell)?;
        ws.write_number_with_format(r, 2, row.total as f64, &cell)?;
        ws.write_number_with_format(r, 3, row.checked as f64, &cell)?;
        ws.write_number_with_format(r, 4, row.failed as f64, &cell)?;
        r += 1;
    }
    ws.write_blank(r, 0, &totals)?;
    ws.write_string_with_format(r, 1, &t.totals_row, &totals)?;
    ws.write_number_with_format(r, 2, table.totals.total as f64, &totals)?;
    ws.write_number_with_format(r, 3, table.totals.checked as f64, &totals)?;
    ws.write_number_with_format(r, 4, table.totals.failed as f64, &totals)?;

    r += 2;
    let headline = table.headline(lang);
    ws.merge_range(r, 0, r, 4, &headline, &text)?;
    ws.set_row_height(r, 15.0 * lines(&headline, total_width) + 4.0)?;
    if let Some(note) = table.missing_note(lang) {
        r += 1;
        let warn = text.clone().set_bold().set_font_color(0xC00000);
        ws.merge_range(r, 0, r, 4, &note, &warn)?;
        ws.set_row_height(r, 15.0 * lines(&note, total_width) + 4.0)?;
    }

    ws.set_paper_size(A4)
        .set_portrait()
        .set_print_fit_to_pages(1, 0)
        .set_print_center_horizontally(true);
    ws.set_repeat_rows(1, 1)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::audit::report::{Counts, PassRate, Row};
    use crate::input::text::Origin;
    use crate::input::workbook::{Sheet, read_sheet, to_csv};

    fn strings(v: &[&str]) -> Vec<String> {
        v.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn sample_list_round_trips_as_text() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("sample.xlsx");
        let header = strings(&["stratum", "rank", "id", "名称", "平台"]);
        let rows = vec![
            strings(&["合肥市", "1", "3400000001", "合肥发布", "微信"]),
            strings(&["合肥市", "2", "00012", "", "微博"]),
            strings(&[
                "省直厅局",
                "1",
                "1.5E+3",
                "安徽省人民政府办公厅网站",
                "网站",
            ]),
        ];
        write_sample_xlsx(&path, &header, &rows).unwrap();
        let s = read_sheet(&path, None).unwrap();
        assert_eq!(s.name, SAMPLE_SHEET);
        let mut want = vec![header.clone()];
        want.extend(rows.iter().cloned());
        assert_eq!(s.rows, want);
        assert_eq!(
            fitted_widths(&header, &rows),
            vec![12.0, 9.0, 12.0, 26.0, 9.0]
        );
    }

    fn template(path: &Path, reasons: &[&str]) -> Sheet {
        let header = strings(&["stratum", "rank", "id", "名称", "备注"]);
        let rows = vec![
            strings(&["合肥市", "1", "3400000001", "合肥发布", "旧账号"]),
            strings(&["芜湖市", "1", "0340", "芜湖发布", ""]),
        ];
        write_results_template(
            path,
            &header,
            &rows,
            &["合格", "不合格", "pass", "fail"],
            reasons,
        )
        .unwrap();
        read_sheet(path, None).unwrap()
    }

    #[test]
    fn results_template_reads_back_and_parses() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("results.xlsx");
        let codes: Vec<String> = crate::results::codes::builtin()
            .into_iter()
            .map(|c| c.code)
            .collect();
        let codes: Vec<&str> = codes.iter().map(String::as_str).collect();
        let s = template(&path, &codes);
        assert_eq!(s.name, RESULTS_SHEET);
        assert_eq!(
            s.rows,
            vec![
                strings(&[
                    "stratum",
                    "rank",
                    "id",
                    "名称",
                    "备注（名单）",
                    "verdict",
                    "reason",
                    "note",
                    "inspector",
                    "checked_at"
                ]),
                strings(&[
                    "合肥市",
                    "1",
                    "3400000001",
                    "合肥发布",
                    "旧账号",
                    "",
                    "",
                    "",
                    "",
                    ""
                ]),
                strings(&["芜湖市", "1", "0340", "芜湖发布", "", "", "", "", "", ""]),
            ]
        );
        // The built-in codes fit inline: no second sheet.
        assert!(read_sheet(&path, Some(CODES_SHEET)).is_err());

        // Filled in as an inspector would, it parses as results.
        let mut filled = s.clone();
        filled.rows[1][5..].clone_from_slice(&strings(&[
            "不合格",
            "NM_NOT_UPDATED",
            "两周未更新\n已截图",
            "张三",
            "2023-08-23",
        ]));
        filled.rows[2][5] = "合格".into();
        let crate::results::batch::ParsedResults { rows, columns, .. } =
            crate::results::batch::parse_results(
                &to_csv(&filled).unwrap(),
                &Origin::file("results.xlsx"),
                &[],
            )
            .unwrap();
        assert_eq!(columns.id, "id");
        assert_eq!(rows.len(), 2);
        assert_eq!((rows[0].line, rows[0].id.as_str()), (2, "3400000001"));
        assert_eq!(rows[0].note, "两周未更新 已截图");
        assert_eq!(rows[0].reasons, vec!["NM_NOT_UPDATED"]);
        assert_eq!((rows[1].line, rows[1].id.as_str()), (3, "0340"));
    }

    #[test]
    fn long_code_lists_go_to_their_own_sheet() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("results.xlsx");
        let codes: Vec<String> = (0..40).map(|i| format!("CUSTOM_CODE_{i:02}")).collect();
        let codes: Vec<&str> = codes.iter().map(String::as_str).collect();
        assert!(!inline_list_ok(&codes));
        assert!(inline_list_ok(&["合格", "不合格", "pass", "fail"]));
        assert!(!inline_list_ok(&["a,b"]));
        let s = template(&path, &codes);
        assert_eq!(s.rows[0][6], "reason");
        let c = read_sheet(&path, Some(CODES_SHEET)).unwrap();
        assert_eq!(c.rows.len(), 41);
        assert_eq!(c.rows[0], strings(&["reason"]));
        assert_eq!(c.rows[40], strings(&["CUSTOM_CODE_39"]));
    }

    fn table(missing: Vec<String>) -> Table {
        Table {
            format: crate::audit::report::TABLE_FORMAT.into(),
            round: "anhui-2023q3-new-media".into(),
            title: "2023年第三季度全省政务新媒体抽查情况".into(),
            population: "政务新媒体".into(),
            rows: vec![
                Row {
                    no: 1,
                    stratum: "省直厅局".into(),
                    total: 400,
                    checked: 200,
                    failed: 1,
                },
                Row {
                    no: 2,
                    stratum: "合肥市".into(),
                    total: 2916,
                    checked: 1458,
                    failed: 4,
                },
            ],
            totals: Counts {
                total: 3316,
                checked: 1658,
                failed: 5,
            },
            pass_rate: PassRate {
                passed: 1653,
                checked: 1658,
                fraction: "1653/1658".into(),
                percent: "99.70%".into(),
            },
            missing,
        }
    }

    #[test]
    fn table_reads_back() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("table.xlsx");
        let t = table(Vec::new());
        write_table_xlsx(&path, &t, Lang::Zh).unwrap();
        let s = read_sheet(&path, None).unwrap();
        assert_eq!(s.name, "抽查情况");
        let e = |v: &[&str]| strings(v);
        assert_eq!(
            s.rows,
            vec![
                // The title and the summary are merged across the table:
                // read back, as Excel shows them, in every cell they cover.
                e(&["2023年第三季度全省政务新媒体抽查情况"; 5]),
                e(&[
                    "序号",
                    "省直厅局/各市",
                    "运行政务新媒体总数",
                    "检查政务新媒体数",
                    "存在突出问题的政务新媒体数"
                ]),
                e(&["1", "省直厅局", "400", "200", "1"]),
                e(&["2", "合肥市", "2916", "1458", "4"]),
                e(&["", "合计", "3316", "1658", "5"]),
                e(&["", "", "", "", ""]),
                e(&["运行总数3316个，抽查1658个，存在突出问题5个，合格率99.70%（1653/1658）"; 5]),
            ]
        );

        let draft = table(vec!["X1".into(), "X2".into()]);
        write_table_xlsx(&path, &draft, Lang::En).unwrap();
        let s = read_sheet(&path, None).unwrap();
        assert_eq!(s.name, "table");
        assert_eq!(
            s.rows[1],
            e(&["no", "stratum", "total", "checked", "failed"])
        );
        assert_eq!(s.rows[4][1], "total");
        assert_eq!(
            s.rows[7][0],
            "draft: 2 sampled accounts have no result yet: X1, X2"
        );
    }
}
