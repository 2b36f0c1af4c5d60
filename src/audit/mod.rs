//! Rechecking and counting: the report's numbers, published tables and their
//! claims, percentages as printed, and `verify` of a whole round.
//! Imports `proof` and below.

pub mod percent;
pub mod published;
pub mod report;
pub mod verify;
