//! `choucha keygen`, `choucha sign`, `choucha verify-signature`: SSHSIG
//! signatures that OpenSSH's `ssh-keygen -Y verify` accepts.

use std::path::{Path, PathBuf};

use crate::cli::{KeyAlgorithm, KeygenArgs, SignArgs, VerifySignatureArgs};
use crate::error::{Error, Result};
use crate::proof::{gmsig, keys};
use crate::t;

fn pub_path(key: &Path) -> PathBuf {
    let mut s = key.as_os_str().to_owned();
    s.push(".pub");
    PathBuf::from(s)
}

/// Creates a file that must not exist yet, whole or not at all (a
/// temporary file, fsynced, linked into place without replacing anything).
fn create_new(path: &Path, bytes: &[u8], mode: u32) -> Result<()> {
    crate::base::fsio::write_new_atomic_mode(path, bytes, mode).map_err(|e| match e {
        Error::Refused(_) => Error::refused(t!("cmd.sign.key-exists", path = path.display())),
        other => other,
    })
}

fn public_line(key: &ssh_key::PublicKey) -> Result<String> {
    let public = key
        .to_openssh()
        .map_err(|e| Error::input(t!("cmd.sign.cannot-encode-key", error = e)))?;
    Ok(format!("{public}\n"))
}

/// The private key is written first and the public one second, each whole:
/// a keygen killed between the two leaves a private key alone, and the next
/// `keygen` of that name completes the pair from it instead of refusing
/// (OpenSSH keys; an SM2 key alone is refused, as any existing key is).
pub fn keygen(args: &KeygenArgs) -> Result<()> {
    let path = &args.name;
    let pub_file = pub_path(path);
    // symlink_metadata: a dangling link is there too, and would be refused later.
    let exists = |p: &Path| std::fs::symlink_metadata(p).is_ok();
    if args.algorithm == KeyAlgorithm::Ed25519
        && exists(path)
        && !exists(&pub_file)
        && path.is_file()
    {
        let key = keys::load_private(path)?;
        create_new(&pub_file, public_line(key.public_key())?.as_bytes(), 0o644)?;
        outln!(
            "{}",
            t!(
                "cmd.sign.keygen-completed",
                private = path.display(),
                public = pub_file.display()
            )
        );
        outln!("{}", keys::fingerprint(key.public_key()));
        return Ok(());
    }
    for p in [path, &pub_file] {
        if exists(p) {
            return Err(Error::refused(t!(
                "cmd.sign.key-exists",
                path = p.display()
            )));
        }
    }
    // NAME and NAME.pub: OpenSSH's forms for Ed25519; for SM2 the PKCS#8 and
    // SPKI PEM that `openssl genpkey` and `openssl pkey -pubout` write. The
    // private key is written in its arm, so that it stays in its own
    // (zeroized, for OpenSSH) buffer.
    let (public, fingerprint) = match args.algorithm {
        KeyAlgorithm::Ed25519 => {
            let comment = args.comment.clone().unwrap_or_else(|| {
                path.file_name()
                    .map_or("choucha".into(), |n| n.to_string_lossy().into_owned())
            });
            let key = keys::generate(&comment)?;
            let private = key
                .to_openssh(ssh_key::LineEnding::LF)
                .map_err(|e| Error::input(t!("cmd.sign.cannot-encode-key", error = e)))?;
            let public = public_line(key.public_key())?;
            create_new(path, private.as_bytes(), 0o600)?;
            (public, keys::fingerprint(key.public_key()))
        }
        KeyAlgorithm::Sm2 => {
            let key = gmsig::generate().map_err(Error::input)?;
            let private = gmsig::private_pem(&key).map_err(Error::input)?;
            let public = gmsig::public_pem(&key.public_key()).map_err(Error::input)?;
            create_new(path, private.as_bytes(), 0o600)?;
            (public, gmsig::fingerprint(&key.public_key()))
        }
    };
    if let Err(e) = create_new(&pub_file, public.as_bytes(), 0o644) {
        // A pair or nothing: a private key without its public half is no key to use.
        let _ = std::fs::remove_file(path);
        return Err(e);
    }
    outln!(
        "{}",
        t!(
            "cmd.sign.keygen-wrote",
            private = path.display(),
            public = pub_file.display()
        )
    );
    outln!("{fingerprint}");
    Ok(())
}

fn sig_path(file: &Path) -> PathBuf {
    let mut s = file.as_os_str().to_owned();
    s.push(".sig");
    PathBuf::from(s)
}

