//! `choucha seed VALUE`: the public seed, once, after the roster commitment.

use std::path::Path;

use crate::cli::SeedArgs;
use crate::error::Result;
use crate::round::Round;
use crate::t;

pub fn run(dir: &Path, args: &SeedArgs) -> Result<()> {
    let seed = Round::open(dir)?.reveal_seed(&args.value, &args.source)?;
    outln!("{}", t!("seed.revealed", seed));
    outln!("{}", t!("seed.next", dir = dir.display()));
    Ok(())
}
