//! `verify`: a round rechecked from its files against its records, the
//! published numbers and any signed checkpoints. It reads under a shared
//! lock and writes nothing, so it needs no `Round`.

use std::path::Path;

use crate::audit::published::{Claim, PublishedTable};
use crate::audit::verify::{Inputs, SideFile, finding_line, side_file_names};
use crate::base::digest::sha256_hex;
use crate::base::{fsio, par};
use crate::error::{Error, Result};
use crate::log::chain::{Log, Record};
use crate::proof::keys;
use crate::proof::tlog::{CHECKPOINT_DIR, b64, check_against, open_checkpoint};
use crate::roster::ROSTER_FILE;
use crate::sampling::manifest::MANIFEST_FILE;
use crate::t;

/// What to hold the round against, besides its own records.
#[derive(Default)]
pub struct VerifyRequest {
    /// The published table and its name for messages.
    pub published: Option<(PublishedTable, String)>,
    pub claims: Vec<Claim>,
    /// Signed checkpoints: each file's name and text.
    pub checkpoints: Vec<(String, String)>,
    /// The key checkpoints are signed with, and its file's name.
    pub pubkey: Option<(ssh_key::PublicKey, String)>,
    /// Witnesses whose cosignatures each checkpoint must carry, with their
    /// files' names; at least `quorum` of them.
    pub witnesses: Vec<(ed25519_dalek::VerifyingKey, String)>,
    pub quorum: usize,
}

/// The witnesses' cosignatures on one checkpoint: held when at least
/// `quorum` of the given witnesses cosigned it validly.
fn witness_check(
    name: &str,
    note: &str,
    witnesses: &[(ed25519_dalek::VerifyingKey, String)],
    quorum: usize,
) -> Check {
    use crate::proof::witness::cosignature_by;
    let mut cosigned = Vec::new();
    let mut missing = Vec::new();
    let mut bad = Vec::new();
    for (key, file) in witnesses {
        match cosignature_by(note, key) {
            Ok(Some(c)) => {
                let at = std::time::UNIX_EPOCH + std::time::Duration::from_secs(c.time);
                let time = humantime::format_rfc3339_seconds(at);
                cosigned.push(t!("verify.witness-cosigned", who = c.name, time));
            }
            Ok(None) => missing.push(file.clone()),
            Err(error) => bad.push(t!("verify.witness-bad", file, error)),
        }
    }
    let ok = cosigned.len() >= quorum && bad.is_empty();
    let mut detail = t!(
        "verify.witnesses-count",
        name,
        count = cosigned.len(),
        quorum,
        of = witnesses.len()
    );
    if !cosigned.is_empty() {
        detail.push_str(&t!("verify.witnesses-by", list = cosigned.join(", ")));
    }
    if !missing.is_empty() {
        detail.push_str(&t!("verify.witnesses-missing", list = missing.join(", ")));
    }
    for b in bad {
        detail.push_str("; ");
        detail.push_str(&b);
    }
    Check {
        ok,
        checked: true,
        text: finding_line(ok, "witnesses", &detail),
    }
}

/// One finding: whether the check held, whether it could be run at all
/// (a check after a failed one may not be), and the line saying so.
pub struct Check {
    pub ok: bool,
    pub checked: bool,
    pub text: String,
}

