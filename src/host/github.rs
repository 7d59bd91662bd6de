//! GitHub REST: commit statuses, the sticky issue comment, and the check run with annotations
//! (50 per request). Request bodies follow `fixtures/host/github-openapi-subset.json`, which the
//! tests check every body against.

use serde_json::{json, Value};

use super::error::{HostError, HostName};
use super::http::{
    check_head, encode_segment, get_json, next_link, same_origin, Method, Request, Response, Sender,
};
use super::sticky::{self, Candidate, CommentApi};
use super::{CheckRunOutcome, CommentOutcome, PublishOutcome, TrustedPr};
use crate::render::limits::{self, ANNOTATIONS_PER_REQUEST};
use crate::render::plan::{
    Annotation, AnnotationLevel, CheckRun, HostKind, PublishPlan, StatusState,
};

pub(crate) struct Github<'a> {
    api_url: &'a str,
    /// `owner/name`, each part percent-encoded.
    repo_path: String,
}

impl<'a> Github<'a> {
    pub(crate) fn new(api_url: &'a str, repository: &str) -> Result<Self, HostError> {
        let (owner, name) = repository
            .split_once('/')
            .filter(|(o, n)| !o.is_empty() && !n.is_empty() && !n.contains('/'))
            .ok_or_else(|| {
                HostError::InvalidPlan(format!(
                    "GitHub repository {repository:?} is not of the form owner/name"
                ))
            })?;
        Ok(Github {
            api_url,
            repo_path: format!("{}/{}", encode_segment(owner), encode_segment(name)),
        })
    }

    fn url(&self, rest: &str) -> String {
        format!("{}/repos/{}/{rest}", self.api_url, self.repo_path)
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
            self.verify_pr(plan, trusted, sender)?;
        }
        let sha = encode_segment(&plan.head_sha);
        for status in &plan.statuses {
            let req = Request {
                method: Method::POST,
                url: self.url(&format!("statuses/{sha}")),
                body: Some(json!({
                    "state": state(status.state),
                    "context": status.context,
                    "description": limits::status_description(&status.description),
                })),
                action: format!("create commit status {}", status.context),
            };
            sender.send(&req)?;
            outcome.statuses.push(status.context.clone());
        }

        if let Some(pr) = plan.pr {
            let api = Comments { gh: self, pr };
            outcome.comment =
                super::sticky_comment(plan, &api, policy, sender, &mut outcome.warnings)?;
        } else {
            outcome.comment = CommentOutcome::NoPullRequest;
        }

