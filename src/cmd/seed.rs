//! `choucha seed VALUE`: the public seed, once, after the roster commitment.

use std::path::Path;

use crate::cli::SeedArgs;
use crate::error::{Error, Result};
use crate::log::file::LockedLog;
use crate::log::records::SeedRevealed;
use crate::sampling::seed::parse_seed;
use crate::t;

pub fn run(dir: &Path, args: &SeedArgs) -> Result<()> {
    let mut log = LockedLog::open(dir)?;
    if log.state.roster.is_none() {
        return Err(Error::refused(t!("seed.no-roster")));
    }
    if let Some(s) = &log.state.seed {
        return Err(Error::refused(t!("seed.already-revealed", seed = s.seed)));
    }
    let seed = parse_seed(&args.value).map_err(Error::input)?;
    roster_files_intact(dir, log.state.roster.as_ref().expect("checked above"))?;
    let source = crate::input::text::normalize_field(&args.source).into_owned();
    log.append(&SeedRevealed {
        seed: seed.clone(),
        source,
    })?;
    println!("{}", t!("seed.revealed", seed));
    println!("{}", t!("seed.next", dir = dir.display()));
    Ok(())
}

/// After the seed no roster can be committed again, so the files the draw
/// will read must still be those of the committed roster: roster.tsv with
/// its digest, and the index of roster-columns.csv with one entry per account.
fn roster_files_intact(dir: &Path, roster: &crate::log::records::RosterCommitted) -> Result<()> {
    let tsv = dir.join(super::roster::ROSTER_FILE);
    let digest = crate::base::digest::sha256_hex(&crate::base::fsio::read(&tsv)?);
    if digest != roster.roster_sha256 {
        return Err(Error::refused(t!(
            "seed.roster-changed",
            file = tsv.display(),
            digest,
            committed = roster.roster_sha256
        )));
    }
    let index = dir.join(crate::sampling::sample::COLUMNS_INDEX_FILE);
    let entries = std::fs::metadata(&index)
        .map_err(|e| Error::io(&index, e))?
        .len()
        / 4;
    if entries != roster.accounts || !dir.join(crate::sampling::sample::COLUMNS_FILE).is_file() {
        return Err(Error::refused(t!(
            "seed.columns-changed",
            file = index.display(),
            entries,
            accounts = roster.accounts
        )));
    }
    Ok(())
}
