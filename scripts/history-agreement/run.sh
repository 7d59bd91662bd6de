#!/usr/bin/env bash
# Project Δ and per-file Δ of `prcov` history against an independent computation: pycobertura's
# `diff` on the base and head Cobertura reports of a real project at two releases
# (packaging 24.1 → 24.2, the project scripts/agreement uses). See README.md here.
#
#   scripts/history-agreement/run.sh                    # WORK defaults to $TMPDIR/prcov-history-agreement
#   scripts/history-agreement/run.sh --update-fixtures  # also rewrites fixtures/history-agreement/
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
work=${WORK:-${TMPDIR:-/tmp}/prcov-history-agreement}
update=0
[ "${1:-}" = "--update-fixtures" ] && update=1
mkdir -p "$work"
export GIT_AUTHOR_NAME=agreement GIT_AUTHOR_EMAIL=agreement@example.invalid
export GIT_COMMITTER_NAME=agreement GIT_COMMITTER_EMAIL=agreement@example.invalid
export GIT_CONFIG_NOSYSTEM=1 GIT_CONFIG_GLOBAL=/dev/null

venv=$work/venv
if [ ! -x "$venv/bin/pycobertura" ]; then
    python3 -m venv "$venv"
    "$venv/bin/pip" install -q pycobertura==4.1.0 coverage==7.17.4 pytest==9.2.0 pretend==1.0.9
fi
py=$venv/bin/python
cargo build -q --manifest-path "$root/Cargo.toml"
prcov=$root/target/debug/prcov

dl=$work/downloads
mkdir -p "$dl"
for v in 24.1 24.2; do
    [ -f "$dl/packaging-$v.tar.gz" ] ||
        "$venv/bin/pip" download -q --no-deps --no-binary :all: -d "$dl" "packaging==$v"
done
echo "026ed72c8ed3fcce5bf8950572258698927fd1dbda10a5e981cdf0ac37f4f002  $dl/packaging-24.1.tar.gz" | sha256sum -c --quiet -
echo "c228a6dc5e932d346bc5739379109d49e8853dd8223571c7c5b55260edc0b97f  $dl/packaging-24.2.tar.gz" | sha256sum -c --quiet -

# One repository: main = 24.1 (the merge-base), feature = 24.2 (the PR).
repo=$work/repo
rm -rf "$repo" && mkdir -p "$repo"
git -C "$repo" init -q -b main
tar -xzf "$dl/packaging-24.1.tar.gz" -C "$repo" --strip-components=1
git -C "$repo" add -A
GIT_AUTHOR_DATE='2024-01-01T00:00:00Z' GIT_COMMITTER_DATE='2024-01-01T00:00:00Z' git -C "$repo" commit -q -m "packaging 24.1"
git -C "$repo" checkout -q -b feature
git -C "$repo" rm -q -r .
tar -xzf "$dl/packaging-24.2.tar.gz" -C "$repo" --strip-components=1
git -C "$repo" add -A
GIT_AUTHOR_DATE='2024-01-02T00:00:00Z' GIT_COMMITTER_DATE='2024-01-02T00:00:00Z' git -C "$repo" commit -q -m "packaging 24.2"

# The same test selection on both releases, under coverage.py; reports outside the repository.
out=$work/out
rm -rf "$out" && mkdir -p "$out"
cover() {
    git -C "$repo" checkout -q "$1"
    git -C "$repo" clean -q -fdx
    (cd "$repo" && PYTHONPATH=src "$py" -m coverage run --source=src/packaging -m pytest -q -p no:cacheprovider \
        -k "not invalid_license_expression and not invalid_license_files" \
        tests/test_markers.py tests/test_utils.py tests/test_version.py tests/test_specifiers.py | tail -1
     "$py" -m coverage xml -q -o "$out/$2.xml")
    git -C "$repo" clean -q -fdx
}
cover main base
cover feature head

# The independent computation: pycobertura's `diff` (per-file statement and miss deltas, the
# total coverage delta; exit 2/3 only say coverage got worse) and its `show` of each report (the
# per-file percentages whose difference is the per-file delta).
"$venv/bin/pycobertura" diff "$out/base.xml" "$out/head.xml" --no-source --no-color --format json \
    > "$out/pycobertura-diff.json" || [ $? = 2 ] || [ $? = 3 ]
"$venv/bin/pycobertura" show "$out/base.xml" --format json > "$out/pycobertura-show-base.json"
"$venv/bin/pycobertura" show "$out/head.xml" --format json > "$out/pycobertura-show-head.json"

# prcov: record the base on main, then compare the PR with it (default counting: a partial line
# is not covered, as pycobertura's Miss counts it).
rm -rf "$out/history"
"$prcov" record "$out/base.xml" --repo "$repo" --commit main --history-dir "$out/history" -q
"$prcov" diff "$out/head.xml" --repo "$repo" --base main --head feature --history-dir "$out/history" \
    --format json > "$out/prcov.json" || [ $? = 1 ]

# pycobertura's `diff` total is the change of the reports' own `line-rate` attribute, which
# coverage.py computes with partial lines as covered: prcov with --partials-as-hits must match it.
rm -rf "$out/history-pah"
"$prcov" record "$out/base.xml" --repo "$repo" --commit main --history-dir "$out/history-pah" --partials-as-hits -q
"$prcov" diff "$out/head.xml" --repo "$repo" --base main --head feature --history-dir "$out/history-pah" \
    --partials-as-hits --format json > "$out/prcov-partials-as-hits.json" || [ $? = 1 ]

"$py" "$here/compare.py" "$out"

if [ $update = 1 ]; then
    dest=$root/fixtures/history-agreement
    mkdir -p "$dest"
    gzip -9n < "$out/base.xml" > "$dest/base.xml.gz"
    gzip -9n < "$out/head.xml" > "$dest/head.xml.gz"
    cp "$out"/pycobertura-*.json "$dest/"
    git -C "$repo" ls-tree -r --name-only main > "$dest/files-base.txt"
    git -C "$repo" ls-tree -r --name-only feature > "$dest/files-head.txt"
    echo "fixtures written to $dest"
fi
