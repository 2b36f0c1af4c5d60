//! Committing to the roster: roster.tsv and its companions written, its
//! SHA-256 recorded — before any seed exists.

use crate::base::digest::sha256_hex;
use crate::base::{fsio, par};
use crate::error::{Error, Result};
use crate::input::table::SourceText;
use crate::log::records::RosterCommitted;
use crate::roster::ROSTER_FILE;
use crate::roster::canonical::{RosterOptions, parse};
use crate::sampling::draw::{Allocation, plan_quotas};
use crate::sampling::sample::{COLUMNS_FILE, COLUMNS_INDEX_FILE};
use crate::t;

/// What `commit_roster` committed to.
pub struct RosterCommitment {
    /// SHA-256 of roster.tsv: what `sha256sum roster.tsv` prints.
    pub digest: String,
    pub accounts: u64,
    /// Each stratum with its number of accounts, in the roster's order of first appearance.
    pub strata: Vec<(String, u64)>,
    /// The file as named in messages, and how it was read ("utf-8", "xlsx sheet 名单").
    pub file: String,
    pub encoding: String,
    /// Rows inside the list with every field empty, skipped.
    pub empty_rows: u64,
    /// Strata that are probably one (合肥 and 合肥市), each group in the
    /// roster's order.
    pub near_duplicates: Vec<Vec<String>>,
}

impl super::Round {
    /// Reads the registered accounts from `src`, writes roster.tsv and its
    /// companions, and records the commitment. `source_name` is the file's
    /// name as the record keeps it. Refused once the seed is revealed.
    pub fn commit_roster(
        &mut self,
        src: &SourceText,
        source_name: &str,
        opts: &RosterOptions,
    ) -> Result<RosterCommitment> {
        if self.state().seed.is_some() {
            return Err(Error::refused(t!("cmd-roster.frozen")));
        }
        let dir = self.dir.clone();
        let file = src.origin.file.clone();
        // Beside the parse: the source's digest (for the record), and the source
        // as read written beside roster.tsv, whose other columns `draw` copies
        // into the sample list (put in place only once the roster is accepted).
        let columns_path = dir.join(COLUMNS_FILE);
        let (roster, (source_sha256, columns)) = par::join(
            || parse(src.text.as_bytes(), &src.origin, opts),
            || {
                let digest = src.source_sha256();
                (digest, fsio::stage(&columns_path, src.text.as_bytes()))
            },
        );
        let roster = roster?;
        let columns = columns?;
        let near_duplicates =
            crate::roster::strata::near_duplicates(roster.first_seen.iter().map(String::as_str));
        if opts.strict_strata && !near_duplicates.is_empty() {
            let groups: Vec<String> = near_duplicates
                .iter()
                .map(|g| {
                    g.iter()
                        .map(|s| format!("{s:?}"))
                        .collect::<Vec<_>>()
                        .join(" / ")
                })
                .collect();
            return Err(Error::input(t!(
                "cmd-roster.strict-strata",
                file,
                groups = groups.join("; ")
            )));
        }
        let counts = &roster.counts;

        // A quota plan must fit this roster; better to learn it now than after the seed.
        let allocation = self.state().opened.allocation().map_err(Error::refused)?;
        if let Allocation::Quotas(plan) = &allocation {
            let sizes: Vec<(&str, u64)> = roster
                .strata
                .iter()
                .map(String::as_str)
                .zip(counts.iter().copied())
                .collect();
            plan_quotas(&sizes, plan)
                .map_err(|error| Error::input(t!("cmd-roster.plan-misfit", file, error)))?;
        }

        // roster.tsv (the commitment) is hashed while it is written; beside
        // both, the source's columns are put in place with the index of where
        // each account's record is (a thread waiting on fsync leaves its core free).
        let tsv_path = dir.join(ROSTER_FILE);
        let tsv = &roster.tsv;
        let (digest, (tsv_written, columns_written)) = par::join(
            || sha256_hex(tsv),
            || {
                par::join(
                    || fsio::write_atomic(&tsv_path, tsv),
                    || {
                        columns.commit()?;
                        fsio::write_atomic(&dir.join(COLUMNS_INDEX_FILE), &roster.columns_index)
                    },
                )
            },
        );
        tsv_written?;
        columns_written?;
        // roster-columns.csv holds the text as read (often the source itself).
        let columns_sha256 = src.text_sha256(&source_sha256);
        let record = RosterCommitted {
            roster_sha256: digest.clone(),
            accounts: roster.accounts() as u64,
            strata: roster
                .strata
                .iter()
                .cloned()
                .zip(counts.iter().copied())
                .collect(),
            order: roster.first_seen.clone(),
            source: source_name.to_string(),
            source_sha256,
            encoding: src.encoding.clone(),
            id_column: roster.id_column.clone(),
            stratum_column: roster.stratum_column.clone(),
            columns_sha256,
            columns_index_sha256: sha256_hex(&roster.columns_index),
        };
        self.append(&record)?;
        let strata = roster
            .first_seen
            .iter()
            .map(|name| (name.clone(), record.strata.get(name).copied().unwrap_or(0)))
            .collect();
        let accounts = record.accounts;
        self.state_mut().roster = Some(record);
        Ok(RosterCommitment {
            digest,
            accounts,
            strata,
            file,
            encoding: src.encoding.clone(),
            empty_rows: roster.empty_rows,
            near_duplicates,
        })
    }
}
