#!/usr/bin/env python3
"""Times prcov and its peers on the generated inputs in one run, checks that they agree, and
prints the results as a Markdown table. Called by run.sh (which builds and generates first).

Each command runs RUNS times (SLOW_RUNS for peers slower than 5 s); the table shows the median
wall time and the largest peak RSS (/usr/bin/time). A job's figures are compared between prcov
and every peer that computes the same thing; a mismatch fails the run (exit 1), so speed can never
come from skipping work.
"""

import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time

BENCH = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.realpath(os.environ.get("PRCOV_BENCH_OUT", os.path.join(BENCH, "out")))
PRCOV = os.environ["PRCOV"]
RUNS = int(os.environ.get("RUNS", "5"))
SLOW_RUNS = int(os.environ.get("SLOW_RUNS", "1"))
SKIP = set(filter(None, os.environ.get("SKIP", "").split(",")))
PEERS = os.path.join(BENCH, "peers")
REPO = os.path.join(OUT, "repo")


def o(name):
    return os.path.join(OUT, name)


def run_once(cmd, cwd=None, stdout_path=None):
    with tempfile.NamedTemporaryFile("r", suffix=".time") as tf:
        out = open(stdout_path, "w") if stdout_path else subprocess.DEVNULL
        t0 = time.perf_counter()
        p = subprocess.run(["/usr/bin/time", "-f", "%M", "-o", tf.name, "sh", "-c", cmd],
                           cwd=cwd, stdout=out, stderr=subprocess.PIPE)
        wall = time.perf_counter() - t0
        if stdout_path:
            out.close()
        rss_kb = int(tf.read().strip().splitlines()[-1] or 0)
    return p.returncode, wall, rss_kb * 1024, p.stderr.decode(errors="replace")


def warm(cmd, cwd):
    """Reads every input file a command names (and a repository's packs) into the page cache,
    so that no command pays for a cold cache that an earlier peer's memory use caused."""
    paths = [t for t in cmd.split() if os.path.isfile(t)]
    if cwd:
        pack = os.path.join(cwd, ".git", "objects", "pack")
        if os.path.isdir(pack):
            paths += [os.path.join(pack, f) for f in os.listdir(pack)]
    for path in paths:
        with open(path, "rb") as f:
            while f.read(1 << 24):
                pass


def measure(label, cmd, cwd=None, runs=None, ok_codes=(0,)):
    """Median wall seconds and max peak RSS bytes over runs; the stdout of the last run is kept.
    Inputs are read into the page cache first (`warm`), like hyperfine's --warmup."""
    stdout_path = o(f"results/{re.sub(r'[^A-Za-z0-9]+', '_', label)}.out")
    warm(cmd, cwd)
    walls, rss = [], 0
    n = runs or RUNS
    i = 0
    while i < n:
        code, wall, r, err = run_once(cmd, cwd, stdout_path)
        if code not in ok_codes:
            print(f"  {label}: exit {code}: {err.strip()[-400:]}", file=sys.stderr)
            return None
        walls.append(wall)
        rss = max(rss, r)
        i += 1
        if i == 1 and runs is None and wall > 5:
            n = SLOW_RUNS
    med = statistics.median(walls)
    print(f"  {label:<42} {med:8.3f} s  {rss / 2**20:8.0f} MiB  ({len(walls)} runs)", file=sys.stderr)
    with open(stdout_path, encoding="utf-8", errors="replace") as f:
        text = f.read()
    return {"label": label, "wall": med, "rss": rss, "stdout": text, "runs": len(walls)}


def js(res):
    return json.loads(res["stdout"]) if res else None


CHECKS = []


def check(what, a, b):
    ok = a == b
    CHECKS.append((what, a, b, ok))
    if not ok:
        print(f"  MISMATCH {what}: {a} != {b}", file=sys.stderr)


