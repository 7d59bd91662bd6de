//! One sticky comment per PR and comment key, shared by GitHub (issue comments) and GitLab (MR
//! notes).
//!
//! **Which comment is "ours"**: a comment whose body *starts with* the hidden marker
//! `<!-- prcov:{key} -->` (a human quoting it does not start with it) **and** that the token's
//! own identity wrote. prcov asks the host who the token is (`GET /user`); a GitHub App
//! installation token (`GITHUB_TOKEN` is one) may not ask, so then only comments by a bot account
//! count — a human cannot post as a bot. A human's comment that starts with the marker is never
//! adopted: editing it would put prcov's report under a name that can rewrite it later. It is
//! left alone (with a warning) and prcov creates its own. The oldest of ours is edited in place.
//!
//! **Never a duplicate**: newer marked comments by the same author are deleted. After creating a
//! comment the list is read again, so two jobs that raced and both created one converge: both
//! keep the oldest, and the newer one is deleted (a 404 on that delete means the other job
//! already did it).

use serde_json::Value;

use super::error::{HostError, HostName};
use super::http::{Request, Response, Sender};
use super::{CommentOutcome, HostKind};

/// Longest pagination we follow (100 pages of 100 comments).
const MAX_PAGES: usize = 100;

/// A comment as the host lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Candidate {
    pub id: u64,
    pub login: Option<String>,
    pub is_bot: bool,
    pub body: String,
}

/// The host-specific parts of the sticky comment.
pub trait CommentApi {
    fn kind(&self) -> HostKind;
    /// `GET /user`: who the token is.
    fn whoami(&self) -> Request;
    /// The login (GitHub) or username (GitLab) in a `GET /user` answer.
    fn parse_whoami(&self, user: &Value) -> Option<String>;
    /// The author's login in a created comment's JSON.
    fn comment_author(&self, comment: &Value) -> Option<String>;
    fn first_page_url(&self) -> String;
    /// The next page after `resp` (fetched from `current`), if any.
    fn next_page_url(&self, resp: &Response, current: &str) -> Result<Option<String>, HostError>;
    /// All user comments of one page (system notes left out).
    fn parse_page(&self, page: &Value) -> Result<Vec<Candidate>, String>;
    fn create(&self, body: &str) -> Request;
    /// `id` is a number, or a placeholder like `{comment_id}` in dry-run notes.
    fn update(&self, id: &str, body: &str) -> Request;
    fn delete(&self, id: u64) -> Request;
}

/// Whose comments may be adopted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Identity {
    /// The token's own account, from `GET /user`.
    Login(String),
    /// An app installation token, which may not read `GET /user`: any bot account's comment.
    Bot,
}

impl Identity {
    fn owns(&self, c: &Candidate) -> bool {
        match self {
            Identity::Login(login) => c
                .login
                .as_deref()
                .is_some_and(|l| l.eq_ignore_ascii_case(login)),
            Identity::Bot => c.is_bot,
        }
    }
}

/// Asks the host who the token is; `Ok(None)` in dry-run mode. A 403 means an app installation
/// token (GitHub answers "Resource not accessible by integration"): then only bots count.
pub fn identity(
    api: &dyn CommentApi,
    sender: &mut dyn Sender,
) -> Result<Option<Identity>, HostError> {
    let req = api.whoami();
    match sender.send(&req) {
        Ok(Some(resp)) => {
            let user = resp
                .json()
                .map_err(|detail| unexpected(api.kind(), &req.action, detail))?;
            let login = api.parse_whoami(&user).ok_or_else(|| {
                unexpected(api.kind(), &req.action, "no login in the answer".to_owned())
            })?;
            Ok(Some(Identity::Login(login)))
        }
        Ok(None) => Ok(None),
        Err(HostError::Forbidden { .. }) => Ok(Some(Identity::Bot)),
        Err(e) => Err(e),
    }
}

/// The hidden marker that identifies prcov's comment for `key`.
pub fn marker(key: &str) -> String {
    format!("<!-- prcov:{key} -->")
}

