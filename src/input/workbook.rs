//! Workbooks in: one worksheet read as Excel shows it, and turned into the
//! CSV text the table parsers take ([`to_csv`]): line N of that CSV is row N
//! of the sheet, so "line 17" in a message is row 17 in Excel, and
//! [`cell_name`] names a cell as Excel does (`结果!C17`). Writing workbooks
//! is `output::workbook`'s.

use std::io::Cursor;
use std::path::Path;

use calamine::{Data, Reader, Sheets};

use crate::base::fsio;
use crate::error::{Error, Result};
use crate::input::cell::cell_name;
use crate::input::columns::{ID, STRATUM};
use crate::input::header::header_is;
use crate::input::text::normalize_field;
use crate::t;

/// One worksheet as text. `rows[i][j]` is the cell in row `i + 1`, column
/// `j + 1` of the sheet (`A1` is `rows[0][0]`), whatever cell the used range
/// starts at: empty rows and columns before it are kept, so indices name
/// cells (see [`cell_name`]). Trailing empty rows and columns are dropped;
/// every row has the same width.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sheet {
    pub name: String,
    pub rows: Vec<Vec<String>>,
    /// Cells (row, column, 0-based) holding a number of 16 or more digits:
    /// Excel keeps 15 significant digits of a number, so such a cell in an
    /// id column has lost the id's last digits ([`to_csv_keys`] refuses it).
    pub imprecise: Vec<(usize, usize)>,
}

/// Reads one worksheet of a workbook (.xlsx, .xlsm, .xlsb, .xls, .ods, as
/// calamine reads them): the sheet named `sheet`, else the first visible
/// worksheet. Cells become text as [`cell_text`] describes; formulas give
/// their cached values; a merged range reads as its top-left value in every
/// cell it covers. Errors name the file (and, for a missing sheet, the
/// sheets there are).
pub fn read_sheet(path: &Path, sheet: Option<&str>) -> Result<Sheet> {
    read_sheet_where(path, sheet, |_| true, "").map(|(s, _)| s)
}

/// [`read_sheet`], where without `sheet` the sheet read is the first
/// visible worksheet that `accept` takes (one with a recognisable header):
/// the list offices keep often follows an instructions sheet. When there
/// are several and none is taken, the error shows each sheet's first rows
/// and `wanted`, the columns looked for. The flag says whether the sheet
/// was chosen among several (and so should be named to the user).
pub fn read_sheet_where(
    path: &Path,
    sheet: Option<&str>,
    accept: impl Fn(&Sheet) -> bool,
    wanted: &str,
) -> Result<(Sheet, bool)> {
    let file = path.display().to_string();
    let size = std::fs::metadata(path)
        .map_err(|e| Error::io(path, e))?
        .len();
    if size > MAX_WORKBOOK_BYTES {
        return Err(Error::input(t!(
            "xlsx.too-large",
            file,
            size = size >> 20,
            limit = MAX_WORKBOOK_BYTES >> 20
        )));
    }
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
    if let Some(want) = sheet {
        let name = names
            .iter()
            .find(|n| n.as_str() == want)
            .or_else(|| {
                let want = normalize_field(want);
                names.iter().find(|n| normalize_field(n) == want)
            })
            .cloned()
            .ok_or_else(|| Error::input(t!("xlsx.no-such-sheet", file, want, sheets = shown())))?;
        return Ok((read_one(&mut book, &file, &name)?, false));
    }
    let mut candidates: Vec<String> = book
        .sheets_metadata()
        .iter()
        .filter(|s| {
            s.typ == calamine::SheetType::WorkSheet && s.visible == calamine::SheetVisible::Visible
        })
        .map(|s| s.name.clone())
        .collect();
    if candidates.is_empty() {
        candidates.extend(names.first().cloned());
    }
    match candidates.as_slice() {
        [] => return Err(Error::input(t!("xlsx.no-sheets", file))),
        [one] => return Ok((read_one(&mut book, &file, one)?, false)),
        _ => {}
    }
    let mut seen = Vec::new();
    for name in &candidates {
        let s = read_one(&mut book, &file, name)?;
        if accept(&s) {
            return Ok((s, true));
        }
        seen.push(sheet_preview(&s));
    }
    Err(Error::input(t!(
        "xlsx.no-header-in-sheets",
        file,
        wanted,
        sheets = seen.join("\n")
    )))
}

