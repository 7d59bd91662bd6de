#!/usr/bin/env bash
# Checks prcov's LCOV and Cobertura writers against independent tools (not part of `cargo test`:
# it needs lcov, genhtml, pycobertura and diff-cover, which this script installs if missing).
#
# For each input (corpus files of several formats, or files given as arguments), the report is
# converted to LCOV and Cobertura (examples/convert.rs, a stand-in until `prcov convert` exists) and
# the tools' totals must equal prcov's model:
#   lcov --summary / genhtml : lines = all lines, hit = hits + partials (lcov counts a line with
#                              DA > 0 as hit, whatever its branches); branches = branch totals
#   pycobertura show         : Stmts = lines, Miss = misses + partials (it counts a partially
#                              covered branch line as missed, as prcov does)
#   diff-cover (both files)  : every line of a new file is an added line, so Total = lines and
#                              Missing = misses (diff-cover marks only hits="0"/DA:0 lines missing).
#                              Its LCOV reader also makes every FN line without a DA record a
#                              line of its own (hit when FNDA > 0): prcov's model keeps functions
#                              apart from lines (Clover method lines, say), so for the LCOV file
#                              the expected figures add those lines (fn_lines/fn_missing below).
# Exit status: 0 when every check agrees, 1 otherwise.
set -euo pipefail

here=$(cd "$(dirname "$0")/.." && pwd)
corpus=${PRCOV_CORPUS:-$here/../shared/corpus}

need() { command -v "$1" >/dev/null 2>&1; }
if ! need lcov || ! need genhtml; then apt-get install -y lcov >/dev/null; fi
if ! need pycobertura || ! need diff-cover; then pip install -q pycobertura diff-cover; fi

cargo build -q --manifest-path "$here/Cargo.toml" --example convert
convert=$here/target/debug/examples/convert

