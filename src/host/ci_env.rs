//! CI detection: which host, repository, PR and commits a CI job is about, from its environment
//! (docs/publishing.md#what-prcov-reads-from-ci). The environment is passed in as a function so tests never mutate the process env;
//! the CLI passes `|k| std::env::var(k).ok()`.
//!
//! The head commit is the PR's head, never GitHub's `GITHUB_SHA` (on `pull_request` that is the
//! temporary merge commit, which no reviewer sees) nor GitLab's merged-result commit.

use std::path::PathBuf;

use serde_json::Value;

use super::error::HostError;
use super::HostKind;

/// Default API base URLs, when the CI does not say.
pub const GITHUB_API_URL: &str = "https://api.github.com";
pub const GITLAB_API_URL: &str = "https://gitlab.com/api/v4";

/// What the CI environment says about the job.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CiContext {
    pub host: HostKind,
    /// API base URL without a trailing slash (`GITHUB_API_URL`, `CI_API_V4_URL`).
    pub api_url: String,
    /// GitHub `owner/name`; GitLab project id (`CI_PROJECT_ID`).
    pub repository: Option<String>,
    /// PR number (GitLab: MR IID); `None` on a push.
    pub pr: Option<u64>,
    /// The PR base (GitHub `pull_request.base.sha`, GitLab `CI_MERGE_REQUEST_DIFF_BASE_SHA`), or
    /// the previous commit of a push.
    pub base_sha: Option<String>,
    /// The commit to annotate: the PR head, or the pushed commit.
    pub head_sha: Option<String>,
    /// `GITHUB_STEP_SUMMARY`, when set.
    pub step_summary: Option<PathBuf>,
    /// GitHub event name (`pull_request`, `push`, …), GitLab `CI_PIPELINE_SOURCE`.
    pub event: Option<String>,
    /// The PR comes from a fork: its token is read-only, so publishing needs the two-step recipe.
    pub is_fork: bool,
    /// The repository the PR's head lives in (`owner/name`; a fork's for fork PRs), when the
    /// event says. `--from` looks the PR up by it when `workflow_run.pull_requests` is empty.
    pub head_repository: Option<String>,
    /// The PR's head branch (`workflow_run.head_branch`, `pull_request.head.ref`).
    pub head_branch: Option<String>,
    /// Which field or variable `base_sha` and `head_sha` were read from (`pull_request.base.sha`,
    /// `CI_MERGE_REQUEST_DIFF_BASE_SHA`, …): the text output says where revisions came from.
    pub base_from: Option<&'static str>,
    pub head_from: Option<&'static str>,
    /// The repository's web page (`GITHUB_SERVER_URL/GITHUB_REPOSITORY`, `CI_PROJECT_URL`), for
    /// links to files at the head commit.
    pub web_url: Option<String>,
}

/// Why the CI environment could not be read.
#[derive(Debug, thiserror::Error)]
pub enum CiEnvError {
    #[error("failed to read the GitHub event payload {path} (GITHUB_EVENT_PATH): {source}")]
    EventIo {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error(
        "failed to parse the GitHub event payload {path} (GITHUB_EVENT_PATH) as JSON: {source}"
    )]
    EventJson {
        path: PathBuf,
        #[source]
        source: serde_json::Error,
    },
    #[error(
        "the {event} event payload {path} has no {field}; hint: pass --pr and --head explicitly"
    )]
    EventField {
        event: String,
        path: PathBuf,
        field: &'static str,
    },
    #[error("{var}={value:?} is not a number")]
    NotANumber { var: &'static str, value: String },
}

impl CiEnvError {
    /// A broken CI environment is bad input (exit 2), not a host failure.
    pub fn exit_code(&self) -> u8 {
        crate::exit::BAD_INPUT
    }
}

/// Reads the environment of GitHub Actions or GitLab CI; `Ok(None)` outside both.
pub fn detect(env: &impl Fn(&str) -> Option<String>) -> Result<Option<CiContext>, CiEnvError> {
    let get = |k: &str| env(k).filter(|v| !v.is_empty());
    if get("GITHUB_ACTIONS").is_some_and(|v| v == "true") {
        return github(&get).map(Some);
    }
    if get("GITLAB_CI").is_some_and(|v| v == "true") {
        return gitlab(&get).map(Some);
    }
    Ok(None)
}

