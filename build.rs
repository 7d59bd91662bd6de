//! Stamps the build with what `prcov --version` prints besides the version: the commit it was
//! built from and the target triple. The commit comes from, in order: `PRCOV_BUILD_COMMIT` (set by
//! a packager that builds from an exported tree), `git` when this crate is the root of its own
//! checkout, and the `.cargo_vcs_info.json` that `cargo package` writes into a crate tarball
//! (`cargo install prcov`). Without any of them the build still succeeds and says "unknown".

use std::path::Path;
use std::process::Command;

fn main() {
    let manifest_dir = std::env::var("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR");
    let manifest_dir = Path::new(&manifest_dir);
    let target = std::env::var("TARGET").expect("cargo sets TARGET for build scripts");

    println!("cargo:rerun-if-env-changed=PRCOV_BUILD_COMMIT");
    println!("cargo:rerun-if-changed=.cargo_vcs_info.json");
    let commit = std::env::var("PRCOV_BUILD_COMMIT")
        .ok()
        .filter(|c| !c.trim().is_empty())
        .or_else(|| commit_from_git(manifest_dir))
        .or_else(|| commit_from_vcs_info(manifest_dir))
        .unwrap_or_else(|| "unknown".to_owned());

    println!("cargo:rustc-env=PRCOV_BUILD_COMMIT={}", commit.trim());
    println!("cargo:rustc-env=PRCOV_BUILD_TARGET={target}");
}

fn git(dir: &Path, args: &[&str]) -> Option<String> {
    let out = Command::new("git")
        .arg("-C")
        .arg(dir)
        .args(args)
        .output()
        .ok()?;
    out.status
        .success()
        .then(|| String::from_utf8_lossy(&out.stdout).trim().to_owned())
}

/// The checkout's HEAD, only when the crate is the top of that checkout: a crate tarball
/// unpacked inside some other repository (a vendor folder) must not claim that repository's
/// commit.
fn commit_from_git(manifest_dir: &Path) -> Option<String> {
    let top = git(manifest_dir, &["rev-parse", "--show-toplevel"])?;
    let same = |a: &Path, b: &Path| a.canonicalize().ok() == b.canonicalize().ok();
    if !same(Path::new(&top), manifest_dir) {
        return None;
    }
    // Rebuild when HEAD moves: HEAD itself (checkout), the branch it points at (commit) and
    // packed-refs (gc). `--git-path` resolves these inside worktrees too.
    for file in ["HEAD", "packed-refs"] {
        if let Some(path) = git(manifest_dir, &["rev-parse", "--git-path", file]) {
            println!(
                "cargo:rerun-if-changed={}",
                manifest_dir.join(path).display()
            );
        }
    }
    if let Some(branch) = git(manifest_dir, &["symbolic-ref", "-q", "HEAD"]) {
        if let Some(path) = git(manifest_dir, &["rev-parse", "--git-path", &branch]) {
            println!(
                "cargo:rerun-if-changed={}",
                manifest_dir.join(path).display()
            );
        }
    }
    git(manifest_dir, &["rev-parse", "--short=12", "HEAD"])
}

/// `{"git": {"sha1": "…"}, …}` as `cargo package` writes it; read without a JSON crate so the
/// build script has no dependencies.
fn commit_from_vcs_info(manifest_dir: &Path) -> Option<String> {
    let text = std::fs::read_to_string(manifest_dir.join(".cargo_vcs_info.json")).ok()?;
    let after = &text[text.find("\"sha1\"")? + "\"sha1\"".len()..];
    let start = after.find('"')? + 1;
    let sha = &after[start..];
    let sha = &sha[..sha.find('"')?];
    let valid = sha.len() >= 12 && sha.bytes().all(|b| b.is_ascii_hexdigit());
    valid.then(|| sha[..12].to_owned())
}
