//! The round's append-only, hash-chained record: the record types, the chain
//! (rendering, parsing, checking lines), the file on disk (append, lock,
//! repair) and the round's state replayed from it.
//! Imports `results` and below.

pub mod chain;
pub mod file;
pub mod records;
pub mod state;