/// Signs a file's bytes; writes FILE.sig as an output: a regular file is
/// replaced atomically, a link is followed, a FIFO or device is written
/// into. Returns the key's fingerprint.
pub fn sign_file(file: &Path, key_path: &Path, namespace: &str) -> Result<Signed> {
    // A round's manifest.json.sig is a record of the draw: never replaced
    // here, not even through a link to it.
    let sig = sig_path(file);
    let target = std::fs::canonicalize(&sig).unwrap_or_else(|_| sig.clone());
    let dir = match target.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    if dir.join(crate::log::chain::LOG_FILE).is_file()
        && let Some(record) = crate::round::record_file_named(dir, &target)
    {
        return Err(Error::input(t!(
            "cmd.sign.sig-is-record",
            path = sig.display(),
            file = record.display()
        )));
    }
    keys::refuse_open_private(key_path)?;
    let key_bytes = crate::base::fsio::read(key_path)?;
    let bytes = crate::base::fsio::read(file)?;
    let (signature, signed) = if gmsig::is_pem(&key_bytes, gmsig::PRIVATE_PEM_BEGIN) {
        // An SM2 key: a DER signature, as `openssl dgst -sm3 -sign` writes.
        let in_file =
            |e: String| Error::input(t!("keys.in-file", path = key_path.display(), error = e));
        let key = gmsig::parse_private(&key_bytes).map_err(in_file)?;
        let der = gmsig::sign(&key, &bytes).map_err(in_file)?;
        (der, Signed::Sm2(gmsig::fingerprint(&key.public_key())))
    } else {
        let key = keys::private_from_bytes(key_path, &key_bytes)?;
        let armored = keys::sign(&key, namespace, &bytes)?;
        (
            armored.into_bytes(),
            Signed::Ssh(keys::fingerprint(key.public_key())),
        )
    };
    crate::base::fsio::write_output(&sig, &signature)?;
    Ok(signed)
}

/// Who signed, by the key's kind: an SSHSIG signature is bound to a
/// namespace, an SM2 one is not.
pub enum Signed {
    Ssh(String),
    Sm2(String),
}

pub fn sign(args: &SignArgs) -> Result<()> {
    let sig = sig_path(&args.file);
    let line = match sign_file(&args.file, &args.key, &args.namespace)? {
        Signed::Ssh(fp) => t!(
            "cmd.sign.signed",
            sig = sig.display(),
            namespace = args.namespace,
            fingerprint = fp
        ),
        Signed::Sm2(fp) => t!("cmd.sign.signed-sm2", sig = sig.display(), fingerprint = fp),
    };
    outln!("{line}");
    Ok(())
}

pub fn verify_signature(args: &VerifySignatureArgs) -> Result<()> {
    let sig_file = args
        .signature
        .clone()
        .unwrap_or_else(|| sig_path(&args.file));
    // --pubkey alone: read once, an SM2 key (SPKI PEM) or an OpenSSH line.
    let mut pubkey = None;
    if let (Some(p), None) = (&args.pubkey, &args.allowed_signers) {
        let key_bytes = crate::base::fsio::read(p)?;
        if gmsig::is_pem(&key_bytes, gmsig::PUBLIC_PEM_BEGIN) {
            let key = gmsig::parse_public(&key_bytes)
                .map_err(|e| Error::input(t!("keys.in-file", path = p.display(), error = e)))?;
            let der = crate::base::fsio::read(&sig_file)?;
            let msg = crate::base::fsio::read(&args.file)?;
            gmsig::verify(&key, &msg, &der).map_err(|e| {
                Error::Discrepancy(t!("cmd.sign.failed", file = args.file.display(), error = e))
            })?;
            outln!(
                "{}",
                t!(
                    "cmd.sign.verified-sm2",
                    file = args.file.display(),
                    fingerprint = gmsig::fingerprint(&key)
                )
            );
            return Ok(());
        }
        pubkey = Some(keys::public_from_bytes(p, &key_bytes)?);
    }
    let armored = String::from_utf8(crate::base::fsio::read(&sig_file)?)
        .map_err(|_| Error::input(t!("keys.not-text", path = sig_file.display())))?;
    let msg = crate::base::fsio::read(&args.file)?;
    let candidates: Vec<ssh_key::PublicKey> =
        match (&args.pubkey, &args.allowed_signers, &args.identity) {
            (Some(_), None, None) => pubkey.into_iter().collect(),
            (None, Some(f), Some(id)) => {
                let text = String::from_utf8(crate::base::fsio::read(f)?)
                    .map_err(|_| Error::input(t!("keys.not-text", path = f.display())))?;
                let signers = keys::parse_allowed_signers(&text, &f.display().to_string())?;
                let keys: Vec<_> = keys::allowed_keys(&signers, id, &args.namespace)
                    .into_iter()
                    .cloned()
                    .collect();
                if keys.is_empty() {
                    return Err(Error::Discrepancy(t!(
                        "cmd.sign.no-allowed-key",
                        file = f.display(),
                        identity = id,
                        namespace = args.namespace
                    )));
                }
                keys
            }
            _ => {
                return Err(Error::input(t!("cmd.sign.which-key")));
            }
        };
    let mut last = String::new();
    for key in &candidates {
        match keys::verify(key, &args.namespace, &msg, &armored) {
            Ok(()) => {
                outln!(
                    "{}",
                    t!(
                        "cmd.sign.verified",
                        file = args.file.display(),
                        fingerprint = keys::fingerprint(key),
                        namespace = args.namespace
                    )
                );
                return Ok(());
            }
            Err(e) => last = e,
        }
    }
    Err(Error::Discrepancy(t!(
        "cmd.sign.failed",
        file = args.file.display(),
        error = last
    )))
}
