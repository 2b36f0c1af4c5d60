//! A result's verdict, and the result of an account that counts.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Verdict {
    Pass,
    Fail,
}

impl Verdict {
    pub fn name(self) -> &'static str {
        match self {
            Verdict::Pass => "pass",
            Verdict::Fail => "fail",
        }
    }
}

/// The result of a sampled account that counts: its latest record.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FinalResult {
    pub verdict: Verdict,
    /// 1-based log line of the record that counts.
    pub line: u64,
}
