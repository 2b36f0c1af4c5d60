//! `choucha init DIR`: a new round directory with its settings as line 0.

use crate::cli::InitArgs;
use crate::error::{Error, Result};
use crate::input::table::read_text;
use crate::round::{AllocationChoice, Round, Settings};
use crate::t;

pub fn run(args: &InitArgs) -> Result<()> {
    // Every file is read before the round directory is made.
    let allocation = match args.allocation.strip_prefix("quotas=") {
        Some(file) if !file.is_empty() => {
            let path = std::path::Path::new(file);
            AllocationChoice::Quotas {
                plan: read_text(path, None)?,
                bytes: crate::base::fsio::read(path)?,
            }
        }
        Some(_) => {
            return Err(Error::input(t!(
                "init.bad-allocation",
                rule = args.allocation
            )));
        }
        None => AllocationChoice::Rule(args.allocation.clone()),
    };
    let settings = Settings {
        round: args.round.clone(),
        population: args.population.clone(),
        rate: args.rate.clone(),
        allocation,
        title: args.title.clone(),
        order: args
            .order
            .as_deref()
            .map(|p| read_text(p, None))
            .transpose()?,
        codes: args
            .codes
            .as_deref()
            .map(|p| read_text(p, None))
            .transpose()?,
    };
    let dir = &args.path;
    let opened = Round::create(dir, &settings)?;
    outln!(
        "{}",
        t!(
            "init.opened",
            round = opened.round,
            dir = dir.display(),
            rate = opened.rate,
            allocation = opened.allocation
        )
    );
    outln!("{}", t!("init.next", dir = dir.display()));
    Ok(())
}
