#!/usr/bin/env bash
# Who decides what (docs/ARCHITECTURE.md, "One owner per decision"): checks that fail when a
# decision the engine owns is made again somewhere else.
#   - Retries and their backoff, a retry's default `from`, a local run's timeout, and execution
#     ids are the engine's: the npm package asks it
#     (`engine.retryDelay`, `engine.executionId`) and never computes a backoff or makes an id
#     for a run. The public id helpers of the old API (`createExecutionId`,
#     `generateExecutionId` in npm/src/types/ids.ts) stay for callers, but nothing in the
#     package uses them for its own runs.
#   - A capability that is a crate of its own (capabilities/<name>/) is not also a feature of
#     the engine crate, which never depends on it.
#   - The stores are organised by backend: the PostgreSQL link is the postgres store's
#     (bindings-node/host/src/postgres/), and no code reaches for the old per-concern path.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$root"
failed=0
refuse() {
  local what="$1" found="$2"
  if [ -n "$found" ]; then
    printf 'check-owners: %s\n%s\n\n' "$what" "$found" >&2
    failed=1
  fi
}

ts=(npm/src --include=*.ts --exclude=*.generated.ts --exclude=*.d.ts)
refuse "a retry backoff computed in the npm package (ask engine.retryDelay: the engine owns retries)" \
  "$(grep -rnE '\bbackoff\s*\(|MAX_BACKOFF|\*\*\s*\(?\s*attempt|Math\.pow\(\s*2' "${ts[@]}" || true)"
refuse "a retry default resolved in the npm package (leave it out: the engine fills it)" \
  "$(grep -rnE '(maxRetries|retryDelay)\s*\?\?\s*[0-9]' "${ts[@]}" || true)"
refuse "a retry's default 'from' resolved in the npm package (leave it out: the engine's RetryFrom defaults to \"failed\")" \
  "$(grep -rnE '\bfrom\s*\?\?\s*"' "${ts[@]}" || true)"
refuse "a local run's timeout defaulted to the conductor's in the npm package (the engine has it in its config; only a run handed on carries it)" \
  "$(grep -rnE 'timeout:\s*(overrides|options)\.timeout\s*\?\?\s*config\.timeout' "${ts[@]}" || true)"
refuse "an execution id made in the npm package (ask engine.executionId: the engine makes run ids)" \
  "$(grep -rnE 'exec_\$\{' "${ts[@]}" | grep -v '^npm/src/types/ids.ts:' || true)"
refuse "the package's own code using the public id helpers for a run (ask engine.executionId)" \
  "$(grep -rnE 'import \{[^}]*\b(createExecutionId|generateExecutionId)\b[^}]*\} from "(\.\./)*(\./)?types/ids\.js"' "${ts[@]}" \
    | grep -vE '^npm/src/(types/index|browser|index)\.ts:' || true)"
refuse "the PostgreSQL link reached by its old per-concern path (it is the postgres store's)" \
  "$(grep -rn 'history::postgresql' --include=*.rs core bindings-node bindings-wasm || true)"

# Each capability crate (capabilities/<name>/) is a workspace member, and the engine crate has no
# feature of that name left: a capability is added by linking its crate, not by a flag inside the
# engine (and cargo's own rule, no cycles between crates, keeps the engine from reaching back).
python3 scripts/lib/check-crates.py || failed=1

# Where the optional-feature conditions stand (docs/extending.md, "An optional feature"): at most
# 40 conditions in the engine crate, and no off twin: neither an `_off.rs` file nor a module
# swapped for another by `#[cfg_attr(..., path = "...")]`. History, streams and bulk-data are
# traits the engine owns, each with its absent implementation beside it; a new optional
# capability is a crate behind a trait, or such a trait, never a twin.
conditions=$(grep -rn 'feature = "' core/src --include=*.rs | wc -l)
twins=$(find core/src -name '*_off.rs' | wc -l)
swapped=$(grep -rn 'cfg_attr(.*path *=' core/src --include=*.rs || true)
echo "check-owners: core/src has $conditions feature conditions and $twins _off.rs files"
if [ "$conditions" -gt 40 ]; then
  echo "check-owners: more than 40 feature conditions in core/src: put the capability behind a trait (docs/extending.md)" >&2
  failed=1
fi
if [ -n "$swapped" ]; then
  printf 'check-owners: a module swapped for a twin by a feature condition (put the capability behind a trait, docs/extending.md):\n%s\n' "$swapped" >&2
  failed=1
fi
if [ "$twins" -gt 0 ]; then
  echo "check-owners: a new _off.rs twin in core/src: a new optional capability is a crate behind a trait, or a trait the engine owns (docs/extending.md)" >&2
  failed=1
fi

exit "$failed"
