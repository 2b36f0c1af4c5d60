//! `choucha roster FILE`: read the registered accounts, write roster.tsv and
//! record its SHA-256 — the commitment made before any seed exists.

use std::path::Path;

use crate::cli::RosterArgs;
use crate::error::Result;
use crate::input::columns::{ID, STRATUM};
use crate::input::header::Wanted;
use crate::input::table::read_table;
use crate::roster::ROSTER_FILE;
use crate::roster::canonical::RosterOptions;
use crate::round::Round;
use crate::t;

pub fn run(dir: &Path, args: &RosterArgs) -> Result<()> {
    let mut round = Round::open(dir)?;
    let wanted = Wanted::none()
        .column(args.id_column.as_deref(), &ID.all())
        .column(args.stratum_column.as_deref(), &STRATUM.all());
    let src = read_table(&args.file, &args.input.options(wanted))?;
    super::say_how_read(&src);
    let source_name = args.file.file_name().map_or_else(
        || src.origin.file.clone(),
        |n| n.to_string_lossy().into_owned(),
    );
    let opts = RosterOptions {
        id_column: args.id_column.clone(),
        stratum_column: args.stratum_column.clone(),
    };
    let c = round.commit_roster(&src, &source_name, &opts)?;
    outln!("{}  {ROSTER_FILE}", c.digest);
    outln!(
        "{}",
        t!(
            "cmd-roster.committed",
            accounts = c.accounts,
            strata = c.strata.len(),
            file = c.file,
            encoding = c.encoding
        )
    );
    if c.empty_rows > 0 {
        outln!("{}", t!("table.empty-rows", count = c.empty_rows));
    }
    for (name, count) in &c.strata {
        outln!("  {name}\t{count}");
    }
    outln!("{}", t!("cmd-roster.next", dir = dir.display()));
    Ok(())
}
