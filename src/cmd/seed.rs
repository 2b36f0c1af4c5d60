//! `choucha seed VALUE`: the public seed, once, after the roster commitment.

use std::path::Path;

use crate::cli::SeedArgs;
use crate::error::{Error, Result};
use crate::logfile::LockedLog;
use crate::round::SeedRevealed;
use crate::seed::parse_seed;

pub fn run(dir: &Path, args: &SeedArgs) -> Result<()> {
    let mut log = LockedLog::open(dir)?;
    if log.state.roster.is_none() {
        return Err(Error::refused(
            "no roster is committed yet; run `choucha roster FILE` first: the seed must not be known before the roster is fixed",
        ));
    }
    if let Some(s) = &log.state.seed {
        return Err(Error::refused(format!(
            "the seed was already revealed ({:?}); a round has one seed",
            s.seed
        )));
    }
    let seed = parse_seed(&args.value).map_err(Error::input)?;
    let source = crate::text::normalize_field(&args.source).into_owned();
    log.append(&SeedRevealed {
        seed: seed.clone(),
        source,
    })?;
    println!("seed revealed: {seed}");
    println!("next: choucha -C {} draw", dir.display());
    Ok(())
}
