#!/usr/bin/env bash
# Packs what gets published into target/pack/: the main package (@atomiton/conductor, with both
# wasm engines and every platform package as an optional dependency) and one platform package
# per binary in target/npm-platforms/ (scripts/build-platform.sh). Run after scripts/build-wasm.sh
# and scripts/build-npm.sh. Each tarball is listed with its size.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
out="$root/target/pack"
rm -rf "$out"
mkdir -p "$out"
node scripts/lib/packages.mjs "$out/stage"
for dir in "$out"/stage/*/; do
  # prepack (npm/build/check-pack.mjs) refuses a main package without its wasm engines or README.
  (cd "$dir" && npm pack --silent --pack-destination "$out" >/dev/null)
done
ls -l "$out"/*.tgz | awk '{ printf "%10d  %s\n", $5, $9 }'
