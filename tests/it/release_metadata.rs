//! The release's names agree everywhere they are written: the archive names scripts/dist.sh
//! makes (and scripts/install.sh downloads), the targets of .github/workflows/release.yml, and
//! the `[package.metadata.binstall]` URLs `cargo binstall` expands. Also: every build step of the
//! release workflow is one call of scripts/dist.sh, so a laptop runs the same steps.

use std::path::Path;

fn read(path: &str) -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(path);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// The body of job `name` in the workflow: its lines up to the next job's name.
fn job<'a>(workflow: &'a str, name: &str) -> &'a str {
    let header = format!("\n  {name}:\n");
    let start = workflow
        .find(&header)
        .unwrap_or_else(|| panic!("no job {name}"))
        + header.len();
    let body = &workflow[start..];
    let mut offset = 0;
    for line in body.split_inclusive('\n') {
        let next_job = line.starts_with("  ") && !line[2..].starts_with([' ', '#', '\n']);
        if next_job {
            return &body[..offset];
        }
        offset += line.len();
    }
    body
}

/// `target:` values of a job's build matrix.
fn matrix_targets(job: &str) -> Vec<String> {
    job.lines()
        .filter_map(|l| {
            let rest = l.split("target: ").nth(1)?;
            Some(rest.split([',', ' ', '}']).next()?.to_owned())
        })
        .collect()
}

fn archive_name(version: &str, target: &str) -> String {
    let ext = if target.contains("windows") {
        "zip"
    } else {
        "tar.gz"
    };
    format!("prcov-{version}-{target}.{ext}")
}

