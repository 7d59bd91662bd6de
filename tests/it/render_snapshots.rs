//! Snapshots of the PR comment, statuses and annotations for the cases a reviewer meets.

use prcov::analysis::gates::{self, Measured};
use prcov::analysis::{DiffSummary, Gate, GateKind, PatchCoverage, PatchFile};
use prcov::model::Totals;
use prcov::render::plan::HostKind;
use prcov::render::publish::{self, Target, TestsBrief};
use prcov::render::{json, markdown, text, Style};

use crate::common::patch_file as file;

fn summary(files: Vec<PatchFile>, gates_in: &[Gate]) -> DiffSummary {
    let mut totals = Totals::default();
    for f in &files {
        totals += f.totals;
    }
    let mut s = DiffSummary {
        base: "1a2b3c4d5e6f7a8b9c0d1a2b3c4d5e6f7a8b9c0d".into(),
        head: "9f8e7d6c5b4a39281706f5e4d3c2b1a098765432".into(),
        revisions: None,
        changed_files: files.len() + 1,
        outcome: prcov::analysis::Outcome::Measured,
        patch: PatchCoverage {
            totals,
            files,
            not_measured: vec!["docs/guide.md".into()],
        },
        project: Totals {
            lines: 1000,
            hits: 812,
            misses: 150,
            partials: 38,
        },
        base_project: Some(Totals {
            lines: 990,
            hits: 800,
            misses: 150,
            partials: 40,
        }),
        unmatched: Vec::new(),
        gates: Vec::new(),
        reports: Vec::new(),
        warnings: Vec::new(),
        links: None,
        history: None,
        monorepo: None,
        percent: prcov::analysis::Percent::default(),
    };
    let m = Measured {
        patch: s.patch.totals.percent(),
        project: s.project.percent(),
        delta: s.delta(),
        changed_files: Some(s.changed_files as u64),
        ..Measured::default()
    };
    s.gates = gates::evaluate(gates_in, &m, 0.0);
    s
}

fn target() -> Target {
    Target {
        host: HostKind::Github,
        repository: "acme/shop".into(),
        pr: Some(42),
        head_sha: "9f8e7d6c5b4a39281706f5e4d3c2b1a098765432".into(),
        comment_key: "default".into(),
        html_url: None,
        section: None,
        comment_skipped: None,
        hide: Default::default(),
    }
}

#[test]
fn comment_some_lines_missing() {
    let s = summary(
        vec![
            file("src/invoice.py", &[10, 11], &[12, 13, 14, 20], &[15]),
            file("src/shipping.py", &[3, 4, 5], &[], &[]),
        ],
        &[Gate {
            kind: GateKind::Patch,
            target: 70.0,
        }],
    );
    insta::assert_snapshot!(markdown::diff(&s));
    insta::assert_snapshot!("text_some_lines_missing", text::diff(&s, Style::default()));
    insta::assert_snapshot!("json_some_lines_missing", json::diff(&s));
}

#[test]
fn comment_all_covered() {
    let s = summary(vec![file("src/a.rs", &[1, 2, 3], &[], &[])], &[]);
    let md = markdown::diff(&s);
    // No gate: neutral wording, never a green tick or a red cross.
    assert!(
        md.starts_with(":information_source: No gate is set: the figures are for information.\n\nPatch coverage is 100.00%: all 3 modified and coverable lines are covered by tests."),
        "{md}"
    );
    insta::assert_snapshot!(md);
}

#[test]
fn comment_no_coverable_lines() {
    let s = summary(
        Vec::new(),
        &[Gate {
            kind: GateKind::Patch,
            target: 90.0,
        }],
    );
    assert!(
        s.passed(),
        "a change without coverable lines passes the patch gate"
    );
    insta::assert_snapshot!(markdown::diff(&s));
    let statuses = publish::statuses(&s, None);
    assert_eq!(
        statuses[0].description,
        "Coverage not affected: no coverable lines changed"
    );
}

#[test]
fn statuses_and_annotations() {
    let s = summary(
        vec![file("src/invoice.py", &[10, 11], &[12, 13, 14, 20], &[15])],
        &[Gate {
            kind: GateKind::Patch,
            target: 70.0,
        }],
    );
    let tests = TestsBrief {
        phrase: "2 failed, 310 passed".into(),
        failures_at: vec![(
            "tests/test_a.py".into(),
            7,
            "test_a failed".into(),
            "assert 1 == 2".into(),
        )],
        ..TestsBrief::default()
    };
    let plan = publish::plan(&s, Some(&tests), &target());
    let st: Vec<_> = plan
        .statuses
        .iter()
        .map(|s| (s.context.as_str(), s.state, s.description.as_str()))
        .collect();
    insta::assert_debug_snapshot!(st);
    let ann: Vec<_> = plan
        .check_run
        .as_ref()
        .map(|c| {
            c.annotations
                .iter()
                .map(|a| {
                    format!(
                        "{}:{}-{} {:?} {}",
                        a.path, a.start_line, a.end_line, a.level, a.message
                    )
                })
                .collect()
        })
        .unwrap_or_default();
    insta::assert_debug_snapshot!(ann);
}

