//! Ed25519 keys in OpenSSH formats, and SSHSIG signatures that
//! `ssh-keygen -Y verify` accepts. Loading keys from disk is at the edge
//! (`load_private`, `load_public`); the rest is pure.

use std::path::Path;

use ssh_key::{Algorithm, HashAlg, LineEnding, PrivateKey, PublicKey, SshSig};

use crate::error::{Error, Result};
use crate::t;

pub const MANIFEST_NAMESPACE: &str = "choucha-manifest";

/// A new Ed25519 key pair, its comment set to `comment`.
pub fn generate(comment: &str) -> Result<PrivateKey> {
    let mut key = PrivateKey::random(&mut ssh_key::rand_core::OsRng, Algorithm::Ed25519)
        .map_err(|e| Error::input(t!("keys.cannot-generate", error = e)))?;
    key.set_comment(comment);
    Ok(key)
}

/// The fingerprint as `ssh-keygen -l` prints it: SHA256:<base64>.
pub fn fingerprint(key: &PublicKey) -> String {
    key.fingerprint(HashAlg::Sha256).to_string()
}

/// Refuses a private key file that group or others can read (as ssh does),
/// whatever its format.
pub fn refuse_open_private(path: &Path) -> Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(path)
            .map_err(|e| Error::io(path, e))?
            .permissions()
            .mode();
        if mode & 0o077 != 0 {
            return Err(Error::refused(t!(
                "keys.too-open",
                path = path.display(),
                mode = format!("{:04o}", mode & 0o7777)
            )));
        }
    }
    #[cfg(not(unix))]
    let _ = path;
    Ok(())
}

/// Reads a private key, refusing one that group or others can read.
pub fn load_private(path: &Path) -> Result<PrivateKey> {
    refuse_open_private(path)?;
    private_from_bytes(path, &crate::base::fsio::read(path)?)
}

/// An OpenSSH Ed25519 private key from the bytes of the file `path`.
pub fn private_from_bytes(path: &Path, text: &[u8]) -> Result<PrivateKey> {
    let key = PrivateKey::from_openssh(text).map_err(|e| {
        Error::input(t!(
            "keys.not-private",
            path = path.display(),
            error = private_key_problem(text, &e.to_string())
        ))
    })?;
    if key.is_encrypted() {
        return Err(Error::input(t!("keys.encrypted", path = path.display())));
    }
    if key.algorithm() != Algorithm::Ed25519 {
        return Err(Error::input(t!(
            "keys.private-not-ed25519",
            path = path.display(),
            algorithm = key.algorithm()
        )));
    }
    Ok(key)
}

/// Reads an OpenSSH public key line (`ssh-ed25519 AAAA… comment`).
pub fn load_public(path: &Path) -> Result<PublicKey> {
    public_from_bytes(path, &crate::base::fsio::read(path)?)
}

/// An OpenSSH public key line from the bytes of the file `path`.
pub fn public_from_bytes(path: &Path, bytes: &[u8]) -> Result<PublicKey> {
    let text = std::str::from_utf8(bytes)
        .map_err(|_| Error::input(t!("keys.not-text", path = path.display())))?;
    parse_public(text.trim())
        .map_err(|e| Error::input(t!("keys.in-file", path = path.display(), error = e)))
}

/// What is wrong with a file that is no OpenSSH private key, in the
/// user's terms: the PEM parser's own words ("preamble contains invalid data
/// (NUL byte)" for a file of plain text) say nothing to them.
fn private_key_problem(text: &[u8], parser: &str) -> String {
    const BEGIN: &str = "-----BEGIN OPENSSH PRIVATE KEY-----";
    let text = String::from_utf8_lossy(text);
    let first = text
        .lines()
        .map(str::trim)
        .find(|l| !l.is_empty())
        .unwrap_or("");
    if first == BEGIN {
        if !text.contains("-----END OPENSSH PRIVATE KEY-----") {
            return t!("keys.private-cut-off");
        }
        return t!("keys.private-damaged", error = parser);
    }
    if let Some(label) = first
        .strip_prefix("-----BEGIN ")
        .and_then(|l| l.strip_suffix("-----"))
    {
        return t!("keys.private-other-pem", label);
    }
    if first.starts_with("ssh-") || first.starts_with("ecdsa-") {
        return t!("keys.private-is-public");
    }
    t!(
        "keys.private-no-begin",
        first = crate::input::text::clipped(first, 40)
    )
}

