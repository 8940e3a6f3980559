#!/usr/bin/env bash
# Installs, idempotently, MariaDB (Debian's) for the database node's tests: the server and its
# install tool; scripts/mariadb.sh starts one on 127.0.0.1 in a directory of its own (the
# package's own service is not used). scripts/setup.sh runs it too.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/setup-common.sh"

want_pkg mariadb-server   # mariadbd and mariadb-install-db
want_pkg openssl          # scripts/mariadb.sh makes the server's TLS certificate with it
install_wanted
