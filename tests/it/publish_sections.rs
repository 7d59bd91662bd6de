//! One sticky comment for several jobs (`--section`), and when and how the comment is written
//! (`[comment] behavior`, `require_changes`): the real binary against the fake GitHub, in the
//! temporary repository of `publish_e2e`.
//!
//! The two jobs: `unit` and `integration` report on the same files. Head coverage of the
//! standard scenario's changed lines (calc 11-15, util 1-4 coverable) and of calc 1-10:
//! - unit: calc 1-8, 11, 12 hit; util nothing hit;
//! - integration: calc 9, 13 hit; util 1-3 hit.
//!
//! Merged by hand (a line hit in either is hit): patch calc 11, 12, 13 of 11-15 and util 1-3 of
//! 1-4 = 6 of 9 (66.66%); project calc 1-9, 11-13 of 1-15 (12) and util 3 of 4 = 15 of 19
//! (78.94%).

use std::sync::{Arc, Barrier};

use crate::host_support::{Fake, Flavor};
use crate::publish_e2e::{gitlab_cmd, lcov_file, run, unsectioned, write, Scenario};
use prcov::exit;
use serde_json::Value;

fn calc(hit: &[u32]) -> String {
    let lines: Vec<(u32, u32)> = (1..=15)
        .map(|l| (l, if hit.contains(&l) { 2 } else { 0 }))
        .collect();
    lcov_file("src/calc.rs", &lines)
}

fn util(hit: &[u32]) -> String {
    let lines: Vec<(u32, u32)> = (1..=4).map(|l| (l, u32::from(hit.contains(&l)))).collect();
    lcov_file("src/util.rs", &lines)
}

/// Writes the two jobs' reports; returns (unit, integration).
fn reports(sc: &Scenario) -> (String, String) {
    let unit = sc.ci_path("unit.info");
    write(
        &unit,
        &(calc(&[1, 2, 3, 4, 5, 6, 7, 8, 11, 12]) + &util(&[])),
    );
    let integ = sc.ci_path("integration.info");
    write(&integ, &(calc(&[9, 13]) + &util(&[1, 2, 3])));
    (unit.display().to_string(), integ.display().to_string())
}

/// `(hits, lines)` of patch and project of one `prcov diff` over both reports at once.
fn merged_run(sc: &Scenario, unit: &str, integ: &str) -> ((u64, u64), (u64, u64)) {
    let out = assert_cmd::Command::cargo_bin("prcov")
        .unwrap()
        .current_dir(&sc.repo)
        .env("NO_COLOR", "1")
        .args([
            "diff", "--base", &sc.base, "--head", &sc.head, "--format", "json",
        ])
        .args([unit, integ])
        .output()
        .unwrap();
    crate::common::expect_exit(&out, exit::SUCCESS);
    let json = crate::common::json_of(&out);
    let pair = |t: &Value| (t["hits"].as_u64().unwrap(), t["lines"].as_u64().unwrap());
    (pair(&json["patch"]), pair(&json["project"]))
}

/// `66.66% (6 of 9 lines)`: rounded down, as prcov shows every percentage.
fn figure((hits, lines): (u64, u64)) -> String {
    let hundredths = hits * 10_000 / lines;
    format!(
        "{}.{:02}% ({hits} of {lines} lines)",
        hundredths / 100,
        hundredths % 100
    )
}

/// The standard scenario's head coverage (`Scenario::write_lcov`), kept under its own name:
/// `write_lcov` always writes the same file.
fn lcov_as(
    sc: &Scenario,
    name: &str,
    calc_missed: &[u32],
    util_missed: &[u32],
) -> std::path::PathBuf {
    let written = sc.write_lcov(calc_missed, util_missed);
    let kept = sc.ci_path(name);
    std::fs::copy(written, &kept).unwrap();
    kept
}

fn job(sc: &Scenario, fake: &Fake, section: &str, report: &str) -> assert_cmd::Command {
    let mut cmd = sc.prcov(&fake.api_url());
    cmd.args([report, "--section", section]);
    cmd
}

