#!/usr/bin/env bash
# Behaviour-unchanged check: builds prcov at OLD_REV (in a temporary git worktree, reusing this
# checkout's target directory so only prcov itself is compiled again) and the current working tree
# (or NEW_REV, also in a temporary worktree), runs both on every corpus file and fixture, and
# compares stdout, stderr and the exit code.
#
#   scripts/compare-outputs.sh OLD_REV [NEW_REV]  # e.g. main, HEAD~3, a commit sha
#   KEEP=1 scripts/compare-outputs.sh OLD_REV     # keep the outputs (the folder is printed)
#
# What runs, each in text, markdown and json:
#   - `prcov report --no-repo FILE` on every coverage report of the corpus and of fixtures/
#   - `prcov tests FILE` on every JUnit file of the corpus and of fixtures/junit
#   - `prcov diff` on fixtures/example (both reports) and on every report of fixtures/agreement
# Prints the counts of identical and different outputs and, for each difference, the first lines
# of the diff. Exit status: 0 when all are identical, 1 otherwise.
set -euo pipefail

if [ $# -lt 1 ] || [ $# -gt 2 ]; then
    echo "usage: $0 OLD_REV [NEW_REV]" >&2
    exit 2
fi
old_rev=$1
new_rev=${2:-}
root=$(git rev-parse --show-toplevel)
corpus=${PRCOV_CORPUS:-$root/../shared/corpus}
target=${CARGO_TARGET_DIR:-$root/target}
tmp=$(mktemp -d)

cleanup() {
    for tree in "$tmp"/tree-*; do
        [ -d "$tree" ] && git -C "$root" worktree remove --force "$tree" >/dev/null 2>&1
    done
    if [ -z "${KEEP:-}" ]; then rm -rf "$tmp"; else echo "outputs kept in $tmp" >&2; fi
}
trap cleanup EXIT INT TERM

# Builds REV in a temporary worktree and copies its binary to OUT.
# Cargo names a path package's build by its name, version and profile, not by its folder: built
# with the same settings, another tree would overwrite this tree's build, and cargo would then
# find this tree "fresh" and keep the other binary. An otherwise harmless profile setting for
# prcov alone (its number of codegen units) gives each revision's build its own files; the
# dependencies are shared.
build_rev() { # rev, codegen units, out
    local tree="$tmp/tree-$2"
    echo "building $1 ($(git -C "$root" rev-parse --short "$1"))…" >&2
    git -C "$root" worktree add -q --detach "$tree" "$1"
    (cd "$tree" && CARGO_TARGET_DIR="$target" cargo build -q --bin prcov \
        --config "profile.dev.package.prcov.codegen-units=$2")
    cp "$target/debug/prcov" "$3"
    git -C "$root" worktree remove --force "$tree"
}

build_rev "$old_rev" 257 "$tmp/prcov-old"
if [ -n "$new_rev" ]; then
    build_rev "$new_rev" 258 "$tmp/prcov-new"
else
    echo "building the working tree…" >&2
    # Cargo copies the binary to target/debug only when it links it: touching main.rs relinks
    # it, so the copy below is this tree's binary, not the one just built from the old tree.
    touch "$root/src/main.rs"
    (cd "$root" && CARGO_TARGET_DIR="$target" cargo build -q --bin prcov)
    cp "$target/debug/prcov" "$tmp/prcov-new"
fi
if cmp -s "$tmp/prcov-old" "$tmp/prcov-new"; then
    echo "error: the two binaries are byte-identical: the builds were not kept apart" >&2
    exit 2
fi

# Inputs that need unpacking or a checkout live in one place, shared by both runs, so the
# temporary paths printed in outputs are the same.
work="$tmp/work"
mkdir -p "$work"
git clone -q --branch feature "$root/fixtures/example/shop.bundle" "$work/shop"
for project in lz4 packaging; do
    git clone -q --branch head "$root/fixtures/agreement/$project/repo.bundle" "$work/$project"
    for gz in "$root/fixtures/agreement/$project"/*.gz; do
        name=$(basename "$gz" .gz)
        gzip -dc "$gz" >"$work/$project-$name"
    done
done

# One case per line: a name, then the prcov arguments (tab-separated, {FMT} is the format).
cases="$tmp/cases.tsv"
: >"$cases"
add() { printf '%s' "$1" >>"$cases"; shift; printf '\t%s' "$@" >>"$cases"; printf '\n' >>"$cases"; }

coverage_files() {
    tail -n +2 "$corpus/MANIFEST.tsv" | cut -f1,2 | while IFS=$'\t' read -r path format; do
        [ "$format" = junit ] || echo "$corpus/$path"
    done
    find "$root/fixtures/lcov" "$root/fixtures/cobertura" "$root/fixtures/jacoco" -type f | sort
    find "$root/fixtures/real-runs" -type f \( -name '*.info' -o -name '*.lcov' -o -name '*.xml' \
        -o -name '*.json' -o -name '*.out' \) ! -name '*junit*' | sort
}
junit_files() {
    tail -n +2 "$corpus/MANIFEST.tsv" | cut -f1,2 | while IFS=$'\t' read -r path format; do
        [ "$format" != junit ] || echo "$corpus/$path"
    done
    find "$root/fixtures/junit" -name '*.xml' | sort
    find "$root/fixtures/real-runs" -type f -name '*junit*.xml' | sort
}

while read -r f; do add "report ${f#"$root/"}" report --no-repo --format '{FMT}' "$f"; done < <(coverage_files)
while read -r f; do add "tests ${f#"$root/"}" tests --format '{FMT}' "$f"; done < <(junit_files)
for r in coverage.xml lcov.info; do
    add "diff example/$r" diff --repo "$work/shop" --base origin/main --format '{FMT}' \
        "$root/fixtures/example/$r"
done
for project in lz4 packaging; do
    for gz in "$root/fixtures/agreement/$project"/*.gz; do
        name=$(basename "$gz" .gz)
        add "diff agreement/$project/$name" diff --repo "$work/$project" --base origin/base \
            --head head --format '{FMT}' "$work/$project-$name"
    done
done

run_all() { # binary, output folder
    local bin=$1 out=$2 i=0
    mkdir -p "$out"
    while IFS=$'\t' read -r -a fields; do
        for fmt in text markdown json; do
            local args=("${fields[@]:1}")
            args=("${args[@]//\{FMT\}/$fmt}")
            i=$((i + 1))
            local stem="$out/$i"
            echo "${fields[0]} ($fmt)" >"$stem.name"
            # The same clean environment for both: no CI detection, no colour, a fixed folder.
            (cd "$work" && env -u GITHUB_ACTIONS -u GITLAB_CI -u CI NO_COLOR=1 \
                "$bin" "${args[@]}" >"$stem.out" 2>"$stem.err" </dev/null; echo $? >"$stem.code") || true
        done
    done <"$cases"
}

echo "running the old binary…" >&2
run_all "$tmp/prcov-old" "$tmp/old"
echo "running the new binary…" >&2
run_all "$tmp/prcov-new" "$tmp/new"

same=0
different=0
for name in "$tmp"/old/*.name; do
    stem=${name%.name}
    n=$(basename "$stem")
    if cmp -s "$stem.out" "$tmp/new/$n.out" && cmp -s "$stem.err" "$tmp/new/$n.err" \
        && cmp -s "$stem.code" "$tmp/new/$n.code"; then
        same=$((same + 1))
    else
        different=$((different + 1))
        echo "== DIFFERENT: $(cat "$name")"
        for part in code out err; do
            if ! cmp -s "$stem.$part" "$tmp/new/$n.$part"; then
                echo "-- $part (old → new)"
                diff -u "$stem.$part" "$tmp/new/$n.$part" | tail -n +3 | head -n 20 || true
            fi
        done
    fi
done
echo "identical: $same, different: $different (of $((same + different)) outputs)"
[ "$different" -eq 0 ]