fn github(get: &impl Fn(&str) -> Option<String>) -> Result<CiContext, CiEnvError> {
    let mut ctx = CiContext {
        host: HostKind::Github,
        api_url: trim_url(get("GITHUB_API_URL").as_deref().unwrap_or(GITHUB_API_URL)),
        repository: get("GITHUB_REPOSITORY"),
        pr: None,
        base_sha: None,
        head_sha: None,
        step_summary: get("GITHUB_STEP_SUMMARY").map(PathBuf::from),
        event: get("GITHUB_EVENT_NAME"),
        is_fork: false,
        head_repository: None,
        head_branch: None,
        base_from: None,
        head_from: None,
        web_url: get("GITHUB_REPOSITORY").map(|repo| {
            format!(
                "{}/{repo}",
                trim_url(
                    get("GITHUB_SERVER_URL")
                        .as_deref()
                        .unwrap_or("https://github.com")
                )
            )
        }),
    };
    let event_name = ctx.event.clone().unwrap_or_default();
    let payload = match get("GITHUB_EVENT_PATH") {
        Some(path) => Some((read_event(&path)?, PathBuf::from(path))),
        None => None,
    };
    let field_err = |path: &PathBuf, field| CiEnvError::EventField {
        event: event_name.clone(),
        path: path.clone(),
        field,
    };
    match (event_name.as_str(), &payload) {
        ("pull_request" | "pull_request_target", Some((event, path))) => {
            let pr = &event["pull_request"];
            ctx.pr = Some(
                pr["number"]
                    .as_u64()
                    .or_else(|| event["number"].as_u64())
                    .ok_or_else(|| field_err(path, "pull_request.number"))?,
            );
            ctx.head_sha = Some(
                str_at(pr, &["head", "sha"])
                    .ok_or_else(|| field_err(path, "pull_request.head.sha"))?,
            );
            ctx.base_sha = str_at(pr, &["base", "sha"]);
            ctx.head_repository = str_at(pr, &["head", "repo", "full_name"]);
            ctx.head_branch = str_at(pr, &["head", "ref"]);
            ctx.head_from = Some("pull_request.head.sha");
            ctx.base_from = ctx.base_sha.as_ref().map(|_| "pull_request.base.sha");
            ctx.is_fork = is_fork(
                ctx.head_repository.clone(),
                str_at(pr, &["base", "repo", "full_name"]),
            );
        }
        ("workflow_run", Some((event, path))) => {
            let run = &event["workflow_run"];
            ctx.head_sha = Some(
                str_at(run, &["head_sha"])
                    .ok_or_else(|| field_err(path, "workflow_run.head_sha"))?,
            );
            ctx.head_from = Some("workflow_run.head_sha");
            // Empty for fork PRs: then `--from` looks the PR up by head repository and branch.
            if let Some(first) = run["pull_requests"].as_array().and_then(|prs| prs.first()) {
                ctx.pr = first["number"].as_u64();
                ctx.base_sha = str_at(first, &["base", "sha"]);
                ctx.base_from = ctx
                    .base_sha
                    .as_ref()
                    .map(|_| "workflow_run.pull_requests[0].base.sha");
            }
            ctx.head_repository = str_at(run, &["head_repository", "full_name"]);
            ctx.head_branch = str_at(run, &["head_branch"]);
            ctx.is_fork = is_fork(
                ctx.head_repository.clone(),
                str_at(run, &["repository", "full_name"]),
            );
        }
        ("merge_group", Some((event, path))) => {
            // A merge queue tests the group's temporary commit against the target branch.
            let group = &event["merge_group"];
            ctx.head_sha = Some(
                str_at(group, &["head_sha"])
                    .ok_or_else(|| field_err(path, "merge_group.head_sha"))?,
            );
            ctx.base_sha = str_at(group, &["base_sha"]);
            ctx.head_from = Some("merge_group.head_sha");
            ctx.base_from = ctx.base_sha.as_ref().map(|_| "merge_group.base_sha");
        }
        ("push", Some((event, _))) => {
            ctx.head_sha = str_at(event, &["after"]).or_else(|| get("GITHUB_SHA"));
            ctx.head_from = ctx.head_sha.as_ref().map(|_| "push event (after)");
            // A new branch pushes with before = 0000…: no usable base.
            ctx.base_sha = str_at(event, &["before"]).filter(|s| s.bytes().any(|b| b != b'0'));
            ctx.base_from = ctx.base_sha.as_ref().map(|_| "push event (before)");
        }
        _ => {
            // Other events (schedule, workflow_dispatch…): GITHUB_SHA is the checked-out commit.
            ctx.head_sha = get("GITHUB_SHA");
            ctx.head_from = ctx.head_sha.as_ref().map(|_| "GITHUB_SHA");
        }
    }
    Ok(ctx)
}