#[test]
fn two_jobs_in_either_order_leave_one_comment_with_both_sections_and_merged_totals() {
    let sc = Scenario::standard();
    let (unit, integ) = reports(&sc);
    let (patch, project) = merged_run(&sc, &unit, &integ);
    // The merged run agrees with the hand computation in the module comment.
    assert_eq!((patch, project), ((6, 9), (15, 19)));
    let all_row = format!(
        "| **All sections** | | **{}** | **{}** |",
        figure(patch),
        figure(project)
    );

    let mut finals = Vec::new();
    for order in [
        [("unit", &unit), ("integration", &integ)],
        [("integration", &integ), ("unit", &unit)],
    ] {
        let fake = Fake::start(Flavor::Github);
        for (section, report) in order {
            let r = run(&mut job(&sc, &fake, section, report));
            assert_eq!(r.code, i32::from(exit::SUCCESS), "{}", r.stderr);
        }
        let comments = fake.state().comments.clone();
        assert_eq!(comments.len(), 1, "{comments:?}");
        let body = comments[0].body.clone();
        assert!(body.contains(&all_row), "{body}");
        for name in ["unit", "integration"] {
            assert!(body.contains(&format!("<!-- prcov-section:{name} sha={} ", sc.head)));
            assert!(body.contains(&format!("\n<!-- /prcov-section:{name} -->\n")));
        }
        // Each section's own figures: unit 2 of 9 added lines, integration 4 of 9.
        assert!(body.contains("| `unit` | `"), "{body}");
        assert!(
            body.contains("22.22% (2 of 9 lines) | 52.63% (10 of 19 lines) |"),
            "{body}"
        );
        assert!(
            body.contains("44.44% (4 of 9 lines) | 26.31% (5 of 19 lines) |"),
            "{body}"
        );
        fake.assert_bodies_valid();
        finals.push(body);
    }
    // Whichever job came last, the comment is the same, byte for byte.
    assert_eq!(finals[0], finals[1]);
    insta::assert_snapshot!("two_section_comment", finals[0]);

    // The unit section is kept byte for byte when integration writes: same as unit alone.
    let fake = Fake::start(Flavor::Github);
    run(&mut job(&sc, &fake, "unit", &unit));
    let alone = fake.state().comments[0].body.clone();
    let section = alone
        .strip_prefix("<!-- prcov:default -->\n")
        .unwrap()
        .trim_end_matches('\n');
    assert!(finals[0].contains(section));
    // Alone, the comment is the section: no header.
    assert!(!alone.contains("Coverage across"));
    assert!(unsectioned(&alone).starts_with("<!-- prcov:default -->\n:information_source:"));
}

#[test]
fn a_new_push_turns_the_other_sections_pending_until_their_job_reports() {
    let mut sc = Scenario::standard();
    let (unit, integ) = reports(&sc);
    let fake = Fake::start(Flavor::Github);
    run(&mut job(&sc, &fake, "unit", &unit));
    run(&mut job(&sc, &fake, "integration", &integ));
    let old_head = sc.head.clone();

    sc.push("docs/notes.md", "# Notes\n\nAnother push.\n");
    let r = run(&mut job(&sc, &fake, "integration", &integ));
    assert_eq!(r.code, i32::from(exit::SUCCESS), "{}", r.stderr);
    let body = fake.state().comments[0].body.clone();
    let short = |s: &str| s[..7].to_owned();
    assert!(
        body.contains(&format!(
            "<!-- prcov-section:unit sha={} time=",
            sc.head
        )) && body.contains(&format!(" pending={old_head} -->\n:hourglass_flowing_sand: pending for `{}` (its last result, for `{}`, is out of date)\n<!-- /prcov-section:unit -->", short(&sc.head), short(&old_head))),
        "{body}"
    );
    // The header counts only the section that reported for this head, and says unit is pending.
    assert!(
        body.contains(
            "| **All sections** | | **44.44% (4 of 9 lines)** | **26.31% (5 of 19 lines)** |"
        ),
        "{body}"
    );
    assert!(
        body.contains(":hourglass_flowing_sand: Pending: `unit`"),
        "{body}"
    );

    // The unit job reports for the new head: both sections again, the merged totals back.
    run(&mut job(&sc, &fake, "unit", &unit));
    let body = fake.state().comments[0].body.clone();
    assert!(!body.contains("pending"), "{body}");
    assert!(
        body.contains(
            "| **All sections** | | **66.66% (6 of 9 lines)** | **78.94% (15 of 19 lines)** |"
        ),
        "{body}"
    );
    assert_eq!(fake.state().comments.len(), 1);
}

