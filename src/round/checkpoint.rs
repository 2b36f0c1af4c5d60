//! Checkpoints (signed C2SP notes over the log's Merkle root) and inclusion
//! proofs of one account's result.

use std::path::{Path, PathBuf};

use crate::base::fsio;
use crate::error::{Error, Result};
use crate::log::records::Checkpointed;
use crate::proof::checkpoint::Checkpoint;
use crate::proof::tlog::{
    CHECKPOINT_DIR, ConsistencyProof, Proof, b64, check_against, leaf_hashes, open_checkpoint,
    prove, prove_consistency,
};
use crate::proof::{keys, merkle};
use crate::t;

/// What `checkpoint` signed and wrote.
pub struct CheckpointWritten {
    /// The signed note, as written to `file` (to publish with the notice).
    pub note: String,
    pub file: PathBuf,
    /// Lines of the log it covers.
    pub size: u64,
}

/// The round's checkpoint files, smallest size first. Refuses one that is
/// a symbolic link (exit 2).
pub(super) fn checkpoint_files(dir: &Path) -> Result<Vec<(u64, PathBuf)>> {
    let cdir = dir.join(CHECKPOINT_DIR);
    crate::log::file::refuse_symlink(&cdir)?;
    let mut out = Vec::new();
    let Ok(entries) = std::fs::read_dir(&cdir) else {
        return Ok(out);
    };
    for e in entries {
        let p = e.map_err(|e| Error::io(&cdir, e))?.path();
        if let Some(n) = p
            .file_name()
            .and_then(|n| n.to_str())
            .and_then(|n| n.parse::<u64>().ok())
        {
            // A symbolic link is refused, not followed out of the round.
            crate::log::file::refuse_symlink(&p)?;
            out.push((n, p));
        }
    }
    out.sort();
    Ok(out)
}

/// A checkpoint file's text.
pub fn read_note(path: &Path) -> Result<String> {
    String::from_utf8(fsio::read(path)?)
        .map_err(|_| Error::input(t!("cmd.checkpoint.not-utf8", path = path.display())))
}

/// A checkpoint's body, its signature not checked: an earlier checkpoint
/// signed by another key is still compared, and `prove` leaves checking the
/// signature to `verify-proof`.
pub(super) fn parse_unsigned(note: &str) -> Result<Checkpoint> {
    crate::proof::note::unverified_text(note)
        .and_then(Checkpoint::parse)
        .map_err(Error::input)
}

/// A size of the log's tree as a user names it: a number of lines, or a
/// checkpoint file (its size, once the log is shown to match it).
#[derive(Debug, Clone)]
pub enum TreeSize {
    Lines(u64),
    Checkpoint(PathBuf),
}

impl TreeSize {
    /// A number is a size; anything else names a checkpoint file.
    pub fn parse(s: &str) -> TreeSize {
        match s.parse::<u64>() {
            Ok(n) => TreeSize::Lines(n),
            Err(_) => TreeSize::Checkpoint(PathBuf::from(s)),
        }
    }
}

impl super::Round {
    /// The consistency proof from the tree of `from` lines to that of `to`
    /// (else the round's latest checkpoint, else the whole log). A
    /// checkpoint file named is first held against the log: a proof from a
    /// checkpoint the log contradicts would prove nothing.
    pub fn prove_consistency(
        &mut self,
        from: &TreeSize,
        to: Option<&TreeSize>,
    ) -> Result<ConsistencyProof> {
        let dir = self.dir.clone();
        let log = self.lines()?;
        let lines = log.lines.len() as u64;
        let size_of = |t: &TreeSize| -> Result<u64> {
            match t {
                TreeSize::Lines(n) => Ok(*n),
                TreeSize::Checkpoint(path) => {
                    let cp = parse_unsigned(&read_note(path)?)?;
                    check_against(log, &cp).map_err(|e| {
                        Error::Discrepancy(t!(
                            "cmd.checkpoint.in-file",
                            path = path.display(),
                            error = e
                        ))
                    })?;
                    Ok(cp.size)
                }
            }
        };
        let old = size_of(from)?;
        let new = match to {
            Some(t) => size_of(t)?,
            None => match checkpoint_files(&dir)?.pop() {
                Some((n, _)) => n.min(lines),
                None => lines,
            },
        };
        if old > new || new > lines {
            return Err(Error::input(t!(
                "cmd.checkpoint.consistency-sizes",
                old,
                new,
                lines
            )));
        }
        Ok(prove_consistency(log, old, new))
    }

