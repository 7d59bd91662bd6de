//! GitHub Actions artifacts as a read-only history store.
//!
//! The default-branch workflow uploads `prcov record -o FILE` with `actions/upload-artifact`
//! under the name `prcov-history-<sha>` (a binary cannot upload: the runtime token is not given
//! to `run:` steps). A pull request lists artifacts by that name through the REST API and trusts
//! only those of runs of *this* repository on its default branch: a fork's workflow can upload an
//! artifact with the same name, but its run's `head_repository_id` is the fork's. Expired
//! artifacts are skipped with a note. The zip is downloaded from the URL the API redirects to,
//! without the token (it is a pre-signed storage URL on another host).

use std::io::Read as _;
use std::sync::Mutex;
use std::time::Duration;

use serde_json::Value;

use super::ci_env::Token;
use super::http::{same_origin, LiveSender, Method, Request, RetryConfig, Sender};
use super::HostKind;
use crate::history::codec::MAX_RECORD_BYTES;
use crate::history::store::{HistoryError, RemoteRecords};
use crate::history::zip::record_from_zip;

/// Artifact names are this prefix and the commit sha.
pub const ARTIFACT_PREFIX: &str = "prcov-history-";

/// The artifacts of one GitHub repository.
pub struct GithubArtifacts {
    api_url: String,
    /// `owner/name`.
    repository: String,
    token: Token,
    sender: Mutex<LiveSender>,
    /// The repository's id and default branch, asked once.
    repo_info: Mutex<Option<(u64, String)>>,
    notes: Mutex<Vec<String>>,
    timeout: Duration,
}

impl std::fmt::Debug for GithubArtifacts {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("GithubArtifacts")
            .field("api_url", &self.api_url)
            .field("repository", &self.repository)
            .finish_non_exhaustive()
    }
}

impl GithubArtifacts {
    pub fn new(
        api_url: &str,
        repository: &str,
        token: Token,
        retry: RetryConfig,
    ) -> Result<Self, HistoryError> {
        let api_url = api_url.trim_end_matches('/').to_owned();
        let sender = LiveSender::new(HostKind::Github, &api_url, token.clone(), retry, None)
            .map_err(|e| HistoryError::Remote {
                store: format!("GitHub Actions artifacts of {repository}"),
                message: e.to_string(),
            })?;
        Ok(GithubArtifacts {
            api_url,
            repository: repository.to_owned(),
            token,
            sender: Mutex::new(sender),
            repo_info: Mutex::new(None),
            notes: Mutex::new(Vec::new()),
            timeout: retry.timeout,
        })
    }

    fn err(&self, message: impl Into<String>) -> HistoryError {
        HistoryError::Remote {
            store: self.describe(),
            message: message.into(),
        }
    }

    fn get_json(&self, url: String, action: &str) -> Result<Value, HistoryError> {
        let req = Request {
            method: Method::GET,
            url,
            body: None,
            action: action.to_owned(),
        };
        let mut sender = self.sender.lock().unwrap_or_else(|p| p.into_inner());
        let resp = sender
            .send(&req)
            .map_err(|e| self.err(e.to_string()))?
            .ok_or_else(|| self.err("no answer"))?;
        resp.json().map_err(|e| self.err(format!("{action}: {e}")))
    }

    /// The repository's id and default branch (`GET /repos/{owner}/{repo}`).
    fn repo_info(&self) -> Result<(u64, String), HistoryError> {
        let mut cached = self.repo_info.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(info) = cached.as_ref() {
            return Ok(info.clone());
        }
        let v = self.get_json(
            format!("{}/repos/{}", self.api_url, self.repository),
            "read the repository",
        )?;
        let id = v["id"]
            .as_u64()
            .ok_or_else(|| self.err("the repository has no id"))?;
        let branch = v["default_branch"]
            .as_str()
            .ok_or_else(|| self.err("the repository has no default branch"))?
            .to_owned();
        *cached = Some((id, branch.clone()));
        Ok((id, branch))
    }

    fn note(&self, text: String) {
        self.notes
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .push(text);
    }