#[test]
fn gitlab_notes_hold_the_sections_the_same_way() {
    let sc = Scenario::standard();
    let (unit, integ) = reports(&sc);
    let mut bodies = Vec::new();
    for flavor in [Flavor::Github, Flavor::Gitlab] {
        let fake = Fake::start(flavor);
        for (section, report) in [("integration", &integ), ("unit", &unit)] {
            let mut cmd = match flavor {
                Flavor::Github => sc.prcov(&fake.api_url()),
                Flavor::Gitlab => gitlab_cmd(&sc, &fake),
            };
            let r = run(cmd.args([report.as_str(), "--section", section]));
            assert_eq!(r.code, i32::from(exit::SUCCESS), "{}", r.stderr);
        }
        let notes = fake.state().comments.clone();
        assert_eq!(notes.len(), 1, "{notes:?}");
        fake.assert_bodies_valid();
        bodies.push(notes[0].body.clone());
    }
    // The same comment on both hosts, links aside (GitLab's point at its own web address).
    assert!(
        bodies[1].contains(
            "| **All sections** | | **66.66% (6 of 9 lines)** | **78.94% (15 of 19 lines)** |"
        ),
        "{}",
        bodies[1]
    );
    let sections = |b: &str| -> Vec<(String, String)> {
        prcov::render::sections::parse(b)
            .into_iter()
            .map(|f| (f.name, f.data))
            .collect()
    };
    assert_eq!(sections(&bodies[0]), sections(&bodies[1]));
    assert_eq!(sections(&bodies[1]).len(), 2);
}

#[test]
fn two_jobs_finishing_at_the_same_moment_20_times_leave_one_comment_with_both_sections() {
    let sc = Scenario::standard();
    let (unit, integ) = reports(&sc);
    // The comment both orders give, one job after the other.
    let sequential = {
        let fake = Fake::start(Flavor::Github);
        run(&mut job(&sc, &fake, "unit", &unit));
        run(&mut job(&sc, &fake, "integration", &integ));
        let body = fake.state().comments[0].body.clone();
        body
    };
    let mut rounds_with_a_retry = 0;
    for round in 0..20 {
        let fake = Fake::start(Flavor::Github);
        let barrier = Arc::new(Barrier::new(2));
        let handles: Vec<_> = [("unit", &unit), ("integration", &integ)]
            .into_iter()
            .map(|(section, report)| {
                let mut cmd = job(&sc, &fake, section, report);
                let barrier = Arc::clone(&barrier);
                std::thread::spawn(move || {
                    barrier.wait();
                    run(&mut cmd)
                })
            })
            .collect();
        for h in handles {
            let r = h.join().unwrap();
            assert_eq!(
                r.code,
                i32::from(exit::SUCCESS),
                "round {round}: {}",
                r.stderr
            );
            assert!(!r.stderr.contains("kept changing"), "{}", r.stderr);
        }
        let comments = fake.state().comments.clone();
        assert_eq!(comments.len(), 1, "round {round}: {comments:?}");
        assert_eq!(comments[0].body, sequential, "round {round}");
        // More than one create, or more than the two writes and two re-reads a clean pair needs:
        // the jobs really overlapped.
        if fake.count("POST", "/issues/7/comments") > 1
            || fake.count("PATCH", "/issues/comments/") > 1
        {
            rounds_with_a_retry += 1;
        }
    }
    // Not asserted (timing decides), but shown when the test is run with --nocapture.
    println!("{rounds_with_a_retry} of 20 rounds raced on the comment");
}

