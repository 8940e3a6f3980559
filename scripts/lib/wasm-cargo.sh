#!/usr/bin/env bash
# Runs `cargo <args>` for wasm32-unknown-unknown with whichever toolchain this machine has:
# a rustup-installed wasm32 target (an ordinary developer machine), or Debian's rustc-web with
# -Zbuild-std (this project's CI machines, where rustup cannot download targets).
#
# WASM_MIN_SIZE=1 (the shipped module) prefers building std from source where possible: std
# built for size and panics that trap at once, without the formatting machinery (about -25%
# gzipped). WASM_TARGET_DIR picks the target dir (default target/wasm), kept apart from the
# native build so neither invalidates the other.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
target_dir="${WASM_TARGET_DIR:-$root/target/wasm}"
# wasm32-unknown-unknown cannot unwind with a stable std; the wasm binding reports traps instead.
profile_override=(--config 'profile.release.panic="abort"' --config 'profile.dev.panic="abort"')

debian_std() {
  [ -x /usr/bin/cargo ] && [ -x /usr/bin/rustc ] && [ -d /usr/lib/rustlib/src ]
}
rustup_target() {
  command -v rustup >/dev/null 2>&1 && rustup target list --installed 2>/dev/null | grep -qx wasm32-unknown-unknown
}

build_from_source() {
  export RUSTC=/usr/bin/rustc RUSTDOC=/usr/bin/rustdoc RUSTC_BOOTSTRAP=1
  local build_std=(-Zbuild-std=std,panic_abort)
  if [ "${WASM_MIN_SIZE:-0}" = 1 ]; then
    build_std+=(-Zbuild-std-features=optimize_for_size)
    # Without reference types wasm-bindgen keeps JS values in a JS-side heap instead of an
    # externref table, which Debian's wasm-opt (binaryen 108) mangles.
    export RUSTFLAGS="${RUSTFLAGS:-} -Zunstable-options -Cpanic=immediate-abort -Ctarget-feature=-reference-types"
  fi
  exec /usr/bin/cargo "$@" "${build_std[@]}" --target wasm32-unknown-unknown \
    --target-dir "$target_dir" "${profile_override[@]}"
}

if [ "${WASM_MIN_SIZE:-0}" = 1 ] && debian_std; then
  build_from_source "$@"
fi
if rustup_target; then
  exec cargo "$@" --target wasm32-unknown-unknown --target-dir "$target_dir" "${profile_override[@]}"
fi
if debian_std; then
  build_from_source "$@"
fi
echo "wasm-cargo: no wasm32 toolchain; run scripts/setup.sh first" >&2
exit 1
