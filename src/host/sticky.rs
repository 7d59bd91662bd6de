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
//! already did it). With sections, the duplicates' sections are merged into the one kept.
//!
//! **Sections** (`render::sections`): each job rewrites only its own section. Hosts have no
//! compare-and-swap on comments, so every write is a read–modify–write followed, after a settle
//! time, by a re-read; when the comment lost this job's section (another job read before our
//! write and wrote after it) or gained a duplicate, the job writes again (at most 6 rounds).

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

/// How the comment is written: `[comment] behavior`, as Codecov defines it.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Behavior {
    /// Edit the one comment in place (create it the first time).
    #[default]
    Default,
    /// Post once; never edit it afterwards.
    Once,
    /// Delete the comment and post a new one (it moves to the bottom of the conversation).
    New,
    /// Post a new comment every time, deleting none.
    Spammy,
}

/// How [`upsert`] writes: the behaviour, and how long to wait before re-reading after a write.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Policy {
    pub behavior: Behavior,
    /// After writing a sectioned comment, wait this long (at least twice this job's own
    /// read-to-write time) and read it again: a job that read the comment before our write and
    /// writes after it would drop our section, and the re-read puts it back.
    pub settle: std::time::Duration,
}

impl Default for Policy {
    fn default() -> Self {
        Policy {
            behavior: Behavior::Default,
            settle: std::time::Duration::from_millis(1000),
        }
    }
}

/// What the comment becomes, given the bodies of prcov's comments for this key (oldest first):
/// the full body (marker included), or why nothing is written.
pub type Compose<'a> = &'a dyn Fn(&[&str]) -> Result<String, String>;

/// Rounds of write + re-read before giving up on a comment other jobs keep changing.
const MAX_ROUNDS: usize = 6;

