//! One thin file per subcommand: read inputs, call the pure core, write outputs.

pub mod demo;
pub mod draw;
pub mod init;
pub mod log;
pub mod record;
pub mod report;
pub mod roster;
pub mod seed;
pub mod verify;

use std::path::Path;

use crate::error::{Error, Result};
use crate::text::{Encoding, decode};

/// Reads and decodes a user's text file (UTF-8 with or without BOM, or GB18030).
pub(crate) fn read_text(
    path: &Path,
    forced: Option<Encoding>,
) -> Result<(String, Encoding, Vec<u8>)> {
    let bytes = crate::fsio::read(path)?;
    let (text, enc) =
        decode(&bytes, forced).map_err(|e| Error::input(format!("{}: {e}", path.display())))?;
    Ok((text.into_owned(), enc, bytes))
}
