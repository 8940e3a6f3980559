#!/usr/bin/env bash
# Builds the npm package: the native addon, generated sources, TypeScript, and (when built by
# scripts/build-wasm.sh) the wasm engine copied into dist/ where `/browser` loads it.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
scripts/build-native.sh
node scripts/generate-ts.mjs
(cd npm && npm run --silent build)   # tsc, then marks the CLI (dist/cli/main.js) executable
wasm_dir=npm/dist/engines/wasm
if [ -f npm/wasm/atomiton_conductor_wasm_bg.wasm ]; then
  cp npm/wasm/atomiton_conductor_wasm.js npm/wasm/atomiton_conductor_wasm_bg.wasm "$wasm_dir/"
  # The glue's types are kept in the sources (the TypeScript builds before the wasm does).
  cp npm/src/engines/wasm/atomiton_conductor_wasm.d.ts "$wasm_dir/"
  echo "built npm/dist (with the wasm engine)"
else
  echo "built npm/dist (no wasm engine: run scripts/build-wasm.sh for /browser)"
fi
