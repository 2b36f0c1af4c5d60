//! The log on disk: opened under an exclusive lock, checked in full, appended
//! to with whole lines and fsynced before any command reports success.

use std::fs::{File, OpenOptions};
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::time::SystemTime;

use crate::commit::sha256_hex;
use crate::error::{Error, Result};
use crate::fsio;
use crate::log::{GENESIS_PREV, LOG_FILE, LogLine, Record, parse_log, render_line};
use crate::round::{RoundOpened, RoundState};

/// The current time as the log writes it: RFC 3339, UTC, whole seconds.
pub fn now() -> String {
    humantime::format_rfc3339_seconds(SystemTime::now()).to_string()
}

/// A round's log, held under an exclusive lock until dropped.
pub struct LockedLog {
    file: File,
    path: PathBuf,
    pub lines: Vec<LogLine>,
    pub state: RoundState,
}

impl LockedLog {
    /// Opens the round in `dir`, waits for the lock, and checks the whole log.
    pub fn open(dir: &Path) -> Result<LockedLog> {
        let path = dir.join(LOG_FILE);
        let mut file = match OpenOptions::new().read(true).append(true).open(&path) {
            Ok(f) => f,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                return Err(Error::input(format!(
                    "{}: not a choucha round (no {LOG_FILE}); create one with `choucha init DIR --round ID --population NAME --rate RATE`, or name it with -C DIR",
                    dir.display()
                )));
            }
            Err(e) => return Err(Error::io(&path, e)),
        };
        file.lock().map_err(|e| Error::io(&path, e))?;
        let mut bytes = Vec::new();
        file.read_to_end(&mut bytes)
            .map_err(|e| Error::io(&path, e))?;
        let lines = parse_log(&bytes).map_err(|d| {
            Error::refused(format!(
                "{}: {d}; {}",
                path.display(),
                if d.torn_tail {
                    "the last append was interrupted; nothing more can be added until the torn line is set aside"
                } else {
                    "the log has been damaged or altered; nothing more can be added"
                }
            ))
        })?;
        let state = RoundState::from_log(&lines)
            .map_err(|e| Error::refused(format!("{}: {e}", path.display())))?;
        Ok(LockedLog {
            file,
            path,
            lines,
            state,
        })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Appends records as whole lines in one write, then fsyncs.
    pub fn append<R: Record>(&mut self, records: &[R]) -> Result<()> {
        let at = now();
        let mut buf = Vec::new();
        let mut prev = self.state.head.clone();
        let mut seq = self.state.len;
        for r in records {
            let line = render_line(seq, &prev, &at, r);
            prev = sha256_hex(line.as_bytes());
            buf.extend_from_slice(line.as_bytes());
            buf.push(b'\n');
            seq += 1;
        }
        self.file
            .write_all(&buf)
            .map_err(|e| Error::io(&self.path, e))?;
        self.file
            .sync_data()
            .map_err(|e| Error::io(&self.path, e))?;
        self.state.len = seq;
        self.state.head = prev;
        Ok(())
    }
}

/// Creates a new round's log holding only `opened`. Refuses an existing log.
pub fn create(dir: &Path, opened: &RoundOpened) -> Result<()> {
    let line = render_line(0, GENESIS_PREV, &now(), opened);
    let mut bytes = line.into_bytes();
    bytes.push(b'\n');
    let path = dir.join(LOG_FILE);
    fsio::write_new_atomic(&path, &bytes).map_err(|e| match e {
        Error::Refused(_) => Error::refused(format!(
            "{}: a round already exists here; choose another directory",
            dir.display()
        )),
        other => other,
    })
}
