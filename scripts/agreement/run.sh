#!/usr/bin/env bash
# Agreement check: prcov's patch lines against diff-cover's, on two real open-source projects.
#
#   packaging 24.1 -> 24.2   pure Python, sdists from PyPI, pytest under coverage.py (branch mode)
#   lz4 1.9.4 -> 1.10.0      C, Debian source packages (upstream orig tarballs), test programs
#                            built with gcc --coverage, reported by gcovr and by lcov
#
# For each project: a git repo whose branch `base` is release N and branch `head` release N+1;
# coverage of head; Cobertura and LCOV reports; then `diff-cover` and `prcov diff` on each report,
# and compare.py checks per file that the added coverable lines and the uncovered lines agree.
#
# Usage: scripts/agreement/run.sh [--update-fixtures]
#   WORK=/some/dir   where to download and build (default: $TMPDIR/prcov-agreement)
#   --update-fixtures  also rewrite fixtures/agreement/ (trimmed repo bundles, reports, diff-cover JSON)
# Needs: python3 (venv), git, gcc, cargo; root for `apt-get install lcov` if lcov is missing.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
work=${WORK:-${TMPDIR:-/tmp}/prcov-agreement}
update=0
[ "${1:-}" = "--update-fixtures" ] && update=1
mkdir -p "$work"
log() { printf '\n== %s\n' "$*"; }

# Fixed identity and dates, so the repos (and the bundles made from them) are the same on every run.
export GIT_AUTHOR_NAME=agreement GIT_AUTHOR_EMAIL=agreement@example.invalid
export GIT_COMMITTER_NAME=agreement GIT_COMMITTER_EMAIL=agreement@example.invalid
export GIT_CONFIG_NOSYSTEM=1 GIT_CONFIG_GLOBAL=/dev/null

# ---------------------------------------------------------------- tools
log "tools"
venv=$work/venv
if [ ! -x "$venv/bin/diff-cover" ]; then
    python3 -m venv "$venv"
    "$venv/bin/pip" install -q coverage==7.17.4 pytest==9.2.0 pretend==1.0.9 \
        diff-cover==11.0.1 gcovr==8.8
fi
if ! command -v lcov >/dev/null; then
    apt-get update -q && apt-get install -y -q lcov
fi
py=$venv/bin/python
"$venv/bin/diff-cover" --version
"$venv/bin/gcovr" --version | head -1
lcov --version
gcc --version | head -1
cargo build -q --manifest-path "$root/Cargo.toml"
prcov=$root/target/debug/prcov

# ---------------------------------------------------------------- sources
# sha256 of the release archives: a registry serving something else stops the run.
check_sha() { echo "$2  $1" | sha256sum -c --quiet - || { echo "checksum mismatch: $1" >&2; exit 2; }; }
dl=$work/downloads
mkdir -p "$dl"

log "packaging sdists (PyPI)"
for v in 24.1 24.2; do
    [ -f "$dl/packaging-$v.tar.gz" ] ||
        "$venv/bin/pip" download -q --no-deps --no-binary :all: -d "$dl" "packaging==$v"
done
check_sha "$dl/packaging-24.1.tar.gz" 026ed72c8ed3fcce5bf8950572258698927fd1dbda10a5e981cdf0ac37f4f002
check_sha "$dl/packaging-24.2.tar.gz" c228a6dc5e932d346bc5739379109d49e8853dd8223571c7c5b55260edc0b97f

