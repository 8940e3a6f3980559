#!/usr/bin/env bash
# Rebuilds the WebAssembly plugin fixtures in tests/plugins/ from their sources: the Rust one with
# Extism's Rust PDK (through scripts/lib/wasm-cargo.sh, the same wasm32 toolchain as the engine's
# modules), the AssemblyScript one with Extism's AssemblyScript PDK and `asc` (installed under
# target/plugin-tools/, not into the package). The results are checked in; run this after
# changing a plugin's source.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
plugins="$root/tests/plugins"

WASM_TARGET_DIR="$root/target/plugins" bash "$root/scripts/lib/wasm-cargo.sh" build --release \
  --manifest-path "$plugins/text-stats/Cargo.toml"
cp "$root/target/plugins/wasm32-unknown-unknown/release/text_stats.wasm" "$plugins/text_stats.wasm"

tools="$root/target/plugin-tools"
if [ ! -x "$tools/node_modules/.bin/asc" ]; then
  mkdir -p "$tools"
  npm install --prefix "$tools" --no-save --no-audit --no-fund @extism/as-pdk@1.0.0 assemblyscript@0.27.31 >/dev/null
fi
# asc resolves the PDK from the source's node_modules: point it at the tools' one.
ln -sfn "$tools/node_modules" "$plugins/vowels-as/node_modules"
(cd "$plugins/vowels-as" && "$tools/node_modules/.bin/asc" index.ts --outFile ../vowels_as.wasm \
  --use abort=index/myAbort --optimize --noAssert)
rm -f "$plugins/vowels-as/node_modules"
ls -l "$plugins"/*.wasm