/// What is wrong with a line that is no OpenSSH public key.
fn public_key_problem(line: &str, parser: &str) -> String {
    let first = line.split_whitespace().next().unwrap_or("");
    if first.starts_with("-----BEGIN") {
        return t!("keys.public-is-private");
    }
    let known = first.starts_with("ssh-")
        || first.starts_with("ecdsa-")
        || first.starts_with("sk-")
        || first.starts_with("rsa-");
    if !known {
        return t!(
            "keys.public-no-type",
            first = crate::input::text::clipped(first, 40)
        );
    }
    t!("keys.public-damaged", error = parser)
}

pub fn parse_public(line: &str) -> std::result::Result<PublicKey, String> {
    let key = PublicKey::from_openssh(line).map_err(|e| {
        t!(
            "keys.not-public-line",
            error = public_key_problem(line, &e.to_string())
        )
    })?;
    if key.algorithm() != Algorithm::Ed25519 {
        return Err(t!("keys.public-not-ed25519", algorithm = key.algorithm()));
    }
    Ok(key)
}

/// The Ed25519 signing key inside an OpenSSH private key.
pub fn ed25519_signing(key: &PrivateKey) -> Result<ed25519_dalek::SigningKey> {
    let pair = key
        .key_data()
        .ed25519()
        .ok_or_else(|| Error::input(t!("keys.not-ed25519")))?;
    Ok(ed25519_dalek::SigningKey::from_bytes(
        &pair.private.to_bytes(),
    ))
}

/// The Ed25519 verifying key inside an OpenSSH public key.
pub fn ed25519_verifying(
    key: &PublicKey,
) -> std::result::Result<ed25519_dalek::VerifyingKey, String> {
    let pk = key
        .key_data()
        .ed25519()
        .ok_or_else(|| t!("keys.not-ed25519"))?;
    ed25519_dalek::VerifyingKey::from_bytes(&pk.0)
        .map_err(|e| t!("keys.invalid-ed25519", error = e))
}

/// An armored SSHSIG signature of `msg` (SHA-512, as ssh-keygen makes them).
pub fn sign(key: &PrivateKey, namespace: &str, msg: &[u8]) -> Result<String> {
    let sig = key
        .sign(namespace, HashAlg::Sha512, msg)
        .map_err(|e| Error::input(t!("keys.cannot-sign", error = e)))?;
    sig.to_pem(LineEnding::LF)
        .map_err(|e| Error::input(t!("keys.cannot-encode-signature", error = e)))
}

/// Checks an armored SSHSIG signature of `msg` against one key.
pub fn verify(
    key: &PublicKey,
    namespace: &str,
    msg: &[u8],
    armored: &str,
) -> std::result::Result<(), String> {
    let sig = SshSig::from_pem(armored).map_err(|e| t!("keys.not-sshsig", error = e))?;
    if sig.namespace() != namespace {
        return Err(t!("keys.wrong-namespace", got = sig.namespace(), namespace));
    }
    if sig.public_key() != key.key_data() {
        return Err(t!("keys.other-key", fingerprint = sig_fingerprint(&sig)));
    }
    key.verify(namespace, msg, &sig)
        .map_err(|_| t!("keys.mismatch"))
}

fn sig_fingerprint(sig: &SshSig) -> String {
    PublicKey::from(sig.public_key().clone())
        .fingerprint(HashAlg::Sha256)
        .to_string()
}

