//! C2SP tlog cosignatures (https://c2sp.org/tlog-cosignature), Ed25519
//! (`cosignature/v1`), and the rule a witness follows before it cosigns.
//!
//! Pure. A witness adds one signature line to a checkpoint:
//!
//! ```text
//! — <witness name> base64(key ID (4) || timestamp (8, big-endian) || Ed25519 signature (64))
//! ```
//!
//! over the message `cosignature/v1\ntime <timestamp>\n` followed by the
//! checkpoint's note body. The key ID is SHA-256(name || LF || 0x04 ||
//! public key)[:4]. A witness cosigns a checkpoint only when it is
//! consistent with the last one it cosigned for the same log: so an office
//! that shows two histories to two people is caught by any witness that saw
//! both.

use ed25519_dalek::{Signature, SigningKey, VerifyingKey};
use sha2::{Digest, Sha256};

use crate::proof::checkpoint::Checkpoint;
use crate::proof::merkle;
use crate::proof::note::{SIG_PREFIX, check_name, signature_lines};
use crate::proof::tlog::{ConsistencyProof, unb64};
use crate::t;

/// The signature type byte of Ed25519 cosignatures in key IDs.
const ALG_COSIGNATURE_V1: u8 = 0x04;
/// Key ID, timestamp, signature.
const COSIGNATURE_LEN: usize = 4 + 8 + 64;

/// SHA-256(name || 0x0A || 0x04 || public)[:4].
pub fn cosigner_key_id(name: &str, public: &[u8; 32]) -> [u8; 4] {
    let mut h = Sha256::new();
    h.update(name.as_bytes());
    h.update([b'\n', ALG_COSIGNATURE_V1]);
    h.update(public);
    let d = h.finalize();
    [d[0], d[1], d[2], d[3]]
}

/// The message a cosignature signs: the header line, the time line, and
/// the checkpoint's note body (its text, ending in LF, without signatures).
pub fn cosigned_message(body: &str, time: u64) -> String {
    format!("cosignature/v1\ntime {time}\n{body}")
}

/// The cosignature line (with its LF) by `key` as `name` at `time` over a
/// checkpoint whose note body is `body`.
pub fn cosignature_line(
    body: &str,
    name: &str,
    key: &SigningKey,
    time: u64,
) -> Result<String, String> {
    use base64::Engine as _;
    use ed25519_dalek::Signer as _;
    check_name(name)?;
    if time > i64::MAX as u64 {
        return Err(t!("witness.bad-time", time));
    }
    let sig = key.sign(cosigned_message(body, time).as_bytes());
    let mut raw = Vec::with_capacity(COSIGNATURE_LEN);
    raw.extend_from_slice(&cosigner_key_id(name, key.verifying_key().as_bytes()));
    raw.extend_from_slice(&time.to_be_bytes());
    raw.extend_from_slice(&sig.to_bytes());
    Ok(format!(
        "{SIG_PREFIX}{name} {}\n",
        base64::engine::general_purpose::STANDARD.encode(raw)
    ))
}

/// A valid cosignature found on a note.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cosignature {
    pub name: String,
    pub time: u64,
}

/// The cosignature by `key` on `note`, if there is one. A line is by `key`
/// when its key ID is the one its name and `key` give; such a line that does
/// not verify is an error (as for any note signature), lines by other keys
/// are ignored.
pub fn cosignature_by(note: &str, key: &VerifyingKey) -> Result<Option<Cosignature>, String> {
    use ed25519_dalek::Verifier as _;
    let (body, lines) = signature_lines(note)?;
    let mut found = None;
    for line in lines {
        if line.raw.len() != COSIGNATURE_LEN
            || line.raw[..4] != cosigner_key_id(line.name, key.as_bytes())
        {
            continue;
        }
        let time = u64::from_be_bytes(line.raw[4..12].try_into().expect("8 bytes"));
        let sig = Signature::from_bytes(&line.raw[12..].try_into().expect("64 bytes"));
        if time > i64::MAX as u64
            || key
                .verify(cosigned_message(body, time).as_bytes(), &sig)
                .is_err()
        {
            return Err(t!("witness.bad-cosignature", name = line.name));
        }
        found = Some(Cosignature {
            name: line.name.to_string(),
            time,
        });
    }
    Ok(found)
}

