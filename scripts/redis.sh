#!/usr/bin/env bash
# Runs a local Redis for queue mode (its tests and `scripts/demo.sh queue`), in the foreground:
# whoever starts it stops it. Loopback only; `noeviction`, because BullMQ must never lose a job
# to memory pressure (it warns otherwise); append-only file in --dir, so queued runs survive a
# restart of Redis. No RDB snapshots (the AOF is enough for a test or a demo).
#   scripts/redis.sh --port <n> --dir <dir>
set -euo pipefail
port="" dir=""
while [ $# -gt 0 ]; do
  case "$1" in
    --port) port="$2"; shift 2 ;;
    --dir) dir="$2"; shift 2 ;;
    *) echo "usage: scripts/redis.sh --port <n> --dir <dir>" >&2; exit 2 ;;
  esac
done
[ -n "$port" ] && [ -n "$dir" ] || { echo "usage: scripts/redis.sh --port <n> --dir <dir>" >&2; exit 2; }
command -v redis-server >/dev/null || { echo "redis-server not found: run scripts/setup.sh (Debian package redis-server)" >&2; exit 1; }
mkdir -p "$dir"
exec redis-server --bind 127.0.0.1 --port "$port" --dir "$dir" \
  --maxmemory-policy noeviction --appendonly yes --save "" \
  --protected-mode yes --loglevel warning --logfile ""
