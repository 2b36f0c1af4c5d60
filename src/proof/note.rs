//! C2SP signed notes (https://c2sp.org/signed-note), Ed25519 only.
//!
//! Pure. The format of Go's golang.org/x/mod/sumdb/note and of the
//! transparency-log ecosystem, so checkpoints this program signs can be
//! checked with existing tools and witnesses, and keys can be exchanged in
//! the same strings:
//!
//! ```text
//! <text ending in LF>
//! <blank line>
//! — <key name> <base64(key ID (4 bytes, big-endian) || Ed25519 signature)>
//! ```
//!
//! The key ID is the first 4 bytes of SHA-256(name || LF || 0x01 || public
//! key); it only picks the key out, the signature is what authenticates.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as B64;
use ed25519_dalek::{Signature, SigningKey, VerifyingKey};
use sha2::{Digest, Sha256};

use crate::base::digest::hex;
use crate::t;

/// The signature type byte of Ed25519 in key IDs and key strings.
const ALG_ED25519: u8 = 0x01;
/// Em dash (U+2014) and space: the start of every signature line.
pub const SIG_PREFIX: &str = "\u{2014} ";
/// Go's limit; the spec requires accepting at least 16.
const MAX_SIGNATURES: usize = 100;

/// A public key that can check signatures, with the name it signs as.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verifier {
    pub name: String,
    pub key_id: [u8; 4],
    pub key: VerifyingKey,
}

/// A private key with the name it signs as. Its `Debug` shows only the
/// public half (ed25519-dalek's `SigningKey` does not print the secret).
#[derive(Debug, Clone)]
pub struct Signer {
    pub name: String,
    pub key: SigningKey,
}

/// SHA-256(name || 0x0A || 0x01 || public)[:4] (signed-note, "Ed25519
/// signatures").
pub fn key_id(name: &str, public: &[u8; 32]) -> [u8; 4] {
    let mut h = Sha256::new();
    h.update(name.as_bytes());
    h.update([b'\n', ALG_ED25519]);
    h.update(public);
    let d = h.finalize();
    [d[0], d[1], d[2], d[3]]
}

/// Key names: non-empty, no Unicode white space, no '+' (it separates the
/// fields of key strings). Control characters are refused too, as no note
/// may contain them.
pub fn check_name(name: &str) -> Result<(), String> {
    if name.is_empty() {
        return Err(t!("note.empty-name"));
    }
    if name
        .chars()
        .any(|c| c.is_whitespace() || c == '+' || c.is_control())
    {
        return Err(t!("note.bad-name", name));
    }
    Ok(())
}

fn parse_key_id(hex8: &str) -> Result<[u8; 4], String> {
    if hex8.len() != 8 || !hex8.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(t!("note.bad-key-id", id = hex8));
    }
    let v =
        u32::from_str_radix(hex8, 16).map_err(|e| t!("note.key-id-error", id = hex8, error = e))?;
    Ok(v.to_be_bytes())
}

/// Decodes `base64(0x01 || 32 bytes)`, the key data of both key strings.
fn parse_key_data(b64: &str, what: &str) -> Result<[u8; 32], String> {
    let raw = B64
        .decode(b64)
        .map_err(|e| t!("note.key-not-base64", what, error = e))?;
    match raw.split_first() {
        Some((&ALG_ED25519, key)) => key
            .try_into()
            .map_err(|_| t!("note.key-length", what, len = key.len())),
        Some((alg, _)) => Err(t!("note.key-type", what, alg = format!("{alg:#04x}"))),
        None => Err(t!("note.key-empty", what)),
    }
}

fn key_data(bytes: &[u8; 32]) -> String {
    let mut raw = Vec::with_capacity(33);
    raw.push(ALG_ED25519);
    raw.extend_from_slice(bytes);
    B64.encode(raw)
}

impl Verifier {
    /// A verifier for `key` signing as `name`.
    pub fn new(name: &str, key: VerifyingKey) -> Result<Verifier, String> {
        check_name(name)?;
        Ok(Verifier {
            name: name.to_string(),
            key_id: key_id(name, key.as_bytes()),
            key,
        })
    }

    /// Parses a verifier key `<name>+<hex8 key ID>+<base64(0x01 || key)>`,
    /// checking that the key ID is the one the name and key give.
    pub fn parse(vkey: &str) -> Result<Verifier, String> {
        // The base64 may itself contain '+': split off two fields only.
        let mut parts = vkey.splitn(3, '+');
        let (Some(name), Some(id), Some(data)) = (parts.next(), parts.next(), parts.next()) else {
            return Err(t!("note.vkey-format", vkey));
        };
        check_name(name)?;
        let id = parse_key_id(id)?;
        let public = parse_key_data(data, &t!("note.verifier-key"))?;
        if id != key_id(name, &public) {
            return Err(t!("note.vkey-id-mismatch", vkey));
        }
        let key = VerifyingKey::from_bytes(&public)
            .map_err(|e| t!("note.vkey-not-ed25519", vkey, error = e))?;
        Ok(Verifier {
            name: name.to_string(),
            key_id: id,
            key,
        })
    }

