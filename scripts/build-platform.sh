#!/usr/bin/env bash
# Builds the native addon for release: one platform package's binary per triple, stripped, at
#   target/npm-platforms/<triple>/atomiton-conductor.<triple>.node
#
# Linux binaries are cross-compiled with cargo-zigbuild (zig from PyPI, installed by
# scripts/setup.sh into target/zig-venv): the gnu ones against glibc 2.17's symbol versions, so
# they load on every distribution since (RHEL 7, Ubuntu 14.04, Debian 8, Amazon Linux 2); the
# musl ones linking libc dynamically, since Node loads the addon into its own process. macOS and
# Windows binaries are built on those systems (.github/workflows/release.yml) with plain cargo.
#
#   scripts/build-platform.sh                          # this machine's platform
#   scripts/build-platform.sh linux-arm64-gnu linux-x64-musl
#   scripts/build-platform.sh --host                   # prints this machine's triple
#   scripts/build-platform.sh --list                   # prints "<triple> <rust target>" per platform
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

# The published platforms; npm/src/engines/native/platforms.ts has the same table (a test
# compares the two).
targets="linux-x64-gnu x86_64-unknown-linux-gnu
linux-arm64-gnu aarch64-unknown-linux-gnu
linux-x64-musl x86_64-unknown-linux-musl
linux-arm64-musl aarch64-unknown-linux-musl
darwin-x64 x86_64-apple-darwin
darwin-arm64 aarch64-apple-darwin
win32-x64-msvc x86_64-pc-windows-msvc
win32-arm64-msvc aarch64-pc-windows-msvc"
glibc_floor=2.17

host_triple() {
  local arch
  case "$(uname -m)" in
    x86_64 | amd64) arch=x64 ;;
    aarch64 | arm64) arch=arm64 ;;
    *) arch="$(uname -m)" ;;
  esac
  case "$(uname -s)" in
    Linux)
      if grep -qs musl /usr/bin/ldd || ls /lib/ld-musl-* >/dev/null 2>&1; then echo "linux-$arch-musl"; else echo "linux-$arch-gnu"; fi ;;
    Darwin) echo "darwin-$arch" ;;
    MINGW* | MSYS* | CYGWIN* | Windows_NT) echo "win32-$arch-msvc" ;;
    *) echo "unknown-$arch" ;;
  esac
}

rust_target() {
  awk -v t="$1" '$1 == t { print $2 }' <<<"$targets"
}

case "${1:-}" in
  --host) host_triple; exit 0 ;;
  --list) echo "$targets"; exit 0 ;;
esac

[ $# -gt 0 ] || set -- "$(host_triple)"
target_dir="${CARGO_TARGET_DIR:-target}"
zig_bin="$root/target/zig-venv/bin"

for triple in "$@"; do
  rust="$(rust_target "$triple")"
  [ -n "$rust" ] || { echo "build-platform: no published platform '$triple' (see --list)" >&2; exit 2; }
  if command -v rustup >/dev/null 2>&1 && ! rustup target list --installed | grep -qx "$rust"; then
    rustup target add "$rust"
  fi
  # Stripped: the symbol table is a fifth of the file and nobody debugs a published addon with it.
  export CARGO_PROFILE_RELEASE_STRIP=symbols
  case "$triple" in
    linux-*)
      [ -x "$zig_bin/cargo-zigbuild" ] || { echo "build-platform: cargo-zigbuild is missing: run scripts/setup.sh" >&2; exit 1; }
      # zig and python (for `python -m ziglang`) from the virtual environment.
      zig_target="$rust"
      case "$triple" in *-gnu) zig_target="$rust.$glibc_floor" ;; esac
      flags=""
      case "$triple" in *-musl) flags="-C target-feature=-crt-static" ;; esac
      PATH="$zig_bin:$PATH" RUSTFLAGS="${RUSTFLAGS:-} $flags" cargo zigbuild --release -p atomiton-conductor-node --target "$zig_target"
      lib="$target_dir/$rust/release/libatomiton_conductor_node.so" ;;
    darwin-*)
      cargo build --release -p atomiton-conductor-node --target "$rust"
      lib="$target_dir/$rust/release/libatomiton_conductor_node.dylib" ;;
    win32-*)
      cargo build --release -p atomiton-conductor-node --target "$rust"
      lib="$target_dir/$rust/release/atomiton_conductor_node.dll" ;;
  esac
  out="target/npm-platforms/$triple"
  mkdir -p "$out"
  # Copy to a temporary name and rename, so a running process never loads a half-written file.
  cp "$lib" "$out/.atomiton-conductor.$triple.node.tmp"
  mv "$out/.atomiton-conductor.$triple.node.tmp" "$out/atomiton-conductor.$triple.node"
  echo "built $out/atomiton-conductor.$triple.node ($(wc -c < "$out/atomiton-conductor.$triple.node") bytes)"
done
