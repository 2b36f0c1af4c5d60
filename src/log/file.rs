//! The log on disk: opened under a lock, checked in full, appended to with
//! whole lines and fsynced before any command reports success.

use std::fs::{File, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::SystemTime;

use crate::base::digest::sha256_hex;
use crate::base::fsio;
use crate::error::{Error, Result};
use crate::log::chain::{
    Batch, Defect, GENESIS_PREV, LOG_FILE, Log, Record, parse_log, render_line,
};
use crate::log::records::{Repaired, RoundOpened};
use crate::log::state::RoundState;
use crate::t;

/// The current time as the log writes it: RFC 3339, UTC, whole seconds.
pub fn now() -> String {
    humantime::format_rfc3339_seconds(SystemTime::now()).to_string()
}

/// Refuses a round file that is a symbolic link: a round's files are read
/// and written where they are, never followed outside the round directory.
pub fn refuse_symlink(path: &Path) -> Result<()> {
    match std::fs::symlink_metadata(path) {
        Ok(m) if m.file_type().is_symlink() => {
            Err(Error::input(t!("logfile.symlink", path = path.display())))
        }
        _ => Ok(()),
    }
}

fn open_file(dir: &Path, write: bool) -> Result<(File, PathBuf)> {
    let path = dir.join(LOG_FILE);
    refuse_symlink(&path)?;
    match OpenOptions::new().read(true).append(write).open(&path) {
        Ok(f) => Ok((f, path)),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Err(Error::input(t!(
            "logfile.not-a-round",
            dir = dir.display(),
            file = LOG_FILE
        ))),
        Err(e) => Err(Error::io(&path, e)),
    }
}

fn read_all(file: &mut File, path: &Path) -> Result<fsio::Bytes> {
    fsio::read_open(file).map_err(|e| Error::io(path, e))
}

/// Reads and checks the log under a shared lock (waits for a writer to finish).
pub fn read_checked(dir: &Path) -> Result<(PathBuf, std::result::Result<Log, Defect>)> {
    let (mut file, path) = open_file(dir, false)?;
    file.lock_shared().map_err(|e| Error::io(&path, e))?;
    let bytes = read_all(&mut file, &path)?;
    Ok((path, parse_log(bytes)))
}

/// Reads and checks the log under a shared lock, a few megabytes at a
/// time, decoding its results and amendments as it goes; the log keeps the
/// bytes of its other lines only ([`crate::log::chain::parse_log_streamed`]).
pub fn read_streamed(
    dir: &Path,
) -> Result<std::result::Result<(Log, crate::log::state::ResultViews), Defect>> {
    let (file, path) = open_file(dir, false)?;
    file.lock_shared().map_err(|e| Error::io(&path, e))?;
    let read = crate::log::chain::parse_log_streamed::<crate::log::state::ResultPart>(
        &file,
        crate::log::chain::STREAM_CHUNK,
    )
    .map_err(|e| Error::io(&path, e))?;
    Ok(read.map(|(log, parts)| (log, crate::log::state::ResultViews::new(parts))))
}

/// Checks the log under a shared lock without holding it all in memory.
pub fn check_streaming(
    dir: &Path,
) -> Result<(
    PathBuf,
    std::result::Result<crate::log::chain::Summary, Defect>,
)> {
    let (file, path) = open_file(dir, false)?;
    file.lock_shared().map_err(|e| Error::io(&path, e))?;
    let summary = crate::log::chain::check_stream(&file).map_err(|e| Error::io(&path, e))?;
    Ok((path, summary))
}

fn defect_error(path: &Path, d: &Defect) -> Error {
    let advice = if d.torn_from.is_some() {
        t!("logfile.torn-advice")
    } else {
        t!("logfile.damaged-advice")
    };
    Error::refused(t!(
        "logfile.refused",
        path = path.display(),
        defect = d,
        advice
    ))
}

/// A round's log, held under an exclusive lock until dropped.
pub struct LockedLog {
    file: File,
    path: PathBuf,
    pub log: Log,
    pub state: RoundState,
}

impl LockedLog {
    /// Opens the round in `dir`, waits for the lock, and checks the whole log.
    pub fn open(dir: &Path) -> Result<LockedLog> {
        let (mut file, path) = open_file(dir, true)?;
        file.lock().map_err(|e| Error::io(&path, e))?;
        let bytes = read_all(&mut file, &path)?;
        let log = parse_log(bytes).map_err(|d| defect_error(&path, &d))?;
        let state = RoundState::from_log(&log)
            .map_err(|e| Error::refused(t!("logfile.in-log", path = path.display(), error = e)))?;
        Ok(LockedLog {
            file,
            path,
            log,
            state,
        })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Reads and checks the log again through the lock it holds: the lines
    /// and state as they are after this process's own appends.
    pub fn reload(&mut self) -> Result<()> {
        use std::io::Seek;
        self.file
            .seek(std::io::SeekFrom::Start(0))
            .map_err(|e| Error::io(&self.path, e))?;
        let bytes = read_all(&mut self.file, &self.path)?;
        self.log = parse_log(bytes).map_err(|d| defect_error(&self.path, &d))?;
        self.state = RoundState::from_log(&self.log).map_err(|e| {
            Error::refused(t!("logfile.in-log", path = self.path.display(), error = e))
        })?;
        Ok(())
    }

    /// Appends one record as a line, then fsyncs.
    pub fn append<R: Record>(&mut self, record: &R) -> Result<()> {
        self.append_batch(std::slice::from_ref(record), "", "")
    }

    /// Appends records in one write, then fsyncs. More than one record is
    /// framed by a `batch` line, so that a cut-off batch is recognised.
    pub fn append_batch<R: Record>(
        &mut self,
        records: &[R],
        source: &str,
        source_sha256: &str,
    ) -> Result<()> {
        self.append_batch_of_two::<R, R>(records, &[], source, source_sha256)
    }

    /// [`LockedLog::append_batch`] of records of two types, `first` then
    /// `then`, in one write (a resubmitted sheet: its new results and the
    /// amendments of those it changed, recorded together or not at all).
    pub fn append_batch_of_two<A: Record, B: Record>(
        &mut self,
        first: &[A],
        then: &[B],
        source: &str,
        source_sha256: &str,
    ) -> Result<()> {
        let count = first.len() + then.len();
        if count == 0 {
            return Ok(());
        }
        let mut lines = Lines {
            buf: Vec::new(),
            prev: self.state.head.clone(),
            seq: self.state.len,
            at: now(),
        };
        if count > 1 {
            lines.push(&Batch {
                lines: count as u64,
                source: source.into(),
                source_sha256: source_sha256.into(),
            });
        }
        for r in first {
            lines.push(r);
        }
        for r in then {
            lines.push(r);
        }
        let Lines { buf, prev, seq, .. } = lines;
        append_whole(&mut self.file, &self.path, &buf)?;
        self.state.len = seq;
        self.state.head = prev;
        Ok(())
    }
}

/// Lines rendered for one append, chained onto the log's head.
struct Lines {
    buf: Vec<u8>,
    prev: String,
    seq: u64,
    at: String,
}

impl Lines {
    fn push<R: Record>(&mut self, record: &R) {
        let line = render_line(self.seq, &self.prev, &self.at, record);
        self.prev = sha256_hex(&line);
        self.buf.extend_from_slice(&line);
        self.buf.push(b'\n');
        self.seq += 1;
    }
}

/// What an append needs of the log file. A trait so that the unit tests can
/// put a failing disk (ENOSPC, EIO, a failing truncate) under the very code
/// that runs on a real one.
trait AppendTarget {
    fn len(&self) -> std::io::Result<u64>;
    fn write_all(&mut self, buf: &[u8]) -> std::io::Result<()>;
    fn sync(&mut self) -> std::io::Result<()>;
    fn cut_to(&mut self, len: u64) -> std::io::Result<()>;
}

impl AppendTarget for File {
    fn len(&self) -> std::io::Result<u64> {
        Ok(self.metadata()?.len())
    }
    fn write_all(&mut self, buf: &[u8]) -> std::io::Result<()> {
        Write::write_all(self, buf)
    }
    fn sync(&mut self) -> std::io::Result<()> {
        self.sync_data()
    }
    fn cut_to(&mut self, len: u64) -> std::io::Result<()> {
        self.set_len(len)
    }
}

/// Appends whole lines and fsyncs them. When the write or the fsync fails
/// (a full disk, a file size limit, an I/O error), the log is cut back to
/// the length it had before and fsynced, so that a failing disk leaves no
/// torn tail: the error is returned with the log as it was.
fn append_whole(file: &mut impl AppendTarget, path: &Path, buf: &[u8]) -> Result<()> {
    let old_len = file.len().map_err(|e| Error::io(path, e))?;
    let written = write_chunked(file, buf).and_then(|()| file.sync());
    if let Err(e) = written {
        let restored = file.cut_to(old_len).and_then(|()| file.sync());
        return Err(match restored {
            Ok(()) => Error::io(path, e),
            Err(e2) => Error::io(
                path,
                std::io::Error::new(
                    e.kind(),
                    t!("logfile.not-cut-back", error = e, restore_error = e2),
                ),
            ),
        });
    }
    Ok(())
}

/// The chunk size of `CHOUCHA_TEST_SLOW_APPEND=BYTES`: read in debug builds
/// only (the tests'), never in a release build.
#[cfg(debug_assertions)]
fn slow_append_chunk() -> Option<usize> {
    std::env::var("CHOUCHA_TEST_SLOW_APPEND")
        .ok()
        .and_then(|v| v.parse::<usize>().ok())
}

#[cfg(not(debug_assertions))]
fn slow_append_chunk() -> Option<usize> {
    None
}

/// Writes the whole buffer. `CHOUCHA_TEST_SLOW_APPEND=BYTES` (for the crash
/// tests only, in debug builds) writes in chunks of that size with a pause
/// between them, so that a kill lands inside the write often enough to be
/// tested.
fn write_chunked(file: &mut impl AppendTarget, buf: &[u8]) -> std::io::Result<()> {
    match slow_append_chunk() {
        Some(n) if n > 0 => {
            for part in buf.chunks(n) {
                file.write_all(part)?;
                std::thread::sleep(std::time::Duration::from_micros(200));
            }
            Ok(())
        }
        _ => file.write_all(buf),
    }
}

/// Creates a new round's log holding only `opened`. Refuses an existing log.
pub fn create(dir: &Path, opened: &RoundOpened) -> Result<()> {
    let mut bytes = render_line(0, GENESIS_PREV, &now(), opened);
    bytes.push(b'\n');
    let path = dir.join(LOG_FILE);
    fsio::write_new_atomic(&path, &bytes).map_err(|e| match e {
        Error::Refused(_) => Error::refused(t!("logfile.round-exists", dir = dir.display())),
        other => other,
    })
}

/// What `log repair` did.
pub enum RepairOutcome {
    Nothing {
        lines: u64,
    },
    /// The last line was a complete record that lacked only its LF: the LF
    /// was added. `line` is its 1-based number.
    Completed {
        line: u64,
    },
    Repaired {
        moved_to: PathBuf,
        record: Repaired,
    },
}

/// Mends a torn tail. A last line that is a complete record (it parses,
/// chains and ends any batch it is in) lacking only its LF is completed:
/// the LF is appended. Otherwise the torn bytes go to a side file
/// `log.jsonl.torn-<UTC time>-<byte offset>` (written and fsynced first;
/// `-2`, `-3`, … added if that name exists), the log is cut back to its
/// last complete append, and a `repaired` record says what was moved.
/// Refuses any other damage, and a torn part that would take line 1 (the
/// round-opened line): complete records are never removed, and no log is
/// left empty.
pub fn repair(dir: &Path) -> Result<RepairOutcome> {
    let (mut file, path) = open_file(dir, true)?;
    file.lock().map_err(|e| Error::io(&path, e))?;
    let bytes = read_all(&mut file, &path)?;
    let defect = match parse_log(bytes.clone()) {
        Ok(log) => {
            return Ok(RepairOutcome::Nothing {
                lines: log.lines.len() as u64,
            });
        }
        Err(d) => d,
    };
    let Some(from) = defect.torn_from else {
        return Err(Error::refused(t!(
            "logfile.not-torn",
            path = path.display(),
            defect
        )));
    };
    if !bytes.ends_with(b"\n") {
        let mut with_lf = bytes.to_vec();
        with_lf.push(b'\n');
        if let Ok(log) = parse_log(with_lf) {
            append_whole(&mut file, &path, b"\n")?;
            return Ok(RepairOutcome::Completed {
                line: log.lines.len() as u64,
            });
        }
    }
    if from == 0 {
        return Err(Error::refused(t!(
            "logfile.torn-first-line",
            path = path.display(),
            defect
        )));
    }
    let torn = &bytes[from..];
    let side = write_side_file(dir, from, torn)?;
    file.set_len(from as u64).map_err(|e| Error::io(&path, e))?;
    file.sync_data().map_err(|e| Error::io(&path, e))?;
    let log = parse_log(bytes[..from].to_vec()).map_err(|d| defect_error(&path, &d))?;
    let state = RoundState::from_log(&log)
        .map_err(|e| Error::refused(t!("logfile.in-log", path = path.display(), error = e)))?;
    let from_line = log.lines.len() as u64 + 1;
    let mut locked = LockedLog {
        file,
        path,
        log,
        state,
    };
    let record = Repaired {
        moved_to: side
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default(),
        bytes: torn.len() as u64,
        sha256: sha256_hex(torn),
        from_line,
    };
    locked.append(&record)?;
    Ok(RepairOutcome::Repaired {
        moved_to: side,
        record,
    })
}

/// Writes the torn bytes cut at byte `from` to a new side file, never over
/// an existing one: `log.jsonl.torn-<UTC time>-<from>`, then with `-2`,
/// `-3`, … added.
fn write_side_file(dir: &Path, from: usize, torn: &[u8]) -> Result<PathBuf> {
    let stamp = humantime::format_rfc3339_seconds(SystemTime::now())
        .to_string()
        .replace(':', "");
    let base = format!("{LOG_FILE}.torn-{stamp}-{from}");
    let mut last = None;
    for n in 1..=100u32 {
        let name = if n == 1 {
            base.clone()
        } else {
            format!("{base}-{n}")
        };
        let side = dir.join(name);
        if std::fs::symlink_metadata(&side).is_ok() {
            continue;
        }
        match fsio::write_new_atomic(&side, torn) {
            Ok(()) => return Ok(side),
            Err(Error::Refused(m)) => last = Some(Error::Refused(m)),
            Err(e) => return Err(e),
        }
    }
    Err(last.unwrap_or_else(|| Error::refused(t!("fsio.exists", path = dir.join(base).display()))))
}

#[cfg(test)]
mod tests {
    use crate::i18n::{Lang, template};

    /// The advice names the same commands and files in either language: a
    /// user copies them as they stand.
    #[test]
    fn advice_keeps_commands_untranslated() {
        for (key, words) in [
            ("logfile.torn-advice", &["`choucha log repair`"][..]),
            ("logfile.damaged-advice", &["`choucha log check`"]),
            (
                "logfile.not-a-round",
                &["{file}", "`choucha init DIR", "-C DIR"],
            ),
            ("cmd.log.failed-torn", &["`choucha log repair`"]),
        ] {
            for lang in [Lang::En, Lang::Zh] {
                let text = template(lang, key).unwrap_or_else(|| panic!("{key} missing"));
                for w in words {
                    assert!(text.contains(w), "{lang:?} {key}: {text}");
                }
            }
        }
    }

    /// A disk that fills up after `room` bytes, and whose fsync or truncate
    /// can be made to fail: ENOSPC and EIO, which a test cannot ask of a
    /// real file system without privileges.
    struct FailingDisk {
        data: Vec<u8>,
        room: usize,
        sync_fails: bool,
        cut_fails: bool,
    }

    impl super::AppendTarget for FailingDisk {
        fn len(&self) -> std::io::Result<u64> {
            Ok(self.data.len() as u64)
        }
        fn write_all(&mut self, buf: &[u8]) -> std::io::Result<()> {
            // As a real write_all does on a full disk: what fits is written.
            let fits = self.room.saturating_sub(self.data.len()).min(buf.len());
            self.data.extend_from_slice(&buf[..fits]);
            if fits < buf.len() {
                return Err(std::io::Error::from(std::io::ErrorKind::StorageFull));
            }
            Ok(())
        }
        fn sync(&mut self) -> std::io::Result<()> {
            if self.sync_fails {
                self.sync_fails = false; // the disk recovers for the cut-back's fsync
                return Err(std::io::Error::other("EIO: input/output error"));
            }
            Ok(())
        }
        fn cut_to(&mut self, len: u64) -> std::io::Result<()> {
            if self.cut_fails {
                return Err(std::io::Error::other("EIO while truncating"));
            }
            self.data.truncate(len as usize);
            Ok(())
        }
    }

    fn disk(room: usize) -> FailingDisk {
        FailingDisk {
            data: b"line 0\n".to_vec(),
            room,
            sync_fails: false,
            cut_fails: false,
        }
    }

    const BATCH: &[u8] = b"line 1\nline 2\nline 3\n";

    #[test]
    fn a_full_disk_at_any_byte_of_a_batch_leaves_the_log_as_it_was() {
        let path = std::path::Path::new("round/log.jsonl");
        for room in 7..7 + BATCH.len() {
            let mut d = disk(room);
            let e = super::append_whole(&mut d, path, BATCH).unwrap_err();
            assert_eq!(
                d.data, b"line 0\n",
                "room {room}: the batch is all or nothing"
            );
            let msg = e.to_string();
            assert!(msg.contains("round/log.jsonl"), "{msg}");
            assert_eq!(e.exit_code(), 2, "{msg}");
        }
        let mut d = disk(7 + BATCH.len());
        super::append_whole(&mut d, path, BATCH).unwrap();
        assert_eq!(d.data.len(), 7 + BATCH.len());
    }

    #[test]
    fn an_fsync_that_fails_cuts_the_whole_append_back() {
        let mut d = disk(usize::MAX);
        d.sync_fails = true;
        let e = super::append_whole(&mut d, std::path::Path::new("log.jsonl"), BATCH).unwrap_err();
        assert_eq!(d.data, b"line 0\n");
        assert!(e.to_string().contains("EIO"), "{e}");
    }

    #[test]
    fn a_cut_back_that_fails_too_says_both_and_where_to_look() {
        let mut d = disk(10);
        d.cut_fails = true;
        let e = super::append_whole(&mut d, std::path::Path::new("log.jsonl"), BATCH).unwrap_err();
        let msg = e.to_string();
        assert!(msg.contains("EIO while truncating"), "{msg}");
        assert!(msg.contains("`choucha log check`"), "{msg}");
    }
}
