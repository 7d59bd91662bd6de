//! The one place that talks HTTP: a [`Sender`] either sends a request (with auth headers,
//! timeouts and bounded retries) or, in dry-run mode, prints it and sends nothing. GitHub and
//! GitLab code build [`Request`]s and never know which sender they have.

use std::io::Write;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde_json::Value;

use super::ci_env::Token;
use super::error::{token_vars, HostError, HostName, FORK_RECIPE};
use super::HostKind;

/// HTTP method of a [`Request`]: reqwest's own type, so nothing converts it on the way out.
pub use reqwest::Method;

/// One API call, host-neutral.
#[derive(Debug, Clone)]
pub struct Request {
    pub method: Method,
    pub url: String,
    pub body: Option<Value>,
    /// What the call does, for messages: "create commit status prcov/patch".
    pub action: String,
}

/// A successful (2xx) answer.
#[derive(Debug, Clone)]
pub struct Response {
    pub status: u16,
    /// Lower-case names.
    pub headers: Vec<(String, String)>,
    pub body: String,
}

impl Response {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    pub fn json(&self) -> Result<Value, String> {
        serde_json::from_str(&self.body).map_err(|e| format!("invalid JSON: {e}"))
    }
}

/// Sends requests, or prints them (dry run).
pub trait Sender {
    /// `Ok(Some)` with a 2xx answer; `Ok(None)` in dry-run mode, where nothing is sent.
    fn send(&mut self, req: &Request) -> Result<Option<Response>, HostError>;
    /// Explains a step that depends on answers a dry run does not have; silent when live.
    fn note(&mut self, text: &str) -> Result<(), HostError>;
    fn is_dry_run(&self) -> bool;
}

/// Retry policy: 5xx, 429 and rate-limited 403s are retried with exponential backoff, honouring
/// `retry-after` and `x-ratelimit-reset`, never waiting longer than `max_wait` at once.
#[derive(Debug, Clone, Copy)]
pub struct RetryConfig {
    /// Total attempts per request, including the first.
    pub max_attempts: u32,
    /// First backoff; doubles per retry.
    pub base_delay: Duration,
    /// Longest single wait. A rate limit that asks for more fails at once instead.
    pub max_wait: Duration,
    /// Injectable so tests can observe waits without sleeping long.
    pub sleep: fn(Duration),
    pub timeout: Duration,
}

impl Default for RetryConfig {
    fn default() -> Self {
        RetryConfig {
            max_attempts: 4,
            base_delay: Duration::from_secs(1),
            max_wait: Duration::from_secs(60),
            sleep: std::thread::sleep,
            timeout: Duration::from_secs(30),
        }
    }
}

impl RetryConfig {
    /// Defaults, with `PRCOV_MAX_RETRY_WAIT` (seconds) overriding `max_wait`.
    pub fn from_env(env: &impl Fn(&str) -> Option<String>) -> Self {
        let mut cfg = RetryConfig::default();
        if let Some(secs) = env("PRCOV_MAX_RETRY_WAIT").and_then(|v| v.trim().parse::<u64>().ok()) {
            cfg.max_wait = Duration::from_secs(secs);
        }
        cfg
    }
}

/// Sends for real, with the token and the host's headers.
pub struct LiveSender {
    client: reqwest::blocking::Client,
    kind: HostKind,
    api_url: String,
    token: Token,
    retry: RetryConfig,
    fork: Option<bool>,
}

const USER_AGENT: &str = concat!("prcov/", env!("CARGO_PKG_VERSION"));

