#!/usr/bin/env bash
# End-to-end tests in headless Chromium (Debian's chromium package, driven by playwright-core; no
# browser download). Installs chromium when missing, builds the edge bundle, synthesises the
# example app, then runs only test/e2e/**/*.e2e.ts with jest, writing test-reports/e2e-junit.xml.
# Extra arguments are passed to jest (e.g. -t 'deep link').
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/node22.sh

CHROMIUM="${CHROMIUM_PATH:-/usr/bin/chromium}"
if [ ! -x "$CHROMIUM" ]; then
  echo "==> installing Debian's chromium (no browser download)"
  SUDO=""
  if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq chromium >/dev/null
fi
# (Debian's chromium wrapper script prints a shell error about its memory check on stderr.)
"$CHROMIUM" --version 2>/dev/null

echo "==> bundle (assets/edge-auth/index.js, assets/edge-auth-session/index.js)"
npx projen bundle
echo "==> synth:example (example/cdk.out)"
# The e2e config.json must come from the example template through buildEdgeConfig (the custom
# resource's code path): without the template there is nothing to test against.
# cdk synth's notes ("Supply a stack id…", feature flags) are shown only when it fails.
if ! synth_out=$(npx projen synth:example 2>&1); then
  echo "$synth_out" >&2
  echo "==> synth:example failed: the e2e suite needs the example template" >&2
  exit 1
fi

mkdir -p test-reports
export JEST_JUNIT_OUTPUT_DIR=test-reports
export JEST_JUNIT_OUTPUT_NAME=e2e-junit.xml
export JEST_JUNIT_SUITE_NAME="e2e"
exec npx jest \
  --testMatch '<rootDir>/test/e2e/**/*.e2e.ts' \
  --testPathIgnorePatterns /node_modules/ \
  --coverage=false --runInBand --ci \
  "$@"
