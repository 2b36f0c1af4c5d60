//! Commitments: SHA-256 digests written as 64 lowercase hex digits, exactly as
//! `sha256sum` prints them, so an auditor can check any of them by hand; in
//! the gm profile SM3 digests, as `openssl dgst -sm3` prints them.

use sha2::{Digest, Sha256};
use sm3::Sm3;

/// Lowercase hex SHA-256 of `bytes`.
pub fn sha256_hex(bytes: &[u8]) -> String {
    hex(&Sha256::digest(bytes))
}

pub fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut s = String::with_capacity(bytes.len() * 2);
    for &b in bytes {
        s.push(DIGITS[(b >> 4) as usize] as char);
        s.push(DIGITS[(b & 15) as usize] as char);
    }
    s
}

/// Whether `s` looks like a digest this tool writes.
pub fn is_sha256_hex(s: &str) -> bool {
    s.len() == 64 && s.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
}

/// Which hash a round's digests use (SPEC §11.7): `standard` is SHA-256,
/// what every round before the gm profile used; `gm` is SM3 (GB/T 32905).
/// Both give 32 bytes, so every structure built on them (the chain, the
/// RFC 6962 tree) is the same with either one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum HashProfile {
    #[default]
    Standard,
    Gm,
}

impl HashProfile {
    /// The name `init --profile` takes and `round-opened` records.
    pub fn name(self) -> &'static str {
        match self {
            HashProfile::Standard => "standard",
            HashProfile::Gm => "gm",
        }
    }

    pub fn parse(name: &str) -> Option<Self> {
        match name {
            "standard" => Some(HashProfile::Standard),
            "gm" => Some(HashProfile::Gm),
            _ => None,
        }
    }

    /// The hash's name in record fields (`roster_sha256`, `roster_sm3`)
    /// and in OpenSSL's `dgst -NAME`.
    pub fn hash_name(self) -> &'static str {
        match self {
            HashProfile::Standard => "sha256",
            HashProfile::Gm => "sm3",
        }
    }

    /// A record field's name in this profile: `field("roster")` is
    /// `roster_sha256` or `roster_sm3`.
    pub fn field(self, stem: &str) -> String {
        format!("{stem}_{}", self.hash_name())
    }

    pub fn hasher(self) -> Hasher {
        match self {
            HashProfile::Standard => Hasher::Sha256(Sha256::new()),
            HashProfile::Gm => Hasher::Sm3(Sm3::new()),
        }
    }

    pub fn digest(self, bytes: &[u8]) -> [u8; 32] {
        let mut h = self.hasher();
        h.update(bytes);
        h.finalize()
    }

    pub fn hex(self, bytes: &[u8]) -> String {
        hex(&self.digest(bytes))
    }
}

/// One running hash of either profile.
#[derive(Clone)]
pub enum Hasher {
    Sha256(Sha256),
    Sm3(Sm3),
}

impl Hasher {
    pub fn update(&mut self, bytes: &[u8]) {
        match self {
            Hasher::Sha256(h) => h.update(bytes),
            Hasher::Sm3(h) => h.update(bytes),
        }
    }

    pub fn finalize(self) -> [u8; 32] {
        match self {
            Hasher::Sha256(h) => h.finalize().into(),
            Hasher::Sm3(h) => h.finalize().into(),
        }
    }
}

/// Lowercase hex SM3 of `bytes`, as `openssl dgst -sm3` prints it.
pub fn sm3_hex(bytes: &[u8]) -> String {
    HashProfile::Gm.hex(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_answers() {
        assert_eq!(
            sha256_hex(b""),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        );
        assert_eq!(
            sha256_hex(b"abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
        assert!(is_sha256_hex(&sha256_hex(b"x")));
        assert!(!is_sha256_hex("ABC"));
    }

    /// GB/T 32905-2016, appendix A: examples 1 and 2.
    #[test]
    fn sm3_known_answers() {
        assert_eq!(
            sm3_hex(b"abc"),
            "66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0"
        );
        assert_eq!(
            sm3_hex(b"abcd".repeat(16).as_slice()),
            "debe9ff92275b8a138604889c18e5a4d6fdb70e5387e5765293dcba39c0c5732"
        );
        assert_eq!(HashProfile::Standard.hex(b"abc"), sha256_hex(b"abc"));
        let mut h = HashProfile::Gm.hasher();
        h.update(b"ab");
        h.update(b"c");
        assert_eq!(hex(&h.finalize()), sm3_hex(b"abc"));
        assert_eq!(HashProfile::Gm.field("roster"), "roster_sm3");
        assert_eq!(HashProfile::parse("gm"), Some(HashProfile::Gm));
        assert_eq!(HashProfile::parse("GM"), None);
    }
}
