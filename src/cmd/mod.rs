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

/// A user's text file, decoded.
pub(crate) struct SourceText {
    pub text: String,
    pub encoding: Encoding,
    /// SHA-256 of the file's bytes as given.
    pub sha256: String,
}

/// Reads and decodes a user's text file (UTF-8 with or without BOM, or GB18030).
pub(crate) fn read_text(path: &Path, forced: Option<Encoding>) -> Result<SourceText> {
    let bytes = crate::fsio::read(path)?;
    let sha256 = crate::commit::sha256_hex(&bytes);
    let (text, encoding) =
        decode(bytes, forced).map_err(|e| Error::input(format!("{}: {e}", path.display())))?;
    Ok(SourceText {
        text,
        encoding,
        sha256,
    })
}
