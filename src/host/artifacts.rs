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
use super::http::{encode_segment, same_origin, LiveSender, Method, Request, RetryConfig, Sender};
use super::HostKind;
use crate::history::codec::MAX_RECORD_BYTES;
use crate::history::store::{HistoryError, RemoteRecords};
use crate::history::zip::record_from_zip;

/// Artifact names are this prefix and the commit sha.
pub const ARTIFACT_PREFIX: &str = "prcov-history-";

/// What both artifact stores need of the host: JSON GETs through the retrying sender, downloads
/// that leave the token behind on a redirect, and the notes of what was skipped.
struct ApiClient {
    kind: HostKind,
    api_url: String,
    token: Token,
    sender: Mutex<LiveSender>,
    notes: Mutex<Vec<String>>,
    timeout: Duration,
    /// The store, in words, for errors.
    store: String,
}

impl ApiClient {
    fn new(
        kind: HostKind,
        api_url: &str,
        token: Token,
        retry: RetryConfig,
        store: String,
    ) -> Result<Self, HistoryError> {
        let api_url = api_url.trim_end_matches('/').to_owned();
        let sender = LiveSender::new(kind, &api_url, token.clone(), retry, None).map_err(|e| {
            HistoryError::Remote {
                store: store.clone(),
                message: e.to_string(),
            }
        })?;
        Ok(ApiClient {
            kind,
            api_url,
            token,
            sender: Mutex::new(sender),
            notes: Mutex::new(Vec::new()),
            timeout: retry.timeout,
            store,
        })
    }

    fn err(&self, message: impl Into<String>) -> HistoryError {
        HistoryError::Remote {
            store: self.store.clone(),
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

    fn download(&self, url: &str) -> Result<Option<Vec<u8>>, HistoryError> {
        download(url, &self.api_url, &self.token, self.kind, self.timeout).map_err(|e| self.err(e))
    }

    fn note(&self, text: String) {
        self.notes
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .push(text);
    }

    fn take_notes(&self) -> Vec<String> {
        std::mem::take(&mut *self.notes.lock().unwrap_or_else(|p| p.into_inner()))
    }
}

/// The artifacts of one GitHub repository.
pub struct GithubArtifacts {
    api: ApiClient,
    /// `owner/name`.
    repository: String,
    /// The repository's id and default branch, asked once.
    repo_info: Mutex<Option<(u64, String)>>,
}

impl std::fmt::Debug for GithubArtifacts {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("GithubArtifacts")
            .field("api_url", &self.api.api_url)
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
        Ok(GithubArtifacts {
            api: ApiClient::new(
                HostKind::Github,
                api_url,
                token,
                retry,
                format!("GitHub Actions artifacts of {repository}"),
            )?,
            repository: repository.to_owned(),
            repo_info: Mutex::new(None),
        })
    }

    /// The repository's id and default branch (`GET /repos/{owner}/{repo}`).
    fn repo_info(&self) -> Result<(u64, String), HistoryError> {
        let mut cached = self.repo_info.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(info) = cached.as_ref() {
            return Ok(info.clone());
        }
        let v = self.api.get_json(
            format!("{}/repos/{}", self.api.api_url, self.repository),
            "read the repository",
        )?;
        let id = v["id"]
            .as_u64()
            .ok_or_else(|| self.api.err("the repository has no id"))?;
        let branch = v["default_branch"]
            .as_str()
            .ok_or_else(|| self.api.err("the repository has no default branch"))?
            .to_owned();
        *cached = Some((id, branch.clone()));
        Ok((id, branch))
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
}

impl RemoteRecords for GithubArtifacts {
    fn describe(&self) -> String {
        format!("GitHub Actions artifacts of {}", self.repository)
    }

    fn load(&self, commit: &str) -> Result<Option<Vec<u8>>, HistoryError> {
        let (repo_id, branch) = self.repo_info()?;
        let name = format!("{ARTIFACT_PREFIX}{commit}");
        let listing = self.api.get_json(
            format!(
                "{}/repos/{}/actions/artifacts?name={name}&per_page=100",
                self.api.api_url, self.repository
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
                self.api
                    .note(format!("artifact {name} (#{id}) has expired; skipped"));
                continue;
            }
            if let Some(why) = Self::refusal(a, commit, repo_id, &branch) {
                self.api
                    .note(format!("artifact {name} (#{id}) {why}; not trusted"));
                continue;
            }
            let url = a["archive_download_url"]
                .as_str()
                .ok_or_else(|| self.api.err(format!("artifact #{id} has no download URL")))?;
            let zip = self
                .api
                .download(url)?
                .ok_or_else(|| self.api.err(format!("artifact #{id} is gone")))?;
            return record_from_zip(&zip)
                .map(Some)
                .map_err(|e| self.api.err(format!("artifact {name} (#{id}): {e}")));
        }
        Ok(None)
    }

    fn notes(&self) -> Vec<String> {
        self.api.take_notes()
    }
}

/// Downloads `url` from the API host: the host may answer with a redirect to storage, which is
/// fetched without the token (and with nothing else of ours but the user agent). `Ok(None)` for
/// 404 (not there) and 410 (expired).
fn download(
    url: &str,
    api_url: &str,
    token: &Token,
    kind: HostKind,
    timeout: Duration,
) -> Result<Option<Vec<u8>>, String> {
    if !same_origin(url, api_url) {
        return Err(format!(
            "download URL {url} is not on the API host; not sending the token there"
        ));
    }
    let client = reqwest::blocking::Client::builder()
        .user_agent(concat!("prcov/", env!("CARGO_PKG_VERSION")))
        .timeout(timeout)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .map_err(|e| e.to_string())?;
    let redact = |e: reqwest::Error| super::http::redact(&e.to_string(), token);
    let first = match kind {
        HostKind::Github => client
            .get(url)
            .bearer_auth(token.expose())
            .header("Accept", "application/vnd.github+json")
            .header("X-GitHub-Api-Version", "2022-11-28"),
        HostKind::Gitlab => client.get(url).header("PRIVATE-TOKEN", token.expose()),
    }
    .send()
    .map_err(redact)?;
    let resp = match first.status().as_u16() {
        301 | 302 | 303 | 307 | 308 => {
            let location = first
                .headers()
                .get("location")
                .and_then(|v| v.to_str().ok())
                .ok_or("the download redirect has no location")?
                .to_owned();
            client.get(&location).send().map_err(redact)?
        }
        _ => first,
    };
    match resp.status().as_u16() {
        404 | 410 => return Ok(None),
        s if !(200..300).contains(&s) => return Err(format!("the download answered {s}")),
        _ => {}
    }
    // An archive of one record is at most a little larger than the record.
    let cap = MAX_RECORD_BYTES + (1 << 20);
    let mut bytes = Vec::new();
    resp.take(cap + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| format!("reading the download: {e}"))?;
    if bytes.len() as u64 > cap {
        return Err(format!("the download is larger than {cap} bytes"));
    }
    Ok(Some(bytes))
}

/// The file GitLab jobs keep the record in (`artifacts: paths:`), read out of the job's archive.
pub const GITLAB_ARTIFACT_PATH: &str = "prcov-history.prcov";

/// GitLab job artifacts of one project: the record of a commit is the file
/// [`GITLAB_ARTIFACT_PATH`] in a job of a successful pipeline for that commit on the default
/// branch (merge-request pipelines, forks' included, run on other refs and are not looked at).
pub struct GitlabArtifacts {
    api: ApiClient,
    /// Project id or path, as `CI_PROJECT_ID` gives it.
    project: String,
    default_branch: Mutex<Option<String>>,
}

impl std::fmt::Debug for GitlabArtifacts {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("GitlabArtifacts")
            .field("api_url", &self.api.api_url)
            .field("project", &self.project)
            .finish_non_exhaustive()
    }
}

impl GitlabArtifacts {
    pub fn new(
        api_url: &str,
        project: &str,
        token: Token,
        retry: RetryConfig,
    ) -> Result<Self, HistoryError> {
        Ok(GitlabArtifacts {
            api: ApiClient::new(
                HostKind::Gitlab,
                api_url,
                token,
                retry,
                format!("GitLab job artifacts of project {project}"),
            )?,
            project: project.to_owned(),
            default_branch: Mutex::new(None),
        })
    }

