#!/usr/bin/env bash
# Python bindings, built and tested from Python (design §6.4):
#   1. build the jsii Python package (wheel + sdist in dist/python) with jsii-pacmak, reusing it
#      while its inputs (.jsii, rosetta tablet, handler bundles) are unchanged;
#   2. install it in the virtualenv .venv/ (gitignored, reused between runs) together with
#      aws-cdk-lib and constructs from PyPI at the library's declared minimum (package.json
#      peerDependencies) and pytest; with CDK_VERSION=latest, in .venv-cdk-latest/ with the
#      newest aws-cdk-lib PyPI serves (and the constructs it asks for);
#   3. run the pytest suite in test/python/, writing test-reports/pytest.xml (pytest-cdk-latest.xml)
#      for scripts/summarize-junit.js. pytest's closing line is printed; "no tests ran" is a failure.
# JSII_DEPRECATED=fail: a deprecated aws-cdk-lib API that the construct calls raises instead of
# printing a warning. Prints the wheel's size and the suite's time. Extra arguments go to pytest.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/node22.sh
export JSII_DEPRECATED=fail
export PIP_DISABLE_PIP_VERSION_CHECK=1
export PYTHONDONTWRITEBYTECODE=1

PYTHON=${PYTHON:-python3}
CDK_VERSION=${CDK_VERSION:-min}
case "$CDK_VERSION" in
  min) VENV=.venv; REPORT=pytest.xml; SUITE=python ;;
  latest) VENV=.venv-cdk-latest; REPORT=pytest-cdk-latest.xml; SUITE="python (aws-cdk-lib latest)" ;;
  *) echo "CDK_VERSION must be min or latest, got $CDK_VERSION" >&2; exit 2 ;;
esac
OUT=dist/python
DIST=cdk_cognito_edge_auth
log() { echo "[test:python] $*"; }

# ---- 1. the jsii assembly --------------------------------------------------------------------
# `npx projen build` has bundled and compiled before this runs in test:all. Run on its own, bundle
# the handlers (pre-compile) and compile when their outputs are missing or older than the sources.
newer_than() { # REF DIR...: is any .ts/.js file under DIR newer than REF?
  [ -n "$(find "${@:2}" -type f \( -name '*.ts' -o -name '*.js' \) -newer "$1" -print -quit 2>/dev/null)" ]
}
if [ ! -f assets/edge-auth/index.js ] || newer_than assets/edge-auth/index.js lambda-src; then
  log "handler bundles missing or stale: npx projen pre-compile"
  npx projen pre-compile
fi
if [ ! -f .jsii ] || newer_than .jsii src || [ README.md -nt .jsii ]; then
  log ".jsii missing or stale: npx projen compile"
  npx projen compile
fi
# jsii-pacmak takes the Python versions of README/doc snippets from rosetta's tablet; without it
# the package's docs would carry the TypeScript under ```python fences.
if [ ! -f .jsii.tabl.json ] || [ .jsii -nt .jsii.tabl.json ]; then
  log "rosetta tablet missing or older than .jsii: npx projen rosetta:extract"
  npx projen rosetta:extract
fi

# ---- 2. the virtualenv -----------------------------------------------------------------------
if [ ! -x "$VENV/bin/python" ] || ! "$VENV/bin/python" -c 'import sys; assert sys.version_info >= (3, 9)' 2>/dev/null; then
  log "creating $VENV with $("$PYTHON" --version)"
  rm -rf "$VENV"
  "$PYTHON" -m venv "$VENV"
fi
export VIRTUAL_ENV="$PWD/$VENV"
export PATH="$VIRTUAL_ENV/bin:$PATH"

# ---- 3. the Python package -------------------------------------------------------------------
# jsii-pacmak runs `python3 -m venv` (found on PATH: the venv's), pip-installs its build tools
# (setuptools, build, twine) into that throw-away env inside its work dir, then `python -m build`
# and `twine check`. Nothing is installed system-wide.
# Reused within a run (and between runs) while its inputs are the same: the assembly, its
# rosetta translations and the handler bundles, by content (test:e2e rebuilds the bundles, to
# identical bytes, after `projen build`). A wheel that `projen build` made outside CI (package-all)
# has no stamp yet: it is taken when it is newer than all of them.
wheel() { ls -t "$OUT"/${DIST}-*.whl 2>/dev/null | head -n1 || true; }
INPUTS=(.jsii $(ls .jsii.tabl.json 2>/dev/null) $(find assets -type f | sort))
INPUTS_HASH=$(cat "${INPUTS[@]}" | sha256sum | cut -d' ' -f1)
STAMP="$OUT/.inputs-sha256"
WHEEL=$(wheel)
if [ -n "$WHEEL" ] && [ "$(cat "$STAMP" 2>/dev/null)" = "$INPUTS_HASH" ]; then
  log "reusing $WHEEL (same assembly and bundles)"