def git_added_lines(diff_text):
    """File → set of head-side line numbers of the `+` lines of `git diff` output."""
    added, path, nxt = {}, None, None
    for line in diff_text.split("\n"):
        if line.startswith("diff --git "):
            nxt = None
        elif nxt is None and line.startswith("+++ "):
            path = line[6:] if line.startswith("+++ b/") else None
        elif line.startswith("@@ "):
            plus = line.split(" ")[2]
            nxt = int(plus[1:].split(",")[0])
        elif nxt is not None:
            if line.startswith("+"):
                added.setdefault(path, set()).add(nxt)
                nxt += 1
            elif line.startswith(" ") or line == "":
                nxt += 1
    return added


def compare_patch(fmt, prcov, dc, git_diff_text):
    """Per file, against `git diff main...pr` (the floor's own output) and diff-cover.

    Every line prcov counts must be a `+` line of `git diff` in that file (exact check). Against
    diff-cover, the number of coverable added lines must be equal, except for renamed/copied
    files (diff-cover's `git diff` has no copy detection, so a copied file is all `+` lines
    there). Which lines those are can differ where a hunk is ambiguous (the generated files
    repeat functions): diff-cover runs `git diff -U0`, and with zero context git trims the
    common tail before diffing and places such insertions elsewhere than `git diff` does; so
    the misses are compared as a figure, not a check."""
    added = git_added_lines(git_diff_text)
    outside = sum(1 for f in prcov["files"]
                  for ln in f["hit_lines"] + f["missed_lines"] + f["partial_lines"]
                  for n in (range(ln[0], ln[1] + 1) if isinstance(ln, list) else [ln])
                  if n not in added.get(f["path"], ()))
    check(f"{fmt} prcov patch lines that are not `+` lines of git diff", outside, 0)
    stats = dc["src_stats"]
    excluded = {f["path"] for f in prcov["files"] if f["status"] in ("renamed", "copied")}
    mine_lines = mine_miss = 0
    for f in prcov["files"]:
        if f["path"] in excluded:
            continue
        mine_lines += len(f["hit_lines"]) + len(f["missed_lines"]) + len(f["partial_lines"])
        mine_miss += len(f["missed_lines"])
    theirs_lines = sum(len(st["covered_lines"]) + len(st["violation_lines"])
                       for p, st in stats.items() if p not in excluded)
    theirs_miss = sum(len(st["violation_lines"]) for p, st in stats.items() if p not in excluded)
    check(f"{fmt} coverable added lines (not renamed/copied): prcov vs diff-cover", mine_lines, theirs_lines)
    NOTES.append(f"{fmt} patch: {len(excluded)} renamed/copied files excluded; misses prcov {mine_miss} "
                 f"vs diff-cover violations {theirs_miss} (diff-cover's -U0 places ambiguous hunks "
                 f"elsewhere); prcov patch total {prcov['patch']['lines']} lines, diff-cover "
                 f"{dc['total_num_lines']}")


NOTES = []


def mb(path):
    return os.path.getsize(path) / 1e6


sys.path.insert(0, BENCH)
from gen import PRESETS  # noqa: E402  (one list of presets for the generator and the benchmark)

WANTED = set(filter(None, os.environ.get("PRESETS", "").split(",")))


def lcov_job(name, path, rows):
    p = measure(f"prcov report ({name})", f"{PRCOV} report --no-repo --format json {path}")
    # grcov panics on line checksums: it reads the copy without them that run.sh made.
    nochk = path[:-len(".info")] + ".nochk.info"
    grcov_in = nochk if os.path.exists(nochk) else path
    peers = [
        measure("grcov -t covdir" + (" (checksums stripped)" if grcov_in != path else ""),
                f"grcov {grcov_in} -t covdir -o /dev/stdout"),
        measure("Python dict", f"python3 {PEERS}/lcov_dict.py {path}"),
        measure("lcov --summary", f"lcov --summary {path} --rc lcov_branch_coverage=1 2>&1"),
    ]
    floor = measure("wc -l (byte floor)", f"wc -l {path}")
    pj = js(p)["project"]
    if peers[0]:
        g = js(peers[0])
        check(f"{name} lines: prcov vs grcov", pj["lines"], g["linesTotal"])
        check(f"{name} executed: prcov vs grcov", pj["hits"] + pj["partials"], g["linesCovered"])
    else:
        check(f"{name}: grcov ran", False, True)
    d = js(peers[1])
    for k in ("lines", "hits", "misses", "partials"):
        check(f"{name} {k}: prcov vs Python dict", pj[k], d[k])
    m = peers[2] and re.search(r"lines\.+: [\d.]+% \((\d+) of (\d+) lines\)", peers[2]["stdout"])
    if m:
        check(f"{name} lines: prcov vs lcov --summary", pj["lines"], int(m.group(2)))
        check(f"{name} executed: prcov vs lcov --summary", pj["hits"] + pj["partials"], int(m.group(1)))
    else:
        check(f"{name}: lcov --summary printed its line totals", False, True)
    rows.append((name, "`prcov report`", path, p, peers, floor))
    return pj


