//! Publishing to a fake GitHub (httpmock): statuses, the sticky comment, check-run annotations,
//! retries, errors and dry runs. Every request body is validated against GitHub's OpenAPI
//! description (fixtures/host/github-openapi-subset.json).

use std::cell::RefCell;
use std::time::{Duration, Instant};

use crate::host_support::{Fake, Flavor, SHA, TOKEN};
use prcov::host::{
    self, CheckRunOutcome, CommentOutcome, HostError, HostTarget, Mode, RetryConfig, Token,
    TrustedPr,
};
use prcov::render::plan::{
    Annotation, AnnotationLevel, CheckRun, CommitStatus, HostKind, PublishPlan, StatusState,
};

fn plan() -> PublishPlan {
    PublishPlan {
        version: 1,
        host: HostKind::Github,
        repository: "octo/proj".to_owned(),
        pr: Some(7),
        head_sha: SHA.to_owned(),
        comment_key: "default".to_owned(),
        comment_body: ":x: Patch coverage is 66.66% with 2 lines in your changes missing coverage."
            .to_owned(),
        statuses: vec![
            CommitStatus {
                context: "prcov/patch".to_owned(),
                state: StatusState::Failure,
                description: "66.66% of diff hit (target 70.00%)".to_owned(),
                coverage: Some(66.666),
            },
            CommitStatus {
                context: "prcov/project".to_owned(),
                state: StatusState::Success,
                description: "81.20% (+0.35%) compared to 1a2b3c4".to_owned(),
                coverage: Some(81.2),
            },
            CommitStatus {
                context: "prcov/tests".to_owned(),
                state: StatusState::Error,
                description: "2 failed, 310 passed".to_owned(),
                coverage: None,
            },
        ],
        check_run: Some(CheckRun {
            name: "prcov".to_owned(),
            conclusion: "failure".to_owned(),
            title: "Patch coverage 66.66%".to_owned(),
            summary: "## prcov\n2 lines missing".to_owned(),
            annotations: annotations(3),
        }),
        section: None,
        comment_skipped: None,
    }
}

fn annotations(n: u32) -> Vec<Annotation> {
    (1..=n)
        .map(|i| Annotation {
            path: format!("src/file{}.rs", i % 7),
            start_line: i * 10,
            end_line: i * 10 + 2,
            level: AnnotationLevel::Warning,
            title: "Uncovered lines".to_owned(),
            message: format!(
                "Added lines #L{}-L{} were not covered by tests",
                i * 10,
                i * 10 + 2
            ),
        })
        .collect()
}

fn fast_retry() -> RetryConfig {
    RetryConfig {
        base_delay: Duration::from_millis(5),
        max_wait: Duration::from_secs(5),
        ..RetryConfig::default()
    }
}

fn target(fake: &Fake) -> HostTarget {
    HostTarget {
        api_url: fake.api_url(),
        token: Some(Token::new(TOKEN)),
        retry: fast_retry(),
        step_summary: None,
        fork: None,
        verify_pr: None,
        comment: prcov::host::sticky::Policy::default(),
    }
}

fn marker_body(plan: &PublishPlan) -> String {
    format!("<!-- prcov:{} -->\n{}", plan.comment_key, plan.comment_body)
}

