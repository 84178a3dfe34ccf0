#!/usr/bin/env bash
# Node.js 22 for the project's commands, whatever Node the machine has.
#
#   bash scripts/node22.sh COMMAND...   run COMMAND with Node 22 first on PATH
#   source scripts/node22.sh            put Node 22 first on PATH in this shell
#
# When `node` on PATH is already 22 or newer, nothing happens. Otherwise Node 22 is installed
# once from the npm registry into .node22/ (gitignored; about 30 MB to download, a few seconds)
# as the package node-<platform>-<arch>, the one the `node` package itself would pick (that
# package installs it from a preinstall script; this takes the binary directly, no install
# scripts run). NODE22_RANGE overrides the version range (default ^22).

node22_use() {
  local want=22
  local have
  have=$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0)
  if [ "$have" -ge "$want" ] 2>/dev/null; then return 0; fi
  local root dir pkg bin
  root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
  dir="$root/.node22"
  pkg="node-$(uname -s | tr '[:upper:]' '[:lower:]')-$(uname -m | sed -e 's/^x86_64$/x64/' -e 's/^aarch64$/arm64/')"
  bin="$dir/node_modules/$pkg/bin"
  if [ ! -x "$bin/node" ] || ! "$bin/node" -e 'process.exit(+process.versions.node.split(".")[0] >= 22 ? 0 : 1)' 2>/dev/null; then
    echo "Node $(node --version 2>/dev/null || echo '(none)') found; installing Node 22 ($pkg@${NODE22_RANGE:-^22}) from the npm registry into .node22/" >&2
    mkdir -p "$dir"
    npm install --prefix "$dir" --no-save --no-package-lock --no-audit --no-fund --silent \
      "$pkg@${NODE22_RANGE:-^22}" >&2 || { echo "could not install $pkg from the npm registry" >&2; return 1; }
  fi
  export PATH="$bin:$PATH"
  hash -r
  echo "using Node $(node --version) from .node22/" >&2
}

if [ "${BASH_SOURCE[0]}" = "$0" ]; then
  set -uo pipefail
  node22_use || exit 1
  [ $# -gt 0 ] || { node --version; exit 0; }
  exec "$@"
else
  node22_use || return 1
fi
