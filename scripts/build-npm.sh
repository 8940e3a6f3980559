#!/usr/bin/env bash
# Builds the npm package: the native addon, generated sources, then TypeScript.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
scripts/build-native.sh
node scripts/generate-ts.mjs
(cd npm && npm run --silent build)   # tsc, then marks the CLI (dist/cli/main.js) executable
echo "built npm/dist"
