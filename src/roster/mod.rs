//! The registered accounts: the user's table made canonical (`roster.tsv`),
//! the commitment to it, and its companion files of descriptive columns.
//! Imports `input` and below.

pub mod canonical;
pub mod strata;

/// The canonical roster in the round directory: the commitment is its SHA-256.
pub const ROSTER_FILE: &str = "roster.tsv";
