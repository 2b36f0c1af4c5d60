//! What the round's sample proves about its whole population: the exact
//! bound per stratum and the stratified bound for the whole (SPEC §10).

use std::path::Path;

use crate::audit::report::{Table, compute};
use crate::error::{Error, Result};
use crate::log::state::RoundState;
use crate::sampling::manifest::{MANIFEST_FILE, Manifest};
use crate::stats::bound::Fraction;
use crate::stats::strata::{StratifiedBound, Stratum, stratified_bound};
use crate::t;

/// The bounds of a table whose every sampled account has a result: refused
/// otherwise (an account not yet judged is neither a pass nor a failure).
pub fn bound_of_table(table: Table, confidence: Fraction) -> Result<(Table, StratifiedBound)> {
    if let Some(note) = table.missing_note(crate::i18n::current()) {
        return Err(Error::refused(t!("cmd-bound.incomplete", note)));
    }
    let strata: Vec<Stratum> = table
        .rows
        .iter()
        .map(|r| Stratum {
            population: r.total,
            checked: r.checked,
            failed: r.failed,
        })
        .collect();
    let bound = stratified_bound(&strata, confidence).map_err(Error::refused)?;
    Ok((table, bound))
}

impl super::Round {
    /// The bounds from the results recorded so far, with the table they
    /// come from.
    pub fn bound(&self, confidence: Fraction) -> Result<(Table, StratifiedBound)> {
        bound_of_table(self.report()?, confidence)
    }
}

/// [`super::Round::bound`] under a shared lock, as `verify` reads a round
/// (which may be a read-only copy): for a round that verify found to hold.
pub fn bound_at(dir: &Path, confidence: Fraction) -> Result<(Table, StratifiedBound)> {
    let (path, log) = crate::log::file::read_checked(dir)?;
    let log = log.map_err(|d| Error::refused(format!("{}: {d}", path.display())))?;
    let state = RoundState::from_log(&log).map_err(Error::refused)?;
    let path = dir.join(MANIFEST_FILE);
    let bytes = crate::base::fsio::read(&path)?;
    let manifest: Manifest = serde_json::from_slice(&bytes)
        .map_err(|e| Error::refused(t!("text.whole-file", file = path.display(), message = e)))?;
    bound_of_table(compute(&state, &manifest), confidence)
}