if [ $# -gt 0 ]; then
  inputs=("$@")
else
  inputs=(
    "$corpus/gocov/codeclimate-set-mode-unsorted.out"
    "$corpus/gocov/octocov-tbls-count-mode.out"
    "$corpus/clover/reportgen-openclover-4.3.1.xml"
    "$corpus/clover/coveralls-istanbul-clover-unleash.xml"
    "$corpus/istanbul-json/davelosert-vitest-coverage-final-vue.json"
    "$corpus/llvm-json/codeclimate-llvm-cov-export-swift.json"
    "$corpus/other/gcovr-json-decisions-gcc14.json"
    "$corpus/other/artiomtr-jest-json-with-coveragemap.json"
    "$corpus/other/cargo-llvm-cov-codecov-custom.json"
    "$here/fixtures/real-runs/go/coverage.out"
    "$here/fixtures/real-runs/node/coverage-final.json"
    "$here/fixtures/real-runs/python/coverage.json"
    "$here/fixtures/real-runs/rust/coverage.json"
  )
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fail=0
check() { # name expected actual
  if [ "$2" = "$3" ]; then printf '  ok    %-34s %s\n' "$1" "$3"
  else printf '  FAIL  %-34s prcov %s, tool %s\n' "$1" "$2" "$3"; fail=1; fi
}

for input in "${inputs[@]}"; do
  name=$(basename "$(dirname "$input")")-$(basename "$input")
  echo "== $name"
  out=$work/$name
  mkdir -p "$out"
  totals=$("$convert" "$input" "$out/cov.info" lcov)
  "$convert" "$input" "$out/cov.xml" cobertura >/dev/null
  get() { python3 -c "import json,sys; print(json.loads(sys.argv[1])['$1'])" "$totals"; }
  lines=$(get lines); hits=$(get hits); misses=$(get misses); partials=$(get partials)
  br=$(get branches); brc=$(get branches_covered)
  executed=$((hits + partials))

  summary=$(lcov --summary "$out/cov.info" --rc lcov_branch_coverage=1 2>&1)
  check "lcov --summary lines" "$executed of $lines" \
    "$(sed -n 's/.*lines\.*: .*(\([0-9]* of [0-9]*\) lines).*/\1/p' <<<"$summary")"
  if [ "$br" -gt 0 ]; then
    check "lcov --summary branches" "$brc of $br" \
      "$(sed -n 's/.*branches\.*: .*(\([0-9]* of [0-9]*\) branches).*/\1/p' <<<"$summary")"
  fi

  # A repository whose head adds every file of the report, each long enough for its lines.
  repo=$out/repo
  mkdir -p "$repo"
  git -C "$repo" init -q -b main
  git -C "$repo" -c user.name=t -c user.email=t@t commit -q --allow-empty -m base
  git -C "$repo" branch base
  read -r fn_lines fn_missing < <(python3 - "$out/cov.info" "$repo" <<'PY'
import os, sys
info, repo = sys.argv[1], sys.argv[2]
last = {}
path = None
da, fns = {}, {}
fn_lines = fn_missing = 0
for line in open(info):
    line = line.rstrip("\n")
    if line.startswith("SF:"):
        path = line[3:]
        da, fns = set(), {}
    elif line.startswith("DA:"):
        n = int(line[3:].split(",")[0])
        da.add(n)
        last[path] = max(last.get(path, 0), n)
    elif line.startswith("FN:"):
        n, name = line[3:].split(",", 1)
        fns[name] = [int(n), 0]
    elif line.startswith("FNDA:"):
        hits, name = line[5:].split(",", 1)
        if name in fns:
            fns[name][1] = int(hits)
    elif line == "end_of_record":
        extra = {}
        for n, hits in fns.values():
            if n not in da and n not in extra:
                extra[n] = hits
                last[path] = max(last.get(path, 0), n)
        fn_lines += len(extra)
        fn_missing += sum(1 for h in extra.values() if h == 0)
for path, n in last.items():
    rel = path.lstrip("/").replace("\\", "/")
    full = os.path.join(repo, rel)
    os.makedirs(os.path.dirname(full), exist_ok=True)
    with open(full, "w") as f:
        f.writelines(f"line {i}\n" for i in range(1, n + 1))
print(fn_lines, fn_missing)
PY
  )
  git -C "$repo" add -A
  git -C "$repo" -c user.name=t -c user.email=t@t commit -q -m head

  html=$(cd "$repo" && genhtml --branch-coverage --ignore-errors source -o "$out/html" "$out/cov.info" 2>&1 || echo "genhtml failed")
  check "genhtml lines" "$executed of $lines" \
    "$(sed -n 's/.*lines\.*: .*(\([0-9]* of [0-9]*\) lines).*/\1/p' <<<"$html")"

  pyc=$(pycobertura show --format json "$out/cov.xml")
  check "pycobertura Stmts/Miss" "$lines/$((misses + partials))" \
    "$(python3 -c "import json,sys; t=json.loads(sys.argv[1])['total']; print(f\"{t['Stmts']}/{t['Miss']}\")" "$pyc")"

  # diff-cover resolves report paths against the repository; absolute report paths are
  # rewritten to the relative files created above.
  sed -e 's|filename="/|filename="|' "$out/cov.xml" > "$repo/coverage.xml"
  sed -e 's|^SF:/|SF:|' "$out/cov.info" > "$repo/coverage.info"
  for f in coverage.xml coverage.info; do
    dc=$(cd "$repo" && diff-cover "$f" --compare-branch=base 2>&1 || true)
    expected="$lines/$misses"
    if [ "$f" = coverage.info ]; then expected="$((lines + fn_lines))/$((misses + fn_missing))"; fi
    check "diff-cover $f Total/Missing" "$expected" \
      "$(sed -n 's/^Total: *\([0-9]*\) lines*/\1/p' <<<"$dc")/$(sed -n 's/^Missing: *\([0-9]*\) lines*/\1/p' <<<"$dc")"
  done
done

if [ "$fail" -ne 0 ]; then echo "some tools disagree with prcov"; exit 1; fi
echo "all tools agree with prcov"
