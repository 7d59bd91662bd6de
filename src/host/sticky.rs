//! One sticky comment per PR and comment key, shared by GitHub (issue comments) and GitLab (MR
//! notes).
//!
//! **Which comment is "ours"**: a comment whose body *starts with* the hidden marker
//! `<!-- prcov:{key} -->` (a human quoting it does not start with it). If any such comment was
//! written by a bot account (GitHub `user.type == "Bot"`, e.g. `github-actions[bot]` or a GitHub
//! App), only bot comments count, because a CI token normally is a bot; otherwise all marked
//! comments count (a personal access token). The oldest of them is edited in place.
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
    let Some(found) = find(api, sender, marker)? else {
        // Dry run: the list could not be read, so both branches are shown.
        let update = api.update("{comment_id}", body);
        sender.note(&format!(
            "if one of them starts with {marker}: {} {} with the body below (and DELETE newer duplicates); otherwise:",
            update.method.as_str(),
            update.url
        ))?;
        sender.send(&api.create(body))?;
        return Ok(CommentOutcome::DryRun);
    };
    if found.is_empty() {
        let created = sender.send(&api.create(body))?;
        let id = created
            .as_ref()
            .and_then(|r| r.json().ok())
            .and_then(|v| v["id"].as_u64());
        // Another job may have created one at the same moment: converge on the oldest.
        let again = find(api, sender, marker)?.unwrap_or_default();
        if again.len() > 1 {
            return settle(api, sender, &again, body, warnings);
        }
        return Ok(CommentOutcome::Created { id });
    }
    settle(api, sender, &found, body, warnings)
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
    let bots: Vec<&Candidate> = found.iter().filter(|c| c.is_bot).collect();
    let preferred: Vec<&Candidate> = if bots.is_empty() {
        found.iter().collect()
    } else {
        bots
    };
    let Some(keep) = preferred.first().copied() else {
        return Ok(CommentOutcome::DryRun);
    };
    let outcome = if keep.body == body {
        CommentOutcome::Unchanged { id: keep.id }
    } else {
        sender.send(&api.update(&keep.id.to_string(), body))?;
        CommentOutcome::Updated { id: keep.id }
    };
    for dup in preferred.iter().skip(1).filter(|c| c.login == keep.login) {
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
