//! The Excel edge: workbooks in, workbooks out.
//!
//! The offices keep their rosters and the inspectors their results in Excel,
//! so choucha reads a worksheet ([`read_sheet`]) and turns it into the CSV
//! text that the existing parsers take ([`to_csv`]): line N of that CSV is
//! row N of the sheet, so "line 17" in a message is row 17 in Excel, and
//! [`cell_name`] names a cell as Excel does (`结果!C17`). Going out, it
//! writes the inspectors' sample list ([`write_sample_xlsx`]), a results
//! template with drop-down lists ([`write_results_template`]) and the
//! notice's table ready to print ([`write_table_xlsx`]).
//!
//! Nothing here is committed to: the roster commitment is over `roster.tsv`,
//! whatever the source's format. The only I/O is reading or writing the
//! workbook file itself (written atomically, like every file choucha writes).

use std::io::Cursor;
use std::path::Path;

use calamine::{Data, Reader, Sheets};
use rust_xlsxwriter::{
    DataValidation, DataValidationErrorStyle, Format, FormatAlign, FormatBorder, IgnoreError,
    Workbook, Worksheet, XlsxError,
};

use crate::error::{Error, Result};
use crate::fsio;
use crate::i18n::Lang;
use crate::report::{Table, titles};
use crate::roster::{ID_HEADERS, STRATUM_HEADERS};
use crate::t;
use crate::text::normalize_field;

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

/// One worksheet as text. `rows[i][j]` is the cell in row `i + 1`, column
/// `j + 1` of the sheet (`A1` is `rows[0][0]`), whatever cell the used range
/// starts at: empty rows and columns before it are kept, so indices name
/// cells (see [`cell_name`]). Trailing empty rows and columns are dropped;
/// every row has the same width.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sheet {
    pub name: String,
    pub rows: Vec<Vec<String>>,
}

/// Reads one worksheet of a workbook (.xlsx, .xlsm, .xlsb, .xls, .ods, as
/// calamine reads them): the sheet named `sheet`, else the first visible
/// worksheet. Cells become text as [`cell_text`] describes; formulas give
/// their cached values. Errors name the file (and, for a missing sheet, the
/// sheets there are).
pub fn read_sheet(path: &Path, sheet: Option<&str>) -> Result<Sheet> {
    let file = path.display().to_string();
    let bytes = fsio::read(path)?;
    let mut book = open_workbook(&file, path, bytes)?;
    let names = book.sheet_names();
    let shown = || {
        names
            .iter()
            .map(|n| format!("{n:?}"))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let name = match sheet {
        Some(want) => names
            .iter()
            .find(|n| n.as_str() == want)
            .or_else(|| {
                let want = normalize_field(want);
                names.iter().find(|n| normalize_field(n) == want)
            })
            .cloned()
            .ok_or_else(|| Error::input(t!("xlsx.no-such-sheet", file, want, sheets = shown())))?,
        None => book
            .sheets_metadata()
            .iter()
            .find(|s| {
                s.typ == calamine::SheetType::WorkSheet
                    && s.visible == calamine::SheetVisible::Visible
            })
            .map(|s| s.name.clone())
            .or_else(|| names.first().cloned())
            .ok_or_else(|| Error::input(t!("xlsx.no-sheets", file)))?,
    };
    let range = book
        .worksheet_range(&name)
        .map_err(|error| Error::input(t!("xlsx.sheet-unreadable", file, name, error)))?;
    Ok(Sheet {
        rows: grid(&range),
        name,
    })
}

/// Opens the workbook by its extension, else by trying each format.
fn open_workbook(file: &str, path: &Path, bytes: Vec<u8>) -> Result<Sheets<Cursor<Vec<u8>>>> {
    let ext = path
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase);
    let c = Cursor::new(bytes);
    let opened = match ext.as_deref() {
        Some("xlsx" | "xlsm" | "xlam") => calamine::Xlsx::new(c)
            .map(Sheets::Xlsx)
            .map_err(|e| e.to_string()),
        Some("xlsb") => calamine::Xlsb::new(c)
            .map(Sheets::Xlsb)
            .map_err(|e| e.to_string()),
        Some("xls" | "xla") => calamine::Xls::new(c)
            .map(Sheets::Xls)
            .map_err(|e| e.to_string()),
        Some("ods") => calamine::Ods::new(c)
            .map(Sheets::Ods)
            .map_err(|e| e.to_string()),
        _ => calamine::open_workbook_auto_from_rs(c).map_err(|e| e.to_string()),
    };
    opened.map_err(|error| Error::input(t!("xlsx.not-a-workbook", file, error)))
}

