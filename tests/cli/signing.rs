//! Issue: signing — keys, SSHSIG signatures interoperable with OpenSSH,
//! signed checkpoints (C2SP tlog-checkpoint) and inclusion proofs.
//!
//! The checkpoint format is cross-checked here independently of choucha's own
//! code: the RFC 6962 root and audit path are recomputed by the few lines
//! below, the signed note is taken apart by hand and its Ed25519 signature
//! checked with ed25519-dalek. OpenSSH interop runs the real `ssh-keygen`
//! when it is on PATH, and is skipped (with a message) when it is not.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD as B64, STANDARD_NO_PAD as B64_NO_PAD};
use sha2::{Digest, Sha256};
use tempfile::TempDir;

use crate::*;

const NEW_MEDIA: &str = "anhui-2023q3-new-media";
const ROUNDS: [&str; 2] = [NEW_MEDIA, "anhui-2023q3-websites"];
const NAMESPACE: &str = "choucha-manifest";

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

/// `choucha keygen DIR/NAME`: (private key, public key, the printed fingerprint).
fn keygen(dir: &Path, name: &str) -> (PathBuf, PathBuf, String) {
    let key = dir.join(name);
    let out = ok(None, &["keygen", s(&key)]);
    let fp = out
        .lines()
        .find(|l| l.starts_with("SHA256:"))
        .unwrap_or_else(|| panic!("no fingerprint in: {out}"))
        .to_string();
    (key.clone(), dir.join(format!("{name}.pub")), fp)
}

#[cfg(unix)]
fn mode(p: &Path) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    fs::metadata(p).unwrap().permissions().mode() & 0o7777
}

#[cfg(unix)]
fn chmod(p: &Path, mode: u32) {
    use std::os::unix::fs::PermissionsExt;
    fs::set_permissions(p, fs::Permissions::from_mode(mode)).unwrap();
}

/// The key blob of an OpenSSH public key line (its second field, decoded).
fn pub_blob(pub_file: &Path) -> Vec<u8> {
    let line = fs::read_to_string(pub_file).unwrap();
    let b64 = line
        .split_whitespace()
        .nth(1)
        .expect("keytype base64 comment");
    B64.decode(b64).unwrap()
}

/// The raw Ed25519 public key: the blob's last 32 bytes.
fn pub_raw(pub_file: &Path) -> [u8; 32] {
    let blob = pub_blob(pub_file);
    blob[blob.len() - 32..].try_into().unwrap()
}

/// The fingerprint as `ssh-keygen -l` prints it, computed here: SHA256: and
/// the unpadded base64 of the blob's SHA-256.
fn fingerprint_of(pub_file: &Path) -> String {
    format!(
        "SHA256:{}",
        B64_NO_PAD.encode(Sha256::digest(pub_blob(pub_file)))
    )
}

/// A command that must fail with exit 1 (a discrepancy), saying `needle`.
fn rejected(o: &Outcome, needle: &str) {
    assert_eq!(o.code, 1, "should exit 1:\n{}{}", o.stdout, o.stderr);
    assert!(!o.stderr.contains("panicked"), "{}", o.stderr);
    assert!(
        o.stdout.contains(needle) || o.stderr.contains(needle),
        "expected {needle:?} in:\n{}{}",
        o.stdout,
        o.stderr
    );
}

// --- RFC 6962, written out again for the test --------------------------------

fn leaf(line: &[u8]) -> [u8; 32] {
    Sha256::new()
        .chain_update([0x00])
        .chain_update(line)
        .finalize()
        .into()
}

fn node(l: &[u8; 32], r: &[u8; 32]) -> [u8; 32] {
    Sha256::new()
        .chain_update([0x01])
        .chain_update(l)
        .chain_update(r)
        .finalize()
        .into()
}

/// The largest power of two strictly below n (n >= 2).
fn split(n: usize) -> usize {
    let mut k = 1;
    while k * 2 < n {
        k *= 2;
    }
    k
}

/// MTH(D[n]) of RFC 6962 §2.1.
fn mth(lines: &[String]) -> [u8; 32] {
    match lines.len() {
        0 => Sha256::digest(b"").into(),
        1 => leaf(lines[0].as_bytes()),
        n => {
            let k = split(n);
            node(&mth(&lines[..k]), &mth(&lines[k..]))
        }
    }
}

/// PATH(m, D[n]) of RFC 6962 §2.1.1, sibling nearest the leaf first.
fn audit_path(lines: &[String], m: usize) -> Vec<[u8; 32]> {
    if lines.len() <= 1 {
        return Vec::new();
    }
    let k = split(lines.len());
    let (mut path, sibling) = if m < k {
        (audit_path(&lines[..k], m), mth(&lines[k..]))
    } else {
        (audit_path(&lines[k..], m - k), mth(&lines[..k]))
    };
    path.push(sibling);
    path
}

/// A signed checkpoint taken apart by hand (c2sp.org/tlog-checkpoint in a
/// c2sp.org/signed-note): three text lines, a blank line, one signature line.
struct Note {
    /// The signed text: the three lines, each with its LF.
    text: String,
    origin: String,
    size: usize,
    root: [u8; 32],
    /// The name on the signature line.
    signer: String,
    /// key ID (4 bytes) || Ed25519 signature (64 bytes).
    blob: Vec<u8>,
}

fn parse_note(note: &str) -> Note {
    let (body, sigs) = note.split_once("\n\n").expect("a blank line");
    let text = format!("{body}\n");
    let lines: Vec<&str> = body.split('\n').collect();
    assert_eq!(lines.len(), 3, "origin, size, root: {note:?}");
    let sig_lines: Vec<&str> = sigs
        .strip_suffix('\n')
        .expect("final LF")
        .split('\n')
        .collect();
    assert_eq!(sig_lines.len(), 1, "{note:?}");
    let rest = sig_lines[0]
        .strip_prefix("\u{2014} ")
        .expect("em dash, space");
    let (signer, sig) = rest.split_once(' ').expect("name base64");
    Note {
        text,
        origin: lines[0].to_string(),
        size: lines[1].parse().expect("decimal size"),
        root: B64.decode(lines[2]).unwrap().try_into().expect("32 bytes"),
        signer: signer.to_string(),
        blob: B64.decode(sig).unwrap(),
    }
}

