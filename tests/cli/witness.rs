//! Witnesses (issue 20): consistency proofs between checkpoints, a witness
//! that cosigns only while the log only grows, and `verify` requiring a
//! quorum of cosignatures.

use std::fs;
use std::path::{Path, PathBuf};

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as B64;
use tempfile::TempDir;

use crate::*;

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

fn keygen(dir: &Path, name: &str) -> (PathBuf, PathBuf) {
    let key = dir.join(name);
    ok(None, &["keygen", s(&key)]);
    (key.clone(), dir.join(format!("{name}.pub")))
}

/// Records `verdict` for the first `n` ids not yet recorded, then signs a
/// checkpoint: (its file, its size).
fn grow_and_checkpoint(round: &Path, ids: &[String], verdict: &str, key: &Path) -> (PathBuf, u64) {
    let mut csv = String::from("id,verdict,reason\n");
    for id in ids {
        let reason = if verdict == "fail" {
            "NM_NOT_UPDATED"
        } else {
            ""
        };
        csv.push_str(&format!("{id},{verdict},{reason}\n"));
    }
    let f = write(round, "batch.csv", &csv);
    ok(Some(round), &["record", s(&f)]);
    fs::remove_file(&f).unwrap();
    ok(Some(round), &["checkpoint", "--key", s(key)]);
    let size = log_lines(round).len() as u64 - 1; // the checkpoint record follows what it signed
    (round.join("checkpoints").join(size.to_string()), size)
}

struct Witness {
    key: PathBuf,
    public: PathBuf,
    state: PathBuf,
}

impl Witness {
    fn new(dir: &Path, name: &str) -> Witness {
        let (key, public) = keygen(dir, name);
        Witness {
            key,
            public,
            state: dir.join(format!("{name}-state")),
        }
    }

    fn cosign(&self, cp: &Path, office: &Path, proof: Option<&Path>, out: &Path) -> Outcome {
        let mut args = vec![
            "witness",
            "cosign",
            s(cp),
            "--key",
            s(&self.key),
            "--log-pubkey",
            s(office),
            "--state",
            s(&self.state),
            "-o",
            s(out),
        ];
        if let Some(p) = proof {
            args.extend(["--proof", s(p)]);
        }
        run(None, &args)
    }
}

fn consistency(round: &Path, from: u64, to: u64, out: &Path) {
    let text = ok(
        Some(round),
        &[
            "log",
            "prove-consistency",
            "--from",
            &from.to_string(),
            "--to",
            &to.to_string(),
        ],
    );
    fs::write(out, text).unwrap();
}

