#!/usr/bin/env python3
"""Compares prcov's history deltas with pycobertura's on the same base and head reports.

Usage: compare.py OUT   (OUT holds pycobertura-diff.json, pycobertura-show-{base,head}.json, prcov.json)

Checked, exactly:
- the set of files that changed (pycobertura diff's rows = prcov's coverage_changes);
- per file, the change in statements (Stmts) and in missed statements (Miss = misses + partials);
- per file present on both sides, Δ% = head Cover − base Cover of `pycobertura show`, against
  prcov's unrounded delta rounded the same way (pycobertura prints 2 decimals);
- project: base and head Stmts/Miss of `show` = prcov's base_project/project, and head Cover −
  base Cover of `show` = prcov's delta at 2 decimals;
- diff's total Cover change, which pycobertura takes from the reports' `line-rate` attribute
  (coverage.py counts partial lines as covered there) = prcov's delta with --partials-as-hits
  (prcov-partials-as-hits.json) at 2 decimals.
Prints one line per file and exits 1 on any disagreement.
"""

import json
import os
import sys


def load(path):
    with open(path) as f:
        return json.load(f)


def num(s):
    """'+12', '-3', '0', '+1.25%' → float."""
    return float(str(s).rstrip("%"))


def main():
    out = sys.argv[1]
    diff = load(os.path.join(out, "pycobertura-diff.json"))
    show = {side: load(os.path.join(out, f"pycobertura-show-{side}.json")) for side in ("base", "head")}
    prcov = load(os.path.join(out, "prcov.json"))
    cover = {
        side: {f["Filename"]: num(f["Cover"]) for f in show[side]["files"]} for side in show
    }
    ok = True

    def check(what, theirs, ours):
        nonlocal ok
        same = theirs == ours
        ok &= same
        print(f"{'ok ' if same else 'BAD'} {what}: pycobertura {theirs}, prcov {ours}")

    changes = {c["path"]: c for c in prcov["history"]["coverage_changes"]}
    rows = {r["Filename"]: r for r in diff["files"]}
    check("files that changed", sorted(rows), sorted(changes))
    for path in sorted(set(rows) & set(changes)):
        c = changes[path]
        base, head = c["base"] or {}, c["head"] or {}
        stmts = head.get("lines", 0) - base.get("lines", 0)
        miss = (head.get("misses", 0) + head.get("partials", 0)) - (
            base.get("misses", 0) + base.get("partials", 0)
        )
        check(f"{path} Δstmts", int(num(rows[path]["Stmts"])), stmts)
        check(f"{path} Δmiss", int(num(rows[path]["Miss"])), miss)
        if path in cover["base"] and path in cover["head"]:
            theirs = round(cover["head"][path] - cover["base"][path], 2)
            ours = round(c["delta"], 2) if c["delta"] is not None else None
            check(f"{path} Δ%", theirs, ours)
    for side, key in (("base", "base_project"), ("head", "project")):
        t = show[side]["total"]
        p = prcov[key]
        check(f"project {side} stmts/miss", (t["Stmts"], t["Miss"]), (p["lines"], p["misses"] + p["partials"]))
    check(
        "project Δ% (show head − show base)",
        round(num(show["head"]["total"]["Cover"]) - num(show["base"]["total"]["Cover"]), 2),
        round(prcov["delta"], 2),
    )
    pah = load(os.path.join(out, "prcov-partials-as-hits.json"))
    check("project Δ% (diff total, line-rate)", num(diff["total"]["Cover"]), round(pah["delta"], 2))
    print("agree" if ok else "DISAGREE")
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
