#!/usr/bin/env bash
# The whole suite: lint and format check, type check, then every unit test (src/**/*.test.ts)
# and black-box test (test/**/*.test.ts) under node's test runner, whose summary closes the run.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib/node-env.sh
export PATH="$PWD/node_modules/.bin:$PATH"
biome ci --reporter=summary .
tsc -p tsconfig.json
exec node --test --test-reporter=spec --test-concurrency=2 --test-timeout=600000 \
  'src/**/*.test.ts' 'test/**/*.test.ts' "$@"
