//! SM2 keys and signatures for the gm profile (SPEC §11.7), in the forms
//! OpenSSL 3 reads and writes: the private key as PKCS#8 PEM, the public key
//! as SubjectPublicKeyInfo PEM, a signature as DER (`SEQUENCE { r, s }`), with
//! SM3 and the distinguishing ID 1234567812345678. So that
//! `openssl dgst -sm3 -verify KEY.pub -signature FILE.sig -sigopt
//! distid:1234567812345678 FILE` checks what `choucha sign` made.
//!
//! Everything here takes bytes and returns bytes or a message: no file,
//! no panic on any input.

use sm2::dsa::signature::{Signer, Verifier};
use sm2::dsa::{Signature, SigningKey, VerifyingKey};
use sm2::pkcs8::{
    DecodePrivateKey, DecodePublicKey, EncodePrivateKey, EncodePublicKey, LineEnding,
};
use sm2::{PublicKey, SecretKey};

use crate::t;

/// The default distinguishing ID of GB/T 35276. OpenSSL's own default
/// differs, so OpenSSL must be given it (`-sigopt distid:…`).
pub const DISTID: &str = "1234567812345678";

/// The PEM label of a PKCS#8 private key, how a gm key file begins.
pub const PRIVATE_PEM_BEGIN: &str = "-----BEGIN PRIVATE KEY-----";
/// The PEM label of a public key (SubjectPublicKeyInfo).
pub const PUBLIC_PEM_BEGIN: &str = "-----BEGIN PUBLIC KEY-----";

/// Whether a key file's text is PEM of the label `begin` (leading blank
/// space allowed).
pub fn is_pem(text: &[u8], begin: &str) -> bool {
    let start = text
        .iter()
        .position(|b| !b.is_ascii_whitespace())
        .unwrap_or(text.len());
    text[start..].starts_with(begin.as_bytes())
}

/// A new SM2 private key from the operating system's randomness.
pub fn generate() -> Result<SecretKey, String> {
    // A uniformly random 32-byte string is a valid scalar except with
    // probability about 2^-32; try again then.
    for _ in 0..64 {
        let mut bytes = [0u8; 32];
        getrandom::getrandom(&mut bytes).map_err(|e| t!("gm.no-randomness", error = e))?;
        if let Ok(key) = SecretKey::from_slice(&bytes) {
            return Ok(key);
        }
    }
    Err(t!("gm.no-randomness", error = "no valid scalar"))
}

pub fn private_pem(key: &SecretKey) -> Result<String, String> {
    key.to_pkcs8_pem(LineEnding::LF)
        .map(|pem| pem.to_string())
        .map_err(|e| t!("gm.cannot-encode-key", error = e))
}

pub fn public_pem(key: &PublicKey) -> Result<String, String> {
    key.to_public_key_pem(LineEnding::LF)
        .map_err(|e| t!("gm.cannot-encode-key", error = e))
}

pub fn parse_private(text: &[u8]) -> Result<SecretKey, String> {
    let text = std::str::from_utf8(text).map_err(|_| t!("gm.not-pem"))?;
    SecretKey::from_pkcs8_pem(text.trim()).map_err(|e| t!("gm.bad-private", error = e))
}

pub fn parse_public(text: &[u8]) -> Result<PublicKey, String> {
    let text = std::str::from_utf8(text).map_err(|_| t!("gm.not-pem"))?;
    PublicKey::from_public_key_pem(text.trim()).map_err(|e| t!("gm.bad-public", error = e))
}

/// The key's fingerprint: `SM3:` and the SM3 of its SubjectPublicKeyInfo DER,
/// in hex (what `openssl pkey -pubin -outform DER | openssl dgst -sm3` prints).
pub fn fingerprint(key: &PublicKey) -> String {
    match key.to_public_key_der() {
        Ok(der) => format!("SM3:{}", crate::base::digest::sm3_hex(der.as_bytes())),
        Err(_) => "SM3:?".into(),
    }
}

/// SM2 with SM3 and [`DISTID`] over `msg`: the signature as DER.
pub fn sign(key: &SecretKey, msg: &[u8]) -> Result<Vec<u8>, String> {
    let signing = SigningKey::new(DISTID, key).map_err(|e| t!("gm.cannot-sign", error = e))?;
    let sig: Signature = signing
        .try_sign(msg)
        .map_err(|e| t!("gm.cannot-sign", error = e))?;
    Ok(der_encode(&sig.r_bytes(), &sig.s_bytes()))
}

/// Checks a DER signature over `msg` under `distid` (SM3).
pub fn verify_with(key: &PublicKey, distid: &str, msg: &[u8], der: &[u8]) -> Result<(), String> {
    let (r, s) = der_decode(der).ok_or_else(|| t!("gm.bad-signature-der"))?;
    let sig = Signature::from_scalars(r, s).map_err(|_| t!("gm.bad-signature-der"))?;
    let verifying =
        VerifyingKey::new(distid, *key).map_err(|e| t!("gm.signature-mismatch", error = e))?;
    verifying
        .verify(msg, &sig)
        .map_err(|e| t!("gm.signature-mismatch", error = e))
}

pub fn verify(key: &PublicKey, msg: &[u8], der: &[u8]) -> Result<(), String> {
    verify_with(key, DISTID, msg, der)
}

/// A DER INTEGER's content for an unsigned big-endian number: leading
/// zeros dropped, one 0x00 added back when the top bit is set.
fn der_uint(bytes: &[u8]) -> Vec<u8> {
    let start = bytes
        .iter()
        .position(|&b| b != 0)
        .unwrap_or(bytes.len().saturating_sub(1));
    let mut out = Vec::with_capacity(bytes.len() + 1);
    if bytes.get(start).is_some_and(|&b| b & 0x80 != 0) {
        out.push(0);
    }
    out.extend_from_slice(&bytes[start..]);
    if out.is_empty() {
        out.push(0);
    }
    out
}