    /// Why an artifact is not trusted, if it is not: it must come from a run of this
    /// repository (not a fork) on the default branch, for this commit.
    fn refusal(artifact: &Value, commit: &str, repo_id: u64, branch: &str) -> Option<String> {
        let run = &artifact["workflow_run"];
        if run.is_null() {
            return Some("names no workflow run".into());
        }
        if run["repository_id"].as_u64() != Some(repo_id)
            || run["head_repository_id"].as_u64() != Some(repo_id)
        {
            return Some("was made by a run of another repository (a fork)".into());
        }
        if run["head_branch"].as_str() != Some(branch) {
            return Some(format!(
                "was made on branch `{}`, not the default branch `{branch}`",
                run["head_branch"].as_str().unwrap_or("?")
            ));
        }
        if !run["head_sha"]
            .as_str()
            .is_some_and(|s| s.eq_ignore_ascii_case(commit))
        {
            return Some("was made for another commit".into());
        }
        None
    }

    /// Downloads the zip: the API answers with a redirect to storage, which is fetched without
    /// the token (and with nothing else of ours but the user agent).
    fn download(&self, url: &str) -> Result<Vec<u8>, HistoryError> {
        if !same_origin(url, &self.api_url) {
            return Err(self.err(format!(
                "artifact download URL {url} is not on the API host; not sending the token there"
            )));
        }
        let client = reqwest::blocking::Client::builder()
            .user_agent(concat!("prcov/", env!("CARGO_PKG_VERSION")))
            .timeout(self.timeout)
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .map_err(|e| self.err(e.to_string()))?;
        let redact = |e: reqwest::Error| self.err(super::http::redact(&e.to_string(), &self.token));
        let first = client
            .get(url)
            .bearer_auth(self.token.expose())
            .header("Accept", "application/vnd.github+json")
            .header("X-GitHub-Api-Version", "2022-11-28")
            .send()
            .map_err(redact)?;
        let resp = match first.status().as_u16() {
            301 | 302 | 303 | 307 | 308 => {
                let location = first
                    .headers()
                    .get("location")
                    .and_then(|v| v.to_str().ok())
                    .ok_or_else(|| self.err("the download redirect has no location"))?
                    .to_owned();
                client.get(&location).send().map_err(redact)?
            }
            _ => first,
        };
        let status = resp.status().as_u16();
        if status == 410 {
            return Err(self.err("the artifact expired"));
        }
        if !(200..300).contains(&status) {
            return Err(self.err(format!("downloading the artifact answered {status}")));
        }
        // A zip of one record is at most a little larger than the record.
        let cap = MAX_RECORD_BYTES + (1 << 20);
        let mut bytes = Vec::new();
        resp.take(cap + 1)
            .read_to_end(&mut bytes)
            .map_err(|e| self.err(format!("reading the artifact: {e}")))?;
        if bytes.len() as u64 > cap {
            return Err(self.err(format!("the artifact is larger than {cap} bytes")));
        }
        Ok(bytes)
    }
}

impl RemoteRecords for GithubArtifacts {
    fn describe(&self) -> String {
        format!("GitHub Actions artifacts of {}", self.repository)
    }

    fn load(&self, commit: &str) -> Result<Option<Vec<u8>>, HistoryError> {
        let (repo_id, branch) = self.repo_info()?;
        let name = format!("{ARTIFACT_PREFIX}{commit}");
        let listing = self.get_json(
            format!(
                "{}/repos/{}/actions/artifacts?name={name}&per_page=100",
                self.api_url, self.repository
            ),
            "list artifacts",
        )?;
        let mut artifacts: Vec<&Value> = listing["artifacts"]
            .as_array()
            .map(|a| a.iter().filter(|a| a["name"] == name.as_str()).collect())
            .unwrap_or_default();
        // Newest first: a re-run's upload replaces an older one.
        artifacts.sort_by_key(|a| std::cmp::Reverse(a["id"].as_u64().unwrap_or(0)));
        for a in artifacts {
            let id = a["id"].as_u64().unwrap_or(0);
            if a["expired"].as_bool() == Some(true) {
                self.note(format!("artifact {name} (#{id}) has expired; skipped"));
                continue;
            }
            if let Some(why) = Self::refusal(a, commit, repo_id, &branch) {
                self.note(format!("artifact {name} (#{id}) {why}; not trusted"));
                continue;
            }
            let url = a["archive_download_url"]
                .as_str()
                .ok_or_else(|| self.err(format!("artifact #{id} has no download URL")))?;
            let zip = self.download(url)?;
            return record_from_zip(&zip)
                .map(Some)
                .map_err(|e| self.err(format!("artifact {name} (#{id}): {e}")));
        }
        Ok(None)
    }

    fn notes(&self) -> Vec<String> {
        std::mem::take(&mut *self.notes.lock().unwrap_or_else(|p| p.into_inner()))
    }
}
