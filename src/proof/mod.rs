//! What a third party checks without trusting the round's files: the RFC 6962
//! Merkle tree over the log's lines, tlog proofs, C2SP signed notes,
//! checkpoints, and OpenSSH keys and signatures.
//! Imports `log` and below.

pub mod checkpoint;
pub mod keys;
pub mod merkle;
pub mod note;
pub mod tlog;
pub mod witness;
