//! The one place that chooses the base and head revisions, for `diff`, `report`, `tests` and
//! `publish` alike, and says where each came from.
//!
//! Order, for each side: the command line, then `prcov.toml` (base only), then the CI event
//! (the PR's base and head, never the merge commit a CI checks out), then the local default
//! (the default branch's upstream for the base, `HEAD` for the head).

use crate::analysis::{ChosenRevision, Revisions};
pub use crate::config::RevisionRequest as Requested;
use crate::error::Error;
use crate::git::Repo;
use crate::host::CiContext;
use crate::render::plan::HostKind;

fn ci_name(ci: &CiContext) -> String {
    let host = match ci.host {
        HostKind::Github => "GitHub",
        HostKind::Gitlab => "GitLab",
    };
    match ci.event.as_deref() {
        Some(event) => format!("{host} {event} event"),
        None => format!("{host} CI"),
    }
}

/// The revisions a command compares. `repo` is asked only when neither the user nor the CI
/// names a base (`needs_base`: `report` and `tests` do not compare, they only need the head).
pub fn choose(
    requested: &Requested,
    ci: Option<&CiContext>,
    repo: Option<&Repo>,
    needs_base: bool,
) -> Result<Revisions, Error> {
    let head = if let Some(rev) = &requested.head {
        ChosenRevision::new(rev, "--head")
    } else if requested.worktree {
        ChosenRevision::new("HEAD", "--worktree (the working tree on top of HEAD)")
    } else if let Some((sha, ci)) = ci.and_then(|c| Some((c.head_sha.clone()?, c))) {
        let field = ci.head_from.unwrap_or("head");
        ChosenRevision::new(&sha, &format!("{} ({field})", ci_name(ci)))
    } else {
        ChosenRevision::new("HEAD", "HEAD (the checked-out commit)")
    };
    let base = if let Some(b) = &requested.base {
        Some(b.clone())
    } else if let Some((sha, ci)) = ci.and_then(|c| Some((c.base_sha.clone()?, c))) {
        let field = ci.base_from.unwrap_or("base");
        Some(ChosenRevision::new(
            &sha,
            &format!("{} ({field})", ci_name(ci)),
        ))
    } else if needs_base {
        let repo = repo.ok_or_else(|| {
            Error::Usage("no base revision: pass --base REV or --diff-file FILE".into())
        })?;
        let name = repo.default_base()?;
        let from = if ci.is_some() {
            format!("{name} (the default branch; the CI event names no base)")
        } else {
            format!("{name} (the default branch)")
        };
        Some(ChosenRevision::new(&name, &from))
    } else {
        None
    };
    Ok(Revisions { base, head })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ci(host: HostKind, event: &str) -> CiContext {
        CiContext {
            host,
            api_url: String::new(),
            repository: None,
            pr: Some(7),
            base_sha: Some("b".repeat(40)),
            head_sha: Some("h".repeat(40)),
            step_summary: None,
            event: Some(event.into()),
            is_fork: false,
            base_from: Some("pull_request.base.sha"),
            head_from: Some("pull_request.head.sha"),
            web_url: None,
            head_repository: None,
            head_branch: None,
        }
    }

    #[test]
    fn ci_pr_revisions_win_over_local_defaults_and_say_so() {
        let ctx = ci(HostKind::Github, "pull_request");
        let r = choose(&Requested::default(), Some(&ctx), None, true).unwrap();
        assert_eq!(r.head.rev, "h".repeat(40));
        assert_eq!(
            r.head.from,
            "GitHub pull_request event (pull_request.head.sha)"
        );
        assert_eq!(r.base.unwrap().rev, "b".repeat(40));
    }

    #[test]
    fn flags_win_over_ci_and_worktree_keeps_head() {
        let ctx = ci(HostKind::Gitlab, "merge_request_event");
        let requested = Requested {
            base: Some(ChosenRevision::new("v1", "--base")),
            head: None,
            worktree: true,
        };
        let r = choose(&requested, Some(&ctx), None, true).unwrap();
        assert_eq!(
            (r.base.unwrap().rev.as_str(), r.head.rev.as_str()),
            ("v1", "HEAD")
        );
    }

    #[test]
    fn report_needs_no_base() {
        let r = choose(&Requested::default(), None, None, false).unwrap();
        assert!(r.base.is_none());
        assert_eq!(r.head.rev, "HEAD");
    }
}
