//! The Windows console: a double-clicked `choucha.exe` explains itself.
//!
//! Explorer gives a double-clicked console program a console of its own,
//! which closes the moment the program ends, so clap's "no command given"
//! would flash by unread. Such a console is attached to this process alone
//! (`GetConsoleProcessList` counts 1); in cmd or PowerShell the shell shares
//! it. Chinese needs nothing here: Rust's standard output writes UTF-16
//! with `WriteConsoleW` when it is a console, whatever the code page, and
//! UTF-8 bytes when it is redirected to a file or pipe.

use std::io::BufRead;

/// True when this process has a console of its own, as a double-clicked
/// .exe has (never off Windows).
pub fn double_clicked() -> bool {
    choucha_win::console_process_count() == Some(1)
}

/// Says that choucha is a command-line tool and how to run it, then waits
/// for Enter, so that the window stays open to be read.
pub fn explain_and_wait() {
    outln!("{}", crate::t!("cli.double-clicked"));
    let mut line = String::new();
    let _ = std::io::stdin().lock().read_line(&mut line);
}
