#!/usr/bin/env bash
# Builds the npm package: the native addon, TypeScript, and (when built by
# scripts/build-wasm.sh) the three wasm engines copied into dist/: the browser module where
# `/browser` loads it, the browser module with execution history beside it, the Node fallback
# module where the Node entry does.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
scripts/build-native.sh
(cd npm && npm run --silent build)   # tsc, then marks the CLI (dist/cli/main.js) executable
missing=()
if [ -f npm/wasm/atomiton_conductor_wasm_bg.wasm ]; then
  cp npm/wasm/atomiton_conductor_wasm.js npm/wasm/atomiton_conductor_wasm_bg.wasm npm/dist/engines/wasm/
  # The glue's types are kept in the sources (the TypeScript builds before the wasm does).
  cp npm/src/engines/wasm/atomiton_conductor_wasm.d.ts npm/dist/engines/wasm/
else
  missing+=("the browser module")
fi
if [ -f npm/wasm-history/atomiton_conductor_wasm_bg.wasm ]; then
  # Made afresh: a module file left by an earlier build (under another name) would be copied
  # beside a bundle with the rest.
  rm -rf npm/dist/engines/wasm-history
  mkdir -p npm/dist/engines/wasm-history
  # Renamed, with the URL its glue fetches by default: a bundler that copies neither .wasm
  # (esbuild, Rollup) leaves both glues fetching from next to the one bundle, where the two
  # files must not share a name.
  history_glue=npm/dist/engines/wasm-history/atomiton_conductor_wasm.js
  sed "s/new URL('atomiton_conductor_wasm_bg\.wasm', import\.meta\.url)/new URL('atomiton_conductor_wasm_history_bg.wasm', import.meta.url)/" \
    npm/wasm-history/atomiton_conductor_wasm.js > "$history_glue"
  if ! grep -q "new URL('atomiton_conductor_wasm_history_bg.wasm', import.meta.url)" "$history_glue"; then
    echo "build-npm: the history module's glue no longer names its .wasm as expected; update the rename above" >&2
    exit 1
  fi
  cp npm/wasm-history/atomiton_conductor_wasm_bg.wasm npm/dist/engines/wasm-history/atomiton_conductor_wasm_history_bg.wasm
  cp npm/src/engines/wasm-history/atomiton_conductor_wasm.d.ts npm/dist/engines/wasm-history/
else
  missing+=("the browser's editor module")
fi
if [ -f npm/wasm-node/atomiton_conductor_wasm_bg.wasm ]; then
  mkdir -p npm/dist/engines/wasm-node
  cp npm/wasm-node/atomiton_conductor_wasm.cjs npm/wasm-node/atomiton_conductor_wasm_bg.wasm npm/dist/engines/wasm-node/
else
  missing+=("the Node fallback module")
fi
if [ ${#missing[@]} -eq 0 ]; then
  echo "built npm/dist (with the three wasm engines)"
else
  # The missing modules as a sentence's list: "a", "a and b", "a, b and c".
  list="${missing[0]}"
  for ((i = 1; i < ${#missing[@]}; i++)); do
    if [ "$i" -eq $((${#missing[@]} - 1)) ]; then list+=" and ${missing[i]}"; else list+=", ${missing[i]}"; fi
  done
  echo "built npm/dist without $list (scripts/build-wasm.sh builds the wasm engines; npm pack refuses a package that lacks any of them)"
fi
