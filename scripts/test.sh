#!/usr/bin/env bash
# The README's test command: installs what the tests need on a fresh machine, then runs them all.
# `.ci/run` runs this after its lints.
set -euo pipefail
cd "$(dirname "$0")/.."

# The HTML report's tests open it in headless Chromium (tests/it/html_report.rs): install it
# once; they fail, never skip, without it.
if [ ! -x /usr/bin/chromium ] && [ -z "${PRCOV_CHROMIUM:-}" ]; then
  sudo_cmd=""
  if [ "$(id -u)" -ne 0 ]; then sudo_cmd="sudo"; fi
  $sudo_cmd apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq chromium
fi

exec cargo test "$@"
