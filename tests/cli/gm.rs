//! The gm profile's first slice: SM2 keys and signatures that OpenSSL 3
//! checks without choucha, and the other way round.

use std::fs;
use std::process::Command;

use crate::{drawn_round, ok, run};

/// Whether `openssl` is on PATH and knows SM3.
fn openssl_has_sm3() -> bool {
    Command::new("openssl")
        .args(["dgst", "-sm3", "/dev/null"])
        .output()
        .is_ok_and(|o| o.status.success())
}

#[test]
fn gm_sm2_signatures_interoperate_with_openssl() {
    let tmp = tempfile::tempdir().unwrap();
    let (round, _) = drawn_round(tmp.path(), "r", 40);
    let m = tmp.path().join("m.json");
    fs::copy(round.join("manifest.json"), &m).unwrap();
    let key = tmp.path().join("k");
    let out = ok(
        None,
        &["keygen", "--algorithm", "sm2", key.to_str().unwrap()],
    );
    assert!(out.contains("SM3:"), "{out}");
    let private = fs::read_to_string(&key).unwrap();
    assert!(
        private.starts_with("-----BEGIN PRIVATE KEY-----"),
        "{private}"
    );
    let public = tmp.path().join("k.pub");
    assert!(
        fs::read_to_string(&public)
            .unwrap()
            .starts_with("-----BEGIN PUBLIC KEY-----")
    );
    // A second keygen of that name is refused, the key kept.
    let again = run(
        None,
        &["keygen", "--algorithm", "sm2", key.to_str().unwrap()],
    );
    assert_eq!(again.code, 2, "{}", again.stderr);
    assert_eq!(fs::read_to_string(&key).unwrap(), private);

    let (ms, ks, ps) = (
        m.to_str().unwrap(),
        key.to_str().unwrap(),
        public.to_str().unwrap(),
    );
    // An SM2 private key readable by others is refused, as an OpenSSH one is.
    {
        use std::os::unix::fs::PermissionsExt;
        fs::set_permissions(&key, fs::Permissions::from_mode(0o644)).unwrap();
        let open = run(None, &["sign", ms, "--key", ks]);
        assert_eq!(open.code, 2, "{}", open.stderr);
        assert!(open.stderr.contains("chmod 600"), "{}", open.stderr);
        assert!(!tmp.path().join("m.json.sig").exists());
        fs::set_permissions(&key, fs::Permissions::from_mode(0o600)).unwrap();
    }
    let signed = ok(None, &["sign", ms, "--key", ks]);
    assert!(
        signed.contains("SM2") && !signed.contains("namespace"),
        "{signed}"
    );
    let sig = tmp.path().join("m.json.sig");
    assert_eq!(fs::read(&sig).unwrap()[0], 0x30, "a DER SEQUENCE");
    let verified = ok(None, &["verify-signature", ms, "--pubkey", ps]);
    assert!(
        verified.contains("SM2") && !verified.contains("namespace"),
        "{verified}"
    );

    // Another file under that signature: exit 1.
    let other = tmp.path().join("other");
    fs::write(&other, b"other").unwrap();
    let os = other.to_str().unwrap();
    let bad = run(
        None,
        &[
            "verify-signature",
            os,
            "--signature",
            sig.to_str().unwrap(),
            "--pubkey",
            ps,
        ],
    );
    assert_eq!(bad.code, 1, "{}", bad.stderr);
    // A public key that is no key: exit 2.
    let junk = tmp.path().join("junk.pub");
    fs::write(
        &junk,
        "-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n",
    )
    .unwrap();
    let bad = run(
        None,
        &["verify-signature", ms, "--pubkey", junk.to_str().unwrap()],
    );
    assert_eq!(bad.code, 2, "{}", bad.stderr);

    if !openssl_has_sm3() {
        println!("note: openssl with SM3 is not on PATH; the OpenSSL checks are skipped");
        return;
    }
    // The README's command checks choucha's signature…
    let o = Command::new("openssl")
        .args(["dgst", "-sm3", "-verify", ps, "-signature"])
        .arg(&sig)
        .args(["-sigopt", "distid:1234567812345678", ms])
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert!(String::from_utf8_lossy(&o.stdout).contains("Verified OK"));
    // …and choucha checks OpenSSL's.
    let osig = tmp.path().join("openssl.sig");
    let o = Command::new("openssl")
        .args([
            "dgst",
            "-sm3",
            "-sign",
            ks,
            "-sigopt",
            "distid:1234567812345678",
            "-out",
        ])
        .arg(&osig)
        .arg(ms)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    ok(
        None,
        &[
            "verify-signature",
            ms,
            "--signature",
            osig.to_str().unwrap(),
            "--pubkey",
            ps,
        ],
    );
    // choucha's fingerprint is what OpenSSL prints for the key: the SM3 of
    // its SubjectPublicKeyInfo DER.
    let der = tmp.path().join("k.der");
    let o = Command::new("openssl")
        .args(["pkey", "-pubin", "-in", ps, "-outform", "DER", "-out"])
        .arg(&der)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let o = Command::new("openssl")
        .args(["dgst", "-sm3", "-r"])
        .arg(&der)
        .output()
        .unwrap();
    let printed = String::from_utf8_lossy(&o.stdout);
    let hex = printed.split_whitespace().next().unwrap_or("");
    assert_eq!(hex.len(), 64, "{printed}");
    assert!(out.contains(&format!("SM3:{hex}")), "{out} vs {printed}");
}