impl LiveSender {
    pub fn new(
        kind: HostKind,
        api_url: &str,
        token: Token,
        retry: RetryConfig,
        fork: Option<bool>,
    ) -> Result<Self, HostError> {
        let client = reqwest::blocking::Client::builder()
            .user_agent(USER_AGENT)
            .timeout(retry.timeout)
            .connect_timeout(Duration::from_secs(10).min(retry.timeout))
            // reqwest strips `Authorization` on a cross-host redirect but not GitLab's
            // `PRIVATE-TOKEN`: never follow a redirect to another origin at all.
            .redirect(reqwest::redirect::Policy::custom(|attempt| {
                let same = attempt
                    .previous()
                    .first()
                    .is_some_and(|first| first.origin() == attempt.url().origin());
                if !same {
                    attempt.stop()
                } else if attempt.previous().len() > 5 {
                    attempt.error("too many redirects")
                } else {
                    attempt.follow()
                }
            }))
            .build()
            .map_err(|e| HostError::Network {
                host: HostName(kind),
                action: "set up the HTTP client".to_owned(),
                api_url: redact(api_url, &token),
                detail: e.to_string(),
            })?;
        Ok(LiveSender {
            client,
            kind,
            api_url: api_url.to_owned(),
            token,
            retry,
            fork,
        })
    }

    fn build(&self, req: &Request) -> reqwest::blocking::RequestBuilder {
        let mut builder = self.client.request(req.method.clone(), &req.url);
        builder = match self.kind {
            HostKind::Github => builder
                .bearer_auth(self.token.expose())
                .header("Accept", "application/vnd.github+json")
                .header("X-GitHub-Api-Version", "2022-11-28"),
            // PRIVATE-TOKEN works for personal, project and group access tokens alike.
            HostKind::Gitlab => builder
                .header("PRIVATE-TOKEN", self.token.expose())
                .header("Accept", "application/json"),
        };
        if let Some(body) = &req.body {
            builder = builder.json(body);
        }
        builder
    }

    fn redact(&self, text: &str) -> String {
        redact(text, &self.token)
    }

    fn error_for(
        &self,
        req: &Request,
        status: u16,
        headers: &[(String, String)],
        body: &str,
    ) -> HostError {
        let host = HostName(self.kind);
        let action = req.action.clone();
        let message = host_message(body).map(|m| self.redact(&m));
        let vars = token_vars(self.kind);
        match status {
            401 => HostError::Unauthorized { host, action, vars },
            403 if rate_limited(headers) => HostError::RateLimited {
                host,
                action,
                wait_secs: server_wait(headers).map_or(0, |d| d.as_secs()),
                cap_secs: self.retry.max_wait.as_secs(),
            },
            403 => HostError::Forbidden {
                host,
                action,
                message,
                hint: forbidden_hint(self.kind, self.fork),
            },
            404 => HostError::NotFound {
                host,
                action,
                message,
            },
            400 | 422 => HostError::Validation {
                host,
                action,
                status,
                message,
            },
            429 => HostError::RateLimited {
                host,
                action,
                wait_secs: server_wait(headers).map_or(0, |d| d.as_secs()),
                cap_secs: self.retry.max_wait.as_secs(),
            },
            s if s >= 500 => HostError::Status {
                host,
                action,
                status,
                message,
                hint: "the host had a server error and kept failing after retries; try again later",
            },
            _ => HostError::Status {
                host,
                action,
                status,
                message,
                hint: "unexpected answer; check the API URL",
            },
        }
    }
}

fn forbidden_hint(kind: HostKind, fork: Option<bool>) -> String {
    let permissions = match kind {
        HostKind::Github => {
            "the token may not write here: give the job `permissions: {statuses: write, \
             pull-requests: write, checks: write}` or use a token with access to the repository"
        }
        HostKind::Gitlab => {
            "the token may not write here: use a project or group access token with the `api` \
             scope and the Developer role"
        }
    };
    match (kind, fork) {
        (HostKind::Github, Some(true)) => FORK_RECIPE.to_owned(),
        (HostKind::Github, None) => format!("{permissions}; {FORK_RECIPE}"),
        _ => permissions.to_owned(),
    }
}

