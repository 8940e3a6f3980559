#!/usr/bin/env bash
# Runs the whole test suite: Rust tests, the wasm32 build of the core, and (as they exist) the
# native package tests, the conformance fixtures on every build, and the browser tests.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
step() { printf '\n\033[1;32m==> %s\033[0m\n' "$*"; }

step "setup"
scripts/setup.sh

step "cargo test (core and workspace)"
cargo test --all-targets   # default members; the wasm binding is built by build-wasm.sh

step "core builds for wasm32-unknown-unknown"
scripts/lib/wasm-cargo.sh build -p atomiton-core --release

step "native addon and npm package"
scripts/build-npm.sh

step "npm package tests (native and wasm engines, headless Chromium, the demo page; through the built package)"
(cd npm && node --test --test-concurrency=1 test/)

step "all tests passed"
