#!/usr/bin/env bash
# CloudFormation's own rules over every template the project synthesises: cfn-lint (from PyPI, in
# the virtualenv .venv/ that the Python suite also uses) over
#   1. the example app (example/cdk.out, `npx projen synth:example`), and
#   2. every template the construct tests synthesise: jest runs test/construct with TMPDIR pointing
#      into a scratch directory, so each test App's default output directory (a temp dir) lands
#      there; identical templates are linted once.
# Zero errors and zero unexplained warnings: the ignored checks are listed below, each with why.
set -euo pipefail
cd "$(dirname "$0")/.."
export PIP_DISABLE_PIP_VERSION_CHECK=1
log() { echo "[cfn-lint] $*"; }

PYTHON=${PYTHON:-python3}
VENV=.venv
CFN_LINT_VERSION='cfn-lint~=1.58'
if [ ! -x "$VENV/bin/python" ]; then
  log "creating $VENV with $("$PYTHON" --version)"
  "$PYTHON" -m venv "$VENV"
fi
STAMP="$VENV/.cfn-lint-stamp"
if [ "$(cat "$STAMP" 2>/dev/null)" != "$CFN_LINT_VERSION" ] || [ ! -x "$VENV/bin/cfn-lint" ]; then
  log "pip install $CFN_LINT_VERSION"
  "$VENV/bin/python" -m pip install --quiet --no-input "$CFN_LINT_VERSION"
  echo "$CFN_LINT_VERSION" > "$STAMP"
fi
log "$("$VENV/bin/cfn-lint" --version)"

[ -f assets/edge-auth/index.js ] && [ -f assets/cli/index.js ] || npx projen bundle

WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
mkdir -p "$WORK/tmp" "$WORK/templates"

# 1. the example app
npx projen synth:example >/dev/null
cp example/cdk.out/*.template.json "$WORK/templates/"

# 2. the construct tests' templates (their own pass/fail is the build's business: only the
# templates are used here; no JUnit report, so the build's report is not overwritten)
TMPDIR="$WORK/tmp" npx jest test/construct --coverage=false --reporters=default --silent >"$WORK/jest.log" 2>&1 \
  || { tail -n 30 "$WORK/jest.log"; log "the construct tests failed; linting the templates they wrote anyway"; }
find "$WORK/tmp" -name '*.template.json' -print0 | while IFS= read -r -d '' t; do
  cp "$t" "$WORK/templates/$(sha256sum "$t" | cut -c1-16).template.json"
done
count=$(find "$WORK/templates" -name '*.template.json' | wc -l)
[ "$count" -gt 10 ] || { log "only $count templates found: the construct tests wrote none?"; exit 1; }
log "linting $count distinct templates"

# Ignored, each for a reason:
#   W3005  everywhere. "Dependency already enforced by a GetAtt": aws-cdk-lib's lambda.Function adds
#          DependsOn on its role (and the role's default policy) besides the GetAtt of the role's
#          ARN, for every function (ours, the fixtures', CDK's own custom-resource providers).
#   W2531  only in templates with a nodejs20.x function: the runtime tests synthesise Node.js 20 on
#          purpose (the construct accepts it with a synth warning); the default, Node.js 22, is linted.
#   E3703  only in templates with an AWS::CodePipeline::Pipeline: aws-cdk-lib's pipelines module
#          (the Stage/Pipeline test's pipeline stack, not a template of this library) joins action
#          role ARNs with Fn::Join ''.
status=0
lint() { # LABEL IGNORED-CHECKS FILE...
  local label=$1 ignored=$2; shift 2
  [ $# -gt 0 ] || return 0
  log "$label: $# template(s), ignoring $ignored"
  "$VENV/bin/cfn-lint" --ignore-checks ${ignored//,/ } --format parseable -- "$@" || status=1
}
plain=(); node20=(); pipeline=()
for t in "$WORK"/templates/*.template.json; do
  if grep -q '"AWS::CodePipeline::Pipeline"' "$t"; then pipeline+=("$t")
  elif grep -q '"nodejs20.x"' "$t"; then node20+=("$t")
  else plain+=("$t"); fi
done
lint "construct and example templates" W3005 "${plain[@]}"
lint "templates with a Node.js 20 edge function" W3005,W2531 "${node20[@]}"
lint "CDK Pipelines stacks" W3005,E3703 "${pipeline[@]}"
if [ $status -ne 0 ]; then log "cfn-lint found problems (above)"; exit 1; fi
log "no errors, no unexplained warnings"
