//! `choucha status`: where a round stands and what comes next.

use std::path::Path;

use crate::error::Result;
use crate::round::{Next, Round};
use crate::t;

pub fn run(dir: &Path) -> Result<()> {
    let round = Round::open(dir)?;
    let s = round.status();
    let st = s.state;
    let o = &st.opened;
    outln!(
        "{}",
        t!(
            "status.round",
            round = o.round,
            population = o.population,
            rate = o.rate,
            allocation = o.allocation
        )
    );
    outln!("{}", t!("status.log", lines = st.len, head = st.head));
    // Each step reached adds a line; the first step missing is what comes next.
    if let Some(r) = &st.roster {
        outln!(
            "{}",
            t!(
                "status.roster",
                accounts = r.accounts,
                strata = r.strata.len(),
                digest = r.roster_sha256
            )
        );
        for group in &s.near_duplicates {
            outln!(
                "{}",
                t!(
                    "cmd-roster.near-duplicates",
                    strata = super::roster::shown_strata(group)
                )
            );
        }
    }
    if let Some(seed) = &st.seed {
        outln!(
            "{}",
            t!("status.seed", seed = seed.seed, source = seed.source)
        );
    }
    if let Some(d) = &st.drawn {
        let signer = if d.signer.is_empty() {
            String::new()
        } else {
            t!("status.signed-by", signer = d.signer)
        };
        outln!(
            "{}",
            t!(
                "status.sample",
                size = d.sample_size,
                digest = d.manifest_sha256,
                signer
            )
        );
        outln!(
            "{}",
            t!(
                "status.results",
                done = s.done,
                size = d.sample_size,
                failed = s.failed
            )
        );
    }
    if let Some(line) = st.published {
        outln!("{}", t!("status.published", line));
    }
    let what = match s.next {
        Next::Roster => t!("status.next-roster"),
        Next::Seed => t!("status.next-seed"),
        Next::Draw => t!("status.next-draw"),
        Next::Record { missing } => t!("status.next-record", missing),
        Next::Publish => t!("status.next-publish"),
        Next::Checkpoint => t!("status.next-checkpoint"),
    };
    outln!("{}", t!("status.next", what));
    Ok(())
}
