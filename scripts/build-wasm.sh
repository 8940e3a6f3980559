#!/usr/bin/env bash
# Builds the three WebAssembly engines and places them where the npm package loads them:
#   npm/wasm/       atomiton_conductor_wasm.js + _bg.wasm: the browser module (`/browser`;
#                   wasm-bindgen --target web: one build for browsers, bundlers and Node), held to
#                   the 400 KiB gzipped budget, without file, process or image support;
#   npm/wasm-node/  atomiton_conductor_wasm.cjs + _bg.wasm: the Node entry's fallback where no
#                   native binary fits (feature `node`: every built-in node type, with files and
#                   processes through Node's own modules; --target nodejs, which instantiates
#                   synchronously when required). No size budget: it ships only in the tarball.
#   npm/wasm-history/  the browser's editor module: execution history, streams of rows, traced
#                   runs, the result cache, plugins and schedules, loaded only by browser conductors
#                   created with one of them (no budget: not what a page downloads by default).
# Each is optimised with wasm-opt and must run a flow in Node before it replaces the old one.
#
#   scripts/build-wasm.sh            # all three
#   scripts/build-wasm.sh browser    # one of them (browser | node | history)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
which="${1:-all}"

# build <name> <target dir> <wasm-bindgen target> <out dir> <glue file name> [cargo args...]
build() {
  local name="$1" target_dir="$2" bindgen_target="$3" out="$4" glue="$5"
  shift 5
  # Each module has its own target dir: their features and size flags differ from each other and
  # from the core's wasm check build.
  WASM_MIN_SIZE=1 WASM_TARGET_DIR="$target_dir" scripts/lib/wasm-cargo.sh build -p atomiton-conductor-wasm --profile wasm "$@"
  local raw="$target_dir/wasm32-unknown-unknown/wasm/atomiton_conductor_wasm.wasm"
  local staging
  staging="$(mktemp -d)"
  # Removed on any exit of this function's shell as well as on success below.
  trap 'rm -rf "$staging"' EXIT
  wasm-bindgen --target "$bindgen_target" --out-dir "$staging" "$raw"
  # rustc optimised the browser module for size (opt-level z), the others for speed; wasm-opt -O3
  # then gains speed (long chains run markedly faster in Node). The browser module's budget is
  # its gzipped size, which moves by hundreds of bytes from one wasm-opt level to the next in no
  # fixed order (one build: -O3 358,579 B, -O2 357,183 B, -Os 358,162 B, -Oz 358,764 B): it is
  # given whichever of -O3, -O2 and -Os gzips smallest.
  local levels=(-O3)
  if [ "$name" = browser ]; then levels=(-O3 -O2 -Os); fi
  local best="" best_gz=""
  for level in "${levels[@]}"; do
    wasm-opt "$level" --converge --strip-debug --strip-producers --enable-bulk-memory --enable-nontrapping-float-to-int --enable-sign-ext --enable-mutable-globals \
      -o "$staging/opt$level.wasm" "$staging/atomiton_conductor_wasm_bg.wasm"
    local size
    size=$(gzip -9 -c "$staging/opt$level.wasm" | wc -c)
    if [ -z "$best_gz" ] || [ "$size" -lt "$best_gz" ]; then best="$level" best_gz="$size"; fi
  done
  mv "$staging/opt$best.wasm" "$staging/atomiton_conductor_wasm_bg.wasm"
  rm -f "$staging"/opt-O*.wasm
  if [ "$glue" != atomiton_conductor_wasm.js ]; then mv "$staging/atomiton_conductor_wasm.js" "$staging/$glue"; fi
  local bytes gz
  bytes=$(wc -c < "$staging/atomiton_conductor_wasm_bg.wasm")
  gz=$(gzip -9 -c "$staging/atomiton_conductor_wasm_bg.wasm" | wc -c)
  # Refuse a module that would fail every test later: the browser one must fit its size budget,
  # and each must run a flow. The previous module stays in place.
  if [ "$name" = browser ] && [ "$gz" -gt "$budget" ]; then
    echo "build-wasm: the module is $gz bytes gzipped, over the budget of $budget (raw $bytes bytes)" >&2
    exit 1
  fi
  node scripts/lib/wasm-smoke.mjs "$staging" "$name"
  mkdir -p "$out"
  # Replace both files together, so a running test never loads a mismatched pair.
  cp "$staging/$glue" "$out/.$glue.tmp"
  cp "$staging/atomiton_conductor_wasm_bg.wasm" "$out/.atomiton_conductor_wasm_bg.wasm.tmp"
  mv "$out/.$glue.tmp" "$out/$glue"
  mv "$out/.atomiton_conductor_wasm_bg.wasm.tmp" "$out/atomiton_conductor_wasm_bg.wasm"
  # The glue's types as wasm-bindgen wrote them: npm/test/wasm-glue-types.test.mjs checks the
  # types kept in npm/src/engines/wasm/ (which the TypeScript builds with) against them.
  cp "$staging/atomiton_conductor_wasm.d.ts" "$out/atomiton_conductor_wasm.generated.d.ts"
  rm -rf "$staging"
  trap - EXIT
  echo "built $out/atomiton_conductor_wasm_bg.wasm ($name, wasm-opt $best): $bytes bytes raw, $gz bytes gzipped$([ "$name" = browser ] && echo " (budget $budget)")"
}

budget=409600   # 400 KiB gzipped, the browser module only (350 KiB until the flow language joined it)
# The modules without a size budget are compiled for speed: they are the ones that run data (the
# Node fallback, and the editor module a browser worker streams a CSV file with). opt-level 3
# runs the million-row CSV pipeline in 0.6x the time of opt-level "z" (1.57 vs 2.55 s in Node;
# "s": 1.80 s), for a module 1.6x the size.
for_speed=(--config 'profile.wasm.opt-level=3')
case "$which" in
  all | browser) build browser "$root/target/wasm-module" web npm/wasm atomiton_conductor_wasm.js ;;&
  all | node) build node "$root/target/wasm-node" nodejs npm/wasm-node atomiton_conductor_wasm.cjs --features node "${for_speed[@]}" ;;&
  # The browser module with execution history, loaded only by browser conductors that ask for
  # history (it is over the budget above, which is what a page downloads by default).
  all | history) build history "$root/target/wasm-module-history" web npm/wasm-history atomiton_conductor_wasm.js --features history,streams,telemetry,cache,plugins,triggers,llm "${for_speed[@]}" ;;
  browser | node) ;;
  *) echo "usage: scripts/build-wasm.sh [browser|node|history]" >&2; exit 2 ;;
esac