/// The used range as rows of text, anchored at A1.
fn grid(range: &calamine::Range<Data>) -> Vec<Vec<String>> {
    let Some((r0, c0)) = range.start() else {
        return Vec::new();
    };
    let mut rows: Vec<Vec<String>> = vec![Vec::new(); r0 as usize];
    for row in range.rows() {
        let mut out = vec![String::new(); c0 as usize];
        out.extend(row.iter().map(cell_text));
        rows.push(out);
    }
    while rows.last().is_some_and(|r| r.iter().all(String::is_empty)) {
        rows.pop();
    }
    let width = rows
        .iter()
        .filter_map(|r| r.iter().rposition(|c| !c.is_empty()))
        .max()
        .map_or(0, |i| i + 1);
    for r in &mut rows {
        r.resize(width, String::new());
    }
    rows
}

/// One cell as text: text as it is; numbers as [`number_text`] writes them;
/// booleans `TRUE`/`FALSE`; dates `YYYY-MM-DD` (with ` HH:MM:SS` when the
/// time is not midnight; a time alone `HH:MM:SS`; a duration `H:MM:SS`);
/// error values as Excel shows them (`#N/A`); empty cells "". Number formats
/// other than dates are not applied: a cell showing 50% gives "0.5".
pub fn cell_text(cell: &Data) -> String {
    match cell {
        Data::Empty => String::new(),
        Data::String(s) => s.clone(),
        Data::Int(i) => i.to_string(),
        Data::Float(f) => number_text(*f),
        Data::Bool(b) => if *b { "TRUE" } else { "FALSE" }.to_string(),
        Data::DateTime(dt) => datetime_text(dt),
        Data::DateTimeIso(s) => match s.split_once('T') {
            Some((date, time)) if time.chars().all(|c| matches!(c, '0' | ':' | '.')) => {
                date.to_string()
            }
            Some((date, time)) => format!("{date} {time}"),
            None => s.clone(),
        },
        Data::DurationIso(s) => s.clone(),
        Data::Error(e) => e.to_string(),
    }
}

/// A number as text. An integral value below 2^53 in magnitude — every id
/// Excel stored as a number, such as 3400000001 or 340000000112 — gives
/// exactly its digits, with no ".0" and no exponent. Any other value gives
/// the shortest decimal that reads back as the same double, still without
/// an exponent (0.5, 0.30000000000000004, 123456789012345680000). Beyond
/// 2^53 not every integer is a double, and Excel keeps only 15 significant
/// digits anyway: an 18-digit id typed as a number has already lost its
/// last digits in the file, and no reader can restore them — such ids must
/// be stored as text.
pub fn number_text(x: f64) -> String {
    const EXACT: f64 = 9_007_199_254_740_992.0; // 2^53
    if x.fract() == 0.0 && x.abs() < EXACT {
        (x as i64).to_string()
    } else {
        format!("{x}")
    }
}

fn datetime_text(dt: &calamine::ExcelDateTime) -> String {
    if dt.is_duration() {
        let ms = (dt.as_f64() * 86_400_000.0).round() as i64;
        let sign = if ms < 0 { "-" } else { "" };
        let ms = ms.unsigned_abs();
        let (h, m, s, milli) = (ms / 3_600_000, ms / 60_000 % 60, ms / 1000 % 60, ms % 1000);
        return if milli == 0 {
            format!("{sign}{h}:{m:02}:{s:02}")
        } else {
            format!("{sign}{h}:{m:02}:{s:02}.{milli:03}")
        };
    }
    let (y, mo, d, h, mi, s, milli) = dt.to_ymd_hms_milli();
    let time = if milli == 0 {
        format!("{h:02}:{mi:02}:{s:02}")
    } else {
        format!("{h:02}:{mi:02}:{s:02}.{milli:03}")
    };
    if (0.0..1.0).contains(&dt.as_f64()) {
        return time; // a time of day, with no date
    }
    let date = format!("{y:04}-{mo:02}-{d:02}");
    if (h, mi, s, milli) == (0, 0, 0, 0) {
        date
    } else {
        format!("{date} {time}")
    }
}

