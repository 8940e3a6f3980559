#!/usr/bin/env bash
# Runs `cargo <args>` for wasm32-unknown-unknown with whichever toolchain this machine has:
# a rustup-installed wasm32 target (an ordinary developer machine), or Debian's rustc-web with
# -Zbuild-std (this project's CI machines, where rustup cannot download targets).
# The wasm build has its own target dir so it never invalidates the native build.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
target_dir="${WASM_TARGET_DIR:-$root/target/wasm}"
# wasm32-unknown-unknown cannot unwind with a stable std; the wasm binding reports traps instead.
profile_override=(--config 'profile.release.panic="abort"' --config 'profile.dev.panic="abort"')
if command -v rustup >/dev/null 2>&1 && rustup target list --installed 2>/dev/null | grep -qx wasm32-unknown-unknown; then
  exec cargo "$@" --target wasm32-unknown-unknown --target-dir "$target_dir" "${profile_override[@]}"
fi
if [ -x /usr/bin/cargo ] && [ -x /usr/bin/rustc ] && [ -d /usr/lib/rustlib/src ]; then
  export RUSTC=/usr/bin/rustc RUSTDOC=/usr/bin/rustdoc RUSTC_BOOTSTRAP=1
  exec /usr/bin/cargo "$@" -Zbuild-std=std,panic_abort --target wasm32-unknown-unknown \
    --target-dir "$target_dir" "${profile_override[@]}"
fi
echo "wasm-cargo: no wasm32 toolchain; run scripts/setup.sh first" >&2
exit 1