/// What a witness may do with a new checkpoint, given the last one it
/// cosigned for the same log.
#[derive(Debug, PartialEq, Eq)]
pub enum Step {
    /// No earlier checkpoint of this log: trusted on first use.
    First,
    /// The same tree head as before.
    Same,
    /// A larger tree that extends the earlier one (the proof holds).
    Extends { from: u64 },
}

/// Why a witness refuses.
#[derive(Debug, PartialEq, Eq)]
pub enum Refusal {
    /// The log shows a smaller tree than the witness already cosigned.
    RolledBack { seen: u64, now: u64 },
    /// Two different roots for one size, or a proof that does not hold: the
    /// log forked or was rewritten.
    Forked { seen: u64, now: u64, why: String },
    /// A larger tree, but no consistency proof from the earlier size.
    NeedsProof { seen: u64, now: u64 },
    /// A proof that is for other sizes than these two checkpoints.
    ProofSizes {
        old: u64,
        new: u64,
        seen: u64,
        now: u64,
    },
}

/// The witness's rule: a new checkpoint must extend the last one it
/// cosigned for the log (same origin), proven by a consistency proof.
pub fn check_step(
    last: Option<&Checkpoint>,
    new: &Checkpoint,
    proof: Option<&ConsistencyProof>,
) -> Result<Step, Refusal> {
    let Some(last) = last else {
        return Ok(Step::First);
    };
    let (seen, now) = (last.size, new.size);
    if now < seen {
        return Err(Refusal::RolledBack { seen, now });
    }
    if now == seen {
        return if last.root == new.root {
            Ok(Step::Same)
        } else {
            Err(Refusal::Forked {
                seen,
                now,
                why: t!("witness.two-roots", size = now),
            })
        };
    }
    let Some(p) = proof else {
        return Err(Refusal::NeedsProof { seen, now });
    };
    if p.old_size != seen || p.new_size != now {
        return Err(Refusal::ProofSizes {
            old: p.old_size,
            new: p.new_size,
            seen,
            now,
        });
    }
    let hashes: Vec<merkle::Hash> = p
        .proof
        .iter()
        .map(|h| unb64(h))
        .collect::<Result<_, _>>()
        .map_err(|why| Refusal::Forked { seen, now, why })?;
    merkle::verify_consistency(seen, now, &last.root, &new.root, &hashes)
        .map_err(|why| Refusal::Forked { seen, now, why })?;
    Ok(Step::Extends { from: seen })
}

#[cfg(test)]
mod tests {
    use super::*;
    use base64::Engine as _;
    use base64::engine::general_purpose::STANDARD as B64;

    fn key(seed: u8) -> SigningKey {
        SigningKey::from_bytes(&[seed; 32])
    }

    const BODY: &str =
        "example.com/behind-the-sofa\n20852163\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n";

    /// The example of c2sp.org/tlog-cosignature: its cosignature line parses
    /// into the key ID, and the time of its example message.
    #[test]
    fn the_specs_example_line_has_the_specs_time() {
        let line = "jWbPPwAAAABkGFDLEZMHwSRaJNiIDoe9DYn/zXcrtPHeolMI5OWXEhZCB9dlrDJsX3b2oyin1nPZqhf5nNo0xUe+mbIUBkBIfZ+qnA==";
        let raw = B64.decode(line).unwrap();
        assert_eq!(raw.len(), COSIGNATURE_LEN);
        assert_eq!(
            u64::from_be_bytes(raw[4..12].try_into().unwrap()),
            1679315147
        );
        assert_eq!(
            cosigned_message(BODY, 1679315147),
            "cosignature/v1\ntime 1679315147\nexample.com/behind-the-sofa\n20852163\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n"
        );
    }

    /// The line is checked here with ed25519-dalek against the message as
    /// the spec spells it, not through `cosignature_by`.
    #[test]
    fn a_cosignature_is_what_the_spec_describes() {
        use ed25519_dalek::Verifier as _;
        let k = key(7);
        let line = cosignature_line(BODY, "witness.example/w1", &k, 1_700_000_000).unwrap();
        let b64 = line
            .strip_prefix("\u{2014} witness.example/w1 ")
            .unwrap()
            .trim_end();
        let raw = B64.decode(b64).unwrap();
        let mut h = Sha256::new();
        h.update(b"witness.example/w1\n\x04");
        h.update(k.verifying_key().as_bytes());
        assert_eq!(raw[..4], h.finalize()[..4]);
        assert_eq!(raw[4..12], 1_700_000_000u64.to_be_bytes());
        let msg = format!("cosignature/v1\ntime 1700000000\n{BODY}");
        let sig = Signature::from_bytes(&raw[12..].try_into().unwrap());
        k.verifying_key().verify(msg.as_bytes(), &sig).unwrap();
    }

