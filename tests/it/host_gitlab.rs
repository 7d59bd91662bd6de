//! Publishing to a fake GitLab (httpmock): commit statuses with coverage, the sticky MR note
//! (newest-first listing, `x-next-page` pagination), errors and dry runs. Every request body is
//! checked against fixtures/host/gitlab-api-fields.json (fields from GitLab's REST docs).

use std::time::Duration;

use crate::host_support::{Fake, Flavor, SHA, TOKEN};
use prcov::host::{self, CheckRunOutcome, CommentOutcome, HostTarget, Mode, RetryConfig, Token};
use prcov::render::plan::{CheckRun, CommitStatus, HostKind, PublishPlan, StatusState};

fn plan() -> PublishPlan {
    PublishPlan {
        version: 1,
        host: HostKind::Gitlab,
        repository: "group/sub/proj".to_owned(),
        pr: Some(42),
        head_sha: SHA.to_owned(),
        comment_key: "default".to_owned(),
        comment_body: ":white_check_mark: All modified and coverable lines are covered by tests."
            .to_owned(),
        statuses: vec![
            CommitStatus {
                context: "prcov/patch".to_owned(),
                state: StatusState::Success,
                description: "100.00% of diff hit (target 70.00%)".to_owned(),
                coverage: Some(100.0),
            },
            CommitStatus {
                context: "prcov/tests".to_owned(),
                state: StatusState::Error,
                description: "2 failed, 310 passed".to_owned(),
                coverage: None,
            },
        ],
        // GitLab has no check runs: ignored.
        check_run: Some(CheckRun {
            name: "prcov".to_owned(),
            conclusion: "success".to_owned(),
            title: "t".to_owned(),
            summary: "s".to_owned(),
            annotations: Vec::new(),
        }),
        section: None,
        comment_skipped: None,
    }
}

fn target(fake: &Fake) -> HostTarget {
    HostTarget {
        api_url: fake.api_url(),
        token: Some(Token::new(TOKEN)),
        retry: RetryConfig {
            base_delay: Duration::from_millis(5),
            ..RetryConfig::default()
        },
        step_summary: None,
        fork: None,
        verify_pr: None,
        comment: prcov::host::sticky::Policy::default(),
    }
}

#[test]
fn statuses_carry_state_name_description_and_coverage() {
    let fake = Fake::start(Flavor::Gitlab);
    let outcome = host::publish(&plan(), &target(&fake), Mode::Send).unwrap();
    assert_eq!(outcome.statuses, ["prcov/patch", "prcov/tests"]);
    assert_eq!(outcome.check_run, CheckRunOutcome::None);
    let statuses: Vec<_> = fake
        .requests()
        .into_iter()
        .filter(|r| r.path.contains("/statuses/"))
        .collect();
    assert_eq!(statuses.len(), 2);
    // The project path is one URL-encoded segment.
    assert_eq!(
        statuses[0].path,
        format!("/api/v4/projects/group%2Fsub%2Fproj/statuses/{SHA}")
    );
    assert_eq!(
        statuses[0].body.as_ref().unwrap(),
        &serde_json::json!({"state": "success", "name": "prcov/patch",
            "description": "100.00% of diff hit (target 70.00%)", "coverage": 100.0})
    );
    assert_eq!(
        statuses[1].body.as_ref().unwrap(),
        &serde_json::json!({"state": "failed", "name": "prcov/tests", "description": "2 failed, 310 passed"})
    );
    let token_header = statuses[0]
        .headers
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case("private-token"))
        .map(|(_, v)| v.as_str());
    assert_eq!(token_header, Some(TOKEN));
    assert_eq!(fake.assert_bodies_valid(), 3);
}

#[test]
fn note_is_created_then_edited_in_place() {
    let fake = Fake::start(Flavor::Gitlab);
    let mut p = plan();
    let first = host::publish(&p, &target(&fake), Mode::Send).unwrap();
    assert!(
        matches!(first.comment, CommentOutcome::Created { id: Some(_) }),
        "{:?}",
        first.comment
    );
    p.comment_body = ":x: Patch coverage is 50.00%".into();
    let second = host::publish(&p, &target(&fake), Mode::Send).unwrap();
    let CommentOutcome::Updated { id } = second.comment else {
        panic!("{:?}", second.comment)
    };
    assert_eq!(fake.count("POST", "/notes"), 1);
    assert_eq!(fake.count("PUT", &format!("/notes/{id}")), 1);
    let s = fake.state();
    assert_eq!(s.comments.len(), 1);
    assert_eq!(
        s.comments[0].body,
        "<!-- prcov:default -->\n:x: Patch coverage is 50.00%"
    );
    drop(s);
    let lists: Vec<String> = fake
        .requests()
        .iter()
        .filter(|r| r.method == "GET" && r.path.ends_with("/notes"))
        .map(|r| r.query.clone())
        .collect();
    assert!(
        lists
            .iter()
            .all(|q| q.starts_with("sort=desc&per_page=100")),
        "{lists:?}"
    );
    fake.assert_bodies_valid();
}