impl Sender for LiveSender {
    fn send(&mut self, req: &Request) -> Result<Option<Response>, HostError> {
        let mut attempt: u32 = 0;
        loop {
            attempt += 1;
            let last = attempt >= self.retry.max_attempts.max(1);
            let result = self.build(req).send();
            let resp = match result {
                Ok(resp) => resp,
                Err(e) => {
                    if !last && (e.is_timeout() || e.is_connect()) {
                        (self.retry.sleep)(self.backoff(attempt));
                        continue;
                    }
                    return Err(HostError::Network {
                        host: HostName(self.kind),
                        action: req.action.clone(),
                        api_url: self.redact(&self.api_url),
                        detail: self.redact(&error_chain(&e)),
                    });
                }
            };
            let status = resp.status().as_u16();
            let headers: Vec<(String, String)> = resp
                .headers()
                .iter()
                .map(|(k, v)| {
                    (
                        k.as_str().to_ascii_lowercase(),
                        String::from_utf8_lossy(v.as_bytes()).into_owned(),
                    )
                })
                .collect();
            let body = resp.text().unwrap_or_default();
            if (200..300).contains(&status) {
                return Ok(Some(Response {
                    status,
                    headers,
                    body,
                }));
            }
            let retryable =
                status >= 500 || status == 429 || (status == 403 && rate_limited(&headers));
            if retryable && !last {
                let asked = server_wait(&headers);
                if let Some(wait) = asked {
                    if wait > self.retry.max_wait && (status == 429 || status == 403) {
                        return Err(HostError::RateLimited {
                            host: HostName(self.kind),
                            action: req.action.clone(),
                            wait_secs: wait.as_secs(),
                            cap_secs: self.retry.max_wait.as_secs(),
                        });
                    }
                }
                let wait = asked
                    .unwrap_or_else(|| self.backoff(attempt))
                    .min(self.retry.max_wait);
                (self.retry.sleep)(wait);
                continue;
            }
            return Err(self.error_for(req, status, &headers, &body));
        }
    }

    fn note(&mut self, _text: &str) -> Result<(), HostError> {
        Ok(())
    }

    fn is_dry_run(&self) -> bool {
        false
    }
}

impl LiveSender {
    fn backoff(&self, attempt: u32) -> Duration {
        let factor = 1u32 << attempt.saturating_sub(1).min(16);
        self.retry
            .base_delay
            .saturating_mul(factor)
            .min(self.retry.max_wait)
    }
}

fn error_chain(e: &dyn std::error::Error) -> String {
    let mut text = e.to_string();
    let mut source = e.source();
    while let Some(s) = source {
        text.push_str(": ");
        text.push_str(&s.to_string());
        source = s.source();
    }
    text
}

/// GitHub's primary and secondary rate limits answer 403 with these headers; a plain
/// permission 403 has neither.
fn rate_limited(headers: &[(String, String)]) -> bool {
    let get = |n: &str| headers.iter().find(|(k, _)| k == n).map(|(_, v)| v.trim());
    get("retry-after").is_some() || get("x-ratelimit-remaining") == Some("0")
}

/// How long the host asked to wait: `retry-after` seconds, else until `x-ratelimit-reset`
/// (epoch seconds) when the limit is exhausted.
fn server_wait(headers: &[(String, String)]) -> Option<Duration> {
    let get = |n: &str| headers.iter().find(|(k, _)| k == n).map(|(_, v)| v.trim());
    if let Some(secs) = get("retry-after").and_then(|v| v.parse::<u64>().ok()) {
        return Some(Duration::from_secs(secs));
    }
    if get("x-ratelimit-remaining") == Some("0") {
        let reset = get("x-ratelimit-reset")?.parse::<u64>().ok()?;
        let now = SystemTime::now().duration_since(UNIX_EPOCH).ok()?.as_secs();
        return Some(Duration::from_secs(reset.saturating_sub(now).max(1)));
    }
    None
}

