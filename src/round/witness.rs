//! A witness: checks a log's new checkpoint against the last one it
//! cosigned for that log, and cosigns it only if the log only grew
//! (c2sp.org/tlog-cosignature). Its memory is a state directory holding,
//! per log, the last checkpoint it cosigned; no round directory is needed.

use std::path::{Path, PathBuf};

use crate::base::digest::sha256_hex;
use crate::base::fsio;
use crate::error::{Error, Result};
use crate::proof::checkpoint::Checkpoint;
use crate::proof::note::unverified_text;
use crate::proof::tlog::{ConsistencyProof, open_checkpoint};
use crate::proof::witness::{Refusal, Step, check_step, cosignature_line};
use crate::t;

/// What to cosign, and with what.
pub struct CosignRequest<'a> {
    /// The signed checkpoint as the log published it, and its file's name.
    pub note: &'a str,
    pub note_file: &'a str,
    /// The log's (the office's) key: the checkpoint must carry its signature.
    pub log_key: &'a ed25519_dalek::VerifyingKey,
    pub witness_key: &'a ed25519_dalek::SigningKey,
    pub witness_name: &'a str,
    pub state: &'a Path,
    /// From the size this witness last cosigned to the new checkpoint's.
    pub proof: Option<&'a ConsistencyProof>,
    /// Seconds since the epoch, for the cosignature.
    pub time: u64,
}

/// What the witness did.
pub struct Cosigned {
    /// The checkpoint with the witness's cosignature line added.
    pub note: String,
    pub checkpoint: Checkpoint,
    pub step: Step,
    /// The state file that now holds this checkpoint.
    pub state_file: PathBuf,
}

/// The state file for a log: named by the SHA-256 of its origin, which may
/// hold any character but LF.
fn state_file(state: &Path, origin: &str) -> PathBuf {
    state.join(format!("{}.checkpoint", sha256_hex(origin.as_bytes())))
}

/// Verifies the log's signature, checks the new checkpoint extends the last
/// one this witness cosigned for the log, records it as the last one, then
/// cosigns. A fork or a rollback is a discrepancy (exit 1); the state is
/// then left as it was. The state is written before the cosignature is
/// returned: a witness never cosigns what it would not remember.
pub fn cosign(req: &CosignRequest<'_>) -> Result<Cosigned> {
    let checkpoint = open_checkpoint(req.note, req.log_key).map_err(|e| {
        Error::Discrepancy(t!(
            "cmd.witness.not-signed",
            file = req.note_file,
            error = e
        ))
    })?;
    std::fs::create_dir_all(req.state).map_err(|e| Error::io(req.state, e))?;
    // One cosign at a time per state directory: two at once could each pass
    // the check against the same last checkpoint.
    let lock_path = req.state.join(".lock");
    let lock = std::fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&lock_path)
        .map_err(|e| Error::io(&lock_path, e))?;
    lock.lock().map_err(|e| Error::io(&lock_path, e))?;

    let file = state_file(req.state, &checkpoint.origin);
    crate::log::file::refuse_symlink(&file)?;
    let last = match std::fs::read(&file) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
        Err(e) => return Err(Error::io(&file, e)),
        Ok(bytes) => {
            let text = String::from_utf8_lossy(&bytes);
            let cp = unverified_text(&text)
                .and_then(Checkpoint::parse)
                .map_err(|e| {
                    Error::input(t!(
                        "cmd.witness.state-damaged",
                        file = file.display(),
                        error = e
                    ))
                })?;
            Some(cp)
        }
    };
    let step = check_step(last.as_ref(), &checkpoint, req.proof).map_err(|r| {
        let origin = &checkpoint.origin;
        match r {
            Refusal::RolledBack { seen, now } => {
                Error::Discrepancy(t!("cmd.witness.rolled-back", origin, seen, now))
            }
            Refusal::Forked { seen, now, why } => {
                Error::Discrepancy(t!("cmd.witness.forked", origin, seen, now, why))
            }
            Refusal::NeedsProof { seen, now } => {
                Error::input(t!("cmd.witness.needs-proof", origin, seen, now))
            }
            Refusal::ProofSizes {
                old,
                new,
                seen,
                now,
            } => Error::input(t!("cmd.witness.proof-sizes", old, new, seen, now)),
        }
    })?;
    // The body exactly as the log signed it (extension lines included).
    let body = unverified_text(req.note).map_err(Error::input)?;
    let line = cosignature_line(body, req.witness_name, req.witness_key, req.time)
        .map_err(Error::input)?;
    if step != Step::Same {
        fsio::write_atomic(&file, req.note.as_bytes())?;
    }
    let mut note = req.note.to_string();
    if !note.ends_with('\n') {
        note.push('\n');
    }
    note.push_str(&line);
    Ok(Cosigned {
        note,
        checkpoint,
        step,
        state_file: file,
    })
}