#[test]
fn require_changes_posts_only_when_the_comment_has_something_to_act_on() {
    let sc = Scenario::standard();
    // Every added line covered, no tests, no baseline: nothing to act on.
    let covered = lcov_as(&sc, "covered.info", &[], &[]);
    let fake = Fake::start(Flavor::Github);
    let quiet = run(sc
        .prcov(&fake.api_url())
        .arg(&covered)
        .arg("--require-changes"));
    assert_eq!(quiet.code, i32::from(exit::SUCCESS), "{}", quiet.stderr);
    assert!(
        quiet.stderr.contains(
            "no comment posted: comment.require_changes is set, and there is no baseline to tell whether coverage changed, no added line is uncovered and no test failed"
        ),
        "{}",
        quiet.stderr
    );
    assert_eq!(fake.count("GET", "/comments"), 0);
    assert!(fake.state().comments.is_empty());
    // The statuses are still sent.
    assert_eq!(fake.count("POST", "/statuses/"), 2);

    // The same setting from prcov.toml; a dry run says what it would do.
    write(
        &sc.repo.join("prcov.toml"),
        "[comment]\nrequire_changes = true\n",
    );
    let dry = run(sc.prcov(&fake.api_url()).arg(&covered).arg("--dry-run"));
    assert_eq!(dry.code, i32::from(exit::SUCCESS), "{}", dry.stderr);
    assert!(
        dry.stdout
            .contains("no comment: comment.require_changes is set"),
        "{}",
        dry.stdout
    );
    assert!(!dry.stdout.contains("/issues/7/comments"), "{}", dry.stdout);

    // An uncovered added line: the comment is posted.
    let missed = lcov_as(&sc, "missed.info", &[13], &[]);
    let loud = run(sc.prcov(&fake.api_url()).arg(&missed));
    assert_eq!(loud.code, i32::from(exit::SUCCESS), "{}", loud.stderr);
    assert!(
        !loud.stderr.contains("no comment posted"),
        "{}",
        loud.stderr
    );
    assert_eq!(fake.state().comments.len(), 1);

    // A failed test is something to act on too, with every line covered.
    let fake = Fake::start(Flavor::Github);
    let junit = sc.write_junit();
    let failing = run(sc
        .prcov(&fake.api_url())
        .arg(&covered)
        .arg("--junit")
        .arg(&junit));
    assert_eq!(failing.code, i32::from(exit::SUCCESS), "{}", failing.stderr);
    assert_eq!(fake.state().comments.len(), 1, "{}", failing.stderr);
}

#[test]
fn behavior_once_never_edits_new_deletes_and_recreates_spammy_adds() {
    let sc = Scenario::standard();
    let fake = Fake::start(Flavor::Github);
    let first = lcov_as(&sc, "first.info", &[13], &[]);
    run(sc.prcov(&fake.api_url()).arg(&first));
    let created = fake.state().comments.clone();
    assert_eq!(created.len(), 1);

    // once: the comment exists, so nothing is written even though the coverage changed.
    let second = lcov_as(&sc, "second.info", &[13, 14], &[3]);
    let once = run(sc
        .prcov(&fake.api_url())
        .arg(&second)
        .args(["--comment-behavior", "once"]));
    assert_eq!(once.code, i32::from(exit::SUCCESS), "{}", once.stderr);
    assert!(
        once.stderr.contains(
            "no comment posted: the comment already holds section `default` and the comment behavior is `once`: it is never edited"
        ),
        "{}",
        once.stderr
    );
    assert_eq!(fake.count("PATCH", "/issues/comments/"), 0);
    assert_eq!(fake.count("POST", "/issues/7/comments"), 1);
    let ids_bodies = |c: &[crate::host_support::Comment]| -> Vec<(u64, String)> {
        c.iter().map(|c| (c.id, c.body.clone())).collect()
    };
    assert_eq!(ids_bodies(&fake.state().comments), ids_bodies(&created));

    // With sections, each is written once: a job whose section is missing still adds it, and
    // leaves the others as they are.
    let integ = lcov_as(&sc, "integration.info", &[], &[]);
    let added = run(sc.prcov(&fake.api_url()).arg(&integ).args([
        "--comment-behavior",
        "once",
        "--section",
        "integration",
    ]));
    assert_eq!(added.code, i32::from(exit::SUCCESS), "{}", added.stderr);
    let with_two = fake.state().comments.clone();
    assert_eq!(with_two.len(), 1);
    assert_eq!(with_two[0].id, created[0].id);
    let first_section = created[0]
        .body
        .strip_prefix("<!-- prcov:default -->\n")
        .unwrap()
        .trim_end_matches('\n');
    assert!(
        with_two[0].body.contains(first_section),
        "{}",
        with_two[0].body
    );
    assert!(with_two[0].body.contains("<!-- prcov-section:integration "));
    let again = run(sc.prcov(&fake.api_url()).arg(&second).args([
        "--comment-behavior",
        "once",
        "--section",
        "integration",
    ]));
    assert!(
        again.stderr.contains("already holds section `integration`"),
        "{}",
        again.stderr
    );
    assert_eq!(fake.state().comments[0].body, with_two[0].body);
    let patches = fake.count("PATCH", "/issues/comments/");

    // new: the old comment is deleted and a new one posted with the new figures.
    let new = run(sc
        .prcov(&fake.api_url())
        .arg(&second)
        .args(["--comment-behavior", "new"]));
    assert_eq!(new.code, i32::from(exit::SUCCESS), "{}", new.stderr);
    let after = fake.state().comments.clone();
    assert_eq!(after.len(), 1, "{after:?}");
    assert_ne!(after[0].id, created[0].id);
    assert!(after[0].id > created[0].id);
    assert_ne!(after[0].body, created[0].body);
    assert!(
        after[0].body.contains("Patch coverage is 66.66%"),
        "{}",
        after[0].body
    );
    assert_eq!(
        fake.count("DELETE", &format!("/issues/comments/{}", created[0].id)),
        1
    );
    assert_eq!(fake.count("PATCH", "/issues/comments/"), patches);
    // The integration section came along into the new comment.
    assert!(
        after[0].body.contains("<!-- prcov-section:integration "),
        "{}",
        after[0].body
    );

    // spammy: one more comment each time, none deleted.
    run(sc
        .prcov(&fake.api_url())
        .arg(&second)
        .args(["--comment-behavior", "spammy"]));
    let spam = fake.state().comments.clone();
    assert_eq!(spam.len(), 2);
    assert_eq!(ids_bodies(&spam[..1]), ids_bodies(&after));
    assert_eq!(spam[1].body, after[0].body);
    fake.assert_bodies_valid();
}