/// The host's own explanation from an error body: GitHub `message` plus `errors[]`, GitLab
/// `message` (string or field map) or `error`. Capped, because it ends up in one sentence.
pub fn host_message(body: &str) -> Option<String> {
    let value: Value = serde_json::from_str(body).ok()?;
    let mut parts = Vec::new();
    match &value["message"] {
        Value::String(s) => parts.push(s.clone()),
        Value::Null => {}
        other => parts.push(other.to_string()),
    }
    if let Some(s) = value["error"].as_str() {
        parts.push(s.to_owned());
    }
    if let Some(errors) = value["errors"].as_array() {
        for e in errors {
            match e {
                Value::String(s) => parts.push(s.clone()),
                Value::Object(_) => {
                    let text = e["message"]
                        .as_str()
                        .map(str::to_owned)
                        .or_else(|| {
                            Some(format!(
                                "{} {} {}",
                                e["resource"].as_str().unwrap_or(""),
                                e["field"].as_str().unwrap_or(""),
                                e["code"].as_str()?
                            ))
                        })
                        .unwrap_or_default();
                    if !text.trim().is_empty() {
                        parts.push(text.trim().to_owned());
                    }
                }
                _ => {}
            }
        }
    }
    let joined = parts.join("; ");
    if joined.is_empty() {
        return None;
    }
    Some(super::limits::truncate_chars(&joined, 300, "…").into_owned())
}

/// Replaces every occurrence of the token (should a host or proxy echo it) with `***`.
pub fn redact(text: &str, token: &Token) -> String {
    let secret = token.expose();
    if secret.is_empty() {
        return text.to_owned();
    }
    text.replace(secret, "***")
}

/// Prints each request instead of sending it. GETs cannot be answered, so the steps that depend
/// on them are printed as conditional notes by the callers.
pub struct DryRunSender<'w> {
    out: &'w mut dyn Write,
}

impl<'w> DryRunSender<'w> {
    pub fn new(out: &'w mut dyn Write) -> Self {
        DryRunSender { out }
    }
}

impl Sender for DryRunSender<'_> {
    fn send(&mut self, req: &Request) -> Result<Option<Response>, HostError> {
        let m = &req.method;
        let text = match &req.body {
            _ if *m == Method::GET => format!("would GET {} ({})\n", req.url, req.action),
            Some(body) => {
                let json = serde_json::to_string_pretty(body).unwrap_or_else(|_| body.to_string());
                format!("{m} {}\n{json}\n", req.url)
            }
            None => format!("{m} {}\n", req.url),
        };
        self.out
            .write_all(text.as_bytes())
            .map_err(HostError::DryRunOutput)?;
        Ok(None)
    }

    fn note(&mut self, text: &str) -> Result<(), HostError> {
        writeln!(self.out, "{text}").map_err(HostError::DryRunOutput)
    }

    fn is_dry_run(&self) -> bool {
        true
    }
}

/// The `rel="next"` URL of a `Link` header, exactly as given.
pub fn next_link(link: &str) -> Option<String> {
    // `<url>; rel="next", <url>; rel="last"`: URLs are delimited by <>, so commas inside them
    // cannot split an entry.
    let mut rest = link;
    while let Some(start) = rest.find('<') {
        let after = &rest[start + 1..];
        let end = after.find('>')?;
        let url = &after[..end];
        let params_end = after[end..].find('<').map_or(after.len(), |i| end + i);
        let params = &after[end + 1..params_end];
        let is_next = params.split(';').any(|p| {
            let p = p.trim().trim_end_matches(',').trim();
            p.strip_prefix("rel=")
                .is_some_and(|v| v.trim_matches('"').split_whitespace().any(|r| r == "next"))
        });
        if is_next {
            return Some(url.to_owned());
        }
        rest = &after[params_end..];
    }
    None
}

/// Sends `req` (a GET) and reads its JSON answer; `Ok(None)` in a dry run, which prints `note`
/// to say what a live run would check with the answer.
pub fn get_json(
    sender: &mut dyn Sender,
    kind: HostKind,
    req: &Request,
    note: &str,
) -> Result<Option<Value>, HostError> {
    let Some(resp) = sender.send(req)? else {
        sender.note(note)?;
        return Ok(None);
    };
    resp.json()
        .map(Some)
        .map_err(|detail| HostError::UnexpectedResponse {
            host: HostName(kind),
            action: req.action.clone(),
            detail,
        })
}