log "lz4 source packages (Debian: bookworm has 1.9.4, trixie 1.10.0)"
# A private apt state (own sources list, lists and cache under $work), so the machine's apt
# configuration is left alone. The mirror is the one the machine's apt already uses.
mirror=$(sed -n 's/^URIs: *//p' /etc/apt/sources.list.d/*.sources 2>/dev/null | grep -v -e security -e '^$' | head -1)
[ -n "$mirror" ] || mirror=$(awk '$1=="deb" && $0 !~ /security/ {print $2; exit}' /etc/apt/sources.list)
apt=$work/apt
mkdir -p "$apt/lists/partial" "$apt/cache/archives/partial"
printf 'deb-src %s bookworm main\ndeb-src %s trixie main\n' "$mirror" "$mirror" > "$apt/sources.list"
aptopts=(-o "Dir::Etc::SourceList=$apt/sources.list" -o Dir::Etc::SourceParts=/dev/null
         -o "Dir::State::Lists=$apt/lists" -o "Dir::Cache=$apt/cache" -o APT::Sandbox::User=root)
if [ ! -f "$dl/lz4_1.9.4.orig.tar.gz" ] || [ ! -f "$dl/lz4_1.10.0.orig.tar.gz" ]; then
    apt-get "${aptopts[@]}" -q update
    (cd "$dl" && apt-get "${aptopts[@]}" -q source --download-only lz4/bookworm lz4/trixie)
fi
check_sha "$dl/lz4_1.9.4.orig.tar.gz" 0b0e3aa07c8c063ddf40b082bdf7e37a1562bda40a0ff5272957f3e987e0e54b
check_sha "$dl/lz4_1.10.0.orig.tar.gz" 537512904744b35e232912055ccf8ec66d768639ff3abe5788d90d792ec5f48b

# ---------------------------------------------------------------- repos
# make_repo DIR TARBALL_N TARBALL_N1: branch `base` = release N, branch `head` = release N+1
# (checked out). Each tarball has one top-level directory.
make_repo() {
    local dir=$1 n=$2 n1=$3
    rm -rf "$dir" && mkdir -p "$dir"
    git -C "$dir" init -q -b base
    tar -xzf "$n" -C "$dir" --strip-components=1
    git -C "$dir" add -A
    GIT_AUTHOR_DATE='2024-01-01T00:00:00Z' GIT_COMMITTER_DATE='2024-01-01T00:00:00Z' \
        git -C "$dir" commit -q -m "release $(basename "$n")"
    git -C "$dir" checkout -q -b head
    git -C "$dir" rm -q -r .
    tar -xzf "$n1" -C "$dir" --strip-components=1
    git -C "$dir" add -A
    GIT_AUTHOR_DATE='2024-01-02T00:00:00Z' GIT_COMMITTER_DATE='2024-01-02T00:00:00Z' \
        git -C "$dir" commit -q -m "release $(basename "$n1")"
    git -C "$dir" diff --shortstat base...head
}

reports=$work/reports
rm -rf "$reports" && mkdir -p "$reports/packaging" "$reports/lz4"

log "packaging: repo, tests under coverage.py"
pk=$work/repos/packaging
make_repo "$pk" "$dl/packaging-24.1.tar.gz" "$dl/packaging-24.2.tar.gz"
# pyproject.toml turns on branch coverage; --source keeps the tests themselves out of the report.
# The full suite covers packaging 100 %, which would leave nothing uncovered to compare. So the
# run is a part of it: no tags tests (tags.py's changes are missed), no tests of invalid license
# expressions (error branches of licenses/ and metadata.py untaken: partial lines), and no
# specifiers/requirements/manylinux tests (most of the 27 000 tests).
(cd "$pk" && PYTHONPATH=src "$py" -m coverage run --source=src/packaging -m pytest -q -p no:cacheprovider \
    -k "not invalid_license_expression and not invalid_license_files" \
    tests/test_metadata.py tests/test_markers.py tests/test_utils.py tests/test_version.py | tail -1
 "$py" -m coverage xml -q -o "$reports/packaging/coverage.xml"
 "$py" -m coverage lcov -q -o "$reports/packaging/coverage.lcov")

log "lz4: repo, test programs built with gcc --coverage"
lz=$work/repos/lz4
make_repo "$lz" "$dl/lz4_1.9.4.orig.tar.gz" "$dl/lz4_1.10.0.orig.tar.gz"
# Build outside the repo tree would change gcov's paths; build inside, the objects stay untracked.
(cd "$lz/tests" &&
 make -s fuzzer frametest roundTripTest decompress-partial CFLAGS="-O0 -g --coverage" LDFLAGS="--coverage" &&
 ./fuzzer -s1 -i100 >/dev/null 2>&1 && ./frametest -s1 -i100 >/dev/null 2>&1 &&
 ./roundTripTest ../lib/lz4hc.c >/dev/null && ./decompress-partial >/dev/null)
# gcovr: the library only (lib/), Cobertura and LCOV from the same run.
(cd "$lz" && "$venv/bin/gcovr" --root . --filter 'lib/' \
    --cobertura "$reports/lz4/gcovr-cobertura.xml" --lcov "$reports/lz4/gcovr.lcov")
# lcov (geninfo): absolute paths, with branch records; restricted to lib/. (Debian's lcov 1.16
# prints "Subroutine ... redefined" perl warnings: noise, filtered.)
lcov -q --rc lcov_branch_coverage=1 --capture --directory "$lz/tests" --base-directory "$lz/tests" \
    --output-file "$reports/lz4/lcov-all.info" 2> >(grep -v 'redefined at' >&2)
lcov -q --rc lcov_branch_coverage=1 --extract "$reports/lz4/lcov-all.info" "$lz/lib/*" \
    --output-file "$reports/lz4/lcov.info"
rm "$reports/lz4/lcov-all.info"
# The build leaves objects and .gcda/.gcno files: untracked, and both tools read committed changes only.

# ---------------------------------------------------------------- compare
status=0
results=$work/results.tsv
: > "$results"
# compare PROJECT REPO REPORT [--branch-coverage]
compare() {
    local project=$1 repo=$2 report=$3 mode=${4:-} name
    name=$(basename "$report")${mode:+.branch}
    local out=$work/out/$project
    mkdir -p "$out"
    # --ignore-staged/--ignore-unstaged: committed changes only, base...head like prcov.
    (cd "$repo" && "$venv/bin/diff-cover" "$report" --compare-branch=base --ignore-staged --ignore-unstaged \
        $mode --format "json:$out/$name.diff-cover.json" -q)
    "$prcov" diff --repo "$repo" --base base --head head "$report" --format json > "$out/$name.prcov.json" ||
        [ $? = 1 ] # 1 = a gate failed; anything else is an error
    "$py" "$here/compare.py" --label "$project $name" ${mode:+--branch-mode} \
        "$out/$name.diff-cover.json" "$out/$name.prcov.json" --tsv "$results" || status=1
}
log "compare"
compare packaging "$pk" "$reports/packaging/coverage.xml"
compare packaging "$pk" "$reports/packaging/coverage.xml" --branch-coverage
compare packaging "$pk" "$reports/packaging/coverage.lcov"
compare lz4 "$lz" "$reports/lz4/gcovr-cobertura.xml"
compare lz4 "$lz" "$reports/lz4/gcovr-cobertura.xml" --branch-coverage
compare lz4 "$lz" "$reports/lz4/gcovr.lcov"
compare lz4 "$lz" "$reports/lz4/lcov.info"
column -t -s "$(printf '\t')" "$results"

if [ "$update" = 1 ]; then
    log "updating fixtures/agreement"
    "$py" "$here/make_fixtures.py" "$work" "$root/fixtures/agreement"
    cp "$results" "$root/fixtures/agreement/results.tsv"
    du -sh "$root/fixtures/agreement"
fi
exit $status
