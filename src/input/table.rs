//! A user's table file as UTF-8 CSV text, whatever it came as: a CSV file
//! in UTF-8 or GB18030, or a sheet of a workbook converted to CSV.

use std::path::Path;

use crate::error::{Error, Result};
use crate::input::header::{Found, HEADER_SEARCH_ROWS, Row, Wanted, find_header};
use crate::input::text::{Encoding, LineCounter, Origin, Utf8Text, decode};
use crate::input::workbook::Sheet;
use crate::t;

/// A user's table file as CSV text (decoded, or converted from a workbook).
pub struct SourceText {
    pub text: Utf8Text,
    /// How it was read: "utf-8", "gb18030", or "xlsx sheet NAME" (as recorded in the log).
    pub encoding: String,
    /// SHA-256 of the file's bytes as given; None when they are `text`
    /// itself (UTF-8 after `bom`), hashed by [`SourceText::source_sha256`].
    sha256: Option<String>,
    bom: bool,
    /// The file for messages, and for a workbook its sheet and header, so
    /// that a message names the cell people look for in Excel: 结果!C17.
    pub origin: Origin,
    /// Where the header was found.
    pub header: HeaderPlace,
    /// For a workbook read without `--sheet`: the sheet chosen, to be said.
    pub chosen_sheet: Option<String>,
}

impl SourceText {
    /// SHA-256 of the file as given (for UTF-8, computed from the text: a
    /// caller can run it beside the parse).
    /// A table handed over as text (an upload, a test): `name` is what
    /// messages call it.
    pub fn from_text(name: &str, text: String) -> SourceText {
        SourceText {
            text: text.into(),
            encoding: Encoding::Utf8.name().to_string(),
            sha256: None,
            bom: false,
            origin: Origin::file(name),
            header: HeaderPlace::default(),
            chosen_sheet: None,
        }
    }

    /// SHA-256 of `text`, given [`SourceText::source_sha256`]: the same
    /// digest when the text is the file's bytes as they are.
    pub fn text_sha256(&self, source_sha256: &str) -> String {
        if self.sha256.is_none() && !self.bom {
            source_sha256.to_string()
        } else {
            crate::base::digest::sha256_hex(self.text.as_bytes())
        }
    }

    pub fn source_sha256(&self) -> String {
        match &self.sha256 {
            Some(d) => d.clone(),
            None => {
                use sha2::Digest;
                let mut h = sha2::Sha256::new();
                if self.bom {
                    h.update(b"\xEF\xBB\xBF");
                }
                h.update(self.text.as_bytes());
                crate::base::digest::hex(&h.finalize())
            }
        }
    }
}

/// The limits of a table, the same for CSV as for a workbook, enforced
/// while it is read: a cell of at most Excel's 32,767 characters, a header
/// of at most Excel's 16,384 columns, at most 16,777,216 rows (sixteen
/// sheets' worth, far above any registry; a sheet holds 1,048,576).
pub use crate::input::workbook::MAX_CELL_CHARS;
pub const MAX_HEADER_COLUMNS: usize = 16_384;
pub const MAX_ROWS: u64 = 1 << 24;

/// Whether a field holds more than [`MAX_CELL_CHARS`] characters (counted
/// only for a field of more bytes than that).
pub fn cell_too_long(field: &[u8]) -> bool {
    field.len() > MAX_CELL_CHARS
        && std::str::from_utf8(field).map_or(true, |s| s.chars().count() > MAX_CELL_CHARS)
}

/// Whether a path names a workbook that calamine reads.
pub fn is_workbook(path: &Path) -> bool {
    let ext = path
        .extension()
        .and_then(|e| e.to_str())
        .unwrap_or("")
        .to_ascii_lowercase();
    matches!(ext.as_str(), "xlsx" | "xlsm" | "xlsb" | "xls" | "ods")
}

/// How to read a user's table: its encoding (CSV), its sheet (workbook),
/// its header row (`--header-row`, 1-based; else found), and the columns a
/// header must hold to be recognised.
#[derive(Debug, Clone, Default)]
pub struct TableOptions<'a> {
    pub encoding: Option<Encoding>,
    pub sheet: Option<&'a str>,
    pub header_row: Option<u64>,
    pub wanted: Wanted,
}

/// Where the header was found in a table.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct HeaderPlace {
    /// Its line (CSV) or row (sheet), 1-based.
    pub line: u64,
    /// Non-empty rows above it that were skipped (titles, export notes).
    pub skipped: usize,
}

