//! scripts/install.sh (what action.yml and the GitLab template run) against release archives
//! served from a local HTTP server: the archives are made by `scripts/dist.sh package` from the
//! prcov binary under test, the checksums by `scripts/dist.sh sums`, as the release workflow
//! makes them. Checks that the archive for this machine installs and runs, that a tampered
//! archive is refused, and what happens on a platform the release has no archive for.
#![cfg(unix)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::OnceLock;

use httpmock::prelude::*;

const VERSION: &str = env!("CARGO_PKG_VERSION");

fn repo_root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// The target install.sh picks on this machine (Linux x86_64 or aarch64: the static musl build).
pub(crate) fn this_target() -> String {
    format!("{}-unknown-linux-musl", std::env::consts::ARCH)
}

fn archive_name(target: &str) -> String {
    format!("prcov-{VERSION}-{target}.tar.gz")
}

/// A release folder (`prcov-<version>-<target>.tar.gz` + `SHA256SUMS`), made once per test run.
pub(crate) fn release_dir() -> &'static Path {
    static DIR: OnceLock<tempfile::TempDir> = OnceLock::new();
    DIR.get_or_init(|| {
        let dir = tempfile::tempdir().unwrap();
        let dist = |args: &[&str]| {
            let out = Command::new("bash")
                .arg(repo_root().join("scripts/dist.sh"))
                .args(args)
                .env("PRCOV_DIST_DIR", dir.path())
                // The debug binary is ~150 MB: the fastest gzip keeps this test quick.
                .env("PRCOV_DIST_GZIP_LEVEL", "1")
                .output()
                .unwrap();
            assert!(
                out.status.success(),
                "dist.sh {args:?}: {}",
                String::from_utf8_lossy(&out.stderr)
            );
            String::from_utf8(out.stdout).unwrap()
        };
        let archive = dist(&["package", env!("CARGO_BIN_EXE_prcov"), &this_target()]);
        assert_eq!(
            archive.trim(),
            dir.path()
                .join(archive_name(&this_target()))
                .to_str()
                .unwrap()
        );
        dist(&["sums", dir.path().to_str().unwrap()]);
        dir
    })
    .path()
}

fn sha256sums() -> String {
    std::fs::read_to_string(release_dir().join("SHA256SUMS")).unwrap()
}

/// Serves the release at `/v<version>/` on `server`: SHA256SUMS, and `archive` as this
/// platform's archive. Returns the archive's mock (to count downloads).
fn serve(server: &MockServer, archive: Vec<u8>) -> httpmock::Mock<'_> {
    server.mock(|when, then| {
        when.method(GET).path(format!("/v{VERSION}/SHA256SUMS"));
        then.status(200).body(sha256sums());
    });
    server.mock(|when, then| {
        when.method(GET)
            .path(format!("/v{VERSION}/{}", archive_name(&this_target())));
        then.status(200).body(archive);
    })
}

fn real_archive() -> Vec<u8> {
    std::fs::read(release_dir().join(archive_name(&this_target()))).unwrap()
}

/// This process's `PATH` without the folders that hold any of `programs`: the system's tools
/// stay, the named ones are gone.
pub(crate) fn path_without(programs: &[&str]) -> String {
    let dirs: Vec<String> = std::env::split_paths(&std::env::var_os("PATH").unwrap())
        .filter(|dir| !programs.iter().any(|p| dir.join(p).exists()))
        .map(|dir| dir.display().to_string())
        .collect();
    dirs.join(":")
}

/// A target the release has no archive for.
const NO_ARCHIVE_TARGET: &str = "riscv64gc-unknown-linux-musl";

/// install.sh's arguments for `version` from `server` into `dir` (for `target`, else detected).
fn install_args(
    server: &MockServer,
    version: &str,
    dir: &Path,
    target: Option<&str>,
) -> Vec<String> {
    let mut args = vec![
        "--version".to_owned(),
        version.to_owned(),
        "--base-url".to_owned(),
        server.base_url(),
        "--dir".to_owned(),
        dir.display().to_string(),
    ];
    if let Some(target) = target {
        args.extend(["--target".to_owned(), target.to_owned()]);
    }
    args
}

/// Runs install.sh with `args`, `PATH` as given (default: this process's).
fn install<S: AsRef<std::ffi::OsStr>>(args: &[S], path: Option<&str>) -> Output {
    let mut cmd = Command::new("sh");
    cmd.arg(repo_root().join("scripts/install.sh")).args(args);
    for var in [
        "PRCOV_VERSION",
        "PRCOV_INSTALL_DIR",
        "PRCOV_CACHE_ROOT",
        "PRCOV_BASE_URL",
        "PRCOV_TARGET",
        "PRCOV_INSTALL",
    ] {
        cmd.env_remove(var);
    }
    if let Some(path) = path {
        cmd.env("PATH", path);
    }
    cmd.output().unwrap()
}