/// Creates or edits the comment. `compose` builds the body from what is there: for a plan
/// without sections it ignores its input; with sections (`sectioned`) it merges this job's
/// section into the comment, and every write is followed by a re-read until the comment holds
/// this job's section as it should (see [`Policy::settle`]). Warnings (a duplicate that could not
/// be deleted) go to `warnings`.
pub fn upsert(
    api: &dyn CommentApi,
    sender: &mut dyn Sender,
    marker: &str,
    compose: Compose<'_>,
    sectioned: bool,
    policy: Policy,
    warnings: &mut Vec<String>,
) -> Result<CommentOutcome, HostError> {
    let me = identity(api, sender)?;
    let (Some(me), Some(found)) = (me, find(api, sender, marker)?) else {
        return dry_run(api, sender, marker, compose, sectioned, policy.behavior);
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
    let bodies =
        |list: &[Candidate]| -> Vec<String> { list.iter().map(|c| c.body.clone()).collect() };
    match policy.behavior {
        Behavior::Default => {}
        Behavior::Once => {
            // With sections, `compose` refuses when this job's section is already there: each
            // section is written once, and a job whose section is missing still adds it.
            if let Some(c) = ours.first().filter(|_| !sectioned) {
                return Ok(CommentOutcome::Skipped {
                    reason: format!(
                        "comment {} exists and the comment behavior is `once`: it is never edited",
                        c.id
                    ),
                });
            }
        }
        Behavior::Spammy => {
            // A new comment every time; the newest one's other sections come along.
            let last: Vec<String> = bodies(&ours).into_iter().last().into_iter().collect();
            let refs: Vec<&str> = last.iter().map(String::as_str).collect();
            let body = match compose(&refs) {
                Ok(b) => b,
                Err(reason) => return Ok(CommentOutcome::Skipped { reason }),
            };
            let id = create(api, sender, &body)?.0;
            return Ok(CommentOutcome::Created { id });
        }
        Behavior::New => {
            let all = bodies(&ours);
            let refs: Vec<&str> = all.iter().map(String::as_str).collect();
            let body = match compose(&refs) {
                Ok(b) => b,
                Err(reason) => return Ok(CommentOutcome::Skipped { reason }),
            };
            for c in &ours {
                delete(api, sender, c.id, warnings)?;
            }
            // Created from the old comments' sections; from here on like `default`, so a job
            // that raced us converges on one comment.
            let (id, me) = created_identity(api, sender, &body, me)?;
            if sectioned {
                std::thread::sleep(policy.settle);
            }
            let again = owned(api, sender, marker, &me)?;
            if again.len() <= 1 && !sectioned {
                return Ok(CommentOutcome::Created { id });
            }
            let outcome = converge(
                api, sender, marker, compose, sectioned, policy, again, &me, warnings,
            )?;
            return Ok(match outcome {
                CommentOutcome::Unchanged { .. } => CommentOutcome::Created { id },
                other => other,
            });
        }
    }
    converge(
        api, sender, marker, compose, sectioned, policy, ours, &me, warnings,
    )
}

/// Dry run: the comments cannot be read, so every branch is shown.
fn dry_run(
    api: &dyn CommentApi,
    sender: &mut dyn Sender,
    marker: &str,
    compose: Compose<'_>,
    sectioned: bool,
    behavior: Behavior,
) -> Result<CommentOutcome, HostError> {
    let body = match compose(&[]) {
        Ok(b) => b,
        Err(reason) => return Ok(CommentOutcome::Skipped { reason }),
    };
    let kept = if sectioned {
        " (keeping the other jobs' sections of it as they are, recomputing the header, then reading it again until it holds this section)"
    } else {
        ""
    };
    let update = api.update("{comment_id}", &body);
    let ours =
        format!("if one of them starts with {marker} and was written by the token's own user");
    let note = match behavior {
        Behavior::Default => format!(
            "{ours}: {} {} with the body below{kept} (and DELETE newer duplicates); otherwise:",
            update.method.as_str(),
            update.url
        ),
        Behavior::Once if sectioned => format!(
            "{ours}: nothing if it already holds this section (comment behavior `once`), else {} {} adding it{kept}; otherwise:",
            update.method.as_str(),
            update.url
        ),
        Behavior::Once => format!("{ours}: nothing (comment behavior `once`); otherwise:"),
        Behavior::New => format!(
            "{ours}: DELETE it, then create the comment below{kept}; otherwise just create it:"
        ),
        Behavior::Spammy => format!("comment behavior `spammy`: a new comment every time{kept}:"),
    };
    sender.note(&note)?;
    sender.send(&api.create(&body))?;
    Ok(CommentOutcome::DryRun)
}

/// Writes until the comment is what `compose` makes of it: one comment (the oldest of ours; the
/// newer duplicates merged into it and deleted), re-read after each write when sectioned.
#[allow(clippy::too_many_arguments)]
fn converge(
    api: &dyn CommentApi,
    sender: &mut dyn Sender,
    marker: &str,
    compose: Compose<'_>,
    sectioned: bool,
    policy: Policy,
    mut ours: Vec<Candidate>,
    me: &Identity,
    warnings: &mut Vec<String>,
) -> Result<CommentOutcome, HostError> {
    let mut me = me.clone();
    let mut outcome: Option<CommentOutcome> = None;
    for _ in 0..MAX_ROUNDS {
        let read_at = std::time::Instant::now();
        let all: Vec<String> = ours.iter().map(|c| c.body.clone()).collect();
        let refs: Vec<&str> = all.iter().map(String::as_str).collect();
        let body = match compose(&refs) {
            Ok(b) => b,
            Err(reason) => {
                return Ok(outcome.unwrap_or(CommentOutcome::Skipped { reason }));
            }
        };
        let mut wrote = false;
        match ours.first() {
            None => {
                let (id, who) = created_identity(api, sender, &body, me.clone())?;
                me = who;
                outcome = Some(CommentOutcome::Created { id });
                wrote = true;
                if !sectioned {
                    // Another job may have created one at the same moment: converge on the
                    // oldest.
                    ours = owned(api, sender, marker, &me)?;
                    if ours.len() > 1 {
                        continue;
                    }
                    return Ok(outcome.unwrap_or(CommentOutcome::DryRun));
                }
            }
            Some(keep) => {
                if keep.body == body {
                    if outcome.is_none() {
                        outcome = Some(CommentOutcome::Unchanged { id: keep.id });
                    }
                } else {
                    sender.send(&api.update(&keep.id.to_string(), &body))?;
                    outcome = Some(CommentOutcome::Updated { id: keep.id });
                    wrote = true;
                }
                for dup in ours.iter().skip(1).filter(|c| c.login == keep.login) {
                    delete(api, sender, dup.id, warnings)?;
                    wrote = true;
                }
            }
        }
        if !wrote || !sectioned {
            return Ok(outcome.unwrap_or(CommentOutcome::DryRun));
        }
        // A job that read before our write may still write after it: wait longer than such a
        // read-to-write takes (ours is the measure), then check.
        let wait = policy.settle.max(read_at.elapsed() * 2);
        std::thread::sleep(wait);
        ours = owned(api, sender, marker, &me)?;
        if let [one] = ours.as_slice() {
            if compose(&[one.body.as_str()]).as_deref() == Ok(one.body.as_str()) {
                return Ok(outcome.unwrap_or(CommentOutcome::DryRun));
            }
        }
    }
    warnings.push(format!(
        "the comment marked {marker} kept changing while prcov wrote its section ({MAX_ROUNDS} rounds); the last write may have been replaced by another job's"
    ));
    Ok(outcome.unwrap_or(CommentOutcome::DryRun))
}

/// Creates the comment; its id and author (an app token learns its own login here).
fn created_identity(
    api: &dyn CommentApi,
    sender: &mut dyn Sender,
    body: &str,
    me: Identity,
) -> Result<(Option<u64>, Identity), HostError> {
    let (id, author) = create(api, sender, body)?;
    Ok((id, author.map_or(me, Identity::Login)))
}

fn create(
    api: &dyn CommentApi,
    sender: &mut dyn Sender,
    body: &str,
) -> Result<(Option<u64>, Option<String>), HostError> {
    let created = sender.send(&api.create(body))?;
    let created = created.as_ref().and_then(|r| r.json().ok());
    let id = created.as_ref().and_then(|v| v["id"].as_u64());
    let author = created.as_ref().and_then(|v| api.comment_author(v));
    Ok((id, author))
}

/// Deletes a comment; a 404 means another job already did.
fn delete(
    api: &dyn CommentApi,
    sender: &mut dyn Sender,
    id: u64,
    warnings: &mut Vec<String>,
) -> Result<(), HostError> {
    match sender.send(&api.delete(id)) {
        Ok(_) | Err(HostError::NotFound { .. }) => {}
        Err(e) => warnings.push(format!("could not delete duplicate comment {id}: {e}")),
    }
    Ok(())
}

/// prcov's own comments for the marker, oldest first.
fn owned(
    api: &dyn CommentApi,
    sender: &mut dyn Sender,
    marker: &str,
    me: &Identity,
) -> Result<Vec<Candidate>, HostError> {
    Ok(find(api, sender, marker)?
        .unwrap_or_default()
        .into_iter()
        .filter(|c| me.owns(c))
        .collect())
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

fn unexpected(kind: HostKind, action: &str, detail: String) -> HostError {
    HostError::UnexpectedResponse {
        host: HostName(kind),
        action: action.to_owned(),
        detail,
    }
}
