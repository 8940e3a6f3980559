#!/usr/bin/env bash
# The main job, from a fresh clone: installs what it needs and is missing, builds the npm package
# (the native addon and the TypeScript; incremental after the first time), then runs a bundled
# template flow through the CLI with live progress and prints the result. It installs only what
# the native addon and that run need (scripts/lib/setup-native.sh: Rust, zig and cargo-zigbuild;
# scripts/lib/setup-npm.sh build: TypeScript and the packages whose types it reads; Node.js 24,
# which the flow runs on; Redis for `queue`), not the wasm toolchain, Chromium or the other dev dependencies that scripts/setup.sh
# installs for the tests.
#
#   scripts/demo.sh                 # the Data Transform Pipeline template
#   scripts/demo.sh hello           # any template id or part of its name
#   scripts/demo.sh pipeline --slow-mo 0 --quiet
#   scripts/demo.sh queue [template]  # queue mode: a local Redis, two `atomiton worker`s, the
#                                     # template through the queue with live progress, then six
#                                     # more runs shared out between the workers
#
# The flow's files are written under target/demo/ (override with ATOMITON_DEMO_DIR).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

scripts/lib/setup-native.sh
scripts/lib/setup-npm.sh build
if [ "${1:-}" = queue ]; then scripts/lib/setup-redis.sh; fi
scripts/lib/setup-node-lines.sh 24
scripts/build-npm.sh
# The flow runs on Node.js 24, the active LTS line (the package needs 22 or later).
PATH="$(scripts/lib/node-line.sh 24):$PATH"
export PATH

workdir="${ATOMITON_DEMO_DIR:-$root/target/demo}"
mkdir -p "$workdir"

if [ "${1:-}" = queue ]; then
  shift
  exec scripts/lib/queue-demo.sh "$workdir" "${1:-pipeline}"
fi

template="${1:-pipeline}"
shift || true
printf '\n\033[1;34m[demo]\033[0m running template "%s" in %s\n' "$template" "$workdir"
# slowMo paces each node so the progress display can be watched; pass --slow-mo 0 for full speed.
exec node npm/dist/cli/main.js templates run "$template" --cwd "$workdir" --slow-mo 100 "$@"
