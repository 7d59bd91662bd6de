#!/usr/bin/env bash
# History record size and write/read time on the benchmark's generated monorepo input, at the
# issue's target scale (about 300 k coverable lines, 20 k tests). Not part of `cargo test`.
#
#   bench/history.sh               # FILES=1250 (≈ 300 k lines), CASES=20000, OUT=bench/out
#   PRCOV=target/release/prcov bench/history.sh
set -euo pipefail
BENCH="$(cd "$(dirname "$0")" && pwd)"
ROOT="$(dirname "$BENCH")"
OUT="${OUT:-$BENCH/out}"
FILES="${FILES:-1250}"
CASES="${CASES:-20000}"
PRCOV="${PRCOV:-$ROOT/target/debug/prcov}"
mkdir -p "$OUT"
[ -x "$PRCOV" ] || (cd "$ROOT" && cargo build --quiet --bin prcov)

# The same seed as run.sh: zlib (vendored by libz-sys) built with gcc --coverage.
if [ ! -f "$OUT/seed/seed.info" ]; then
    ZLIB="$(dirname "$(find "${CARGO_HOME:-$HOME/.cargo}/registry/src" -path '*libz-sys-*/src/zlib/deflate.c' | sort | tail -n 1)")"
    rm -rf "$OUT/seed" && mkdir -p "$OUT/seed"
    cp "$ZLIB"/*.c "$ZLIB"/*.h "$BENCH/seed/driver.c" "$OUT/seed/"
    (cd "$OUT/seed" && gcc -O0 --coverage -w -o driver ./*.c && ./driver >/dev/null \
        && lcov --quiet --capture --directory . --checksum --rc lcov_branch_coverage=1 -o seed.info)
fi
H="$OUT/history-$FILES"
mkdir -p "$H"
[ -f "$H/mono.info" ] || python3 "$BENCH/gen.py" lcov --out "$H" --files "$FILES" --name mono.info --seed-dir "$OUT/seed"
[ -f "$H/junit.xml" ] || python3 "$BENCH/gen.py" junit --out "$H" --cases "$CASES" --name junit.xml --seed-dir "$OUT/seed"
[ -d "$H/repo" ] || python3 "$BENCH/gen.py" repo --out "$H" --files "$FILES" --seed-dir "$OUT/seed"

lines=$("$PRCOV" report "$H/mono.info" --no-repo --format json -q | python3 -c 'import json,sys; print(json.load(sys.stdin)["project"]["lines"])')
rm -f "$H/record.prcov"
/usr/bin/time -f '%e s %M KB' -o "$H/write.time" \
    "$PRCOV" record "$H/mono.info" --junit "$H/junit.xml" --repo "$H/repo" --commit main -o "$H/record.prcov" -q
/usr/bin/time -f '%e s %M KB' -o "$H/read.time" \
    "$PRCOV" record dump "$H/record.prcov" > "$H/record.json"
tests=$(python3 -c 'import json,sys; print(len(json.load(open(sys.argv[1]))["tests"]))' "$H/record.json")
printf 'input: %s files, %s coverable lines, %s tests (LCOV %s)\n' "$FILES" "$lines" "$tests" "$(du -h "$H/mono.info" | cut -f1)"
printf 'record: %s bytes\n' "$(stat -c %s "$H/record.prcov")"
printf 'write (parse LCOV + JUnit, map paths, encode): %s\n' "$(cat "$H/write.time")"
printf 'read (decode + JSON dump of every line): %s\n' "$(cat "$H/read.time")"
