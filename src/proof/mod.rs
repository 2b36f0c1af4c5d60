//! What a third party checks without trusting the round's files: the RFC 6962
//! Merkle tree over the log's lines, tlog proofs, C2SP signed notes,
//! checkpoints, OpenSSH keys and signatures, and SM2 ones for the gm profile.
//! Imports `log` and below.

pub mod checkpoint;
pub mod gmsig;
pub mod keys;
pub mod merkle;
pub mod note;
pub mod tlog;
pub mod witness;