/// A sheet for a message: its name and its first three non-empty rows,
/// clipped.
fn sheet_preview(s: &Sheet) -> String {
    let rows: Vec<String> = s
        .rows
        .iter()
        .enumerate()
        .filter(|(_, r)| r.iter().any(|c| !c.trim().is_empty()))
        .take(3)
        .map(|(i, r)| {
            let cells: Vec<String> = r
                .iter()
                .take(8)
                .map(|c| format!("{:?}", crate::input::text::clipped(c, 20)))
                .collect();
            t!("xlsx.preview-row", row = i + 1, cells = cells.join(", "))
        })
        .collect();
    if rows.is_empty() {
        t!("xlsx.preview-empty", name = s.name)
    } else {
        t!("xlsx.preview", name = s.name, rows = rows.join("; "))
    }
}

/// One sheet as text: its cells, merged ranges filled, cell sizes checked.
fn read_one(book: &mut Sheets<Cursor<Vec<u8>>>, file: &str, name: &str) -> Result<Sheet> {
    let range = book
        .worksheet_range(name)
        .map_err(|error| Error::input(t!("xlsx.sheet-unreadable", file, name, error)))?;
    let mut rows = grid(&range);
    fill_merged(&mut rows, &merged_ranges(book, name));
    for (r, row) in rows.iter().enumerate() {
        for (c, cell) in row.iter().enumerate() {
            if cell.chars().count() > MAX_CELL_CHARS {
                return Err(Error::input(t!(
                    "xlsx.cell-too-long",
                    cell = cell_name(name, r, c),
                    file,
                    limit = MAX_CELL_CHARS
                )));
            }
        }
    }
    let (r0, c0) = range.start().unwrap_or((0, 0));
    let imprecise = range
        .used_cells()
        .filter(|(_, _, v)| matches!(v, Data::Float(f) if f.abs() >= 1e15))
        .map(|(r, c, _)| (r + r0 as usize, c + c0 as usize))
        .collect();
    Ok(Sheet {
        rows,
        name: name.to_string(),
        imprecise,
    })
}

/// The merged ranges of a sheet, as (first row, first column, last row,
/// last column), 0-based. calamine reads them from xlsx and xls; an xlsb or
/// ods sheet's merged ranges are not read (their covered cells stay empty).
fn merged_ranges(
    book: &mut Sheets<Cursor<Vec<u8>>>,
    name: &str,
) -> Vec<(usize, usize, usize, usize)> {
    let dims = match book {
        Sheets::Xlsx(x) => x.merge_cells_by_sheet_name(name).unwrap_or_default(),
        Sheets::Xls(x) => x.merge_cells_by_sheet_name(name).unwrap_or_default(),
        Sheets::Xlsb(_) | Sheets::Ods(_) => Vec::new(),
    };
    dims.iter()
        .map(|d| {
            (
                d.start.0 as usize,
                d.start.1 as usize,
                d.end.0 as usize,
                d.end.1 as usize,
            )
        })
        .collect()
}

/// Each merged range reads as its top-left value in every cell it covers,
/// as Excel shows it (a region's name merged over its block of accounts),
/// within the grid: a range reaching past the used cells adds none.
fn fill_merged(rows: &mut [Vec<String>], ranges: &[(usize, usize, usize, usize)]) {
    for &(r0, c0, r1, c1) in ranges {
        let Some(value) = rows.get(r0).and_then(|r| r.get(c0)).cloned() else {
            continue;
        };
        if value.is_empty() {
            continue;
        }
        for row in rows.iter_mut().take(r1 + 1).skip(r0) {
            let end = (c1 + 1).min(row.len());
            for cell in row.iter_mut().take(end).skip(c0) {
                if cell.is_empty() {
                    cell.clone_from(&value);
                }
            }
        }
    }
}