#[test]
fn huge_pr_comment_degrades_under_the_limit() {
    let files: Vec<PatchFile> = (0..5000)
        .map(|i| {
            file(
                &format!("src/module_{i:05}/a_rather_long_file_name_for_the_table.rs"),
                &[1],
                &[2, 4, 6, 8, 10],
                &[12],
            )
        })
        .collect();
    let s = summary(files, &[]);
    let plan = publish::plan(&s, None, &target());
    let n = plan.comment_body.chars().count();
    assert!(
        n <= prcov::render::limits::COMMENT_MAX,
        "comment has {n} characters"
    );
    assert!(
        plan.comment_body.contains("… and "),
        "the table says how many rows it left out"
    );
    assert!(plan
        .comment_body
        .contains("Patch coverage is 14.28% with 30000 lines"));
    // 5000 files × (5 missed ranges + 1 partial) = 30,000 ranges; annotations stop at 5,000
    // (100 requests of 50, within a token's rate limit, and what a saved payload may carry).
    assert_eq!(
        plan.check_run.map(|c| c.annotations.len()),
        Some(prcov::render::limits::ANNOTATIONS_MAX)
    );
}

#[test]
fn comment_with_failed_and_flaky_tests() {
    let fixture = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures/junit/pytest-rerun.xml");
    let (results, _) = prcov::input::load_junit(&[fixture]).unwrap();
    let tests = prcov::analysis::test_summary::summarize(&results, 10);
    let brief = TestsBrief {
        phrase: tests.counts_phrase(),
        section: prcov::render::test_summary::comment_section(&tests, 24_000),
        failures_at: Vec::new(),
    };
    let s = summary(vec![file("src/invoice.py", &[10, 11], &[12], &[])], &[]);
    let plan = publish::plan(&s, Some(&brief), &target());
    // The verdict, patch, project, tests line, files table, failed tests (docs/publishing.md).
    let body = &plan.comment_body;
    let pos = |needle: &str| {
        body.find(needle)
            .unwrap_or_else(|| panic!("{needle} missing from\n{body}"))
    };
    assert!(pos("Patch coverage is") < pos("Project coverage is"));
    assert!(pos("Project coverage is") < pos("2 failed, 1 errored, 5 passed"));
    assert!(pos("2 failed, 1 errored, 5 passed") < pos("| Files with missing lines"));
    assert!(pos("| Files with missing lines") < pos("<details><summary>tests.test_calc"));
    assert!(pos("failed tests, ") < pos("<details><summary>tests.test_calc"));
    insta::assert_snapshot!(body);
    assert_eq!(
        plan.statuses[2].description,
        "2 failed, 1 errored, 5 passed, 1 skipped (1 flaky)"
    );
}

/// Issue 11 item 5: every plan direct publish sends can be saved (`--save`) and loaded back
/// (`--from`). Before, a failed test without a message gave an annotation with an empty message
/// and more than 5,000 uncovered ranges gave more annotations than a payload may carry: both
/// made `--save` fail while direct publish went ahead.
#[test]
fn a_plan_with_empty_failure_messages_and_6000_ranges_can_be_saved() {
    // 6,000 uncovered ranges: every other line missed.
    let missed: Vec<u32> = (1..=6000).map(|i| i * 2).collect();
    let hit: Vec<u32> = (1..=6000).map(|i| i * 2 + 1).collect();
    let s = summary(vec![file("src/big.rs", &hit, &missed, &[])], &[]);
    let tests = TestsBrief {
        phrase: "1 failed".into(),
        failures_at: vec![(
            "tests/t.rs".into(),
            3,
            "t::boom failed".into(),
            String::new(),
        )],
        ..TestsBrief::default()
    };
    let plan = publish::plan(&s, Some(&tests), &target());
    let check = plan.check_run.as_ref().unwrap();
    assert_eq!(check.annotations.len(), 5_000);
    // The failed test is kept (first), with its title as the message.
    assert_eq!(check.annotations[0].path, "tests/t.rs");
    assert_eq!(check.annotations[0].message, "t::boom failed");
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("payload.json");
    prcov::host::payload::save(&plan, &path).unwrap();
    assert_eq!(prcov::host::payload::load(&path).unwrap(), plan);
}

#[test]
fn empty_change_says_so_in_the_comment_and_the_status() {
    let mut s = summary(
        Vec::new(),
        &[Gate {
            kind: GateKind::Patch,
            target: 80.0,
        }],
    );
    s.patch.not_measured.clear();
    s.changed_files = 0;
    s.outcome = prcov::analysis::Outcome::EmptyChange;
    s.gates = gates::evaluate(
        &[Gate {
            kind: GateKind::Patch,
            target: 80.0,
        }],
        &Measured {
            changed_files: Some(0),
            ..Measured::default()
        },
        0.0,
    );
    let md = markdown::diff(&s);
    assert!(md.contains("Patch coverage: the change is empty (base `1a2b3c4`, head `9f8e7d6`): nothing to measure."), "{md}");
    assert!(
        md.contains("| patch | ≥ 80.00% | n/a (no change) | :white_check_mark: passed |"),
        "{md}"
    );
    assert_eq!(
        publish::statuses(&s, None)[0].description,
        "No change between base and head: nothing to measure"
    );
    insta::assert_snapshot!(md);
}
