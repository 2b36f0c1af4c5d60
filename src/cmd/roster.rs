//! `choucha roster FILE`: read the registered accounts, write roster.tsv and
//! record its SHA-256 — the commitment made before any seed exists.

use std::path::Path;

use crate::cli::RosterArgs;
use crate::error::{Error, Result};
use crate::log::file::LockedLog;
use crate::log::records::RosterCommitted;
use crate::roster::canonical::{RosterOptions, parse};
use crate::sampling::draw::{Allocation, plan_quotas};
use crate::sampling::sample::{COLUMNS_FILE, COLUMNS_INDEX_FILE};
use crate::t;

pub const ROSTER_FILE: &str = "roster.tsv";

pub fn run(dir: &Path, args: &RosterArgs) -> Result<()> {
    let mut log = LockedLog::open(dir)?;
    if log.state.seed.is_some() {
        return Err(Error::refused(t!("cmd-roster.frozen")));
    }
    let keys: Vec<&str> = [args.id_column.as_deref(), args.stratum_column.as_deref()]
        .into_iter()
        .flatten()
        .collect();
    let src = crate::input::table::read_table(
        &args.file,
        args.input.encoding,
        args.input.sheet.as_deref(),
        &keys,
    )?;
    let file = src.origin.file.clone();
    let opts = RosterOptions {
        id_column: args.id_column.clone(),
        stratum_column: args.stratum_column.clone(),
    };
    // Beside the parse: the source's digest (for the record), and the source
    // as read written beside roster.tsv, whose other columns `draw` copies
    // into the sample list (put in place only once the roster is accepted).
    let columns_path = dir.join(COLUMNS_FILE);
    let (roster, (source_sha256, columns)) = crate::base::par::join(
        || parse(src.text.as_bytes(), &src.origin, &opts),
        || {
            let digest = src.source_sha256();
            (
                digest,
                crate::base::fsio::stage(&columns_path, src.text.as_bytes()),
            )
        },
    );
    let roster = roster?;
    let columns = columns?;
    let counts = &roster.counts;

    // A quota plan must fit this roster; better to learn it now than after the seed.
    let allocation = log.state.opened.allocation().map_err(Error::refused)?;
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
    let (digest, (tsv_written, columns_written)) = crate::base::par::join(
        || crate::base::digest::sha256_hex(tsv),
        || {
            crate::base::par::join(
                || crate::base::fsio::write_atomic(&tsv_path, tsv),
                || {
                    columns.commit()?;
                    crate::base::fsio::write_atomic(
                        &dir.join(COLUMNS_INDEX_FILE),
                        &roster.columns_index,
                    )
                },
            )
        },
    );
    tsv_written?;
    columns_written?;
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
        source: args
            .file
            .file_name()
            .map_or(file.clone(), |n| n.to_string_lossy().into_owned()),
        source_sha256,
        encoding: src.encoding.clone(),
        id_column: roster.id_column.clone(),
        stratum_column: roster.stratum_column.clone(),
    };
    log.append(&record)?;
    println!("{digest}  {ROSTER_FILE}");
    println!(
        "{}",
        t!(
            "cmd-roster.committed",
            accounts = roster.accounts(),
            strata = roster.strata.len(),
            file,
            encoding = src.encoding
        )
    );
    for name in &roster.first_seen {
        let i = roster
            .strata
            .iter()
            .position(|s| s == name)
            .expect("known stratum");
        println!("  {name}\t{}", counts[i]);
    }
    println!("{}", t!("cmd-roster.next", dir = dir.display()));
    Ok(())
}