/// The largest workbook file read, and the most its parts may unpack to in
/// all (the sizes its zip directory declares): a few megabytes of zip can
/// declare a gigabyte of text, which calamine would hold in memory.
pub const MAX_WORKBOOK_BYTES: u64 = 256 << 20;
pub const MAX_UNPACKED_BYTES: u64 = 512 << 20;
/// Excel's own limit on the characters of one cell.
pub const MAX_CELL_CHARS: usize = 32_767;

/// Refuses, before it is opened, a zip-based workbook (xlsx, xlsm, xlsb,
/// ods) whose parts declare more than [`MAX_UNPACKED_BYTES`].
fn check_unpacked_size(file: &str, bytes: &[u8]) -> Result<()> {
    let Ok(mut zip) = zip::ZipArchive::new(Cursor::new(bytes)) else {
        return Ok(()); // not a zip (xls), or a broken one: calamine says which
    };
    let mut total: u64 = 0;
    for i in 0..zip.len() {
        if let Ok(part) = zip.by_index_raw(i) {
            total = total.saturating_add(part.size());
        }
    }
    if total > MAX_UNPACKED_BYTES {
        return Err(Error::input(t!(
            "xlsx.too-large-unpacked",
            file,
            size = total >> 20,
            limit = MAX_UNPACKED_BYTES >> 20
        )));
    }
    Ok(())
}

