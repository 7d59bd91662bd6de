//! The library's error type, and its mapping to exit codes (SPEC §3).

use crate::exit;
use crate::formats::ParseError;
use crate::git::GitError;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error(transparent)]
    Parse(#[from] ParseError),
    #[error(transparent)]
    Git(#[from] GitError),
    /// Wrong or conflicting options, or an input that is not a report at all.
    #[error("{0}")]
    Usage(String),
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
            Error::Parse(_) | Error::Git(_) | Error::Usage(_) | Error::Io { .. } => exit::BAD_INPUT,
        }
    }
}

pub type Result<T, E = Error> = std::result::Result<T, E>;
