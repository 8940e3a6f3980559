#!/usr/bin/env bash
# Lints (clippy, -D warnings: a type-check and more) the native addon for the platforms whose
# binaries only a release workflow builds — macOS (x64, arm64) and Windows (x64) — so their code
# paths compile before a user installs them. This machine cannot link or run those binaries: zig
# (target/zig-venv, from scripts/setup.sh) compiles the C of the build scripts for each target,
# std is built from the `rust-src` component, and nothing is linked.
#
# Stand-ins, for checking only:
#   - macOS: two CommonCrypto headers (scripts/lib/check-platforms/include), which mimalloc's C
#     includes and zig does not ship;
#   - Windows: the GNU target instead of MSVC (zig has no MSVC headers; the Rust code sees the
#     same `cfg(windows)`), and an empty `libnode.dll` where napi-build looks for Node's import
#     library (it is only read when linking).
# What stays unchecked here: code under `target_env = "msvc"` (in dependencies only), every link
# step, and running anything — the release workflow's own smoke test covers those.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$root"
zig_bin="$root/target/zig-venv/bin"
[ -x "$zig_bin/cargo-zigbuild" ] || { echo "check-platforms: cargo-zigbuild is missing: run scripts/setup.sh" >&2; exit 1; }
target_dir="$root/target/cross-check"
mkdir -p "$target_dir/libnode"
: >"$target_dir/libnode/libnode.dll"
stand_in_headers="-I$root/scripts/lib/check-platforms/include"
export PATH="$zig_bin:$PATH" RUSTC_BOOTSTRAP=1 LIBNODE_PATH="$target_dir/libnode"
export CFLAGS_x86_64_apple_darwin="$stand_in_headers" CFLAGS_aarch64_apple_darwin="$stand_in_headers"
unset RUSTFLAGS CARGO_ENCODED_RUSTFLAGS
# missing_const_for_thread_local: with std built from source, clippy reads std's own
# `thread_local!` expansion as ours and asks for the `const { }` the code already has.
for target in x86_64-apple-darwin aarch64-apple-darwin x86_64-pc-windows-gnu; do
  echo "check-platforms: $target"
  cargo-zigbuild clippy --quiet -p atomiton-conductor-node --target "$target" \
    -Zbuild-std=std,panic_unwind --target-dir "$target_dir" -- -D warnings -A clippy::missing_const_for_thread_local
done
