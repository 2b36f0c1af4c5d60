//! `choucha log check`: the hash chain only, quickly.

use std::path::Path;

use crate::error::{Error, Result};
use crate::log::{LOG_FILE, parse_log};

pub fn check(dir: &Path) -> Result<()> {
    let path = dir.join(LOG_FILE);
    let bytes = crate::fsio::read(&path)?;
    match parse_log(&bytes) {
        Ok(lines) => {
            let last = lines.last();
            println!("ok: {} lines", lines.len());
            println!(
                "head: {}",
                last.map_or_else(
                    || crate::log::GENESIS_PREV.to_string(),
                    |l| crate::commit::hex(&l.hash)
                )
            );
            println!("last: {}", last.map_or("(none)", |l| l.kind.as_str()));
            Ok(())
        }
        Err(d) => Err(Error::Discrepancy(format!(
            "{}: FAILED at {d}",
            path.display()
        ))),
    }
}
