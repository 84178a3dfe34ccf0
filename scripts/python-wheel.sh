#!/usr/bin/env bash
# `npm run python:wheel`: the Python package (wheel and sdist in dist/python/) from a clone, for
# Python users until it is on PyPI, and for anyone who wants to build it themselves:
#   1. bundle the Lambda handlers into assets/ (they ship inside the package);
#   2. compile the jsii assembly (.jsii);
#   3. translate README and doc snippets to Python with jsii-rosetta (the package's docs);
#   4. jsii-pacmak --target python: a wheel and an sdist in dist/python/.
# Then: pip install dist/python/cdk_cognito_edge_auth-*.whl
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/node22.sh

step() { echo "==> $*"; }
step "bundle the handlers (assets/)"
npx projen pre-compile
step "compile (.jsii)"
npx projen compile
step "translate the docs' snippets to Python (jsii-rosetta)"
npx projen rosetta:extract
step "build the Python package (jsii-pacmak)"
rm -rf dist/python
npx jsii-pacmak --target python --force
wheel=$(ls dist/python/*.whl)
echo ""
echo "Built $wheel and $(ls dist/python/*.tar.gz)."
echo "Install it with:  pip install $wheel"