fn gitlab(get: &impl Fn(&str) -> Option<String>) -> Result<CiContext, CiEnvError> {
    let pr = match get("CI_MERGE_REQUEST_IID") {
        Some(v) => Some(v.parse::<u64>().map_err(|_| CiEnvError::NotANumber {
            var: "CI_MERGE_REQUEST_IID",
            value: v.clone(),
        })?),
        None => None,
    };
    // In merged-results pipelines CI_COMMIT_SHA is the merge result; the MR head is the source
    // branch SHA, set only in those pipelines.
    let (head_sha, head_from) = match get("CI_MERGE_REQUEST_SOURCE_BRANCH_SHA") {
        Some(sha) => (Some(sha), Some("CI_MERGE_REQUEST_SOURCE_BRANCH_SHA")),
        None => {
            let sha = get("CI_COMMIT_SHA");
            let from = sha.as_ref().map(|_| "CI_COMMIT_SHA");
            (sha, from)
        }
    };
    let (base_sha, base_from) = match get("CI_MERGE_REQUEST_DIFF_BASE_SHA") {
        Some(sha) => (Some(sha), Some("CI_MERGE_REQUEST_DIFF_BASE_SHA")),
        None => match get("CI_COMMIT_BEFORE_SHA").filter(|s| s.bytes().any(|b| b != b'0')) {
            Some(sha) => (Some(sha), Some("CI_COMMIT_BEFORE_SHA")),
            None => (None, None),
        },
    };
    let is_fork = match (
        get("CI_MERGE_REQUEST_SOURCE_PROJECT_ID"),
        get("CI_MERGE_REQUEST_PROJECT_ID"),
    ) {
        (Some(source), Some(target)) => source != target,
        _ => false,
    };
    Ok(CiContext {
        host: HostKind::Gitlab,
        api_url: trim_url(get("CI_API_V4_URL").as_deref().unwrap_or(GITLAB_API_URL)),
        repository: get("CI_PROJECT_ID").or_else(|| get("CI_PROJECT_PATH")),
        pr,
        base_sha,
        head_sha,
        step_summary: None,
        event: get("CI_PIPELINE_SOURCE"),
        is_fork,
        head_repository: None,
        head_branch: None,
        base_from,
        head_from,
        web_url: get("CI_PROJECT_URL").map(|u| trim_url(&u)),
    })
}

fn read_event(path: &str) -> Result<Value, CiEnvError> {
    let path_buf = PathBuf::from(path);
    let text = std::fs::read_to_string(&path_buf).map_err(|source| CiEnvError::EventIo {
        path: path_buf.clone(),
        source,
    })?;
    serde_json::from_str(&text).map_err(|source| CiEnvError::EventJson {
        path: path_buf,
        source,
    })
}

fn str_at(value: &Value, keys: &[&str]) -> Option<String> {
    let mut v = value;
    for k in keys {
        v = v.get(k)?;
    }
    v.as_str().filter(|s| !s.is_empty()).map(str::to_owned)
}

fn is_fork(head_repo: Option<String>, base_repo: Option<String>) -> bool {
    match (head_repo, base_repo) {
        (Some(head), Some(base)) => !head.eq_ignore_ascii_case(&base),
        // A deleted fork shows `head.repo: null`: still a fork.
        (None, Some(_)) => true,
        _ => false,
    }
}

fn trim_url(url: &str) -> String {
    url.trim_end_matches('/').to_owned()
}

/// An API token. `Debug` and `Display` print `***`, so it cannot leak through logs or `{:?}`.
#[derive(Clone, PartialEq, Eq)]
pub struct Token(String);

impl Token {
    pub fn new(secret: impl Into<String>) -> Self {
        Token(secret.into())
    }

