//! Flags, components and carry-forward (issue 16) on the fixture monorepo of
//! `fixtures/monorepo/`: three components, two flags, a PR; every figure checked against the
//! hand computation written out below.

use std::path::PathBuf;

use prcov::exit;
use serde_json::Value;

use crate::common::{expect_exit, git, json_of, prcov_in};

/// The fixture repository: `main` with three 10-line files and `prcov.toml`, and the PR branch
/// `feature` adding 4 lines to the API handler, 2 to the web view, 3 to the core library.
struct Mono {
    dir: tempfile::TempDir,
    base: String,
    head: String,
}

fn fixture(name: &str) -> PathBuf {
    crate::common::crate_dir()
        .join("fixtures/monorepo")
        .join(name)
}

/// `n` lines unlike any other file's (so git's rename detection leaves them alone).
fn source(tag: &str, n: u32) -> String {
    (1..=n).map(|i| format!("{tag} statement {i}\n")).collect()
}

impl Mono {
    fn new() -> Self {
        let dir = tempfile::tempdir().unwrap();
        let repo = dir.path().join("repo");
        std::fs::create_dir_all(&repo).unwrap();
        let write = |rel: &str, text: &str| {
            let p = repo.join(rel);
            std::fs::create_dir_all(p.parent().unwrap()).unwrap();
            std::fs::write(p, text).unwrap();
        };
        git(&repo, &["init", "-q", "-b", "main"]);
        write(
            "prcov.toml",
            &std::fs::read_to_string(fixture("prcov.toml")).unwrap(),
        );
        for (path, tag) in FILES {
            write(path, &source(tag, 10));
        }
        git(&repo, &["add", "-A"]);
        git(&repo, &["commit", "-q", "-m", "main"]);
        let base = git(&repo, &["rev-parse", "HEAD"]);
        git(&repo, &["checkout", "-q", "-b", "feature"]);
        for ((path, tag), n) in FILES.iter().zip([14, 12, 13]) {
            write(path, &source(tag, n));
        }
        git(&repo, &["commit", "-q", "-am", "feature"]);
        let head = git(&repo, &["rev-parse", "HEAD"]);
        // The reports are this run's output: in the work tree, not committed.
        for name in ["unit.info", "integration.info"] {
            write(
                &format!("coverage/{name}"),
                &std::fs::read_to_string(fixture(name)).unwrap(),
            );
        }
        Mono { dir, base, head }
    }

    fn repo(&self) -> PathBuf {
        self.dir.path().join("repo")
    }

    fn history(&self) -> PathBuf {
        self.dir.path().join("history")
    }

    fn prcov(&self) -> assert_cmd::Command {
        let mut c = prcov_in(&self.repo());
        for key in [
            "GITHUB_REF_NAME",
            "GITHUB_RUN_ID",
            "CI_COMMIT_BRANCH",
            "CI_PIPELINE_ID",
        ] {
            c.env_remove(key);
        }
        c
    }

    fn diff(&self, extra: &[&str]) -> std::process::Output {
        self.prcov()
            .args(["diff", "--base", "main"])
            .args(extra)
            .output()
            .unwrap()
    }

    /// Records `fixtures/monorepo/baseline.info` as the run of the merge-base.
    fn record_baseline(&self) {
        let out = self
            .prcov()
            .arg("record")
            .arg(fixture("baseline.info"))
            .args(["--commit", &self.base, "--branch", "main"])
            .arg("--history-dir")
            .arg(self.history())
            .output()
            .unwrap();
        expect_exit(&out, exit::SUCCESS);
    }

    fn redactions(&self) -> insta::Settings {
        let repo = self.repo().display().to_string();
        crate::common::redactions(
            &[(&self.base, "BASE"), (&self.head, "HEAD")],
            &[(repo.as_str(), "[REPO]")],
        )
    }
}

const FILES: [(&str, &str); 3] = [
    ("services/api/handler.py", "api"),
    ("services/web/view.py", "web"),
    ("libs/core/util.py", "core"),
];

fn totals(v: &Value) -> (u64, u64) {
    (v["hits"].as_u64().unwrap(), v["lines"].as_u64().unwrap())
}

fn by<'a>(list: &'a Value, key: &str, value: &str) -> &'a Value {
    list.as_array()
        .unwrap()
        .iter()
        .find(|x| x[key] == value)
        .unwrap_or_else(|| panic!("no {key} = {value} in {list:#}"))
}