        if let Some(check) = &plan.check_run {
            outcome.check_run =
                self.check_run(check, &plan.head_sha, sender, &mut outcome.warnings)?;
        }
        Ok(())
    }

    /// `--from`: the plan's PR must be the one the trusted run belongs to, with the plan's head.
    fn verify_pr(
        &self,
        plan: &PublishPlan,
        trusted: &TrustedPr,
        sender: &mut dyn Sender,
    ) -> Result<(), HostError> {
        let Some(pr) = plan.pr else {
            return Err(HostError::PayloadRefused(
                "it names no pull request".to_owned(),
            ));
        };
        match trusted.number {
            Some(n) if n != pr => Err(HostError::PayloadRefused(format!(
                "it is for pull request #{pr}, but this run belongs to #{n}"
            ))),
            Some(_) => self.verify_pr_head(pr, &plan.head_sha, sender),
            None => match self.find_pr_by_head(&plan.head_sha, trusted, sender)? {
                Some(n) if n != pr => Err(HostError::PayloadRefused(format!(
                    "it is for pull request #{pr}, but the open pull request whose head is {} is #{n}",
                    plan.head_sha
                ))),
                _ => Ok(()),
            },
        }
    }

    /// The one open PR from the run's head repository and branch whose head is `head_sha`
    /// (`workflow_run.pull_requests` is empty for forks). `Ok(None)` in a dry run.
    fn find_pr_by_head(
        &self,
        head_sha: &str,
        trusted: &TrustedPr,
        sender: &mut dyn Sender,
    ) -> Result<Option<u64>, HostError> {
        let (Some(head_repo), Some(branch)) = (&trusted.head_repository, &trusted.head_branch)
        else {
            return Err(HostError::PayloadRefused(
                "this run does not say which pull request it belongs to (no pull request, head \
                 repository or head branch in the event); hint: pass --pr N"
                    .to_owned(),
            ));
        };
        let owner = head_repo
            .split_once('/')
            .map_or(head_repo.as_str(), |(o, _)| o);
        let req = Request {
            method: Method::GET,
            url: self.url(&format!(
                "pulls?state=open&head={}:{}&per_page=100",
                encode_segment(owner),
                encode_segment(branch)
            )),
            body: None,
            action: format!("find the open pull request from {owner}:{branch}"),
        };
        let note = format!(
            "  (and stop unless exactly one of them has head {head_sha} and is the payload's)"
        );
        let Some(list) = get_json(sender, HostKind::Github, &req, &note)? else {
            return Ok(None);
        };
        let matches: Vec<u64> = list
            .as_array()
            .into_iter()
            .flatten()
            .filter(|p| {
                p["head"]["sha"]
                    .as_str()
                    .is_some_and(|s| s.eq_ignore_ascii_case(head_sha))
                    && p["head"]["repo"]["full_name"]
                        .as_str()
                        .is_some_and(|r| r.eq_ignore_ascii_case(head_repo))
            })
            .filter_map(|p| p["number"].as_u64())
            .collect();
        match matches.as_slice() {
            [one] => Ok(Some(*one)),
            [] => Err(HostError::PayloadRefused(format!(
                "no open pull request from {owner}:{branch} has head {head_sha}; hint: the \
                 payload is stale (a newer push) or the pull request was closed"
            ))),
            many => Err(HostError::PayloadRefused(format!(
                "{} open pull requests from {owner}:{branch} have head {head_sha}; hint: pass --pr N",
                many.len()
            ))),
        }
    }

    /// Refuses a plan whose PR does not have `head_sha` as its head (a stale or forged payload).
    fn verify_pr_head(
        &self,
        pr: u64,
        head_sha: &str,
        sender: &mut dyn Sender,
    ) -> Result<(), HostError> {
        let req = Request {
            method: Method::GET,
            url: self.url(&format!("pulls/{pr}")),
            body: None,
            action: format!("check that pull request #{pr} has head {head_sha}"),
        };
        let note = "  (and stop if its head.sha differs from the payload's head_sha)";
        let Some(json) = get_json(sender, HostKind::Github, &req, note)? else {
            return Ok(());
        };
        check_head(
            head_sha,
            json["head"]["sha"].as_str().unwrap_or_default(),
            "pull request",
            &format!("#{pr}"),
        )
    }

    /// Creates the check run with the first 50 annotations, then appends the rest 50 at a time.
    /// Only GitHub App tokens may create check runs: a 403 is a warning, not a failure, because
    /// statuses and the comment already carry the result.
    fn check_run(
        &self,
        check: &CheckRun,
        head_sha: &str,
        sender: &mut dyn Sender,
        warnings: &mut Vec<String>,
    ) -> Result<CheckRunOutcome, HostError> {
        let summary = limits::check_summary(&check.summary);
        let mut batches = check.annotations.chunks(ANNOTATIONS_PER_REQUEST);
        let first: &[Annotation] = batches.next().unwrap_or(&[]);
        let create = Request {
            method: Method::POST,
            url: self.url("check-runs"),
            body: Some(json!({
                "name": check.name,
                "head_sha": head_sha,
                "status": "completed",
                "conclusion": check.conclusion,
                "output": output(&check.title, &summary, first),
            })),
            action: format!("create check run {}", check.name),
        };
        let resp = match sender.send(&create) {
            Ok(resp) => resp,
            Err(e @ HostError::Forbidden { .. }) => {
                warnings.push(format!(
                    "check run skipped (annotations need a GitHub App token or `checks: write`): {e}"
                ));
                return Ok(CheckRunOutcome::Skipped);
            }
            Err(e) => return Err(e),
        };
        let id = match &resp {
            Some(r) => Some(
                check_run_id(r).ok_or_else(|| HostError::UnexpectedResponse {
                    host: HostName(HostKind::Github),
                    action: create.action.clone(),
                    detail: "no numeric `id` in the created check run".to_owned(),
                })?,
            ),
            None => None,
        };
        let id_segment = id.map_or_else(|| "{check_run_id}".to_owned(), |id| id.to_string());
        let mut requests = 1;
        let mut sent = first.len();
        for batch in batches {
            let req = Request {
                method: Method::PATCH,
                url: self.url(&format!("check-runs/{id_segment}")),
                body: Some(json!({ "output": output(&check.title, &summary, batch) })),
                action: format!("add annotations to check run {}", check.name),
            };
            match sender.send(&req) {
                Ok(_) => {
                    requests += 1;
                    sent += batch.len();
                }
                Err(e @ HostError::Forbidden { .. }) => {
                    warnings.push(format!("some annotations were not added: {e}"));
                    break;
                }
                Err(e) => return Err(e),
            }
        }
        Ok(match id {
            Some(id) => CheckRunOutcome::Created {
                id,
                annotations: sent,
                requests,
            },
            None => CheckRunOutcome::DryRun { requests },
        })
    }
}

