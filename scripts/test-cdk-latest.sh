#!/usr/bin/env bash
# The construct tests (test/construct, jest) against the newest aws-cdk-lib the npm registry
# serves, instead of the lowest one the package declares (the devDependency, which `projen build`
# tests). The newest aws-cdk-lib and its constructs are installed into a scratch directory and
# jest maps every `aws-cdk-lib` and `constructs` import (ours, cdk-nag's, aws-cdk-lib's own) to
# them. JSII_DEPRECATED=fail: a deprecated aws-cdk-lib API that the construct calls fails the test
# instead of printing a warning. Writes test-reports/construct-cdk-latest.xml. Extra arguments
# go to jest.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/node22.sh
export JSII_DEPRECATED=fail

DIR=$(mktemp -d "${TMPDIR:-/tmp}/cdk-latest.XXXXXX")
trap 'rm -rf "$DIR"' EXIT
CDK_LATEST=$(npm view aws-cdk-lib version)
CONSTRUCTS_RANGE=$(npm view "aws-cdk-lib@$CDK_LATEST" peerDependencies.constructs)
echo "[test:cdk-latest] aws-cdk-lib $CDK_LATEST (newest on the npm registry), constructs $CONSTRUCTS_RANGE"
npm install --prefix "$DIR" --no-save --no-package-lock --no-audit --no-fund --silent \
  "aws-cdk-lib@$CDK_LATEST" "constructs@$CONSTRUCTS_RANGE"

# package.json's jest settings, with the two packages mapped and only the construct tests.
node -e '
  const [dir, out] = process.argv.slice(1);
  const config = { ...require("./package.json").jest };
  const lib = `${dir}/node_modules/aws-cdk-lib`;
  config.rootDir = process.cwd();
  config.moduleNameMapper = {
    "^aws-cdk-lib$": lib,
    "^aws-cdk-lib/(.*)$": `${lib}/$1`,
    "^constructs$": `${dir}/node_modules/constructs`,
  };
  config.testMatch = ["<rootDir>/test/construct/**/*.test.ts"];
  config.collectCoverage = false;
  config.reporters = ["default", ["jest-junit", { outputDirectory: "test-reports", outputName: "construct-cdk-latest.xml", suiteName: "construct (aws-cdk-lib latest)" }]];
  require("fs").writeFileSync(out, JSON.stringify(config));
' "$DIR" "$DIR/jest.config.json"
mkdir -p test-reports
npx jest --config "$DIR/jest.config.json" --ci "$@"
