#!/usr/bin/env bash
# Builds the Node.js addon for this machine the way it is released (scripts/build-platform.sh:
# on Linux cross-linked by zig against glibc 2.17, stripped) and places it where a checkout's
# package loads it first, ahead of any platform package:
# npm/native/atomiton-conductor.<triple>.node (linux-x64-gnu, darwin-arm64, win32-x64-msvc, ...)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
triple="$(scripts/build-platform.sh --host)"
scripts/build-platform.sh "$triple"
mkdir -p npm/native
# Copy to a temporary name and rename, so a running process never loads a half-written file.
cp "target/npm-platforms/$triple/atomiton-conductor.$triple.node" "npm/native/.atomiton-conductor.$triple.node.tmp"
mv "npm/native/.atomiton-conductor.$triple.node.tmp" "npm/native/atomiton-conductor.$triple.node"
echo "built npm/native/atomiton-conductor.$triple.node"
