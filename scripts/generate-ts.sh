#!/usr/bin/env bash
# Rewrites the TypeScript generated from the Rust engine (npm/src/types/*.generated.ts: the
# wire types of run options, the error codes, shared messages, the recovery table). The same
# unit test, run without ATOMITON_WRITE_TS, fails while a committed file is stale; CI runs it
# with the core crate's tests.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
ATOMITON_WRITE_TS=1 cargo test -q -p atomiton-core --lib typescript
ATOMITON_WRITE_TS=1 cargo test -q -p atomiton-catalog --test generated
echo "wrote npm/src/types/{wire,error-codes,recovery,options,calls}.generated.ts, npm/src/engines/session/methods.generated.ts and npm/src/engines/wasm/catalog.generated.ts"
