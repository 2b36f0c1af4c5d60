//! A result and an amendment as the log records them (their record type
//! names are given in `log::records`, which knows the log's line format).

use serde::{Deserialize, Serialize};

use crate::results::verdict::Verdict;

/// One inspection result.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ResultRecorded {
    pub id: String,
    pub stratum: String,
    pub verdict: Verdict,
    pub reasons: Vec<String>,
    pub note: String,
    pub inspector: String,
    /// The date of the check (YYYY-MM-DD), or "".
    pub checked_at: String,
    /// The signed-in user who entered it through `choucha serve`; absent
    /// (empty) for a record the command line made.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub entered_by: String,
}

/// A correction: the latest result or amendment of an id counts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ResultAmended {
    pub id: String,
    pub stratum: String,
    pub verdict: Verdict,
    pub reasons: Vec<String>,
    pub note: String,
    pub inspector: String,
    pub why: String,
    /// As in [`ResultRecorded`].
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub entered_by: String,
}
