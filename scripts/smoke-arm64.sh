#!/usr/bin/env bash
# Smoke test of the linux-arm64-gnu platform package on an x64 Linux machine: cross-builds the
# addon (scripts/build-platform.sh, cargo-zigbuild, glibc 2.17), packs the main package and the
# arm64 platform package, installs both with npm for arm64 (--cpu=arm64) into a clean project,
# and runs a template with Debian's arm64 Node under qemu-user: once on the native addon (which
# must be the one loaded), once on the WebAssembly fallback.
#
# Not part of scripts/test.sh: the cross build alone takes minutes on two cores, and everything
# under qemu is slow. Needs root (or sudo) for apt: it adds the arm64 architecture to dpkg and
# installs qemu-user-static; Debian's arm64 Node and its libraries are only unpacked, into
# target/arm64-node/ (Debian 12's Node is 18.20, which needs --experimental-global-webcrypto).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
log() { printf '\033[1;34m[smoke-arm64]\033[0m %s\n' "$*"; }
as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }

[ "$(uname -s)-$(uname -m)" = Linux-x86_64 ] || { echo "smoke-arm64: runs on x64 Linux" >&2; exit 2; }

# --- qemu and an arm64 Node ------------------------------------------------------------------
if ! command -v qemu-aarch64-static >/dev/null; then
  log "installing qemu-user-static"
  as_root apt-get update -qq
  DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq qemu-user-static >/dev/null
fi
sysroot="$root/target/arm64-node/root"
if [ ! -x "$sysroot/usr/bin/node" ]; then
  if ! dpkg --print-foreign-architectures | grep -qx arm64; then
    log "adding the arm64 architecture to dpkg"
    as_root dpkg --add-architecture arm64
  fi
  as_root apt-get update -qq
  debs="$root/target/arm64-node/debs"
  rm -rf "$debs" "$sysroot"
  mkdir -p "$debs" "$sysroot"
  # Node, the arm64 libraries it needs (not dpkg, tar or the install tools), and the
  # architecture-independent node-* packages Debian's Node loads some of its builtins from.
  packages=$(apt-cache depends --recurse --no-recommends --no-suggests --no-conflicts --no-breaks --no-replaces --no-enhances --no-pre-depends nodejs:arm64 \
    | grep -E '^([a-z0-9].*:arm64|node-[a-z0-9.+-]+)$' | grep -vE '^(dpkg|install-info|tar|openssl):' | sort -u)
  log "downloading $(echo "$packages" | wc -l) arm64 packages: $(echo $packages)"
  (cd "$debs" && apt-get download $packages >/dev/null)
  for deb in "$debs"/*.deb; do dpkg -x "$deb" "$sysroot"; done
fi
arm_node=(qemu-aarch64-static -L "$sysroot" "$sysroot/usr/bin/node" --experimental-global-webcrypto)
log "arm64 Node: $("${arm_node[@]}" -p 'process.version + " " + process.arch')"

# --- the packages ----------------------------------------------------------------------------
scripts/build-platform.sh linux-arm64-gnu
[ -f npm/dist/engines/wasm-node/atomiton_conductor_wasm_bg.wasm ] || { echo "smoke-arm64: build the package first (scripts/build-wasm.sh, scripts/build-npm.sh)" >&2; exit 1; }
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
node scripts/lib/packages.mjs "$work/stage" "linux-arm64-gnu=target/npm-platforms/linux-arm64-gnu/atomiton-conductor.linux-arm64-gnu.node" >/dev/null
for dir in "$work"/stage/*/; do (cd "$dir" && npm pack --silent --pack-destination "$work" >/dev/null); done
mkdir -p "$work/project" "$work/home"
cd "$work/project"
echo '{ "name": "arm64-consumer", "version": "1.0.0", "private": true }' > package.json
export HOME="$work/home" npm_config_cache="$work/npm-cache" npm_config_update_notifier=false npm_config_audit=false npm_config_fund=false
# --force: npm runs on x64 here and refuses an arm64 package named directly (EBADPLATFORM).
npm install --offline --force "$work"/atomiton-conductor-0*.tgz "$work"/atomiton-conductor-linux-arm64-gnu-*.tgz >/dev/null 2>&1
cli="node_modules/@atomiton/conductor/dist/cli/main.js"

# --- run -------------------------------------------------------------------------------------
log "native: atomiton --version, then the hello-world template"
version="$("${arm_node[@]}" "$cli" --version)"
echo "$version"
grep -q "(native, linux-arm64-gnu)" <<<"$version" || { echo "smoke-arm64: the native arm64 addon did not load" >&2; exit 1; }
"${arm_node[@]}" "$cli" templates run hello-world --quiet > native.json
node -e 'const r = JSON.parse(require("fs").readFileSync("native.json", "utf8")); if (!r.success) { console.error(r.error); process.exit(1); } console.log("native result:", JSON.stringify(r.data))'
"${arm_node[@]}" --input-type=module -e '
  import { createConductor } from "@atomiton/conductor";
  const c = createConductor({ engine: "native", storage: { type: "memory" } });
  const r = await c.node.run({ id: "fs", type: "file-system", parameters: { operation: "exists", path: "/" } });
  process.report.excludeNetwork = true;
  const loaded = (process.report.getReport().sharedObjects ?? []).filter((f) => f.endsWith(".node"));
  console.log("loaded:", loaded.join(", "), "| file-system node:", r.success);
  if (!r.success || !loaded.some((f) => f.endsWith("atomiton-conductor.linux-arm64-gnu.node"))) process.exit(1);'

log "wasm fallback: the same template with ATOMITON_CONDUCTOR_ENGINE=wasm"
ATOMITON_CONDUCTOR_ENGINE=wasm "${arm_node[@]}" "$cli" templates run hello-world --quiet > wasm.json
node -e 'const r = JSON.parse(require("fs").readFileSync("wasm.json", "utf8")); if (!r.success) { console.error(r.error); process.exit(1); } console.log("wasm result:", JSON.stringify(r.data))'
log "passed"
