//! The log's record types, one struct each: what a line of `log.jsonl` holds
//! after `seq`, `prev`, `at` and `type` (SPEC.md §5).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::log::chain::Record;
use crate::results::codes::Code;
use crate::results::record::{ResultAmended, ResultRecorded};
use crate::sampling::draw::Allocation;
use crate::sampling::rate::Rate;
use crate::t;

pub const LOG_FORMAT: &str = "choucha-log/1";

/// Line 0: the round's settings, fixed before any roster or seed.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct RoundOpened {
    pub format: String,
    pub round: String,
    pub population: String,
    /// The sampling rate as an exact fraction "p/q".
    pub rate: String,
    /// largest-remainder, ceil, floor or quotas.
    pub allocation: String,
    /// With allocation "quotas": the plan, stratum to quota, in byte order.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub quotas: Option<BTreeMap<String, u64>>,
    /// With allocation "quotas": SHA-256 of the plan file as copied into the round.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub quotas_sha256: Option<String>,
    /// The notice's title, e.g. 2023年第三季度全省政务新媒体抽查情况.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub title: String,
    /// The order of the strata in the published table.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub order: Vec<String>,
    /// The round's own reason codes, beside the built-in ones.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub codes: Vec<Code>,
    pub tool: String,
}

impl Record for RoundOpened {
    const TYPE: &'static str = "round-opened";
}

impl RoundOpened {
    pub fn rate(&self) -> Result<Rate, String> {
        self.rate.parse()
    }

    pub fn allocation(&self) -> Result<Allocation, String> {
        Ok(match self.allocation.as_str() {
            "largest-remainder" => Allocation::LargestRemainder,
            "ceil" => Allocation::Ceil,
            "floor" => Allocation::Floor,
            "quotas" => Allocation::Quotas(
                self.quotas
                    .as_ref()
                    .ok_or_else(|| t!("round.quotas-missing"))?
                    .iter()
                    .map(|(s, &k)| (s.clone(), k))
                    .collect(),
            ),
            other => return Err(t!("round.unknown-allocation", rule = other)),
        })
    }

    pub fn title_or_default(&self) -> String {
        if self.title.is_empty() {
            format!("{} {}抽查情况", self.round, self.population)
        } else {
            self.title.clone()
        }
    }

    pub fn codebook(&self) -> crate::results::codes::Codebook {
        crate::results::codes::Codebook::new(&self.codes, &self.population)
    }
}

/// The roster commitment: what `sha256sum roster.tsv` prints.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct RosterCommitted {
    pub roster_sha256: String,
    pub accounts: u64,
    /// Accounts per stratum, in byte order of the names.
    pub strata: BTreeMap<String, u64>,
    /// Strata in the order they first appear in the source file.
    pub order: Vec<String>,
    /// The source file's name and SHA-256, and how it was read.
    pub source: String,
    pub source_sha256: String,
    pub encoding: String,
    pub id_column: String,
    pub stratum_column: String,
    /// SHA-256 of the companions as this commit wrote them
    /// (roster-columns.csv, roster-columns.idx), so that the seed is
    /// refused while they are from another commit. Absent in logs from
    /// before they were recorded.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub columns_sha256: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub columns_index_sha256: String,
}

impl Record for RosterCommitted {
    const TYPE: &'static str = "roster-committed";
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SeedRevealed {
    pub seed: String,
    pub source: String,
}

impl Record for SeedRevealed {
    const TYPE: &'static str = "seed-revealed";
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SampleDrawn {
    pub algorithm: String,
    pub roster_sha256: String,
    pub manifest_sha256: String,
    pub sample_size: u64,
    /// Quota per stratum, in byte order of the names.
    pub quotas: BTreeMap<String, u64>,
    /// With `draw --sign-key`: the signer's key fingerprint (SHA256:…), as
    /// `ssh-keygen -l` prints it; manifest.json.sig holds the signature.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub signer: String,
}

impl Record for SampleDrawn {
    const TYPE: &'static str = "sample-drawn";
}

impl Record for ResultRecorded {
    const TYPE: &'static str = "result-recorded";
}

impl Record for ResultAmended {
    const TYPE: &'static str = "result-amended";
}

/// A torn tail was set aside by `log repair`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Repaired {
    /// The side file the incomplete bytes were moved to.
    pub moved_to: String,
    pub bytes: u64,
    pub sha256: String,
    /// 1-based line of the log where the torn part began.
    pub from_line: u64,
}

impl Record for Repaired {
    const TYPE: &'static str = "repaired";
}

/// The record a checkpoint leaves in the log, so that the next one covers it.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Checkpointed {
    pub origin: String,
    /// Lines covered: the log before this record.
    pub size: u64,
    /// The Merkle root of those lines, base64 as in the checkpoint.
    pub root: String,
    /// The signing key's fingerprint (SHA256:…).
    pub signer: String,
    pub file: String,
}

impl Record for Checkpointed {
    const TYPE: &'static str = "checkpoint";
}

/// The record that closes a round.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ReportPublished {
    pub table_sha256: String,
    pub total: u64,
    pub checked: u64,
    pub failed: u64,
    pub pass_rate: String,
    pub fraction: String,
}

impl Record for ReportPublished {
    const TYPE: &'static str = "report-published";
}