#[test]
fn one_status_per_context_with_state_and_description() {
    let fake = Fake::start(Flavor::Github);
    let outcome = host::publish(&plan(), &target(&fake), Mode::Send).unwrap();
    assert_eq!(
        outcome.statuses,
        ["prcov/patch", "prcov/project", "prcov/tests"]
    );

    let statuses: Vec<_> = fake
        .requests()
        .into_iter()
        .filter(|r| r.method == "POST" && r.path.contains("/statuses/"))
        .collect();
    assert_eq!(statuses.len(), 3);
    let seen: Vec<(String, String, String)> = statuses
        .iter()
        .map(|r| {
            let b = r.body.as_ref().unwrap();
            assert_eq!(r.path, format!("/repos/octo/proj/statuses/{SHA}"));
            (
                b["context"].as_str().unwrap().to_owned(),
                b["state"].as_str().unwrap().to_owned(),
                b["description"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    assert_eq!(
        seen,
        [
            (
                "prcov/patch".into(),
                "failure".into(),
                "66.66% of diff hit (target 70.00%)".into()
            ),
            (
                "prcov/project".into(),
                "success".into(),
                "81.20% (+0.35%) compared to 1a2b3c4".into()
            ),
            (
                "prcov/tests".into(),
                "error".into(),
                "2 failed, 310 passed".into()
            ),
        ]
    );
    // The headers GitHub asks for, with the token as a bearer.
    let h = &statuses[0].headers;
    let get = |name: &str| {
        h.iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    };
    assert_eq!(
        get("authorization"),
        Some(format!("Bearer {TOKEN}").as_str())
    );
    assert_eq!(get("accept"), Some("application/vnd.github+json"));
    assert_eq!(get("x-github-api-version"), Some("2022-11-28"));
    assert!(get("user-agent").unwrap().starts_with("prcov/"));
    assert_eq!(fake.assert_bodies_valid(), 5); // 3 statuses + comment + check run
}

#[test]
fn comment_is_created_then_updated_in_place_then_left_alone() {
    let fake = Fake::start(Flavor::Github);
    let mut p = plan();
    let first = host::publish(&p, &target(&fake), Mode::Send).unwrap();
    assert!(
        matches!(first.comment, CommentOutcome::Created { id: Some(_) }),
        "{:?}",
        first.comment
    );
    assert_eq!(fake.count("POST", "/issues/7/comments"), 1);

    p.comment_body =
        ":white_check_mark: All modified and coverable lines are covered by tests.".into();
    let second = host::publish(&p, &target(&fake), Mode::Send).unwrap();
    let CommentOutcome::Updated { id } = second.comment else {
        panic!("expected an update, got {:?}", second.comment)
    };
    assert_eq!(
        Some(id),
        match first.comment {
            CommentOutcome::Created { id } => id,
            _ => None,
        }
    );
    assert_eq!(
        fake.count("POST", "/issues/7/comments"),
        1,
        "no second comment"
    );
    assert_eq!(fake.count("PATCH", &format!("/issues/comments/{id}")), 1);
    {
        let s = fake.state();
        assert_eq!(s.comments.len(), 1);
        assert_eq!(s.comments[0].body, marker_body(&p));
    }

    let third = host::publish(&p, &target(&fake), Mode::Send).unwrap();
    assert_eq!(third.comment, CommentOutcome::Unchanged { id });
    assert_eq!(
        fake.count("PATCH", "/issues/comments/"),
        1,
        "same body: no edit"
    );
    fake.assert_bodies_valid();
}

#[test]
fn marker_on_page_three_is_found_via_link_header() {
    let fake = Fake::start(Flavor::Github);
    fake.state().page_size = 2;
    for i in 0..4 {
        fake.seed_comment(&format!("LGTM {i}"), "alice", false);
    }
    // A human quoting the marker mid-text is not ours.
    fake.seed_comment("see <!-- prcov:default --> above", "bob", false);
    let ours = fake.seed_comment(
        "<!-- prcov:default -->\nold numbers",
        "github-actions[bot]",
        true,
    );

    let mut p = plan();
    p.check_run = None;
    p.statuses.clear();
    let outcome = host::publish(&p, &target(&fake), Mode::Send).unwrap();
    assert_eq!(outcome.comment, CommentOutcome::Updated { id: ours });
    assert_eq!(
        fake.log(),
        [
            "GET /user".to_owned(),
            "GET /repos/octo/proj/issues/7/comments?per_page=100".to_owned(),
            "GET /repositories/1/issues/7/comments?per_page=100&page=2".to_owned(),
            "GET /repositories/1/issues/7/comments?per_page=100&page=3".to_owned(),
            format!("PATCH /repos/octo/proj/issues/comments/{ours}"),
        ]
    );
    fake.assert_bodies_valid();
}

#[test]
fn duplicates_from_a_race_converge_on_the_oldest() {
    let fake = Fake::start(Flavor::Github);
    let oldest = fake.seed_comment("<!-- prcov:default -->\nrun A", "github-actions[bot]", true);
    let human = fake.seed_comment("<!-- prcov:default -->\npasted by hand", "carol", false);
    let newer = fake.seed_comment("<!-- prcov:default -->\nrun B", "github-actions[bot]", true);
    let other_key = fake.seed_comment(
        "<!-- prcov:frontend -->\nother job",
        "github-actions[bot]",
        true,
    );

    let mut p = plan();
    p.check_run = None;
    let outcome = host::publish(&p, &target(&fake), Mode::Send).unwrap();
    assert_eq!(outcome.comment, CommentOutcome::Updated { id: oldest });
    assert_eq!(
        fake.count("DELETE", &format!("/issues/comments/{newer}")),
        1
    );
    let ids: Vec<u64> = fake.state().comments.iter().map(|c| c.id).collect();
    assert_eq!(ids, [oldest, human, other_key]);
    assert_eq!(
        outcome.warnings,
        [format!(
            "ignored comment {human} by carol: it starts with <!-- prcov:default --> but was not \
             written by this token, so prcov does not edit it"
        )]
    );
    fake.assert_bodies_valid();
}

/// Issue 11 item 2: a human's comment that starts with the marker is not prcov's. Before, it was
/// adopted (edited with the report) when no bot comment existed; now prcov creates its own.
#[test]
fn a_humans_comment_with_the_marker_is_never_adopted() {
    // An app installation token (GITHUB_TOKEN): `GET /user` answers 403, only bots count.
    let fake = Fake::start(Flavor::Github);
    let forged = "<!-- prcov:default -->\n:white_check_mark: All good (typed by hand)";
    let human = fake.seed_comment(forged, "mallory", false);
    let mut p = plan();
    p.check_run = None;
    p.statuses.clear();
    let outcome = host::publish(&p, &target(&fake), Mode::Send).unwrap();
    assert!(
        matches!(outcome.comment, CommentOutcome::Created { id: Some(id) } if id != human),
        "{:?}",
        outcome.comment
    );
    let s = fake.state();
    assert_eq!(s.comments.len(), 2);
    assert_eq!(
        s.comments[0].body, forged,
        "the human's comment is untouched"
    );
    assert_eq!(s.comments[1].body, marker_body(&p));
    assert_eq!(s.comments[1].login, "github-actions[bot]");
    drop(s);
    assert_eq!(outcome.warnings.len(), 1, "{:?}", outcome.warnings);
    assert_eq!(fake.count("PATCH", "/issues/comments/"), 0);
    fake.assert_bodies_valid();

    // A personal access token: `GET /user` names it, and only that user's comments count — not
    // a bot's, not another human's.
    let fake = Fake::start(Flavor::Github);
    fake.state().user = Some("ci-user".to_owned());
    fake.seed_comment("<!-- prcov:default -->\nbot", "some-app[bot]", true);
    fake.seed_comment("<!-- prcov:default -->\nhuman", "mallory", false);
    let own = fake.seed_comment("<!-- prcov:default -->\nold", "ci-user", false);
    let outcome = host::publish(&p, &target(&fake), Mode::Send).unwrap();
    assert_eq!(outcome.comment, CommentOutcome::Updated { id: own });
    assert_eq!(outcome.warnings.len(), 2, "{:?}", outcome.warnings);
    assert_eq!(fake.log()[0], "GET /user");
    fake.assert_bodies_valid();
}

#[test]
fn annotations_120_arrive_in_three_requests() {
    let fake = Fake::start(Flavor::Github);
    let mut p = plan();
    p.check_run.as_mut().unwrap().annotations = annotations(120);
    let outcome = host::publish(&p, &target(&fake), Mode::Send).unwrap();
    assert_eq!(
        outcome.check_run,
        CheckRunOutcome::Created {
            id: 555,
            annotations: 120,
            requests: 3
        }
    );
    assert_eq!(fake.state().check_run_annotations, [50, 50, 20]);
    assert_eq!(fake.count("POST", "/check-runs"), 1);
    assert_eq!(fake.count("PATCH", "/check-runs/555"), 2);
    let create = fake
        .requests()
        .into_iter()
        .find(|r| r.path.ends_with("/check-runs"))
        .unwrap();
    let body = create.body.unwrap();
    assert_eq!(body["head_sha"], SHA);
    assert_eq!(body["status"], "completed");
    assert_eq!(body["conclusion"], "failure");
    assert_eq!(body["output"]["annotations"][0]["path"], "src/file1.rs");
    assert_eq!(
        body["output"]["annotations"][0]["annotation_level"],
        "warning"
    );
    fake.assert_bodies_valid();
}

#[test]
fn check_run_forbidden_is_a_warning_and_the_rest_is_published() {
    let fake = Fake::start(Flavor::Github);
    fake.fault(
        "POST",
        "/check-runs",
        403,
        &[],
        r#"{"message":"Resource not accessible by integration"}"#,
    );
    let outcome = host::publish(&plan(), &target(&fake), Mode::Send).unwrap();
    assert_eq!(outcome.check_run, CheckRunOutcome::Skipped);
    assert_eq!(outcome.statuses.len(), 3);
    assert!(matches!(outcome.comment, CommentOutcome::Created { .. }));
    assert_eq!(outcome.warnings.len(), 1);
    assert!(
        outcome.warnings[0].starts_with("check run skipped"),
        "{}",
        outcome.warnings[0]
    );
    assert!(!outcome.warnings[0].contains(TOKEN));
}

#[test]
fn server_error_then_success_is_retried() {
    let fake = Fake::start(Flavor::Github);
    fake.fault("POST", "/statuses/", 500, &[], r#"{"message":"boom"}"#);
    fake.fault("POST", "/statuses/", 502, &[], "<html>bad gateway</html>");
    let outcome = host::publish(&plan(), &target(&fake), Mode::Send).unwrap();
    assert_eq!(outcome.statuses.len(), 3);
    // The first status took three attempts; the other two one each.
    assert_eq!(fake.count("POST", "/statuses/"), 5);
    let contexts = fake.status_contexts();
    assert_eq!(
        contexts,
        [
            "prcov/patch",
            "prcov/patch",
            "prcov/patch",
            "prcov/project",
            "prcov/tests"
        ]
    );
}

#[test]
fn persistent_server_error_gives_up_after_max_attempts() {
    let fake = Fake::start(Flavor::Github);
    for _ in 0..4 {
        fake.fault(
            "POST",
            "/statuses/",
            503,
            &[],
            r#"{"message":"unavailable"}"#,
        );
    }
    let err = host::publish(&plan(), &target(&fake), Mode::Send).unwrap_err();
    assert_eq!(fake.count("POST", "/statuses/"), 4);
    assert_eq!(err.exit_code(), 3);
    assert_eq!(
        err.to_string(),
        "GitHub answered 503 to the request to create commit status prcov/patch: unavailable; hint: the host had a server error and kept failing after retries; try again later"
    );
}

#[test]
fn too_many_requests_waits_for_retry_after() {
    let fake = Fake::start(Flavor::Github);
    fake.fault(
        "POST",
        "/statuses/",
        429,
        &[("retry-after", "1")],
        r#"{"message":"slow down"}"#,
    );
    let mut p = plan();
    p.statuses.truncate(1);
    p.pr = None;
    p.check_run = None;
    let start = Instant::now();
    host::publish(&p, &target(&fake), Mode::Send).unwrap();
    let elapsed = start.elapsed();
    assert!(
        elapsed >= Duration::from_millis(950),
        "waited only {elapsed:?}"
    );
    assert!(elapsed < Duration::from_secs(4), "waited {elapsed:?}");
    assert_eq!(fake.count("POST", "/statuses/"), 2);
}

thread_local! {
    static SLEPT: RefCell<Vec<Duration>> = const { RefCell::new(Vec::new()) };
}

fn record_sleep(d: Duration) {
    SLEPT.with(|s| s.borrow_mut().push(d));
}

#[test]
fn secondary_rate_limit_honours_reset_without_sleeping_for_real() {
    let fake = Fake::start(Flavor::Github);
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs();
    let reset = (now + 3).to_string();
    fake.fault(
        "POST",
        "/statuses/",
        403,
        &[
            ("x-ratelimit-remaining", "0"),
            ("x-ratelimit-reset", &reset),
        ],
        r#"{"message":"API rate limit exceeded"}"#,
    );
    let mut t = target(&fake);
    t.retry.sleep = record_sleep;
    let mut p = plan();
    p.statuses.truncate(1);
    p.pr = None;
    p.check_run = None;
    host::publish(&p, &t, Mode::Send).unwrap();
    let slept = SLEPT.with(|s| s.borrow().clone());
    assert_eq!(slept.len(), 1);
    assert!((2..=3).contains(&slept[0].as_secs()), "{slept:?}");

    // A limit that resets later than the cap fails at once with a clear message.
    fake.fault("POST", "/statuses/", 429, &[("retry-after", "3600")], "{}");
    let err = host::publish(&p, &t, Mode::Send).unwrap_err();
    assert_eq!(
        err.to_string(),
        "GitHub rate-limited the request to create commit status prcov/patch and asked to wait 3600s, more than the 5s prcov waits; hint: retry later, or raise PRCOV_MAX_RETRY_WAIT"
    );
    assert_eq!(
        SLEPT.with(|s| s.borrow().len()),
        1,
        "no sleep for a wait beyond the cap"
    );
}

#[test]
fn forbidden_explains_the_fork_recipe_and_exits_3() {
    let fake = Fake::start(Flavor::Github);
    fake.fault(
        "POST",
        "/statuses/",
        403,
        &[],
        r#"{"message":"Resource not accessible by integration"}"#,
    );
    let mut t = target(&fake);
    t.fork = Some(true);
    let err = host::publish(&plan(), &t, Mode::Send).unwrap_err();
    assert!(matches!(err, HostError::Forbidden { .. }));
    assert_eq!(err.exit_code(), 3);
    assert_eq!(
        err.to_string(),
        "GitHub refused to create commit status prcov/patch (403 Forbidden: Resource not accessible by integration); \
         hint: on pull requests from forks the token is read-only: run `prcov publish --save prcov-payload.json` in the \
         pull_request job, upload it as an artifact, and run `prcov publish --from prcov-payload.json` in a \
         `workflow_run` job (see docs/publishing.md)"
    );
    // Nothing after the failed status was attempted.
    assert_eq!(fake.log().len(), 1);
}

#[test]
fn each_refusal_is_one_sentence_with_a_hint_and_no_token() {
    let cases: [(u16, &str, &str); 4] = [
        (
            401,
            r#"{"message":"Bad credentials"}"#,
            "GitHub rejected the token while trying to create commit status prcov/patch (401 Unauthorized); hint: the token is invalid or expired — check GITHUB_TOKEN or PRCOV_TOKEN",
        ),
        (
            404,
            r#"{"message":"Not Found"}"#,
            "GitHub found nothing to create commit status prcov/patch (404 Not Found: Not Found); hint: check the repository and pull request number, and that the token can see this repository (private repositories answer 404 to tokens without access)",
        ),
        (
            422,
            r#"{"message":"Validation Failed","errors":[{"resource":"Status","code":"custom","message":"This SHA and context has reached the maximum number of statuses."}]}"#,
            "GitHub rejected the request to create commit status prcov/patch as invalid (422: Validation Failed; This SHA and context has reached the maximum number of statuses.); hint: this is likely a prcov bug or a host limit, please report it with the --dry-run output",
        ),
        (
            403,
            // A host echoing the token back must not leak it.
            &format!(r#"{{"message":"token {TOKEN} lacks scope"}}"#),
            "GitHub refused to create commit status prcov/patch (403 Forbidden: token *** lacks scope); hint: the token may not write here: give the job `permissions: {statuses: write, pull-requests: write, checks: write}` or use a token with access to the repository",
        ),
    ];
    for (status, body, expected) in cases {
        let fake = Fake::start(Flavor::Github);
        fake.fault("POST", "/statuses/", status, &[], body);
        let mut t = target(&fake);
        t.fork = Some(false);
        let err = host::publish(&plan(), &t, Mode::Send).unwrap_err();
        assert_eq!(err.exit_code(), 3);
        assert_eq!(err.to_string(), expected);
        assert!(!format!("{err} {err:?}").contains(TOKEN));
    }
}

#[test]
fn unreachable_host_is_a_network_error() {
    // A port nothing listens on (bound then released).
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let t = HostTarget {
        api_url: format!("http://127.0.0.1:{port}"),
        token: Some(Token::new(TOKEN)),
        retry: RetryConfig {
            max_attempts: 2,
            ..fast_retry()
        },
        step_summary: None,
        fork: None,
        verify_pr: None,
        comment: prcov::host::sticky::Policy::default(),
    };
    let err = host::publish(&plan(), &t, Mode::Send).unwrap_err();
    let msg = err.to_string();
    assert!(
        msg.starts_with("could not reach GitHub to create commit status prcov/patch ("),
        "{msg}"
    );
    assert!(
        msg.ends_with(&format!(
            "hint: check the API URL http://127.0.0.1:{port} and the network"
        )),
        "{msg}"
    );
    assert!(!msg.contains(TOKEN));
}

#[test]
fn dry_run_prints_every_request_and_sends_none() {
    let fake = Fake::start(Flavor::Github);
    let mut p = plan();
    p.check_run.as_mut().unwrap().annotations = annotations(1);
    let summary = tempfile::NamedTempFile::new().unwrap();
    let t = HostTarget {
        token: None,
        step_summary: Some(summary.path().to_path_buf()),
        ..target(&fake)
    };
    let mut out = Vec::new();
    let outcome = host::publish(&p, &t, Mode::DryRun(&mut out)).unwrap();
    assert_eq!(outcome.comment, CommentOutcome::DryRun);
    assert_eq!(outcome.check_run, CheckRunOutcome::DryRun { requests: 1 });
    assert!(!outcome.step_summary_written);
    assert_eq!(fake.server_hits(), 0);
    assert_eq!(std::fs::read_to_string(summary.path()).unwrap(), "");

    let text = String::from_utf8(out).unwrap();
    let summary_path = summary.path().display().to_string();
    let api = fake.api_url();
    let literals = [
        (api.as_str(), "{api}"),
        (summary_path.as_str(), "{summary}"),
    ];
    crate::common::redactions(&[], &literals).bind(|| {
        insta::assert_snapshot!("github_dry_run", text);
    });
}

#[test]
fn dry_run_shows_annotation_batches_and_never_the_token() {
    let fake = Fake::start(Flavor::Github);
    let mut p = plan();
    p.check_run.as_mut().unwrap().annotations = annotations(101);
    // Even with a token configured, a dry run neither sends nor prints it.
    let mut out = Vec::new();
    let outcome = host::publish(&p, &target(&fake), Mode::DryRun(&mut out)).unwrap();
    assert_eq!(outcome.check_run, CheckRunOutcome::DryRun { requests: 3 });
    assert_eq!(fake.server_hits(), 0);
    let text = String::from_utf8(out).unwrap();
    assert!(!text.contains(TOKEN));
    let patch = format!(
        "PATCH {}/repos/octo/proj/check-runs/{{check_run_id}}\n",
        fake.api_url()
    );
    assert_eq!(text.matches(&patch).count(), 2, "{text}");
    assert_eq!(text.matches("\"annotation_level\"").count(), 101);
}

#[test]
fn step_summary_is_appended() {
    let fake = Fake::start(Flavor::Github);
    let summary = tempfile::NamedTempFile::new().unwrap();
    std::fs::write(summary.path(), "# Tests\n").unwrap();
    let t = HostTarget {
        step_summary: Some(summary.path().to_path_buf()),
        ..target(&fake)
    };
    let outcome = host::publish(&plan(), &t, Mode::Send).unwrap();
    assert!(outcome.step_summary_written);
    assert_eq!(
        std::fs::read_to_string(summary.path()).unwrap(),
        format!("# Tests\n{}\n", plan().comment_body)
    );
}

#[test]
fn push_without_pr_sends_statuses_and_check_run_only() {
    let fake = Fake::start(Flavor::Github);
    let mut p = plan();
    p.pr = None;
    let outcome = host::publish(&p, &target(&fake), Mode::Send).unwrap();
    assert_eq!(outcome.comment, CommentOutcome::NoPullRequest);
    assert_eq!(fake.count("GET", "/comments"), 0);
    assert_eq!(fake.log().len(), 4);
}

#[test]
fn oversized_plan_fields_are_cut_to_host_limits() {
    let fake = Fake::start(Flavor::Github);
    let mut p = plan();
    p.statuses.truncate(1);
    p.statuses[0].description = "d".repeat(200);
    p.comment_body = "é".repeat(65_536);
    p.check_run.as_mut().unwrap().summary = "s".repeat(70_000);
    host::publish(&p, &target(&fake), Mode::Send).unwrap();
    let requests = fake.requests();
    let status = requests[0].body.as_ref().unwrap()["description"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(status, format!("{}…", "d".repeat(139)));
    let comment = fake.state().comments[0].body.clone();
    assert_eq!(comment.chars().count(), 65_536);
    assert!(comment.starts_with("<!-- prcov:default -->\néé"));
    assert!(comment.ends_with("*(truncated by prcov to fit the host's size limit)*"));
    let check = requests
        .iter()
        .find(|r| r.path.ends_with("/check-runs"))
        .unwrap();
    let summary = check.body.as_ref().unwrap()["output"]["summary"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(summary.chars().count(), 65_535);
    fake.assert_bodies_valid();
}

#[test]
fn from_payload_is_refused_when_the_pr_head_differs() {
    let fake = Fake::start(Flavor::Github);
    let t = HostTarget {
        verify_pr: Some(TrustedPr {
            number: Some(7),
            ..TrustedPr::default()
        }),
        ..target(&fake)
    };
    // Matching head: published, after one GET of the PR.
    host::publish(&plan(), &t, Mode::Send).unwrap();
    assert_eq!(fake.log()[0], "GET /repos/octo/proj/pulls/7");
    fake.assert_bodies_valid();

    fake.state().pr_head = "f".repeat(40);
    let before = fake.log().len();
    let err = host::publish(&plan(), &t, Mode::Send).unwrap_err();
    assert_eq!(
        err.to_string(),
        format!(
            "cannot publish: the payload is for commit {SHA}, but pull request #7 is at {}; hint: the payload is \
             stale (a newer push) or does not belong to this pull request",
            "f".repeat(40)
        )
    );
    assert_eq!(err.exit_code(), 3);
    assert_eq!(
        fake.log().len(),
        before + 1,
        "nothing posted after the failed check"
    );
}

#[test]
fn two_jobs_creating_at_once_end_with_one_comment() {
    let fake = Fake::start(Flavor::Github);
    fake.state().race_on_create = Some("<!-- prcov:default -->\nfrom the other job".into());
    let p = plan();
    let outcome = host::publish(&p, &target(&fake), Mode::Send).unwrap();
    let s = fake.state();
    assert_eq!(s.comments.len(), 1, "{:?}", s.comments);
    // The other job's comment is older: it is kept and gets our body; ours is deleted.
    assert_eq!(
        outcome.comment,
        CommentOutcome::Updated {
            id: s.comments[0].id
        }
    );
    assert_eq!(s.comments[0].body, marker_body(&p));
    drop(s);
    let log: Vec<String> = fake
        .log()
        .into_iter()
        .filter(|l| l.contains("comments"))
        .collect();
    assert_eq!(
        log,
        [
            "GET /repos/octo/proj/issues/7/comments?per_page=100".to_owned(),
            "POST /repos/octo/proj/issues/7/comments".to_owned(),
            "GET /repos/octo/proj/issues/7/comments?per_page=100".to_owned(),
            "PATCH /repos/octo/proj/issues/comments/1001".to_owned(),
            "DELETE /repos/octo/proj/issues/comments/1002".to_owned(),
        ]
    );
    fake.assert_bodies_valid();
}

#[test]
fn the_schema_check_catches_bad_bodies() {
    let fixture: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/fixtures/host/github-openapi-subset.json"
        ))
        .unwrap(),
    )
    .unwrap();
    let check = |op: &str, body: serde_json::Value| {
        let mut problems = Vec::new();
        crate::host_support::validate(
            &fixture["operations"][op]["request_body"],
            &body,
            op,
            &mut problems,
        );
        problems
    };
    assert_eq!(
        check("repos/create-commit-status", serde_json::json!({"state": "failed", "contex": "x"})),
        [
            "repos/create-commit-status: undeclared property contex",
            "repos/create-commit-status.state: \"failed\" is not one of [\"error\",\"failure\",\"pending\",\"success\"]",
        ]
    );
    let too_many: Vec<_> = (0..51)
        .map(|i| serde_json::json!({"path": "a", "start_line": i + 1, "end_line": i + 1, "annotation_level": "warning", "message": "m"}))
        .collect();
    assert_eq!(
        check(
            "checks/create",
            serde_json::json!({"name": "prcov", "head_sha": SHA, "status": "completed",
                "output": {"title": "t", "summary": "s", "annotations": too_many}})
        ),
        ["checks/create.output.annotations: 51 items, more than maxItems 50"]
    );
    // GitHub requires a conclusion once a check run is completed.
    assert_eq!(
        check("checks/update", serde_json::json!({"status": "completed"})),
        ["checks/update: matches none of the anyOf branches"]
    );
    assert_eq!(
        check("issues/create-comment", serde_json::json!({})),
        ["issues/create-comment: missing required property body"]
    );
}

fn sectioned(name: &str, body: &str) -> PublishPlan {
    PublishPlan {
        comment_body: body.to_owned(),
        section: Some(prcov::render::sections::SectionPlan {
            name: name.to_owned(),
            head_time: Some(10),
            data: String::new(),
            percent: prcov::analysis::Percent::default(),
        }),
        ..plan()
    }
}

fn quick_settle(fake: &Fake) -> HostTarget {
    HostTarget {
        comment: prcov::host::sticky::Policy {
            settle: Duration::from_millis(10),
            ..prcov::host::sticky::Policy::default()
        },
        ..target(fake)
    }
}

/// What another job wrote: its own section alone.
fn other_jobs_comment(name: &str, body: &str) -> String {
    format!(
        "<!-- prcov:default -->\n<!-- prcov-section:{name} sha={SHA} time=10 -->\n{body}\n<!-- /prcov-section:{name} -->\n"
    )
}

#[test]
fn a_section_lost_to_a_late_write_is_written_again() {
    let fake = Fake::start(Flavor::Github);
    let integ = sectioned("integration", "integration report v1");
    host::publish(&integ, &quick_settle(&fake), Mode::Send).unwrap();
    // The integration job runs again; it read the comment before unit's edit and writes after
    // it, so its body has no unit section.
    fake.state().overwrite_after_edit =
        Some(other_jobs_comment("integration", "integration report v2"));
    let before = fake.requests().len();
    let outcome = host::publish(
        &sectioned("unit", "unit report"),
        &quick_settle(&fake),
        Mode::Send,
    )
    .unwrap();
    assert_eq!(outcome.comment, CommentOutcome::Updated { id: 1001 });
    let comments = fake.state().comments.clone();
    assert_eq!(comments.len(), 1);
    let body = &comments[0].body;
    assert!(
        body.contains("unit report") && body.contains("integration report v2"),
        "{body}"
    );
    let log: Vec<String> = fake
        .log()
        .split_off(before)
        .into_iter()
        .filter(|l| l.contains("comments"))
        .collect();
    // Edit, re-read (the section is gone), edit again, re-read (all there).
    assert_eq!(
        log,
        [
            "GET /repos/octo/proj/issues/7/comments?per_page=100",
            "PATCH /repos/octo/proj/issues/comments/1001",
            "GET /repos/octo/proj/issues/7/comments?per_page=100",
            "PATCH /repos/octo/proj/issues/comments/1001",
            "GET /repos/octo/proj/issues/7/comments?per_page=100",
        ]
    );
    fake.assert_bodies_valid();
}

#[test]
fn two_jobs_creating_at_once_merge_their_sections_into_the_oldest_comment() {
    let fake = Fake::start(Flavor::Github);
    fake.state().race_on_create = Some(other_jobs_comment("integration", "integration report"));
    let outcome = host::publish(
        &sectioned("unit", "unit report"),
        &quick_settle(&fake),
        Mode::Send,
    )
    .unwrap();
    let s = fake.state();
    assert_eq!(s.comments.len(), 1, "{:?}", s.comments);
    assert_eq!(s.comments[0].id, 1001);
    assert_eq!(outcome.comment, CommentOutcome::Updated { id: 1001 });
    let body = &s.comments[0].body;
    assert!(body.contains("Coverage across 2 sections"), "{body}");
    assert!(
        body.contains("\nunit report\n") && body.contains("\nintegration report\n"),
        "{body}"
    );
}
