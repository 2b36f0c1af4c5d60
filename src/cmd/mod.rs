//! One thin file per subcommand: read the files the user named, call the
//! `round` API, render its answer. Output goes through [`outln!`] and
//! [`errln!`], which never panic (see `out`).

/// `println!` to standard output, without the panic on a closed or full stdout.
macro_rules! outln {
    ($($arg:tt)*) => { $crate::cmd::out::write(format_args!($($arg)*), true) };
}

/// `print!`, likewise.
macro_rules! out {
    ($($arg:tt)*) => { $crate::cmd::out::write(format_args!($($arg)*), false) };
}

/// `eprintln!`, likewise.
macro_rules! errln {
    ($($arg:tt)*) => { $crate::cmd::out::error_line(format_args!($($arg)*)) };
}

pub mod bound;
pub mod checkpoint;
pub mod demo;
pub mod draw;
pub mod init;
pub mod log;
pub mod out;
pub mod record;
pub mod report;
pub mod roster;
pub mod seed;
pub mod sign;
pub mod status;
pub mod verify;
