#!/bin/sh
# Installs prcov: the release archive for this machine, checked against the release's SHA256SUMS,
# or a build from source when the release has no archive for this platform (or when asked).
# The GitHub Action (action.yml) and the GitLab template run this script; so can anyone:
#
#   sh install.sh [--version X.Y.Z] [--dir DIR | --cache-root ROOT] [--base-url URL]
#                 [--target TRIPLE] [--install auto|binary|source]
#
# --version   the release to install; default: the version in the Cargo.toml beside this script
#             (the action's own checkout), else required.
# --dir       where the binary goes (default ~/.local/bin). --cache-root ROOT installs into
#             ROOT/<version>/<target> instead and reuses a binary already there (a tool cache).
# --base-url  releases live at URL/v<version>/{SHA256SUMS,prcov-<version>-<target>.tar.gz|zip};
#             default: the repository in that Cargo.toml + /releases/download.
# --target    the archive's target triple; default: from `uname -s` and `uname -m`.
# --install   auto: the archive, or source when none exists for the target (default);
#             binary: the archive or fail; source: always build with cargo.
# Each option can also come from the environment: PRCOV_VERSION, PRCOV_INSTALL_DIR,
# PRCOV_CACHE_ROOT, PRCOV_BASE_URL, PRCOV_TARGET, PRCOV_INSTALL.
#
# Prints the directory holding the installed binary on stdout (messages go to stderr) and exits
# 0; on any failure it says what failed and exits 1. POSIX sh, so it also runs in busybox images.
set -eu

here="$(cd "$(dirname "$0")" && pwd)"
checkout="$(dirname "$here")"

version="${PRCOV_VERSION:-}"
dir="${PRCOV_INSTALL_DIR:-}"
cache_root="${PRCOV_CACHE_ROOT:-}"
base_url="${PRCOV_BASE_URL:-}"
target="${PRCOV_TARGET:-}"
mode="${PRCOV_INSTALL:-auto}"

say() { echo "prcov install: $*" >&2; }
die() {
  say "error: $*"
  exit 1
}

while [ $# -gt 0 ]; do
  [ $# -ge 2 ] || die "$1 needs a value"
  case "$1" in
    --version) version="$2" ;;
    --dir) dir="$2" ;;
    --cache-root) cache_root="$2" ;;
    --base-url) base_url="$2" ;;
    --target) target="$2" ;;
    --install) mode="$2" ;;
    *) die "unknown option $1 (see the top of $0)" ;;
  esac
  shift 2
done

case "$mode" in
  auto | binary | source) ;;
  *) die "--install must be auto, binary or source, not \"$mode\"" ;;
esac

# `key = "value"` from the [package] table of the checkout's Cargo.toml, if this script sits in
# a prcov checkout.
cargo_toml_value() {
  [ -f "$checkout/Cargo.toml" ] || return 0
  sed -n "/^\[package\]/,/^\[/s/^$1 = \"\(.*\)\"\$/\1/p" "$checkout/Cargo.toml" | head -n 1
}

version="${version#v}"
[ -n "$version" ] || version="$(cargo_toml_value version)"
[ -n "$version" ] || die "no version given (--version X.Y.Z) and no Cargo.toml beside $here"
if [ -z "$base_url" ]; then
  repository="$(cargo_toml_value repository)"
  base_url="${repository:-https://github.com/OWNER/prcov}/releases/download"
fi
base_url="${base_url%/}"

if [ -z "$target" ]; then
  arch="$(uname -m)"
  case "$arch" in
    x86_64 | amd64) arch=x86_64 ;;
    aarch64 | arm64) arch=aarch64 ;;
  esac
  os="$(uname -s)"
  case "$os" in
    Linux) target="$arch-unknown-linux-musl" ;;
    Darwin) target="$arch-apple-darwin" ;;
    MINGW* | MSYS* | CYGWIN* | Windows_NT) target="$arch-pc-windows-msvc" ;;
    *) target="$arch-unknown-$(echo "$os" | tr '[:upper:]' '[:lower:]')" ;;
  esac
fi

exe=prcov
case "$target" in *windows*) exe=prcov.exe ;; esac

if [ -z "$dir" ]; then
  if [ -n "$cache_root" ]; then
    dir="$cache_root/$version/$target"
  else
    dir="$HOME/.local/bin"
  fi
fi

installed() {
  [ -x "$dir/$exe" ] && "$dir/$exe" -V 2>/dev/null | grep -qx "prcov $version"
}

if [ -n "$cache_root" ] && installed; then
  say "prcov $version is already in $dir"
  echo "$dir"
  exit 0
