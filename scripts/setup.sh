#!/usr/bin/env bash
# Installs, idempotently, everything the build and the tests need on a fresh Debian machine.
# Safe to run repeatedly: each step checks before it installs. The pieces scripts/demo.sh needs
# on their own are scripts in scripts/lib/: setup-native.sh (Rust, zig and cargo-zigbuild),
# setup-npm.sh (npm dev dependencies: all here, the build's few for the demo) and
# setup-redis.sh (Redis, for queue mode), setup-postgres.sh (PostgreSQL, for a pool's run
# history kept in it, and the database node's tests), setup-mariadb.sh (MariaDB, the database
# node's MySQL tests), setup-llm.sh (a model server, for the llm node's tests) and
# setup-smtp.sh (an SMTP server, for the email node's tests); this runs them all.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib/setup-common.sh"

# --- Debian packages -------------------------------------------------------------------------
# wasm32: the module is built with the standard library compiled from source (see
# scripts/lib/wasm-cargo.sh), so what is needed is that source: rustup's rust-src component, or,
# where rustup cannot download it, Debian's rustc-web with its std source and linker.
# ATOMITON_WASM_STD=debian takes the Debian path even where rustup could download.
if [ "${ATOMITON_WASM_STD:-}" = debian ] || ! { command -v rustup >/dev/null 2>&1 && rustup component add rust-src >/dev/null 2>&1; }; then
  want_pkg rustc-web cargo-web rust-web-src lld-22
fi
want_pkg pkg-config
want_pkg binaryen   # wasm-opt
want_pkg chromium   # headless browser tests
want_pkg binutils   # objdump/readelf: the native binary's glibc floor is checked by the tests
want_pkg gcc        # the shared object that refuses external buffers as Electron does (a test builds it)
# The Python tools below (and zig, in setup-native.sh) come from PyPI into virtual environments.
python3 -c 'import venv, ensurepip' >/dev/null 2>&1 || want_pkg python3-venv
install_wanted

# --- The native addon's toolchain: Rust (checked), zig and cargo-zigbuild ----------------------
scripts/lib/setup-native.sh

# --- Redis, for queue mode: BullMQ and the shared run history (tests and demo) -----------------
scripts/lib/setup-redis.sh

# --- PostgreSQL, for a pool's run history kept in it (tests) ----------------------------------
scripts/lib/setup-postgres.sh

# --- MariaDB, for the database node's MySQL/MariaDB tests --------------------------------------
scripts/lib/setup-mariadb.sh

# --- The model server (llama-cpp-python + SmolLM2-135M), for the llm node's tests. Compiles
# llama.cpp the first time (minutes, both cores), before any cargo build.
scripts/lib/setup-llm.sh

# --- The SMTP server (aiosmtpd), for the email node's tests -------------------------------------
scripts/lib/setup-smtp.sh

# --- The Node.js lines the npm suite runs on: 22, 24 and 26 ------------------------------------
scripts/lib/setup-node-lines.sh

# --- Rust tools --------------------------------------------------------------------------------
# wasm-bindgen-cli must match the wasm-bindgen crate version locked in Cargo.lock exactly.
if [ -f Cargo.lock ] && grep -q '^name = "wasm-bindgen"$' Cargo.lock; then
  want_bg=$(awk '/^name = "wasm-bindgen"$/{getline; gsub(/version = |"/,""); print; exit}' Cargo.lock)
  have_bg=$(wasm-bindgen --version 2>/dev/null | awk '{print $2}' || true)
  if [ "$have_bg" != "$want_bg" ]; then
    log "installing wasm-bindgen-cli $want_bg (takes a few minutes once)"
    cargo install wasm-bindgen-cli --version "$want_bg" --force >/dev/null 2>&1 \
      || cargo install wasm-bindgen-cli --version "$want_bg" --force
  else
    log "wasm-bindgen-cli $have_bg present"
  fi
fi

# --- Python tools, each in its own venv under target/, pinned ----------------------------------
# The Prometheus project's own parser of its text format (prometheus_client), which the
# observability tests read `/metrics` with.
pinned_venv "$root/target/test-venv" prometheus-client==0.26.0

# --- npm packages: every dev dependency ---------------------------------------------------------
scripts/lib/setup-npm.sh all
log "done"
