//! The library's error type, and its mapping to exit codes (docs/exit-codes.md).

use crate::exit;
use crate::formats::ParseError;
use crate::git::GitError;
use crate::history::HistoryError;
use crate::host::ci_env::CiEnvError;
use crate::host::payload::PayloadError;
use crate::host::HostError;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error(transparent)]
    Parse(#[from] ParseError),
    #[error(transparent)]
    Git(#[from] GitError),
    /// Wrong or conflicting options, or an input that is not a report at all.
    #[error("{0}")]
    Usage(String),
    /// The code host refused or could not be reached (exit 3), or no token to talk to it (exit 2).
    #[error(transparent)]
    Host(#[from] HostError),
    /// A `--from` payload that is missing, malformed or fails validation (exit 2).
    #[error(transparent)]
    Payload(#[from] PayloadError),
    /// An unreadable CI environment, e.g. a broken `GITHUB_EVENT_PATH` file (exit 2).
    #[error(transparent)]
    CiEnv(#[from] CiEnvError),
    /// A history record that cannot be read or kept (exit 2).
    #[error(transparent)]
    History(#[from] HistoryError),
    #[error("failed to {action} {path}: {source}")]
    Io {
        action: &'static str,
        path: std::path::PathBuf,
        #[source]
        source: std::io::Error,
    },
}

impl Error {
    pub fn exit_code(&self) -> u8 {
        match self {
            Error::Parse(_)
            | Error::Git(_)
            | Error::Usage(_)
            | Error::Io { .. }
            | Error::Payload(_)
            | Error::CiEnv(_)
            | Error::History(_) => exit::BAD_INPUT,
            Error::Host(e) => e.exit_code(),
        }
    }
}

pub type Result<T, E = Error> = std::result::Result<T, E>;
