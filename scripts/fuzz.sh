#!/usr/bin/env bash
# Coverage-guided fuzzing of the engine's parsers and evaluator (cargo-fuzz, libFuzzer).
#
#   scripts/fuzz.sh                 every target, 60 seconds each
#   scripts/fuzz.sh expression 600  one target, ten minutes
#   scripts/fuzz.sh list            the targets
#   scripts/fuzz.sh merge [target]  fold what runs discovered into the committed corpus
#
# Needs the nightly toolchain and cargo-fuzz (installed here when missing). The committed seeds
# in fuzz/corpus/<target>/ are read; what a run discovers goes to target/fuzz-corpus/<target>/
# (outside the repository: a ten-minute run finds thousands of entries, megabytes the repository
# should not carry). Crash reproducers go to fuzz/artifacts/<target>/: commit them, fix what they
# show, and `cargo test -p atomiton-fuzz-targets` (part of scripts/test.sh) replays every seed and
# reproducer on stable from then on. `merge` keeps the committed corpus lean: it adds to
# fuzz/corpus/<target>/ only discovered inputs of up to 256 bytes that reach code edges the corpus
# does not (libFuzzer's -merge=1 with -use_counters=0: edges, not hit counts), so the repository
# carries hundreds of small inputs per target rather than every one a run tried (thousands,
# megabytes). Runs at the lowest CPU priority.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root/fuzz"
targets=(flow_json flow_yaml expression template spreadsheet image codec wire table)

if [ "${1:-}" = list ]; then printf '%s\n' "${targets[@]}"; exit 0; fi
merge=0
if [ "${1:-}" = merge ]; then merge=1; shift; fi
selected=("${targets[@]}")
if [ $# -ge 1 ] && [ "$1" != all ]; then selected=("$1"); fi
seconds="${2:-60}"

rustup toolchain list | grep -q '^nightly' || rustup toolchain install nightly --profile minimal
command -v cargo-fuzz >/dev/null || cargo install cargo-fuzz

for target in "${selected[@]}"; do
  [ -d "corpus/$target" ] || { echo "unknown target: $target (scripts/fuzz.sh list)" >&2; exit 2; }
  mkdir -p "artifacts/$target" "$root/target/fuzz-corpus/$target"
  # Build (under the shared cargo lock when one is set up), then fuzz without holding it.
  if [ -n "${FUZZ_CARGO_LOCK:-}" ]; then flock "$FUZZ_CARGO_LOCK" cargo +nightly fuzz build "$target"; else cargo +nightly fuzz build "$target"; fi
  if [ "$merge" = 1 ]; then
    [ -d "$root/target/fuzz-corpus/$target" ] || continue
    before=$(ls "corpus/$target" | wc -l)
    nice -n 19 cargo +nightly fuzz run "$target" "corpus/$target" "$root/target/fuzz-corpus/$target" -- \
      -merge=1 -use_counters=0 -max_len=256 -rss_limit_mb=2048 -timeout=20
    echo "== $target: corpus $before -> $(ls "corpus/$target" | wc -l) inputs"
    continue
  fi
  echo "== fuzzing $target for $seconds s"
  # -rss_limit_mb: memory beyond this is a finding (every budget is far below it);
  # -timeout: one input running this long is a finding (a hang).
  nice -n 19 cargo +nightly fuzz run "$target" "$root/target/fuzz-corpus/$target" "corpus/$target" -- \
    -max_total_time="$seconds" -rss_limit_mb=2048 -timeout=20 -print_final_stats=1 \
    -artifact_prefix="artifacts/$target/"
done