// The hand computation. Lines of the head files: handler.py 14, view.py 12, util.py 13; the PR
// added handler 11-14, view 11-12, util 11-13 (9 lines).
//
// unit.info:        handler hit 1-6, 11, 12 (8/14); view hit 1-11 (11/12);
//                   util hit 1-5, 11-13 (8/13)
// integration.info: handler hit 7-10, 13 (5/14); util hit 6, 7 (2/13)
//
// Merged (both reports, as without flags): a line is hit when either report hits it.
//   handler: 1-13 hit, 14 missed → 13/14;  view 11/12;  util 1-7, 11-13 → 10/13
//   project = (13 + 11 + 10) / (14 + 12 + 13) = 34/39 = 87.18%
//   patch: handler 11 ✓ 12 ✓ 13 ✓ 14 ✗ (3/4); view 11 ✓ 12 ✗ (1/2); util 11-13 ✓ (3/3)
//          = 7/9 = 77.78%
//
// Flag unit (paths services/**, libs/**: every file):
//   project = (8 + 11 + 8) / 39 = 27/39 = 69.23%
//   patch: handler 11 ✓ 12 ✓ 13 ✗ 14 ✗ (2/4); view 1/2; util 3/3 → 6/9 = 66.67%
// Flag integration (paths services/**: util.py's 2/13 is left out):
//   project = handler 5/14 = 35.71%
//   patch: handler 11 ✗ 12 ✗ 13 ✓ 14 ✗ → 1/4 = 25.00%
//
// Component api (services/api/**, every flag; gates patch 80, project 70):
//   patch 3/4 = 75.00% < 80 → failed; project 13/14 = 92.86% ≥ 70 → passed
// Component web (services/web/**; gate patch 50): patch 1/2 = 50.00% ≥ 50 → passed;
//   project 11/12 = 91.67%
// Component core (libs/**, flag unit only; project 70, informational):
//   patch 3/3 = 100%; project unit's util 8/13 = 61.54% < 70 → failed, but informational:
//   its statuses succeed.
const MERGED_PROJECT: (u64, u64) = (34, 39);
const MERGED_PATCH: (u64, u64) = (7, 9);