/// An Excel cell reference for messages, `结果!C17`: `row` and `col` are
/// 0-based (as in [`Sheet::rows`]); the sheet name is quoted as Excel
/// quotes it when it holds anything but letters, digits and `_`
/// (`'Sheet 1'!A1`).
pub fn cell_name(sheet: &str, row: usize, col: usize) -> String {
    format!("{}!{}{}", sheet_ref(sheet), column_letters(col), row + 1)
}

/// Column letters for a 0-based column: 0 → A, 25 → Z, 26 → AA, 701 → ZZ, 702 → AAA.
pub fn column_letters(col: usize) -> String {
    let mut n = col + 1;
    let mut out = Vec::new();
    while n > 0 {
        n -= 1;
        out.push(b'A' + (n % 26) as u8);
        n /= 26;
    }
    out.reverse();
    String::from_utf8(out).expect("ASCII")
}

fn sheet_ref(name: &str) -> String {
    let plain = name.chars().next().is_some_and(|c| !c.is_ascii_digit())
        && name.chars().all(|c| c.is_alphanumeric() || c == '_');
    if plain {
        name.to_string()
    } else {
        format!("'{}'", name.replace('\'', "''"))
    }
}

/// The sheet as CSV text (RFC 4180 quoting, LF line ends, no BOM) for
/// `roster::parse` and `results::parse_results`. Line N of the text is row
/// N of the sheet, so that their "line N" is the row the user sees in
/// Excel:
///
/// - empty rows before the first non-empty one (the header) become empty
///   lines, which the CSV parsers skip; later empty rows keep their (empty)
///   fields and so their line;
/// - a CSV record may span lines only if a field holds a line break, which
///   would shift the numbering of every later row. A line break in a cell of
///   an id or stratum column (header among `roster::ID_HEADERS`,
///   `roster::STRATUM_HEADERS` or `stratum`) is refused, naming the cell:
///   ids and strata cannot hold one anyway. In every other cell (names,
///   notes typed with Alt+Enter) each line break (CRLF, LF or CR) becomes a
///   space: such cells are descriptive, and keeping the numbering is worth
///   more than their layout.
///
/// The id and stratum columns are recognised in the header, the first
/// non-empty row; a sheet with a title row above its header is not
/// recognised as such (and the CSV parsers would take the title for the
/// header). Errors name the cell (`名单!B7`); the caller adds the file's name.
pub fn to_csv(sheet: &Sheet) -> Result<String> {
    to_csv_keys(sheet, &[])
}

/// [`to_csv`], with more key columns (e.g. those named by `--id-column` and
/// `--stratum-column`) in which a line break is refused.
pub fn to_csv_keys(sheet: &Sheet, key_columns: &[&str]) -> Result<String> {
    let is_blank = |r: &Vec<String>| r.iter().all(String::is_empty);
    let leading = sheet.rows.iter().take_while(|r| is_blank(r)).count();
    let header = sheet.rows.get(leading);
    let explicit: Vec<String> = key_columns
        .iter()
        .map(|k| normalize_field(k).into_owned())
        .collect();
    let keys: Vec<bool> = header.map_or_else(Vec::new, |h| {
        h.iter()
            .map(|name| {
                let name = normalize_field(name);
                ID_HEADERS
                    .iter()
                    .chain(STRATUM_HEADERS)
                    .chain(&["stratum"])
                    .any(|k| name == *k || name.eq_ignore_ascii_case(k))
                    || explicit.iter().any(|k| *k == name)
            })
            .collect()
    });
    let mut w = csv::WriterBuilder::new()
        .flexible(true)
        .terminator(csv::Terminator::Any(b'\n'))
        .from_writer(Vec::new());
    for (r, row) in sheet.rows.iter().enumerate().skip(leading) {
        let mut fields: Vec<std::borrow::Cow<'_, str>> = Vec::with_capacity(row.len());
        for (c, cell) in row.iter().enumerate() {
            if !cell.contains(['\r', '\n']) {
                fields.push(cell.into());
            } else if keys.get(c).copied().unwrap_or(false) {
                return Err(Error::input(t!(
                    "xlsx.line-break-in-key",
                    cell = cell_name(&sheet.name, r, c),
                    column = header.map_or("", |h| h[c].as_str())
                )));
            } else {
                fields.push(cell.replace("\r\n", " ").replace(['\r', '\n'], " ").into());
            }
        }
        w.write_record(fields.iter().map(|f| f.as_bytes()))
            .expect("in memory");
    }
    let body = w.into_inner().expect("in memory");
    let mut out = "\n".repeat(leading);
    out.push_str(std::str::from_utf8(&body).expect("written from strings"));
    Ok(out)
}

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
    save(&mut book, path)
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
    save(&mut book, path)
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
    save(&mut book, path)
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

