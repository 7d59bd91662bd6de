#!/usr/bin/env bash
# Release artifacts, the same on a laptop and in .github/workflows/release.yml (each step of the
# workflow is one call of this script).
#
#   scripts/dist.sh setup TARGET          what a fresh CI runner lacks to build TARGET (rustup
#                                         target, musl-tools for *-linux-musl on Debian/Ubuntu)
#   scripts/dist.sh build [TARGET]        cargo build --profile dist, then `package` the binary
#   scripts/dist.sh setup-wheel TARGET    maturin and zig (PyPI, pinned), rustup target
#   scripts/dist.sh wheel [TARGET|sdist]  a wheel of the binary (maturin, bindings = "bin") or the
#                                         sdist, in dist/wheels/
#   scripts/dist.sh package BIN TARGET    archive BIN as dist/prcov-<version>-<TARGET>.tar.gz|zip
#   scripts/dist.sh sums [DIR]            DIR/SHA256SUMS over DIR's archives (default dist/)
#   scripts/dist.sh notes [VERSION]       the CHANGELOG.md section of VERSION (release notes)
#   scripts/dist.sh check-tag TAG         fail unless TAG is v<the version in Cargo.toml>
#
# TARGET defaults to this machine's (rustc -vV). An archive holds one folder,
# prcov-<version>-<target>/, with the binary, the README, the licenses and the changelog;
# Windows targets get a .zip, every other a .tar.gz. PRCOV_DIST_DIR overrides dist/.
set -euo pipefail

root="$(cd "$(dirname "$0")/.." && pwd)"
out="${PRCOV_DIST_DIR:-$root/dist}"

die() {
  echo "dist.sh: $*" >&2
  exit 2
}

# The package version, from Cargo.toml's [package] table (the first `version = "…"` line).
version() {
  sed -n 's/^version = "\([^"]*\)"$/\1/p' "$root/Cargo.toml" | head -n 1
}

host_target() {
  rustc -vV | sed -n 's/^host: //p'
}

sha256() {
  if command -v sha256sum >/dev/null; then
    sha256sum "$@"
  else
    shasum -a 256 "$@"
  fi
}

package() {
  local bin="$1" target="$2"
  [ -f "$bin" ] || die "no binary at $bin"
  local name
  name="prcov-$(version)-$target"
  local stage
  stage="$(mktemp -d)"
  mkdir -p "$stage/$name" "$out"
  local exe=prcov
  case "$target" in *windows*) exe=prcov.exe ;; esac
  cp "$bin" "$stage/$name/$exe"
  chmod 755 "$stage/$name/$exe"
  for doc in README.md LICENSE-MIT LICENSE-APACHE CHANGELOG.md; do
    cp "$root/$doc" "$stage/$name/"
  done
  case "$target" in
    *windows*)
      rm -f "$out/$name.zip"
      if command -v 7z >/dev/null; then
        (cd "$stage" && 7z a -tzip -bd "$out/$name.zip" "$name" >/dev/null)
      else
        (cd "$stage" && zip -qr "$out/$name.zip" "$name")
      fi
      echo "$out/$name.zip"
      ;;
    *)
      # With GNU tar, owner and timestamps are normalized: the archive's bytes depend on its
      # contents only. (macOS's bsdtar lacks --mtime; its archives carry the build's times.)
      local normalize=()
      if tar --version 2>/dev/null | grep -q 'GNU tar'; then
        normalize=(--owner=0 --group=0 --numeric-owner --mtime=@0 --sort=name)
      fi
      (cd "$stage" && tar ${normalize[@]+"${normalize[@]}"} -cf - "$name") |
        gzip -n -"${PRCOV_DIST_GZIP_LEVEL:-9}" >"$out/$name.tar.gz"
      echo "$out/$name.tar.gz"
      ;;
  esac
  rm -rf "$stage"
}

# Versions of the Python build tools the release uses (PyPI).
MATURIN_VERSION=1.16.0
ZIG_VERSION=0.17.0

as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

setup() {
  local target="$1"
  case "$target" in
    universal2-apple-darwin) rustup target add x86_64-apple-darwin aarch64-apple-darwin ;;
    sdist) ;;
    *) rustup target add "$target" ;;
  esac
  case "$target" in
    *-linux-musl)
      if ! command -v musl-gcc >/dev/null && command -v apt-get >/dev/null; then
        as_root apt-get update -qq
        as_root apt-get install -y -qq musl-tools
      fi
      ;;
  esac
}

