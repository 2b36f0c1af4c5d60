//! A user's table file as UTF-8 CSV text, whatever it came as: a CSV file
//! in UTF-8 or GB18030, or a sheet of a workbook converted to CSV.

use std::path::Path;

use crate::error::{Error, Result};
use crate::input::text::{Encoding, Origin, Utf8Text, decode};
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

/// Whether a path names a workbook that calamine reads.
pub fn is_workbook(path: &Path) -> bool {
    let ext = path
        .extension()
        .and_then(|e| e.to_str())
        .unwrap_or("")
        .to_ascii_lowercase();
    matches!(ext.as_str(), "xlsx" | "xlsm" | "xlsb" | "xls" | "ods")
}

/// Reads a CSV file or a sheet of a workbook as CSV text. `key_columns` are
/// headers the user named (for a workbook: cells that must hold no line break).
pub fn read_table(
    path: &Path,
    forced: Option<Encoding>,
    sheet: Option<&str>,
    key_columns: &[&str],
) -> Result<SourceText> {
    if !is_workbook(path) {
        if let Some(s) = sheet {
            return Err(Error::input(t!(
                "cmd.not-a-workbook",
                sheet = s,
                file = path.display()
            )));
        }
        return read_text(path, forced);
    }
    let sha256 = crate::base::digest::sha256_hex(&crate::base::fsio::read(path)?);
    let sheet = crate::input::workbook::read_sheet(path, sheet)?;
    let text = crate::input::workbook::to_csv_keys(&sheet, key_columns)
        .map_err(|e| Error::input(t!("text.whole-file", file = path.display(), message = e)))?;
    let header = sheet
        .rows
        .iter()
        .find(|r| r.iter().any(|c| !c.is_empty()))
        .cloned()
        .unwrap_or_default();
    Ok(SourceText {
        text: text.into(),
        encoding: format!("xlsx sheet {}", sheet.name),
        sha256: Some(sha256),
        bom: false,
        origin: Origin::sheet(path.display().to_string(), sheet.name, header),
    })
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
    })
}
