//! The one library API for a round: every step a front end can take
//! (`Round::create`, `open`, `commit_roster`, `reveal_seed`, `draw`, `record`,
//! `amend`, `report`, `publish`, `bound`, `checkpoint`, `prove`, `status`,
//! `verify`), and the users of `choucha serve` (`users`).
//! It owns the locking, the order of the steps and the state checks; it
//! prints nothing and returns data for the caller to render. Imports every
//! stage below it; only the front ends (`cmd`, a web server) import it.

mod bound;
mod bundle;
mod checkpoint;
mod create;
mod draw;
mod report;
mod results;
mod roster;
mod seed;
mod status;
mod users;
mod verify;
mod witness;

#[cfg(test)]
mod tests;

use std::path::{Path, PathBuf};

use crate::base::digest::sha256_hex;
use crate::base::fsio;
use crate::error::{Error, Result};
use crate::log::chain::{Log, Record};
use crate::log::file::LockedLog;
use crate::log::state::RoundState;
use crate::results::codes::Codebook;
use crate::sampling::manifest::{MANIFEST_FILE, Manifest};
use crate::t;

pub use bound::{bound_at, bound_of_table};
pub use bundle::{BUNDLE_NAMESPACE, BundleRequest, Bundled, SUMS_FILE};
pub use checkpoint::read_note;
pub use checkpoint::{CheckpointWritten, TreeSize};
pub use create::{AllocationChoice, Settings};
pub use draw::{Drawn, DrawnStratum};
pub use results::{Amended, Amendment, Batch, Recorded};
pub use roster::RosterCommitment;
pub use status::{Next, Status};
pub use users::{MIN_PASSWORD_CHARS, Role, USERS_FILE, User, Users, decoy_hash};
pub use verify::{Check, VerifyRequest, verify};
pub use witness::{CosignRequest, Cosigned, cosign};

/// A round directory opened for one step: its log read, checked and held
/// under an exclusive lock until the `Round` is dropped, so that no other
/// writer can interleave with the step.
///
/// The state is kept current after each step ([`Round::state`]); the log's
/// lines are read again only by a step that needs them all (a checkpoint,
/// a proof) after this `Round` appended to the log.
pub struct Round {
    dir: PathBuf,
    log: LockedLog,
    /// This `Round` appended since the log's lines were read.
    lines_stale: bool,
}

impl Round {
    /// Opens the round in `dir`, waits for the lock, and checks the whole log.
    pub fn open(dir: &Path) -> Result<Round> {
        Ok(Round {
            dir: dir.to_path_buf(),
            log: LockedLog::open(dir)?,
            lines_stale: false,
        })
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// What the log adds up to.
    pub fn state(&self) -> &RoundState {
        &self.log.state
    }

    /// The log's lines, every one of them (read again if this `Round` appended).
    fn lines(&mut self) -> Result<&Log> {
        if self.lines_stale {
            self.log.reload()?;
            self.lines_stale = false;
        }
        Ok(&self.log.log)
    }

    /// Appends one record; returns its 1-based line.
    fn append<R: Record>(&mut self, record: &R) -> Result<u64> {
        self.log.append(record)?;
        self.lines_stale = true;
        Ok(self.state().len)
    }

    fn state_mut(&mut self) -> &mut RoundState {
        &mut self.log.state
    }

    /// The reason codes this round accepts.
    pub fn codebook(&self) -> Codebook {
        self.log.state.opened.codebook()
    }

    /// The round's sample, from manifest.json as committed by `sample-drawn`.
    pub fn manifest(&self) -> Result<Manifest<'static>> {
        let drawn = self
            .state()
            .drawn
            .as_ref()
            .ok_or_else(|| Error::refused(t!("record.no-sample")))?;
        let path = self.dir.join(MANIFEST_FILE);
        let bytes = fsio::read(&path)?;
        let digest = sha256_hex(&bytes);
        if digest != drawn.manifest_sha256 {
            return Err(Error::refused(t!(
                "record.manifest-changed",
                file = path.display(),
                digest,
                recorded = drawn.manifest_sha256
            )));
        }
        serde_json::from_slice::<Manifest>(&bytes)
            .map(Manifest::into_owned)
            .map_err(|e| Error::refused(t!("text.whole-file", file = path.display(), message = e)))
    }

