//! A fake GitHub/GitLab for host tests: one catch-all httpmock responder with state (comments,
//! check runs), fault injection, a record of every request, and validation of every request body
//! against the API descriptions in `fixtures/host/`.
#![allow(dead_code)]

use std::collections::VecDeque;
use std::sync::{Arc, Mutex, MutexGuard};

use httpmock::{HttpMockRequest, HttpMockResponse, MockServer};
use serde_json::{json, Value};

pub const TOKEN: &str = "ghp_T0PSECRET_never_print_me_42";
pub const SHA: &str = "0123456789abcdef0123456789abcdef01234567";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Flavor {
    Github,
    Gitlab,
}

#[derive(Debug, Clone)]
pub struct Recorded {
    pub method: String,
    pub path: String,
    pub query: String,
    pub body: Option<Value>,
    pub headers: Vec<(String, String)>,
}

#[derive(Debug, Clone)]
pub struct Comment {
    pub id: u64,
    pub body: String,
    pub login: String,
    pub bot: bool,
}

/// A canned answer for the next request matching `method` and a path containing `path_part`.
#[derive(Debug, Clone)]
pub struct Fault {
    pub method: &'static str,
    pub path_part: &'static str,
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: String,
}

#[derive(Default)]
pub struct State {
    pub base_url: String,
    pub requests: Vec<Recorded>,
    pub comments: Vec<Comment>,
    pub next_id: u64,
    pub faults: VecDeque<Fault>,
    /// Comments per page the fake returns (whatever `per_page` asks), to force pagination.
    pub page_size: usize,
    pub check_run_annotations: Vec<usize>,
    /// What `GET /pulls/{n}` reports as the PR head.
    pub pr_head: String,
    /// Who `GET /user` says the token is; `None` answers 403 like a GitHub App installation
    /// token (`GITHUB_TOKEN`), which may not read it.
    pub user: Option<String>,
    /// What `GET /repos/{o}/{r}/pulls` lists (filtered by its `head=owner:branch`).
    pub open_prs: Vec<Value>,
    /// Simulates another job racing: when a comment is created, this body is created first
    /// (so it gets the older id) by the same bot.
    pub race_on_create: Option<String>,
    /// Simulates another job's late write: right after a comment is edited, its body becomes
    /// this (as if a job that read it before the edit wrote its own version after it).
    pub overwrite_after_edit: Option<String>,
    /// Actions artifacts (`GET /repos/{o}/{r}/actions/artifacts`), as GitHub lists them.
    pub artifacts: Vec<Value>,
    /// Artifact id → its zip, served from the fake's storage path (`/storage/…`), where
    /// the download endpoint redirects.
    pub artifact_zips: std::collections::HashMap<u64, Vec<u8>>,
    /// GitLab pipelines (`GET /projects/{id}/pipelines`), their jobs, and each job's
    /// `prcov-history.prcov` artifact file.
    pub pipelines: Vec<Value>,
    pub pipeline_jobs: std::collections::HashMap<u64, Vec<Value>>,
    pub job_files: std::collections::HashMap<u64, Vec<u8>>,
}

/// The repository the fake GitHub serves (`GET /repos/{o}/{r}`).
pub const REPO_ID: u64 = 4242;
pub const DEFAULT_BRANCH: &str = "main";

pub struct Fake {
    pub server: MockServer,
    pub state: Arc<Mutex<State>>,
    pub mock_id: usize,
    pub flavor: Flavor,
}

impl Fake {
    pub fn start(flavor: Flavor) -> Fake {
        let server = MockServer::start();
        let state = Arc::new(Mutex::new(State {
            base_url: server.base_url(),
            next_id: 1000,
            pr_head: SHA.to_owned(),
            page_size: 100,
            user: match flavor {
                Flavor::Github => None,
                Flavor::Gitlab => Some("project_1_bot".to_owned()),
            },
            ..State::default()
        }));
        let shared = Arc::clone(&state);
        let mock = server.mock(move |when, then| {
            when.any_request();
            then.respond_with(move |req: &HttpMockRequest| handle(&shared, flavor, req));
        });
        let mock_id = mock.id();
        Fake {
            server,
            state,
            mock_id,
            flavor,
        }
    }

