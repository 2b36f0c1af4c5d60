//! `choucha roster FILE`: read the registered accounts, write roster.tsv and
//! record its SHA-256 — the commitment made before any seed exists.

use std::path::Path;

use crate::cli::RosterArgs;
use crate::commit::sha256_hex;
use crate::draw::{Allocation, quotas};
use crate::error::{Error, Result};
use crate::fsio;
use crate::logfile::LockedLog;
use crate::roster::{RosterOptions, parse};
use crate::round::RosterCommitted;
use crate::sample::COLUMNS_FILE;

pub const ROSTER_FILE: &str = "roster.tsv";

pub fn run(dir: &Path, args: &RosterArgs) -> Result<()> {
    let mut log = LockedLog::open(dir)?;
    if log.state.seed.is_some() {
        return Err(Error::refused(
            "the seed has been revealed: the roster is frozen (a roster chosen after the seed could steer the sample)",
        ));
    }
    let file = args.file.display().to_string();
    let (text, encoding, bytes) = super::read_text(&args.file, args.encoding)?;
    let opts = RosterOptions {
        id_column: args.id_column.clone(),
        stratum_column: args.stratum_column.clone(),
    };
    let roster = parse(&text, &file, &opts)?;
    let counts = roster.counts();

    // A quota plan must fit this roster; better to learn it now than after the seed.
    let allocation = log.state.opened.allocation().map_err(Error::refused)?;
    if let Allocation::Quotas(_) = allocation {
        let sizes: Vec<(&str, u64)> = roster
            .strata
            .iter()
            .map(String::as_str)
            .zip(counts.iter().copied())
            .collect();
        quotas(&sizes, "1/1".parse().expect("valid"), &allocation, "").map_err(|e| {
            Error::input(format!("{file}: does not fit the round's quota plan: {e}"))
        })?;
    }

    let tsv = roster.canonical_tsv();
    let digest = sha256_hex(&tsv);
    fsio::write_atomic(&dir.join(ROSTER_FILE), &tsv)?;
    fsio::write_atomic(&dir.join(COLUMNS_FILE), &roster.columns_csv(&text))?;
    let record = RosterCommitted {
        roster_sha256: digest.clone(),
        accounts: roster.accounts.len() as u64,
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
        source_sha256: sha256_hex(&bytes),
        encoding: encoding.name().into(),
        id_column: roster.id_column.clone(),
        stratum_column: roster.stratum_column.clone(),
    };
    log.append(&record)?;
    println!("{digest}  {ROSTER_FILE}");
    println!(
        "committed {} accounts in {} strata (read {file} as {})",
        roster.accounts.len(),
        roster.strata.len(),
        encoding.name()
    );
    for name in &roster.first_seen {
        let i = roster
            .strata
            .iter()
            .position(|s| s == name)
            .expect("known stratum");
        println!("  {name}\t{}", counts[i]);
    }
    println!(
        "next: publish the digest, then choucha -C {} seed VALUE --source TEXT",
        dir.display()
    );
    Ok(())
}
