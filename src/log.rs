//! The round's log: UTF-8 JSON Lines, hash-chained (SPEC.md §5).
//!
//! Pure: renders lines and checks a log's bytes. Line i (from 0) is an object
//! that starts `{"seq":i,"prev":"<hex>","type":"<type>","at":"<time>"` and
//! goes on with the record's own fields; `prev` is the SHA-256 of line i-1's
//! exact bytes without its LF (64 zeros for line 0). Reading and appending
//! under a lock lives in `logfile.rs`.

use serde::Serialize;
use serde_json::{Map, Value};
use sha2::{Digest, Sha256};

use crate::commit::hex;

pub const LOG_FILE: &str = "log.jsonl";
pub const GENESIS_PREV: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// A record type: its fields serialise to a JSON object.
pub trait Record: Serialize {
    const TYPE: &'static str;
}

/// One checked line of the log.
#[derive(Debug, Clone)]
pub struct LogLine {
    pub seq: u64,
    pub kind: String,
    pub at: String,
    /// The record's own fields (everything after `at`).
    pub fields: Map<String, Value>,
    /// SHA-256 of the line's bytes without LF: the next line's `prev`.
    pub hash: [u8; 32],
}

/// What is wrong with a log, and where (1-based line number).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Defect {
    pub line: u64,
    pub what: String,
    /// True when every complete line holds and only an unterminated last
    /// line (no LF) is left: what an interrupted append leaves behind.
    pub torn_tail: bool,
}

impl std::fmt::Display for Defect {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "line {}: {}", self.line, self.what)
    }
}

/// Renders one line (without LF) of type `R` at position `seq`.
pub fn render_line<R: Record>(seq: u64, prev: &str, at: &str, record: &R) -> String {
    let mut obj = Map::new();
    obj.insert("seq".into(), Value::from(seq));
    obj.insert("prev".into(), Value::from(prev));
    obj.insert("type".into(), Value::from(R::TYPE));
    obj.insert("at".into(), Value::from(at));
    match serde_json::to_value(record).expect("records serialise") {
        Value::Object(fields) => obj.extend(fields),
        _ => unreachable!("records are JSON objects"),
    }
    Value::Object(obj).to_string()
}

/// Checks every line of a log and returns them parsed.
pub fn parse_log(bytes: &[u8]) -> Result<Vec<LogLine>, Defect> {
    let mut lines = Vec::new();
    let mut prev_hash_hex = GENESIS_PREV.to_string();
    let mut rest = bytes;
    let mut seq: u64 = 0;
    while !rest.is_empty() {
        let line_no = seq + 1;
        let (line, after) = match rest.iter().position(|&b| b == b'\n') {
            Some(i) => (&rest[..i], &rest[i + 1..]),
            None => {
                return Err(Defect {
                    line: line_no,
                    what: "the last line has no line feed: an append was interrupted".into(),
                    torn_tail: true,
                });
            }
        };
        // A complete line (it has its LF) that fails is damage, not a torn tail.
        let broken = |what: String| Defect {
            line: line_no,
            what,
            torn_tail: false,
        };
        let parsed = check_line(line, seq, &prev_hash_hex).map_err(broken)?;
        prev_hash_hex = hex(&parsed.hash);
        lines.push(parsed);
        rest = after;
        seq += 1;
    }
    Ok(lines)
}

fn check_line(line: &[u8], seq: u64, prev: &str) -> Result<LogLine, String> {
    let text = std::str::from_utf8(line).map_err(|_| "not valid UTF-8".to_string())?;
    let mut obj: Map<String, Value> = match serde_json::from_str::<Value>(text) {
        Ok(Value::Object(o)) => o,
        Ok(_) => return Err("not a JSON object".into()),
        Err(e) => return Err(format!("not valid JSON: {e}")),
    };
    match obj.get("seq").and_then(Value::as_u64) {
        Some(s) if s == seq => {}
        Some(s) => return Err(format!("\"seq\" is {s}, expected {seq}")),
        None => return Err("no integer \"seq\"".into()),
    }
    match obj.get("prev").and_then(Value::as_str) {
        Some(p) if p == prev => {}
        Some(p) => {
            return Err(format!(
                "\"prev\" is {p}, but the previous line hashes to {prev}"
            ));
        }
        None => return Err("no \"prev\"".into()),
    }
    let kind = match obj.get("type").and_then(Value::as_str) {
        Some(t) => t.to_string(),
        None => return Err("no \"type\"".into()),
    };
    let at = match obj.get("at").and_then(Value::as_str) {
        Some(t) => t.to_string(),
        None => return Err("no \"at\"".into()),
    };
    for k in ["seq", "prev", "type", "at"] {
        obj.shift_remove(k);
    }
    Ok(LogLine {
        seq,
        kind,
        at,
        fields: obj,
        hash: Sha256::digest(line).into(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Serialize)]
    struct Note {
        text: String,
    }
    impl Record for Note {
        const TYPE: &'static str = "note";
    }

    fn build(n: usize) -> Vec<u8> {
        let mut out = Vec::new();
        let mut prev = GENESIS_PREV.to_string();
        for i in 0..n {
            let line = render_line(
                i as u64,
                &prev,
                "2023-08-22T00:00:00Z",
                &Note {
                    text: format!("n{i}"),
                },
            );
            prev = crate::commit::sha256_hex(line.as_bytes());
            out.extend_from_slice(line.as_bytes());
            out.push(b'\n');
        }
        out
    }

    #[test]
    fn line_layout_is_fixed() {
        let line = render_line(
            0,
            GENESIS_PREV,
            "2023-08-22T00:00:00Z",
            &Note { text: "合".into() },
        );
        assert_eq!(
            line,
            format!(
                "{{\"seq\":0,\"prev\":\"{GENESIS_PREV}\",\"type\":\"note\",\"at\":\"2023-08-22T00:00:00Z\",\"text\":\"合\"}}"
            )
        );
    }

    #[test]
    fn a_good_chain_parses_and_any_changed_byte_before_the_last_line_is_caught() {
        let log = build(5);
        let good = parse_log(&log).unwrap();
        assert_eq!(good.len(), 5);
        let last_start = log[..log.len() - 1]
            .iter()
            .rposition(|&b| b == b'\n')
            .unwrap()
            + 1;
        for i in 0..log.len() {
            let mut bad = log.clone();
            bad[i] ^= 0x01;
            match parse_log(&bad) {
                Err(_) => {}
                // Only the last line can change and still chain: the head moves,
                // which is what a published head or checkpoint pins (SPEC.md §5).
                Ok(lines) => {
                    assert!(i >= last_start, "flip at byte {i} went unnoticed");
                    assert_ne!(lines[4].hash, good[4].hash);
                }
            }
        }
    }

    #[test]
    fn a_missing_final_lf_is_a_torn_tail() {
        let mut log = build(3);
        log.pop();
        let d = parse_log(&log).unwrap_err();
        assert_eq!((d.line, d.torn_tail), (3, true));
        let mut log = build(3);
        log.truncate(log.len() - 10);
        assert!(parse_log(&log).unwrap_err().torn_tail);
    }

    #[test]
    fn a_bad_middle_line_is_not_a_torn_tail() {
        let log = build(3);
        let text = String::from_utf8(log).unwrap();
        let bad = text.replacen("n1", "n9", 1);
        let d = parse_log(bad.as_bytes()).unwrap_err();
        assert_eq!((d.line, d.torn_tail), (3, false), "{d}");
    }
}