/// Creates or edits the comment; `body` already starts with the marker. Warnings (a duplicate
/// that could not be deleted) go to `warnings`.
pub fn upsert(
    api: &dyn CommentApi,
    sender: &mut dyn Sender,
    marker: &str,
    body: &str,
    warnings: &mut Vec<String>,
) -> Result<CommentOutcome, HostError> {
    let me = identity(api, sender)?;
    let (Some(me), Some(found)) = (me, find(api, sender, marker)?) else {
        // Dry run: the list could not be read, so both branches are shown.
        let update = api.update("{comment_id}", body);
        sender.note(&format!(
            "if one of them starts with {marker} and was written by the token's own user: {} {} with the body below (and DELETE newer duplicates); otherwise:",
            update.method.as_str(),
            update.url
        ))?;
        sender.send(&api.create(body))?;
        return Ok(CommentOutcome::DryRun);
    };
    let (ours, foreign): (Vec<Candidate>, Vec<Candidate>) =
        found.into_iter().partition(|c| me.owns(c));
    for c in &foreign {
        warnings.push(format!(
            "ignored comment {} by {}: it starts with {marker} but was not written by this token, so prcov does not edit it",
            c.id,
            c.login.as_deref().unwrap_or("an unknown user")
        ));
    }
    if ours.is_empty() {
        let created = sender.send(&api.create(body))?;
        let created = created.as_ref().and_then(|r| r.json().ok());
        let id = created.as_ref().and_then(|v| v["id"].as_u64());
        // The new comment's author is this token: an app token learns its login here.
        let me = created
            .as_ref()
            .and_then(|v| api.comment_author(v))
            .map_or(me, Identity::Login);
        // Another job may have created one at the same moment: converge on the oldest.
        let again: Vec<Candidate> = find(api, sender, marker)?
            .unwrap_or_default()
            .into_iter()
            .filter(|c| me.owns(c))
            .collect();
        if again.len() > 1 {
            return settle(api, sender, &again, body, warnings);
        }
        return Ok(CommentOutcome::Created { id });
    }
    settle(api, sender, &ours, body, warnings)
}

/// Every comment that starts with the marker, oldest first; `None` in dry-run mode.
fn find(
    api: &dyn CommentApi,
    sender: &mut dyn Sender,
    marker: &str,
) -> Result<Option<Vec<Candidate>>, HostError> {
    let mut url = api.first_page_url();
    let mut found = Vec::new();
    for _ in 0..MAX_PAGES {
        let req = Request {
            method: super::http::Method::GET,
            url: url.clone(),
            body: None,
            action: format!("list the comments to find the one marked {marker}"),
        };
        let Some(resp) = sender.send(&req)? else {
            return Ok(None);
        };
        let page = resp
            .json()
            .map_err(|detail| unexpected(api.kind(), &req.action, detail))?;
        let comments = api
            .parse_page(&page)
            .map_err(|detail| unexpected(api.kind(), &req.action, detail))?;
        found.extend(comments.into_iter().filter(|c| c.body.starts_with(marker)));
        match api.next_page_url(&resp, &url)? {
            Some(next) => url = next,
            None => break,
        }
    }
    found.sort_by_key(|c| c.id);
    Ok(Some(found))
}

fn settle(
    api: &dyn CommentApi,
    sender: &mut dyn Sender,
    found: &[Candidate],
    body: &str,
    warnings: &mut Vec<String>,
) -> Result<CommentOutcome, HostError> {
    let Some(keep) = found.first() else {
        return Ok(CommentOutcome::DryRun);
    };
    let outcome = if keep.body == body {
        CommentOutcome::Unchanged { id: keep.id }
    } else {
        sender.send(&api.update(&keep.id.to_string(), body))?;
        CommentOutcome::Updated { id: keep.id }
    };
    for dup in found.iter().skip(1).filter(|c| c.login == keep.login) {
        match sender.send(&api.delete(dup.id)) {
            Ok(_) | Err(HostError::NotFound { .. }) => {}
            Err(e) => warnings.push(format!(
                "could not delete duplicate comment {}: {e}",
                dup.id
            )),
        }
    }
    Ok(outcome)
}

fn unexpected(kind: HostKind, action: &str, detail: String) -> HostError {
    HostError::UnexpectedResponse {
        host: HostName(kind),
        action: action.to_owned(),
        detail,
    }
}