fn save(book: &mut Workbook, path: &Path) -> Result<()> {
    let bytes = book.save_to_buffer().map_err(|e| xlsx_error(path, e))?;
    fsio::write_atomic(path, &bytes)
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
    if let Some(id) = header.iter().position(|h| {
        let h = normalize_field(h);
        ID_HEADERS
            .iter()
            .any(|k| h == *k || h.eq_ignore_ascii_case(k))
    }) && id < 6
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
    use crate::report::{Counts, PassRate, Row};
    use crate::text::Origin;
    use rust_xlsxwriter::ExcelDateTime;

    fn strings(v: &[&str]) -> Vec<String> {
        v.iter().map(|s| s.to_string()).collect()
    }

    /// A workbook as an office might send it: ids stored as numbers, a
    /// date, a Chinese sheet name, formatted empty rows at the end.
    fn office_workbook(path: &Path) {
        let mut book = Workbook::new();
        let ws = book.add_worksheet();
        ws.set_name("名单").unwrap();
        for (c, h) in ["账号ID", "地区", "名称", "开设日期", "在用"]
            .iter()
            .enumerate()
        {
            ws.write_string(0, c as u16, *h).unwrap();
        }
        ws.write_number(1, 0, 3400000001.0).unwrap();
        ws.write_string(1, 1, "合肥市").unwrap();
        ws.write_string(1, 2, "合肥发布\n官方账号").unwrap();
        let date = Format::new().set_num_format("yyyy-mm-dd");
        let day = ExcelDateTime::from_ymd(2023, 8, 23).unwrap();
        ws.write_datetime_with_format(1, 3, &day, &date).unwrap();
        ws.write_boolean(1, 4, true).unwrap();
        ws.write_number(2, 0, 340000000112.0).unwrap();
        ws.write_string(2, 1, "芜湖市").unwrap();
        ws.write_number(2, 2, 0.5).unwrap();
        let noon = ExcelDateTime::from_ymd(2023, 8, 24)
            .unwrap()
            .and_hms(12, 30, 0)
            .unwrap();
        let dt = Format::new().set_num_format("yyyy-mm-dd hh:mm:ss");
        ws.write_datetime_with_format(2, 3, &noon, &dt).unwrap();
        // Trailing "empty" rows: formatted blanks and empty strings.
        let bold = Format::new().set_bold();
        for r in 3..8 {
            ws.write_blank(r, 0, &bold).unwrap();
            ws.write_string(r, 6, "").unwrap();
        }
        let other = book.add_worksheet();
        other.set_name("说明").unwrap();
        other.write_string(0, 0, "x").unwrap();
        book.save(path).unwrap();
    }

    #[test]
    fn numeric_ids_dates_and_trailing_rows() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("roster.xlsx");
        office_workbook(&path);
        let s = read_sheet(&path, None).unwrap();
        assert_eq!(s.name, "名单");
        assert_eq!(
            s.rows,
            vec![
                strings(&["账号ID", "地区", "名称", "开设日期", "在用"]),
                strings(&[
                    "3400000001",
                    "合肥市",
                    "合肥发布\n官方账号",
                    "2023-08-23",
                    "TRUE"
                ]),
                strings(&["340000000112", "芜湖市", "0.5", "2023-08-24 12:30:00", ""]),
            ]
        );
        assert_eq!(read_sheet(&path, Some("名单")).unwrap(), s);
        assert_eq!(
            read_sheet(&path, Some("说明")).unwrap().rows,
            vec![strings(&["x"])]
        );
        let e = read_sheet(&path, Some("结果")).unwrap_err().to_string();
        assert!(
            e.contains("roster.xlsx: no sheet named \"结果\"; the workbook has \"名单\", \"说明\""),
            "{e}"
        );

        // CSV for the roster parser: the line break becomes a space, the
        // numbering stays, and the roster reads it.
        let csv = to_csv(&s).unwrap();
        assert_eq!(
            csv,
            "账号ID,地区,名称,开设日期,在用\n3400000001,合肥市,合肥发布 官方账号,2023-08-23,TRUE\n340000000112,芜湖市,0.5,2023-08-24 12:30:00,\n"
        );
        let roster = crate::roster::parse(
            csv.as_bytes(),
            &Origin::file("roster.xlsx"),
            &crate::roster::RosterOptions::default(),
        )
        .unwrap();
        assert_eq!(
            String::from_utf8(roster.tsv.clone()).unwrap(),
            "合肥市\t3400000001\n芜湖市\t340000000112\n"
        );
    }

    #[test]
    fn grid_anchors_at_a1_and_drops_trailing_empties() {
        // What Excel writes for =IF(…,"",…) filled down, or cells cleared to
        // "": values calamine keeps, that are empty as text.
        let mut range = calamine::Range::new((1, 1), (6, 4));
        range.set_value((1, 1), Data::String("id".into()));
        range.set_value((1, 2), Data::String("region".into()));
        range.set_value((2, 1), Data::Float(3400000001.0));
        range.set_value((2, 2), Data::String("H".into()));
        range.set_value((3, 1), Data::Int(7));
        range.set_value((3, 2), Data::Error(calamine::CellErrorType::NA));
        for r in 4..=6 {
            range.set_value((r, 1), Data::String(String::new()));
            range.set_value((r, 4), Data::String(String::new()));
        }
        assert_eq!(
            grid(&range),
            vec![
                strings(&["", "", ""]),
                strings(&["", "id", "region"]),
                strings(&["", "3400000001", "H"]),
                strings(&["", "7", "#N/A"]),
            ]
        );
        assert!(grid(&calamine::Range::<Data>::empty()).is_empty());
    }

    #[test]
    fn dates_and_times() {
        use calamine::{ExcelDateTime as Dt, ExcelDateTimeType::*};
        let t = |v: f64, k| cell_text(&Data::DateTime(Dt::new(v, k, false)));
        assert_eq!(t(45161.0, DateTime), "2023-08-23");
        assert_eq!(t(45161.5, DateTime), "2023-08-23 12:00:00");
        assert_eq!(t(0.75, DateTime), "18:00:00");
        assert_eq!(t(1.5, TimeDelta), "36:00:00");
        let iso = |s: &str| cell_text(&Data::DateTimeIso(s.into()));
        assert_eq!(iso("2023-08-23"), "2023-08-23");
        assert_eq!(iso("2023-08-23T00:00:00"), "2023-08-23");
        assert_eq!(iso("2023-08-23T08:30:00"), "2023-08-23 08:30:00");
        assert_eq!(cell_text(&Data::Bool(false)), "FALSE");
    }

    #[test]
    fn numbers_as_text() {
        assert_eq!(number_text(3400000001.0), "3400000001");
        assert_eq!(number_text(340000000112.0), "340000000112");
        assert_eq!(number_text(9007199254740991.0), "9007199254740991");
        assert_eq!(number_text(-42.0), "-42");
        assert_eq!(number_text(-0.0), "0");
        assert_eq!(number_text(0.5), "0.5");
        assert_eq!(number_text(1e20), "100000000000000000000");
        assert_eq!(number_text(1.5e-7), "0.00000015");
    }

    #[test]
    fn cell_names() {
        assert_eq!(cell_name("结果", 16, 2), "结果!C17");
        assert_eq!(cell_name("名单", 0, 26), "名单!AA1");
        assert_eq!(cell_name("Sheet 1", 0, 0), "'Sheet 1'!A1");
        assert_eq!(cell_name("it's", 1, 1), "'it''s'!B2");
        let cols: Vec<String> = [0, 25, 26, 27, 51, 52, 701, 702, 16383]
            .iter()
            .map(|&c| column_letters(c))
            .collect();
        assert_eq!(cols, ["A", "Z", "AA", "AB", "AZ", "BA", "ZZ", "AAA", "XFD"]);
    }

    #[test]
    fn csv_lines_are_sheet_rows() {
        // The used range starts at B3: rows 1-2 and column A are empty.
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("offset.xlsx");
        let mut book = Workbook::new();
        let ws = book.add_worksheet();
        let table = [
            ["id", "region", "name"],
            ["A1", "H", "x, \"y\""],
            ["", "", ""],
            ["A2", "H", "line\r\nbreak"],
            ["A1", "S", "dup"],
        ];
        for (r, row) in table.iter().enumerate() {
            for (c, v) in row.iter().enumerate() {
                ws.write_string(r as u32 + 2, c as u16 + 1, *v).unwrap();
            }
        }
        book.save(&path).unwrap();
        let s = read_sheet(&path, None).unwrap();
        assert_eq!(s.name, "Sheet1");
        assert_eq!(s.rows.len(), 7);
        assert_eq!(s.rows[0], strings(&["", "", "", ""]));
        assert_eq!(s.rows[2], strings(&["", "id", "region", "name"]));
        let csv = to_csv(&s).unwrap();
        assert_eq!(
            csv,
            "\n\n,id,region,name\n,A1,H,\"x, \"\"y\"\"\"\n,,,\n,A2,H,line break\n,A1,S,dup\n"
        );
        // Row 7 of the sheet repeats the id of row 4: the roster says so.
        let e = crate::roster::parse(
            csv.as_bytes(),
            &Origin::file("offset.csv"),
            &Default::default(),
        )
        .unwrap_err()
        .to_string();
        assert!(e.contains("line 5: field \"region\" is empty"), "{e}");
        // Read as the workbook it is, the message names the cell instead.
        let origin = Origin::sheet("offset.xlsx", &s.name, s.rows[2].clone());
        let e = crate::roster::parse(csv.as_bytes(), &origin, &Default::default())
            .unwrap_err()
            .to_string();
        assert!(
            e.starts_with("offset.xlsx: Sheet1!C5: field \"region\" is empty"),
            "{e}"
        );
        let mut fixed = s.clone();
        fixed.rows.remove(4);
        let e = crate::roster::parse(
            to_csv(&fixed).unwrap().as_bytes(),
            &Origin::file("f"),
            &Default::default(),
        )
        .unwrap_err()
        .to_string();
        assert!(
            e.contains("line 6: duplicate \"id\" \"A1\", already on line 4"),
            "{e}"
        );
        let e = crate::roster::parse(
            to_csv(&fixed).unwrap().as_bytes(),
            &origin,
            &Default::default(),
        )
        .unwrap_err()
        .to_string();
        assert!(
            e.contains("Sheet1!B6: duplicate \"id\" \"A1\", already on Sheet1!B4"),
            "{e}"
        );

        // A line break in an id or stratum cell is refused, naming the cell.
        let mut bad = fixed.clone();
        bad.rows[3][2] = "H\nX".into();
        let e = to_csv(&bad).unwrap_err().to_string();
        assert!(e.starts_with("Sheet1!C4: holds a line break"), "{e}");
        bad.rows[3][2] = "H".into();
        bad.rows[3][3] = "a\nb".into();
        assert!(to_csv(&bad).is_ok());
        assert!(
            to_csv_keys(&bad, &["name"])
                .unwrap_err()
                .to_string()
                .contains("Sheet1!D4")
        );
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
        let codes: Vec<String> = crate::codes::builtin()
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
        let (rows, columns) =
            crate::results::parse_results(&to_csv(&filled).unwrap(), &Origin::file("results.xlsx"))
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
            format: crate::report::TABLE_FORMAT.into(),
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
                e(&["2023年第三季度全省政务新媒体抽查情况", "", "", "", ""]),
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
                e(&[
                    "运行总数3316个，抽查1658个，存在突出问题5个，合格率99.70%（1653/1658）",
                    "",
                    "",
                    "",
                    ""
                ]),
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

    #[test]
    fn unreadable_files_are_named() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("roster.xlsx");
        std::fs::write(&path, "id,region\nA,B\n").unwrap();
        let e = read_sheet(&path, None).unwrap_err().to_string();
        assert!(
            e.starts_with(&format!("{}: not a workbook", path.display())),
            "{e}"
        );
        let e = read_sheet(&dir.path().join("none.xlsx"), None).unwrap_err();
        assert_eq!(e.exit_code(), 2);
        assert!(e.to_string().contains("none.xlsx"), "{e}");
    }
}