    pub fn api_url(&self) -> String {
        match self.flavor {
            Flavor::Github => self.server.base_url(),
            Flavor::Gitlab => format!("{}/api/v4", self.server.base_url()),
        }
    }

    pub fn state(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap()
    }

    pub fn fault(
        &self,
        method: &'static str,
        path_part: &'static str,
        status: u16,
        headers: &[(&str, &str)],
        body: &str,
    ) {
        self.state().faults.push_back(Fault {
            method,
            path_part,
            status,
            headers: headers
                .iter()
                .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
                .collect(),
            body: body.to_owned(),
        });
    }

    pub fn seed_comment(&self, body: &str, login: &str, bot: bool) -> u64 {
        let mut s = self.state();
        s.next_id += 1;
        let id = s.next_id;
        s.comments.push(Comment {
            id,
            body: body.to_owned(),
            login: login.to_owned(),
            bot,
        });
        id
    }

    /// Requests the mock server answered, by httpmock's own count.
    pub fn server_hits(&self) -> usize {
        httpmock::Mock::new(self.mock_id, &self.server).calls()
    }

    pub fn requests(&self) -> Vec<Recorded> {
        self.state().requests.clone()
    }

    /// `METHOD path?query` of every request, in order.
    pub fn log(&self) -> Vec<String> {
        self.requests()
            .iter()
            .map(|r| {
                if r.query.is_empty() {
                    format!("{} {}", r.method, r.path)
                } else {
                    format!("{} {}?{}", r.method, r.path, r.query)
                }
            })
            .collect()
    }

    /// The `context` of every commit status posted, in order (retries included).
    pub fn status_contexts(&self) -> Vec<String> {
        self.requests()
            .iter()
            .filter(|r| r.path.contains("/statuses/"))
            .filter_map(|r| r.body.as_ref()?["context"].as_str().map(str::to_owned))
            .collect()
    }

    pub fn count(&self, method: &str, path_part: &str) -> usize {
        self.requests()
            .iter()
            .filter(|r| r.method == method && r.path.contains(path_part))
            .count()
    }

    /// Validates every recorded request body against the fixture for this host; panics with all
    /// violations. Returns how many bodies were checked.
    pub fn assert_bodies_valid(&self) -> usize {
        let fixture = match self.flavor {
            Flavor::Github => load_fixture("github-openapi-subset.json"),
            Flavor::Gitlab => load_fixture("gitlab-api-fields.json"),
        };
        let mut checked = 0;
        let mut problems = Vec::new();
        for r in self.requests() {
            if r.path.starts_with("/storage/") {
                // The storage a download redirects to: not an API operation.
                continue;
            }
            let op = operation_for(self.flavor, &r.method, &r.path).unwrap_or_else(|| {
                panic!(
                    "request {} {} matches no operation prcov should call",
                    r.method, r.path
                )
            });
            let spec = &fixture["operations"][op];
            if let Some(known) = spec["query_parameters"].as_array() {
                for pair in r.query.split('&').filter(|p| !p.is_empty()) {
                    let name = pair.split('=').next().unwrap_or_default();
                    if !known.iter().any(|k| k == name) {
                        problems.push(format!("{op}: undeclared query parameter `{name}`"));
                    }
                }
            }
            assert_eq!(
                spec["method"].as_str(),
                Some(r.method.as_str()),
                "operation {op}"
            );
            match (&spec["request_body"], &r.body) {
                (Value::Null, None) => {}
                (Value::Null, Some(b)) => problems.push(format!("{op}: unexpected body {b}")),
                (_, None) => problems.push(format!("{op}: missing request body")),
                (schema, Some(body)) => {
                    checked += 1;
                    validate(schema, body, op, &mut problems);
                }
            }
        }
        assert!(
            problems.is_empty(),
            "request bodies violate the API description:\n{}",
            problems.join("\n")
        );
        checked
    }
}