    /// The verifier key string, as `parse` reads it.
    pub fn to_vkey(&self) -> String {
        format!(
            "{}+{}+{}",
            self.name,
            hex(&self.key_id),
            key_data(self.key.as_bytes())
        )
    }
}

impl Signer {
    /// A signer for `key` signing as `name`.
    pub fn new(name: &str, key: SigningKey) -> Result<Signer, String> {
        check_name(name)?;
        Ok(Signer {
            name: name.to_string(),
            key,
        })
    }

    /// Parses a signer key in Go's format,
    /// `PRIVATE+KEY+<name>+<hex8 key ID>+<base64(0x01 || 32-byte seed)>`,
    /// checking the key ID against the public key the seed gives.
    pub fn parse(skey: &str) -> Result<Signer, String> {
        // Never echo a private key in an error.
        let Some(rest) = skey.strip_prefix("PRIVATE+KEY+") else {
            return Err(t!("note.skey-prefix"));
        };
        let mut parts = rest.splitn(3, '+');
        let (Some(name), Some(id), Some(data)) = (parts.next(), parts.next(), parts.next()) else {
            return Err(t!("note.skey-format"));
        };
        check_name(name)?;
        let id = parse_key_id(id)?;
        let seed = parse_key_data(data, &t!("note.signer-key"))?;
        let key = SigningKey::from_bytes(&seed);
        if id != key_id(name, key.verifying_key().as_bytes()) {
            return Err(t!("note.skey-id-mismatch", name));
        }
        Ok(Signer {
            name: name.to_string(),
            key,
        })
    }

    /// The signer key string, as `parse` reads it. Secret.
    pub fn to_skey(&self) -> String {
        let id = key_id(&self.name, self.key.verifying_key().as_bytes());
        format!(
            "PRIVATE+KEY+{}+{}+{}",
            self.name,
            hex(&id),
            key_data(self.key.as_bytes())
        )
    }

    /// The matching verifier.
    pub fn verifier(&self) -> Verifier {
        let key = self.key.verifying_key();
        Verifier {
            name: self.name.clone(),
            key_id: key_id(&self.name, key.as_bytes()),
            key,
        }
    }

    /// `sign(text, &self.name, &self.key)`.
    pub fn sign(&self, text: &str) -> Result<String, String> {
        sign(text, &self.name, &self.key)
    }
}

/// Signed notes may hold no ASCII control character but LF.
fn check_controls(s: &str, what: &str) -> Result<(), String> {
    match s.chars().find(|&c| c < ' ' && c != '\n') {
        Some(c) => Err(t!("note.control-char", what, character = c)),
        None => Ok(()),
    }
}

/// Signs `text` as `name` and returns the whole signed note: the text, a
/// blank line and one signature line.
///
/// The text must end in LF (so it is non-empty) and hold no ASCII control
/// character but LF. It may contain blank lines: readers split at the last
/// one, which is the separator this adds.
pub fn sign(text: &str, name: &str, key: &SigningKey) -> Result<String, String> {
    use ed25519_dalek::Signer as _;
    check_name(name)?;
    if !text.ends_with('\n') {
        return Err(t!("note.no-final-newline"));
    }
    check_controls(text, &t!("note.note-text"))?;
    let id = key_id(name, key.verifying_key().as_bytes());
    let sig = key.sign(text.as_bytes());
    let mut raw = Vec::with_capacity(68);
    raw.extend_from_slice(&id);
    raw.extend_from_slice(&sig.to_bytes());
    Ok(format!("{text}\n{SIG_PREFIX}{name} {}\n", B64.encode(raw)))
}

/// Checks `note` and returns its text if it carries a valid signature by
/// `verifier` (same name and key ID).
///
/// The note's text and its signature block, split at the last blank line.
fn split(note: &str) -> Result<(&str, &str), String> {
    let Some(at) = note.rfind("\n\n") else {
        return Err(t!("note.no-blank-line"));
    };
    Ok((&note[..at + 1], &note[at + 2..]))
}

/// The text of a note, its signatures NOT checked: for reading a note whose
/// signature is checked elsewhere (or by another key).
pub fn unverified_text(note: &str) -> Result<&str, String> {
    split(note).map(|(text, _)| text)
}

