//! The registered accounts: the user's table made canonical (`roster.tsv`),
//! the commitment to it, and its companion files of descriptive columns.
//! Imports `input` and below.

pub mod canonical;
