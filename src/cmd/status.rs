//! `choucha status`: where a round stands and what comes next.

use std::path::Path;

use crate::error::Result;
use crate::log::file::LockedLog;
use crate::results::verdict::Verdict;
use crate::t;

pub fn run(dir: &Path) -> Result<()> {
    let log = LockedLog::open(dir)?;
    let st = &log.state;
    let o = &st.opened;
    println!(
        "{}",
        t!(
            "status.round",
            round = o.round,
            population = o.population,
            rate = o.rate,
            allocation = o.allocation
        )
    );
    println!("{}", t!("status.log", lines = st.len, head = st.head));
    // Each step reached adds a line; the first step missing is what comes next.
    let Some(r) = &st.roster else {
        return next(t!("status.next-roster"));
    };
    println!(
        "{}",
        t!(
            "status.roster",
            accounts = r.accounts,
            strata = r.strata.len(),
            digest = r.roster_sha256
        )
    );
    let Some(s) = &st.seed else {
        return next(t!("status.next-seed"));
    };
    println!("{}", t!("status.seed", seed = s.seed, source = s.source));
    let Some(d) = &st.drawn else {
        return next(t!("status.next-draw"));
    };
    let signer = if d.signer.is_empty() {
        String::new()
    } else {
        t!("status.signed-by", signer = d.signer)
    };
    println!(
        "{}",
        t!(
            "status.sample",
            size = d.sample_size,
            digest = d.manifest_sha256,
            signer
        )
    );
    let done = st.results.len() as u64;
    let failed = st
        .results
        .values()
        .filter(|r| r.verdict == Verdict::Fail)
        .count();
    println!(
        "{}",
        t!("status.results", done, size = d.sample_size, failed)
    );
    if let Some(line) = st.published {
        println!("{}", t!("status.published", line));
        return next(t!("status.next-checkpoint"));
    }
    if done < d.sample_size {
        return next(t!("status.next-record", missing = d.sample_size - done));
    }
    next(t!("status.next-publish"))
}

fn next(what: String) -> Result<()> {
    println!("{}", t!("status.next", what));
    Ok(())
}