/// The round's checkpoint records: (size, path of the checkpoint file).
fn checkpoints(round: &Path) -> Vec<(usize, PathBuf)> {
    log_records(round, "checkpoint")
        .iter()
        .map(|r| {
            let size = r["size"].as_u64().unwrap() as usize;
            assert_eq!(r["file"], format!("checkpoints/{size}"));
            (size, round.join("checkpoints").join(size.to_string()))
        })
        .collect()
}

/// `choucha verify ROUND --checkpoint CP --pubkey KEY`: the outcome and its
/// one `checkpoint:` line.
fn verify_checkpoint(round: &Path, cp: &Path, key: &Path) -> (Outcome, String) {
    let o = run(
        None,
        &[
            "verify",
            s(round),
            "--checkpoint",
            s(cp),
            "--pubkey",
            s(key),
        ],
    );
    assert!(!o.stderr.contains("panicked"), "{}", o.stderr);
    let lines: Vec<&str> = o
        .stdout
        .lines()
        .filter(|l| l.contains(" checkpoint: "))
        .collect();
    assert_eq!(lines.len(), 1, "{}", o.stdout);
    let line = lines[0].to_string();
    (o, line)
}

// --- OpenSSH -------------------------------------------------------------------

/// `ssh-keygen`, if it is on PATH.
fn ssh_keygen() -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|d| d.join("ssh-keygen"))
        .find(|p| p.is_file())
}

fn ssh(exe: &Path, args: &[&str], stdin: Option<&Path>) -> Output {
    let mut c = Command::new(exe);
    c.args(args).env_remove("SSH_AUTH_SOCK");
    if let Some(f) = stdin {
        c.stdin(fs::File::open(f).unwrap());
    }
    c.output().unwrap()
}

