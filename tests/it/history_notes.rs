//! The git-notes store: two clones of one bare repository record at the same time, pushing to
//! `refs/notes/prcov` without force; every record lands (rejected pushes are fetched, re-applied
//! and pushed again), `git notes` reads them, and a third clone finds its baseline through them.

use serde_json::Value;
use std::path::Path;

use super::common::git;
use super::history_e2e::{lcov, prcov};

fn clone(origin: &Path, to: &Path) {
    git(
        origin.parent().unwrap(),
        &[
            "clone",
            "-q",
            origin.to_str().unwrap(),
            to.to_str().unwrap(),
        ],
    );
    for (k, v) in [
        ("user.email", "t@example.com"),
        ("user.name", "T"),
        ("commit.gpgsign", "false"),
    ] {
        git(to, &["config", k, v]);
    }
}

#[test]
fn two_concurrent_writers_both_land_and_a_third_clone_reads_them() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path();
    let seed = root.join("seed");
    std::fs::create_dir(&seed).unwrap();
    git(&seed, &["init", "-q", "-b", "main"]);
    git(&seed, &["config", "user.email", "t@example.com"]);
    git(&seed, &["config", "user.name", "T"]);
    std::fs::create_dir_all(seed.join("src")).unwrap();
    let mut commits = Vec::new();
    for i in 0..8 {
        let text: String =
            (1..=10).map(|l| format!("l{l}\n")).collect::<String>() + &format!("# {i}\n");
        std::fs::write(seed.join("src/a.py"), text).unwrap();
        git(&seed, &["add", "-A"]);
        git(&seed, &["commit", "-q", "-m", &format!("c{i}")]);
        commits.push(git(&seed, &["rev-parse", "HEAD"]));
    }
    let origin = root.join("origin.git");
    git(
        root,
        &[
            "clone",
            "-q",
            "--bare",
            seed.to_str().unwrap(),
            origin.to_str().unwrap(),
        ],
    );
    let a = root.join("a");
    let b = root.join("b");
    clone(&origin, &a);
    clone(&origin, &b);
    let report = root.join("lcov.info");
    std::fs::write(&report, lcov(5)).unwrap();

    // Each clone records four commits, both at once: their pushes race on one ref.
    let writers: Vec<_> = [(&a, 0), (&b, 1)]
        .into_iter()
        .map(|(dir, parity)| {
            let dir = dir.clone();
            let report = report.clone();
            let mine: Vec<String> = commits.iter().skip(parity).step_by(2).cloned().collect();
            std::thread::spawn(move || {
                let mut retried = 0;
                for c in mine {
                    let out = prcov()
                        .arg("record")
                        .arg(&report)
                        .arg("--repo")
                        .arg(&dir)
                        .args(["--commit", &c, "--history", "git-notes"])
                        .output()
                        .unwrap();
                    assert!(
                        out.status.success(),
                        "{}",
                        String::from_utf8_lossy(&out.stderr)
                    );
                    retried +=
                        usize::from(String::from_utf8_lossy(&out.stderr).contains("retried"));
                }
                retried
            })
        })
        .collect();
    let retried: usize = writers.into_iter().map(|w| w.join().unwrap()).sum();
    // Whether pushes collided depends on timing; when they did, the retry path ran.
    eprintln!("records whose push was retried: {retried}");

    // Every record is on the remote's notes ref, as git itself reads it.
    let listed = git(&origin, &["notes", "--ref", "prcov", "list"]);
    let mut annotated: Vec<&str> = listed
        .lines()
        .map(|l| l.split_whitespace().nth(1).unwrap())
        .collect();
    annotated.sort_unstable();
    let mut expected: Vec<&str> = commits.iter().map(String::as_str).collect();
    expected.sort_unstable();
    assert_eq!(annotated, expected, "a record was lost");
    // The notes history is linear: no push was forced over another.
    let log = git(&origin, &["rev-list", "--count", "refs/notes/prcov"]);
    assert_eq!(log, "8");

    // A third clone (no notes fetched yet) compares a PR with the merge-base's record.
    let c = root.join("c");
    clone(&origin, &c);
    git(&c, &["checkout", "-q", "-b", "feature"]);
    std::fs::write(c.join("src/b.py"), "x = 1\n").unwrap();
    git(&c, &["add", "-A"]);
    git(&c, &["commit", "-q", "-m", "feature"]);
    let head = root.join("head.info");
    std::fs::write(&head, lcov(7)).unwrap();
    let out = prcov()
        .arg("diff")
        .arg(&head)
        .arg("--repo")
        .arg(&c)
        .args([
            "--base",
            "origin/main",
            "--format",
            "json",
            "--history",
            "auto",
        ])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let j: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(j["history"]["baseline"]["commit"], commits[7].as_str());
    assert_eq!(j["base_project"]["hits"], 5);
}
