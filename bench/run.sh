#!/usr/bin/env bash
# One command for the whole benchmark: build prcov (release), build the real seed (zlib with
# gcc --coverage), generate the inputs (cached in bench/out), time prcov and the peers, check
# that they agree, print the table. See bench/README.md.
#
#   bench/run.sh                 # everything (L = 1 GB LCOV included)
#   RUNS=3 SLOW_RUNS=1 bench/run.sh
#   SKIP=cobertura,linear bench/run.sh   # skip jobs: lcov, cobertura, diff, junit, linear
#   PRESETS=junit-logs,cobertura-gcovr bench/run.sh   # only these presets (`gen.py presets` lists them)
set -euo pipefail
BENCH="$(cd "$(dirname "$0")" && pwd)"
ROOT="$(dirname "$BENCH")"
OUT="${PRCOV_BENCH_OUT:-$BENCH/out}"
export PRCOV_BENCH_OUT="$OUT"
mkdir -p "$OUT"

need() { command -v "$1" >/dev/null || { echo "missing $1: $2" >&2; exit 2; }; }
need gcc "apt-get install gcc"
need lcov "apt-get install lcov"
need /usr/bin/time "apt-get install time"
need diff-cover "pip install diff-cover pycobertura junitparser test-results-parser"
need pycobertura "pip install pycobertura"
need grcov "cargo install grcov"
python3 -c "import junitparser, test_results_parser" || { echo "pip install junitparser test-results-parser" >&2; exit 2; }

echo "building prcov (release)" >&2
(cd "$ROOT" && cargo build --release --quiet --bin prcov)
export PRCOV="$ROOT/target/release/prcov"

# The seed: zlib, vendored by the libz-sys crate (a dependency of git2, so it is in the cargo
# registry once prcov is built), driven by seed/driver.c.
if [ ! -f "$OUT/seed/seed.info" ]; then
    echo "building the seed: zlib with gcc --coverage" >&2
    ZLIB="$(dirname "$(find "${CARGO_HOME:-$HOME/.cargo}/registry/src" -path '*libz-sys-*/src/zlib/deflate.c' | sort | tail -n 1)")"
    [ -f "$ZLIB/deflate.c" ] || { echo "zlib sources of libz-sys not found in the cargo registry" >&2; exit 2; }
    rm -rf "$OUT/seed" && mkdir -p "$OUT/seed"
    cp "$ZLIB"/*.c "$ZLIB"/*.h "$BENCH/seed/driver.c" "$OUT/seed/"
    (cd "$OUT/seed" && gcc -O0 --coverage -w -o driver ./*.c && ./driver >/dev/null \
        && lcov --quiet --capture --directory . --checksum --rc lcov_branch_coverage=1 -o seed.info)
fi

# Inputs are regenerated when gen.py or the seed changes; each preset's file is written when
# missing (`PRESETS=a,b` limits the run, and the generation, to those presets).
STAMP="$(cat "$BENCH/gen.py" "$OUT/seed/seed.info" | sha256sum | cut -c1-16)"
if [ "$(cat "$OUT/.stamp" 2>/dev/null)" != "$STAMP" ]; then
    echo "gen.py or the seed changed: removing the old inputs in $OUT" >&2
    rm -rf "$OUT/repo" "$OUT"/mono-* "$OUT"/junit-* "$OUT"/cob-* "$OUT"/lcov-*
    echo "$STAMP" > "$OUT/.stamp"
fi
G="python3 $BENCH/gen.py --out $OUT"
wanted() { [ -z "${PRESETS:-}" ] || [[ ",$PRESETS," == *",$1,"* ]]; }
while read -r name job file; do
    wanted "$name" || continue
    [[ ",${SKIP:-}," == *",$job,"* ]] && continue
    if [ "$job" = diff ] && [ ! -d "$OUT/repo" ]; then
        echo "generating the repository" >&2
        $G repo --files 11600
    fi
    if [ ! -f "$OUT/$file" ]; then
        echo "generating $name ($file)" >&2
        $G preset "$name"
    fi
done < <($G presets)
# grcov panics on LCOV line checksums (DA:n,c,md5), so it reads copies without them.
for f in mono-M lcov-checksums; do
    if [ -f "$OUT/$f.info" ] && [ ! -f "$OUT/$f.nochk.info" ]; then
        sed -E 's/^(DA:[0-9]+,[0-9]+),.*/\1/' "$OUT/$f.info" > "$OUT/$f.nochk.info"
    fi
done
if [[ ",${SKIP:-}," != *",linear,"* ]] && { [ -z "${PRESETS:-}" ] || [[ ",$PRESETS," == *",linear,"* ]]; }; then
    [ -f "$OUT/mono-S.info" ] || $G lcov --files 1160 --name mono-S.info
    [ -f "$OUT/mono-L.info" ] || $G lcov --files 116000 --name mono-L.info
fi

python3 "$BENCH/bench.py"