/// One signature line of a note: the key name and the decoded bytes
/// (key ID first; what follows depends on the signature type).
pub struct SignatureLine<'a> {
    pub name: &'a str,
    pub raw: Vec<u8>,
}

/// The note's text and its signature lines, each well formed (an em dash,
/// a key name, base64 of at least a key ID and one byte). Nothing is
/// verified here.
pub fn signature_lines(note: &str) -> Result<(&str, Vec<SignatureLine<'_>>), String> {
    check_controls(note, &t!("note.signed-note"))?;
    let (text, sigs) = split(note)?;
    if sigs.is_empty() || !sigs.ends_with('\n') {
        return Err(t!("note.sigs-no-newline"));
    }
    let lines: Vec<&str> = sigs[..sigs.len() - 1].split('\n').collect();
    if lines.len() > MAX_SIGNATURES {
        return Err(t!(
            "note.too-many-sigs",
            count = lines.len(),
            max = MAX_SIGNATURES
        ));
    }
    let mut out = Vec::with_capacity(lines.len());
    for (i, line) in lines.iter().enumerate() {
        let malformed = || t!("note.malformed-sig", line = i + 1);
        let rest = line.strip_prefix(SIG_PREFIX).ok_or_else(malformed)?;
        let (name, b64) = rest.split_once(' ').ok_or_else(malformed)?;
        if check_name(name).is_err() || b64.is_empty() {
            return Err(malformed());
        }
        let raw = B64.decode(b64).map_err(|_| malformed())?;
        if raw.len() < 5 {
            return Err(malformed());
        }
        out.push(SignatureLine { name, raw });
    }
    Ok((text, out))
}

