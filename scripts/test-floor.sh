#!/usr/bin/env bash
# Synthesise apps that use the construct against the lowest aws-cdk-lib and constructs the package
# declares (its peerDependencies floors), as a user with those versions would: the compiled lib/
# and assets/ are placed as node_modules/cdk-cognito-edge-auth in a scratch directory where only
# the floor versions are installed. Needs lib/ (npx projen compile) and the npm registry.
set -euo pipefail
cd "$(dirname "$0")/.."
[ -f lib/index.js ] && [ -f assets/edge-auth/index.js ] || { echo "test-floor: run 'npx projen compile' first (needs lib/ and assets/)" >&2; exit 1; }
floor() { node -p "require('./package.json').peerDependencies['$1'].replace(/^[^0-9]*/, '')"; }
CDK_FLOOR=$(floor aws-cdk-lib)
CONSTRUCTS_FLOOR=$(floor constructs)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
pkg="$work/node_modules/cdk-cognito-edge-auth"
cp test/floor/synth.js "$work/"
(cd "$work" && npm init -y >/dev/null && npm install --no-audit --no-fund --no-save --loglevel=error "aws-cdk-lib@$CDK_FLOOR" "constructs@$CONSTRUCTS_FLOOR")
# The package goes in after the install: npm would otherwise try to fetch it from the registry
# (it is not published yet) or prune it as extraneous.
mkdir -p "$pkg" && cp -r lib assets package.json "$pkg/"
cd "$work" && node synth.js