/// An Actions artifact as `GET /repos/{o}/{r}/actions/artifacts` lists it: every field the API
/// description requires, and the `workflow_run` that made it.
pub struct ArtifactSpec<'a> {
    pub id: u64,
    pub name: &'a str,
    pub head_sha: &'a str,
    pub head_repository_id: u64,
    pub head_branch: &'a str,
    pub expired: bool,
}

impl Fake {
    /// Adds a GitLab pipeline for `sha` on `git_ref` with one job; `record` is the job's
    /// `prcov-history.prcov` artifact (`None`: the job's artifacts expired).
    pub fn add_pipeline(
        &self,
        id: u64,
        sha: &str,
        git_ref: &str,
        status: &str,
        record: Option<Vec<u8>>,
    ) {
        let mut s = self.state();
        s.pipelines.push(json!({"id": id, "iid": id, "project_id": 77, "sha": sha, "ref": git_ref, "status": status, "source": "push"}));
        let job = id * 10;
        let artifacts = if record.is_some() {
            json!([{"file_type": "archive", "size": 100, "filename": "artifacts.zip", "file_format": "zip"}])
        } else {
            json!([])
        };
        s.pipeline_jobs.insert(
            id,
            vec![json!({"id": job, "name": "test", "status": status, "artifacts": artifacts})],
        );
        if let Some(r) = record {
            s.job_files.insert(job, r);
        }
    }

    /// Adds an artifact whose zip is `zip`.
    pub fn add_artifact(&self, a: &ArtifactSpec<'_>, zip: Vec<u8>) {
        let mut s = self.state();
        let base = s.base_url.clone();
        s.artifacts.push(json!({
            "id": a.id,
            "node_id": format!("MDg6QXJ0aWZhY3Q{}", a.id),
            "name": a.name,
            "size_in_bytes": zip.len(),
            "url": format!("{base}/repos/o/r/actions/artifacts/{}", a.id),
            "archive_download_url": format!("{base}/repos/o/r/actions/artifacts/{}/zip", a.id),
            "expired": a.expired,
            "created_at": "2026-01-01T00:00:00Z",
            "expires_at": "2026-04-01T00:00:00Z",
            "updated_at": "2026-01-01T00:00:00Z",
            "workflow_run": {
                "id": 7000 + a.id,
                "repository_id": REPO_ID,
                "head_repository_id": a.head_repository_id,
                "head_branch": a.head_branch,
                "head_sha": a.head_sha,
            },
        }));
        s.artifact_zips.insert(a.id, zip);
    }

    /// Validates the artifact listing the fake serves against GitHub's response schema, so the
    /// fake answers what GitHub would.
    pub fn assert_artifact_listing_valid(&self) {
        let fixture = load_fixture("github-openapi-subset.json");
        let schema = &fixture["operations"]["actions/list-artifacts-for-repo"]["response_body"];
        assert!(schema.is_object(), "the fixture has the listing's schema");
        let s = self.state();
        let listing = json!({"total_count": s.artifacts.len(), "artifacts": s.artifacts});
        let mut problems = Vec::new();
        validate(
            schema,
            &listing,
            "actions/list-artifacts-for-repo",
            &mut problems,
        );
        assert!(problems.is_empty(), "{}", problems.join("\n"));
    }
}

fn load_fixture(name: &str) -> Value {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures/host")
        .join(name);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_str(&text).unwrap()
}