/// `--from`: refuses unless the PR's current head (`actual`, from the host) is the plan's: a
/// stale payload (the PR got a newer push) is not posted over the newer results.
/// `kind` is "pull request" or "merge request", `id` its `#7` or `!7`.
pub fn check_head(head_sha: &str, actual: &str, kind: &str, id: &str) -> Result<(), HostError> {
    if actual.eq_ignore_ascii_case(head_sha) {
        return Ok(());
    }
    let actual = if actual.is_empty() {
        "an unknown commit"
    } else {
        actual
    };
    Err(HostError::InvalidPlan(format!(
        "the payload is for commit {head_sha}, but {kind} {id} is at {actual}; hint: the payload \
         is stale (a newer push) or does not belong to this {kind}"
    )))
}

/// Why prcov will not send a token to `api_url`, if it will not: an unparsable URL; one with
/// credentials in it (they would end up in messages and dry-run output — the token belongs in
/// `GITHUB_TOKEN`/`GITLAB_TOKEN`/`PRCOV_TOKEN`); a scheme other than https, except plain http to
/// this machine (test servers) or with `allow_insecure_http`. Messages never repeat the
/// credentials.
pub fn api_url_problem(api_url: &str, allow_insecure_http: bool) -> Option<String> {
    let Ok(mut url) = reqwest::Url::parse(api_url) else {
        let shown = api_url.rsplit_once('@').map_or(api_url, |(_, rest)| rest);
        return Some(format!(
            "the API URL {:?} is not a URL (expected e.g. https://api.github.com)",
            crate::render::limits::truncate_chars(shown, 80, "…")
        ));
    };
    if !url.username().is_empty() || url.password().is_some() {
        let _ = url.set_username("");
        let _ = url.set_password(None);
        return Some(format!(
            "the API URL {url} has credentials in it (user:secret@); pass the token in \
             GITHUB_TOKEN, GITLAB_TOKEN or PRCOV_TOKEN instead, where it is never printed"
        ));
    }
    let host = url.host_str().unwrap_or_default();
    let loopback = host.eq_ignore_ascii_case("localhost")
        || host
            .trim_start_matches('[')
            .trim_end_matches(']')
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback());
    match url.scheme() {
        "https" => None,
        "http" if loopback || allow_insecure_http => None,
        "http" => Some(format!(
            "the API URL {url} is plain http to another machine: the token would travel \
             unencrypted; use https, or pass --allow-insecure-http if the network is trusted"
        )),
        other => Some(format!(
            "the API URL {url} has scheme {other:?}; expected https"
        )),
    }
}

/// True when `url` has the same scheme, host and port as `api_url`: the token is only ever sent
/// there, even if a `Link` header points elsewhere.
pub fn same_origin(url: &str, api_url: &str) -> bool {
    match (reqwest::Url::parse(url), reqwest::Url::parse(api_url)) {
        (Ok(a), Ok(b)) => a.origin() == b.origin(),
        _ => false,
    }
}