    fn project_url(&self) -> String {
        format!(
            "{}/projects/{}",
            self.api.api_url,
            encode_segment(&self.project)
        )
    }

    fn default_branch(&self) -> Result<String, HistoryError> {
        let mut cached = self
            .default_branch
            .lock()
            .unwrap_or_else(|p| p.into_inner());
        if let Some(b) = cached.as_ref() {
            return Ok(b.clone());
        }
        let v = self.api.get_json(self.project_url(), "read the project")?;
        let branch = v["default_branch"]
            .as_str()
            .ok_or_else(|| self.api.err("the project has no default branch"))?
            .to_owned();
        *cached = Some(branch.clone());
        Ok(branch)
    }
}

impl RemoteRecords for GitlabArtifacts {
    fn describe(&self) -> String {
        format!("GitLab job artifacts of project {}", self.project)
    }

    fn load(&self, commit: &str) -> Result<Option<Vec<u8>>, HistoryError> {
        let branch = self.default_branch()?;
        let pipelines = self.api.get_json(
            format!(
                "{}/pipelines?sha={commit}&ref={}&status=success&per_page=20",
                self.project_url(),
                encode_segment(&branch)
            ),
            "list pipelines",
        )?;
        for p in pipelines.as_array().into_iter().flatten() {
            // The filters are the server's; they are checked again here, as for any input.
            if p["sha"].as_str() != Some(commit)
                || p["ref"].as_str() != Some(branch.as_str())
                || p["status"] != "success"
            {
                continue;
            }
            let Some(pid) = p["id"].as_u64() else {
                continue;
            };
            let jobs = self.api.get_json(
                format!(
                    "{}/pipelines/{pid}/jobs?scope[]=success&per_page=100",
                    self.project_url()
                ),
                "list pipeline jobs",
            )?;
            for job in jobs.as_array().into_iter().flatten() {
                let has_archive = job["artifacts"]
                    .as_array()
                    .is_some_and(|a| a.iter().any(|f| f["file_type"] == "archive"));
                let Some(jid) = job["id"].as_u64().filter(|_| has_archive) else {
                    continue;
                };
                let url = format!(
                    "{}/jobs/{jid}/artifacts/{GITLAB_ARTIFACT_PATH}",
                    self.project_url()
                );
                if let Some(bytes) = self.api.download(&url)? {
                    return Ok(Some(bytes));
                }
            }
            self.api.note(format!(
                    "pipeline #{pid} of {} has no job artifact {GITLAB_ARTIFACT_PATH} (expired, or not uploaded)",
                    &commit[..commit.len().min(7)]
                ));
        }
        Ok(None)
    }

    fn notes(&self) -> Vec<String> {
        self.api.take_notes()
    }
}
