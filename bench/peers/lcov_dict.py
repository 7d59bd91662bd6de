#!/usr/bin/env python3
"""Peer: the straightforward Python LCOV reader (a dict per file), with SPEC §2 line states.
Prints {"lines", "hits", "misses", "partials", "branches", "branches_taken"} as JSON."""
import json
import sys

lines = {}  # (file, line) -> hits
branches = {}  # (file, line, block, branch) -> taken
sf = None
with open(sys.argv[1], encoding="utf-8", errors="replace") as f:
    for raw in f:
        if raw.startswith("DA:"):
            p = raw[3:].split(",")
            key = (sf, int(p[0]))
            lines[key] = lines.get(key, 0) + int(p[1])
        elif raw.startswith("BRDA:"):
            n, b, br, t = raw[5:].rstrip("\n").split(",")
            key = (sf, int(n), b, br)
            branches[key] = branches.get(key, False) or (t != "-" and int(t) > 0)
        elif raw.startswith("SF:"):
            sf = raw[3:].rstrip("\n")
partial_lines = set()
for (s, n, _, _), taken in branches.items():
    if not taken:
        partial_lines.add((s, n))
hits = misses = partials = 0
for key, c in lines.items():
    if c == 0:
        misses += 1
    elif key in partial_lines:
        partials += 1
    else:
        hits += 1
print(json.dumps({"lines": len(lines), "hits": hits, "misses": misses, "partials": partials,
                  "branches": len(branches), "branches_taken": sum(branches.values())}))
