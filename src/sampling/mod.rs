//! Drawing the sample: the rate, the quota plan, the seed, the choucha-v1
//! draw, the manifest that records it and the sample lists for inspectors.
//! Imports `roster` and below.

pub mod draw;
pub mod manifest;
pub mod plan;
pub mod rate;
pub mod sample;
pub mod seed;
