//! `choucha status`: where a round stands and what comes next.

use std::path::Path;

use crate::error::Result;
use crate::logfile::LockedLog;

pub fn run(dir: &Path) -> Result<()> {
    let log = LockedLog::open(dir)?;
    let st = &log.state;
    let o = &st.opened;
    println!(
        "round:      {} ({}), rate {}, allocation {}",
        o.round, o.population, o.rate, o.allocation
    );
    println!("log:        {} lines, head {}", st.len, st.head);
    let next = match (&st.roster, &st.seed, &st.drawn) {
        (None, _, _) => "commit the roster: choucha roster FILE".to_string(),
        (Some(r), None, _) => {
            println!(
                "roster:     {} accounts in {} strata, sha256 {}",
                r.accounts,
                r.strata.len(),
                r.roster_sha256
            );
            "publish the roster digest, then record the public seed: choucha seed VALUE --source TEXT".into()
        }
        (Some(r), Some(s), None) => {
            println!(
                "roster:     {} accounts in {} strata, sha256 {}",
                r.accounts,
                r.strata.len(),
                r.roster_sha256
            );
            println!("seed:       {} ({})", s.seed, s.source);
            "draw the sample: choucha draw".into()
        }
        (Some(r), Some(s), Some(d)) => {
            println!(
                "roster:     {} accounts in {} strata, sha256 {}",
                r.accounts,
                r.strata.len(),
                r.roster_sha256
            );
            println!("seed:       {} ({})", s.seed, s.source);
            println!(
                "sample:     {} accounts, manifest sha256 {}{}",
                d.sample_size,
                d.manifest_sha256,
                if d.signer.is_empty() {
                    String::new()
                } else {
                    format!(", signed by {}", d.signer)
                }
            );
            let done = st.results.len() as u64;
            let failed = st
                .results
                .values()
                .filter(|r| r.verdict == crate::round::Verdict::Fail)
                .count();
            println!("results:    {done} of {} ({failed} fail)", d.sample_size);
            match st.published {
                Some(line) => {
                    println!("published:  log line {line}; the round is closed");
                    "pin the log: choucha checkpoint --key KEY, then publish the note with the notice".into()
                }
                None if done < d.sample_size => format!(
                    "record the {} missing results: choucha record FILE",
                    d.sample_size - done
                ),
                None => "publish the table: choucha report --publish".into(),
            }
        }
    };
    println!("next:       {next}");
    Ok(())
}
