#!/usr/bin/env python3
"""Peer: junitparser. Counts <testcase> elements: failure, else error, else skipped."""
import json
import sys
from junitparser import JUnitXml, Failure, Error, Skipped

tests = failed = errored = skipped = 0
for suite in JUnitXml.fromfile(sys.argv[1]):
    for case in suite:
        tests += 1
        kinds = {type(r) for r in case.result}
        if Failure in kinds:
            failed += 1
        elif Error in kinds:
            errored += 1
        elif Skipped in kinds:
            skipped += 1
print(json.dumps({"tests": tests, "failed": failed, "errored": errored, "skipped": skipped}))
