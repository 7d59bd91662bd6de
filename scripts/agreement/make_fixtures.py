#!/usr/bin/env python3
"""Write fixtures/agreement/<project>/ from a finished run.sh work directory.

Per project:
  repo.bundle        a trimmed repo: branch `base` and `head` hold only the changed files that a
                     report measures (and a rename's old path), with the contents of the releases,
                     so `git diff base...head` gives these files the same added lines as the full repo
  <report>.gz        the reports exactly as the tools wrote them, gzipped (the C ones are ~0.5 MB)
  <report>.diff-cover.json   diff-cover's JSON for that report on the full repo
Usage: make_fixtures.py WORK FIXTURES_DIR
"""

import gzip
import json
import os
import shutil
import subprocess
import sys
import tempfile

PROJECTS = {
    "packaging": ["coverage.xml", "coverage.lcov"],
    "lz4": ["gcovr-cobertura.xml", "gcovr.lcov", "lcov.info"],
}

ENV = dict(os.environ, GIT_CONFIG_NOSYSTEM="1", GIT_CONFIG_GLOBAL="/dev/null",
           GIT_AUTHOR_NAME="agreement", GIT_AUTHOR_EMAIL="agreement@example.invalid",
           GIT_COMMITTER_NAME="agreement", GIT_COMMITTER_EMAIL="agreement@example.invalid")


def git(repo, *args, date=None, capture=True):
    env = dict(ENV)
    if date:
        env["GIT_AUTHOR_DATE"] = env["GIT_COMMITTER_DATE"] = date
    return subprocess.run(["git", "-C", repo, *args], env=env, check=True,
                          capture_output=capture).stdout


def kept_paths(repo, measured):
    """Measured changed paths plus the old path of any of them that git sees as renamed/copied."""
    keep = set(measured)
    out = git(repo, "diff", "--name-status", "-M", "base...head").decode()
    for line in out.splitlines():
        parts = line.split("\t")
        if parts[0][0] in "RC" and parts[2] in measured:
            keep.add(parts[1])
    return sorted(keep)


def write_tree(src_repo, rev, paths, dst):
    for p in paths:
        try:
            data = git(src_repo, "show", f"{rev}:{p}")
        except subprocess.CalledProcessError:
            continue  # not in this revision (added or deleted by the change)
        full = os.path.join(dst, p)
        os.makedirs(os.path.dirname(full), exist_ok=True)
        with open(full, "wb") as f:
            f.write(data)


def main():
    work, fixtures = sys.argv[1], sys.argv[2]
    for project, reports in PROJECTS.items():
        src_repo = os.path.join(work, "repos", project)
        out = os.path.join(fixtures, project)
        shutil.rmtree(out, ignore_errors=True)
        os.makedirs(out)
        measured = set()
        for report in reports:
            for suffix in ("", ".branch"):
                dc = os.path.join(work, "out", project, f"{report}{suffix}.diff-cover.json")
                if not os.path.exists(dc):
                    continue
                with open(dc, encoding="utf-8") as f:
                    data = json.load(f)
                measured |= {k for k, v in data["src_stats"].items()
                             if v["covered_lines"] or v["violation_lines"]}
                # Compact, stable JSON: one file per line list is easy to review in a diff.
                with open(os.path.join(out, os.path.basename(dc)), "w", encoding="utf-8") as f:
                    json.dump(data, f, sort_keys=True, separators=(",", ":"))
                    f.write("\n")
            with open(os.path.join(work, "reports", project, report), "rb") as f:
                data = f.read()
            with gzip.GzipFile(os.path.join(out, report + ".gz"), "wb", mtime=0) as f:
                f.write(data)
        paths = kept_paths(src_repo, measured)
        with tempfile.TemporaryDirectory() as tmp:
            git(tmp, "init", "-q", "-b", "base")
            write_tree(src_repo, "base", paths, tmp)
            git(tmp, "add", "-A")
            git(tmp, "commit", "-q", "-m", f"{project}: release N (changed, measured files only)",
                date="2024-01-01T00:00:00Z")
            git(tmp, "checkout", "-q", "-b", "head")
            git(tmp, "rm", "-q", "-r", "--ignore-unmatch", ".")
            write_tree(src_repo, "head", paths, tmp)
            git(tmp, "add", "-A")
            git(tmp, "commit", "-q", "-m", f"{project}: release N+1 (changed, measured files only)",
                date="2024-01-02T00:00:00Z")
            git(tmp, "bundle", "create", "-q", os.path.join(out, "repo.bundle"), "base", "head")
        print(f"{project}: {len(paths)} files in repo.bundle: {', '.join(paths)}")


if __name__ == "__main__":
    main()