#[test]
fn a_witness_cosigns_a_growing_log_and_refuses_a_fork_and_a_rollback() {
    let tmp = TempDir::new().unwrap();
    let d = tmp.path();
    let (round, ids) = drawn_round(d, "r", 40);
    let (office, office_pub) = keygen(d, "office");
    let w1 = Witness::new(d, "w1");

    // The first checkpoint: trusted on first use.
    let (cp1, n1) = grow_and_checkpoint(&round, &ids[..5], "pass", &office);
    let c1 = d.join("c1.cosigned");
    let o = w1.cosign(&cp1, &office_pub, None, &c1);
    assert_eq!(o.code, 0, "{}", o.stderr);
    assert!(
        o.stderr.contains("first checkpoint this witness sees"),
        "{}",
        o.stderr
    );
    let cosigned = fs::read_to_string(&c1).unwrap();
    let note = fs::read_to_string(&cp1).unwrap();
    assert!(
        cosigned.starts_with(&note),
        "the office's note is kept whole"
    );
    let line = cosigned[note.len()..].to_string();
    assert!(line.starts_with("\u{2014} w1 "), "{line}");
    // The line as c2sp.org/tlog-cosignature spells it, checked with
    // ed25519-dalek here: key ID, timestamp, signature over the message.
    let raw = B64
        .decode(line.trim_end().rsplit(' ').next().unwrap())
        .unwrap();
    assert_eq!(raw.len(), 4 + 8 + 64);
    let public = pub_key(&w1.public);
    let mut h = <sha2::Sha256 as sha2::Digest>::new();
    sha2::Digest::update(&mut h, b"w1\n\x04");
    sha2::Digest::update(&mut h, public.as_bytes());
    assert_eq!(raw[..4], sha2::Digest::finalize(h)[..4]);
    let time = u64::from_be_bytes(raw[4..12].try_into().unwrap());
    let body = &note[..note.rfind("\n\n").unwrap() + 1];
    let msg = format!("cosignature/v1\ntime {time}\n{body}");
    let sig = ed25519_dalek::Signature::from_bytes(&raw[12..].try_into().unwrap());
    public.verify_strict(msg.as_bytes(), &sig).unwrap();

    // The log grows: the witness wants a proof from what it saw.
    let (cp2, n2) = grow_and_checkpoint(&round, &ids[5..10], "pass", &office);
    let c2 = d.join("c2.cosigned");
    let o = w1.cosign(&cp2, &office_pub, None, &c2);
    assert_eq!(o.code, 2, "{}", o.stderr);
    assert!(
        o.stderr.contains(&format!(
            "choucha log prove-consistency --from {n1} --to {n2}"
        )),
        "{}",
        o.stderr
    );
    assert!(!c2.exists());
    let proof = d.join("p12.json");
    consistency(&round, n1, n2, &proof);
    let p: serde_json::Value = serde_json::from_str(&fs::read_to_string(&proof).unwrap()).unwrap();
    assert_eq!(p["old_size"], n1);
    assert_eq!(p["new_size"], n2);
    let o = w1.cosign(&cp2, &office_pub, Some(&proof), &c2);
    assert_eq!(o.code, 0, "{}", o.stderr);
    assert!(
        o.stderr.contains(&format!("grew from {n1} to {n2} lines")),
        "{}",
        o.stderr
    );

    // The proof on its own, for an auditor.
    let check = |p: &Path| {
        run(
            None,
            &[
                "verify-consistency",
                s(p),
                "--old",
                s(&cp1),
                "--new",
                s(&cp2),
                "--pubkey",
                s(&office_pub),
            ],
        )
    };
    let o = check(&proof);
    assert_eq!(o.code, 0, "{}", o.stderr);
    assert!(o.stdout.contains("was only appended to"), "{}", o.stdout);
    let mut bent = p.clone();
    let mut h0 = B64.decode(p["proof"][0].as_str().unwrap()).unwrap();
    h0[0] ^= 1;
    bent["proof"][0] = B64.encode(&h0).into();
    let bent_file = write(d, "bent.json", &bent.to_string());
    assert_eq!(check(&bent_file).code, 1);

    // A fork: the office shows someone else a history in which the same
    // accounts failed. Same size, another root: refused, state unchanged.
    let state_before = snapshot(&w1.state);
    let forked_round = d.join("r-forked");
    copy_round_at(&round, &forked_round, n1 as usize + 1);
    let (cpf, nf) = grow_and_checkpoint(&forked_round, &ids[5..10], "fail", &office);
    assert_eq!(nf, n2);
    let o = w1.cosign(&cpf, &office_pub, None, &d.join("cf"));
    assert_eq!(o.code, 1, "{}", o.stderr);
    assert!(o.stderr.contains("forked or was rewritten"), "{}", o.stderr);
    assert_eq!(snapshot(&w1.state), state_before);
    // A larger fork, with its own (valid) proof from size n1: still refused,
    // since the witness already holds n2 of the real history.
    let (cpf2, nf2) = grow_and_checkpoint(&forked_round, &ids[10..12], "pass", &office);
    let pf = d.join("pf.json");
    consistency(&forked_round, n2, nf2, &pf);
    let o = w1.cosign(&cpf2, &office_pub, Some(&pf), &d.join("cf2"));
    assert_eq!(o.code, 1, "{}", o.stderr);
    assert!(o.stderr.contains("forked or was rewritten"), "{}", o.stderr);
    // A rollback to the first checkpoint.
    let o = w1.cosign(&cp1, &office_pub, None, &d.join("c1again"));
    assert_eq!(o.code, 1, "{}", o.stderr);
    assert!(o.stderr.contains("a log never shrinks"), "{}", o.stderr);
    // A checkpoint not signed by the office's key.
    let (_, other_pub) = keygen(d, "other");
    let o = w1.cosign(&cp2, &other_pub, None, &d.join("x"));
    assert_eq!(o.code, 1, "{}", o.stderr);
    assert_eq!(snapshot(&w1.state), state_before);

    // verify: with the witness, with a quorum, and with a tampered line
    // (the round's results all in first, so that only the witnesses differ).
    let mut rest = String::from("id,verdict\n");
    for id in &ids[10..] {
        rest.push_str(&format!("{id},pass\n"));
    }
    let rest = write(d, "rest.csv", &rest);
    ok(Some(&round), &["record", s(&rest)]);
    let w2 = Witness::new(d, "w2");
    let verify = |cp: &Path, extra: &[&str]| {
        let mut args = vec!["verify", "--checkpoint", s(cp), "--pubkey", s(&office_pub)];
        args.extend_from_slice(extra);
        run(Some(&round), &args)
    };
    let o = verify(&c2, &["--witness", s(&w1.public)]);
    assert_eq!(o.code, 0, "{}{}", o.stdout, o.stderr);
    assert!(
        o.stdout.contains("1 of the 1 witnesses given cosigned it"),
        "{}",
        o.stdout
    );
    let both = ["--witness", s(&w1.public), "--witness", s(&w2.public)];
    let o = verify(&c2, &both);
    assert_eq!(o.code, 1, "{}", o.stdout);
    assert!(o.stdout.contains("no cosignature by"), "{}", o.stdout);
    let mut quorum_one = both.to_vec();
    quorum_one.extend(["--quorum", "1"]);
    assert_eq!(verify(&c2, &quorum_one).code, 0);
    let mut quorum_three = both.to_vec();
    quorum_three.extend(["--quorum", "3"]);
    assert_eq!(verify(&c2, &quorum_three).code, 2);
    // w2 cosigns too (its first sight of the log): the quorum of two holds.
    let c2b = d.join("c2.both");
    assert_eq!(w2.cosign(&c2, &office_pub, None, &c2b).code, 0);
    assert_eq!(verify(&c2b, &both).code, 0);
    // One byte of w1's signature changed: the whole check fails.
    let text = fs::read_to_string(&c2b).unwrap();
    let at = text.find("\u{2014} w1 ").unwrap() + "\u{2014} w1 ".len() + 30;
    let mut bytes = text.into_bytes();
    bytes[at] = if bytes[at] == b'A' { b'B' } else { b'A' };
    let tampered = d.join("c2.tampered");
    fs::write(&tampered, bytes).unwrap();
    let o = verify(&tampered, &both);
    assert_eq!(o.code, 1, "{}", o.stdout);
    assert!(o.stdout.contains("does not verify"), "{}", o.stdout);
}

