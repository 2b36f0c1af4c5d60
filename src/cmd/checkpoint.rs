//! `choucha checkpoint`, `choucha prove`, `choucha verify-proof`: the log as
//! a C2SP transparency log, checkable with tools auditors already have.

use std::path::Path;

use crate::base::fsio;
use crate::cli::{CheckpointArgs, ProveArgs, VerifyProofArgs};
use crate::error::{Error, Result};
use crate::proof::keys;
use crate::proof::tlog::{Proof, open_checkpoint};
use crate::round::{Round, read_note};
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