    #[test]
    fn cosignatures_are_found_by_key_and_a_bad_one_rejects() {
        let office = key(1);
        let note = crate::proof::note::sign(BODY, "example.com/behind-the-sofa", &office).unwrap();
        let (w1, w2) = (key(2), key(3));
        let cosigned = format!(
            "{note}{}",
            cosignature_line(BODY, "w1.example", &w1, 42).unwrap()
        );
        assert_eq!(
            cosignature_by(&cosigned, &w1.verifying_key()).unwrap(),
            Some(Cosignature {
                name: "w1.example".into(),
                time: 42
            })
        );
        assert_eq!(
            cosignature_by(&cosigned, &w2.verifying_key()).unwrap(),
            None
        );
        // The office's own signature is no cosignature.
        assert_eq!(
            cosignature_by(&note, &office.verifying_key()).unwrap(),
            None
        );
        // Another body: the line no longer verifies.
        let moved = cosigned.replace("20852163", "20852164");
        assert!(cosignature_by(&moved, &w1.verifying_key()).is_err());
    }

    fn cp(size: u64, root: [u8; 32]) -> Checkpoint {
        Checkpoint {
            origin: "o".into(),
            size,
            root,
            extensions: Vec::new(),
        }
    }

    #[test]
    fn a_witness_refuses_a_fork_a_rollback_and_a_jump_without_proof() {
        let leaves: Vec<merkle::Hash> = (0..10u8).map(|i| merkle::leaf_hash(&[i])).collect();
        let head = |n: usize| cp(n as u64, merkle::root(&leaves[..n]));
        let proof = |old: usize, new: usize| ConsistencyProof {
            old_size: old as u64,
            new_size: new as u64,
            proof: merkle::consistency_proof(&leaves[..new], old as u64)
                .iter()
                .map(|h| B64.encode(h))
                .collect(),
        };
        assert_eq!(check_step(None, &head(4), None), Ok(Step::First));
        assert_eq!(check_step(Some(&head(4)), &head(4), None), Ok(Step::Same));
        assert_eq!(
            check_step(Some(&head(4)), &head(9), Some(&proof(4, 9))),
            Ok(Step::Extends { from: 4 })
        );
        assert_eq!(
            check_step(Some(&head(9)), &head(4), None),
            Err(Refusal::RolledBack { seen: 9, now: 4 })
        );
        assert_eq!(
            check_step(Some(&head(4)), &head(9), None),
            Err(Refusal::NeedsProof { seen: 4, now: 9 })
        );
        assert!(matches!(
            check_step(Some(&head(4)), &head(9), Some(&proof(3, 9))),
            Err(Refusal::ProofSizes { .. })
        ));
        // A forked log: the same first four lines, another fifth.
        let mut other = leaves.clone();
        other[4] = merkle::leaf_hash(b"rewritten");
        let forked = cp(9, merkle::root(&other[..9]));
        let fork_proof = ConsistencyProof {
            old_size: 4,
            new_size: 9,
            proof: merkle::consistency_proof(&other[..9], 4)
                .iter()
                .map(|h| B64.encode(h))
                .collect(),
        };
        // Its own proof holds from size 4 (the shared prefix)...
        assert_eq!(
            check_step(Some(&head(4)), &forked, Some(&fork_proof)),
            Ok(Step::Extends { from: 4 })
        );
        // ...but not from the witness's size 6, which it contradicts.
        let fork_from_6 = ConsistencyProof {
            old_size: 6,
            new_size: 9,
            proof: merkle::consistency_proof(&other[..9], 6)
                .iter()
                .map(|h| B64.encode(h))
                .collect(),
        };
        assert!(matches!(
            check_step(Some(&head(6)), &forked, Some(&fork_from_6)),
            Err(Refusal::Forked { .. })
        ));
        let mut two = head(6);
        two.root[0] ^= 1;
        assert!(matches!(
            check_step(Some(&head(6)), &two, None),
            Err(Refusal::Forked { .. })
        ));
    }
}