/// Each `checkpoint` record of the log held against the file it names: the
/// file, when present, is a checkpoint of the size and root the record
/// gives. (Whether the log's lines still have that root is `--checkpoint`'s
/// check, with the note the office published.) One finding for all of
/// them; none for a log without checkpoint records.
fn checkpoint_records(dir: &Path, log: &Log) -> Option<Check> {
    use crate::log::records::Checkpointed;
    let mut problems = Vec::new();
    let mut missing = Vec::new();
    let mut count = 0;
    for (i, line) in log.lines.iter().enumerate() {
        if line.kind != Checkpointed::TYPE {
            continue;
        }
        count += 1;
        let at = i + 1;
        let problem = match log.fields::<Checkpointed>(i) {
            Err(e) => Some(e),
            Ok(rec) if rec.file != format!("{CHECKPOINT_DIR}/{}", rec.size) => Some(t!(
                "verify.checkpoint-record-file",
                line = at,
                file = rec.file
            )),
            Ok(rec) if std::fs::symlink_metadata(dir.join(&rec.file)).is_err() => {
                // A copy of the round without its checkpoints is not a false
                // one: said, not failed (the published note can be given with --checkpoint).
                missing.push(rec.file.clone());
                None
            }
            Ok(rec) => {
                let path = dir.join(&rec.file);
                // The checkpoint files as `checkpoint` itself reads them.
                let read = crate::log::file::refuse_symlink(&path)
                    .and_then(|()| super::checkpoint::read_note(&path))
                    .and_then(|note| super::checkpoint::parse_unsigned(&note))
                    .map_err(|e| e.to_string());
                match read {
                    Err(error) => Some(t!(
                        "verify.checkpoint-record-unreadable",
                        line = at,
                        file = path.display(),
                        error
                    )),
                    Ok(cp) if cp.size != rec.size || b64(&cp.root) != rec.root => Some(t!(
                        "verify.checkpoint-record-differs",
                        line = at,
                        file = path.display()
                    )),
                    Ok(_) => None,
                }
            }
        };
        problems.extend(problem);
    }
    if count == 0 {
        return None;
    }
    let ok = problems.is_empty();
    let mut detail = if ok {
        t!(
            "verify.checkpoint-records-ok",
            count = count - missing.len()
        )
    } else {
        problems.join("; ")
    };
    if !missing.is_empty() {
        detail.push_str(&t!(
            "verify.checkpoint-records-missing",
            files = missing.join(", ")
        ));
    }
    Some(Check {
        ok,
        checked: true,
        text: finding_line(ok, "checkpoint records", &detail),
    })
}

/// manifest.json.sig checked with `key`, when there is a signature or the
/// log says there should be one (`signer`, the fingerprint `sample-drawn`
/// names). A round drawn unsigned has nothing to check.
fn manifest_signature(
    dir: &Path,
    manifest: &[u8],
    key: &ssh_key::PublicKey,
    signer: &str,
) -> Result<Option<Check>> {
    let sig = dir.join(format!("{MANIFEST_FILE}.sig"));
    let file = sig.display().to_string();
    let (ok, detail) = match std::fs::read(&sig) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            if signer.is_empty() {
                return Ok(None);
            }
            (false, t!("verify.signature-missing", signer, file))
        }
        Err(e) => return Err(Error::io(&sig, e)),
        Ok(bytes) => {
            let armored = String::from_utf8_lossy(&bytes);
            let fingerprint = keys::fingerprint(key);
            match keys::verify(key, keys::MANIFEST_NAMESPACE, manifest, &armored) {
                Err(error) => (false, t!("verify.signature-failed", file, error)),
                Ok(()) if !signer.is_empty() && signer != fingerprint => (
                    false,
                    t!("verify.signature-other-signer", file, fingerprint, signer),
                ),
                Ok(()) => (true, t!("verify.signature-ok", file, fingerprint)),
            }
        }
    };
    Ok(Some(Check {
        ok,
        checked: true,
        text: finding_line(ok, "signature", &detail),
    }))
}

