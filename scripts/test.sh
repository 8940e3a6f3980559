#!/usr/bin/env bash
# Runs the whole test suite: Rust tests, the wasm builds (the browser module and the Node
# fallback module), then through the built npm package: the native engine (built as released:
# zig-linked against glibc 2.17, checked with objdump), the shared conformance fixtures on
# native, on the Node fallback and in headless Chromium, the loader and the engine choice, the
# browser and demo-page tests, the remote transports, the CLI, and the packed tarballs installed
# into a clean project — on Node.js 24, with a smoke subset on 22 and 26.
# scripts/smoke-arm64.sh (the arm64 package under qemu) is separate.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
# Each step says when it starts ($SECONDS: seconds since the command started), so a run's log
# shows what each part took.
step() { printf '\n\033[1;32m==> [%ss] %s\033[0m\n' "$SECONDS" "$*"; }
# No incremental compilation data unless asked for: a whole-suite run builds each crate once or
# twice, and the data (4 GB of target/debug here) is what filled a CI machine's disk. A developer
# re-running the suite after small edits can set CARGO_INCREMENTAL=1.
export CARGO_INCREMENTAL="${CARGO_INCREMENTAL:-0}"

step "setup"
scripts/setup.sh

step "format and lint (cargo fmt, clippy on native, on each wasm module's features and on the macOS and Windows addons' targets, Biome), no decision made twice (check-owners), and no folder-level import cycle (core, npm)"
cargo fmt --all -- --check
cargo clippy --all-targets --quiet -- -D warnings
scripts/lib/lint-features.sh
scripts/lib/check-platforms.sh
scripts/lib/check-owners.sh
(cd npm && npx --no-install biome check .)
python3 scripts/lib/rust-folder-cycles.py >/dev/null || python3 scripts/lib/rust-folder-cycles.py
python3 scripts/lib/ts-folder-cycles.py

step "cargo test (core, native host; the wasm binding is built below)"
cargo test --all-targets

step "wasm modules: the browser's, the browser's with history, and the Node fallback's (wasm32-unknown-unknown)"
scripts/build-wasm.sh

step "native addon and npm package"
scripts/build-npm.sh

# The npm suite runs on the Node.js lines users have (installed by scripts/setup.sh from the npm
# registry): whole on 24, the active LTS; its smoke subset (npm/test/node-lines-smoke.txt: every
# entry, engine and transport, worker threads, Electron's external-buffer rule) on 22 and 26.
# --test-timeout: a hang bound per test, never a speed verdict (nothing here takes minutes).
# --test-force-exit: a file whose tests have all ended exits, even if something it started is
# still open (a server's connection a failed cleanup left): the failure is reported, the suite
# goes on instead of waiting for ever.
npm_tests() {
  local line="$1"
  shift
  local bin
  bin="$(scripts/lib/node-line.sh "$line")"
  if ! (cd npm && PATH="$bin:$PATH" node --test --test-concurrency=1 --test-timeout=300000 --test-force-exit "$@"); then
    echo "npm tests failed on Node.js $("$bin/node" --version) (line $line)" >&2
    exit 1
  fi
}

step "npm unit tests: the TypeScript logic, beside its code (npm/src/**/*.test.ts), without an engine"
(cd npm && npx --no-install tsc -p tsconfig.unit.json)
npm_tests 24 ".unit/**/*.test.js"

step "npm package tests on Node.js 24 (native, wasm in Node and in Chromium, loader, demo page, transports, CLI, worker threads, pack and install)"
# Node 22 and later take globs, not a directory, as the files to test.
npm_tests 24 "test/**/*.test.mjs"

mapfile -t smoke < <(grep -v '^#' npm/test/node-lines-smoke.txt | grep .)
for line in 22 26; do
  step "npm smoke subset on Node.js $line (every entry, engine and transport)"
  npm_tests "$line" "${smoke[@]}"
done

step "all tests passed"
