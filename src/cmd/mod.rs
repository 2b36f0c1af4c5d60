//! One thin file per subcommand: read inputs, call the pure core, write outputs.

pub mod checkpoint;
pub mod demo;
pub mod draw;
pub mod init;
pub mod log;
pub mod record;
pub mod report;
pub mod roster;
pub mod seed;
pub mod sign;
pub mod status;
pub mod verify;
