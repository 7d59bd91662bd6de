//! History deltas against an independent computation: pycobertura 4.1.0's `diff` and `show` on
//! the base and head Cobertura reports of a real project at two releases (packaging 24.1 → 24.2,
//! coverage.py 7.17.4). The reports and pycobertura's outputs are checked in
//! (fixtures/history-agreement/, written by scripts/history-agreement/run.sh, which also runs the
//! same comparison on freshly made reports).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command as Std;

use serde_json::Value;

use super::history_e2e::{prcov, Repo};

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures/history-agreement")
        .join(name)
}

fn json(name: &str) -> Value {
    serde_json::from_slice(&std::fs::read(fixture(name)).unwrap()).unwrap()
}

fn gunzip(name: &str, to: &Path) {
    let out = Std::new("gzip")
        .args(["-dc"])
        .arg(fixture(name))
        .output()
        .unwrap();
    assert!(out.status.success());
    std::fs::write(to, out.stdout).unwrap();
}

/// "+12", "-3", "0", "53.55%" → number.
fn num(v: &Value) -> f64 {
    match v {
        Value::Number(n) => n.as_f64().unwrap(),
        Value::String(s) => s.trim_end_matches('%').parse().unwrap(),
        other => panic!("not a number: {other}"),
    }
}

fn round2(v: f64) -> f64 {
    (v * 100.0).round() / 100.0
}

/// A repository whose commits hold the files of each release (contents do not matter: reports
/// are matched against the tracked paths).
fn releases_repo() -> Repo {
    let r = Repo::new();
    for (list, branch) in [
        ("files-base.txt", None),
        ("files-head.txt", Some("feature")),
    ] {
        if let Some(b) = branch {
            r.git(&["checkout", "-q", "-b", b]);
            r.git(&["rm", "-q", "-r", "."]);
        }
        let files = std::fs::read_to_string(fixture(list)).unwrap();
        for f in files.lines() {
            r.write(f, &format!("{f} {list}\n"));
        }
        r.commit(list);
    }
    r
}

fn history_diff(r: &Repo, extra: &[&str]) -> Value {
    let base = r.outside.path().join("base.xml");
    let head = r.outside.path().join("head.xml");
    gunzip("base.xml.gz", &base);
    gunzip("head.xml.gz", &head);
    let dir = r.outside.path().join(format!("history{}", extra.len()));
    prcov()
        .arg("record")
        .arg(&base)
        .arg("--repo")
        .arg(r.path())
        .args(["--commit", "main", "-q", "--history-dir"])
        .arg(&dir)
        .args(extra)
        .assert()
        .success();
    let out = prcov()
        .arg("diff")
        .arg(&head)
        .arg("--repo")
        .arg(r.path())
        .args(["--base", "main", "--head", "feature", "--format", "json"])
        .arg("--history-dir")
        .arg(&dir)
        .args(extra)
        .output()
        .unwrap();
    serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|_| panic!("{}", String::from_utf8_lossy(&out.stderr)))
}

#[test]
fn project_and_per_file_deltas_equal_pycobertura() {
    let r = releases_repo();
    let j = history_diff(&r, &[]);
    assert_eq!(j["history"]["baseline"]["distance"], 0);
    let diff = json("pycobertura-diff.json");
    let show: BTreeMap<&str, Value> = [
        ("base", json("pycobertura-show-base.json")),
        ("head", json("pycobertura-show-head.json")),
    ]
    .into_iter()
    .collect();
    let cover = |side: &str, path: &str| {
        show[side]["files"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["Filename"] == path)
            .map(|f| num(&f["Cover"]))
    };

    let changes: BTreeMap<&str, &Value> = j["history"]["coverage_changes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| (c["path"].as_str().unwrap(), c))
        .collect();
    let rows: BTreeMap<&str, &Value> = diff["files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| (f["Filename"].as_str().unwrap(), f))
        .collect();
    assert_eq!(
        changes.keys().collect::<Vec<_>>(),
        rows.keys().collect::<Vec<_>>(),
        "the files whose coverage changed"
    );
    let count = |v: &Value, k: &str| v.get(k).and_then(Value::as_i64).unwrap_or(0);
    let mut compared_percent = 0;
    for (path, c) in &changes {
        let (b, h) = (&c["base"], &c["head"]);
        let stmts = count(h, "lines") - count(b, "lines");
        let miss =
            count(h, "misses") + count(h, "partials") - count(b, "misses") - count(b, "partials");
        assert_eq!(num(&rows[path]["Stmts"]) as i64, stmts, "{path} Δstmts");
        assert_eq!(num(&rows[path]["Miss"]) as i64, miss, "{path} Δmiss");
        if let (Some(before), Some(after)) = (cover("base", path), cover("head", path)) {
            let ours = c["delta"].as_f64().unwrap();
            assert_eq!(round2(after - before), round2(ours), "{path} Δ%");
            compared_percent += 1;
        }
    }
    assert_eq!(compared_percent, 6, "files measured on both sides");

    for (side, key) in [("base", "base_project"), ("head", "project")] {
        let t = &show[side]["total"];
        let p = &j[key];
        assert_eq!(
            num(&t["Stmts"]) as i64,
            count(p, "lines"),
            "{side} statements"
        );
        assert_eq!(
            num(&t["Miss"]) as i64,
            count(p, "misses") + count(p, "partials"),
            "{side} misses"
        );
    }
    let theirs = num(&show["head"]["total"]["Cover"]) - num(&show["base"]["total"]["Cover"]);
    let ours = j["delta"].as_f64().unwrap();
    assert_eq!(round2(theirs), round2(ours), "project Δ");
    assert_eq!(round2(ours), -3.34);

    // pycobertura's `diff` total is the change of the reports' `line-rate` attribute, which
    // coverage.py computes with partial lines as covered: prcov --partials-as-hits agrees.
    let pah = history_diff(&r, &["--partials-as-hits"]);
    assert_eq!(
        round2(num(&diff["total"]["Cover"])),
        round2(pah["delta"].as_f64().unwrap())
    );
}
