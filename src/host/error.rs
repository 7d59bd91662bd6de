//! `HostError`: why publishing failed, as one sentence with a hint. Every variant maps to exit
//! code 3 (docs/exit-codes.md). Messages never contain the token: the HTTP layer redacts it from anything the
//! host echoes back, and no variant ever holds it.

use crate::exit;

use super::HostKind;

/// The shell recipe for fork PRs, quoted by the 403 hint.
pub const FORK_RECIPE: &str = "on pull requests from forks the token is read-only: run \
`prcov publish --save prcov-payload.json` in the pull_request job, upload it as an artifact, and \
run `prcov publish --from prcov-payload.json` in a `workflow_run` job (see docs/publishing.md)";

#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum HostError {
    /// No token in the environment (and not a dry run).
    #[error("no token to {action}; hint: set {vars} (or use --dry-run / --save to publish later)")]
    MissingToken {
        action: &'static str,
        vars: &'static str,
    },
    /// GitLab CI with only `CI_JOB_TOKEN`, which cannot create notes or commit statuses.
    #[error(
        "only CI_JOB_TOKEN is set, and GitLab does not let a job token create merge request notes \
         or commit statuses; hint: create a project or group access token with the `api` scope and \
         expose it as a masked CI/CD variable GITLAB_TOKEN (or PRCOV_TOKEN)"
    )]
    JobTokenOnly,
    /// 401.
    #[error(
        "{host} rejected the token while trying to {action} (401 Unauthorized); hint: the token is \
         invalid or expired — check {vars}"
    )]
    Unauthorized {
        host: HostName,
        action: String,
        vars: &'static str,
    },
    /// 403 without rate-limit headers: the token may not write.
    #[error("{host} refused to {action} (403 Forbidden{}); hint: {hint}", fmt_message(.message))]
    Forbidden {
        host: HostName,
        action: String,
        message: Option<String>,
        hint: String,
    },
    /// 404.
    #[error(
        "{host} found nothing to {action} (404 Not Found{}); hint: check the repository and \
         pull request number, and that the token can see this repository (private repositories \
         answer 404 to tokens without access)",
        fmt_message(.message)
    )]
    NotFound {
        host: HostName,
        action: String,
        message: Option<String>,
    },
    /// 422 or 400: the host did not accept the request body.
    #[error(
        "{host} rejected the request to {action} as invalid ({status}{}); hint: this is likely a \
         prcov bug or a host limit, please report it with the --dry-run output",
        fmt_message(.message)
    )]
    Validation {
        host: HostName,
        action: String,
        status: u16,
        message: Option<String>,
    },
    /// Still rate limited after the retries, or the host asked to wait longer than the cap.
    #[error(
        "{host} rate-limited the request to {action} and asked to wait {wait_secs}s, more than the \
         {cap_secs}s prcov waits; hint: retry later, or raise PRCOV_MAX_RETRY_WAIT"
    )]
    RateLimited {
        host: HostName,
        action: String,
        wait_secs: u64,
        cap_secs: u64,
    },
    /// Any other non-success answer (5xx after retries, unexpected codes).
    #[error("{host} answered {status} to the request to {action}{}; hint: {hint}", fmt_message(.message))]
    Status {
        host: HostName,
        action: String,
        status: u16,
        message: Option<String>,
        hint: &'static str,
    },
    /// Connection, TLS or timeout failure (after retries).
    #[error(
        "could not reach {host} to {action} ({detail}); hint: check the API URL {api_url} and the \
         network"
    )]
    Network {
        host: HostName,
        action: String,
        api_url: String,
        detail: String,
    },
    /// The host answered 2xx with something prcov cannot read.
    #[error("{host} answered the request to {action} with an unexpected body ({detail})")]
    UnexpectedResponse {
        host: HostName,
        action: String,
        detail: String,
    },
    /// A `--from` payload that the host's answers show to belong to another pull request (or to
    /// none): bad input (exit 2), refused before anything was posted.
    #[error("refusing the payload: {0}")]
    PayloadRefused(String),
    /// The plan cannot be sent as it is (e.g. a repository that is not `owner/name`).
    #[error("cannot publish: {0}")]
    InvalidPlan(String),
    /// Writing the dry-run output failed.
    #[error("failed to write the dry-run output: {0}")]
    DryRunOutput(#[source] std::io::Error),
}

impl HostError {
    /// A host that refused or could not be reached exits with 3; no usable token is a usage
    /// error (2): no request was made (docs/exit-codes.md).
    pub fn exit_code(&self) -> u8 {
        match self {
            HostError::MissingToken { .. }
            | HostError::JobTokenOnly
            | HostError::PayloadRefused(_) => exit::BAD_INPUT,
            _ => exit::HOST_ERROR,
        }
    }
}

fn fmt_message(message: &Option<String>) -> String {
    match message {
        Some(m) if !m.is_empty() => format!(": {m}"),
        _ => String::new(),
    }
}

/// The host's display name, used in messages ("GitHub", "GitLab").
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HostName(pub HostKind);

impl std::fmt::Display for HostName {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self.0 {
            HostKind::Github => "GitHub",
            HostKind::Gitlab => "GitLab",
        })
    }
}

/// Which environment variables hold the token for a host, for hints.
pub fn token_vars(kind: HostKind) -> &'static str {
    match kind {
        HostKind::Github => "GITHUB_TOKEN or PRCOV_TOKEN",
        HostKind::Gitlab => "GITLAB_TOKEN or PRCOV_TOKEN",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_token_is_a_usage_error_a_refusal_is_a_host_error() {
        let missing = HostError::MissingToken {
            action: "publish",
            vars: "GITHUB_TOKEN or PRCOV_TOKEN",
        };
        assert_eq!(missing.exit_code(), exit::BAD_INPUT);
        assert_eq!(HostError::JobTokenOnly.exit_code(), exit::BAD_INPUT);
        let via_library = crate::error::Error::from(HostError::JobTokenOnly);
        assert_eq!(via_library.exit_code(), exit::BAD_INPUT);
        let refused = HostError::Unauthorized {
            host: HostName(HostKind::Github),
            action: "create a commit status".into(),
            vars: "GITHUB_TOKEN or PRCOV_TOKEN",
        };
        assert_eq!(
            crate::error::Error::from(refused).exit_code(),
            exit::HOST_ERROR
        );
    }
}
