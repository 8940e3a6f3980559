#!/usr/bin/env bash
# `scripts/demo.sh queue`: queue mode on this machine. Starts Redis (scripts/redis.sh) on a free
# loopback port and two `atomiton worker` processes, runs a template through the queue with live
# progress, then six more runs at once (the workers' lines show who ran what), and stops it all.
#   scripts/lib/queue-demo.sh <workdir> <template>
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$root"
workdir="$1" template="$2"
cli=(node npm/dist/cli/main.js)
say() { printf '\n\033[1;34m[demo]\033[0m %s\n' "$*"; }

port=$(node -e 'const s=require("net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})')
url="redis://127.0.0.1:$port"
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
}
trap cleanup EXIT

say "starting Redis on $url (data in $workdir/redis)"
scripts/redis.sh --port "$port" --dir "$workdir/redis" >/dev/null &
pids+=($!)
for _ in $(seq 100); do redis-cli -p "$port" ping >/dev/null 2>&1 && break; sleep 0.1; done

for n in 1 2; do
  "${cli[@]}" worker --redis "$url" --concurrency 2 --cwd "$workdir" > >(sed -u "s/^/  [worker $n] /") &
  pids+=($!)
done
sleep 1

say "running template \"$template\" through the queue (one of the two workers takes it)"
"${cli[@]}" templates run "$template" --redis "$url" --slow-mo 100 >/dev/null

say "six more runs at once, shared out between the workers"
runs=()
for _ in $(seq 6); do
  "${cli[@]}" templates run "$template" --redis "$url" --quiet >/dev/null &
  runs+=($!)
done
for pid in "${runs[@]}"; do wait "$pid"; done

say "the runs, as the shared history has them"
"${cli[@]}" runs --redis "$url" --limit 7
say "stopping the workers (SIGTERM: they finish what they run) and Redis"
