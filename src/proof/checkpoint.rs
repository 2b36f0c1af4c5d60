//! C2SP transparency-log checkpoints (https://c2sp.org/tlog-checkpoint).
//!
//! Pure. A checkpoint is the text of a signed note (see `note.rs`) naming a
//! log and its Merkle tree head (see `merkle.rs`):
//!
//! ```text
//! <origin>
//! <tree size, decimal>
//! <base64 of the 32-byte root hash>
//! [extension lines]
//! ```
//!
//! This program writes no extension lines (the spec discourages them: log
//! monitors cannot audit them) but keeps any it reads, so a parsed
//! checkpoint renders back to the same bytes.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as B64;

use crate::t;

/// A log's tree head: which log, how many leaves, their RFC 6962 root.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Checkpoint {
    /// The log's identity, conventionally a schema-less URL such as
    /// `example.com/log42` (and the key name it signs with).
    pub origin: String,
    pub size: u64,
    pub root: [u8; 32],
    /// Lines after the root, without their LF; each non-empty.
    pub extensions: Vec<String>,
}

impl Checkpoint {
    /// The note text: one LF-terminated line per field.
    ///
    /// Does not check the fields: an origin or extension that is empty or
    /// holds a LF gives text that `parse` refuses.
    pub fn to_text(&self) -> String {
        let mut s = format!(
            "{}\n{}\n{}\n",
            self.origin,
            self.size,
            B64.encode(self.root)
        );
        for e in &self.extensions {
            s.push_str(e);
            s.push('\n');
        }
        s
    }

    /// Parses a checkpoint's note text (as `note::open` returns it).
    pub fn parse(text: &str) -> Result<Checkpoint, String> {
        let Some(body) = text.strip_suffix('\n') else {
            return Err(t!("checkpoint.no-final-newline"));
        };
        let mut lines = body.split('\n');
        let (Some(origin), Some(size), Some(root)) = (lines.next(), lines.next(), lines.next())
        else {
            return Err(t!("checkpoint.too-few-lines"));
        };
        if origin.is_empty() {
            return Err(t!("checkpoint.empty-origin"));
        }
        // ASCII digits, no sign, no leading zero except the empty tree's "0":
        // one size, one spelling.
        let size = if !size.is_empty()
            && size.bytes().all(|b| b.is_ascii_digit())
            && (size == "0" || !size.starts_with('0'))
        {
            size.parse::<u64>()
                .map_err(|e| t!("checkpoint.size-error", size, error = e))?
        } else {
            return Err(t!("checkpoint.bad-size", size));
        };
        let raw = B64
            .decode(root)
            .map_err(|e| t!("checkpoint.root-not-base64", root, error = e))?;
        let root: [u8; 32] = raw
            .try_into()
            .map_err(|raw: Vec<u8>| t!("checkpoint.root-length", len = raw.len()))?;
        let extensions: Vec<String> = lines.map(str::to_string).collect();
        if extensions.iter().any(String::is_empty) {
            return Err(t!("checkpoint.empty-extension"));
        }
        Ok(Checkpoint {
            origin: origin.to_string(),
            size,
            root,
            extensions,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::proof::merkle;

    // The example in c2sp.org/tlog-checkpoint (C2SP/C2SP tlog-checkpoint.md).
    const SPEC_EXAMPLE: &str =
        "example.com/behind-the-sofa\n20852163\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n";

    #[test]
    fn spec_example() {
        let c = Checkpoint::parse(SPEC_EXAMPLE).unwrap();
        assert_eq!(c.origin, "example.com/behind-the-sofa");
        assert_eq!(c.size, 20852163);
        assert_eq!(
            crate::base::digest::hex(&c.root),
            "0ac5186a91863e8e1d90c808014aa89bf5da8e3ee1d9f07630f0378f68f1ab62"
        );
        assert!(c.extensions.is_empty());
        assert_eq!(c.to_text(), SPEC_EXAMPLE);
    }

    #[test]
    fn round_trip() {
        let c = Checkpoint {
            origin: "choucha.example/round-1".to_string(),
            size: 0,
            root: merkle::root(&[]),
            extensions: vec![],
        };
        let text = c.to_text();
        assert_eq!(
            text,
            "choucha.example/round-1\n0\n47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=\n"
        );
        assert_eq!(Checkpoint::parse(&text).unwrap(), c);
        let c = Checkpoint {
            size: u64::MAX,
            root: merkle::leaf_hash(b"x"),
            extensions: vec!["ext one".to_string(), "— two".to_string()],
            ..c
        };
        assert_eq!(Checkpoint::parse(&c.to_text()).unwrap(), c);
    }

    #[test]
    fn parse_errors() {
        let root = "47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=";
        for bad in [
            "".to_string(),
            "o\n1\n".to_string(),
            format!("o\n1\n{root}"),                      // no final LF
            format!("\n1\n{root}\n"),                     // empty origin
            format!("o\n\n{root}\n"),                     // empty size
            format!("o\n01\n{root}\n"),                   // leading zero
            format!("o\n-1\n{root}\n"),                   // sign
            format!("o\n+1\n{root}\n"),                   // sign
            format!("o\n1 \n{root}\n"),                   // space
            format!("o\n0x10\n{root}\n"),                 // hex
            format!("o\n18446744073709551616\n{root}\n"), // u64::MAX + 1
            "o\n1\nnot base64!\n".to_string(),
            "o\n1\nAAAA\n".to_string(),    // 3 bytes
            format!("o\n1\n{root}AAAA\n"), // 35 bytes
            "o\n1\n47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU\n".to_string(), // no padding
            format!("o\n1\n{root}\n\n"),   // empty extension
            format!("o\n1\n{root}\next\n\n"),
        ] {
            assert!(Checkpoint::parse(&bad).is_err(), "{bad:?}");
        }
        assert_eq!(
            Checkpoint::parse(&format!("\n1\n{root}\n")).unwrap_err(),
            "checkpoint origin is empty"
        );
    }
}
