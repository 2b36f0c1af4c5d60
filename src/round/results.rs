//! Inspection results into the log: a batch recorded whole or not at all,
//! corrections as amendments.

use crate::error::{Error, Result};
use crate::input::table::SourceText;
use crate::input::text::{Origin, normalize_field};
use crate::log::chain::{Log, Record};
use crate::results::batch::{
    Against, Prior, Problems, ResultColumns, ResultRow, check_reasons, parse_results, sample_index,
    validate,
};
use crate::results::record::{ResultAmended, ResultRecorded};
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
    /// Rows identical to the result the log holds for their account, skipped.
    pub same: usize,
    /// Recorded results the batch changed (with `amend_changed`).
    pub amended: Vec<Amended>,
    /// Empty rows of the table, skipped.
    pub empty_rows: usize,
    /// Columns of the table that were not read (neither results nor the
    /// sample's own columns), to be said.
    pub ignored_columns: Vec<String>,
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
    /// The web user who entered it, or "" (see `ResultAmended::entered_by`).
    pub entered_by: String,
}

/// What `amend` changed.
pub struct Amended {
    pub id: String,
    pub was: Verdict,
    pub now: Verdict,
}

impl super::Round {
    /// Checks every result of the batch against the sample, the round's
    /// codes and the results already recorded, then appends the new ones
    /// in one append, or none and says every problem. Rows identical to
    /// what the log holds are skipped (a resubmitted sheet); a row that
    /// changes a recorded result is a problem, or with `amend_changed`
    /// (the reason every such amendment keeps) an amendment appended with
    /// the new results.
    pub fn record(&mut self, batch: Batch, amend_changed: Option<&str>) -> Result<Recorded> {
        self.refuse_if_closed()?;
        let why = match amend_changed {
            Some(why) => {
                let why = normalize_field(why).into_owned();
                if why.is_empty() {
                    return Err(Error::input(t!("record.why-empty")));
                }
                Some(why)
            }
            None => None,
        };
        let manifest = self.manifest()?;
        let sample = sample_index(&manifest);
        let codes = self.codebook();
        let mut ignored = Vec::new();
        let (rows, origin, columns, source, file_sha, problems, empty_rows) = match batch {
            Batch::Table { src, source_name } => {
                let known = sample_columns(&self.dir);
                let parsed = parse_results(src.text.as_str(), &src.origin, &known)?;
                ignored = parsed.ignored;
                let sha = src.source_sha256();
                (
                    parsed.rows,
                    src.origin,
                    parsed.columns,
                    source_name,
                    sha,
                    parsed.problems,
                    parsed.empty_rows,
                )
            }
            Batch::One(row) => (
                vec![row],
                Origin::file("--id"),
                ResultColumns::default(),
                String::new(),
                String::new(),
                Problems::default(),
                0,
            ),
        };
        // The log's lines as they are now: a row is compared with the record that counts.
        if self.lines_stale {
            self.log.reload()?;
            self.lines_stale = false;
        }
        let log = &self.log.log;
        let prior = |line: u64| prior_at(log, line);
        let against = Against {
            sample: &sample,
            existing: &self.log.state.results,
            prior: &prior,
            codes: &codes,
            amend_changed: why.is_some(),
        };
        let checked = validate(rows, &origin, &columns, &against, problems)?;
        let amendments: Vec<ResultAmended> = checked
            .changed
            .iter()
            .map(|c| ResultAmended {
                id: c.now.id.clone(),
                stratum: c.now.stratum.clone(),
                verdict: c.now.verdict,
                reasons: c.now.reasons.clone(),
                note: c.now.note.clone(),
                inspector: c.now.inspector.clone(),
                why: why.clone().unwrap_or_default(),
                entered_by: c.now.entered_by.clone(),
            })
            .collect();
        let records = checked.new;
        self.log
            .append_batch_of_two(&records, &amendments, &source, &file_sha)?;
        let appended = (records.len() + amendments.len()) as u64;
        if appended > 0 {
            self.lines_stale = true;
        }
        // The records are the log's last lines, after a batch line if more than one.
        let first = self.state().len + 1 - appended;
        for (i, r) in records.iter().enumerate() {
            let result = FinalResult {
                verdict: r.verdict,
                line: first + i as u64,
            };
            self.state_mut().results.insert_new(&r.id, result);
        }
        for (i, a) in amendments.iter().enumerate() {
            let line = first + (records.len() + i) as u64;
            if let Some(r) = self.state_mut().results.get_mut(&a.id) {
                *r = FinalResult {
                    verdict: a.verdict,
                    line,
                };
            }
        }
        let failed = records
            .iter()
            .filter(|r| r.verdict == Verdict::Fail)
            .count();
        Ok(Recorded {
            count: records.len(),
            passed: records.len() - failed,
            failed,
            same: checked.same,
            amended: checked
                .changed
                .into_iter()
                .map(|c| Amended {
                    id: c.now.id,
                    was: c.was,
                    now: c.now.verdict,
                })
                .collect(),
            empty_rows,
            ignored_columns: ignored,
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
            entered_by: a.entered_by,
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

/// The result recorded on 1-based log line `line`, to compare a row with.
fn prior_at(log: &Log, line: u64) -> Option<Prior> {
    let i = usize::try_from(line.checked_sub(1)?).ok()?;
    let kind = &log.lines.get(i)?.kind;
    if kind == ResultRecorded::TYPE {
        let r: ResultRecorded = log.fields(i).ok()?;
        Some(Prior {
            verdict: r.verdict,
            reasons: r.reasons,
            note: r.note,
            inspector: r.inspector,
            checked_at: Some(r.checked_at),
        })
    } else if kind == ResultAmended::TYPE {
        let a: ResultAmended = log.fields(i).ok()?;
        Some(Prior {
            verdict: a.verdict,
            reasons: a.reasons,
            note: a.note,
            inspector: a.inspector,
            checked_at: None,
        })
    } else {
        None
    }
}

/// The header of the round's sample.csv: columns a filled sample list
/// carries back that are not results.
fn sample_columns(dir: &std::path::Path) -> Vec<String> {
    let Ok(bytes) = std::fs::read(dir.join(crate::sampling::sample::SAMPLE_FILE)) else {
        return Vec::new();
    };
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(&bytes);
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(bytes);
    match reader.records().next() {
        Some(Ok(header)) => header
            .iter()
            .map(|h| normalize_field(h).into_owned())
            .collect(),
        _ => Vec::new(),
    }
}
