//! `choucha log check` and `choucha log repair`.

use std::path::Path;

use crate::error::{Error, Result};
use crate::logfile::{self, RepairOutcome};

/// The chain only, quickly: line count, head, last record type; exit 1 at the
/// first bad line.
pub fn check(dir: &Path) -> Result<()> {
    let (path, checked) = logfile::check_streaming(dir)?;
    match checked {
        Ok(summary) => {
            println!("ok: {} lines", summary.lines);
            println!("head: {}", summary.head);
            println!(
                "last: {}",
                if summary.lines == 0 {
                    "(none)"
                } else {
                    summary.last_kind.as_str()
                }
            );
            Ok(())
        }
        Err(d) => Err(Error::Discrepancy(format!(
            "{}: FAILED at {d}{}",
            path.display(),
            if d.torn_from.is_some() {
                "; this is a torn tail: run `choucha log repair` to set it aside"
            } else {
                ""
            }
        ))),
    }
}

pub fn repair(dir: &Path) -> Result<()> {
    match logfile::repair(dir)? {
        RepairOutcome::Nothing { lines } => {
            println!("nothing to repair: the log's {lines} lines all hold")
        }
        RepairOutcome::Repaired { moved_to, record } => {
            println!(
                "moved the torn tail ({} bytes from line {}, sha256 {}) to {}",
                record.bytes,
                record.from_line,
                record.sha256,
                moved_to.display()
            );
            println!("appended a repaired record; the log holds again");
        }
    }
    Ok(())
}