fn show(o: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

/// `ssh-keygen -Y verify -f ALLOWED -I ID -n NAMESPACE -s FILE.sig < FILE`.
fn ssh_verify(exe: &Path, allowed: &Path, id: &str, namespace: &str, file: &Path) -> Output {
    let sig = PathBuf::from(format!("{}.sig", file.display()));
    ssh(
        exe,
        &[
            "-Y",
            "verify",
            "-f",
            s(allowed),
            "-I",
            id,
            "-n",
            namespace,
            "-s",
            s(&sig),
        ],
        Some(file),
    )
}

// --- keygen --------------------------------------------------------------------

#[cfg(unix)]
#[test]
fn keygen_writes_a_0600_key_and_an_openssh_pub_line_and_never_overwrites() {
    let tmp = TempDir::new().unwrap();
    let d = tmp.path();
    let key = d.join("office");
    let pubf = d.join("office.pub");
    let out = ok(None, &["keygen", s(&key), "--comment", "安徽 office"]);
    assert_eq!(mode(&key), 0o600);
    let private = fs::read_to_string(&key).unwrap();
    assert!(
        private.starts_with("-----BEGIN OPENSSH PRIVATE KEY-----\n")
            && private.ends_with("-----END OPENSSH PRIVATE KEY-----\n"),
        "{private}"
    );
    // One line: ssh-ed25519, the wire blob (string "ssh-ed25519", string key), the comment.
    let line = fs::read_to_string(&pubf).unwrap();
    assert!(
        line.ends_with('\n') && line.lines().count() == 1,
        "{line:?}"
    );
    let fields: Vec<&str> = line.trim_end().splitn(3, ' ').collect();
    assert_eq!(fields[0], "ssh-ed25519", "{line}");
    assert_eq!(fields[2], "安徽 office", "{line}");
    let blob = pub_blob(&pubf);
    assert_eq!(blob.len(), 4 + 11 + 4 + 32);
    assert_eq!(&blob[..15], b"\0\0\0\x0bssh-ed25519");
    assert_eq!(&blob[15..19], &[0, 0, 0, 32]);
    assert!(out.contains(&fingerprint_of(&pubf)), "{out}");

    // The comment defaults to the file name.
    ok(None, &["keygen", s(&d.join("auditor"))]);
    let line = fs::read_to_string(d.join("auditor.pub")).unwrap();
    assert!(line.trim_end().ends_with(" auditor"), "{line}");

    // Both exist, or only NAME.pub: refused, nothing touched or created.
    // Only NAME (a keygen cut off between its two files): the pair is
    // completed from the private key, the public half byte for byte as before.
    refused(
        d,
        &["keygen", s(&key)],
        &format!("{}: already exists", key.display()),
    );
    let key_bytes = fs::read(&key).unwrap();
    let pub_bytes = fs::read(&pubf).unwrap();
    fs::remove_file(&pubf).unwrap();
    let out = ok(None, &["keygen", s(&key)]);
    assert!(out.contains("was missing beside"), "{out}");
    assert_eq!(fs::read(&pubf).unwrap(), pub_bytes);
    assert_eq!(fs::read(&key).unwrap(), key_bytes);
    fs::remove_file(&key).unwrap();
    refused(
        d,
        &["keygen", s(&key)],
        &format!("{}: already exists", pubf.display()),
    );
    assert!(!key.exists());
    assert_eq!(fs::read(&pubf).unwrap(), pub_bytes);
}

#[cfg(unix)]
#[test]
fn a_private_key_others_can_read_is_refused_by_sign_checkpoint_and_draw() {
    let tmp = TempDir::new().unwrap();
    let round = seeded(tmp.path(), "r", WORKED);
    let (key, _, fp) = keygen(tmp.path(), "k");
    let k = s(&key);
    let roster = round.join("roster.tsv");
    let log = fs::read(round.join("log.jsonl")).unwrap();
    for m in [0o644, 0o640, 0o604] {
        chmod(&key, m);
        let said = format!("permissions {m:04o} are too open");
        for args in [
            &["draw", "--sign-key", k][..],
            &["checkpoint", "--key", k],
            &["sign", s(&roster), "--key", k],
        ] {
            // `refused`: exit 2, the message, no file in the round changed or added.
            refused(&round, args, "chmod 600");
            refused(&round, args, &said);
        }
    }
    assert!(!round.join("checkpoints").exists());
    assert!(!round.join("manifest.json").exists());
    assert_eq!(fs::read(round.join("log.jsonl")).unwrap(), log);

    // Owner-only, the same key draws and signs; the log names its fingerprint.
    chmod(&key, 0o600);
    ok(Some(&round), &["draw", "--sign-key", k]);
    assert!(round.join("manifest.json.sig").is_file());
    assert_eq!(
        log_records(&round, "sample-drawn")[0]["signer"],
        fp.as_str()
    );
    assert_eq!(
        fp,
        fingerprint_of(&PathBuf::from(format!("{}.pub", key.display())))
    );
}

// --- OpenSSH interop -----------------------------------------------------------

#[test]
fn openssh_accepts_choucha_signatures_and_choucha_accepts_openssh_ones() {
    let Some(exe) = ssh_keygen() else {
        eprintln!("skipped: ssh-keygen is not on PATH; OpenSSH interop not checked");
        return;
    };
    let tmp = TempDir::new().unwrap();
    let d = tmp.path();
    let (key, pubf, fp) = keygen(d, "office");
    let id = "office@example.gov.cn";
    let pub_line = fs::read_to_string(&pubf).unwrap();
    let allowed = write(
        d,
        "allowed_signers",
        &format!("# who may sign manifests\n{id} namespaces=\"{NAMESPACE}\" {pub_line}"),
    );

    // What `draw --sign-key` wrote.
    let round = seeded(d, "r", WORKED);
    ok(Some(&round), &["draw", "--sign-key", s(&key)]);
    let manifest = round.join("manifest.json");
    let o = ssh_verify(&exe, &allowed, id, NAMESPACE, &manifest);
    assert!(o.status.success(), "{}", show(&o));
    assert!(
        show(&o).contains(&format!("Good \"{NAMESPACE}\" signature for {id}")),
        "{}",
        show(&o)
    );
    // The fingerprint sample-drawn records is the one `ssh-keygen -l` prints.
    let o = ssh(&exe, &["-l", "-f", s(&pubf)], None);
    assert!(o.status.success(), "{}", show(&o));
    let listed = String::from_utf8(o.stdout).unwrap();
    let ssh_fp = listed.split_whitespace().nth(1).unwrap();
    assert_eq!(log_records(&round, "sample-drawn")[0]["signer"], ssh_fp);
    assert_eq!(ssh_fp, fp);

    // What `choucha sign` made, of any file.
    let notice = write(d, "notice.txt", "2023年第三季度全省政务新媒体抽查情况\n");
    ok(None, &["sign", s(&notice), "--key", s(&key)]);
    let o = ssh_verify(&exe, &allowed, id, NAMESPACE, &notice);
    assert!(o.status.success(), "{}", show(&o));
    // The namespace is bound: ssh-keygen rejects it for another use.
    let o = ssh_verify(&exe, &allowed, id, "file", &notice);
    assert!(!o.status.success(), "{}", show(&o));

    // ssh-keygen signs with choucha's private key as it is; choucha verifies.
    let table = write(d, "table.csv", "序号,地区,总数\n1,合肥市,3\n");
    let o = ssh(
        &exe,
        &["-Y", "sign", "-f", s(&key), "-n", NAMESPACE, s(&table)],
        None,
    );
    assert!(o.status.success(), "{}", show(&o));
    let out = ok(None, &["verify-signature", s(&table), "--pubkey", s(&pubf)]);
    assert!(
        out.contains(&format!("is signed by {fp} (namespace {NAMESPACE})")),
        "{out}"
    );
    ok(
        None,
        &[
            "verify-signature",
            s(&table),
            "--allowed-signers",
            s(&allowed),
            "--identity",
            id,
        ],
    );
    // An identity the allowed_signers file does not name: a discrepancy.
    let o = run(
        None,
        &[
            "verify-signature",
            s(&table),
            "--allowed-signers",
            s(&allowed),
            "--identity",
            "someone@else.cn",
        ],
    );
    rejected(&o, "no key is allowed to sign as \"someone@else.cn\"");

    // And choucha signs with a key ssh-keygen made.
    let auditor = d.join("auditor");
    let o = ssh(
        &exe,
        &[
            "-q",
            "-t",
            "ed25519",
            "-N",
            "",
            "-C",
            "auditor",
            "-f",
            s(&auditor),
        ],
        None,
    );
    assert!(o.status.success(), "{}", show(&o));
    let audit = write(d, "audit.txt", "checked\n");
    ok(None, &["sign", s(&audit), "--key", s(&auditor)]);
    let auditor_pub = d.join("auditor.pub");
    let allowed2 = write(
        d,
        "allowed2",
        &format!("auditor {}", fs::read_to_string(&auditor_pub).unwrap()),
    );
    let o = ssh_verify(&exe, &allowed2, "auditor", NAMESPACE, &audit);
    assert!(o.status.success(), "{}", show(&o));
    ok(
        None,
        &["verify-signature", s(&audit), "--pubkey", s(&auditor_pub)],
    );
}

#[test]
fn allowed_signers_options_choucha_cannot_honour_are_refused_not_ignored() {
    let tmp = TempDir::new().unwrap();
    let d = tmp.path();
    let (key, pubf, _) = keygen(d, "office");
    let pub_line = fs::read_to_string(&pubf).unwrap();
    let file = write(d, "notice.txt", "notice\n");
    ok(None, &["sign", s(&file), "--key", s(&key)]);
    let check = |allowed: &str| {
        let f = write(d, "allowed_signers", allowed);
        run(
            None,
            &[
                "verify-signature",
                s(&file),
                "--allowed-signers",
                s(&f),
                "--identity",
                "office",
            ],
        )
    };
    assert_eq!(check(&format!("office {pub_line}")).code, 0);
    // The key's validity ended in 2000: ssh-keygen rejects the signature, so
    // choucha must not accept it by skipping the option.
    let expired =
        format!("office namespaces=\"{NAMESPACE}\",valid-before=\"20000101Z\" {pub_line}");
    let o = check(&expired);
    assert_eq!(o.code, 2, "{}{}", o.stdout, o.stderr);
    assert!(
        o.stderr
            .contains("line 1: option valid-before=\"20000101Z\" is not supported"),
        "{}",
        o.stderr
    );
    if let Some(exe) = ssh_keygen() {
        let f = write(d, "allowed_signers", &expired);
        let o = ssh_verify(&exe, &f, "office", NAMESPACE, &file);
        assert!(!o.status.success(), "{}", show(&o));
    }
    let o = check(&format!("office cert-authority {pub_line}"));
    assert_eq!(o.code, 2, "{}", o.stderr);
    assert!(o.stderr.contains("cert-authority"), "{}", o.stderr);
    // A key type not starting with ssh- is a key, not an option; a key of
    // another type is read past, as ssh-keygen reads it: an auditor's file
    // may hold other people's ECDSA or RSA keys.
    let ecdsa = "ecdsa-sha2-nistp256 AAAAE2VjZHNhLXNoYTItbmlzdHAyNTYAAAAIbmlzdHAyNTYAAABBBM563bzqCHWbQqo7kLcfdjGdnbFnsHOSLdZAcOpiK74GjbIOwIHj9/0egEgD65NSgwuLXfPKOS0sSj4+CafLSfw= x\n";
    let mixed = format!("someone {ecdsa}office {pub_line}");
    let o = check(&mixed);
    assert_eq!(o.code, 0, "{}{}", o.stdout, o.stderr);
    if let Some(exe) = ssh_keygen() {
        let f = write(d, "allowed_signers", &mixed);
        let o = ssh_verify(&exe, &f, "office", NAMESPACE, &file);
        assert!(o.status.success(), "{}", show(&o));
    }
    // Only the ECDSA key is allowed for `someone`: nothing choucha could check.
    let o = run(
        None,
        &[
            "verify-signature",
            s(&file),
            "--allowed-signers",
            s(&write(d, "allowed_signers", &mixed)),
            "--identity",
            "someone",
        ],
    );
    assert_eq!(o.code, 1, "{}{}", o.stdout, o.stderr);
}

// --- rejections ------------------------------------------------------------------

#[test]
fn a_manifest_changed_after_signing_or_signed_by_another_key_is_rejected() {
    let tmp = TempDir::new().unwrap();
    let (_, base) = demo(tmp.path());
    let manifest = base.join(NEW_MEDIA).join("manifest.json");
    let office = base.join("office-key.pub");
    let m = s(&manifest);
    ok(None, &["verify-signature", m, "--pubkey", s(&office)]);

    // Another key's .pub, given directly or through allowed_signers.
    let (_, other, _) = keygen(tmp.path(), "other");
    let o = run(None, &["verify-signature", m, "--pubkey", s(&other)]);
    rejected(
        &o,
        &format!(
            "{m}: FAILED: the signature was made by another key ({})",
            fingerprint_of(&office)
        ),
    );
    let allowed = write(
        tmp.path(),
        "allowed_signers",
        &format!("office {}", fs::read_to_string(&other).unwrap()),
    );
    let o = run(
        None,
        &[
            "verify-signature",
            m,
            "--allowed-signers",
            s(&allowed),
            "--identity",
            "office",
        ],
    );
    rejected(&o, "the signature was made by another key");

    // One number changed after signing.
    let text = fs::read_to_string(&manifest).unwrap();
    let changed = text.replacen("\"sample_size\": 1658", "\"sample_size\": 1657", 1);
    assert_ne!(changed, text);
    fs::write(&manifest, changed).unwrap();
    let o = run(None, &["verify-signature", m, "--pubkey", s(&office)]);
    rejected(&o, &format!("{m}: FAILED: "));
    rejected(&o, "changed after signing");
}

#[test]
fn verify_rejects_a_cut_log_an_edited_line_and_another_keys_checkpoint() {
    let tmp = TempDir::new().unwrap();
    let (_, base) = demo(tmp.path());
    let round = base.join(NEW_MEDIA);
    let office = base.join("office-key.pub");
    let (size, cp) = checkpoints(&round).pop().unwrap();
    let (o, line) = verify_checkpoint(&round, &cp, &office);
    assert_eq!(o.code, 0, "{}", o.stdout);
    assert!(line.starts_with("ok      checkpoint: "), "{line}");
    let intact = log_lines(&round);

    // The demo's log ends with the `checkpoint` record itself, written after
    // the checkpoint was signed and so not covered by it: cutting that one
    // line leaves the signed first <size> lines intact, and verify rightly
    // still passes. Cut lines until the log is shorter than the checkpoint.
    assert_eq!(intact.len(), size + 1);
    assert_eq!(index_of(&intact[size..], "checkpoint"), 0);
    write_log(&round, &intact[..size]);
    let (o, line) = verify_checkpoint(&round, &cp, &office);
    assert_eq!(o.code, 0, "{}", o.stdout);
    assert!(line.starts_with("ok      checkpoint: "), "{line}");
    write_log(&round, &intact[..size - 1]);
    chain_holds(&round);
    let (o, line) = verify_checkpoint(&round, &cp, &office);
    rejected(&o, "verdict: FAILED");
    assert!(line.starts_with("FAILED  checkpoint: "), "{line}");
    assert!(
        line.contains(&format!(
            "the checkpoint signed {size} lines, but the log has only {}: lines were cut off the end",
            size - 1
        )),
        "{line}"
    );

    // A result line changed before the checkpoint, the chain re-hashed: the
    // inspection date is not counted, so only the checkpoint can tell.
    let mut lines = intact.clone();
    let i = index_of(&lines, "result-recorded") + 10;
    let r: serde_json::Value = serde_json::from_str(&lines[i]).unwrap();
    let date = format!("\"checked_at\":\"{}\"", r["checked_at"].as_str().unwrap());
    assert!(lines[i].contains(&date) && date != "\"checked_at\":\"2023-08-01\"");
    lines[i] = lines[i].replace(&date, "\"checked_at\":\"2023-08-01\"");
    forge(&round, &mut lines, i + 1);
    let (o, line) = verify_checkpoint(&round, &cp, &office);
    rejected(&o, "verdict: FAILED — 1 of ");
    assert_eq!(o.stdout.matches("FAILED  ").count(), 1, "{}", o.stdout);
    assert!(line.starts_with("FAILED  checkpoint: "), "{line}");
    assert!(
        line.contains(&format!("the log's first {size} lines have root "))
            && line.contains("lines before it were changed, removed or reordered"),
        "{line}"
    );

    // Signed by another key (or checked against the wrong one).
    write_log(&round, &intact);
    let (_, other, _) = keygen(tmp.path(), "other");
    let (o, line) = verify_checkpoint(&round, &cp, &other);
    rejected(&o, "verdict: FAILED");
    assert_eq!(
        line,
        format!(
            "FAILED  checkpoint: {}: no signature by choucha/{NEW_MEDIA}",
            cp.display()
        )
    );

    // The checkpoint's text edited after signing.
    let note = fs::read_to_string(&cp).unwrap();
    let edited = note.replacen(&format!("\n{size}\n"), &format!("\n{}\n", size - 1), 1);
    assert_ne!(edited, note);
    fs::write(&cp, edited).unwrap();
    let (o, line) = verify_checkpoint(&round, &cp, &office);
    rejected(&o, "verdict: FAILED");
    assert!(
        line.ends_with(&format!("signature by choucha/{NEW_MEDIA} does not verify")),
        "{line}"
    );
}

#[test]
fn inclusion_proofs_verify_and_a_changed_line_or_hash_is_rejected() {
    let tmp = TempDir::new().unwrap();
    let (_, base) = demo(tmp.path());
    let round = base.join(NEW_MEDIA);
    let office = base.join("office-key.pub");
    let (size, cp) = checkpoints(&round).pop().unwrap();
    let failed = log_records(&round, "result-recorded")
        .into_iter()
        .find(|r| r["verdict"] == "fail")
        .unwrap();
    let id = failed["id"].as_str().unwrap();
    let text = ok(Some(&round), &["prove", "--id", id]);
    let proof: serde_json::Value = serde_json::from_str(&text).unwrap();

    // The proof, checked by hand: the checkpoint's tree, the log's line, the
    // RFC 6962 audit path.
    let note = parse_note(&fs::read_to_string(&cp).unwrap());
    let lines = log_lines(&round);
    let index = failed["seq"].as_u64().unwrap() as usize;
    assert_eq!(proof["format"], "choucha-proof/1");
    assert_eq!(proof["origin"], note.origin.as_str());
    assert_eq!(proof["size"], size);
    assert_eq!(proof["root"], B64.encode(note.root));
    assert_eq!(proof["index"], index);
    assert_eq!(proof["line"], lines[index].as_str());
    let path: Vec<String> = audit_path(&lines[..size], index)
        .iter()
        .map(|h| B64.encode(h))
        .collect();
    assert_eq!(proof["proof"], serde_json::json!(path));

    let verify_proof = |p: &serde_json::Value, key: &Path| {
        let f = write(tmp.path(), "proof.json", &p.to_string());
        run(
            None,
            &[
                "verify-proof",
                s(&f),
                "--checkpoint",
                s(&cp),
                "--pubkey",
                s(key),
            ],
        )
    };
    let o = verify_proof(&proof, &office);
    assert_eq!(o.code, 0, "{}", o.stderr);
    assert!(
        o.stdout.contains(&format!(
            "ok: line {} (result-recorded {id} fail) is in choucha/{NEW_MEDIA} as of its {size} lines",
            index + 1
        )),
        "{}",
        o.stdout
    );

    // The verdict changed: that line is not in the log.
    let mut forged = proof.clone();
    let line = proof["line"].as_str().unwrap();
    assert!(line.contains("\"verdict\":\"fail\""), "{line}");
    forged["line"] = line
        .replace("\"verdict\":\"fail\"", "\"verdict\":\"pass\"")
        .into();
    rejected(
        &verify_proof(&forged, &office),
        &format!("FAILED: line {} is not in the checkpointed log", index + 1),
    );

    // One bit of one hash of the path flipped.
    let mut forged = proof.clone();
    let mut h = B64.decode(proof["proof"][3].as_str().unwrap()).unwrap();
    h[7] ^= 0x10;
    forged["proof"][3] = B64.encode(&h).into();
    rejected(
        &verify_proof(&forged, &office),
        "is not in the checkpointed log",
    );

    // A proof of another tree size is told apart from one of another history.
    let mut other_size = proof.clone();
    other_size["size"] = (size + 1).into();
    let o = verify_proof(&other_size, &office);
    rejected(
        &o,
        &format!("the proof is for choucha/{NEW_MEDIA} at size {}", size + 1),
    );
    assert!(
        o.stderr.contains("choucha prove --id ID --checkpoint FILE"),
        "{}",
        o.stderr
    );
    let mut other_root = proof.clone();
    let mut root = B64.decode(proof["root"].as_str().unwrap()).unwrap();
    root[0] ^= 1;
    other_root["root"] = B64.encode(&root).into();
    rejected(
        &verify_proof(&other_root, &office),
        "the proof comes from a log whose history differs from the one this checkpoint signed",
    );

    // Against another key's .pub, the checkpoint itself fails.
    let (_, other, _) = keygen(tmp.path(), "other");
    rejected(
        &verify_proof(&proof, &other),
        &format!("FAILED: no signature by choucha/{NEW_MEDIA}"),
    );

    // An account without a result has nothing to prove.
    refused(&round, &["prove", "--id", "NO-SUCH-ID"], "has no result");
}

// --- checkpoints -----------------------------------------------------------------

#[test]
fn a_second_checkpoint_covers_the_first_and_a_contradicted_one_blocks_signing() {
    let tmp = TempDir::new().unwrap();
    let (round, ids) = drawn_round(tmp.path(), "r", 40);
    let (key, pubf, fp) = keygen(tmp.path(), "office");
    let k = s(&key);

    let n0 = log_lines(&round).len();
    let note1 = ok(Some(&round), &["checkpoint", "--key", k]);
    let c1 = round.join("checkpoints").join(n0.to_string());
    assert_eq!(fs::read_to_string(&c1).unwrap(), note1);
    assert_eq!(parse_note(&note1).size, n0);
    let rec = &log_records(&round, "checkpoint")[0];
    assert_eq!(rec["seq"], n0); // the record is the first line after those signed
    assert_eq!(rec["size"], n0);
    assert_eq!(rec["signer"], fp.as_str());
    assert_eq!(rec["root"], B64.encode(parse_note(&note1).root));

    // Results recorded in between.
    let mut csv = String::from("id,verdict\n");
    for id in &ids {
        csv.push_str(&format!("{id},pass\n"));
    }
    let f = write(tmp.path(), "results.csv", &csv);
    let before = log_lines(&round).len();
    ok(Some(&round), &["record", s(&f)]);
    let appended = log_lines(&round).len() - before;
    assert!(appended > ids.len(), "the batch is framed");

    let note2 = ok(Some(&round), &["checkpoint", "--key", k]);
    let n2 = parse_note(&note2).size;
    assert_eq!(n2, n0 + 1 + appended);
    // Its tree includes the first checkpoint's record (line n0 + 1).
    let lines = log_lines(&round);
    assert_eq!(parse_note(&note2).root, mth(&lines[..n2]));
    assert_eq!(index_of(&lines[n0..], "checkpoint"), 0);
    let c2 = round.join("checkpoints").join(n2.to_string());
    assert_eq!(
        checkpoints(&round),
        vec![(n0, c1.clone()), (n2, c2.clone())]
    );

    ok(Some(&round), &["report", "--publish"]);
    let out = ok(
        None,
        &[
            "verify",
            s(&round),
            "--checkpoint",
            s(&c1),
            "--checkpoint",
            s(&c2),
            "--pubkey",
            s(&pubf),
        ],
    );
    assert_eq!(out.matches("ok      checkpoint: ").count(), 2, "{out}");

    // A line before the first checkpoint edited, the chain re-hashed: `log
    // check` passes, but checkpoint refuses to sign a log that contradicts
    // what it signed before, and writes nothing.
    let mut lines = log_lines(&round);
    let i = index_of(&lines, "seed-revealed");
    assert!(lines[i].contains("\"source\":\"20 dice\""), "{}", lines[i]);
    lines[i] = lines[i].replace("\"source\":\"20 dice\"", "\"source\":\"21 dice\"");
    forge(&round, &mut lines, i + 1);
    let signed = snapshot(&round.join("checkpoints"));
    refused(
        &round,
        &["checkpoint", "--key", k],
        &format!("{} is inconsistent with the log", c1.display()),
    );
    refused(&round, &["checkpoint", "--key", k], "refusing to sign");
    assert_eq!(snapshot(&round.join("checkpoints")), signed);
}

#[test]
fn checkpoints_are_c2sp_signed_notes_over_the_rfc6962_root_of_the_log() {
    let tmp = TempDir::new().unwrap();
    let (_, base) = demo(tmp.path());
    let office = base.join("office-key.pub");
    let raw = pub_raw(&office);
    let vk = ed25519_dalek::VerifyingKey::from_bytes(&raw).unwrap();
    for name in ROUNDS {
        let round = base.join(name);
        let (size, cp) = checkpoints(&round).pop().unwrap();
        let note = parse_note(&fs::read_to_string(&cp).unwrap());
        assert_eq!(note.origin, format!("choucha/{name}"));
        assert_eq!(note.size, size);
        assert_eq!(
            note.text,
            format!("{}\n{size}\n{}\n", note.origin, B64.encode(note.root))
        );

        // The root: RFC 6962 over the log's first <size> lines, each without its LF.
        let lines = log_lines(&round);
        assert_eq!(note.root, mth(&lines[..size]), "{name}");
        let rec = &log_records(&round, "checkpoint")[0];
        assert_eq!(rec["root"], B64.encode(note.root));
        assert_eq!(rec["origin"], note.origin.as_str());

        // The signature line: the origin as key name, key ID
        // SHA-256(origin || LF || 0x01 || pubkey)[..4], then Ed25519 over the text.
        assert_eq!(note.signer, note.origin);
        assert_eq!(note.blob.len(), 4 + 64);
        let id = Sha256::new()
            .chain_update(note.origin.as_bytes())
            .chain_update([0x0A, 0x01])
            .chain_update(raw)
            .finalize();
        assert_eq!(note.blob[..4], id[..4], "{name}: key ID");
        let sig = ed25519_dalek::Signature::from_slice(&note.blob[4..]).unwrap();
        vk.verify_strict(note.text.as_bytes(), &sig)
            .unwrap_or_else(|e| panic!("{name}: {e}"));

        // Both records name the key by the fingerprint `ssh-keygen -l` prints.
        assert_eq!(rec["signer"], fingerprint_of(&office).as_str());
        assert_eq!(
            log_records(&round, "sample-drawn")[0]["signer"],
            fingerprint_of(&office).as_str()
        );
    }
}

#[test]
fn the_demo_verifies_each_rounds_checkpoint_and_manifest_signature() {
    let tmp = TempDir::new().unwrap();
    let (out, base) = demo(tmp.path());
    for name in ROUNDS {
        let (size, cp) = checkpoints(&base.join(name)).pop().unwrap();
        let want = format!("ok      checkpoint: {}: signed by ", cp.display());
        assert_eq!(
            out.lines().filter(|l| l.starts_with(&want)).count(),
            1,
            "{want:?} in:\n{out}"
        );
        assert!(
            out.contains(&format!(
                "the log's first {size} lines are exactly those it signed"
            )),
            "{out}"
        );
        let manifest = base.join(name).join("manifest.json");
        assert!(
            out.contains(&format!("ok: {} is signed by SHA256:", manifest.display())),
            "{out}"
        );
    }
    assert_eq!(out.matches("ok      checkpoint: ").count(), 2, "{out}");
}

/// `verify --pubkey` alone checks manifest.json.sig: a flipped byte, another
/// key or a missing signature fails the round, with or without a checkpoint.
#[test]
fn verify_with_a_key_checks_the_manifest_signature() {
    let tmp = tempfile::tempdir().unwrap();
    let (key, pubf, _) = keygen(tmp.path(), "office");
    let (_, other, _) = keygen(tmp.path(), "other");
    let round = crate::seeded(tmp.path(), "r", crate::WORKED);
    ok(Some(&round), &["draw", "--sign-key", s(&key)]);
    let m: serde_json::Value =
        serde_json::from_slice(&fs::read(round.join("manifest.json")).unwrap()).unwrap();
    for stratum in m["strata"].as_array().unwrap() {
        for id in stratum["ids"].as_array().unwrap() {
            ok(
                Some(&round),
                &["record", "--id", id.as_str().unwrap(), "--pass"],
            );
        }
    }
    let signature_line = |o: &Outcome| {
        o.stdout
            .lines()
            .find(|l| l.contains(" signature: "))
            .unwrap_or("")
            .to_string()
    };
    let o = run(None, &["verify", s(&round), "--pubkey", s(&pubf)]);
    assert_eq!(o.code, 0, "{}{}", o.stdout, o.stderr);
    assert!(signature_line(&o).starts_with("ok"), "{}", o.stdout);
    // Without a key there is nothing to check it with: no line, as before.
    let o = run(None, &["verify", s(&round)]);
    assert_eq!(
        (o.code, signature_line(&o)),
        (0, String::new()),
        "{}",
        o.stdout
    );

    let o = run(None, &["verify", s(&round), "--pubkey", s(&other)]);
    assert_eq!(o.code, 1, "{}", o.stdout);
    assert!(signature_line(&o).starts_with("FAILED"), "{}", o.stdout);

    // One byte of the signature's base64 changed.
    let sig = round.join("manifest.json.sig");
    let text = fs::read_to_string(&sig).unwrap();
    let body = text.lines().nth(3).unwrap();
    let flipped_char = if body.as_bytes()[10] == b'A' {
        "B"
    } else {
        "A"
    };
    let flipped = text.replacen(
        body,
        &format!("{}{flipped_char}{}", &body[..10], &body[11..]),
        1,
    );
    fs::write(&sig, flipped).unwrap();
    ok(Some(&round), &["checkpoint", "--key", s(&key)]);
    let cp = checkpoints(&round).pop().unwrap().1;
    for args in [
        vec!["verify", s(&round), "--pubkey", s(&pubf)],
        vec![
            "verify",
            s(&round),
            "--checkpoint",
            s(&cp),
            "--pubkey",
            s(&pubf),
        ],
    ] {
        let o = run(None, &args);
        assert_eq!(o.code, 1, "{args:?}: {}", o.stdout);
        assert!(signature_line(&o).starts_with("FAILED"), "{}", o.stdout);
    }
    fs::remove_file(&sig).unwrap();
    let o = run(None, &["verify", s(&round), "--pubkey", s(&pubf)]);
    assert_eq!(o.code, 1, "{}", o.stdout);
    assert!(signature_line(&o).contains("is missing"), "{}", o.stdout);
}

/// Every checkpoint record of the log is held against its file; a
/// checkpoint killed between its file and its record leaves an orphan file
/// that the next checkpoint takes as its own instead of being blocked.
#[test]
fn checkpoint_records_match_their_files_and_an_orphan_does_not_block() {
    let tmp = tempfile::tempdir().unwrap();
    let (key, _, _) = keygen(tmp.path(), "office");
    let round = crate::seeded(tmp.path(), "r", crate::WORKED);
    ok(Some(&round), &["draw"]);
    ok(Some(&round), &["checkpoint", "--key", s(&key)]);
    let records_line = |o: &Outcome| {
        o.stdout
            .lines()
            .find(|l| l.contains(" checkpoint records: "))
            .unwrap_or("")
            .to_string()
    };
    let o = run(None, &["verify", s(&round)]);
    assert!(records_line(&o).starts_with("ok"), "{}", o.stdout);
    assert!(o.stderr.contains("re-chained"), "{}", o.stderr);

    // The file the record names, changed: named in the finding.
    let (_, file) = checkpoints(&round).pop().unwrap();
    let note = fs::read_to_string(&file).unwrap();
    fs::write(&file, note.replacen("\n4\n", "\n3\n", 1)).unwrap();
    let o = run(None, &["verify", s(&round)]);
    assert_eq!(o.code, 1, "{}", o.stdout);
    assert!(records_line(&o).starts_with("FAILED"), "{}", o.stdout);
    assert!(records_line(&o).contains("checkpoints/4"), "{}", o.stdout);
    fs::write(&file, &note).unwrap();

    // Killed after the file, before the record: the record is gone, the file stays.
    let mut lines = log_lines(&round);
    lines.pop();
    write_log(&round, &lines);
    ok(Some(&round), &["checkpoint", "--key", s(&key)]);
    let o = run(None, &["verify", s(&round)]);
    assert!(records_line(&o).starts_with("ok"), "{}", o.stdout);
}

/// `sign` never replaces a round's manifest.json.sig, the draw's own signature.
#[test]
fn sign_never_replaces_the_rounds_manifest_signature() {
    let tmp = tempfile::tempdir().unwrap();
    let (key, _, _) = keygen(tmp.path(), "office");
    let (other, _, _) = keygen(tmp.path(), "other");
    let round = crate::seeded(tmp.path(), "r", crate::WORKED);
    ok(Some(&round), &["draw", "--sign-key", s(&key)]);
    let manifest = round.join("manifest.json");
    refused(
        &round,
        &["sign", s(&manifest), "--key", s(&other)],
        "sign never replaces a file of the round's record",
    );
    // Elsewhere the same bytes are signed as any file.
    let copy = tmp.path().join("manifest.json");
    fs::copy(&manifest, &copy).unwrap();
    ok(None, &["sign", s(&copy), "--key", s(&other)]);
    assert!(tmp.path().join("manifest.json.sig").is_file());

    // Nor through a link to it: FILE.sig a symbolic link to the round's.
    #[cfg(unix)]
    {
        let round_sig = round.join("manifest.json.sig");
        let before = fs::read(&round_sig).unwrap();
        let linked = tmp.path().join("linked.json");
        fs::copy(&manifest, &linked).unwrap();
        std::os::unix::fs::symlink(&round_sig, tmp.path().join("linked.json.sig")).unwrap();
        let o = run(None, &["sign", s(&linked), "--key", s(&other)]);
        assert_eq!(o.code, 2, "{}", o.stderr);
        assert!(
            o.stderr
                .contains("sign never replaces a file of the round's record"),
            "{}",
            o.stderr
        );
        assert_eq!(fs::read(&round_sig).unwrap(), before);
    }
}

/// `sign` writes FILE.sig as every output is written: a link elsewhere is
/// followed (the link stays), a FIFO is written into, never renamed over.
#[cfg(unix)]
#[test]
fn sign_writes_through_a_link_and_into_a_fifo() {
    let tmp = TempDir::new().unwrap();
    let d = tmp.path();
    let (key, pubf, _) = keygen(d, "office");
    let msg = write(d, "m.txt", "notice\n");
    let elsewhere = d.join("kept.sig");
    fs::write(&elsewhere, "old").unwrap();
    let sig = d.join("m.txt.sig");
    std::os::unix::fs::symlink(&elsewhere, &sig).unwrap();
    ok(None, &["sign", s(&msg), "--key", s(&key)]);
    assert!(fs::symlink_metadata(&sig).unwrap().file_type().is_symlink());
    ok(
        None,
        &[
            "verify-signature",
            s(&msg),
            "--signature",
            s(&elsewhere),
            "--pubkey",
            s(&pubf),
        ],
    );

    fs::remove_file(&sig).unwrap();
    let made = std::process::Command::new("mkfifo")
        .arg(&sig)
        .status()
        .unwrap();
    assert!(made.success());
    let reader = {
        let sig = sig.clone();
        std::thread::spawn(move || fs::read(&sig).unwrap())
    };
    ok(None, &["sign", s(&msg), "--key", s(&key)]);
    let armored = reader.join().unwrap();
    assert!(armored.starts_with(b"-----BEGIN SSH SIGNATURE-----"));
    use std::os::unix::fs::FileTypeExt;
    assert!(fs::symlink_metadata(&sig).unwrap().file_type().is_fifo());
}

/// A file that is no key is explained in the user's terms, not the PEM
/// parser's ("preamble contains invalid data (NUL byte)" for plain text).
#[cfg(unix)]
#[test]
fn a_file_that_is_no_key_is_named_with_what_is_wrong_with_it() {
    use std::os::unix::fs::PermissionsExt;
    let tmp = TempDir::new().unwrap();
    let d = tmp.path();
    let (key, pubf, _) = keygen(d, "office");
    let msg = write(d, "m.txt", "text\n");
    let real = fs::read_to_string(&key).unwrap();
    let public = fs::read_to_string(&pubf).unwrap();
    let private_cases = [
        (
            "plain",
            "hello\n".to_string(),
            "its first line should be -----BEGIN OPENSSH PRIVATE KEY----- but reads \"hello\"",
        ),
        (
            "pkcs8",
            "-----BEGIN PRIVATE KEY-----\nMC4CAQAwBQYDK2VwBCIEIA==\n-----END PRIVATE KEY-----\n"
                .to_string(),
            "not an SM2 private key in PKCS#8 PEM",
        ),
        (
            "cut",
            real[..real.len() / 2].to_string(),
            "it is cut off: the line -----END OPENSSH PRIVATE KEY----- is missing",
        ),
        (
            "pub",
            public.clone(),
            "it is a public key line; give the private key",
        ),
    ];
    for (name, text, want) in private_cases {
        let f = write(d, name, &text);
        fs::set_permissions(&f, fs::Permissions::from_mode(0o600)).unwrap();
        let o = run(None, &["sign", s(&msg), "--key", s(&f)]);
        assert_eq!(o.code, 2, "{name}: {}", o.stderr);
        assert!(o.stderr.contains(want), "{name}: {}", o.stderr);
        assert!(o.stderr.contains(s(&f)), "{name}: {}", o.stderr);
    }
    ok(None, &["sign", s(&msg), "--key", s(&key)]);
    let sig = format!("{}.sig", s(&msg));
    let mut damaged = public.clone();
    damaged.replace_range(20..24, "!!!!");
    let public_cases = [
        (
            "p-private",
            real.clone(),
            "this is a private key; give the public one",
        ),
        (
            "p-plain",
            "hello world\n".to_string(),
            "a public key line begins with its type, as in `ssh-ed25519 AAAA… comment`; this one begins with \"hello\"",
        ),
        (
            "p-damaged",
            damaged,
            "its key (the base64 after the type) is damaged or cut off",
        ),
    ];
    for (name, text, want) in public_cases {
        let f = write(d, name, &text);
        let o = run(
            None,
            &[
                "verify-signature",
                s(&msg),
                "--signature",
                &sig,
                "--pubkey",
                s(&f),
            ],
        );
        assert_eq!(o.code, 2, "{name}: {}", o.stderr);
        assert!(o.stderr.contains(want), "{name}: {}", o.stderr);
    }
}
