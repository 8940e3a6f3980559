#!/usr/bin/env bash
# Runs `cargo <args>` for wasm32-unknown-unknown with the standard library built from source,
# the same way on every machine, whichever Rust toolchain it has:
#
#   1. rustup's toolchain with its `rust-src` component (an ordinary developer machine;
#      `scripts/setup.sh` adds the component), or
#   2. Debian's `rustc-web` + `rust-web-src` (+ `lld-22` for the linker), where rustup cannot
#      download components.
#
# Both get the same flags, so both give the same module:
#   - std built for size (`optimize_for_size`) with panics that trap at once (no formatting
#     machinery): about a quarter less gzipped than the prebuilt std;
#   - no reference types anywhere (std included). With them, wasm-bindgen keeps JS values in an
#     externref table, which Debian's wasm-opt (binaryen 108) rewrites into a module that fails
#     to instantiate; without them it keeps them in a JS-side heap, which every wasm-opt handles.
#     A prebuilt std (rustup's `wasm32-unknown-unknown` target) is compiled with reference
#     types on, which is why it is not used.
# Building std from source needs unstable cargo flags; RUSTC_BOOTSTRAP=1 allows them on a
# stable compiler (the versions are pinned by the toolchain, not by a nightly date).
#
# ATOMITON_WASM_STD=rustup|debian picks a path instead of the first that is available.
# WASM_TARGET_DIR picks the target dir (default target/wasm), kept apart from the native build so
# neither invalidates the other.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
target_dir="${WASM_TARGET_DIR:-$root/target/wasm}"

rustup_std_source() {
  command -v rustup >/dev/null 2>&1 || return 1
  local sysroot
  sysroot="$(rustc --print sysroot 2>/dev/null)" || return 1
  [ -d "$sysroot/lib/rustlib/src/rust/library/std" ]
}
debian_std_source() {
  [ -x /usr/bin/cargo ] && [ -x /usr/bin/rustc ] && [ -d /usr/lib/rustlib/src/rust/library/std ]
}

choice="${ATOMITON_WASM_STD:-}"
if [ "$choice" != debian ] && rustup_std_source; then
  cargo=(cargo)
elif [ "$choice" != rustup ] && debian_std_source; then
  export RUSTC=/usr/bin/rustc RUSTDOC=/usr/bin/rustdoc
  cargo=(/usr/bin/cargo)
else
  cat >&2 <<'EOF'
wasm-cargo: no Rust standard library source for the wasm build.
  With rustup:  rustup component add rust-src
  On Debian:    apt-get install rustc-web cargo-web rust-web-src lld-22
(scripts/setup.sh installs one of them.)
EOF
  exit 1
fi

export RUSTC_BOOTSTRAP=1
# RUSTFLAGS from the environment would replace the target's flags below: the module needs them.
unset RUSTFLAGS CARGO_ENCODED_RUSTFLAGS
# The flags go to the wasm target only (not RUSTFLAGS, which `cargo clippy` also hands to the host's
# build scripts, compiled against the host's unwinding std).
# wasm32-unknown-unknown cannot unwind; the wasm binding reports traps instead.
# Arguments after a `--` (clippy's lint flags, a test's filter) stay after this script's own.
args=() rest=()
while [ $# -gt 0 ]; do
  if [ "$1" = -- ]; then rest=("$@"); break; fi
  args+=("$1")
  shift
done
exec "${cargo[@]}" "${args[@]}" \
  -Zbuild-std=std,panic_abort -Zbuild-std-features=optimize_for_size \
  --target wasm32-unknown-unknown --target-dir "$target_dir" \
  --config 'target.wasm32-unknown-unknown.rustflags=["-Zunstable-options", "-Cpanic=immediate-abort", "-Ctarget-feature=-reference-types"]' \
  --config 'profile.release.panic="abort"' --config 'profile.dev.panic="abort"' "${rest[@]}"
