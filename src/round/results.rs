//! Inspection results into the log: a batch recorded whole or not at all,
//! corrections as amendments.

use crate::error::{Error, Result};
use crate::input::table::SourceText;
use crate::input::text::{Origin, normalize_field};
use crate::results::batch::{
    Problems, ResultColumns, ResultRow, check_reasons, parse_results, sample_index, validate,
};
use crate::results::record::ResultAmended;
use crate::results::verdict::{FinalResult, Verdict};
use crate::t;

/// Results to record.
pub enum Batch {
    /// A results table (CSV or a sheet), and the file's name as the log keeps it.
    Table {
        src: SourceText,
        source_name: String,
    },
    /// One result given directly (its `line` is 0).
    One(ResultRow),
}

/// What `record` recorded.
pub struct Recorded {
    pub count: usize,
    pub passed: usize,
    pub failed: usize,
    /// Sampled accounts with a result now, and the sample's size.
    pub done: usize,
    pub sampled: u64,
}

/// A correction of an account's result.
pub struct Amendment {
    pub id: String,
    pub verdict: Verdict,
    pub reasons: Vec<String>,
    pub note: String,
    pub inspector: String,
    /// Why the result is corrected: required.
    pub why: String,
}

/// What `amend` changed.
pub struct Amended {
    pub id: String,
    pub was: Verdict,
    pub now: Verdict,
}

impl super::Round {
    /// Checks every result of the batch against the sample, the round's
    /// reason codes and the results already recorded; records all of them
    /// in one append, or none and says every problem.
    pub fn record(&mut self, batch: Batch) -> Result<Recorded> {
        self.refuse_if_closed()?;
        let manifest = self.manifest()?;
        let sample = sample_index(&manifest);
        let codes = self.codebook();
        let (rows, origin, columns, source, file_sha, problems) = match batch {
            Batch::Table { src, source_name } => {
                let (rows, columns, problems) = parse_results(src.text.as_str(), &src.origin)?;
                let sha = src.source_sha256();
                (rows, src.origin, columns, source_name, sha, problems)
            }
            Batch::One(row) => (
                vec![row],
                Origin::file("--id"),
                ResultColumns::default(),
                String::new(),
                String::new(),
                Problems::default(),
            ),
        };
        let records = validate(
            rows,
            &origin,
            &columns,
            &sample,
            &self.state().results,
            &codes,
            problems,
        )?;
        self.log.append_batch(&records, &source, &file_sha)?;
        self.lines_stale = true;
        // The records are the log's last lines, after a batch line if more than one.
        let first = self.state().len + 1 - records.len() as u64;
        for (i, r) in records.iter().enumerate() {
            let line = first + i as u64;
            let result = FinalResult {
                verdict: r.verdict,
                line,
            };
            self.state_mut().results.insert_new(&r.id, result);
        }
        let failed = records
            .iter()
            .filter(|r| r.verdict == Verdict::Fail)
            .count();
        Ok(Recorded {
            count: records.len(),
            passed: records.len() - failed,
            failed,
            done: self.state().results.len(),
            sampled: manifest.sample_size,
        })
    }

    /// Records a correction of an account that has a result; the latest
    /// result or amendment of an id counts.
    pub fn amend(&mut self, a: Amendment) -> Result<Amended> {
        self.refuse_if_closed()?;
        let id = normalize_field(&a.id).into_owned();
        let Some(&current) = self.state().results.get(id.as_str()) else {
            return Err(Error::refused(t!("record.nothing-to-amend", id)));
        };
        let why = normalize_field(&a.why).into_owned();
        if why.is_empty() {
            return Err(Error::input(t!("record.why-empty")));
        }
        let reasons = check_reasons(a.verdict, &a.reasons, &self.codebook())
            .map_err(|error| Error::input(t!("record.amend-reasons", id, error)))?;
        let manifest = self.manifest()?;
        // One id: a scan of the sample, not an index of all of it.
        let stratum = manifest
            .strata
            .iter()
            .find(|s| s.ids.iter().any(|i| *i == id))
            .map(|s| s.name.clone())
            .unwrap_or_default();
        let line = self.append(&ResultAmended {
            id: id.clone(),
            stratum,
            verdict: a.verdict,
            reasons,
            note: a.note,
            inspector: a.inspector,
            why,
        })?;
        if let Some(r) = self.state_mut().results.get_mut(&id) {
            *r = FinalResult {
                verdict: a.verdict,
                line,
            };
        }
        Ok(Amended {
            id,
            was: current.verdict,
            now: a.verdict,
        })
    }
}