/// Signatures by other keys are ignored, as the spec requires; a signature
/// by this key that does not verify rejects the whole note, even if another
/// line by the same key verifies.
pub fn open(note: &str, verifier: &Verifier) -> Result<String, String> {
    use ed25519_dalek::Verifier as _;
    let (text, lines) = signature_lines(note)?;
    let mut found = false;
    for line in lines {
        if line.name != verifier.name || line.raw[..4] != verifier.key_id {
            continue;
        }
        found = true;
        let ok = <[u8; 64]>::try_from(&line.raw[4..]).is_ok_and(|sig| {
            verifier
                .key
                .verify(text.as_bytes(), &Signature::from_bytes(&sig))
                .is_ok()
        });
        if !ok {
            return Err(t!("note.bad-signature", name = verifier.name));
        }
    }
    if !found {
        return Err(t!("note.no-signature", name = verifier.name));
    }
    Ok(text.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    // golang.org/x/mod sumdb/note/note_test.go (TestNewSigner, TestSign,
    // TestOpen); the same note is the example in sumdb/note/note.go's
    // package documentation.
    const PETER_VKEY: &str = "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW";
    const PETER_SKEY: &str =
        "PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz";
    const ENOCH_VKEY: &str = "EnochRoot+af0cfe78+ATtqJ7zOtqQtYqOo0CpvDXNlMhV3HeJDpjrASKGLWdop";
    const TEXT: &str = "If you think cryptography is the answer to your problem,\n\
                        then you don't know what your problem is.\n";
    const PETER_SIG: &str = "— PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n";
    const ENOCH_SIG: &str = "— EnochRoot rwz+eBzmZa0SO3NbfRGzPCpDckykFXSdeX+MNtCOXm2/5n2tiOHp+vAF1aGrQ5ovTG01oOTGwnWLox33WWd1RvMc+QQ=\n";

    fn peter() -> Verifier {
        Verifier::parse(PETER_VKEY).unwrap()
    }

    #[test]
    fn go_keys_parse_and_round_trip() {
        let v = peter();
        assert_eq!(v.name, "PeterNeumann");
        assert_eq!(v.key_id, [0xc7, 0x4f, 0x20, 0xa3]);
        assert_eq!(v.key_id, key_id(&v.name, v.key.as_bytes()));
        assert_eq!(v.to_vkey(), PETER_VKEY);
        let s = Signer::parse(PETER_SKEY).unwrap();
        assert_eq!(s.to_skey(), PETER_SKEY);
        assert_eq!(s.verifier(), v);
        let e = Verifier::parse(ENOCH_VKEY).unwrap();
        assert_eq!(e.key_id, [0xaf, 0x0c, 0xfe, 0x78]);
        assert_eq!(e.to_vkey(), ENOCH_VKEY);
    }

    #[test]
    fn go_signed_note_opens() {
        let note = format!("{TEXT}\n{PETER_SIG}");
        assert_eq!(open(&note, &peter()).unwrap(), TEXT);
        // With Enoch's signature too, either key opens it.
        let both = format!("{TEXT}\n{PETER_SIG}{ENOCH_SIG}");
        assert_eq!(open(&both, &peter()).unwrap(), TEXT);
        let enoch = Verifier::parse(ENOCH_VKEY).unwrap();
        assert_eq!(open(&both, &enoch).unwrap(), TEXT);
        assert_eq!(
            open(&note, &enoch).unwrap_err(),
            "no signature by EnochRoot"
        );
    }

    #[test]
    fn signing_reproduces_go() {
        let s = Signer::parse(PETER_SKEY).unwrap();
        let want = format!("{TEXT}\n{PETER_SIG}");
        assert_eq!(sign(TEXT, &s.name, &s.key).unwrap(), want);
        assert_eq!(s.sign(TEXT).unwrap(), want);
    }

    #[test]
    fn changed_text_or_other_key_fails() {
        let changed = format!("{}\n{PETER_SIG}", TEXT.replace("answer", "question"));
        assert_eq!(
            open(&changed, &peter()).unwrap_err(),
            "signature by PeterNeumann does not verify"
        );
        // Same name, another key: a different key ID, so not its signature.
        let other = Verifier::new(
            "PeterNeumann",
            SigningKey::from_bytes(&[7; 32]).verifying_key(),
        )
        .unwrap();
        let note = format!("{TEXT}\n{PETER_SIG}");
        assert_eq!(
            open(&note, &other).unwrap_err(),
            "no signature by PeterNeumann"
        );
        // Same name and key ID, another key: the signature must fail.
        let forged = Verifier {
            key_id: peter().key_id,
            ..other
        };
        assert_eq!(
            open(&note, &forged).unwrap_err(),
            "signature by PeterNeumann does not verify"
        );
        // A corrupted signature (TestOpen's "Invalid signature").
        let bad = format!("{TEXT}\n{}ABCD{}", &PETER_SIG[..60], &PETER_SIG[60..]);
        assert!(open(&bad, &peter()).is_err());
    }

    #[test]
    fn malformed_notes() {
        // TestOpen's badMsgs.
        let v = peter();
        for bad in [
            TEXT.to_string(),
            format!("{TEXT}\n"),
            format!("{TEXT}\n{}", &PETER_SIG[..PETER_SIG.len() - 1]),
            format!("\x01{TEXT}\n{PETER_SIG}"),
            format!(
                "{TEXT}\n— Bad Name x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM="
            ),
            format!("{TEXT}\n{PETER_SIG}Unexpected line.\n"),
            format!("{TEXT}\n{}", PETER_SIG.repeat(101)),
        ] {
            assert!(open(&bad, &v).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn sign_rules() {
        let s = Signer::parse(PETER_SKEY).unwrap();
        assert!(s.sign("").is_err());
        assert!(s.sign("abc").is_err());
        assert!(s.sign("a\tb\n").is_err());
        assert!(sign(TEXT, "a+b", &s.key).is_err());
        assert!(sign(TEXT, "a b", &s.key).is_err());
        assert!(sign(TEXT, "", &s.key).is_err());
        // Blank lines, even a blank last line, survive a round trip.
        for text in ["a\n\nb\n", "a\n\n", "\n", "— x y\n\n— z w\n"] {
            let note = s.sign(text).unwrap();
            assert_eq!(open(&note, &s.verifier()).unwrap(), text);
        }
    }

    #[test]
    fn bad_key_strings() {
        // Every proper substring and every one-byte change of Go's keys is
        // refused, as in TestNewVerifier and TestNewSigner.
        for good in [PETER_VKEY, PETER_SKEY] {
            let parse = |k: &str| {
                if good.starts_with("PRIVATE") {
                    Signer::parse(k).map(|_| ())
                } else {
                    Verifier::parse(k).map(|_| ())
                }
            };
            let b = good.as_bytes();
            for i in 0..=b.len() {
                for j in i + 1..=b.len() {
                    if (i, j) != (0, b.len()) {
                        let k = String::from_utf8_lossy(&b[i..j]);
                        assert!(parse(&k).is_err(), "{k}");
                    }
                }
            }
            for i in 0..b.len() {
                let mut m = b.to_vec();
                m[i] = m[i].wrapping_add(1);
                let k = String::from_utf8_lossy(&m);
                assert!(parse(&k).is_err(), "{k}");
            }
        }
        // Wrong key length and unknown algorithm, key IDs adjusted (Go's).
        assert!(
            Verifier::parse(
                "PeterNeumann+cc469956+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TWBADKEY=="
            )
            .is_err()
        );
        assert!(
            Verifier::parse("PeterNeumann+173116ae+ZRpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW")
                .is_err()
        );
    }
}
