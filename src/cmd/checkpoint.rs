//! `choucha checkpoint`, `choucha prove`, `choucha verify-proof`: the log as
//! a C2SP transparency log, checkable with tools auditors already have.

use std::path::{Path, PathBuf};

use crate::cli::{CheckpointArgs, ProveArgs, VerifyProofArgs};
use crate::error::{Error, Result};
use crate::log::file::LockedLog;
use crate::log::records::Checkpointed;
use crate::proof::checkpoint::Checkpoint;
use crate::proof::tlog::{
    CHECKPOINT_DIR, Proof, b64, check_against, leaf_hashes, open_checkpoint, prove,
};
use crate::t;
use crate::{base::fsio, proof::keys, proof::merkle};

/// The round's checkpoint files, smallest size first.
fn checkpoint_files(dir: &Path) -> Result<Vec<(u64, PathBuf)>> {
    let cdir = dir.join(CHECKPOINT_DIR);
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
            out.push((n, p));
        }
    }
    out.sort();
    Ok(out)
}

fn read_note(path: &Path) -> Result<String> {
    String::from_utf8(fsio::read(path)?)
        .map_err(|_| Error::input(t!("cmd.checkpoint.not-utf8", path = path.display())))
}

pub fn checkpoint(dir: &Path, args: &CheckpointArgs) -> Result<()> {
    let key = keys::load_private(&args.key)?;
    let signing = keys::ed25519_signing(&key)?;
    let mut log = LockedLog::open(dir)?;
    let origin = args
        .origin
        .clone()
        .unwrap_or_else(|| format!("choucha/{}", log.state.opened.round));
    if origin.is_empty() || origin.contains('\n') || origin.chars().any(char::is_control) {
        return Err(Error::input(t!("cmd.checkpoint.bad-origin")));
    }
    let size = log.log.lines.len() as u64;
    let cp = Checkpoint {
        origin: origin.clone(),
        size,
        root: merkle::root(&leaf_hashes(&log.log, size as usize)),
        extensions: Vec::new(),
    };
    // Never sign a view of the log that contradicts an earlier checkpoint.
    for (_, path) in checkpoint_files(dir)? {
        let earlier = open_checkpoint(&read_note(&path)?, signing.as_ref())
            .or_else(|_| read_note(&path).and_then(|n| parse_unsigned(&n)))?;
        if let Err(e) = check_against(&log.log, &earlier) {
            return Err(Error::refused(t!(
                "cmd.checkpoint.contradicts",
                path = path.display(),
                error = e
            )));
        }
    }
    let note = crate::proof::note::sign(&cp.to_text(), &origin, &signing).map_err(Error::input)?;
    let cdir = dir.join(CHECKPOINT_DIR);
    if !cdir.exists() {
        std::fs::create_dir(&cdir).map_err(|e| Error::io(&cdir, e))?;
        fsio::sync_dir(dir)?;
    }
    let file = cdir.join(size.to_string());
    // A signed checkpoint is never replaced: the log only grows, so a size seen twice means it was cut back.
    fsio::write_new_atomic(&file, note.as_bytes())?;
    log.append(&Checkpointed {
        origin,
        size,
        root: b64(&cp.root),
        signer: keys::fingerprint(key.public_key()),
        file: format!("{CHECKPOINT_DIR}/{size}"),
    })?;
    print!("{note}");
    eprintln!(
        "{}",
        t!("cmd.checkpoint.wrote", file = file.display(), size)
    );
    Ok(())
}

/// A checkpoint's body, its signature not checked: an earlier checkpoint
/// signed by another key is still compared, and `prove` leaves checking the
/// signature to `verify-proof`.
fn parse_unsigned(note: &str) -> Result<Checkpoint> {
    crate::proof::note::unverified_text(note)
        .and_then(Checkpoint::parse)
        .map_err(Error::input)
}

pub fn prove_cmd(dir: &Path, args: &ProveArgs) -> Result<()> {
    let log = LockedLog::open(dir)?;
    let cp_path = match &args.checkpoint {
        Some(p) => p.clone(),
        None => checkpoint_files(dir)?
            .pop()
            .map(|(_, p)| p)
            .ok_or_else(|| Error::refused(t!("cmd.checkpoint.none-yet")))?,
    };
    let cp = parse_unsigned(&read_note(&cp_path)?)?;
    check_against(&log.log, &cp).map_err(|e| {
        Error::Discrepancy(t!(
            "cmd.checkpoint.in-file",
            path = cp_path.display(),
            error = e
        ))
    })?;
    let id = crate::input::text::normalize_field(&args.id);
    let Some(r) = log.state.results.get(id.as_ref()) else {
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
    let proof = prove(&log.log, &cp, index);
    println!(
        "{}",
        serde_json::to_string_pretty(&proof).expect("proof serialises")
    );
    Ok(())
}

pub fn verify_proof(args: &VerifyProofArgs) -> Result<()> {
    let proof: Proof = serde_json::from_slice(&fsio::read(&args.proof)?).map_err(|e| {
        Error::input(t!(
            "cmd.checkpoint.not-proof",
            path = args.proof.display(),
            error = e
        ))
    })?;
    let pubkey = keys::load_public(&args.pubkey)?;
    let vk = keys::ed25519_verifying(&pubkey).map_err(|e| {
        Error::input(t!(
            "cmd.checkpoint.in-file",
            path = args.pubkey.display(),
            error = e
        ))
    })?;
    let cp = open_checkpoint(&read_note(&args.checkpoint)?, &vk).map_err(|e| {
        Error::Discrepancy(t!(
            "cmd.checkpoint.failed",
            path = args.checkpoint.display(),
            error = e
        ))
    })?;
    crate::proof::tlog::verify_proof(&proof, &cp).map_err(|e| {
        Error::Discrepancy(t!(
            "cmd.checkpoint.failed",
            path = args.proof.display(),
            error = e
        ))
    })?;
    let what: serde_json::Value = serde_json::from_str(&proof.line).unwrap_or_default();
    println!(
        "{}",
        t!(
            "cmd.checkpoint.verified",
            line = proof.index + 1,
            kind = what["type"].as_str().unwrap_or("?"),
            id = what["id"].as_str().unwrap_or(""),
            verdict = what["verdict"].as_str().unwrap_or(""),
            origin = cp.origin,
            size = cp.size,
            fingerprint = keys::fingerprint(&pubkey)
        )
    );
    Ok(())
}
