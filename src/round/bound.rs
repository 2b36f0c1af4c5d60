//! What the round's sample proves about its whole population: the exact
//! bound per stratum and the stratified bound for the whole (SPEC §10).

use crate::audit::report::Table;
use crate::error::{Error, Result};
use crate::stats::bound::Fraction;
use crate::stats::strata::{StratifiedBound, Stratum, stratified_bound};
use crate::t;

impl super::Round {
    /// The bounds from the results recorded so far, with the table they
    /// come from: refused while sampled accounts lack a result (an account
    /// not yet judged is neither a pass nor a failure).
    pub fn bound(&self, confidence: Fraction) -> Result<(Table, StratifiedBound)> {
        let table = self.report()?;
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
}
