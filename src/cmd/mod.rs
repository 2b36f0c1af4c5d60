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

/// Says how a user's table was read when that is not the obvious way: the
/// sheet chosen among several, and the rows skipped above its header.
fn say_how_read(src: &crate::input::table::SourceText) {
    if let Some(sheet) = &src.chosen_sheet {
        outln!("{}", crate::t!("table.sheet-chosen", sheet));
    }
    if src.header.skipped > 0 {
        outln!(
            "{}",
            crate::t!(
                "table.header-found",
                line = src.header.line,
                skipped = src.header.skipped
            )
        );
    }
}

pub mod bound;
pub mod bundle;
pub mod checkpoint;
pub mod columns;
pub mod console;
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
pub mod user;
pub mod verify;
pub mod witness;