fn check_run_id(resp: &Response) -> Option<u64> {
    resp.json().ok()?["id"].as_u64()
}

fn output(title: &str, summary: &str, annotations: &[Annotation]) -> Value {
    let annotations: Vec<Value> = annotations
        .iter()
        .map(|a| {
            json!({
                "path": a.path,
                "start_line": a.start_line,
                "end_line": a.end_line,
                "annotation_level": match a.level {
                    AnnotationLevel::Notice => "notice",
                    AnnotationLevel::Warning => "warning",
                    AnnotationLevel::Failure => "failure",
                },
                "title": limits::truncate_chars(&a.title, limits::ANNOTATION_TITLE_MAX, "…"),
                "message": limits::truncate_chars(&a.message, limits::ANNOTATION_MESSAGE_MAX, "…"),
            })
        })
        .collect();
    json!({ "title": title, "summary": summary, "annotations": annotations })
}

fn state(state: StatusState) -> &'static str {
    match state {
        StatusState::Success => "success",
        StatusState::Failure => "failure",
        StatusState::Error => "error",
        StatusState::Pending => "pending",
    }
}

struct Comments<'g, 'a> {
    gh: &'g Github<'a>,
    pr: u64,
}

impl CommentApi for Comments<'_, '_> {
    fn kind(&self) -> HostKind {
        HostKind::Github
    }

    fn whoami(&self) -> Request {
        Request {
            method: Method::GET,
            url: format!("{}/user", self.gh.api_url),
            body: None,
            action: "find out which user the token belongs to".to_owned(),
        }
    }

    fn parse_whoami(&self, user: &Value) -> Option<String> {
        user["login"].as_str().map(str::to_owned)
    }

    fn comment_author(&self, comment: &Value) -> Option<String> {
        comment["user"]["login"].as_str().map(str::to_owned)
    }

    fn first_page_url(&self) -> String {
        self.gh
            .url(&format!("issues/{}/comments?per_page=100", self.pr))
    }

    fn next_page_url(&self, resp: &Response, _current: &str) -> Result<Option<String>, HostError> {
        let Some(next) = resp.header("link").and_then(next_link) else {
            return Ok(None);
        };
        // Followed exactly as given, but never to another host: the token goes with it.
        if !same_origin(&next, self.gh.api_url) {
            return Err(HostError::UnexpectedResponse {
                host: HostName(HostKind::Github),
                action: "list the pull request comments".to_owned(),
                detail: format!("the next-page link points away from {}", self.gh.api_url),
            });
        }
        Ok(Some(next))
    }

    fn parse_page(&self, page: &Value) -> Result<Vec<Candidate>, String> {
        let items = page.as_array().ok_or("expected a JSON array of comments")?;
        items
            .iter()
            .map(|c| {
                Ok(Candidate {
                    id: c["id"].as_u64().ok_or("a comment without a numeric id")?,
                    login: c["user"]["login"].as_str().map(str::to_owned),
                    is_bot: c["user"]["type"].as_str() == Some("Bot"),
                    body: c["body"].as_str().unwrap_or_default().to_owned(),
                })
            })
            .collect()
    }

    fn create(&self, body: &str) -> Request {
        Request {
            method: Method::POST,
            url: self.gh.url(&format!("issues/{}/comments", self.pr)),
            body: Some(json!({ "body": body })),
            action: format!("create the comment on pull request #{}", self.pr),
        }
    }

    fn update(&self, id: &str, body: &str) -> Request {
        Request {
            method: Method::PATCH,
            url: self.gh.url(&format!("issues/comments/{id}")),
            body: Some(json!({ "body": body })),
            action: format!("update the comment on pull request #{}", self.pr),
        }
    }

    fn delete(&self, id: u64) -> Request {
        Request {
            method: Method::DELETE,
            url: self.gh.url(&format!("issues/comments/{id}")),
            body: None,
            action: format!("delete a duplicate comment on pull request #{}", self.pr),
        }
    }
}