# The Python that runs maturin: the virtualenv `setup-wheel` made (CI runners' system Pythons
# refuse pip installs, PEP 668), else the one on the PATH (a local venv with maturin).
venv="$root/target/dist-venv"
python() {
  local candidate
  for candidate in "$venv/bin/python" "$venv/Scripts/python.exe" python3 python; do
    if command -v "$candidate" >/dev/null; then
      "$candidate" "$@"
      return
    fi
  done
  die "no python3 on the PATH"
}

setup_wheel() {
  setup "$1"
  python -m venv "$venv"
  python -m pip install --quiet "maturin==$MATURIN_VERSION" "ziglang==$ZIG_VERSION"
}

# The C parts (zlib, libgit2, ring) of a musl build are compiled by musl-gcc: the host's gcc
# would compile them against glibc's headers.
c_compiler_for() {
  local target="$1"
  case "$target" in
    *-linux-musl)
      if command -v musl-gcc >/dev/null; then
        export "CC_${target//-/_}=musl-gcc"
      fi
      ;;
  esac
}

build() {
  local target="${1:-$(host_target)}"
  c_compiler_for "$target"
  # --target even for the host: the output goes to target/<triple>/dist on every machine, where
  # maturin (pyproject.toml) finds the same build.
  cargo build --locked --profile dist --target "$target" --bin prcov >&2
  local exe=prcov
  case "$target" in *windows*) exe=prcov.exe ;; esac
  package "$root/target/$target/dist/$exe" "$target"
}

wheel() {
  local target="${1:-$(host_target)}"
  local maturin=(python -m maturin)
  local wheels="$out/wheels"
  if [ "$target" = sdist ]; then
    "${maturin[@]}" sdist --out "$wheels"
    return
  fi
  local args=(build --locked --profile dist --target "$target" --out "$wheels")
  case "$target" in
    # zig links against an old glibc (manylinux2014 = glibc 2.17) or musl, from any Linux host.
    # Without zig (a local build) maturin tags the wheel by the glibc symbols the binary uses.
    *-linux-gnu)
      if python -c "import ziglang" 2>/dev/null && [ "${PRCOV_WHEEL_ZIG:-1}" = 1 ]; then
        args+=(--zig --compatibility manylinux2014)
      fi
      ;;
    *-linux-musl) args+=(--zig --compatibility musllinux_1_2) ;;
  esac
  "${maturin[@]}" "${args[@]}"
}

sums() {
  local dir="${1:-$out}"
  (
    cd "$dir"
    shopt -s nullglob
    local archives=(prcov-*.tar.gz prcov-*.zip)
    [ ${#archives[@]} -gt 0 ] || die "no prcov-*.tar.gz or prcov-*.zip in $dir"
    sha256 "${archives[@]}" >SHA256SUMS
  )
  echo "$dir/SHA256SUMS"
}

# keep-a-changelog: the lines after `## [VERSION]` up to the next `## ` heading.
notes() {
  local v="${1:-$(version)}"
  local text
  text="$(awk -v v="$v" '
    /^## / { inside = index($0, "## [" v "]") == 1; next }
    inside { print }
  ' "$root/CHANGELOG.md")"
  [ -n "$(echo "$text" | tr -d '[:space:]')" ] || die "CHANGELOG.md has no section \"## [$v]\""
  printf '%s\n' "$text"
}

check_tag() {
  local tag="$1"
  [ "$tag" = "v$(version)" ] || die "tag $tag does not match Cargo.toml's version $(version) (expected v$(version))"
}

cd "$root"
case "${1:-}" in
  setup) [ $# -eq 2 ] || die "usage: dist.sh setup TARGET"; setup "$2" ;;
  setup-wheel) [ $# -eq 2 ] || die "usage: dist.sh setup-wheel TARGET"; setup_wheel "$2" ;;
  build) build "${2:-}" ;;
  wheel) wheel "${2:-}" ;;
  package) [ $# -eq 3 ] || die "usage: dist.sh package BIN TARGET"; package "$2" "$3" ;;
  sums) sums "${2:-}" ;;
  notes) notes "${2:-}" ;;
  check-tag) [ $# -eq 2 ] || die "usage: dist.sh check-tag TAG"; check_tag "$2" ;;
  *) die "usage: dist.sh setup TARGET | build [TARGET] | package BIN TARGET | setup-wheel TARGET | wheel [TARGET|sdist] | sums [DIR] | notes [VERSION] | check-tag TAG" ;;
esac
