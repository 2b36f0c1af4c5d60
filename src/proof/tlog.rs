//! The log as a transparency log: each line (without LF) is a leaf of an
//! RFC 6962 Merkle tree; signed checkpoints pin its first N lines, and an
//! inclusion proof shows one line is among them (SPEC.md §11). Pure.

use base64::Engine;
use base64::engine::general_purpose::STANDARD as B64;
use serde::{Deserialize, Serialize};

use crate::log::chain::Log;
use crate::proof::checkpoint::Checkpoint;
use crate::proof::merkle::{self, Hash};
use crate::proof::note::Verifier;
use crate::t;

pub const CHECKPOINT_DIR: &str = "checkpoints";
pub const PROOF_FORMAT: &str = "choucha-proof/1";

/// The leaf hashes of the log's first `size` lines.
pub fn leaf_hashes(log: &Log, size: usize) -> Vec<Hash> {
    (0..size).map(|i| merkle::leaf_hash(log.line(i))).collect()
}

pub fn b64(h: &Hash) -> String {
    B64.encode(h)
}

pub fn unb64(s: &str) -> Result<Hash, String> {
    B64.decode(s)
        .ok()
        .and_then(|v| <Hash>::try_from(v.as_slice()).ok())
        .ok_or_else(|| t!("tlog.not-hash", value = s))
}

/// Opens a signed checkpoint with a public key: the signature must be by a
/// key named after the checkpoint's origin (its first line).
pub fn open_checkpoint(
    note: &str,
    key: &ed25519_dalek::VerifyingKey,
) -> Result<Checkpoint, String> {
    let origin = note.lines().next().unwrap_or("").to_string();
    let verifier = Verifier {
        key_id: crate::proof::note::key_id(&origin, key.as_bytes()),
        name: origin,
        key: *key,
    };
    let text = crate::proof::note::open(note, &verifier)?;
    Checkpoint::parse(&text)
}

/// Does the log's beginning match a checkpoint? Err says how it differs.
pub fn check_against(log: &Log, cp: &Checkpoint) -> Result<(), String> {
    let n = log.lines.len() as u64;
    if cp.size > n {
        return Err(t!("tlog.cut-off", size = cp.size, lines = n));
    }
    let root = merkle::root(&leaf_hashes(log, cp.size as usize));
    if root != cp.root {
        return Err(t!(
            "tlog.root-differs",
            size = cp.size,
            root = b64(&root),
            signed = b64(&cp.root)
        ));
    }
    Ok(())
}

/// An inclusion proof of one log line against a checkpoint.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Proof {
    pub format: String,
    pub origin: String,
    pub size: u64,
    pub root: String,
    /// 0-based index of the line in the log (= seq).
    pub index: u64,
    /// The line's exact text, without LF.
    pub line: String,
    /// The RFC 6962 audit path, base64, leaf to root.
    pub proof: Vec<String>,
}

pub fn prove(log: &Log, cp: &Checkpoint, index: usize) -> Proof {
    let leaves = leaf_hashes(log, cp.size as usize);
    Proof {
        format: PROOF_FORMAT.into(),
        origin: cp.origin.clone(),
        size: cp.size,
        root: b64(&cp.root),
        index: index as u64,
        line: String::from_utf8_lossy(log.line(index)).into_owned(),
        proof: merkle::inclusion_proof(&leaves, index as u64)
            .iter()
            .map(b64)
            .collect(),
    }
}

/// Checks a proof against an opened checkpoint, without the log.
pub fn verify_proof(p: &Proof, cp: &Checkpoint) -> Result<(), String> {
    if p.origin == cp.origin && p.size == cp.size && unb64(&p.root)? != cp.root {
        // Same log and size, another root: the proof came from another history.
        return Err(t!(
            "tlog.other-root",
            origin = p.origin,
            size = p.size,
            root = p.root,
            cp_root = b64(&cp.root)
        ));
    }
    if p.origin != cp.origin || p.size != cp.size {
        return Err(t!(
            "tlog.wrong-checkpoint",
            origin = p.origin,
            size = p.size,
            cp_origin = cp.origin,
            cp_size = cp.size
        ));
    }
    let path: Vec<Hash> = p.proof.iter().map(|h| unb64(h)).collect::<Result<_, _>>()?;
    merkle::verify_inclusion(
        &merkle::leaf_hash(p.line.as_bytes()),
        p.index,
        p.size,
        &path,
        &cp.root,
    )
    .map_err(|e| t!("tlog.not-included", line = p.index + 1, error = e))
}

/// A consistency proof between two sizes of the log (RFC 9162 §2.1.4): the
/// tree of the first `old_size` lines is a prefix of the tree of the first
/// `new_size`. What a witness needs to cosign a newer checkpoint.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConsistencyProof {
    pub old_size: u64,
    pub new_size: u64,
    /// The RFC 9162 consistency path, base64.
    pub proof: Vec<String>,
}

/// The consistency proof from `old` to `new` lines of `log`; both at most
/// the log's length and `old <= new` (the caller checks).
pub fn prove_consistency(log: &Log, old: u64, new: u64) -> ConsistencyProof {
    let leaves = leaf_hashes(log, new as usize);
    ConsistencyProof {
        old_size: old,
        new_size: new,
        proof: merkle::consistency_proof(&leaves, old)
            .iter()
            .map(b64)
            .collect(),
    }
}

/// Checks a consistency proof against two opened checkpoints of one log.
pub fn verify_consistency_proof(
    p: &ConsistencyProof,
    old: &Checkpoint,
    new: &Checkpoint,
) -> Result<(), String> {
    if old.origin != new.origin {
        return Err(t!("tlog.two-logs", old = old.origin, new = new.origin));
    }
    if p.old_size != old.size || p.new_size != new.size {
        return Err(t!(
            "tlog.consistency-sizes",
            old_size = p.old_size,
            new_size = p.new_size,
            old = old.size,
            new = new.size
        ));
    }
    let path: Vec<Hash> = p.proof.iter().map(|h| unb64(h)).collect::<Result<_, _>>()?;
    merkle::verify_consistency(old.size, new.size, &old.root, &new.root, &path)
}