/// One line of an OpenSSH allowed_signers file (ssh-keygen(1), ALLOWED SIGNERS).
pub struct AllowedSigner {
    pub principals: Vec<String>,
    pub namespaces: Option<Vec<String>>,
    pub key: PublicKey,
}

/// Parses an allowed_signers file: `principals [options] keytype key [comment]`.
/// Supported option: namespaces="…"; a cert-authority line is refused.
pub fn parse_allowed_signers(text: &str, file: &str) -> Result<Vec<AllowedSigner>> {
    let mut out = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let err = |what: String| Error::input(t!("keys.signers-line", file, line = i + 1, what));
        // The principals may be quoted (ssh-keygen writes "a b" for a space).
        let (principals, rest) = match line.strip_prefix('"') {
            Some(quoted) => quoted
                .split_once('"')
                .filter(|(_, rest)| rest.starts_with(char::is_whitespace))
                .ok_or_else(|| err(t!("keys.signers-syntax")))?,
            None => line
                .split_once(char::is_whitespace)
                .ok_or_else(|| err(t!("keys.signers-syntax")))?,
        };
        let mut rest = rest.trim_start();
        let mut namespaces = None;
        // Key types: ssh-ed25519, ssh-rsa, ecdsa-sha2-nistp256, sk-ssh-ed25519@openssh.com, …
        if !["ssh-", "ecdsa-sha2-", "sk-"]
            .iter()
            .any(|t| rest.starts_with(t))
        {
            let (opts, after) =
                split_options(rest).ok_or_else(|| err(t!("keys.signers-options")))?;
            for opt in opts {
                if let Some(v) = opt.strip_prefix("namespaces=") {
                    namespaces = Some(v.trim_matches('"').split(',').map(str::to_string).collect());
                } else if opt == "cert-authority" {
                    return Err(err(t!("keys.cert-authority")));
                } else {
                    // valid-after=/valid-before= limit when the key may sign and
                    // ssh-keygen enforces them: ignoring one would accept what
                    // ssh-keygen rejects. (It refuses unknown options too.)
                    return Err(err(t!("keys.unsupported-option", option = opt)));
                }
            }
            rest = after.trim_start();
        }
        // ssh-keygen reads a line of any key type; choucha's signatures are
        // all Ed25519, so a key of another type cannot have made one: an
        // auditor's file may list others' RSA or ECDSA keys beside it.
        if rest.split_whitespace().next() != Some("ssh-ed25519") {
            continue;
        }
        let key = parse_public(rest).map_err(err)?;
        out.push(AllowedSigner {
            principals: principals.split(',').map(str::to_string).collect(),
            namespaces,
            key,
        });
    }
    Ok(out)
}

/// Splits `opt1,opt2="a,b" rest` into the options and the rest.
fn split_options(s: &str) -> Option<(Vec<String>, &str)> {
    let mut opts = Vec::new();
    let mut cur = String::new();
    let mut quoted = false;
    for (i, c) in s.char_indices() {
        match c {
            '"' => {
                quoted = !quoted;
                cur.push(c);
            }
            ',' if !quoted => opts.push(std::mem::take(&mut cur)),
            c if c.is_whitespace() && !quoted => {
                opts.push(cur);
                return Some((opts, &s[i..]));
            }
            c => cur.push(c),
        }
    }
    None
}

/// The keys allowed to sign as `identity` in `namespace`.
pub fn allowed_keys<'a>(
    signers: &'a [AllowedSigner],
    identity: &str,
    namespace: &str,
) -> Vec<&'a PublicKey> {
    signers
        .iter()
        .filter(|s| s.principals.iter().any(|p| principal_matches(p, identity)))
        .filter(|s| {
            s.namespaces
                .as_ref()
                .is_none_or(|ns| ns.iter().any(|n| principal_matches(n, namespace)))
        })
        .map(|s| &s.key)
        .collect()
}