#[test]
fn flags_and_components_match_the_hand_computation() {
    let m = Mono::new();
    let out = m.diff(&["--format", "json"]);
    // The api component's patch gate failed: exit 1.
    expect_exit(&out, exit::GATE_FAILED);
    let j = json_of(&out);
    assert_eq!(crate::json_schema::diff_problem(&j), None);
    // The merged totals are those of both reports, flags or not.
    assert_eq!(totals(&j["project"]), MERGED_PROJECT);
    assert_eq!(totals(&j["patch"]), MERGED_PATCH);

    let unit = by(&j["flags"], "name", "unit");
    assert_eq!(unit["source"], "uploaded");
    assert_eq!(totals(&unit["project"]), (27, 39));
    assert_eq!(totals(&unit["patch"]), (6, 9));
    let integration = by(&j["flags"], "name", "integration");
    assert_eq!(integration["source"], "uploaded");
    assert_eq!(totals(&integration["project"]), (5, 14));
    assert_eq!(totals(&integration["patch"]), (1, 4));

    let api = by(&j["components"], "id", "api");
    assert_eq!(api["name"], "API service");
    assert_eq!(totals(&api["patch"]), (3, 4));
    assert_eq!(totals(&api["project"]), (13, 14));
    assert_eq!(api["passed"], false);
    let verdicts: Vec<(&str, bool)> = api["gates"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| (g["name"].as_str().unwrap(), g["passed"].as_bool().unwrap()))
        .collect();
    assert_eq!(verdicts, [("patch", false), ("project", true)]);
    let web = by(&j["components"], "id", "web");
    assert_eq!(totals(&web["patch"]), (1, 2));
    assert_eq!(totals(&web["project"]), (11, 12));
    assert_eq!(web["passed"], true);
    let core = by(&j["components"], "id", "core");
    assert_eq!(totals(&core["patch"]), (3, 3));
    assert_eq!(totals(&core["project"]), (8, 13));
    assert_eq!(core["gates"][0]["passed"], false);
    assert_eq!(
        (core["informational"].as_bool(), core["passed"].as_bool()),
        (Some(true), Some(true))
    );

    // The run's gates: the non-informational components' gates, each named by its component.
    let gates: Vec<(&str, &str, bool)> = j["gates"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| {
            (
                g["name"].as_str().unwrap(),
                g["component"].as_str().unwrap(),
                g["passed"].as_bool().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        gates,
        [
            ("patch", "api", false),
            ("project", "api", true),
            ("patch", "web", true)
        ]
    );
    assert_eq!(j["passed"], false);
    let flags: Vec<&Value> = j["reports"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| &r["flags"])
        .collect();
    assert_eq!(
        flags,
        [
            &serde_json::json!(["unit"]),
            &serde_json::json!(["integration"])
        ]
    );

    let parts = serde_json::json!({"flags": j["flags"], "components": j["components"]});
    insta::assert_snapshot!(
        "monorepo_diff_json_parts",
        serde_json::to_string_pretty(&parts).unwrap()
    );

    let text = m.diff(&[]);
    let (stdout, _) = expect_exit(&text, exit::GATE_FAILED);
    m.redactions()
        .bind(|| insta::assert_snapshot!("monorepo_diff_text", stdout));
}

#[test]
fn without_flags_the_same_reports_give_the_same_merged_totals() {
    let m = Mono::new();
    std::fs::write(m.repo().join("prcov.toml"), "").unwrap();
    let out = m.diff(&[
        "--format",
        "json",
        "coverage/unit.info",
        "coverage/integration.info",
    ]);
    let j = json_of(&out);
    expect_exit(&out, exit::SUCCESS);
    assert_eq!(totals(&j["project"]), MERGED_PROJECT);
    assert_eq!(totals(&j["patch"]), MERGED_PATCH);
    // Nothing of flags or components is shown when neither is used.
    assert!(j.get("flags").is_none() && j.get("components").is_none());
    assert!(j["reports"][0].get("flags").is_none());
}

/// The body and statuses of `publish --dry-run`'s requests.
fn dry_run(m: &Mono, extra: &[&str]) -> (Vec<(String, String, String)>, String, String) {
    let out = m
        .prcov()
        .args(["publish", "--dry-run", "--host", "github"])
        .args(["--repo-slug", "octo/mono", "--pr", "5", "--base", "main"])
        .args(["--api-url", "http://127.0.0.1:9"])
        .args(extra)
        .output()
        .unwrap();
    let (stdout, _) = expect_exit(&out, exit::GATE_FAILED);
    let mut statuses = Vec::new();
    let mut body = String::new();
    let mut lines = stdout.lines();
    while let Some(line) = lines.next() {
        let is_status = line.contains("/statuses/");
        let is_comment = line.starts_with("POST ") && line.ends_with("/issues/5/comments");
        if !(is_status || is_comment) {
            continue;
        }
        let mut json = String::new();
        for l in lines.by_ref() {
            json.push_str(l);
            json.push('\n');
            if l == "}" {
                break;
            }
        }
        let v: Value = serde_json::from_str(&json).unwrap();
        if is_status {
            let s = |k: &str| v[k].as_str().unwrap().to_owned();
            statuses.push((s("context"), s("state"), s("description")));
        } else {
            body = v["body"].as_str().unwrap().to_owned();
        }
    }
    (statuses, body, stdout)
}

#[test]
fn publish_plans_a_status_pair_per_component_and_the_tables() {
    let m = Mono::new();
    let (statuses, body, stdout) = dry_run(&m, &[]);
    let got: Vec<(&str, &str)> = statuses
        .iter()
        .map(|(c, s, _)| (c.as_str(), s.as_str()))
        .collect();
    assert_eq!(
        got,
        [
            // The run's own: no run gate is set; 7/9 and 34/39.
            ("prcov/patch", "success"),
            ("prcov/project", "success"),
            // api: 75.00% < 80 fails, 92.86% ≥ 70 passes.
            ("prcov/patch/api", "failure"),
            ("prcov/project/api", "success"),
            ("prcov/patch/web", "success"),
            ("prcov/project/web", "success"),
            // core: 61.54% < 70, informational: success.
            ("prcov/patch/core", "success"),
            ("prcov/project/core", "success"),
        ],
        "{stdout}"
    );
    let descriptions: Vec<&str> = statuses.iter().map(|(_, _, d)| d.as_str()).collect();
    assert_eq!(
        &descriptions[2..],
        [
            "api: 75.00% of diff hit (target 80.00%)",
            "api: 92.85% (target 70.00%)",
            "web: 50.00% of diff hit (target 50.00%)",
            "web: 91.66%",
            "core: 100.00% of diff hit [informational]",
            "core: 61.53% (target 70.00%) [informational]",
        ]
    );
    m.redactions()
        .bind(|| insta::assert_snapshot!("monorepo_comment", body));
}

#[test]
fn component_badges_are_written_beside_the_projects() {
    let m = Mono::new();
    let badge = m.dir.path().join("badge.svg");
    let badge_arg = badge.display().to_string();
    dry_run(&m, &["--badge", &badge_arg]);
    assert!(badge.is_file());
    for (id, value) in [("api", "92.85%"), ("web", "91.66%"), ("core", "61.53%")] {
        let svg = std::fs::read_to_string(m.dir.path().join(format!("badge-{id}.svg"))).unwrap();
        assert!(svg.contains(&format!("coverage {id}")), "{svg}");
        assert!(svg.contains(value), "{id}: {svg}");
    }
}

/// Carry-forward: only `unit` is uploaded; `integration` (`carryforward = true`, paths
/// `services/**`) comes from the merge-base's record, `fixtures/monorepo/baseline.info`:
///   handler.py 10 lines, hit 6-10 (5/10); view.py 10/10; util.py 0/10 (not in services/**).
///   → integration project = (5 + 10) / 20 = 75.00%, no patch (the baseline's lines are not the
///   change's).
/// A component filtering on both flags: `api2` (services/api/**, flags unit + integration):
///   unit's handler hits 1-6, 11, 12 of 14; carried hits 6-10 → 1-12 hit, 13, 14 missed
///   → project 12/14 = 85.71%; patch from the upload only: unit's 11 ✓ 12 ✓ 13 ✗ 14 ✗ = 2/4.
#[test]
fn a_flag_not_uploaded_is_carried_forward_from_the_baseline_or_shown_missing() {
    let m = Mono::new();
    let config = std::fs::read_to_string(fixture("prcov.toml")).unwrap()
        + "\n[[components]]\nid = \"api2\"\npaths = [\"services/api/**\"]\nflags = [\"unit\", \"integration\"]\n";
    let config_path = m.dir.path().join("carry.toml");
    std::fs::write(&config_path, config).unwrap();
    let config_arg = config_path.display().to_string();
    let args = [
        "--config",
        &config_arg,
        "--flag",
        "unit",
        "coverage/unit.info",
        "--format",
        "json",
    ];

    // Without history: shown as missing, with the reason.
    let j = json_of(&m.diff(&args));
    assert_eq!(crate::json_schema::diff_problem(&j), None);
    let integration = by(&j["flags"], "name", "integration");
    assert_eq!(integration["source"], "missing");
    assert!(integration["project"].is_null() && integration["patch"].is_null());
    assert!(integration["missing_reason"]
        .as_str()
        .unwrap()
        .contains("needs history"));
    // The merged totals are unit's alone now: 27/39.
    assert_eq!(totals(&j["project"]), (27, 39));
    let markdown: Vec<&str> = args[..5]
        .iter()
        .copied()
        .chain(["--format", "markdown"])
        .collect();
    let (comment, _) = expect_exit(&m.diff(&markdown), exit::GATE_FAILED);
    m.redactions()
        .bind(|| insta::assert_snapshot!("monorepo_missing_flag_comment", comment));

    m.record_baseline();
    let history = m.history().display().to_string();
    let with_history: Vec<&str> = args
        .iter()
        .copied()
        .chain(["--history-dir", &history])
        .collect();
    let j = json_of(&m.diff(&with_history));
    assert_eq!(crate::json_schema::diff_problem(&j), None);
    let integration = by(&j["flags"], "name", "integration");
    assert_eq!(integration["source"], "carried_forward");
    assert_eq!(integration["carried_from"], m.base.as_str());
    assert_eq!(totals(&integration["project"]), (15, 20));
    assert!(integration["patch"].is_null());
    let api2 = by(&j["components"], "id", "api2");
    assert_eq!(totals(&api2["project"]), (12, 14));
    assert_eq!(totals(&api2["patch"]), (2, 4));
    assert_eq!(api2["carried_forward"], serde_json::json!(["integration"]));
    // Carried coverage does not enter the merged totals.
    assert_eq!(totals(&j["project"]), (27, 39));

    let text_args: Vec<&str> = with_history
        .iter()
        .copied()
        .filter(|a| *a != "--format" && *a != "json")
        .collect();
    let out = m.diff(&text_args);
    let (stdout, _) = expect_exit(&out, exit::GATE_FAILED);
    assert!(stdout.contains("carried forward from"), "{stdout}");
    let markdown: Vec<&str> = text_args
        .iter()
        .copied()
        .chain(["--format", "markdown"])
        .collect();
    let (comment, _) = expect_exit(&m.diff(&markdown), exit::GATE_FAILED);
    let short = &m.base[..7];
    assert!(
        comment.contains(&format!(
            "| `integration` | — | 75.00% (15/20) | carried forward from `{short}` |"
        )),
        "{comment}"
    );
    assert!(
        comment.contains(
            "| `api2` | 50.00% (2/4) | 85.71% (12/14) (carried forward: `integration`) | — |"
        ),
        "{comment}"
    );
    m.redactions()
        .bind(|| insta::assert_snapshot!("monorepo_carried_forward_text", stdout));
}

#[test]
fn bad_names_and_globs_are_usage_errors() {
    let m = Mono::new();
    let out = m.diff(&["--flag", "a/b"]);
    let (_, err) = expect_exit(&out, exit::BAD_INPUT);
    assert!(err.contains("flag \"a/b\" is not a valid name"), "{err}");
    std::fs::write(
        m.repo().join("prcov.toml"),
        "[[components]]\nid = \"api\"\npaths = [\"src/[a\"]\n",
    )
    .unwrap();
    let (_, err) = expect_exit(&m.diff(&[]), exit::BAD_INPUT);
    assert!(err.contains("component \"api\": paths:"), "{err}");
    std::fs::write(
        m.repo().join("prcov.toml"),
        "[[components]]\nid = \"api\"\npath = [\"src/**\"]\n",
    )
    .unwrap();
    let (_, err) = expect_exit(&m.diff(&[]), exit::BAD_INPUT);
    assert!(err.contains("unknown key `path`"), "{err}");
}

/// The fork recipe: the component statuses survive `--save` and pass the trust checks of
/// `--from` (the payload is untrusted input: only prcov's own contexts are accepted).
#[test]
fn a_saved_payload_with_component_statuses_is_accepted_by_from() {
    let m = Mono::new();
    let payload = m.dir.path().join("payload.json");
    let out = m
        .prcov()
        .args(["publish", "--host", "github"])
        .args(["--repo-slug", "octo/mono", "--pr", "5", "--base", "main"])
        .arg("--save")
        .arg(&payload)
        .output()
        .unwrap();
    expect_exit(&out, exit::GATE_FAILED);
    let saved: Value = serde_json::from_str(&std::fs::read_to_string(&payload).unwrap()).unwrap();
    let contexts: Vec<&str> = saved["statuses"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["context"].as_str().unwrap())
        .collect();
    assert_eq!(contexts.len(), 8, "{contexts:?}");
    assert!(contexts.contains(&"prcov/patch/api"));

    let from = |path: &std::path::Path| {
        m.prcov()
            .args(["publish", "--dry-run", "--host", "github"])
            .args(["--repo-slug", "octo/mono", "--pr", "5", "--head", &m.head])
            .args(["--api-url", "http://127.0.0.1:9"])
            .arg("--from")
            .arg(path)
            .output()
            .unwrap()
    };
    let (stdout, _) = expect_exit(&from(&payload), exit::SUCCESS);
    assert!(
        stdout.contains("\"context\": \"prcov/project/core\""),
        "{stdout}"
    );

    // A context that is not prcov's own is refused before anything is sent.
    let forged = m.dir.path().join("forged.json");
    let text = std::fs::read_to_string(&payload)
        .unwrap()
        .replace("prcov/patch/api", "prcov/tests/api");
    std::fs::write(&forged, text).unwrap();
    let (_, err) = expect_exit(&from(&forged), exit::BAD_INPUT);
    assert!(
        err.contains("\"prcov/tests/api\" is not one of prcov's own"),
        "{err}"
    );
}

/// The comment with the table under `header` (up to the blank line after it) cut out.
fn without_table(body: &str, header: &str) -> String {
    let start = body
        .find(header)
        .unwrap_or_else(|| panic!("no {header} in {body}"));
    let end = body[start..]
        .find("\n\n")
        .map_or(body.len(), |i| start + i + 1);
    // The table starts after a blank line: that one goes with it.
    format!("{}{}", &body[..start - 1], &body[end..])
}

/// `--hide components` / `--hide flags`, and `[comment] hide`, leave out that table of the
/// comment and nothing else.
#[test]
fn hide_leaves_out_the_components_or_the_flags_table_and_only_it() {
    let m = Mono::new();
    let (statuses, full, _) = dry_run(&m, &[]);
    let components = "| Component | Patch | Project | Gates |";
    let flags = "| Flag | Patch | Project | Coverage from |";
    assert!(full.contains(components) && full.contains(flags), "{full}");

    let (hidden_statuses, no_components, _) = dry_run(&m, &["--hide", "components"]);
    assert!(!no_components.contains(components), "{no_components}");
    assert!(!no_components.contains("API service `api`"));
    assert!(no_components.contains(flags));
    assert_eq!(no_components, without_table(&full, components));
    // The comment hides a table; the component statuses are still posted.
    assert_eq!(hidden_statuses, statuses);

    let (_, no_flags, _) = dry_run(&m, &["--hide", "flags"]);
    assert!(!no_flags.contains(flags), "{no_flags}");
    assert!(no_flags.contains(components));
    assert_eq!(no_flags, without_table(&full, flags));

    let (_, neither, _) = dry_run(&m, &["--hide", "components", "--hide", "flags"]);
    assert_eq!(
        neither,
        without_table(&without_table(&full, components), flags)
    );

    // The same from prcov.toml.
    let toml = m.repo().join("prcov.toml");
    let mut text = std::fs::read_to_string(&toml).unwrap();
    text.push_str("\n[comment]\nhide = [\"flags\"]\n");
    std::fs::write(&toml, text).unwrap();
    let (_, from_toml, _) = dry_run(&m, &[]);
    assert_eq!(from_toml, no_flags);
}

/// codecov.yml's `precision: 1`, `round: up` change every percentage shown (terminal, comment,
/// statuses) and nothing in the JSON.
#[test]
fn codecov_precision_and_round_change_what_is_shown_and_not_the_json() {
    let m = Mono::new();
    let stdout = |o: std::process::Output| String::from_utf8(o.stdout).unwrap();
    let text = stdout(m.diff(&[]));
    let json = stdout(m.diff(&["--format", "json"]));
    let (statuses, body, _) = dry_run(&m, &[]);

    std::fs::write(
        m.repo().join("codecov.yml"),
        "coverage:\n  precision: 1\n  round: up\n",
    )
    .unwrap();
    let text_up = stdout(m.diff(&[]));
    let json_up = stdout(m.diff(&["--format", "json"]));
    let (statuses_up, body_up, _) = dry_run(&m, &[]);

    assert_eq!(json_up, json, "the JSON keeps the exact values");
    // 13/14 = 92.857…%: 92.85 rounded down to two decimals, 92.9 rounded up to one.
    assert!(text.contains("92.85%") && !text.contains("92.9%"), "{text}");
    assert!(
        text_up.contains("92.9%") && !text_up.contains("92.85%"),
        "{text_up}"
    );
    assert!(
        body.contains("| project/api | ≥ 70.00% | 92.85% |"),
        "{body}"
    );
    assert!(
        body_up.contains("| project/api | ≥ 70.0% | 92.9% |"),
        "{body_up}"
    );
    // The same gates decide: patch/api 75 % < 80 % still fails.
    let states = |s: &[(String, String, String)]| -> Vec<String> {
        s.iter().map(|(c, st, _)| format!("{c} {st}")).collect()
    };
    assert_eq!(states(&statuses_up), states(&statuses));
    let descriptions: Vec<&str> = statuses_up.iter().map(|(_, _, d)| d.as_str()).collect();
    assert_eq!(
        descriptions,
        [
            "77.8% of diff hit",
            "87.2%",
            "api: 75.0% of diff hit (target 80.0%)",
            "api: 92.9% (target 70.0%)",
            "web: 50.0% of diff hit (target 50.0%)",
            "web: 91.7%",
            "core: 100.0% of diff hit [informational]",
            "core: 61.6% (target 70.0%) [informational]",
        ]
    );
    m.redactions().bind(|| {
        insta::assert_snapshot!("monorepo_diff_text_precision_1_up", text_up);
        insta::assert_snapshot!("monorepo_comment_precision_1_up", body_up);
    });
}