/// Runs every check on the round in `dir`. A round that does not hold is
/// not an error here: the checks say what failed, for the caller to render.
pub fn verify(dir: &Path, req: &VerifyRequest) -> Result<Vec<Check>> {
    let vk = match (&req.pubkey, req.checkpoints.is_empty()) {
        (_, true) => None,
        (None, false) => return Err(Error::input(t!("verify.checkpoint-needs-key"))),
        (Some((key, name)), false) => Some(
            keys::ed25519_verifying(key)
                .map_err(|e| Error::input(t!("verify.bad-pubkey", file = name, error = e)))?,
        ),
    };
    // roster.tsv and manifest.json are read and hashed beside the log's
    // check. A signed checkpoint needs every line's bytes: then the log is
    // read whole; else it is streamed, keeping only what verify reads.
    let whole = !req.checkpoints.is_empty();
    let read_log = || -> Result<_> {
        if whole {
            let (_, log) = crate::log::file::read_checked(dir)?;
            Ok(log.map(|log| {
                let views = crate::log::state::result_views(&log);
                (log, views)
            }))
        } else {
            crate::log::file::read_streamed(dir)
        }
    };
    let (log, files) = par::join(read_log, || -> Result<_> {
        let read_hashed = |bytes: fsio::Bytes| {
            let digest = sha256_hex(&bytes);
            (bytes, digest)
        };
        // A bundle made without the roster (the list not public) has none:
        // the roster and draw checks then say they could not be run.
        let roster_path = dir.join(ROSTER_FILE);
        let roster = match std::fs::symlink_metadata(&roster_path) {
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
            _ => Some(read_hashed(fsio::read_large(&roster_path)?)),
        };
        Ok((
            roster,
            read_hashed(fsio::read_large(&dir.join(MANIFEST_FILE))?),
        ))
    });
    let log = log?;
    let (roster, (manifest, manifest_sha256)) = files?;
    let (roster_tsv, roster_tsv_sha256) = match &roster {
        Some((bytes, digest)) => (Some(&bytes[..]), digest.as_str()),
        None => (None, ""),
    };
    let side_files = match &log {
        Ok((log, _)) => read_side_files(dir, log),
        Err(_) => Vec::new(),
    };
    let findings = crate::audit::verify::verify(&Inputs {
        log: &log,
        roster_tsv,
        roster_tsv_sha256,
        manifest: &manifest,
        manifest_sha256: &manifest_sha256,
        published: req.published.as_ref().map(|(t, n)| (t, n.as_str())),
        claims: &req.claims,
        side_files: &side_files,
    });
    let mut checks: Vec<Check> = findings
        .into_iter()
        .map(|f| Check {
            ok: f.ok,
            checked: f.checked,
            text: f.to_string(),
        })
        .collect();
    if let Ok((log, _)) = &log {
        checks.extend(checkpoint_records(dir, log));
    }
    if let Some((key, _)) = &req.pubkey {
        let signer = match &log {
            Ok((log, _)) => crate::log::state::RoundState::through_draw(log)
                .ok()
                .and_then(|st| st.drawn)
                .map(|d| d.signer)
                .unwrap_or_default(),
            Err(_) => String::new(),
        };
        checks.extend(manifest_signature(dir, &manifest, key, &signer)?);
    }
    if let (Some(vk), Some((key, _))) = (&vk, &req.pubkey) {
        for (name, note) in &req.checkpoints {
            // (held, could be checked, what to say)
            let (ok, checked, detail) = match (&log, open_checkpoint(note, vk)) {
                (_, Err(e)) => (false, true, t!("verify.checkpoint-error", name, error = e)),
                (Err(_), Ok(_)) => (false, false, t!("verify.checkpoint-unchecked", name)),
                (Ok((log, _)), Ok(cp)) => match check_against(log, &cp) {
                    Ok(()) => (
                        true,
                        true,
                        t!(
                            "verify.checkpoint-ok",
                            name,
                            fingerprint = keys::fingerprint(key),
                            size = cp.size
                        ),
                    ),
                    Err(e) => (false, true, t!("verify.checkpoint-error", name, error = e)),
                },
            };
            checks.push(Check {
                ok,
                checked,
                text: finding_line(ok, "checkpoint", &detail),
            });
            if !req.witnesses.is_empty() {
                checks.push(witness_check(name, note, &req.witnesses, req.quorum));
            }
        }
    }
    Ok(checks)
}

/// The side files the log's `repaired` records name, read from the round
/// directory; a symbolic link is not followed.
fn read_side_files(dir: &Path, log: &crate::log::chain::Log) -> Vec<(String, SideFile)> {
    side_file_names(log)
        .into_iter()
        .map(|name| {
            let path = dir.join(&name);
            let found = match std::fs::symlink_metadata(&path) {
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => SideFile::Absent,
                Ok(m) if m.file_type().is_symlink() => {
                    SideFile::Unreadable(t!("logfile.symlink", path = path.display()))
                }
                _ => match std::fs::read(&path) {
                    Ok(b) => SideFile::Bytes(b),
                    Err(e) => SideFile::Unreadable(Error::io(&path, e).to_string()),
                },
            };
            (name, found)
        })
        .collect()
}
