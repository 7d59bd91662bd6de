#!/usr/bin/env python3
"""Peer: Python ElementTree iterparse over Cobertura, with the SPEC §2 line model: a class's own
<lines> (its <methods> lines only when it has none), records merged per (filename, line).
Prints {"lines", "hits", "misses", "partials"} as JSON."""
import json
import re
import sys
import xml.etree.ElementTree as ET

COND = re.compile(r"\((\d+)/(\d+)\)")
recs = {}  # (file, line) -> [hits, covered, total]
path = []
for event, el in ET.iterparse(sys.argv[1], events=("start", "end")):
    if event == "start":
        path.append(el.tag)
        if el.tag == "class":
            cls_file, own, meth = el.get("filename"), [], []
        continue
    path.pop()
    if el.tag == "line":
        hits = int(el.get("hits", "0"))
        cov = tot = 0
        m = COND.search(el.get("condition-coverage", ""))
        if el.get("branch", "").lower() == "true" and m:  # coverlet writes "True"
            cov, tot = int(m.group(1)), int(m.group(2))
        (meth if path[-2:] == ["method", "lines"] else own).append((int(el.get("number")), hits, cov, tot))
    elif el.tag == "class":
        for n, h, c, t in own or meth:
            r = recs.setdefault((cls_file, n), [0, 0, 0])
            r[0] += h
            r[1] = max(r[1], c)
            r[2] = max(r[2], t)
        el.clear()
    elif el.tag in ("method", "package"):
        el.clear()
hits = misses = partials = 0
for h, c, t in recs.values():
    if h == 0:
        misses += 1
    elif t > 0 and c < t:
        partials += 1
    else:
        hits += 1
print(json.dumps({"lines": len(recs), "hits": hits, "misses": misses, "partials": partials}))