#[test]
fn a_cosigned_checkpoint_is_never_written_over_a_rounds_record() {
    let tmp = TempDir::new().unwrap();
    let d = tmp.path();
    let (round, ids) = drawn_round(d, "r", 40);
    let (office, office_pub) = keygen(d, "office");
    let (cp, _) = grow_and_checkpoint(&round, &ids[..3], "pass", &office);
    let w = Witness::new(d, "w");
    let before = fs::read(&cp).unwrap();
    let o = w.cosign(&cp, &office_pub, None, &cp);
    assert_eq!(o.code, 2, "{}", o.stderr);
    assert!(
        o.stderr.contains("is a file of a round's record"),
        "{}",
        o.stderr
    );
    assert_eq!(fs::read(&cp).unwrap(), before);
    assert!(
        !w.state.exists(),
        "refused before the witness remembered anything"
    );
}

/// The round's files with its log cut to its first `lines` lines: the
/// history up to there, from which a different one can be grown.
fn copy_round_at(from: &Path, to: &Path, lines: usize) {
    fs::create_dir_all(to).unwrap();
    for e in fs::read_dir(from).unwrap() {
        let p = e.unwrap().path();
        if p.is_file() {
            fs::copy(&p, to.join(p.file_name().unwrap())).unwrap();
        }
    }
    let kept: Vec<String> = log_lines(from).into_iter().take(lines).collect();
    write_log(to, &kept);
}

fn pub_key(path: &Path) -> ed25519_dalek::VerifyingKey {
    let line = fs::read_to_string(path).unwrap();
    let blob = B64.decode(line.split_whitespace().nth(1).unwrap()).unwrap();
    ed25519_dalek::VerifyingKey::from_bytes(blob[blob.len() - 32..].try_into().unwrap()).unwrap()
}
