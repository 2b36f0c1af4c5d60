//! `choucha seed VALUE`: the public seed, once, after the roster commitment.

use std::path::Path;

use crate::cli::SeedArgs;
use crate::error::{Error, Result};
use crate::logfile::LockedLog;
use crate::round::SeedRevealed;
use crate::seed::parse_seed;
use crate::t;

pub fn run(dir: &Path, args: &SeedArgs) -> Result<()> {
    let mut log = LockedLog::open(dir)?;
    if log.state.roster.is_none() {
        return Err(Error::refused(t!("seed.no-roster")));
    }
    if let Some(s) = &log.state.seed {
        return Err(Error::refused(t!("seed.already-revealed", seed = s.seed)));
    }
    let seed = parse_seed(&args.value).map_err(Error::input)?;
    let source = crate::text::normalize_field(&args.source).into_owned();
    log.append(&SeedRevealed {
        seed: seed.clone(),
        source,
    })?;
    println!("{}", t!("seed.revealed", seed));
    println!("{}", t!("seed.next", dir = dir.display()));
    Ok(())
}