/// Reads a CSV file or a sheet of a workbook as CSV text whose first
/// non-blank record is the header: rows above the header (see
/// [`crate::input::header::find_header`]) become empty lines, so that line N
/// of the text is still line (row) N of the file.
pub fn read_table(path: &Path, opts: &TableOptions<'_>) -> Result<SourceText> {
    if !is_workbook(path) {
        if let Some(s) = opts.sheet {
            return Err(Error::input(t!(
                "cmd.not-a-workbook",
                sheet = s,
                file = path.display()
            )));
        }
        let src = read_text(path, opts.encoding)?;
        return header_in_text(src, opts);
    }
    let file = path.display().to_string();
    let sha256 = crate::base::digest::sha256_hex(&crate::base::fsio::read(path)?);
    let find = |sheet: &Sheet| {
        let rows = first_rows_of_sheet(sheet, opts.header_row);
        find_header(&rows, &opts.wanted, opts.header_row)
    };
    let (sheet, chosen) = crate::input::workbook::read_sheet_where(
        path,
        opts.sheet,
        |s| matches!(find(s), Ok(Some(f)) if f.recognised),
        &opts.wanted.describe(),
    )?;
    let found = find(&sheet)
        .map_err(|message| Error::input(t!("text.whole-file", file, message)))?
        .unwrap_or(Found {
            index: 0,
            line: 1,
            skipped: 0,
            recognised: false,
        });
    let text = crate::input::workbook::to_csv_keys(&sheet, found.index, &opts.wanted.explicit)
        .map_err(|e| Error::input(t!("text.whole-file", file, message = e)))?;
    let header = sheet.rows.get(found.index).cloned().unwrap_or_default();
    Ok(SourceText {
        text: text.into(),
        encoding: format!("xlsx sheet {}", sheet.name),
        sha256: Some(sha256),
        bom: false,
        origin: Origin::sheet(file, sheet.name.clone(), header),
        header: HeaderPlace {
            line: found.line,
            skipped: found.skipped,
        },
        chosen_sheet: chosen.then_some(sheet.name),
    })
}

/// The first rows of a sheet, as many as the header search looks at.
fn first_rows_of_sheet(sheet: &Sheet, forced: Option<u64>) -> Vec<Row> {
    let mut rows = Vec::new();
    let mut non_empty = 0;
    for (i, cells) in sheet.rows.iter().enumerate() {
        let row = Row {
            line: i as u64 + 1,
            cells: cells.clone(),
        };
        non_empty += usize::from(!row.is_blank());
        rows.push(row);
        if non_empty >= HEADER_SEARCH_ROWS && forced.is_none_or(|f| f <= i as u64 + 1) {
            break;
        }
    }
    rows
}

/// The most records read to find a CSV file's header: rows of empty fields
/// before it are few in any real export.
const MAX_RECORDS_SEARCHED: usize = 10_000;

/// Finds the header of a CSV text and blanks the lines above it.
fn header_in_text(mut src: SourceText, opts: &TableOptions<'_>) -> Result<SourceText> {
    let text = src.text.as_str();
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes());
    let mut lines = LineCounter::new(text.as_bytes());
    let (mut rows, mut starts) = (Vec::new(), Vec::new());
    let mut non_empty = 0;
    for rec in reader.records().take(MAX_RECORDS_SEARCHED) {
        // Not CSV: the table's reader says where.
        let Ok(rec) = rec else { break };
        let start = rec.position().map_or(0, |p| p.byte() as usize);
        let row = Row {
            line: lines.line_at(start),
            cells: rec.iter().map(str::to_string).collect(),
        };
        non_empty += usize::from(!row.is_blank());
        let line = row.line;
        rows.push(row);
        starts.push(start);
        if non_empty >= HEADER_SEARCH_ROWS && opts.header_row.is_none_or(|f| f <= line) {
            break;
        }
    }
    let found = find_header(&rows, &opts.wanted, opts.header_row)
        .map_err(|message| Error::input(t!("text.whole-file", file = src.origin.file, message)))?;
    let Some(found) = found else {
        return Ok(src);
    };
    src.header = HeaderPlace {
        line: found.line,
        skipped: found.skipped,
    };
    if found.index > 0 {
        // The lines above become empty lines: line numbers stay the file's.
        let cut = starts[found.index];
        let newlines = memchr::memchr_iter(b'\n', &text.as_bytes()[..cut]).count();
        let mut blanked = "\n".repeat(newlines);
        blanked.push_str(&text[cut..]);
        src.sha256 = Some(src.source_sha256());
        src.bom = false;
        src.text = blanked.into();
    }
    Ok(src)
}

/// Reads and decodes a user's text file (UTF-8 with or without BOM, or GB18030).
pub fn read_text(path: &Path, forced: Option<Encoding>) -> Result<SourceText> {
    let bytes = crate::base::fsio::read_large(path)?;
    let bom = bytes.starts_with(b"\xEF\xBB\xBF");
    let (text, encoding, sha256) = decode(bytes, forced)
        .map_err(|e| Error::input(t!("text.whole-file", file = path.display(), message = e)))?;
    Ok(SourceText {
        text,
        encoding: encoding.name().to_string(),
        sha256,
        bom,
        origin: Origin::file(path.display().to_string()),
        header: HeaderPlace::default(),
        chosen_sheet: None,
    })
}