/// Machine-specific parts of install.sh's messages: temporary folders, the server's port, the
/// checksum of this build's archive, the commit and target of the binary.
fn redact(text: &str, tmp: &Path, server: &MockServer) -> String {
    let mut text = text
        .replace(tmp.to_str().unwrap(), "[TMP]")
        .replace(&server.base_url(), "[SERVER]")
        .replace(repo_root().to_str().unwrap(), "[REPO]")
        .replace(&this_target(), "[TARGET]");
    if let Some(sum) = sha256sums().split_whitespace().next() {
        text = text.replace(sum, "[SHA256]");
    }
    // Checksums are out of the way: the version cannot match inside one.
    text = text.replace(VERSION, "[VERSION]");
    text.lines()
        .map(|l| {
            if l.starts_with("commit: ") {
                "commit: [COMMIT]"
            } else if l.starts_with("target: ") {
                "target: [HOST TARGET]"
            } else {
                l
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

#[test]
fn the_archive_for_this_platform_installs_into_the_tool_cache_and_runs() {
    let server = MockServer::start();
    let archive_mock = serve(&server, real_archive());
    let tmp = tempfile::tempdir().unwrap();
    let cache = tmp.path().join("cache");
    let args = [
        "--version",
        VERSION,
        "--base-url",
        &server.base_url(),
        "--cache-root",
        cache.to_str().unwrap(),
    ];

    let out = install(&args, None);
    assert!(out.status.success(), "{}", stderr(&out));
    let dir = cache.join(VERSION).join(this_target());
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        format!("{}\n", dir.display())
    );
    let version = Command::new(dir.join("prcov"))
        .arg("--version")
        .output()
        .unwrap();
    assert!(version.status.success());
    assert!(
        String::from_utf8_lossy(&version.stdout).starts_with(&format!("prcov {VERSION}\ncommit: ")),
        "{}",
        String::from_utf8_lossy(&version.stdout)
    );
    insta::assert_snapshot!(
        "installs_from_archive",
        redact(&stderr(&out), tmp.path(), &server)
    );
    assert_eq!(archive_mock.calls(), 1);

    // A second run finds the binary in the tool cache and downloads nothing.
    let again = install(&args, None);
    assert!(again.status.success(), "{}", stderr(&again));
    assert_eq!(
        String::from_utf8_lossy(&again.stdout),
        format!("{}\n", dir.display())
    );
    assert_eq!(
        redact(&stderr(&again), tmp.path(), &server),
        "prcov install: prcov [VERSION] is already in [TMP]/cache/[VERSION]/[TARGET]"
    );
    assert_eq!(archive_mock.calls(), 1);
}

#[test]
fn a_tampered_archive_is_refused_with_a_checksum_mismatch() {
    let mut tampered = real_archive();
    // One byte changed in the middle: still a plausible download, not what was released.
    let middle = tampered.len() / 2;
    tampered[middle] ^= 0x20;
    let server = MockServer::start();
    let archive_mock = serve(&server, tampered);
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("bin");

    let out = install(&install_args(&server, VERSION, &dir, None), None);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert_eq!(archive_mock.calls(), 1);
    assert!(
        !dir.join("prcov").exists(),
        "a refused archive left a binary"
    );
    let message = redact(&stderr(&out), tmp.path(), &server);
    assert!(
        message.contains(&format!(
            "checksum mismatch for {}: SHA256SUMS lists [SHA256]",
            archive_name("[TARGET]").replace(VERSION, "[VERSION]")
        )),
        "{message}"
    );
    // The digest of the tampered download differs from every run's: cut it out.
    let message = message
        .split_once("the download has ")
        .map(|(head, tail)| format!("{head}the download has [OTHER SHA256]{}", &tail[64..]))
        .unwrap();
    insta::assert_snapshot!("tampered_archive_refused", message);
}

/// A folder with a fake `cargo` that records its arguments and "builds" a prcov that prints
/// this version, first on a PATH that keeps the system tools.
fn fake_cargo(tmp: &Path) -> (PathBuf, String) {
    let bin = tmp.join("fake-bin");
    std::fs::create_dir_all(&bin).unwrap();
    let script = format!(
        r#"#!/bin/sh
echo "$@" > "{log}"
while [ $# -gt 0 ]; do
  if [ "$1" = --root ]; then root="$2"; fi
  shift
done
mkdir -p "$root/bin"
printf '#!/bin/sh\necho "prcov {VERSION}"\n' > "$root/bin/prcov"
chmod 755 "$root/bin/prcov"
"#,
        log = tmp.join("cargo-args").display()
    );
    let cargo = bin.join("cargo");
    std::fs::write(&cargo, script).unwrap();
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&cargo, std::fs::Permissions::from_mode(0o755)).unwrap();
    let path = format!("{}:{}", bin.display(), std::env::var("PATH").unwrap());
    (bin, path)
}

#[test]
fn a_platform_without_an_archive_builds_from_this_checkout_with_cargo() {
    let server = MockServer::start();
    let archive_mock = serve(&server, real_archive());
    let tmp = tempfile::tempdir().unwrap();
    let (_, path) = fake_cargo(tmp.path());
    let dir = tmp.path().join("bin");

    let out = install(
        &install_args(&server, VERSION, &dir, Some(NO_ARCHIVE_TARGET)),
        Some(&path),
    );
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(archive_mock.calls(), 0);
    let args = std::fs::read_to_string(tmp.path().join("cargo-args")).unwrap();
    assert!(
        args.starts_with(&format!(
            "install --locked --path {} --root ",
            repo_root().display()
        )),
        "{args}"
    );
    assert!(dir.join("prcov").is_file());
    insta::assert_snapshot!(
        "no_archive_builds_from_source",
        redact(&stderr(&out), tmp.path(), &server)
    );
}

#[test]
fn a_platform_without_an_archive_and_without_cargo_says_how_to_install() {
    let server = MockServer::start();
    serve(&server, real_archive());
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("bin");

    let out = install(
        &install_args(&server, VERSION, &dir, Some(NO_ARCHIVE_TARGET)),
        Some(&path_without(&["cargo"])),
    );
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    insta::assert_snapshot!(
        "no_archive_no_cargo",
        redact(&stderr(&out), tmp.path(), &server)
    );
}

#[test]
fn install_binary_never_falls_back_to_source() {
    let server = MockServer::start();
    serve(&server, real_archive());
    let tmp = tempfile::tempdir().unwrap();
    let (_, path) = fake_cargo(tmp.path());
    let dir = tmp.path().join("bin");
    let run = |version: &str, target: &str| {
        let mut args = install_args(&server, version, &dir, Some(target));
        args.extend(["--install".to_owned(), "binary".to_owned()]);
        install(&args, Some(&path))
    };

    let no_archive = run(VERSION, NO_ARCHIVE_TARGET);
    assert_eq!(no_archive.status.code(), Some(1));
    // A release that does not exist at all (the server answers 404).
    let no_release = run("9.9.9", &this_target());
    assert_eq!(no_release.status.code(), Some(1));
    assert!(!tmp.path().join("cargo-args").exists(), "cargo ran");
    insta::assert_snapshot!(
        "install_binary_never_builds",
        format!(
            "{}\n{}",
            redact(&stderr(&no_archive), tmp.path(), &server),
            redact(&stderr(&no_release), tmp.path(), &server)
        )
    );
}

#[test]
fn bad_options_are_refused() {
    let out = install(&["--install", "maybe"], None);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        stderr(&out),
        "prcov install: error: --install must be auto, binary or source, not \"maybe\"\n"
    );
    let out = install(&["--dir"], None);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(stderr(&out), "prcov install: error: --dir needs a value\n");
}

/// The release workflow's first job: a tag other than `v<Cargo.toml version>` stops the release
/// before anything is built, and a version without a CHANGELOG.md section has no notes.
#[test]
fn dist_sh_refuses_a_tag_or_notes_that_do_not_match_the_version() {
    let dist = |args: &[&str]| {
        Command::new("bash")
            .arg(repo_root().join("scripts/dist.sh"))
            .args(args)
            .output()
            .unwrap()
    };
    assert!(dist(&["check-tag", &format!("v{VERSION}")])
        .status
        .success());
    let wrong = dist(&["check-tag", "v99.0.0"]);
    assert_eq!(wrong.status.code(), Some(2));
    assert_eq!(
        stderr(&wrong).replace(VERSION, "[VERSION]"),
        "dist.sh: tag v99.0.0 does not match Cargo.toml's version [VERSION] (expected v[VERSION])\n"
    );
    let no_notes = dist(&["notes", "99.0.0"]);
    assert_eq!(no_notes.status.code(), Some(2));
    assert_eq!(
        stderr(&no_notes),
        "dist.sh: CHANGELOG.md has no section \"## [99.0.0]\"\n"
    );
}
