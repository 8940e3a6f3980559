#!/usr/bin/env bash
# Builds the npm package: the native addon, generated sources, then TypeScript.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
scripts/build-native.sh
node scripts/generate-ts.mjs
(cd npm && npx tsc -p tsconfig.json)
echo "built npm/dist"
