#!/usr/bin/env python3
"""Peer: test-results-parser (Codecov's Rust JUnit parser, Python binding). Counts outcomes."""
import json
import sys
import test_results_parser as trp

with open(sys.argv[1], "rb") as f:
    info = trp.parse_junit_xml(f.read())
runs = info.testruns if hasattr(info, "testruns") else info[1]
counts = {"tests": 0, "failed": 0, "errored": 0, "skipped": 0}
for r in runs:
    counts["tests"] += 1
    o = str(r.outcome).lower()
    if "fail" in o:
        counts["failed"] += 1
    elif "error" in o:
        counts["errored"] += 1
    elif "skip" in o:
        counts["skipped"] += 1
print(json.dumps(counts))
