#!/usr/bin/env bash
# A PostgreSQL server for a queue pool's shared run history (`store: "postgres://..."`) and its
# tests: a cluster in --dir (made with initdb the first time), on 127.0.0.1:--port, in the
# foreground until stopped. Trust authentication for the `postgres` user, on loopback only: for
# tests and trying it out on one machine, not for a fleet's production database.
#
#   scripts/postgres.sh --dir /tmp/pg [--port 5432]
#   then: postgres://postgres@127.0.0.1:5432/postgres
#
# Debian's `postgresql` package (scripts/lib/setup-postgres.sh installs it) puts the programs in
# /usr/lib/postgresql/<version>/bin, off the PATH. PostgreSQL refuses to run as root: as root,
# the server runs as the package's `postgres` user (setpriv execs it, so this script's process
# becomes the server's and a signal to it reaches the server).
set -euo pipefail

port=5432
dir=
while [ $# -gt 0 ]; do
  case "$1" in
    --port) port=$2; shift 2 ;;
    --dir) dir=$2; shift 2 ;;
    *) echo "usage: $0 --dir DIR [--port N]" >&2; exit 2 ;;
  esac
done
[ -n "$dir" ] || { echo "usage: $0 --dir DIR [--port N]" >&2; exit 2; }

bin=
if command -v initdb >/dev/null 2>&1; then
  bin=$(dirname "$(command -v initdb)")
else
  for candidate in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V); do bin=$candidate; done
fi
[ -n "$bin" ] && [ -x "$bin/postgres" ] || {
  echo "PostgreSQL is not installed (scripts/lib/setup-postgres.sh installs Debian's postgresql)" >&2
  exit 1
}

as_server=()
if [ "$(id -u)" = 0 ]; then
  as_server=(setpriv --reuid=postgres --regid=postgres --init-groups)
fi
mkdir -p "$dir"
[ "$(id -u)" = 0 ] && chown postgres "$dir"
if [ ! -f "$dir/data/PG_VERSION" ]; then
  "${as_server[@]}" "$bin/initdb" -U postgres --auth=trust -E UTF8 --no-sync -D "$dir/data" >/dev/null
fi
exec "${as_server[@]}" "$bin/postgres" -D "$dir/data" -p "$port" -k "$dir" \
  -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200
