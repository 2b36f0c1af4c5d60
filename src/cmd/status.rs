//! `choucha status`: where a round stands and what comes next.

use std::path::Path;

use crate::error::Result;
use crate::logfile::LockedLog;
use crate::round::Verdict;

pub fn run(dir: &Path) -> Result<()> {
    let log = LockedLog::open(dir)?;
    let st = &log.state;
    let o = &st.opened;
    println!(
        "round:      {} ({}), rate {}, allocation {}",
        o.round, o.population, o.rate, o.allocation
    );
    println!("log:        {} lines, head {}", st.len, st.head);
    // Each step reached adds a line; the first step missing is what comes next.
    let Some(r) = &st.roster else {
        return next("commit the roster: choucha roster FILE");
    };
    println!(
        "roster:     {} accounts in {} strata, sha256 {}",
        r.accounts,
        r.strata.len(),
        r.roster_sha256
    );
    let Some(s) = &st.seed else {
        return next(
            "publish the roster digest, then record the public seed: choucha seed VALUE --source TEXT",
        );
    };
    println!("seed:       {} ({})", s.seed, s.source);
    let Some(d) = &st.drawn else {
        return next("draw the sample: choucha draw");
    };
    let signer = if d.signer.is_empty() {
        String::new()
    } else {
        format!(", signed by {}", d.signer)
    };
    println!(
        "sample:     {} accounts, manifest sha256 {}{signer}",
        d.sample_size, d.manifest_sha256
    );
    let done = st.results.len() as u64;
    let failed = st
        .results
        .values()
        .filter(|r| r.verdict == Verdict::Fail)
        .count();
    println!("results:    {done} of {} ({failed} fail)", d.sample_size);
    if let Some(line) = st.published {
        println!("published:  log line {line}; the round is closed");
        return next(
            "pin the log: choucha checkpoint --key KEY, then publish the note with the notice",
        );
    }
    if done < d.sample_size {
        return next(&format!(
            "record the {} missing results: choucha record FILE",
            d.sample_size - done
        ));
    }
    next("publish the table: choucha report --publish")
}

fn next(what: &str) -> Result<()> {
    println!("next:       {what}");
    Ok(())
}
