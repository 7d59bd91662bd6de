//! GitLab REST v4: commit statuses (with the coverage value) and the sticky merge request note.
//! Request bodies follow `fixtures/host/gitlab-api-fields.json` (from GitLab's REST docs). GitLab
//! has no check-run annotations; a plan's check run is ignored here.

use serde_json::{json, Map, Value};

use super::error::{HostError, HostName};
use super::http::{
    check_head, encode_segment, get_json, next_link, same_origin, Method, Request, Response, Sender,
};
use super::sticky::{self, Candidate, CommentApi};
use super::{CommentOutcome, PublishOutcome, TrustedPr};
use crate::render::limits;
use crate::render::plan::{HostKind, PublishPlan, StatusState};

pub(crate) struct Gitlab<'a> {
    api_url: &'a str,
    /// Project id, or its `group/project` path URL-encoded as one segment.
    project: String,
}

impl<'a> Gitlab<'a> {
    pub(crate) fn new(api_url: &'a str, repository: &str) -> Result<Self, HostError> {
        if repository.is_empty() {
            return Err(HostError::InvalidPlan(
                "the GitLab project is empty".to_owned(),
            ));
        }
        Ok(Gitlab {
            api_url,
            project: encode_segment(repository),
        })
    }

    fn url(&self, rest: &str) -> String {
        format!("{}/projects/{}/{rest}", self.api_url, self.project)
    }

    pub(crate) fn publish(
        &self,
        plan: &PublishPlan,
        verify: Option<&TrustedPr>,
        policy: sticky::Policy,
        sender: &mut dyn Sender,
        outcome: &mut PublishOutcome,
    ) -> Result<(), HostError> {
        if let Some(trusted) = verify {
            self.verify_mr(plan, trusted, sender)?;
        }
        let sha = encode_segment(&plan.head_sha);
        for status in &plan.statuses {
            let mut body = Map::new();
            body.insert("state".into(), state(status.state).into());
            body.insert("name".into(), status.context.clone().into());
            body.insert(
                "description".into(),
                limits::status_description(&status.description)
                    .into_owned()
                    .into(),
            );
            if let Some(coverage) = status.coverage.filter(|c| c.is_finite()) {
                body.insert("coverage".into(), json!(coverage));
            }
            let req = Request {
                method: Method::POST,
                url: self.url(&format!("statuses/{sha}")),
                body: Some(Value::Object(body)),
                action: format!("create commit status {}", status.context),
            };
            sender.send(&req)?;
            outcome.statuses.push(status.context.clone());
        }

        outcome.comment = match plan.pr {
            Some(iid) => {
                let api = Notes { gl: self, iid };
                super::sticky_comment(plan, &api, policy, sender, &mut outcome.warnings)?
            }
            None => CommentOutcome::NoPullRequest,
        };
        Ok(())
    }
}

impl Gitlab<'_> {
    /// `--from`: the plan's merge request must be the pipeline's (`CI_MERGE_REQUEST_IID` or
    /// `--pr`), and its head (`sha` in GitLab's answer) the plan's `head_sha`.
    fn verify_mr(
        &self,
        plan: &PublishPlan,
        trusted: &TrustedPr,
        sender: &mut dyn Sender,
    ) -> Result<(), HostError> {
        let (Some(iid), Some(expected)) = (plan.pr, trusted.number) else {
            return Err(HostError::PayloadRefused(
                "this pipeline does not say which merge request it belongs to (no \
                 CI_MERGE_REQUEST_IID); hint: pass --pr N"
                    .to_owned(),
            ));
        };
        if iid != expected {
            return Err(HostError::PayloadRefused(format!(
                "it is for merge request !{iid}, but this pipeline belongs to !{expected}"
            )));
        }
        let req = Request {
            method: Method::GET,
            url: self.url(&format!("merge_requests/{iid}")),
            body: None,
            action: format!("check that merge request !{iid} has head {}", plan.head_sha),
        };
        let note = "  (and stop if its sha differs from the payload's head_sha)";
        let Some(mr) = get_json(sender, HostKind::Gitlab, &req, note)? else {
            return Ok(());
        };
        check_head(
            &plan.head_sha,
            mr["sha"].as_str().unwrap_or_default(),
            "merge request",
            &format!("!{iid}"),
        )?;
        Ok(())
    }
}

