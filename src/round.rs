//! The round's records and the state they add up to.
//!
//! A round is to choucha what a repository is to git: a directory whose
//! `log.jsonl` says everything that happened. The state is always derived
//! from the log, never stored beside it.

use std::collections::BTreeMap;

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

use crate::commit::hex;
use crate::draw::Allocation;
use crate::log::{GENESIS_PREV, LogLine, Record};
use crate::rate::Rate;

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
                    .ok_or("allocation \"quotas\" without a \"quotas\" field")?
                    .iter()
                    .map(|(s, &k)| (s.clone(), k))
                    .collect(),
            ),
            other => return Err(format!("unknown allocation rule {other:?}")),
        })
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
}

impl Record for SampleDrawn {
    const TYPE: &'static str = "sample-drawn";
}

/// Where a round stands, derived from its log.
#[derive(Debug, Clone)]
pub struct RoundState {
    pub opened: RoundOpened,
    pub roster: Option<RosterCommitted>,
    pub seed: Option<SeedRevealed>,
    pub drawn: Option<SampleDrawn>,
    /// Number of lines, and the SHA-256 of the last one (the next `prev`).
    pub len: u64,
    pub head: String,
}

fn fields<R: DeserializeOwned>(line: &LogLine) -> Result<R, String> {
    serde_json::from_value(serde_json::Value::Object(line.fields.clone()))
        .map_err(|e| format!("line {}: {} record: {e}", line.seq + 1, line.kind))
}

impl RoundState {
    /// Replays a checked log, enforcing the order of the steps.
    pub fn from_log(lines: &[LogLine]) -> Result<RoundState, String> {
        let first = lines
            .first()
            .ok_or("the log is empty; it should start with a round-opened record")?;
        if first.kind != RoundOpened::TYPE {
            return Err(format!(
                "line 1 is {:?}, but a round starts with round-opened",
                first.kind
            ));
        }
        let mut st = RoundState {
            opened: fields(first)?,
            roster: None,
            seed: None,
            drawn: None,
            len: 0,
            head: GENESIS_PREV.into(),
        };
        for line in &lines[1..] {
            let n = line.seq + 1;
            match line.kind.as_str() {
                RosterCommitted::TYPE => {
                    if st.seed.is_some() {
                        return Err(format!(
                            "line {n}: a roster committed after the seed was revealed"
                        ));
                    }
                    st.roster = Some(fields(line)?);
                }
                SeedRevealed::TYPE => {
                    if st.roster.is_none() {
                        return Err(format!(
                            "line {n}: a seed revealed before any roster was committed"
                        ));
                    }
                    if st.seed.is_some() {
                        return Err(format!("line {n}: a second seed"));
                    }
                    st.seed = Some(fields(line)?);
                }
                SampleDrawn::TYPE => {
                    if st.seed.is_none() {
                        return Err(format!(
                            "line {n}: a sample drawn before the seed was revealed"
                        ));
                    }
                    if st.drawn.is_some() {
                        return Err(format!("line {n}: a second draw"));
                    }
                    st.drawn = Some(fields(line)?);
                }
                RoundOpened::TYPE => return Err(format!("line {n}: a second round-opened record")),
                other => return Err(format!("line {n}: unknown record type {other:?}")),
            }
        }
        let last = lines.last().expect("non-empty");
        st.len = lines.len() as u64;
        st.head = hex(&last.hash);
        Ok(st)
    }
}
