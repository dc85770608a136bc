#!/usr/bin/env bash
# Runs a command with the project's Node.js 24 and local npm binaries first on PATH.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib/node-env.sh
export PATH="$PWD/node_modules/.bin:$PATH"
exec "$@"
