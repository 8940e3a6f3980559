#!/usr/bin/env bash
# Runs the whole test suite: Rust tests, the wasm build (core and binding for
# wasm32-unknown-unknown), then through the built npm package: the native engine, the shared
# conformance fixtures on native, wasm in Node and wasm in headless Chromium, the browser and
# demo-page tests, the remote transports and the CLI.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
step() { printf '\n\033[1;32m==> %s\033[0m\n' "$*"; }

step "setup"
scripts/setup.sh

step "cargo test (core, native host; the wasm binding is built below)"
cargo test --all-targets

step "wasm module: core and binding for wasm32-unknown-unknown"
scripts/build-wasm.sh

step "native addon and npm package"
scripts/build-npm.sh

step "npm package tests (native, wasm in Node, wasm in Chromium, demo page, transports, CLI)"
# --test-timeout: a hang bound per test, never a speed verdict (nothing here takes minutes).
(cd npm && node --test --test-concurrency=1 --test-timeout=300000 test/)

step "all tests passed"