fn der_encode(r: &[u8], s: &[u8]) -> Vec<u8> {
    let (r, s) = (der_uint(r), der_uint(s));
    // Each integer is at most 33 bytes: every length fits in one byte.
    let mut body = Vec::with_capacity(r.len() + s.len() + 4);
    for x in [&r, &s] {
        body.push(0x02);
        body.push(x.len() as u8);
        body.extend_from_slice(x);
    }
    let mut out = Vec::with_capacity(body.len() + 2);
    out.push(0x30);
    out.push(body.len() as u8);
    out.extend_from_slice(&body);
    out
}

/// Reads one DER INTEGER of a positive number below 2^256, strictly
/// (minimal encoding, short-form length); returns it as 32 bytes and the rest.
fn der_read_uint(input: &[u8]) -> Option<([u8; 32], &[u8])> {
    let (&tag, rest) = input.split_first()?;
    let (&len, rest) = rest.split_first()?;
    let len = len as usize;
    if tag != 0x02 || len == 0 || len > 33 || rest.len() < len {
        return None;
    }
    let (content, rest) = rest.split_at(len);
    if content[0] & 0x80 != 0 {
        return None; // negative
    }
    if len > 1 && content[0] == 0 && content[1] & 0x80 == 0 {
        return None; // not minimal
    }
    let digits = if content[0] == 0 && len > 1 {
        &content[1..]
    } else {
        content
    };
    if digits.len() > 32 {
        return None;
    }
    let mut out = [0u8; 32];
    out[32 - digits.len()..].copy_from_slice(digits);
    Some((out, rest))
}

fn der_decode(der: &[u8]) -> Option<([u8; 32], [u8; 32])> {
    let (&tag, rest) = der.split_first()?;
    let (&len, body) = rest.split_first()?;
    if tag != 0x30 || len as usize != body.len() || len >= 0x80 {
        return None;
    }
    let (r, rest) = der_read_uint(body)?;
    let (s, rest) = der_read_uint(rest)?;
    rest.is_empty().then_some((r, s))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hex_bytes(s: &str) -> Vec<u8> {
        (0..s.len())
            .step_by(2)
            .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
            .collect()
    }

    #[test]
    fn sign_verify_round_trip_and_pem() {
        let key = generate().unwrap();
        let pem = private_pem(&key).unwrap();
        assert!(is_pem(pem.as_bytes(), PRIVATE_PEM_BEGIN));
        let back = parse_private(pem.as_bytes()).unwrap();
        assert_eq!(back.to_bytes(), key.to_bytes());
        let public = public_pem(&key.public_key()).unwrap();
        let public = parse_public(public.as_bytes()).unwrap();
        let sig = sign(&key, b"m").unwrap();
        verify(&public, b"m", &sig).unwrap();
        assert!(verify(&public, b"n", &sig).is_err());
        assert!(verify_with(&public, "1234567812345679", b"m", &sig).is_err());
        assert!(fingerprint(&public).starts_with("SM3:"));
    }

    /// tests/vectors/gm: an OpenSSL-made signature verifies; the fail_*
    /// vectors (another distid, another message, a flipped byte) do not.
    #[test]
    fn vectors() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/vectors/gm");
        let sm3: serde_json::Value =
            serde_json::from_slice(&std::fs::read(dir.join("ok_sm3.json")).unwrap()).unwrap();
        for v in sm3["vectors"].as_array().unwrap() {
            let m = v["message"].as_str().unwrap();
            assert_eq!(
                crate::base::digest::sm3_hex(m.as_bytes()),
                v["sm3"].as_str().unwrap()
            );
        }
        let mut n = 0;
        for entry in std::fs::read_dir(&dir).unwrap() {
            let name = entry.unwrap().file_name().into_string().unwrap();
            if !name.contains("_sm2_") {
                continue;
            }
            let v: serde_json::Value =
                serde_json::from_slice(&std::fs::read(dir.join(&name)).unwrap()).unwrap();
            let key = std::fs::read(dir.join(v["public_key_pem"].as_str().unwrap())).unwrap();
            let key = parse_public(&key).unwrap();
            let sig = hex_bytes(v["signature_der_hex"].as_str().unwrap());
            let got = verify_with(
                &key,
                v["distid"].as_str().unwrap(),
                v["message"].as_str().unwrap().as_bytes(),
                &sig,
            );
            assert_eq!(got.is_ok(), name.starts_with("ok_"), "{name}: {got:?}");
            n += 1;
        }
        assert_eq!(n, 4);
    }

    #[test]
    fn der_is_strict_and_never_panics() {
        let (r, s) = ([0x80u8; 32], {
            let mut s = [0u8; 32];
            s[31] = 1;
            s
        });
        let der = der_encode(&r, &s);
        assert_eq!(der_decode(&der), Some((r, s)));
        assert_eq!(&der[..4], &[0x30, 0x26, 0x02, 0x21]);
        for cut in 0..der.len() {
            assert_eq!(der_decode(&der[..cut]), None);
        }
        let mut trailing = der.clone();
        trailing.push(0);
        assert_eq!(der_decode(&trailing), None);
        // A non-minimal INTEGER (00 01) is refused.
        assert_eq!(
            der_decode(&hex_bytes("3007020200010201 01".replace(' ', "").as_str())),
            None
        );
        for bytes in [&b""[..], b"\x30", b"\x30\x00", b"\x30\x80", b"\xff\xff\xff"] {
            assert_eq!(der_decode(bytes), None);
        }
    }
}