#[test]
fn release_targets_archives_and_binstall_urls_agree() {
    let manifest: toml::Table = toml::from_str(&read("Cargo.toml")).unwrap();
    let package = manifest["package"].as_table().unwrap();
    let version = package["version"].as_str().unwrap();
    let repository = package["repository"].as_str().unwrap();
    let binstall = package["metadata"]["binstall"].as_table().unwrap();

    let workflow = read(".github/workflows/release.yml");
    let targets = matrix_targets(job(&workflow, "archives"));
    assert_eq!(
        targets,
        [
            "x86_64-unknown-linux-musl",
            "aarch64-unknown-linux-musl",
            "x86_64-apple-darwin",
            "aarch64-apple-darwin",
            "x86_64-pc-windows-msvc"
        ]
    );

    // What binstall asks for on each target (its own triple, or a Linux gnu host's musl build).
    let hosts = targets.iter().cloned().chain([
        "x86_64-unknown-linux-gnu".to_owned(),
        "aarch64-unknown-linux-gnu".to_owned(),
    ]);
    for host in hosts {
        let overrides = binstall
            .get("overrides")
            .and_then(|o| o.get(&host))
            .and_then(toml::Value::as_table);
        let field = |key: &str| {
            overrides
                .and_then(|o| o.get(key))
                .or_else(|| binstall.get(key))
                .and_then(toml::Value::as_str)
                .unwrap()
                .to_owned()
        };
        let format = field("pkg-fmt");
        let suffix = match format.as_str() {
            "tgz" => ".tar.gz",
            "zip" => ".zip",
            other => panic!("unexpected pkg-fmt {other}"),
        };
        let exe = if host.contains("windows") { ".exe" } else { "" };
        let expand = |template: String| {
            template
                .replace("{ repo }", repository)
                .replace("{ name }", "prcov")
                .replace("{ version }", version)
                .replace("{ target }", &host)
                .replace("{ archive-suffix }", suffix)
                .replace("{ bin }", "prcov")
                .replace("{ binary-ext }", exe)
        };
        let served = host.replace("-gnu", "-musl");
        assert!(targets.contains(&served), "no release archive for {host}");
        let archive = archive_name(version, &served);
        assert_eq!(
            expand(field("pkg-url")),
            format!("{repository}/releases/download/v{version}/{archive}"),
            "binstall URL for {host}"
        );
        assert_eq!(
            expand(field("bin-dir")),
            format!("prcov-{version}-{served}/prcov{exe}"),
            "binstall bin-dir for {host}"
        );
    }

    // install.sh downloads the same names from the same place.
    let install = read("scripts/install.sh");
    for line in [
        r#"*windows*) archive="prcov-$version-$target.zip" ;;"#,
        r#"*) archive="prcov-$version-$target.tar.gz" ;;"#,
        r#"release="$base_url/v$version""#,
        r#"base_url="${repository:-https://github.com/OWNER/prcov}/releases/download""#,
        r#"unpacked="$work/x/prcov-$version-$target/$exe""#,
    ] {
        assert!(install.contains(line), "install.sh lacks {line}");
    }
    let dist = read("scripts/dist.sh");
    assert!(dist.contains(r#"name="prcov-$(version)-$target""#));
}

#[test]
fn every_build_step_of_the_release_is_one_call_of_dist_sh() {
    let workflow = read(".github/workflows/release.yml");
    for name in ["check", "archives", "wheels", "attest"] {
        let runs: Vec<&str> = job(&workflow, name)
            .lines()
            .filter_map(|l| l.trim().strip_prefix("- run: "))
            .collect();
        assert!(!runs.is_empty(), "job {name} runs nothing");
        for run in runs {
            assert!(
                run.starts_with("scripts/dist.sh "),
                "job {name} runs `{run}`, not scripts/dist.sh"
            );
        }
    }
    // No job holds more than it needs: none at the top, each job its own.
    assert!(workflow.contains("\npermissions: {}\n"));
    let jobs = workflow.split("\njobs:\n").nth(1).unwrap();
    let job_count = jobs
        .lines()
        .filter(|l| l.starts_with("  ") && !l.starts_with("   ") && l.ends_with(':'))
        .count();
    assert_eq!(jobs.matches("\n    permissions:\n").count(), job_count);
    // Actions are pinned to a commit, but for the one the workflow says it could not verify.
    for line in workflow.lines().filter(|l| l.contains("uses: ")) {
        let reference = line.split("uses: ").nth(1).unwrap();
        let (_, rev) = reference.split_once('@').unwrap();
        let rev = rev.split_whitespace().next().unwrap();
        let pinned = rev.len() == 40 && rev.bytes().all(|b| b.is_ascii_hexdigit());
        assert!(
            pinned || line.contains("# zizmor: ignore[unpinned-uses]"),
            "not pinned to a commit: {line}"
        );
    }
}

/// `prcov --version` names the version, the commit it was built from (build.rs asks git in a
/// checkout) and the target; `-V` the version alone.
#[test]
fn version_names_the_commit_and_the_target() {
    let run = |arg: &str| {
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_prcov"))
            .arg(arg)
            .output()
            .unwrap();
        assert!(out.status.success());
        String::from_utf8(out.stdout).unwrap()
    };
    let short = run("-V");
    assert_eq!(short, format!("prcov {}\n", env!("CARGO_PKG_VERSION")));

    let long = run("--version");
    let stdout = |cmd: &str, args: &[&str]| {
        let out = std::process::Command::new(cmd)
            .args(args)
            .current_dir(env!("CARGO_MANIFEST_DIR"))
            .output()
            .unwrap();
        assert!(out.status.success(), "{cmd} {args:?}");
        String::from_utf8(out.stdout).unwrap().trim().to_owned()
    };
    let commit = stdout("git", &["rev-parse", "--short=12", "HEAD"]);
    let rustc = stdout("rustc", &["-vV"]);
    let host = rustc
        .lines()
        .find_map(|l| l.strip_prefix("host: "))
        .unwrap();
    assert_eq!(
        long,
        format!(
            "prcov {}\ncommit: {commit}\ntarget: {host}\n",
            env!("CARGO_PKG_VERSION")
        )
    );
    insta::assert_snapshot!(
        "version",
        long.replace(env!("CARGO_PKG_VERSION"), "[VERSION]")
            .replace(&commit, "[COMMIT]")
            .replace(host, "[TARGET]")
    );
}
