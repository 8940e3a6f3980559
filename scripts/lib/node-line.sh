#!/usr/bin/env bash
# Prints the directory holding the `node` of Node.js line <major> (22, 24 or 26) that
# scripts/lib/setup-node-lines.sh installed; fails, naming the line, when it is not there.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
line="${1:?usage: node-line.sh <major>}"
dir="$root/target/node/$line/bin"
[ -x "$dir/node" ] || {
  echo "Node.js $line is not installed: run scripts/lib/setup-node-lines.sh" >&2
  exit 1
}
echo "$dir"
