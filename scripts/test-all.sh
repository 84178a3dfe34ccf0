#!/usr/bin/env bash
# Every suite of the project, in order. Always runs to the end and closes with one line
# "N passed, N failed" summing every suite (from the JUnit XML each runner writes into
# test-reports/); exits non-zero when anything failed. scripts/summarize-junit.js also counts a
# failed stage that left no failing test, a missing report, and a stage that ran fewer tests than
# it holds, as one failed test each.
set -uo pipefail
cd "$(dirname "$0")/.."
# Node 22 (installed from the npm registry into .node22/ when the machine's node is older).
source scripts/node22.sh
# A deprecated aws-cdk-lib API reached by any suite fails it instead of printing a warning.
export JSII_DEPRECATED=fail

rm -rf test-reports && mkdir -p test-reports
outcomes=()

stage() { # stage NAME COMMAND...
  local name=$1; shift
  echo "==> ${name}: $*"
  local t0=$SECONDS
  if "$@"; then
    echo "==> ${name}: ok ($((SECONDS - t0)) s)"; outcomes+=("${name}=ok")
  else
    echo "==> ${name}: FAILED ($((SECONDS - t0)) s)"; outcomes+=("${name}=failed")
  fi
}

# compile (handler bundles first), jest (construct, handlers, flows, properties), eslint, docgen, rosetta, npm pack
stage build npx projen build
# CloudFormation's rules over the example app's and the construct tests' templates (scripts/cfn-lint.sh)
stage cfn-lint npx projen test:cfn-lint
stage e2e npx projen test:e2e
stage python npx projen test:python
# The construct tests against the newest aws-cdk-lib on npm (the build stage uses the lowest
# declared one).
stage cdk-latest bash scripts/test-cdk-latest.sh
# What a release would publish (npm, PyPI, Maven, Go), built in a scratch clone; the Python suite
# runs there against the newest aws-cdk-lib on PyPI, with the wheel the release built.
stage release npx projen release:dry-run
# A synth against the lowest aws-cdk-lib and constructs the package declares (peer dependencies).
stage floor npx projen test:floor

# Its exit status is this script's: non-zero when the closing line counts any failure.
node scripts/summarize-junit.js "${outcomes[@]}"