fn operation_for(flavor: Flavor, method: &str, path: &str) -> Option<&'static str> {
    let seg: Vec<&str> = path.trim_start_matches('/').split('/').collect();
    match flavor {
        Flavor::Github => match (method, seg.as_slice()) {
            ("POST", ["repos", _, _, "statuses", _]) => Some("repos/create-commit-status"),
            (
                "GET",
                ["repos", _, _, "issues", _, "comments"]
                | ["repositories", _, "issues", _, "comments"],
            ) => Some("issues/list-comments"),
            ("POST", ["repos", _, _, "issues", _, "comments"]) => Some("issues/create-comment"),
            ("PATCH", ["repos", _, _, "issues", "comments", _]) => Some("issues/update-comment"),
            ("DELETE", ["repos", _, _, "issues", "comments", _]) => Some("issues/delete-comment"),
            ("POST", ["repos", _, _, "check-runs"]) => Some("checks/create"),
            ("GET", ["repos", _, _, "pulls", _]) => Some("pulls/get"),
            ("GET", ["repos", _, _, "pulls"]) => Some("pulls/list"),
            ("GET", ["user"]) => Some("users/get-authenticated"),
            ("PATCH", ["repos", _, _, "check-runs", _]) => Some("checks/update"),
            ("GET", ["repos", _, _]) => Some("repos/get"),
            ("GET", ["repos", _, _, "actions", "artifacts"]) => {
                Some("actions/list-artifacts-for-repo")
            }
            ("GET", ["repos", _, _, "actions", "artifacts", _, _]) => {
                Some("actions/download-artifact")
            }
            _ => None,
        },
        Flavor::Gitlab => match (method, seg.as_slice()) {
            ("POST", ["api", "v4", "projects", _, "statuses", _]) => {
                Some("commits/set-pipeline-status")
            }
            ("GET", ["api", "v4", "projects", _, "merge_requests", _, "notes"]) => {
                Some("notes/list-merge-request-notes")
            }
            ("POST", ["api", "v4", "projects", _, "merge_requests", _, "notes"]) => {
                Some("notes/create-merge-request-note")
            }
            ("PUT", ["api", "v4", "projects", _, "merge_requests", _, "notes", _]) => {
                Some("notes/modify-merge-request-note")
            }
            ("DELETE", ["api", "v4", "projects", _, "merge_requests", _, "notes", _]) => {
                Some("notes/delete-merge-request-note")
            }
            ("GET", ["api", "v4", "user"]) => Some("users/current"),
            ("GET", ["api", "v4", "projects", _, "merge_requests", _]) => {
                Some("merge_requests/get")
            }
            ("GET", ["api", "v4", "projects", _]) => Some("projects/get"),
            ("GET", ["api", "v4", "projects", _, "pipelines"]) => {
                Some("pipelines/list-project-pipelines")
            }
            ("GET", ["api", "v4", "projects", _, "pipelines", _, "jobs"]) => {
                Some("jobs/list-pipeline-jobs")
            }
            ("GET", ["api", "v4", "projects", _, "jobs", _, "artifacts", ..]) => {
                Some("job-artifacts/download-single-artifact-file")
            }
            _ => None,
        },
    }
}

