//! What a sample proves about its population: exact hypergeometric tails,
//! the one-sided upper confidence bound on failing units, the sample size
//! that would establish a pass rate, and the bound for a stratified sample
//! (SPEC §10).
//!
//! Pure arithmetic on counts, no I/O. Imports `i18n` and `error` only
//! (it sits below `audit` so that `audit` and `round` can state the bound).

mod hypergeom;
mod nat;

pub mod bound;
pub mod strata;

pub use hypergeom::MAX_POPULATION;
