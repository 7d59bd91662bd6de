//! The GitHub Actions artifacts store against the fake GitHub: a trusted artifact of a
//! default-branch run of this repository is used; an artifact a fork's run uploaded under the
//! same name is refused; an expired one is skipped with a note; the zip is fetched from the
//! storage URL the API redirects to, without the token. Requests are checked against GitHub's
//! API description (query parameters, and the fake's listing against the response schema).

use serde_json::Value;

use super::history_e2e::{forked_repo, prcov, Repo};
use super::host_support::{ArtifactSpec, Fake, Flavor, DEFAULT_BRANCH, REPO_ID, TOKEN};

/// A zip archive with one stored (uncompressed) entry, as a minimal writer makes it.
fn stored_zip(name: &str, data: &[u8]) -> Vec<u8> {
    let crc = {
        let mut c = 0xffff_ffffu32;
        for &b in data {
            c ^= u32::from(b);
            for _ in 0..8 {
                c = if c & 1 == 1 {
                    (c >> 1) ^ 0xedb8_8320
                } else {
                    c >> 1
                };
            }
        }
        !c
    };
    let len = u32::try_from(data.len()).unwrap();
    let name_len = u16::try_from(name.len()).unwrap();
    let mut out = Vec::new();
    out.extend_from_slice(&0x0403_4b50u32.to_le_bytes());
    out.extend_from_slice(&[20, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
    for v in [crc, len, len] {
        out.extend_from_slice(&v.to_le_bytes());
    }
    out.extend_from_slice(&name_len.to_le_bytes());
    out.extend_from_slice(&0u16.to_le_bytes());
    out.extend_from_slice(name.as_bytes());
    out.extend_from_slice(data);
    let central_at = u32::try_from(out.len()).unwrap();
    let mut central = Vec::new();
    central.extend_from_slice(&0x0201_4b50u32.to_le_bytes());
    central.extend_from_slice(&[20, 0, 20, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
    for v in [crc, len, len] {
        central.extend_from_slice(&v.to_le_bytes());
    }
    central.extend_from_slice(&name_len.to_le_bytes());
    central.extend_from_slice(&[0; 12]);
    central.extend_from_slice(&0u32.to_le_bytes());
    central.extend_from_slice(name.as_bytes());
    out.extend_from_slice(&central);
    out.extend_from_slice(&0x0605_4b50u32.to_le_bytes());
    out.extend_from_slice(&[0, 0, 0, 0, 1, 0, 1, 0]);
    out.extend_from_slice(&u32::try_from(central.len()).unwrap().to_le_bytes());
    out.extend_from_slice(&central_at.to_le_bytes());
    out.extend_from_slice(&0u16.to_le_bytes());
    out
}

/// `prcov diff --history github-artifacts` against the fake GitHub, as a job of `o/r`.
fn diff_from_artifacts(fake: &Fake, r: &Repo, report: &std::path::Path) -> std::process::Output {
    prcov()
        .arg("diff")
        .arg(report)
        .arg("--repo")
        .arg(r.path())
        .args(["--base", "main", "--head", "feature", "--format", "json"])
        .args(["--history", "github-artifacts"])
        .env("GITHUB_REPOSITORY", "o/r")
        .env("GITHUB_API_URL", fake.api_url())
        .env("GITHUB_TOKEN", TOKEN)
        .output()
        .unwrap()
}

#[test]
fn trusted_artifact_used_fork_refused_expired_skipped_download_without_token() {
    let fake = Fake::start(Flavor::Github);
    let (r, main) = forked_repo();
    let (c2, c3) = (&main[1], &main[2]);
    let zip_of = |commit: &str| {
        let record = std::fs::read(r.record_path(commit)).unwrap();
        stored_zip("prcov-history.prcov", &record)
    };
    let name3 = format!("prcov-history-{c3}");
    let name2 = format!("prcov-history-{c2}");
    // The merge-base (c3): a fork's run uploaded an artifact with its name, and the trusted one
    // has expired.
    fake.add_artifact(
        &ArtifactSpec {
            id: 31,
            name: &name3,
            head_sha: c3,
            head_repository_id: 999,
            head_branch: DEFAULT_BRANCH,
            expired: false,
        },
        zip_of(c3),
    );
    fake.add_artifact(
        &ArtifactSpec {
            id: 30,
            name: &name3,
            head_sha: c3,
            head_repository_id: REPO_ID,
            head_branch: DEFAULT_BRANCH,
            expired: true,
        },
        zip_of(c3),
    );
    // Its parent (c2): a trusted artifact, and a newer one from a run on another branch.
    fake.add_artifact(
        &ArtifactSpec {
            id: 20,
            name: &name2,
            head_sha: c2,
            head_repository_id: REPO_ID,
            head_branch: DEFAULT_BRANCH,
            expired: false,
        },
        zip_of(c2),
    );
    fake.add_artifact(
        &ArtifactSpec {
            id: 21,
            name: &name2,
            head_sha: c2,
            head_repository_id: REPO_ID,
            head_branch: "feature",
            expired: false,
        },
        zip_of(c3),
    );
    fake.assert_artifact_listing_valid();

    let report = r.file("head.info", &super::history_e2e::lcov(7));
    let out = diff_from_artifacts(&fake, &r, &report);
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert!(!stdout.contains(TOKEN) && !stderr.contains(TOKEN));
    let j: Value = serde_json::from_slice(&out.stdout).unwrap();
    let b = &j["history"]["baseline"];
    assert_eq!(b["commit"], c2.as_str(), "the trusted artifact of c2");
    assert_eq!(b["distance"], 1);
    assert_eq!(j["base_project"]["hits"], 5, "c2's record");
    let warnings: Vec<&str> = j["warnings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|w| w.as_str().unwrap())
        .collect();
    assert!(
        warnings.contains(&format!("artifact {name3} (#31) was made by a run of another repository (a fork); not trusted").as_str()),
        "{warnings:?}"
    );
    assert!(
        warnings.contains(&format!("artifact {name3} (#30) has expired; skipped").as_str()),
        "{warnings:?}"
    );
    assert!(
        warnings.contains(&format!("artifact {name2} (#21) was made on branch `feature`, not the default branch `main`; not trusted").as_str()),
        "{warnings:?}"
    );

    // Only the trusted artifact was downloaded: the API call with the token, the storage
    // download it redirects to without it.
    let requests = fake.requests();
    let auth = |r: &super::host_support::Recorded| {
        r.headers
            .iter()
            .any(|(k, _)| k.eq_ignore_ascii_case("authorization"))
    };
    let downloads: Vec<_> = requests
        .iter()
        .filter(|r| r.path.ends_with("/zip"))
        .collect();
    assert_eq!(downloads.len(), 1);
    assert_eq!(downloads[0].path, "/repos/o/r/actions/artifacts/20/zip");
    assert!(auth(downloads[0]));
    let storage: Vec<_> = requests
        .iter()
        .filter(|r| r.path.starts_with("/storage/"))
        .collect();
    assert_eq!(storage.len(), 1);
    assert_eq!(storage[0].path, "/storage/artifact-20.zip");
    assert!(!auth(storage[0]), "the token went to storage");
    let listings: Vec<_> = requests
        .iter()
        .filter(|r| r.path.ends_with("/actions/artifacts"))
        .map(|r| r.query.clone())
        .collect();
    assert_eq!(
        listings,
        [
            format!("name={name3}&per_page=100"),
            format!("name={name2}&per_page=100")
        ]
    );
    fake.assert_bodies_valid();
}

#[test]
fn no_artifact_read_permission_is_no_baseline_with_the_reason() {
    let fake = Fake::start(Flavor::Github);
    let (r, _) = forked_repo();
    fake.fault(
        "GET",
        "/actions/artifacts",
        403,
        &[],
        r#"{"message": "Resource not accessible by integration"}"#,
    );
    let report = r.file("head.info", &super::history_e2e::lcov(7));
    let out = diff_from_artifacts(&fake, &r, &report);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let j: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(j["history"]["baseline"]["commit"], Value::Null);
    let text = j["history"]["baseline"]["description"].as_str().unwrap();
    assert_eq!(
        text,
        "no baseline: GitHub Actions artifacts of o/r could not be read"
    );
    let w = j["warnings"].to_string();
    assert!(w.contains("Resource not accessible by integration"), "{w}");
    assert!(!w.contains(TOKEN));
}

#[test]
fn gitlab_job_artifact_of_a_default_branch_pipeline_used_expired_noted() {
    let fake = Fake::start(Flavor::Gitlab);
    let (r, main) = forked_repo();
    let (c2, c3) = (&main[1], &main[2]);
    let record = |c: &str| Some(std::fs::read(r.record_path(c)).unwrap());
    // The merge-base's pipeline kept no artifact (expired); a pipeline of another ref for the
    // same commit (a merge request's) is not looked at; the parent's pipeline has the record.
    fake.add_pipeline(3, c3, DEFAULT_BRANCH, "success", None);
    fake.add_pipeline(4, c3, "refs/merge-requests/1/head", "success", record(c3));
    fake.add_pipeline(2, c2, DEFAULT_BRANCH, "success", record(c2));
    let report = r.file("head.info", &super::history_e2e::lcov(7));
    let out = prcov()
        .arg("diff")
        .arg(&report)
        .arg("--repo")
        .arg(r.path())
        .args(["--base", "main", "--head", "feature", "--format", "json"])
        .args(["--history", "gitlab"])
        .env("CI_PROJECT_ID", "group/proj")
        .env("CI_API_V4_URL", fake.api_url())
        .env("GITLAB_TOKEN", TOKEN)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert!(!stderr.contains(TOKEN));
    let j = super::common::json_of(&out);
    assert_eq!(j["history"]["baseline"]["commit"], c2.as_str());
    assert_eq!(j["history"]["baseline"]["distance"], 1);
    assert_eq!(j["base_project"]["hits"], 5);
    let warnings = j["warnings"].to_string();
    assert!(
        warnings.contains(&format!(
            "pipeline #3 of {} has no job artifact prcov-history.prcov (expired, or not uploaded)",
            &c3[..7]
        )),
        "{warnings}"
    );
    let requests = fake.requests();
    let token = |r: &super::host_support::Recorded| {
        r.headers
            .iter()
            .any(|(k, _)| k.eq_ignore_ascii_case("private-token"))
    };
    let files: Vec<_> = requests
        .iter()
        .filter(|r| r.path.contains("/artifacts/"))
        .collect();
    assert_eq!(files.len(), 1, "only the job of pipeline 2 had an archive");
    assert_eq!(
        files[0].path,
        "/api/v4/projects/group%2Fproj/jobs/20/artifacts/prcov-history.prcov"
    );
    assert!(token(files[0]));
    let storage: Vec<_> = requests
        .iter()
        .filter(|r| r.path.starts_with("/storage/"))
        .collect();
    assert_eq!(storage.len(), 1);
    assert!(!token(storage[0]), "the token went to storage");
    fake.assert_bodies_valid();
}
