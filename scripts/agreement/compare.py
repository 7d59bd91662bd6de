#!/usr/bin/env python3
"""Compare diff-cover's JSON report with prcov's `diff --format json` output, per file.

diff-cover (default mode) counts a line as covered when its hit count is > 0, so:
  diff-cover added coverable lines = covered_lines + violation_lines
  diff-cover uncovered lines       = violation_lines
  prcov added coverable lines      = hit_lines + missed_lines + partial_lines
  prcov uncovered lines            = missed_lines           (partials ran: covered for diff-cover)
With --branch-coverage (diff-cover's Cobertura-only mode, "partially covered branches as
uncovered") the uncovered lines are compared with missed_lines + partial_lines instead.

Exit status 0 when every file agrees, 1 otherwise; one summary row is appended to --tsv.
"""

import argparse
import json
import sys


def diff_cover_files(path):
    with open(path, encoding="utf-8") as f:
        data = json.load(f)
    out = {}
    for name, stats in data["src_stats"].items():
        violations = set(stats["violation_lines"])
        coverable = set(stats["covered_lines"]) | violations
        if coverable:
            out[name] = (coverable, violations)
    return out


def prcov_files(path, branch_mode):
    with open(path, encoding="utf-8") as f:
        data = json.load(f)
    out = {}
    partials = 0
    for entry in data["files"]:
        hit = set(entry["hit_lines"])
        missed = set(entry["missed_lines"])
        partial = set(entry["partial_lines"])
        coverable = hit | missed | partial
        if coverable:
            uncovered = missed | partial if branch_mode else missed
            out[entry["path"]] = (coverable, uncovered)
            partials += len(partial)
    return out, partials


def ranges(lines):
    """Compact "3-5, 9" form of a set of line numbers, for readable disagreement reports."""
    out = []
    for n in sorted(lines):
        if out and out[-1][1] == n - 1:
            out[-1][1] = n
        else:
            out.append([n, n])
    return ", ".join(str(a) if a == b else f"{a}-{b}" for a, b in out)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("diff_cover_json")
    ap.add_argument("prcov_json")
    ap.add_argument("--label", required=True)
    ap.add_argument("--branch-mode", action="store_true",
                    help="diff-cover ran with --branch-coverage: partials count as uncovered")
    ap.add_argument("--tsv", help="append one summary row here")
    args = ap.parse_args()

    dc = diff_cover_files(args.diff_cover_json)
    pc, partials = prcov_files(args.prcov_json, args.branch_mode)

    problems = []
    for name in sorted(set(dc) | set(pc)):
        if name not in dc:
            problems.append(f"{name}: only prcov has coverable added lines ({len(pc[name][0])})")
            continue
        if name not in pc:
            problems.append(f"{name}: only diff-cover has coverable added lines ({len(dc[name][0])})")
            continue
        (dcov, dunc), (pcov, punc) = dc[name], pc[name]
        if dcov != pcov:
            problems.append(f"{name}: added coverable lines differ: only diff-cover "
                            f"[{ranges(dcov - pcov)}], only prcov [{ranges(pcov - dcov)}]")
        if dunc != punc:
            problems.append(f"{name}: uncovered lines differ: only diff-cover "
                            f"[{ranges(dunc - punc)}], only prcov [{ranges(punc - dunc)}]")

    def total(files, i):
        return sum(len(v[i]) for v in files.values())

    agree = "yes" if not problems else "no"
    row = [args.label, str(len(dc)), str(len(pc)), str(total(dc, 0)), str(total(pc, 0)),
           str(total(dc, 1)), str(total(pc, 1)), str(partials), agree]
    print(f"{args.label}: files {len(dc)}/{len(pc)}, added coverable {total(dc, 0)}/{total(pc, 0)}, "
          f"uncovered {total(dc, 1)}/{total(pc, 1)} (diff-cover/prcov), prcov partials {partials}: "
          f"agree={agree}")
    for p in problems:
        print(f"  {p}")
    if args.tsv:
        header = ["report", "files dc", "files prcov", "coverable dc", "coverable prcov",
                  "uncovered dc", "uncovered prcov", "partials prcov", "agree"]
        try:
            with open(args.tsv, encoding="utf-8") as f:
                empty = f.read() == ""
        except FileNotFoundError:
            empty = True
        with open(args.tsv, "a", encoding="utf-8") as f:
            if empty:
                f.write("\t".join(header) + "\n")
            f.write("\t".join(row) + "\n")
    return 0 if not problems else 1


if __name__ == "__main__":
    sys.exit(main())