/// The JSON-schema subset GitHub's description uses for these operations: type (+ nullable),
/// required, properties, enum, maxLength, maxItems, items, anyOf. Stricter than the spec in one
/// way: a property the schema does not declare is reported (it would be a typo on our side).
pub fn validate(schema: &Value, value: &Value, at: &str, problems: &mut Vec<String>) {
    if let Some(t) = schema["type"].as_str() {
        let nullable = schema["nullable"].as_bool() == Some(true);
        let ok = match t {
            "object" => value.is_object(),
            "array" => value.is_array(),
            "string" => value.is_string(),
            "integer" => value.is_i64() || value.is_u64(),
            "number" => value.is_number(),
            "boolean" => value.is_boolean(),
            "null" => value.is_null(),
            other => {
                problems.push(format!("{at}: validator does not know type {other}"));
                true
            }
        } || (nullable && value.is_null());
        if !ok {
            problems.push(format!("{at}: expected {t}, got {value}"));
            return;
        }
    }
    if let Some(options) = schema["enum"].as_array() {
        if !options.contains(value) {
            problems.push(format!(
                "{at}: {value} is not one of {}",
                Value::Array(options.clone())
            ));
        }
    }
    if let (Some(max), Some(s)) = (schema["maxLength"].as_u64(), value.as_str()) {
        if s.chars().count() as u64 > max {
            problems.push(format!(
                "{at}: {} characters, more than maxLength {max}",
                s.chars().count()
            ));
        }
    }
    if let Some(items) = value.as_array() {
        if let Some(max) = schema["maxItems"].as_u64() {
            if items.len() as u64 > max {
                problems.push(format!(
                    "{at}: {} items, more than maxItems {max}",
                    items.len()
                ));
            }
        }
        if schema.get("items").is_some() {
            for (i, item) in items.iter().enumerate() {
                validate(&schema["items"], item, &format!("{at}[{i}]"), problems);
            }
        }
    }
    if let Some(obj) = value.as_object() {
        for req in schema["required"].as_array().into_iter().flatten() {
            let name = req.as_str().unwrap_or_default();
            if !obj.contains_key(name) {
                problems.push(format!("{at}: missing required property {name}"));
            }
        }
        if let Some(props) = schema["properties"].as_object() {
            for (k, v) in obj {
                match props.get(k) {
                    Some(sub) => validate(sub, v, &format!("{at}.{k}"), problems),
                    // anyOf branches only refine; the undeclared-property check is for the top schema.
                    None if schema.get("type").is_some() => {
                        problems.push(format!("{at}: undeclared property {k}"))
                    }
                    None => {}
                }
            }
        }
    }
    if let Some(branches) = schema["anyOf"].as_array() {
        let ok = branches.iter().any(|b| {
            let mut p = Vec::new();
            validate(b, value, at, &mut p);
            p.is_empty()
        });
        if !ok {
            problems.push(format!("{at}: matches none of the anyOf branches"));
        }
    }
}

fn respond(status: u16, headers: &[(String, String)], body: Value) -> HttpMockResponse {
    let mut b = HttpMockResponse::builder()
        .status(status)
        .header("content-type", "application/json");
    for (k, v) in headers {
        b = b.header(k.clone(), v.clone());
    }
    let text = if body.is_null() {
        String::new()
    } else {
        body.to_string()
    };
    b.body(text).build()
}