/// GitLab has no `error` state for external statuses; `running` is never sent because prcov
/// publishes finished results.
fn state(state: StatusState) -> &'static str {
    match state {
        StatusState::Success => "success",
        StatusState::Failure | StatusState::Error => "failed",
        StatusState::Pending => "pending",
    }
}

struct Notes<'g, 'a> {
    gl: &'g Gitlab<'a>,
    iid: u64,
}

impl Notes<'_, '_> {
    fn notes_url(&self) -> String {
        self.gl.url(&format!("merge_requests/{}/notes", self.iid))
    }
}

impl CommentApi for Notes<'_, '_> {
    fn kind(&self) -> HostKind {
        HostKind::Gitlab
    }

    fn whoami(&self) -> Request {
        Request {
            method: Method::GET,
            url: format!("{}/user", self.gl.api_url),
            body: None,
            action: "find out which user the token belongs to".to_owned(),
        }
    }

    fn parse_whoami(&self, user: &Value) -> Option<String> {
        user["username"].as_str().map(str::to_owned)
    }

    fn comment_author(&self, note: &Value) -> Option<String> {
        note["author"]["username"].as_str().map(str::to_owned)
    }

    fn first_page_url(&self) -> String {
        format!("{}?sort=desc&per_page=100", self.notes_url())
    }

    /// `Link: rel="next"` when GitLab sends it, else the `x-next-page` number on the current URL.
    fn next_page_url(&self, resp: &Response, current: &str) -> Result<Option<String>, HostError> {
        let next = match resp.header("link").and_then(next_link) {
            Some(next) => next,
            None => {
                let Some(page) = resp
                    .header("x-next-page")
                    .map(str::trim)
                    .filter(|p| !p.is_empty())
                    .and_then(|p| p.parse::<u64>().ok())
                else {
                    return Ok(None);
                };
                let Ok(mut url) = reqwest::Url::parse(current) else {
                    return Ok(None);
                };
                let kept: Vec<(String, String)> = url
                    .query_pairs()
                    .filter(|(k, _)| k != "page")
                    .map(|(k, v)| (k.into_owned(), v.into_owned()))
                    .collect();
                url.query_pairs_mut()
                    .clear()
                    .extend_pairs(kept)
                    .append_pair("page", &page.to_string());
                url.to_string()
            }
        };
        if !same_origin(&next, self.gl.api_url) {
            return Err(HostError::UnexpectedResponse {
                host: HostName(HostKind::Gitlab),
                action: "list the merge request notes".to_owned(),
                detail: format!("the next-page link points away from {}", self.gl.api_url),
            });
        }
        Ok(Some(next))
    }

    fn parse_page(&self, page: &Value) -> Result<Vec<Candidate>, String> {
        let items = page.as_array().ok_or("expected a JSON array of notes")?;
        let mut out = Vec::with_capacity(items.len());
        for n in items {
            if n["system"].as_bool() == Some(true) {
                continue;
            }
            out.push(Candidate {
                id: n["id"].as_u64().ok_or("a note without a numeric id")?,
                login: n["author"]["username"].as_str().map(str::to_owned),
                is_bot: n["author"]["bot"].as_bool() == Some(true),
                body: n["body"].as_str().unwrap_or_default().to_owned(),
            });
        }
        Ok(out)
    }

    fn create(&self, body: &str) -> Request {
        Request {
            method: Method::POST,
            url: self.notes_url(),
            body: Some(json!({ "body": body })),
            action: format!("create the note on merge request !{}", self.iid),
        }
    }

    fn update(&self, id: &str, body: &str) -> Request {
        Request {
            method: Method::PUT,
            url: format!("{}/{id}", self.notes_url()),
            body: Some(json!({ "body": body })),
            action: format!("update the note on merge request !{}", self.iid),
        }
    }

    fn delete(&self, id: u64) -> Request {
        Request {
            method: Method::DELETE,
            url: format!("{}/{id}", self.notes_url()),
            body: None,
            action: format!("delete a duplicate note on merge request !{}", self.iid),
        }
    }
}