/// ssh's pattern matching: `*` any run, `?` one character.
fn principal_matches(pattern: &str, s: &str) -> bool {
    fn rec(p: &[char], s: &[char]) -> bool {
        match (p.first(), s.first()) {
            (None, None) => true,
            (Some('*'), _) => rec(&p[1..], s) || (!s.is_empty() && rec(p, &s[1..])),
            (Some('?'), Some(_)) => rec(&p[1..], &s[1..]),
            (Some(a), Some(b)) if a == b => rec(&p[1..], &s[1..]),
            _ => false,
        }
    }
    let p: Vec<char> = pattern.chars().collect();
    let s: Vec<char> = s.chars().collect();
    rec(&p, &s)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sign_and_verify_round_trip_and_refusals() {
        let key = generate("test").unwrap();
        let other = generate("other").unwrap();
        let sig = sign(&key, MANIFEST_NAMESPACE, b"manifest").unwrap();
        assert!(sig.starts_with("-----BEGIN SSH SIGNATURE-----"));
        verify(key.public_key(), MANIFEST_NAMESPACE, b"manifest", &sig).unwrap();
        assert!(
            verify(key.public_key(), MANIFEST_NAMESPACE, b"changed", &sig)
                .unwrap_err()
                .contains("changed after signing")
        );
        assert!(
            verify(other.public_key(), MANIFEST_NAMESPACE, b"manifest", &sig)
                .unwrap_err()
                .contains("another key")
        );
        assert!(
            verify(key.public_key(), "file", b"manifest", &sig)
                .unwrap_err()
                .contains("namespace")
        );
        assert!(fingerprint(key.public_key()).starts_with("SHA256:"));
    }

    #[test]
    fn allowed_signers_lines() {
        let key = generate("k").unwrap();
        let line = key.public_key().to_openssh().unwrap();
        let text = format!(
            "# office\noffice@ah.gov.cn,*@audit.cn namespaces=\"choucha-manifest\" {line}\n"
        );
        let s = parse_allowed_signers(&text, "allowed").unwrap();
        assert_eq!(
            allowed_keys(&s, "office@ah.gov.cn", MANIFEST_NAMESPACE).len(),
            1
        );
        assert_eq!(allowed_keys(&s, "x@audit.cn", MANIFEST_NAMESPACE).len(), 1);
        assert_eq!(allowed_keys(&s, "x@audit.cn", "file").len(), 0);
        assert_eq!(allowed_keys(&s, "someone", MANIFEST_NAMESPACE).len(), 0);
    }

    /// Lines of other key types are read past, as ssh-keygen reads them;
    /// quoted principals match; a line that is no key at all is refused.
    #[test]
    fn other_key_types_and_quoted_principals() {
        let key = generate("k").unwrap();
        let line = key.public_key().to_openssh().unwrap();
        let ecdsa = "ecdsa-sha2-nistp256 AAAAE2VjZHNhLXNoYTItbmlzdHAyNTYAAAAIbmlzdHAyNTYAAABBBBrlmbSao+nCMRdsh3cyVwpaAh5uS4YxffYLzzEaXLkaAwyev4HkwDqNi+uTNYOX7ua/6rmL2YVl158aaaN4vSs= other";
        let text = format!("other@audit.cn {ecdsa}\n\"省 办公厅,office\" {line}\n");
        let s = parse_allowed_signers(&text, "allowed").unwrap();
        assert_eq!(s.len(), 1);
        assert_eq!(allowed_keys(&s, "省 办公厅", MANIFEST_NAMESPACE).len(), 1);
        assert_eq!(allowed_keys(&s, "office", MANIFEST_NAMESPACE).len(), 1);
        assert_eq!(
            allowed_keys(&s, "other@audit.cn", MANIFEST_NAMESPACE).len(),
            0
        );
        let bad = parse_allowed_signers("x ssh-ed25519 notbase64\n", "allowed")
            .err()
            .unwrap()
            .to_string();
        assert!(bad.contains("allowed") && bad.contains("1"), "{bad}");
    }
}