fi

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
trap 'exit 130' INT TERM

# fetch URL FILE: 0 when downloaded, 4 when the server says 404, 1 otherwise.
fetch() {
  if command -v curl >/dev/null; then
    code="$(curl -sSL --retry 3 -o "$2" -w '%{http_code}' "$1" 2>"$work/fetch.err")" || {
      cat "$work/fetch.err" >&2
      return 1
    }
    case "$code" in
      2*) return 0 ;;
      404) return 4 ;;
      *)
        say "$1: HTTP $code"
        return 1
        ;;
    esac
  elif command -v wget >/dev/null; then
    wget -q -O "$2" "$1" 2>"$work/fetch.err" && return 0
    if grep -q 404 "$work/fetch.err"; then return 4; fi
    cat "$work/fetch.err" >&2
    return 1
  else
    die "needs curl or wget to download $1"
  fi
}

sha256_of() {
  if command -v sha256sum >/dev/null; then
    sha256sum "$1" | cut -d ' ' -f 1
  elif command -v shasum >/dev/null; then
    shasum -a 256 "$1" | cut -d ' ' -f 1
  else
    die "needs sha256sum or shasum to check the download"
  fi
}

from_source() {
  command -v cargo >/dev/null || die "building from source needs cargo (a Rust toolchain: \
https://rustup.rs; in GitHub Actions, a setup step such as dtolnay/rust-toolchain before this \
one); or install a release archive on a platform that has one (see $base_url/v$version/SHA256SUMS)"
  if [ "$(cargo_toml_value version)" = "$version" ]; then
    say "building prcov $version from $checkout (cargo install, a few minutes)"
    cargo install --locked --path "$checkout" --root "$work/cargo" >&2
  else
    say "building prcov $version from crates.io (cargo install, a few minutes)"
    cargo install --locked prcov --version "=$version" --root "$work/cargo" >&2
  fi
  mkdir -p "$dir"
  mv -f "$work/cargo/bin/$exe" "$dir/$exe"
}

# auto: source when the release has no archive for this target; binary: that is an error.
no_archive() {
  [ "$mode" = auto ] || die "$1; --install binary forbids building from source"
  say "$1: building from source instead"
  from_source
}

from_archive() {
  case "$target" in
    *windows*) archive="prcov-$version-$target.zip" ;;
    *) archive="prcov-$version-$target.tar.gz" ;;
  esac
  release="$base_url/v$version"
  status=0
  fetch "$release/SHA256SUMS" "$work/SHA256SUMS" || status=$?
  case "$status" in
    0) ;;
    4)
      no_archive "no release v$version at $release (SHA256SUMS not found)"
      return
      ;;
    *) die "could not download $release/SHA256SUMS" ;;
  esac
  # sha256sum's format: "<hex>  <name>" (or "<hex> *<name>" in binary mode).
  expected="$(awk -v name="$archive" '$2 == name || $2 == "*" name { print $1; exit }' "$work/SHA256SUMS")"
  if [ -z "$expected" ]; then
    no_archive "release v$version has no archive for $target ($archive is not in SHA256SUMS)"
    return
  fi
  status=0
  fetch "$release/$archive" "$work/$archive" || status=$?
  [ "$status" -eq 0 ] || die "could not download $release/$archive (listed in SHA256SUMS)"
  actual="$(sha256_of "$work/$archive")"
  if [ "$actual" != "$expected" ]; then
    die "checksum mismatch for $archive: SHA256SUMS lists $expected, the download has $actual; refusing to install it"
  fi
  mkdir -p "$work/x"
  case "$archive" in
    *.zip)
      if command -v unzip >/dev/null; then
        unzip -q "$work/$archive" -d "$work/x"
      elif command -v 7z >/dev/null; then
        7z x -bd -o"$work/x" "$work/$archive" >/dev/null
      else
        powershell -NoProfile -Command "Expand-Archive -LiteralPath '$work/$archive' -DestinationPath '$work/x'"
      fi
      ;;
    *) tar -xzf "$work/$archive" -C "$work/x" ;;
  esac
  unpacked="$work/x/prcov-$version-$target/$exe"
  [ -f "$unpacked" ] || die "$archive holds no prcov-$version-$target/$exe"
  mkdir -p "$dir"
  mv -f "$unpacked" "$dir/$exe"
  chmod 755 "$dir/$exe"
  say "installed $archive (sha256 $actual, as in SHA256SUMS) into $dir"
}

if [ "$mode" = source ]; then
  from_source
else
  from_archive
fi

"$dir/$exe" --version >&2 || die "the installed $dir/$exe does not run"
echo "$dir"