/// Issue 11 item 2 on GitLab: only notes by the token's own user (`GET /user`) are adopted.
#[test]
fn a_note_by_someone_else_with_the_marker_is_never_adopted() {
    let fake = Fake::start(Flavor::Gitlab);
    let forged = "<!-- prcov:default -->\nall good, trust me";
    let other = fake.seed_comment(forged, "mallory", false);
    let outcome = host::publish(&plan(), &target(&fake), Mode::Send).unwrap();
    assert!(
        matches!(outcome.comment, CommentOutcome::Created { id: Some(id) } if id != other),
        "{:?}",
        outcome.comment
    );
    assert_eq!(fake.count("PUT", "/notes/"), 0);
    let s = fake.state();
    assert_eq!(s.comments[0].body, forged);
    assert_eq!(s.comments[1].login, "project_1_bot");
    drop(s);
    assert_eq!(
        outcome.warnings,
        [format!(
            "ignored comment {other} by mallory: it starts with <!-- prcov:default --> but was \
             not written by this token, so prcov does not edit it"
        )]
    );
    fake.assert_bodies_valid();
}

#[test]
fn pagination_follows_x_next_page_and_keeps_the_oldest_note() {
    let fake = Fake::start(Flavor::Gitlab);
    fake.state().page_size = 2;
    let oldest = fake.seed_comment("<!-- prcov:default -->\nfirst", "project_1_bot", false);
    for i in 0..3 {
        fake.seed_comment(&format!("review {i}"), "dave", false);
    }
    let newer = fake.seed_comment("<!-- prcov:default -->\nraced", "project_1_bot", false);
    let outcome = host::publish(&plan(), &target(&fake), Mode::Send).unwrap();
    assert_eq!(outcome.comment, CommentOutcome::Updated { id: oldest });
    // 6 notes (one system note) at 2 per page: 3 pages, newest first.
    assert_eq!(
        fake.log()
            .into_iter()
            .filter(|l| !l.contains("/statuses/"))
            .collect::<Vec<_>>(),
        [
            "GET /api/v4/user".to_owned(),
            "GET /api/v4/projects/group%2Fsub%2Fproj/merge_requests/42/notes?sort=desc&per_page=100".to_owned(),
            "GET /api/v4/projects/group%2Fsub%2Fproj/merge_requests/42/notes?sort=desc&per_page=100&page=2".to_owned(),
            "GET /api/v4/projects/group%2Fsub%2Fproj/merge_requests/42/notes?sort=desc&per_page=100&page=3".to_owned(),
            format!("PUT /api/v4/projects/group%2Fsub%2Fproj/merge_requests/42/notes/{oldest}"),
            format!("DELETE /api/v4/projects/group%2Fsub%2Fproj/merge_requests/42/notes/{newer}"),
        ]
    );
    fake.assert_bodies_valid();
}

#[test]
fn forbidden_on_gitlab_names_the_token_kind_and_no_token() {
    let fake = Fake::start(Flavor::Gitlab);
    fake.fault(
        "POST",
        "/statuses/",
        403,
        &[],
        r#"{"message":"403 Forbidden"}"#,
    );
    let err = host::publish(&plan(), &target(&fake), Mode::Send).unwrap_err();
    assert_eq!(err.exit_code(), 3);
    assert_eq!(
        err.to_string(),
        "GitLab refused to create commit status prcov/patch (403 Forbidden: 403 Forbidden); hint: the token may not \
         write here: use a project or group access token with the `api` scope and the Developer role"
    );
    assert!(!format!("{err:?}").contains(TOKEN));
}

#[test]
fn validation_error_includes_gitlab_field_messages() {
    let fake = Fake::start(Flavor::Gitlab);
    fake.fault(
        "POST",
        "/notes",
        400,
        &[],
        r#"{"message":{"note":["is too long (maximum is 1000000 characters)"]}}"#,
    );
    let err = host::publish(&plan(), &target(&fake), Mode::Send).unwrap_err();
    assert_eq!(
        err.to_string(),
        "GitLab rejected the request to create the note on merge request !42 as invalid (400: \
         {\"note\":[\"is too long (maximum is 1000000 characters)\"]}); hint: this is likely a prcov bug or a host \
         limit, please report it with the --dry-run output"
    );
}

#[test]
fn dry_run_sends_nothing() {
    let fake = Fake::start(Flavor::Gitlab);
    let mut out = Vec::new();
    let t = HostTarget {
        token: None,
        ..target(&fake)
    };
    let outcome = host::publish(&plan(), &t, Mode::DryRun(&mut out)).unwrap();
    assert_eq!(outcome.comment, CommentOutcome::DryRun);
    assert_eq!(fake.server_hits(), 0);
    let text = String::from_utf8(out).unwrap();
    let api = fake.api_url();
    crate::common::redactions(&[], &[(api.as_str(), "{api}")]).bind(|| {
        insta::assert_snapshot!("gitlab_dry_run", text);
    });
}

#[test]
fn redirect_to_another_host_is_not_followed_with_the_token() {
    let fake = Fake::start(Flavor::Gitlab);
    let elsewhere = Fake::start(Flavor::Gitlab);
    let location = format!(
        "{}/api/v4/projects/x/statuses/{SHA}",
        elsewhere.server.base_url()
    );
    fake.fault("POST", "/statuses/", 307, &[("location", &location)], "");
    let err = host::publish(&plan(), &target(&fake), Mode::Send).unwrap_err();
    assert_eq!(elsewhere.server_hits(), 0);
    assert_eq!(
        err.to_string(),
        "GitLab answered 307 to the request to create commit status prcov/patch; hint: unexpected answer; check the API URL"
    );
}
