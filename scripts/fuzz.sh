#!/usr/bin/env bash
# Runs every fuzz target in fuzz/ for a bounded time (default 60 s each), seeded from the shared
# corpus (../shared/corpus, by its MANIFEST format column) and fixtures/. Not part of .ci/run:
# it needs the nightly toolchain and cargo-fuzz (`cargo install cargo-fuzz`).
#
# Usage: scripts/fuzz.sh [SECONDS_PER_TARGET] [TARGET...]
# Findings land in fuzz/artifacts/TARGET/; turn each into a fixture (fixtures/<format>/invalid/ or
# a unit test) and fix the parser. The summary at the end lists runs and findings per target.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-60}
shift || true
corpus=${PRCOV_CORPUS:-../shared/corpus}
all_targets=(lcov cobertura jacoco clover gocov istanbul_json llvm_json coveragepy_json gcovr_json codecov_json sonar junit detect payload unified_diff markdown_escape)
targets=("$@")
[ ${#targets[@]} -eq 0 ] && targets=("${all_targets[@]}")

# MANIFEST format → fuzz target.
target_of() {
  case "$1" in
    lcov) echo lcov ;; cobertura) echo cobertura ;; jacoco) echo jacoco ;; clover) echo clover ;;
    gocov) echo gocov ;; istanbul-json) echo istanbul_json ;; llvm-json) echo llvm_json ;;
    junit) echo junit ;; codecov-json) echo codecov_json ;; other-gcovr-json) echo gcovr_json ;;
    sonar-generic) echo sonar ;; *) echo "" ;;
  esac
}

seed() { # seed TARGET FILE: copies files under 1 MiB (larger ones slow every iteration)
  local dir=fuzz/corpus/$1
  mkdir -p "$dir"
  if [ -f "$2" ] && [ "$(stat -c %s "$2")" -lt 1048576 ]; then
    cp "$2" "$dir/seed-$(basename "$2")"
  fi
}

if [ -f "$corpus/MANIFEST.tsv" ]; then
  tail -n +2 "$corpus/MANIFEST.tsv" | while IFS=$'\t' read -r path format _; do
    t=$(target_of "$format")
    [ -n "$t" ] && seed "$t" "$corpus/$path"
    seed detect "$corpus/$path"
  done
fi
for f in fixtures/cobertura/*/*; do seed cobertura "$f"; done
for f in fixtures/jacoco/*/*; do seed jacoco "$f"; done
for f in fixtures/lcov/*/* fixtures/example/lcov.info; do seed lcov "$f"; done
for f in fixtures/junit/*.xml; do seed junit "$f"; done
for f in fixtures/diffs/*.patch; do seed unified_diff "$f"; done
for f in fuzz/seeds/payload/*; do seed payload "$f"; done
mkdir -p fuzz/corpus/markdown_escape
printf '%s' 'src/a|b`c`.rs' > fuzz/corpus/markdown_escape/seed-name
printf '%s' $'x\n\n<!-- </details> | x | ``' > fuzz/corpus/markdown_escape/seed-hostile

# Build every target once; `cargo fuzz run` per target rebuilt prcov each time.
(cd fuzz && cargo +nightly fuzz build -O)
triple=$(rustc +nightly -vV | sed -n 's/^host: //p')
summary=()
for t in "${targets[@]}"; do
  mkdir -p "fuzz/corpus/$t" "fuzz/artifacts/$t"
  log=fuzz/artifacts/$t.log
  start=$(date +%s)
  status=ok
  (cd fuzz && "target/$triple/release/$t" "corpus/$t" \
      -max_total_time="$seconds" -rss_limit_mb=2048 -timeout=10 -max_len=262144 \
      -artifact_prefix="artifacts/$t/" -print_final_stats=1) >"$log" 2>&1 || status=failed
  runs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$' || echo "?")
  findings=$(find "fuzz/artifacts/$t" -type f | wc -l)
  summary+=("$t: $(( $(date +%s) - start )) s, ${runs} runs, ${findings} finding(s), $status")
done
printf '%s\n' "${summary[@]}"
