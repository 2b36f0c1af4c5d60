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
    Ok(SourceText {
        text,
        encoding: format!("xlsx sheet {}", sheet.name),
        sha256,
        name: format!("{} (sheet {}; line N is row N)", path.display(), sheet.name),
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
    })
}