/// Percent-encodes one path segment (RFC 3986 unreserved characters stay), e.g. a GitLab
/// project path `group/sub/project` → `group%2Fsub%2Fproject`.
pub fn encode_segment(segment: &str) -> String {
    let mut out = String::with_capacity(segment.len());
    for b in segment.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod api_url_tests {
    use super::api_url_problem;

    #[test]
    fn https_loopback_http_and_the_flag_pass_credentials_never() {
        assert_eq!(api_url_problem("https://api.github.com", false), None);
        assert_eq!(api_url_problem("http://127.0.0.1:8080", false), None);
        assert_eq!(api_url_problem("http://localhost/api/v4", false), None);
        assert_eq!(api_url_problem("http://[::1]:9", false), None);
        assert_eq!(api_url_problem("http://ghe.corp/api/v3", true), None);
        let plain = api_url_problem("http://ghe.corp/api/v3", false).unwrap();
        assert!(plain.contains("--allow-insecure-http"), "{plain}");
        let creds = api_url_problem("https://x:ghp_SECRET@ghe.corp/api", true).unwrap();
        assert!(
            !creds.contains("SECRET") && !creds.contains("x:"),
            "{creds}"
        );
        assert!(
            creds.starts_with("the API URL https://ghe.corp/api has credentials"),
            "{creds}"
        );
        let bad = api_url_problem("ghp_SECRET@not a url", false).unwrap();
        assert!(!bad.contains("SECRET"), "{bad}");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn link_header_next_is_taken_verbatim() {
        let link = r#"<https://api.github.com/repositories/1/issues/7/comments?per_page=100&page=2>; rel="next", <https://api.github.com/repositories/1/issues/7/comments?per_page=100&page=5>; rel="last""#;
        assert_eq!(
            next_link(link).as_deref(),
            Some("https://api.github.com/repositories/1/issues/7/comments?per_page=100&page=2")
        );
        let last_page = r#"<https://x/?page=1>; rel="prev", <https://x/?page=1>; rel="first""#;
        assert_eq!(next_link(last_page), None);
        assert_eq!(
            next_link(r#"<https://x/?a=1,2&page=3>; rel="next""#).as_deref(),
            Some("https://x/?a=1,2&page=3")
        );
    }

    #[test]
    fn origins_must_match() {
        assert!(same_origin(
            "https://api.github.com/x?page=2",
            "https://api.github.com"
        ));
        assert!(!same_origin(
            "https://evil.example/x",
            "https://api.github.com"
        ));
        assert!(!same_origin(
            "http://api.github.com/x",
            "https://api.github.com"
        ));
    }

    #[test]
    fn segments_are_percent_encoded() {
        assert_eq!(encode_segment("group/sub/my.proj"), "group%2Fsub%2Fmy.proj");
        assert_eq!(encode_segment("278964"), "278964");
        assert_eq!(encode_segment("a b?#"), "a%20b%3F%23");
    }

    #[test]
    fn host_messages_are_extracted() {
        let gh = r#"{"message":"Validation Failed","errors":[{"resource":"CheckRun","field":"head_sha","code":"invalid"}]}"#;
        assert_eq!(
            host_message(gh).as_deref(),
            Some("Validation Failed; CheckRun head_sha invalid")
        );
        let gl = r#"{"message":{"body":["is too long"]}}"#;
        assert_eq!(
            host_message(gl).as_deref(),
            Some(r#"{"body":["is too long"]}"#)
        );
        assert_eq!(host_message("<html>"), None);
    }

    #[test]
    fn waits_come_from_retry_after_or_reset() {
        let h = |pairs: &[(&str, &str)]| -> Vec<(String, String)> {
            pairs
                .iter()
                .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
                .collect()
        };
        assert_eq!(
            server_wait(&h(&[("retry-after", "7")])),
            Some(Duration::from_secs(7))
        );
        let now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap()
            .as_secs();
        let reset = (now + 30).to_string();
        let wait = server_wait(&h(&[
            ("x-ratelimit-remaining", "0"),
            ("x-ratelimit-reset", &reset),
        ]))
        .unwrap();
        assert!((29..=30).contains(&wait.as_secs()), "{wait:?}");
        assert_eq!(server_wait(&h(&[("x-ratelimit-remaining", "12")])), None);
        assert!(!rate_limited(&h(&[("x-ratelimit-remaining", "12")])));
        assert!(rate_limited(&h(&[("retry-after", "60")])));
    }

    #[test]
    fn redaction_removes_every_occurrence() {
        let token = Token::new("ghp_abc");
        assert_eq!(redact("bad ghp_abc and ghp_abc", &token), "bad *** and ***");
    }
}