/// Opens the workbook by its extension, else by trying each format.
fn open_workbook(file: &str, path: &Path, bytes: Vec<u8>) -> Result<Sheets<Cursor<Vec<u8>>>> {
    check_unpacked_size(file, &bytes)?;
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
/// non-empty row; [`to_csv_keys`] takes the header's row instead (found by
/// `input::header`), and the rows above it become empty lines too.
/// Errors name the cell (`名单!B7`); the caller adds the file's name.
pub fn to_csv(sheet: &Sheet) -> Result<String> {
    let leading = sheet
        .rows
        .iter()
        .take_while(|r| r.iter().all(String::is_empty))
        .count();
    to_csv_keys(sheet, leading, &[])
}

/// [`to_csv`] with the header in row `header` (0-based), and more key
/// columns (e.g. those named by `--id-column` and `--stratum-column`) in
/// which a line break is refused.
pub fn to_csv_keys(sheet: &Sheet, header: usize, key_columns: &[String]) -> Result<String> {
    let leading = header.min(sheet.rows.len());
    let header = sheet.rows.get(leading);
    let keys: Vec<bool> = header.map_or_else(Vec::new, |h| {
        h.iter()
            .map(|name| {
                ID.is(name)
                    || STRATUM.is(name)
                    || key_columns.iter().any(|k| header_is(name, &[k.as_str()]))
            })
            .collect()
    });
    if let Some(&(r, c)) = sheet
        .imprecise
        .iter()
        .find(|&&(r, c)| r > leading && keys.get(c).copied().unwrap_or(false))
    {
        return Err(Error::input(t!(
            "xlsx.imprecise-id",
            cell = cell_name(&sheet.name, r, c),
            value = sheet
                .rows
                .get(r)
                .and_then(|row| row.get(c))
                .map_or("", String::as_str),
            how = t!("roster.ids-as-text")
        )));
    }
    let mut w = csv::WriterBuilder::new()
        .flexible(true)
        .terminator(csv::Terminator::Any(b'\n'))
        .from_writer(Vec::new());
    for (r, row) in sheet.rows.iter().enumerate().skip(leading) {
        let mut fields: Vec<std::borrow::Cow<'_, str>> = Vec::with_capacity(row.len());
        for (c, cell) in row.iter().enumerate() {
            if !cell.contains(['\r', '\n']) {
                fields.push(cell.into());
            } else if r > leading && keys.get(c).copied().unwrap_or(false) {
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::input::text::Origin;
    use rust_xlsxwriter::{ExcelDateTime, Format, Workbook};

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
        let roster = crate::roster::canonical::parse(
            csv.as_bytes(),
            &Origin::file("roster.xlsx"),
            &crate::roster::canonical::RosterOptions::default(),
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
        // Row 5 is empty: skipped, and counted. Row 7 of the sheet repeats
        // the id of row 4: the roster says so.
        let e = crate::roster::canonical::parse(
            csv.as_bytes(),
            &Origin::file("offset.csv"),
            &Default::default(),
        )
        .unwrap_err()
        .to_string();
        assert!(
            e.contains("line 7: duplicate \"id\" \"A1\", already on line 4"),
            "{e}"
        );
        let mut renamed = s.clone();
        renamed.rows[6][1] = "A3".into();
        let roster = crate::roster::canonical::parse(
            to_csv(&renamed).unwrap().as_bytes(),
            &Origin::file("offset.csv"),
            &Default::default(),
        )
        .unwrap();
        assert_eq!((roster.accounts(), roster.empty_rows), (3, 1));
        // A row with an id but no region is refused; read as the workbook
        // it is, the message names the cell.
        let origin = Origin::sheet("offset.xlsx", &s.name, s.rows[2].clone());
        renamed.rows[4][1] = "A4".into();
        let e = crate::roster::canonical::parse(
            to_csv(&renamed).unwrap().as_bytes(),
            &origin,
            &Default::default(),
        )
        .unwrap_err()
        .to_string();
        assert!(
            e.starts_with("offset.xlsx: Sheet1!C5: field \"region\" is empty"),
            "{e}"
        );
        let mut fixed = s.clone();
        fixed.rows.remove(4);
        let e = crate::roster::canonical::parse(
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
        let e = crate::roster::canonical::parse(
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
            to_csv_keys(&bad, 2, &["name".to_string()])
                .unwrap_err()
                .to_string()
                .contains("Sheet1!D4")
        );
    }

    /// A workbook's parts rewritten: `edit` gets each part's name and bytes.
    fn rezip(path: &Path, edit: impl Fn(&str, Vec<u8>) -> Vec<u8>) {
        use std::io::{Read, Write};
        let bytes = std::fs::read(path).unwrap();
        let mut zip = zip::ZipArchive::new(Cursor::new(bytes)).unwrap();
        let mut out = zip::ZipWriter::new(Cursor::new(Vec::new()));
        for i in 0..zip.len() {
            let mut part = zip.by_index(i).unwrap();
            let name = part.name().unwrap().to_string();
            let mut data = Vec::new();
            part.read_to_end(&mut data).unwrap();
            let fast = zip::write::SimpleFileOptions::default().compression_level(Some(1));
            out.start_file(name.as_str(), fast).unwrap();
            out.write_all(&edit(&name, data)).unwrap();
        }
        std::fs::write(path, out.finish().unwrap().into_inner()).unwrap();
    }

    /// Hostile workbooks are refused by their size, before they fill memory.
    #[test]
    fn a_cell_longer_than_excel_allows_and_a_zip_that_unpacks_too_far_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("long.xlsx");
        let mut book = Workbook::new();
        let ws = book.add_worksheet();
        ws.write_string(0, 0, "id").unwrap();
        ws.write_string(1, 0, "x".repeat(100)).unwrap();
        book.save(&path).unwrap();
        assert!(read_sheet(&path, None).is_ok());
        let long = "y".repeat(MAX_CELL_CHARS + 1);
        rezip(&path, |name, data| {
            if name.ends_with("sharedStrings.xml") {
                let text = String::from_utf8(data).unwrap();
                text.replace(&"x".repeat(100), &long).into_bytes()
            } else {
                data
            }
        });
        let e = read_sheet(&path, None).unwrap_err().to_string();
        assert!(
            e.contains("cell Sheet1!A2 holds more than 32767 characters"),
            "{e}"
        );

        // A part of zeros compresses to next to nothing and declares its size.
        rezip(&path, |name, data| {
            if name.ends_with("sharedStrings.xml") {
                vec![b' '; (MAX_UNPACKED_BYTES + 1) as usize]
            } else {
                data
            }
        });
        // Far below the file-size limit: the declared sizes are what refuses it.
        assert!(std::fs::metadata(&path).unwrap().len() < 16 << 20);
        let e = read_sheet(&path, None).unwrap_err().to_string();
        assert!(e.contains("MiB, more than the 512 MiB"), "{e}");
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