def cobertura_job(name, path, rows, lcov_totals):
    p = measure(f"prcov report ({name})", f"{PRCOV} report --no-repo --format json {path}")
    peers = [measure("ElementTree iterparse", f"python3 {PEERS}/cobertura_iterparse.py {path}")]
    # pycobertura holds the whole tree: ~9.5 GB of memory on the 745 MB file.
    peers.append(measure("pycobertura show", f"pycobertura show -f json {path}"))
    floor = measure("wc -l (byte floor)", f"wc -l {path}")
    pj = js(p)["project"]
    it = js(peers[0])
    for k in ("lines", "hits", "misses", "partials"):
        check(f"{name} {k}: prcov vs iterparse", pj[k], it[k])
    if peers[1]:
        t = js(peers[1])["total"]
        check(f"{name} lines: prcov vs pycobertura Stmts", pj["lines"], t["Stmts"])
        check(f"{name} misses+partials: prcov vs pycobertura Miss", pj["misses"] + pj["partials"], t["Miss"])
    if lcov_totals is not None:
        for k in ("lines", "hits", "misses", "partials"):
            check(f"{name} {k}: prcov on lcov-mono vs prcov on this Cobertura (same monorepo)", lcov_totals[k], pj[k])
    rows.append((name, "`prcov report`", path, p, peers, floor))


def junit_job(name, path, rows):
    p = measure(f"prcov tests ({name})", f"{PRCOV} tests --format json {path}", ok_codes=(0, 1))
    trp = measure("test-results-parser", f"python3 {PEERS}/junit_trp.py {path}")
    jp = measure("junitparser", f"python3 {PEERS}/junit_junitparser.py {path}")
    floor = measure("wc -l (byte floor)", f"wc -l {path}")
    pj, tj, jj = js(p), js(trp), js(jp)
    for k in ("tests", "failed", "errored", "skipped"):
        check(f"{name} {k}: prcov vs junitparser", pj[k], jj[k])
    for k in ("tests", "failed", "errored"):
        check(f"{name} {k}: prcov vs test-results-parser", pj[k], tj[k])
    if tj["skipped"] != pj["skipped"]:
        NOTES.append(f"{name}: test-results-parser reports {tj['skipped']} skipped (it reads "
                     f"<skipped> as a pass); prcov and junitparser {pj['skipped']}")
    rows.append((name, "`prcov tests`", path, p, [trp, jp], floor))


