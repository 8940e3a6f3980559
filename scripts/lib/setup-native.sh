#!/usr/bin/env bash
# Installs, idempotently, what building the native addon needs (scripts/build-native.sh, through
# scripts/build-platform.sh): a Rust toolchain and, on Linux, zig with cargo-zigbuild, which link
# the addon the way it is released (against glibc 2.17's symbols, and musl). scripts/demo.sh and
# scripts/setup.sh run it.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/setup-common.sh"

# Rust: rustup's toolchain where there is one; on a machine with no cargo at all, Debian's
# (rustc-web, cargo-web: the packages scripts/setup.sh takes for the wasm build where rustup
# cannot help).
command -v cargo >/dev/null 2>&1 || want_pkg rustc-web cargo-web
# zig and cargo-zigbuild (below) come from PyPI into a virtual environment.
if [ "$(uname -s)" = Linux ]; then
  python3 -c 'import venv, ensurepip' >/dev/null 2>&1 || want_pkg python3-venv
fi
install_wanted

command -v cargo >/dev/null || { echo "cargo not found: install Rust (rustup) first" >&2; exit 1; }

# Both are wheels on PyPI; scripts/build-platform.sh runs cargo-zigbuild from this venv.
if [ "$(uname -s)" = Linux ]; then
  pinned_venv "$root/target/zig-venv" ziglang==0.15.2 cargo-zigbuild==0.24.0
fi
