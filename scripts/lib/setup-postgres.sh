#!/usr/bin/env bash
# Installs, idempotently, PostgreSQL for a queue pool's shared run history on it
# (scripts/postgres.sh): its tests. scripts/setup.sh runs it too.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/setup-common.sh"

want_pkg postgresql   # the server, initdb and psql (Debian's packages; the server is started by scripts/postgres.sh)
install_wanted
