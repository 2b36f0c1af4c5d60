//! `choucha checkpoint`, `choucha prove`, `choucha verify-proof`,
//! `choucha log prove-consistency`, `choucha verify-consistency`: the log as
//! a C2SP transparency log, checkable with tools auditors already have.

use std::path::Path;

use crate::base::fsio;
use crate::cli::{
    CheckpointArgs, ProveArgs, ProveConsistencyArgs, VerifyConsistencyArgs, VerifyProofArgs,
};
use crate::error::{Error, Result};
use crate::proof::keys;
use crate::proof::tlog::{ConsistencyProof, Proof, open_checkpoint, verify_consistency_proof};
use crate::round::{Round, TreeSize, read_note};
use crate::t;

pub fn checkpoint(dir: &Path, args: &CheckpointArgs) -> Result<()> {
    let key = keys::load_private(&args.key)?;
    keys::ed25519_signing(&key)?;
    let mut round = Round::open(dir)?;
    let c = round.checkpoint(&key, args.origin.as_deref())?;
    out!("{}", c.note);
    errln!(
        "{}",
        t!(
            "cmd.checkpoint.wrote",
            file = c.file.display(),
            size = c.size
        )
    );
    Ok(())
}

pub fn prove_cmd(dir: &Path, args: &ProveArgs) -> Result<()> {
    let proof = Round::open(dir)?.prove(&args.id, args.checkpoint.as_deref())?;
    outln!(
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
    let (pubkey, vk) = verifying_key(&args.pubkey)?;
    let cp = opened(&args.checkpoint, &vk)?;
    crate::proof::tlog::verify_proof(&proof, &cp).map_err(|e| {
        Error::Discrepancy(t!(
            "cmd.checkpoint.failed",
            path = args.proof.display(),
            error = e
        ))
    })?;
    let what: serde_json::Value = serde_json::from_str(&proof.line).unwrap_or_default();
    outln!(
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

/// An OpenSSH Ed25519 public key file, as a key that checks note signatures.
pub fn verifying_key(path: &Path) -> Result<(ssh_key::PublicKey, ed25519_dalek::VerifyingKey)> {
    let pubkey = keys::load_public(path)?;
    let vk = keys::ed25519_verifying(&pubkey).map_err(|e| {
        Error::input(t!(
            "cmd.checkpoint.in-file",
            path = path.display(),
            error = e
        ))
    })?;
    Ok((pubkey, vk))
}

/// A checkpoint file opened with `vk`: a signature that does not hold is a
/// discrepancy (exit 1) naming the file.
fn opened(
    path: &Path,
    vk: &ed25519_dalek::VerifyingKey,
) -> Result<crate::proof::checkpoint::Checkpoint> {
    open_checkpoint(&read_note(path)?, vk).map_err(|e| {
        Error::Discrepancy(t!(
            "cmd.checkpoint.failed",
            path = path.display(),
            error = e
        ))
    })
}

pub fn prove_consistency(dir: &Path, args: &ProveConsistencyArgs) -> Result<()> {
    let from = TreeSize::parse(&args.from);
    let to = args.to.as_deref().map(TreeSize::parse);
    let proof = Round::open(dir)?.prove_consistency(&from, to.as_ref())?;
    outln!(
        "{}",
        serde_json::to_string_pretty(&proof).expect("proof serialises")
    );
    Ok(())
}

pub fn verify_consistency(args: &VerifyConsistencyArgs) -> Result<()> {
    let proof: ConsistencyProof =
        serde_json::from_slice(&fsio::read(&args.proof)?).map_err(|e| {
            Error::input(t!(
                "cmd.checkpoint.not-consistency-proof",
                path = args.proof.display(),
                error = e
            ))
        })?;
    let (pubkey, vk) = verifying_key(&args.pubkey)?;
    let old = opened(&args.old, &vk)?;
    let new = opened(&args.new, &vk)?;
    verify_consistency_proof(&proof, &old, &new).map_err(|e| {
        Error::Discrepancy(t!(
            "cmd.checkpoint.failed",
            path = args.proof.display(),
            error = e
        ))
    })?;
    outln!(
        "{}",
        t!(
            "cmd.checkpoint.consistent",
            origin = new.origin,
            old = old.size,
            new = new.size,
            fingerprint = keys::fingerprint(&pubkey)
        )
    );
    Ok(())
}
