//! The notice's table from the records; publishing it closes the round.

use crate::audit::report::{Table, compute};
use crate::error::{Error, Result};
use crate::i18n::Lang;
use crate::t;

impl super::Round {
    /// The table as the records stand (a draft while results are missing).
    pub fn report(&self) -> Result<Table> {
        let manifest = self.manifest()?;
        Ok(compute(self.state(), &manifest))
    }

    /// Records the table's digest and closes the round: refused when it is
    /// published already or results are missing. `ready` runs after those
    /// checks and before the record is written, for the front end's own
    /// checks (e.g. that its output file can be written): once published,
    /// the round stays closed.
    pub fn publish(
        &mut self,
        lang: Lang,
        ready: impl FnOnce(&Table) -> Result<()>,
    ) -> Result<Table> {
        let table = self.report()?;
        if let Some(line) = self.state().published {
            return Err(Error::refused(t!("cmd-report.already-published", line)));
        }
        if let Some(note) = table.missing_note(lang) {
            return Err(Error::refused(t!("cmd-report.incomplete", note)));
        }
        ready(&table)?;
        let line = self.append(&table.published_record())?;
        self.state_mut().published = Some(line);
        Ok(table)
    }
}
