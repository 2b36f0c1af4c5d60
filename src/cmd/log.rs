//! `choucha log check` and `choucha log repair`.

use std::path::Path;

use crate::error::{Error, Result};
use crate::log::file::RepairOutcome;
use crate::t;

/// The chain only, quickly: line count, head, last record type; exit 1 at the
/// first bad line.
pub fn check(dir: &Path) -> Result<()> {
    let (path, checked) = crate::round::check_log(dir)?;
    match checked {
        Ok(summary) => {
            outln!("{}", t!("cmd.log.ok", lines = summary.lines));
            outln!("{}", t!("cmd.log.head", head = summary.head));
            let kind = if summary.lines == 0 {
                t!("cmd.log.none")
            } else {
                summary.last_kind
            };
            outln!("{}", t!("cmd.log.last", kind));
            Ok(())
        }
        Err(d) => Err(Error::Discrepancy(if d.torn_from.is_some() {
            t!("cmd.log.failed-torn", path = path.display(), defect = d)
        } else {
            t!("cmd.log.failed", path = path.display(), defect = d)
        })),
    }
}

pub fn repair(dir: &Path) -> Result<()> {
    match crate::round::repair_log(dir)? {
        RepairOutcome::Nothing { lines } => {
            outln!("{}", t!("cmd.log.nothing", lines))
        }
        RepairOutcome::Completed { line } => println!("{}", t!("cmd.log.completed", line)),
        RepairOutcome::Repaired { moved_to, record } => {
            outln!(
                "{}",
                t!(
                    "cmd.log.moved",
                    bytes = record.bytes,
                    line = record.from_line,
                    sha256 = record.sha256,
                    path = moved_to.display()
                )
            );
            outln!("{}", t!("cmd.log.appended"));
        }
    }
    Ok(())
}