    /// No result or amendment after the report was published.
    fn refuse_if_closed(&self) -> Result<()> {
        if let Some(line) = self.state().published {
            return Err(Error::refused(t!("record.closed", line)));
        }
        Ok(())
    }
}

/// The files of a round's record, by name in its directory: what the log
/// commits to or what proves it. No output a user names may replace one.
pub const RECORD_FILES: &[&str] = &[
    crate::log::chain::LOG_FILE,
    crate::roster::ROSTER_FILE,
    crate::sampling::sample::COLUMNS_FILE,
    crate::sampling::sample::COLUMNS_INDEX_FILE,
    crate::sampling::plan::QUOTAS_FILE,
    MANIFEST_FILE,
    "manifest.json.sig",
    crate::sampling::sample::SAMPLE_FILE,
    crate::output::workbook::SAMPLE_XLSX,
    crate::output::workbook::TEMPLATE_XLSX,
];

/// The round file that `output` names, after symbolic links and `..`, if
/// it names one: a file of [`RECORD_FILES`], the users file (not of the
/// record, but the office's passwords), a checkpoint, or a side file of a
/// repair.
pub fn record_file_named(dir: &Path, output: &Path) -> Option<PathBuf> {
    let resolve = |p: &Path| -> Option<PathBuf> {
        if let Ok(c) = std::fs::canonicalize(p) {
            return Some(c);
        }
        // Not there yet: its directory, resolved, and its name.
        let parent = match p.parent() {
            Some(d) if !d.as_os_str().is_empty() => d,
            _ => Path::new("."),
        };
        Some(std::fs::canonicalize(parent).ok()?.join(p.file_name()?))
    };
    let round = std::fs::canonicalize(dir).ok()?;
    let target = resolve(output)?;
    let rel = target.strip_prefix(&round).ok()?;
    let mut parts = rel.components().map(|c| c.as_os_str().to_string_lossy());
    let first = parts.next()?;
    let second = parts.next();
    let named = match (first.as_ref(), second) {
        (name, None) => {
            RECORD_FILES.contains(&name)
                || name == USERS_FILE
                || name.starts_with(&format!("{}.torn-", crate::log::chain::LOG_FILE))
        }
        (dir, Some(_)) => dir == crate::proof::tlog::CHECKPOINT_DIR,
    };
    named.then_some(target)
}

/// The record file of whichever round `output` lies in (it or its
/// directory's parent holding a log), after links and `..`: for outputs
/// named outside any `-C` round, such as a cosigned checkpoint.
pub fn record_file_of_any_round(output: &Path) -> Option<PathBuf> {
    let target = std::fs::canonicalize(output).ok().or_else(|| {
        let parent = match output.parent() {
            Some(d) if !d.as_os_str().is_empty() => d,
            _ => Path::new("."),
        };
        Some(
            std::fs::canonicalize(parent)
                .ok()?
                .join(output.file_name()?),
        )
    })?;
    target
        .ancestors()
        .skip(1)
        .take(2)
        .filter(|d| d.join(crate::log::chain::LOG_FILE).is_file())
        .find_map(|d| record_file_named(d, &target))
}

/// The log's chain checked under a shared lock, streamed (`log check`): a
/// defect is not an error here but the answer, for the caller to render.
pub fn check_log(
    dir: &Path,
) -> Result<(
    PathBuf,
    std::result::Result<crate::log::chain::Summary, crate::log::chain::Defect>,
)> {
    crate::log::file::check_streaming(dir)
}

/// Mends a torn tail (`log repair`): the torn bytes go to a side file and a
/// `repaired` record says so; a complete line is never removed.
pub fn repair_log(dir: &Path) -> Result<crate::log::file::RepairOutcome> {
    crate::log::file::repair(dir)
}

/// The reason codes of the round in `dir`, or the built-in set when `dir`
/// holds no round.
pub fn codebook_at(dir: &Path) -> Codebook {
    match Round::open(dir) {
        Ok(round) => round.codebook(),
        Err(_) => Codebook::new(&[], ""),
    }
}
