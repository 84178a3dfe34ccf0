#!/usr/bin/env bash
# Release dry run (`npx projen release:dry-run`; a stage of scripts/test-all.sh): what a release
# would publish, built in a scratch clone of the committed HEAD, published nowhere.
#
#   1. A tagged version: the clone gets the tag v0.1.0 and one `feat:` commit after it, then the
#      release workflow's steps: bump (the version from conventional commits, dist/changelog.md);
#      the Python users' command from the README, `npm run python:wheel` (bundle, compile,
#      rosetta, the Python package); docgen; the npm, Maven and Go packages; unbump. The tests and
#      lint of `projen build` are left out here: the build stage of test-all.sh has run them.
#   2. The wheel is pip-installed into a fresh virtualenv as a Python user would (aws-cdk-lib from
#      PyPI: the newest it serves), where the Python suite (test/python) runs: README's Python
#      example and the package docs' examples synthesise with that wheel, and the whole suite runs
#      against the newest aws-cdk-lib (the python stage of test-all.sh runs it against the lowest).
#   3. test/release/dist.test.mjs (node:test) checks dist/: the npm tarball against the allowlist,
#      the versions of the tarball, wheel, sdist, Maven and Go packages, the Python README, the
#      changelog; and runs the Java and Go smoke tests (README's example, synthesised).
# JUnit XML goes to test-reports/ (release-*.xml). Extra arguments go to `node --test`.
# RELEASE_DRY_RUN_KEEP=1 keeps the scratch directory.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
source scripts/node22.sh
export PIP_DISABLE_PIP_VERSION_CHECK=1 PYTHONDONTWRITEBYTECODE=1
# Deprecated aws-cdk-lib APIs called by the construct fail the synth instead of warning.
export JSII_DEPRECATED=fail
log() { echo "[release:dry-run] $*"; }
t_start=$SECONDS

SCRATCH=$(mktemp -d "${TMPDIR:-/tmp}/release-dry-run.XXXXXX")
if [ "${RELEASE_DRY_RUN_KEEP:-}" = "1" ]; then
  log "scratch directory (kept): $SCRATCH"
else
  trap 'rm -rf "$SCRATCH"' EXIT
fi
REPO="$SCRATCH/repo"
mkdir -p "$ROOT/test-reports"

# ---- the scratch clone ---------------------------------------------------------------------------
[ -z "$(git status --porcelain --untracked-files=no)" ] || log "note: uncommitted changes are not part of the dry run (it clones HEAD)"
git clone -q --no-local "$ROOT" "$REPO"
cd "$REPO"
git config user.email "release-dry-run@localhost"
git config user.name "release dry run"
# The dependencies `npm ci` installed in this checkout (read-only use: nothing here installs).
ln -s "$ROOT/node_modules" node_modules
log "clone of $(git rev-parse --short HEAD) in $REPO"

# ---- a tagged version, built the way the release workflow builds it --------------------------------
t0=$SECONDS
git tag v0.1.0
git commit -q --allow-empty -m "feat: release dry run"
export CI=true RELEASE=true
log "npx projen bump"
npx projen bump
# The Python users' command from the README builds what the release's pre-compile, compile,
# rosetta and package:python would (the version is the bumped one, as in a release).
log "npm run python:wheel"
npm run --silent python:wheel
for task in docgen package:js package:java package:go unbump; do
  log "npx projen $task"
  npx projen "$task"
done
log "built dist/ for $(cat dist/version.txt) in $((SECONDS - t0)) s"
# The release workflow fails when the build changed committed files (generated code out of date).
git diff --ignore-space-at-eol --exit-code --stat

# ---- the wheel, installed as a Python user would --------------------------------------------------
t0=$SECONDS
python3 -m venv "$SCRATCH/venv"
log "pip install dist/python/cdk_cognito_edge_auth-*.whl pytest (a fresh virtualenv; aws-cdk-lib from PyPI)"
"$SCRATCH/venv/bin/pip" install --quiet --no-input dist/python/cdk_cognito_edge_auth-*.whl 'pytest~=8.3'
"$SCRATCH/venv/bin/python" - <<'EOF'
from importlib.metadata import version
print("[release:dry-run] installed: " + ", ".join(f"{d} {version(d)}" for d in ("cdk-cognito-edge-auth", "aws-cdk-lib", "jsii")))
EOF
set +e
"$SCRATCH/venv/bin/python" -m pytest test/python -q -o junit_suite_name="python (aws-cdk-lib latest, release wheel)" \
  --junitxml="$ROOT/test-reports/release-python.xml"
python_rc=$?
set -e
log "wheel installed, Python suite against the newest aws-cdk-lib: $((SECONDS - t0)) s"

# ---- the checks -----------------------------------------------------------------------------------
t0=$SECONDS
set +e
DIST_DIR="$REPO/dist" REPO_DIR="$REPO" SMOKE_DIR="$SCRATCH/smoke" \
  node --test --test-reporter=spec --test-reporter-destination=stdout \
  --test-reporter=junit --test-reporter-destination="$ROOT/test-reports/release-junit.xml" \
  "$@" "$ROOT/test/release/dist.test.mjs"
checks_rc=$?
set -e
log "checks: $((SECONDS - t0)) s; dry run: $((SECONDS - t_start)) s"
[ $python_rc -eq 0 ] && [ $checks_rc -eq 0 ]
