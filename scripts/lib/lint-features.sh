#!/usr/bin/env bash
# Clippy with -D warnings over every feature set that ships, on the target it ships for:
# the native addon (the workspace's own clippy run covers it), and the WebAssembly binding with
# the core as each wasm module builds them — the browser's default module, the browser's editor
# module (history), and the Node fallback. Code that only one feature set compiles (a feature's
# module) is linted where it is built, not only where the default features reach.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$root"
lint() {
  local target_dir=$1
  shift
  # Each module keeps its own target dir (as scripts/build-wasm.sh does), so a lint reuses the
  # std a build compiled for it.
  # arc_with_non_send_sync: the host's handles are `Send + Sync` on native, where runs cross
  # threads; wasm32-unknown-unknown has one thread, so the same `Arc`s hold values that need not
  # be — the lint's advice (use `Rc`) would split the core's types by target.
  WASM_TARGET_DIR="$root/$target_dir" scripts/lib/wasm-cargo.sh clippy --quiet \
    -p atomiton-conductor-wasm --profile wasm "$@" -- -D warnings -A clippy::arc_with_non_send_sync
}
lint target/wasm-module
lint target/wasm-module-history --features history,streams,telemetry,cache,plugins
lint target/wasm-node --features node