    /// Signs a checkpoint of the whole log with `key` (origin: `choucha/ROUND`
    /// unless given), writes it to `checkpoints/SIZE` and records it. Refused
    /// when the log contradicts an earlier checkpoint.
    pub fn checkpoint(
        &mut self,
        key: &ssh_key::PrivateKey,
        origin: Option<&str>,
    ) -> Result<CheckpointWritten> {
        let signing = keys::ed25519_signing(key)?;
        let origin = origin.map_or_else(
            || format!("choucha/{}", self.state().opened.round),
            str::to_string,
        );
        if origin.is_empty() || origin.contains('\n') || origin.chars().any(char::is_control) {
            return Err(Error::input(t!("cmd.checkpoint.bad-origin")));
        }
        let dir = self.dir.clone();
        let log = self.lines()?;
        let size = log.lines.len() as u64;
        let cp = Checkpoint {
            origin: origin.clone(),
            size,
            root: merkle::root(&leaf_hashes(log, size as usize)),
            extensions: Vec::new(),
        };
        // Never sign a view of the log that contradicts an earlier checkpoint.
        for (_, path) in checkpoint_files(&dir)? {
            let earlier = open_checkpoint(&read_note(&path)?, signing.as_ref())
                .or_else(|_| read_note(&path).and_then(|n| parse_unsigned(&n)))?;
            if let Err(e) = check_against(log, &earlier) {
                return Err(Error::refused(t!(
                    "cmd.checkpoint.contradicts",
                    path = path.display(),
                    error = e
                )));
            }
        }
        let note =
            crate::proof::note::sign(&cp.to_text(), &origin, &signing).map_err(Error::input)?;
        let cdir = self.dir.join(CHECKPOINT_DIR);
        if !cdir.exists() {
            std::fs::create_dir(&cdir).map_err(|e| Error::io(&cdir, e))?;
            fsio::sync_dir(&self.dir)?;
        }
        let file = cdir.join(size.to_string());
        // A signed checkpoint is never replaced: the log only grows, so a size
        // seen twice means it was cut back. One exception: the very note this
        // step signs (Ed25519 is deterministic), left by a checkpoint killed
        // before its record was appended — that orphan is this checkpoint.
        let orphan_of_this = std::fs::read(&file).is_ok_and(|b| b == note.as_bytes());
        if !orphan_of_this {
            fsio::write_new_atomic(&file, note.as_bytes())?;
        }
        self.append(&Checkpointed {
            origin,
            size,
            root: b64(&cp.root),
            signer: keys::fingerprint(key.public_key()),
            file: format!("{CHECKPOINT_DIR}/{size}"),
        })?;
        Ok(CheckpointWritten { note, file, size })
    }

    /// The inclusion proof of account `id`'s result in the checkpoint at
    /// `checkpoint` (else the round's latest). A log that disagrees with the
    /// checkpoint is a discrepancy.
    pub fn prove(&mut self, id: &str, checkpoint: Option<&Path>) -> Result<Proof> {
        let cp_path = match checkpoint {
            Some(p) => p.to_path_buf(),
            None => checkpoint_files(&self.dir)?
                .pop()
                .map(|(_, p)| p)
                .ok_or_else(|| Error::refused(t!("cmd.checkpoint.none-yet")))?,
        };
        let cp = parse_unsigned(&read_note(&cp_path)?)?;
        check_against(self.lines()?, &cp).map_err(|e| {
            Error::Discrepancy(t!(
                "cmd.checkpoint.in-file",
                path = cp_path.display(),
                error = e
            ))
        })?;
        let id = crate::input::text::normalize_field(id);
        let Some(r) = self.state().results.get(id.as_ref()) else {
            return Err(Error::refused(t!("cmd.checkpoint.no-result", id)));
        };
        let index = r.line as usize - 1;
        if index as u64 >= cp.size {
            return Err(Error::refused(t!(
                "cmd.checkpoint.after-checkpoint",
                id,
                line = r.line,
                size = cp.size
            )));
        }
        Ok(prove(self.lines()?, &cp, index))
    }
}
