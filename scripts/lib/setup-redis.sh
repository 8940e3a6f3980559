#!/usr/bin/env bash
# Installs, idempotently, Redis for queue mode (scripts/redis.sh): its tests, and
# `scripts/demo.sh queue`. scripts/setup.sh runs it too.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/setup-common.sh"

want_pkg redis-server   # with redis-tools (redis-cli), which it depends on
install_wanted
