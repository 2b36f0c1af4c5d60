//! Standard output and error that never panic. `println!` panics when
//! stdout is closed (`| head`) or full (`>/dev/full`), which would turn a
//! committed step into exit 101. Here the first failure is kept, later
//! writes are skipped, and [`exit_code`] decides: a closed pipe ends quietly,
//! as coreutils do; any other failure is said on stderr, with exit 2, and
//! the step stays done.

use std::io::Write;
use std::sync::OnceLock;

use crate::error::Result;
use crate::t;

/// The first failure to write standard output.
static STDOUT_FAILED: OnceLock<std::io::Error> = OnceLock::new();

/// Writes to standard output, with a line end if `newline`.
pub fn write(args: std::fmt::Arguments<'_>, newline: bool) {
    if STDOUT_FAILED.get().is_some() {
        return;
    }
    let mut out = std::io::stdout().lock();
    let written = out.write_fmt(args).and_then(|()| {
        if newline {
            out.write_all(b"\n")
        } else {
            Ok(())
        }
    });
    if let Err(e) = written {
        let _ = STDOUT_FAILED.set(e);
    }
}

/// Writes a line to standard error; if that fails there is no one left to tell.
pub fn error_line(args: std::fmt::Arguments<'_>) {
    let _ = writeln!(std::io::stderr().lock(), "{args}");
}

/// The exit code of a command that ended with `result`, after saying what
/// the user must know: the error, or that standard output failed.
pub fn exit_code(result: Result<()>) -> i32 {
    if let Err(e) = std::io::stdout().lock().flush() {
        let _ = STDOUT_FAILED.set(e);
    }
    match (result, STDOUT_FAILED.get()) {
        (Err(e), _) => {
            error_line(format_args!("{}", t!("error.prefix", message = e)));
            e.exit_code()
        }
        (Ok(()), None) => 0,
        (Ok(()), Some(e)) if e.kind() == std::io::ErrorKind::BrokenPipe => 0,
        (Ok(()), Some(e)) => {
            let reason = crate::error::io_reason(e);
            error_line(format_args!("{}", t!("error.stdout-failed", reason)));
            2
        }
    }
}
