//! One thin file per subcommand: read inputs, call the pure core, write outputs.

pub mod checkpoint;
pub mod demo;
pub mod draw;
pub mod init;
pub mod log;
pub mod record;
pub mod report;
pub mod roster;
pub mod seed;
pub mod sign;
pub mod status;
pub mod verify;

use std::path::Path;

use crate::error::{Error, Result};
use crate::text::{Encoding, decode};

/// A user's table file as CSV text (decoded, or converted from a workbook).
pub(crate) struct SourceText {
    pub text: String,
    /// How it was read: "utf-8", "gb18030", or "xlsx sheet NAME".
    pub encoding: String,
    /// SHA-256 of the file's bytes as given.
    pub sha256: String,
    /// The name for messages: the file, and the sheet of a workbook.
    pub name: String,
    /// For a workbook: the sheet's name and header, to name cells in messages.
    pub cells: Option<(String, Vec<String>)>,
}

impl SourceText {
    /// For a workbook, turns "line 17: field \"verdict\"" in a refusal into
    /// the cell people look for in Excel: 结果!C17.
    pub fn locate(&self, e: Error) -> Error {
        let (Some((sheet, header)), Error::Input(msg)) = (&self.cells, &e) else {
            return e;
        };
        let mut out = String::new();
        let mut rest = msg.as_str();
        while let Some(at) = rest.find("line ") {
            out.push_str(&rest[..at]);
            let after = &rest[at + 5..];
            let digits = after.bytes().take_while(u8::is_ascii_digit).count();
            let row: usize = after[..digits].parse().unwrap_or(0);
            let tail = &after[digits..];
            let field = tail
                .strip_prefix(": field \"")
                .and_then(|t| t.split_once('"'));
            match (row, field) {
                (r, Some((name, _))) if r > 0 => {
                    let col = header
                        .iter()
                        .position(|h| crate::text::normalize_field(h) == name);
                    match col {
                        Some(c) => out.push_str(&crate::xlsx::cell_name(sheet, r - 1, c)),
                        None => out.push_str(&format!("{sheet}!row {r}")),
                    }
                    rest = tail;
                }
                (r, _) if r > 0 => {
                    out.push_str(&format!("{sheet}!row {r}"));
                    rest = tail;
                }
                _ => {
                    out.push_str("line ");
                    rest = after;
                }
            }
        }
        out.push_str(rest);
        Error::Input(out)
    }
}

/// Whether a path names a workbook that calamine reads.
pub(crate) fn is_workbook(path: &Path) -> bool {
    let ext = path
        .extension()
        .and_then(|e| e.to_str())
        .unwrap_or("")
        .to_ascii_lowercase();
    matches!(ext.as_str(), "xlsx" | "xlsm" | "xlsb" | "xls" | "ods")
}

/// Reads a CSV file or a sheet of a workbook as CSV text. `key_columns` are
/// headers the user named (for a workbook: cells that must hold no line break).
pub(crate) fn read_table(
    path: &Path,
    forced: Option<Encoding>,
    sheet: Option<&str>,
    key_columns: &[&str],
) -> Result<SourceText> {
    if !is_workbook(path) {
        if let Some(s) = sheet {
            return Err(Error::input(format!(
                "--sheet {s}: {} is not a workbook (.xlsx, .xls, .ods)",
                path.display()
            )));
        }
        return read_text(path, forced);
    }
    let sha256 = crate::commit::sha256_hex(&crate::fsio::read(path)?);
    let sheet = crate::xlsx::read_sheet(path, sheet)?;
    let text = crate::xlsx::to_csv_keys(&sheet, key_columns)
        .map_err(|e| Error::input(format!("{}: {e}", path.display())))?;
    let header = sheet
        .rows
        .iter()
        .find(|r| r.iter().any(|c| !c.is_empty()))
        .cloned()
        .unwrap_or_default();
    Ok(SourceText {
        text,
        encoding: format!("xlsx sheet {}", sheet.name),
        sha256,
        name: path.display().to_string(),
        cells: Some((sheet.name.clone(), header)),
    })
}

/// Reads and decodes a user's text file (UTF-8 with or without BOM, or GB18030).
pub(crate) fn read_text(path: &Path, forced: Option<Encoding>) -> Result<SourceText> {
    let bytes = crate::fsio::read(path)?;
    let sha256 = crate::commit::sha256_hex(&bytes);
    let (text, encoding) =
        decode(bytes, forced).map_err(|e| Error::input(format!("{}: {e}", path.display())))?;
    Ok(SourceText {
        text,
        encoding: encoding.name().to_string(),
        sha256,
        name: path.display().to_string(),
        cells: None,
    })
}
