#!/usr/bin/env bash
# Installs, idempotently, everything the build and the tests need on a fresh Debian machine.
# Safe to run repeatedly: each step checks before it installs.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

log() { printf '\033[1;34m[setup]\033[0m %s\n' "$*"; }
as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }

# --- Debian packages -------------------------------------------------------------------------
need_pkgs=()
want_pkg() { dpkg -s "$1" >/dev/null 2>&1 || need_pkgs+=("$1"); }

# wasm32: the module is built with the standard library compiled from source (see
# scripts/lib/wasm-cargo.sh), so what is needed is that source: rustup's rust-src component, or,
# where rustup cannot download it, Debian's rustc-web with its std source and linker.
# ATOMITON_WASM_STD=debian takes the Debian path even where rustup could download.
if [ "${ATOMITON_WASM_STD:-}" = debian ] || ! { command -v rustup >/dev/null 2>&1 && rustup component add rust-src >/dev/null 2>&1; }; then
  for p in rustc-web cargo-web rust-web-src lld-22; do want_pkg "$p"; done
fi
want_pkg pkg-config
want_pkg binaryen   # wasm-opt
want_pkg chromium   # headless browser tests
want_pkg redis-server   # queue mode: BullMQ and the shared run history (tests and demo)
want_pkg binutils   # objdump/readelf: the native binary's glibc floor is checked by the tests
# zig and cargo-zigbuild (below) come from PyPI into a virtual environment.
python3 -c 'import venv, ensurepip' >/dev/null 2>&1 || want_pkg python3-venv

if [ ${#need_pkgs[@]} -gt 0 ]; then
  log "installing Debian packages: ${need_pkgs[*]}"
  as_root apt-get update -qq
  DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq "${need_pkgs[@]}" >/dev/null
else
  log "Debian packages present"
fi

command -v cargo >/dev/null || { echo "cargo not found: install Rust (rustup) first" >&2; exit 1; }

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
# pinned_venv DIR PIN...: (re)makes the venv DIR with exactly these PyPI pins, unless it has them.
pinned_venv() {
  local dir="$1"
  shift
  if [ -x "$dir/bin/python" ] && [ "$(cat "$dir/pins" 2>/dev/null)" = "$*" ]; then
    log "$* present"
  else
    log "installing $* from PyPI into ${dir#"$root"/}"
    rm -rf "$dir"
    python3 -m venv "$dir"
    "$dir/bin/pip" install --quiet --disable-pip-version-check "$@"
    echo "$*" > "$dir/pins"
  fi
}

# The Linux addons are linked by zig against glibc 2.17's symbols (and musl), so they run on old
# distributions too (scripts/build-platform.sh). Both are wheels on PyPI.
zig_venv="$root/target/zig-venv"
if [ "$(uname -s)" = Linux ]; then
  pinned_venv "$zig_venv" ziglang==0.15.2 cargo-zigbuild==0.24.0
fi

# The Prometheus project's own parser of its text format (prometheus_client), which the
# observability tests read `/metrics` with.
pinned_venv "$root/target/test-venv" prometheus-client==0.26.0

# --- npm packages ------------------------------------------------------------------------------
if [ -f npm/package.json ]; then
  if [ ! -d npm/node_modules ] || [ npm/package-lock.json -nt npm/node_modules/.package-lock.json ]; then
    log "installing npm dev dependencies"
    # npm ci wants every optional dependency in the lock file, other platforms' too. The registry
    # this project is built against lacks other systems' builds of msgpackr-extract, Rollup and
    # Biome, which `npm install` then leaves out of the lock: after it changes the lock, run
    # `node npm/build/complete-lock.mjs`, which adds their entries (version, os, cpu, libc: npm
    # never downloads another platform's package).
    (cd npm && npm ci --no-audit --no-fund --loglevel=error)
  else
    log "npm dev dependencies present"
  fi
fi
log "done"
