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
        strict_strata: args.strict_strata,
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
    for group in &c.near_duplicates {
        errln!(
            "{}",
            t!("cmd-roster.near-duplicates", strata = shown_strata(group))
        );
    }
    if c.empty_rows > 0 {
        outln!("{}", t!("table.empty-rows", count = c.empty_rows));
    }
    for (name, count) in &c.strata {
        outln!("  {name}\t{count}");
    }
    outln!("{}", t!("cmd-roster.next", dir = dir.display()));
    Ok(())
}

/// Strata for a message: "合肥市", "合肥".
pub(crate) fn shown_strata(group: &[String]) -> String {
    group
        .iter()
        .map(|s| format!("{s:?}"))
        .collect::<Vec<_>>()
        .join(", ")
}