    /// The secret itself, for the `Authorization` header and for redaction only.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for Token {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Token(***)")
    }
}

impl std::fmt::Display for Token {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("***")
    }
}

/// The token for `kind`: `PRCOV_TOKEN` first (an explicit choice), then `GITHUB_TOKEN` or
/// `GITLAB_TOKEN`. Empty values count as unset (GitHub passes empty secrets to fork PRs).
/// On GitLab with only `CI_JOB_TOKEN`, explains that a job token cannot post notes or statuses.
pub fn token_from_env(
    kind: HostKind,
    env: &impl Fn(&str) -> Option<String>,
) -> Result<Token, HostError> {
    let get = |k: &str| env(k).filter(|v| !v.trim().is_empty());
    let host_var = match kind {
        HostKind::Github => "GITHUB_TOKEN",
        HostKind::Gitlab => "GITLAB_TOKEN",
    };
    if let Some(t) = get("PRCOV_TOKEN").or_else(|| get(host_var)) {
        return Ok(Token::new(t.trim()));
    }
    if kind == HostKind::Gitlab && get("CI_JOB_TOKEN").is_some() {
        return Err(HostError::JobTokenOnly);
    }
    Err(HostError::MissingToken {
        action: "publish",
        vars: super::error::token_vars(kind),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn env_of(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
        let map: HashMap<String, String> = pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        move |k| map.get(k).cloned()
    }

    fn write_event(json: &str) -> tempfile::NamedTempFile {
        let mut file = tempfile::NamedTempFile::new().unwrap();
        std::io::Write::write_all(&mut file, json.as_bytes()).unwrap();
        file
    }

    const HEAD: &str = "1111111111111111111111111111111111111111";
    const BASE: &str = "2222222222222222222222222222222222222222";
    const MERGE: &str = "3333333333333333333333333333333333333333";

    #[test]
    fn outside_ci_is_none() {
        assert_eq!(detect(&env_of(&[("CI", "true")])).unwrap(), None);
    }

    #[test]
    fn github_pull_request_uses_head_sha_not_merge_commit() {
        let event = write_event(&format!(
            r#"{{"number": 7, "pull_request": {{"number": 7,
                "head": {{"sha": "{HEAD}", "repo": {{"full_name": "alice/proj"}}}},
                "base": {{"sha": "{BASE}", "repo": {{"full_name": "org/proj"}}}}}}}}"#
        ));
        let path = event.path().to_str().unwrap().to_owned();
        let env = env_of(&[
            ("GITHUB_ACTIONS", "true"),
            ("GITHUB_EVENT_NAME", "pull_request"),
            ("GITHUB_EVENT_PATH", &path),
            ("GITHUB_SHA", MERGE),
            ("GITHUB_REPOSITORY", "org/proj"),
            ("GITHUB_API_URL", "https://ghe.example.com/api/v3/"),
            ("GITHUB_STEP_SUMMARY", "/tmp/summary.md"),
        ]);
        let ctx = detect(&env).unwrap().unwrap();
        assert_eq!(ctx.host, HostKind::Github);
        assert_eq!(ctx.pr, Some(7));
        assert_eq!(ctx.head_sha.as_deref(), Some(HEAD));
        assert_eq!(ctx.base_sha.as_deref(), Some(BASE));
        assert_eq!(ctx.repository.as_deref(), Some("org/proj"));
        assert_eq!(ctx.api_url, "https://ghe.example.com/api/v3");
        assert_eq!(ctx.step_summary, Some(PathBuf::from("/tmp/summary.md")));
        assert!(ctx.is_fork);
    }

    #[test]
    fn github_pull_request_target_same_repo_is_not_a_fork() {
        let event = write_event(&format!(
            r#"{{"pull_request": {{"number": 12,
                "head": {{"sha": "{HEAD}", "repo": {{"full_name": "org/proj"}}}},
                "base": {{"sha": "{BASE}", "repo": {{"full_name": "org/proj"}}}}}}}}"#
        ));
        let path = event.path().to_str().unwrap().to_owned();
        let env = env_of(&[
            ("GITHUB_ACTIONS", "true"),
            ("GITHUB_EVENT_NAME", "pull_request_target"),
            ("GITHUB_EVENT_PATH", &path),
        ]);
        let ctx = detect(&env).unwrap().unwrap();
        assert_eq!((ctx.pr, ctx.is_fork), (Some(12), false));
        assert_eq!(ctx.api_url, GITHUB_API_URL);
    }

    #[test]
    fn github_push_has_no_pr_and_ignores_zero_before() {
        let event = write_event(&format!(
            r#"{{"before": "0000000000000000000000000000000000000000", "after": "{HEAD}"}}"#
        ));
        let path = event.path().to_str().unwrap().to_owned();
        let env = env_of(&[
            ("GITHUB_ACTIONS", "true"),
            ("GITHUB_EVENT_NAME", "push"),
            ("GITHUB_EVENT_PATH", &path),
        ]);
        let ctx = detect(&env).unwrap().unwrap();
        assert_eq!(ctx.pr, None);
        assert_eq!(ctx.head_sha.as_deref(), Some(HEAD));
        assert_eq!(ctx.base_sha, None);
    }

    #[test]
    fn github_workflow_run_with_and_without_pull_requests() {
        let with = write_event(&format!(
            r#"{{"workflow_run": {{"head_sha": "{HEAD}",
                "pull_requests": [{{"number": 5, "base": {{"sha": "{BASE}"}}}}],
                "head_repository": {{"full_name": "org/proj"}}, "repository": {{"full_name": "org/proj"}}}}}}"#
        ));
        let path = with.path().to_str().unwrap().to_owned();
        let env = env_of(&[
            ("GITHUB_ACTIONS", "true"),
            ("GITHUB_EVENT_NAME", "workflow_run"),
            ("GITHUB_EVENT_PATH", &path),
        ]);
        let ctx = detect(&env).unwrap().unwrap();
        assert_eq!(
            (ctx.pr, ctx.base_sha.as_deref(), ctx.is_fork),
            (Some(5), Some(BASE), false)
        );

        let fork = write_event(&format!(
            r#"{{"workflow_run": {{"head_sha": "{HEAD}", "pull_requests": [],
                "head_repository": {{"full_name": "alice/proj"}}, "repository": {{"full_name": "org/proj"}}}}}}"#
        ));
        let path = fork.path().to_str().unwrap().to_owned();
        let env = env_of(&[
            ("GITHUB_ACTIONS", "true"),
            ("GITHUB_EVENT_NAME", "workflow_run"),
            ("GITHUB_EVENT_PATH", &path),
        ]);
        let ctx = detect(&env).unwrap().unwrap();
        assert_eq!(
            (ctx.pr, ctx.head_sha.as_deref(), ctx.is_fork),
            (None, Some(HEAD), true)
        );
    }

    #[test]
    fn github_broken_payload_names_the_file() {
        let event = write_event("{not json");
        let path = event.path().to_str().unwrap().to_owned();
        let env = env_of(&[
            ("GITHUB_ACTIONS", "true"),
            ("GITHUB_EVENT_NAME", "pull_request"),
            ("GITHUB_EVENT_PATH", &path),
        ]);
        let err = detect(&env).unwrap_err();
        assert!(err.to_string().contains(&path), "{err}");
        assert_eq!(err.exit_code(), 2);

        let event = write_event(r#"{"pull_request": {"number": 3}}"#);
        let path = event.path().to_str().unwrap().to_owned();
        let env = env_of(&[
            ("GITHUB_ACTIONS", "true"),
            ("GITHUB_EVENT_NAME", "pull_request"),
            ("GITHUB_EVENT_PATH", &path),
        ]);
        let err = detect(&env).unwrap_err().to_string();
        assert!(err.contains("pull_request.head.sha"), "{err}");
    }

    #[test]
    fn gitlab_merge_request_pipeline() {
        let env = env_of(&[
            ("GITLAB_CI", "true"),
            ("CI_MERGE_REQUEST_IID", "42"),
            ("CI_MERGE_REQUEST_DIFF_BASE_SHA", BASE),
            ("CI_COMMIT_SHA", HEAD),
            ("CI_PROJECT_ID", "278964"),
            ("CI_API_V4_URL", "https://gitlab.example.com/api/v4"),
            ("CI_PIPELINE_SOURCE", "merge_request_event"),
        ]);
        let ctx = detect(&env).unwrap().unwrap();
        assert_eq!(ctx.host, HostKind::Gitlab);
        assert_eq!(ctx.pr, Some(42));
        assert_eq!(ctx.head_sha.as_deref(), Some(HEAD));
        assert_eq!(ctx.base_sha.as_deref(), Some(BASE));
        assert_eq!(ctx.repository.as_deref(), Some("278964"));
        assert_eq!(ctx.api_url, "https://gitlab.example.com/api/v4");
        assert_eq!(ctx.step_summary, None);
    }

    #[test]
    fn gitlab_merged_results_pipeline_uses_source_branch_sha() {
        let env = env_of(&[
            ("GITLAB_CI", "true"),
            ("CI_MERGE_REQUEST_IID", "42"),
            ("CI_COMMIT_SHA", MERGE),
            ("CI_MERGE_REQUEST_SOURCE_BRANCH_SHA", HEAD),
        ]);
        let ctx = detect(&env).unwrap().unwrap();
        assert_eq!(ctx.head_sha.as_deref(), Some(HEAD));
        assert_eq!(ctx.api_url, GITLAB_API_URL);
    }

    #[test]
    fn gitlab_bad_iid_is_an_error() {
        let env = env_of(&[("GITLAB_CI", "true"), ("CI_MERGE_REQUEST_IID", "abc")]);
        assert_eq!(
            detect(&env).unwrap_err().to_string(),
            "CI_MERGE_REQUEST_IID=\"abc\" is not a number"
        );
    }

    #[test]
    fn token_prefers_prcov_token_and_hides_itself() {
        let env = env_of(&[
            ("GITHUB_TOKEN", "ghs_secret1"),
            ("PRCOV_TOKEN", "ghp_secret2"),
        ]);
        let token = token_from_env(HostKind::Github, &env).unwrap();
        assert_eq!(token.expose(), "ghp_secret2");
        assert_eq!(format!("{token} {token:?}"), "*** Token(***)");

        let env = env_of(&[("GITHUB_TOKEN", "ghs_secret1"), ("PRCOV_TOKEN", "")]);
        assert_eq!(
            token_from_env(HostKind::Github, &env).unwrap().expose(),
            "ghs_secret1"
        );
    }

    #[test]
    fn gitlab_job_token_alone_is_explained() {
        let env = env_of(&[("CI_JOB_TOKEN", "glcbt-secret")]);
        let err = token_from_env(HostKind::Gitlab, &env).unwrap_err();
        assert!(matches!(err, HostError::JobTokenOnly));
        let msg = err.to_string();
        assert!(
            msg.contains("GITLAB_TOKEN") && !msg.contains("glcbt-secret"),
            "{msg}"
        );

        let err = token_from_env(HostKind::Github, &env_of(&[])).unwrap_err();
        assert_eq!(
            err.to_string(),
            "no token to publish; hint: set GITHUB_TOKEN or PRCOV_TOKEN (or use --dry-run / --save to publish later)"
        );
        // No request was made: a usage error, not a host failure.
        assert_eq!(err.exit_code(), crate::exit::BAD_INPUT);
    }

    #[test]
    fn github_merge_group_names_its_base_and_head_and_the_web_address() {
        let event = write_event(&format!(
            r#"{{"merge_group": {{"head_sha": "{HEAD}", "base_sha": "{BASE}"}}}}"#
        ));
        let path = event.path().to_str().unwrap().to_owned();
        let env = env_of(&[
            ("GITHUB_ACTIONS", "true"),
            ("GITHUB_EVENT_NAME", "merge_group"),
            ("GITHUB_EVENT_PATH", &path),
            ("GITHUB_REPOSITORY", "acme/shop"),
            ("GITHUB_SERVER_URL", "https://ghe.example.com/"),
        ]);
        let ctx = detect(&env).unwrap().unwrap();
        assert_eq!(ctx.head_sha.as_deref(), Some(HEAD));
        assert_eq!(ctx.base_sha.as_deref(), Some(BASE));
        assert_eq!(ctx.head_from, Some("merge_group.head_sha"));
        assert_eq!(ctx.base_from, Some("merge_group.base_sha"));
        assert_eq!(
            ctx.web_url.as_deref(),
            Some("https://ghe.example.com/acme/shop")
        );
    }
}