fn handle(state: &Arc<Mutex<State>>, flavor: Flavor, req: &HttpMockRequest) -> HttpMockResponse {
    let uri = req.uri();
    let path = uri.path().to_owned();
    let query = uri.query().unwrap_or_default().to_owned();
    let method = req.method_str().to_owned();
    let raw = req.body_string();
    let body = if raw.is_empty() {
        None
    } else {
        serde_json::from_str(&raw).ok()
    };
    let mut s = state.lock().unwrap();
    s.requests.push(Recorded {
        method: method.clone(),
        path: path.clone(),
        query: query.clone(),
        body: body.clone(),
        headers: req.headers_vec().clone(),
    });
    if let Some(pos) = s
        .faults
        .iter()
        .position(|f| f.method == method && path.contains(f.path_part))
    {
        let f = s.faults.remove(pos).unwrap_or_else(|| unreachable!());
        let body = serde_json::from_str(&f.body).unwrap_or(Value::String(f.body.clone()));
        return respond(f.status, &f.headers, body);
    }
    let seg: Vec<String> = path
        .trim_start_matches('/')
        .split('/')
        .map(str::to_owned)
        .collect();
    let seg: Vec<&str> = seg.iter().map(String::as_str).collect();
    let page: usize = query_param(&query, "page")
        .and_then(|p| p.parse().ok())
        .unwrap_or(1);
    match flavor {
        Flavor::Github => match (method.as_str(), seg.as_slice()) {
            ("POST", ["repos", _, _, "statuses", _]) => respond(
                201,
                &[],
                json!({"id": 1, "state": body.as_ref().map(|b| b["state"].clone())}),
            ),
            (
                "GET",
                ["repos", _, _, "issues", pr, "comments"]
                | ["repositories", "1", "issues", pr, "comments"],
            ) => {
                let pr = (*pr).to_owned();
                let size = s.page_size;
                let all: Vec<Value> = s
                    .comments
                    .iter()
                    .map(|c| json!({"id": c.id, "body": c.body, "user": {"login": c.login, "type": if c.bot {"Bot"} else {"User"}}}))
                    .collect();
                let pages = all.len().div_ceil(size).max(1);
                let items: Vec<Value> =
                    all.into_iter().skip((page - 1) * size).take(size).collect();
                let mut headers = Vec::new();
                if page < pages {
                    // Like GitHub, the next link uses another URL form (repository id): the client
                    // must follow it as given.
                    headers.push((
                        "link".to_owned(),
                        format!(
                            "<{base}/repositories/1/issues/{pr}/comments?per_page=100&page={n}>; rel=\"next\", <{base}/repositories/1/issues/{pr}/comments?per_page=100&page={pages}>; rel=\"last\"",
                            base = s.base_url,
                            n = page + 1
                        ),
                    ));
                }
                respond(200, &headers, Value::Array(items))
            }
            ("POST", ["repos", _, _, "issues", _, "comments"]) => {
                if let Some(other) = s.race_on_create.take() {
                    s.next_id += 1;
                    let id = s.next_id;
                    s.comments.push(Comment {
                        id,
                        body: other,
                        login: "github-actions[bot]".into(),
                        bot: true,
                    });
                }
                s.next_id += 1;
                let id = s.next_id;
                let text = body
                    .as_ref()
                    .and_then(|b| b["body"].as_str())
                    .unwrap_or_default()
                    .to_owned();
                s.comments.push(Comment {
                    id,
                    body: text.clone(),
                    login: "github-actions[bot]".into(),
                    bot: true,
                });
                respond(
                    201,
                    &[],
                    json!({"id": id, "body": text, "user": {"login": "github-actions[bot]", "type": "Bot"}}),
                )
            }
            ("PATCH", ["repos", _, _, "issues", "comments", id]) => {
                let id: u64 = id.parse().unwrap_or(0);
                let text = body
                    .as_ref()
                    .and_then(|b| b["body"].as_str())
                    .unwrap_or_default()
                    .to_owned();
                let late = s.overwrite_after_edit.take();
                match s.comments.iter_mut().find(|c| c.id == id) {
                    Some(c) => {
                        c.body = late.unwrap_or(text);
                        respond(200, &[], json!({"id": id}))
                    }
                    None => respond(404, &[], json!({"message": "Not Found"})),
                }
            }
            ("DELETE", ["repos", _, _, "issues", "comments", id]) => {
                let id: u64 = id.parse().unwrap_or(0);
                let before = s.comments.len();
                s.comments.retain(|c| c.id != id);
                if s.comments.len() < before {
                    respond(204, &[], Value::Null)
                } else {
                    respond(404, &[], json!({"message": "Not Found"}))
                }
            }
            ("GET", ["user"]) => match &s.user {
                Some(login) => respond(200, &[], json!({"login": login, "type": "User"})),
                None => respond(
                    403,
                    &[],
                    json!({"message": "Resource not accessible by integration"}),
                ),
            },
            ("GET", ["repos", _, _, "pulls"]) => {
                let head = query_param(&query, "head").unwrap_or_default();
                let listed: Vec<Value> = s
                    .open_prs
                    .iter()
                    .filter(|p| {
                        let owner = p["head"]["repo"]["full_name"]
                            .as_str()
                            .and_then(|r| r.split('/').next())
                            .unwrap_or_default();
                        let branch = p["head"]["ref"].as_str().unwrap_or_default();
                        head.is_empty() || head == format!("{owner}:{branch}")
                    })
                    .cloned()
                    .collect();
                respond(200, &[], Value::Array(listed))
            }
            ("GET", ["repos", _, _, "pulls", n]) => respond(
                200,
                &[],
                json!({"number": n.parse::<u64>().unwrap_or(0), "head": {"sha": s.pr_head}}),
            ),
            ("POST", ["repos", _, _, "check-runs"]) => {
                let n = body
                    .as_ref()
                    .and_then(|b| b["output"]["annotations"].as_array().map(Vec::len))
                    .unwrap_or(0);
                s.check_run_annotations.push(n);
                respond(201, &[], json!({"id": 555, "name": "prcov"}))
            }
            ("PATCH", ["repos", _, _, "check-runs", "555"]) => {
                let n = body
                    .as_ref()
                    .and_then(|b| b["output"]["annotations"].as_array().map(Vec::len))
                    .unwrap_or(0);
                s.check_run_annotations.push(n);
                respond(200, &[], json!({"id": 555}))
            }
            ("GET", ["repos", owner, name]) => respond(
                200,
                &[],
                json!({"id": REPO_ID, "name": name, "full_name": format!("{owner}/{name}"),
                       "default_branch": DEFAULT_BRANCH}),
            ),
            ("GET", ["repos", _, _, "actions", "artifacts"]) => {
                let wanted = query_param(&query, "name");
                let listed: Vec<Value> = s
                    .artifacts
                    .iter()
                    .filter(|a| wanted.as_deref().is_none_or(|w| a["name"] == w))
                    .cloned()
                    .collect();
                respond(
                    200,
                    &[],
                    json!({"total_count": listed.len(), "artifacts": listed}),
                )
            }
            ("GET", ["repos", _, _, "actions", "artifacts", id, "zip"]) => {
                let id: u64 = id.parse().unwrap_or(0);
                let expired = s
                    .artifacts
                    .iter()
                    .any(|a| a["id"] == id && a["expired"] == true);
                if expired || !s.artifact_zips.contains_key(&id) {
                    return respond(410, &[], json!({"message": "Artifact has expired"}));
                }
                // Like GitHub: a redirect to pre-signed storage on which the token is not needed.
                let location = format!("{}/storage/artifact-{id}.zip?sig=presigned", s.base_url);
                respond(302, &[("location".to_owned(), location)], Value::Null)
            }
            ("GET", ["storage", file]) => {
                let id: u64 = file
                    .trim_start_matches("artifact-")
                    .trim_end_matches(".zip")
                    .parse()
                    .unwrap_or(0);
                match s.artifact_zips.get(&id) {
                    Some(zip) => HttpMockResponse::builder()
                        .status(200)
                        .header("content-type", "application/zip")
                        .body(zip.clone())
                        .build(),
                    None => respond(404, &[], Value::Null),
                }
            }
            _ => respond(404, &[], json!({"message": "Not Found"})),
        },
        Flavor::Gitlab => match (method.as_str(), seg.as_slice()) {
            ("POST", ["api", "v4", "projects", _, "statuses", _]) => {
                respond(201, &[], json!({"id": 1}))
            }
            ("GET", ["api", "v4", "projects", _, "merge_requests", _, "notes"]) => {
                let size = s.page_size;
                // GitLab lists newest first with sort=desc.
                let mut notes: Vec<&Comment> = s.comments.iter().collect();
                if query_param(&query, "sort").as_deref() == Some("desc") {
                    notes.reverse();
                }
                let mut all: Vec<Value> = notes
                    .iter()
                    .map(|c| json!({"id": c.id, "body": c.body, "system": false, "author": {"username": c.login, "bot": c.bot}}))
                    .collect();
                // A system note ("added 1 commit") that happens to start with the marker is ignored.
                all.insert(0, json!({"id": 1, "body": "<!-- prcov:default --> system", "system": true, "author": {"username": "x"}}));
                let pages = all.len().div_ceil(size).max(1);
                let items: Vec<Value> =
                    all.into_iter().skip((page - 1) * size).take(size).collect();
                let next = if page < pages {
                    (page + 1).to_string()
                } else {
                    String::new()
                };
                respond(
                    200,
                    &[
                        ("x-next-page".to_owned(), next),
                        ("x-page".to_owned(), page.to_string()),
                    ],
                    Value::Array(items),
                )
            }
            ("POST", ["api", "v4", "projects", _, "merge_requests", _, "notes"]) => {
                s.next_id += 1;
                let id = s.next_id;
                let text = body
                    .as_ref()
                    .and_then(|b| b["body"].as_str())
                    .unwrap_or_default()
                    .to_owned();
                s.comments.push(Comment {
                    id,
                    body: text,
                    login: "project_1_bot".into(),
                    bot: false,
                });
                respond(
                    201,
                    &[],
                    json!({"id": id, "author": {"username": "project_1_bot"}}),
                )
            }
            ("PUT", ["api", "v4", "projects", _, "merge_requests", _, "notes", id]) => {
                let id: u64 = id.parse().unwrap_or(0);
                let text = body
                    .as_ref()
                    .and_then(|b| b["body"].as_str())
                    .unwrap_or_default()
                    .to_owned();
                match s.comments.iter_mut().find(|c| c.id == id) {
                    Some(c) => {
                        c.body = text;
                        respond(200, &[], json!({"id": id}))
                    }
                    None => respond(404, &[], json!({"message": "404 Not found"})),
                }
            }
            ("DELETE", ["api", "v4", "projects", _, "merge_requests", _, "notes", id]) => {
                let id: u64 = id.parse().unwrap_or(0);
                s.comments.retain(|c| c.id != id);
                respond(204, &[], Value::Null)
            }
            ("GET", ["api", "v4", "user"]) => match &s.user {
                Some(name) => respond(200, &[], json!({"id": 7, "username": name, "bot": true})),
                None => respond(403, &[], json!({"message": "403 Forbidden"})),
            },
            ("GET", ["api", "v4", "projects", _, "merge_requests", iid]) => respond(
                200,
                &[],
                json!({"iid": iid.parse::<u64>().unwrap_or(0), "sha": s.pr_head}),
            ),
            ("GET", ["api", "v4", "projects", id]) => respond(
                200,
                &[],
                json!({"id": 77, "path_with_namespace": id, "default_branch": DEFAULT_BRANCH}),
            ),
            ("GET", ["api", "v4", "projects", _, "pipelines"]) => {
                let want = |k: &str, v: &Value| {
                    query_param(&query, k).is_none_or(|q| v.as_str() == Some(q.as_str()))
                };
                let listed: Vec<Value> = s
                    .pipelines
                    .iter()
                    .filter(|p| {
                        want("sha", &p["sha"])
                            && want("ref", &p["ref"])
                            && want("status", &p["status"])
                    })
                    .cloned()
                    .collect();
                respond(200, &[], Value::Array(listed))
            }
            ("GET", ["api", "v4", "projects", _, "pipelines", pid, "jobs"]) => {
                let pid: u64 = pid.parse().unwrap_or(0);
                let jobs = s.pipeline_jobs.get(&pid).cloned().unwrap_or_default();
                respond(200, &[], Value::Array(jobs))
            }
            (
                "GET",
                ["api", "v4", "projects", _, "jobs", jid, "artifacts", "prcov-history.prcov"],
            ) => {
                let jid: u64 = jid.parse().unwrap_or(0);
                if !s.job_files.contains_key(&jid) {
                    return respond(404, &[], json!({"message": "404 Not found"}));
                }
                // Object storage with direct download: a redirect to a pre-signed URL.
                let location = format!("{}/storage/job-{jid}.prcov?sig=presigned", s.base_url);
                respond(302, &[("location".to_owned(), location)], Value::Null)
            }
            ("GET", ["storage", file]) if file.starts_with("job-") => {
                let jid: u64 = file
                    .trim_start_matches("job-")
                    .trim_end_matches(".prcov")
                    .parse()
                    .unwrap_or(0);
                match s.job_files.get(&jid) {
                    Some(bytes) => HttpMockResponse::builder()
                        .status(200)
                        .header("content-type", "application/octet-stream")
                        .body(bytes.clone())
                        .build(),
                    None => respond(404, &[], Value::Null),
                }
            }
            _ => respond(404, &[], json!({"message": "404 Not found"})),
        },
    }
}

fn query_param(query: &str, name: &str) -> Option<String> {
    query.split('&').find_map(|kv| {
        let (k, v) = kv.split_once('=')?;
        (k == name).then(|| v.to_owned())
    })
}
