#!/usr/bin/env bash
# Installs, idempotently, the npm package's dev dependencies (npm/package.json, at the versions
# of npm/package-lock.json) into npm/node_modules.
#
#   scripts/lib/setup-npm.sh all     # every one: what scripts/setup.sh (the test command) needs
#   scripts/lib/setup-npm.sh build   # only what `npm run build` and scripts/demo.sh need (below),
#                                    # unless this checkout already has them all
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/setup-common.sh"

mode="${1:-all}"
case "$mode" in all | build) ;; *) echo "usage: scripts/lib/setup-npm.sh all|build" >&2; exit 2 ;; esac
[ -f npm/package.json ] || exit 0

# What building the package (tsc, then npm/build/finish.mjs) and running the CLI's templates
# need: TypeScript, Node's types (tsconfig's `types`), and the packages whose types the sources
# import: bullmq (src/queue/; also what `scripts/demo.sh queue` runs on) and ws (src/cli/serve.ts).
build_deps="typescript @types/node @types/ws bullmq"
# Written into npm/node_modules when it holds only those; `npm ci` replaces the folder whole.
subset_mark=npm/node_modules/.atomiton-build-deps

command -v node >/dev/null 2>&1 && command -v npm >/dev/null 2>&1 || {
  echo "node and npm not found: install Node.js 20 or later first" >&2
  exit 1
}
node -e 'process.exit(Number(process.versions.node.split(".")[0]) >= 20 ? 0 : 1)' || {
  # The machine's own node only builds (npm, TypeScript); the package runs and is tested on the
  # Node.js lines scripts/lib/setup-node-lines.sh installs (22 and later).
  echo "Node.js $(node --version) is too old to build with: install Node.js 20 or later" >&2
  exit 1
}

# Installed, and not older than the lock file.
current() { [ -d npm/node_modules ] && ! [ npm/package-lock.json -nt npm/node_modules/.package-lock.json ]; }

install_all() {
  log "installing npm dev dependencies"
  # npm ci wants every optional dependency in the lock file, other platforms' too. The registry
  # this project is built against lacks other systems' builds of msgpackr-extract, Rollup and
  # Biome, which `npm install` then leaves out of the lock: after it changes the lock, run
  # `node npm/build/complete-lock.mjs`, which adds their entries (version, os, cpu, libc: npm
  # never downloads another platform's package).
  (cd npm && npm ci --no-audit --no-fund --loglevel=error)
}

# Only $build_deps, at the lock's versions: npm installs into a staging folder a manifest that
# names just those, beside a copy of the lock (npm keeps the lock's versions and drops the rest),
# and the folder it made takes the place of npm/node_modules.
install_build() {
  log "installing the npm packages the build needs: $build_deps"
  local stage="$root/target/npm-build-deps"
  rm -rf "$stage"
  mkdir -p "$stage"
  cp npm/package-lock.json "$stage/package-lock.json"
  # shellcheck disable=SC2086 # the names, one argument each
  node -e '
    const [from, to, ...names] = process.argv.slice(1);
    const pkg = require(from);
    const devDependencies = {};
    for (const name of names) {
      const range = pkg.devDependencies?.[name];
      if (range === undefined) throw new Error(`${name} is not a dev dependency of ${from}`);
      devDependencies[name] = range;
    }
    const manifest = { name: pkg.name, version: pkg.version, private: true, devDependencies };
    require("node:fs").writeFileSync(to, `${JSON.stringify(manifest, null, 2)}\n`);
  ' "$root/npm/package.json" "$stage/package.json" $build_deps
  (cd "$stage" && npm install --no-audit --no-fund --loglevel=error)
  rm -rf npm/node_modules
  mv "$stage/node_modules" npm/node_modules
  echo "$build_deps" > "$subset_mark"
  rm -rf "$stage"
}

if [ "$mode" = all ]; then
  if current && [ ! -f "$subset_mark" ]; then
    log "npm dev dependencies present"
  else
    install_all
  fi
elif [ ! -f "$subset_mark" ] && [ -d npm/node_modules ]; then
  # Every dev dependency is here already (scripts/setup.sh ran): keep them all, up to date.
  if current; then log "npm dev dependencies present"; else install_all; fi
elif current && [ "$(cat "$subset_mark" 2>/dev/null)" = "$build_deps" ]; then
  log "npm packages the build needs present: $build_deps"
else
  install_build
fi
