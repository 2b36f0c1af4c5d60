//! What every stage may use: SHA-256 digests in hex, the two-core join, and
//! the file system with its durability rules (atomic replace, fsync).
//! Imports only `error` and `i18n`.

pub mod digest;
pub mod fsio;
pub mod par;