def main():
    os.makedirs(o("results"), exist_ok=True)
    rows = []  # (preset, job, input, prcov, peers: [res], floor res)
    linear = []
    lcov_totals = None
    gitdiff = None
    for name, (job, file, _) in PRESETS.items():
        if (WANTED and name not in WANTED) or job in SKIP or not os.path.exists(o(file)):
            continue
        print(f"{name}: {job} on {file}", file=sys.stderr)
        if job == "lcov":
            pj = lcov_job(name, o(file), rows)
            if name == "lcov-mono":
                lcov_totals = pj
        elif job == "cobertura":
            cobertura_job(name, o(file), rows, lcov_totals if name == "cobertura-gcovr" else None)
        elif job == "junit":
            junit_job(name, o(file), rows)
        elif job == "diff":
            if gitdiff is None:
                gitdiff = measure("git diff main...pr", "git diff main...pr", cwd=REPO)
            fmt = "LCOV" if file.endswith(".info") else "Cobertura"
            p = measure(f"prcov diff ({fmt})",
                        f"{PRCOV} diff --repo {REPO} --base main --head pr --format json {o(file)}",
                        cwd=REPO, ok_codes=(0, 1))
            dc_json = o(f"results/diff-cover-{fmt}.json")
            dc = measure(f"diff-cover ({fmt})",
                         f"diff-cover {o(file)} --compare-branch=main --format json:{dc_json}", cwd=REPO)
            with open(dc_json, encoding="utf-8") as f:
                d = json.load(f)
            compare_patch(fmt, js(p), d, gitdiff["stdout"])
            rows.append((name, "`prcov diff`", o(file), p, [dc], gitdiff))
    # --- linearity
    if "linear" not in SKIP and (not WANTED or "linear" in WANTED):
        print("linearity: LCOV S, M, L", file=sys.stderr)
        for size in ("S", "M", "L"):
            path = o(f"mono-{size}.info")
            if not os.path.exists(path):
                continue
            r = measure(f"prcov report LCOV {size}", f"{PRCOV} report --no-repo --format json {path}",
                        runs=RUNS if size != "L" else max(3, SLOW_RUNS))
            linear.append((size, path, r))
    print_table(rows, linear)
    bad = [c for c in CHECKS if not c[3]]
    print(f"\n{len(CHECKS) - len(bad)} of {len(CHECKS)} agreement checks passed.")
    for n in NOTES:
        print(f"- note: {n}")
    for what, a, b, _ in bad:
        print(f"- MISMATCH {what}: {a} != {b}")
    return 1 if bad else 0


def fmt_s(x):
    return f"{x:.3f} s" if x < 10 else f"{x:.1f} s"


def print_table(rows, linear):
    print("\n| preset | job | input | prcov | peak RSS (× input) | fastest peer | others | prcov speed-up vs fastest peer | floor | prcov ÷ floor |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    for preset, job, path, p, peers, floor in rows:
        size = os.path.getsize(path)
        peers = [x for x in peers if x]
        if not p or not peers:
            print(f"| {preset} | {job} | {size / 1e6:.0f} MB | {'failed' if not p else fmt_s(p['wall'])} | | no peer ran | | | | |")
            continue
        fastest = min(peers, key=lambda r: r["wall"])
        others = ", ".join(f"{r['label']} {fmt_s(r['wall'])} / {r['rss'] / 2**20:.0f} MiB"
                           for r in peers if r is not fastest)
        print(f"| {preset} | {job} | {size / 1e6:.0f} MB | {fmt_s(p['wall'])} | {p['rss'] / 2**20:.0f} MiB ({p['rss'] / size:.2f}×) "
              f"| {fastest['label']} {fmt_s(fastest['wall'])} / {fastest['rss'] / 2**20:.0f} MiB | {others or '—'} "
              f"| {fastest['wall'] / p['wall']:.1f}× | {floor['label']} {fmt_s(floor['wall'])} "
              f"| {p['wall'] / floor['wall']:.1f}× |")
    if linear:
        print("\n| LCOV size | bytes | prcov report | peak RSS | time ratio to previous size | size ratio |")
        print("|---|---|---|---|---|---|")
        prev = None
        for size, path, r in linear:
            b = os.path.getsize(path)
            ratio = f"{r['wall'] / prev[1]:.2f}×" if prev else "—"
            sratio = f"{b / prev[0]:.2f}×" if prev else "—"
            print(f"| {size} | {b / 1e6:.0f} MB | {fmt_s(r['wall'])} | {r['rss'] / 2**20:.0f} MiB | {ratio} | {sratio} |")
            prev = (b, r["wall"])


if __name__ == "__main__":
    sys.exit(main())