#[test]
fn hidden_parts_are_left_out_of_the_comment() {
    let sc = Scenario::standard();
    let fake = Fake::start(Flavor::Github);
    let r = run(sc
        .prcov(&fake.api_url())
        .args(sc.standard_args())
        .args(["--hide", "project", "--hide", "tests"]));
    assert_eq!(r.code, i32::from(exit::GATE_FAILED), "{}", r.stderr);
    let body = fake.state().comments[0].body.clone();
    assert!(body.contains("Patch coverage is 66.66%"), "{body}");
    assert!(body.contains("Files with missing lines"), "{body}");
    assert!(!body.contains("Project coverage"), "{body}");
    assert!(
        !body.contains("Tests: 1 failed") && !body.contains("failed test"),
        "{body}"
    );
    // The gates table still says the tests gate failed: hiding is not passing.
    assert!(
        body.contains("| tests | 0 failed | 1 failed | :x: failed |"),
        "{body}"
    );

    write(
        &sc.repo.join("prcov.toml"),
        "[comment]\nhide = [\"files\"]\n",
    );
    run(sc.prcov(&fake.api_url()).args(sc.standard_args()));
    let body = fake.state().comments[0].body.clone();
    assert!(!body.contains("Files with missing lines"), "{body}");
    assert!(body.contains("Project coverage is"), "{body}");
}

#[test]
fn bad_comment_settings_are_usage_errors() {
    let sc = Scenario::standard();
    let fake = Fake::start(Flavor::Github);
    let lcov = sc.write_lcov(&[], &[]);
    let r = run(sc
        .prcov(&fake.api_url())
        .arg(&lcov)
        .args(["--section", "unit tests"]));
    assert_eq!(r.code, i32::from(exit::BAD_INPUT));
    assert!(
        r.stderr
            .contains("--section \"unit tests\" is not a section name"),
        "{}",
        r.stderr
    );
    let r = run(sc
        .prcov(&fake.api_url())
        .arg(&lcov)
        .args(["--hide", "gates"]));
    assert_eq!(r.code, i32::from(exit::BAD_INPUT));
    assert!(
        r.stderr
            .contains("--hide: unknown comment part(s) to hide: gates"),
        "{}",
        r.stderr
    );
    write(
        &sc.repo.join("prcov.toml"),
        "[comment]\nbehavior = \"sometimes\"\n",
    );
    let r = run(sc.prcov(&fake.api_url()).arg(&lcov));
    assert_eq!(r.code, i32::from(exit::BAD_INPUT));
    assert!(r.stderr.contains("prcov.toml:2:"), "{}", r.stderr);
    assert_eq!(fake.server_hits(), 0);
}
