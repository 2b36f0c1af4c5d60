//! One error type for the whole tool, carrying the exit code the user sees.
//!
//! Exit codes are part of the interface: 0 all held, 1 a verification found a
//! discrepancy, 2 bad input, bad usage, or a refused command.

use std::path::Path;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// Input that cannot be accepted: names the file, line and field, and what would be.
    #[error("{0}")]
    Input(String),
    /// A command refused in the round's current state (e.g. a second draw).
    #[error("{0}")]
    Refused(String),
    /// A verification found a difference between what was claimed and what holds.
    #[error("{0}")]
    Discrepancy(String),
    /// A batch refused whole: every problem found, one line each. The
    /// message lists the first [`PROBLEMS_SHOWN`]; `file` names where the
    /// front end wrote the whole list, when it did.
    #[error("{}", problems_text(list, file.as_deref()))]
    Problems {
        list: Vec<String>,
        file: Option<String>,
    },
    /// The operating system refused a read or write.
    #[error("{}", io_text(path, source))]
    Io {
        path: String,
        #[source]
        source: std::io::Error,
    },
}

impl Error {
    pub fn exit_code(&self) -> i32 {
        match self {
            Error::Discrepancy(_) => 1,
            Error::Input(_) | Error::Refused(_) | Error::Problems { .. } | Error::Io { .. } => 2,
        }
    }

    pub fn input(msg: impl Into<String>) -> Self {
        Error::Input(msg.into())
    }

    pub fn refused(msg: impl Into<String>) -> Self {
        Error::Refused(msg.into())
    }

    pub fn io(path: impl AsRef<Path>, source: std::io::Error) -> Self {
        Error::Io {
            path: path.as_ref().display().to_string(),
            source,
        }
    }
}

/// Problems of a batch shown in a message; the rest are counted (and, with
/// more, written to a file by the front end).
pub const PROBLEMS_SHOWN: usize = 20;

fn problems_text(list: &[String], file: Option<&str>) -> String {
    let shown = &list[..list.len().min(PROBLEMS_SHOWN)];
    let mut out = shown.join("\n");
    if list.len() > shown.len() {
        out.push('\n');
        out.push_str(&crate::t!("results.more", count = list.len() - shown.len()));
        if let Some(file) = file {
            out.push('\n');
            out.push_str(&crate::t!(
                "results.problems-file",
                file,
                count = list.len()
            ));
        }
    }
    out.push('\n');
    out.push_str(&crate::t!("results.nothing-recorded"));
    out
}

/// An operating-system error in the interface's language: the common kinds
/// in the catalog's words, any other as the system reports it.
fn io_text(path: &str, source: &std::io::Error) -> String {
    crate::t!("error.io", path, reason = io_reason(source))
}

/// Why the operating system refused, in the catalog's words for the common
/// kinds, else as the system reports it.
pub fn io_reason(source: &std::io::Error) -> String {
    use std::io::ErrorKind;
    // An error that carries its own message (the cut-back that failed after
    // a failed append) is shown whole: the kind alone would hide it.
    if source.get_ref().is_some() {
        return source.to_string();
    }
    match source.kind() {
        ErrorKind::NotFound => crate::t!("error.io-not-found"),
        ErrorKind::PermissionDenied => crate::t!("error.io-permission"),
        ErrorKind::AlreadyExists => crate::t!("error.io-exists"),
        ErrorKind::IsADirectory => crate::t!("error.io-is-directory"),
        ErrorKind::NotADirectory => crate::t!("error.io-not-directory"),
        ErrorKind::StorageFull => crate::t!("error.io-full"),
        ErrorKind::ReadOnlyFilesystem => crate::t!("error.io-read-only"),
        _ => source.to_string(),
    }
}

pub type Result<T, E = Error> = std::result::Result<T, E>;