elif [ -n "$WHEEL" ] && [ ! -f "$STAMP" ] && [ -z "$(find "${INPUTS[@]}" -newer "$WHEEL" -print -quit)" ]; then
  log "reusing $WHEEL (newer than the assembly and bundles)"
  echo "$INPUTS_HASH" > "$STAMP"
else
  log "building the Python package: jsii-pacmak --target python"
  t0=$SECONDS
  rm -rf "$OUT"
  npx jsii-pacmak --target python --force
  WHEEL=$(wheel)
  [ -n "$WHEEL" ] || { log "jsii-pacmak produced no wheel in $OUT"; exit 1; }
  echo "$INPUTS_HASH" > "$STAMP"
  log "built in $((SECONDS - t0)) s"
fi
log "wheel: $WHEEL, $(stat -c %s "$WHEEL") bytes ($(du -h "$WHEEL" | cut -f1))"

# ---- 4. dependencies, at the declared minimum ------------------------------------------------
min_version() { # the lowest version a peerDependencies range allows: "^2.257.0" -> 2.257.0
  node -e 'const r = require("./package.json").peerDependencies[process.argv[1]];
    const m = /(\d+\.\d+\.\d+)/.exec(r ?? ""); if (!m) { console.error(`no version for ${process.argv[1]}: ${r}`); process.exit(1); }
    console.log(m[1]);' "$1"
}
if [ "$CDK_VERSION" = latest ]; then
  CDK=$(python -m pip index versions aws-cdk-lib 2>/dev/null | sed -nE '1s/^aws-cdk-lib \((.*)\)$/\1/p')
  [ -n "$CDK" ] || { log "could not read the newest aws-cdk-lib version from PyPI"; exit 1; }
  log "newest aws-cdk-lib on PyPI: $CDK"
  REQS="aws-cdk-lib==$CDK pytest~=8.3"
else
  CDK=$(min_version aws-cdk-lib)
  CONSTRUCTS=$(min_version constructs)
  REQS="aws-cdk-lib==$CDK constructs==$CONSTRUCTS pytest~=8.3"
fi
# Reinstall only what changed: the requirements (a stamp in the venv) and the wheel (its hash).
DEPS_STAMP="$VENV/.deps-stamp"
WHEEL_STAMP="$VENV/.wheel-stamp"
WHEEL_HASH=$(sha256sum "$WHEEL" | cut -d' ' -f1)
if [ "$(cat "$DEPS_STAMP" 2>/dev/null)" != "$REQS" ]; then
  log "pip install $WHEEL $REQS"
  python -m pip install --quiet --no-input "$WHEEL" $REQS
  echo "$REQS" > "$DEPS_STAMP"
  echo "$WHEEL_HASH" > "$WHEEL_STAMP"
elif [ "$(cat "$WHEEL_STAMP" 2>/dev/null)" != "$WHEEL_HASH" ]; then
  log "pip install (new wheel) $WHEEL"
  python -m pip install --quiet --no-input --no-deps --force-reinstall "$WHEEL"
  echo "$WHEEL_HASH" > "$WHEEL_STAMP"
else
  log "$VENV is up to date ($REQS, the same wheel)"
fi
python - <<'EOF'
from importlib.metadata import version
print("[test:python] installed: " + ", ".join(
    f"{d} {version(d)}" for d in ("cdk-cognito-edge-auth", "aws-cdk-lib", "constructs", "jsii", "pytest")))
EOF

# ---- 5. the suite ----------------------------------------------------------------------------
mkdir -p test-reports
log "pytest test/python"
t0=$(date +%s.%N)
set +e
python -m pytest test/python --junitxml="test-reports/$REPORT" -o junit_suite_name="$SUITE" -q "$@"
rc=$?
set -e
elapsed=$(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }')
log "suite time: ${elapsed} s (wheel $(stat -c %s "$WHEEL") bytes)"
if [ $rc -eq 5 ]; then
  log "pytest collected no tests: failing"
  exit 1
fi
exit $rc
