//! Where a round stands, and the step that comes next.

use crate::log::state::RoundState;
use crate::results::verdict::Verdict;

/// The step a round is waiting for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Next {
    Roster,
    Seed,
    Draw,
    /// Results are missing for this many sampled accounts.
    Record {
        missing: u64,
    },
    Publish,
    /// Published: what is left is to pin the log with a checkpoint.
    Checkpoint,
}

/// A round's progress, as its log says.
pub struct Status<'a> {
    pub state: &'a RoundState,
    /// Sampled accounts with a result, and how many of them failed.
    pub done: u64,
    pub failed: u64,
    pub next: Next,
    /// Strata of the committed roster that are probably one (合肥 and 合肥市).
    pub near_duplicates: Vec<Vec<String>>,
}

impl super::Round {
    pub fn status(&self) -> Status<'_> {
        let st = self.state();
        let done = st.results.len() as u64;
        let failed = st
            .results
            .values()
            .filter(|r| r.verdict == Verdict::Fail)
            .count() as u64;
        let next = match (&st.roster, &st.seed, &st.drawn) {
            (None, _, _) => Next::Roster,
            (Some(_), None, _) => Next::Seed,
            (Some(_), Some(_), None) => Next::Draw,
            (Some(_), Some(_), Some(d)) => {
                if st.published.is_some() {
                    Next::Checkpoint
                } else if done < d.sample_size {
                    Next::Record {
                        missing: d.sample_size - done,
                    }
                } else {
                    Next::Publish
                }
            }
        };
        let near_duplicates = st.roster.as_ref().map_or_else(Vec::new, |r| {
            crate::roster::strata::near_duplicates(r.order.iter().map(String::as_str))
        });
        Status {
            state: st,
            done,
            failed,
            next,
            near_duplicates,
        }
    }
}
