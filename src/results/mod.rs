//! What inspectors found: reason codes, verdicts, result batches, and the
//! matching of result ids to the sample. Below `log`: the log records results,
//! so it must know what one is; results never read the log.
//! Imports `sampling` and below.

pub mod batch;
pub mod by_id;
pub mod codes;
pub mod idmatch;
pub mod record;
pub mod verdict;
