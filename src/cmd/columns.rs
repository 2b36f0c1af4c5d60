//! `choucha columns`: the column names choucha recognises in rosters and
//! results tables (`input::columns`), in the user's language.

use crate::error::Result;
use crate::input::columns::{Kind, RESULTS, ROSTER};
use crate::t;

pub fn run() -> Result<()> {
    outln!("{}", t!("columns.heading"));
    let table = |name: String, kinds: &[&Kind]| {
        for k in kinds {
            let required = if k.required {
                t!("columns.required")
            } else {
                t!("columns.optional")
            };
            outln!("{name}\t{}\t{required}\t{}", k.field, k.all().join(" / "));
        }
    };
    table(t!("columns.roster"), ROSTER);
    table(t!("columns.results"), RESULTS);
    outln!("");
    outln!("{}", t!("columns.matching"));
    outln!("{}", t!("columns.verdicts"));
    Ok(())
}
