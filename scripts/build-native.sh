#!/usr/bin/env bash
# Builds the Node.js addon (release) and places it where the npm package loads it:
# npm/native/atomiton-conductor.<platform>-<arch>[-gnu|-musl].node
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
cargo build --release -p atomiton-conductor-node
# Honour CARGO_TARGET_DIR (relative paths are relative to the workspace root, as for cargo).
target="${CARGO_TARGET_DIR:-target}"
case "$(uname -s)" in
  Linux) lib="$target/release/libatomiton_conductor_node.so" ;;
  Darwin) lib="$target/release/libatomiton_conductor_node.dylib" ;;
  *) lib="$target/release/atomiton_conductor_node.dll" ;;
esac
suffix=$(node -e '
  const libc = process.platform === "linux" ? (process.report?.getReport()?.header?.glibcVersionRuntime ? "-gnu" : "-musl") : "";
  process.stdout.write(`${process.platform}-${process.arch}${libc}`);
')
mkdir -p npm/native
# Copy to a temporary name and rename, so a running process never loads a half-written file.
cp "$lib" "npm/native/.atomiton-conductor.$suffix.node.tmp"
mv "npm/native/.atomiton-conductor.$suffix.node.tmp" "npm/native/atomiton-conductor.$suffix.node"
echo "built npm/native/atomiton-conductor.$suffix.node"
