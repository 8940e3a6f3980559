#!/usr/bin/env bash
# A MariaDB server for the database node's tests: a data directory in --dir (made with
# mariadb-install-db the first time), on 127.0.0.1:--port, in the foreground until stopped.
# The `root` user connects without a password over TCP from 127.0.0.1 only: for tests and
# trying it out on one machine, not for production. Clients may use TLS: the server's
# certificate (for 127.0.0.1) is signed by a CA made the first time, `--dir`/tls/ca.pem.
#
#   scripts/mariadb.sh --dir /tmp/maria [--port 3306]
#   then: a credential {type: "mysql", host: "127.0.0.1", port: 3306, user: "root", database: "test"}
#
# Debian's `mariadb-server` package (scripts/lib/setup-mariadb.sh installs it). As root, the
# server runs as the package's `mysql` user.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

port=3306
dir=
while [ $# -gt 0 ]; do
  case "$1" in
    --port) port=$2; shift 2 ;;
    --dir) dir=$2; shift 2 ;;
    *) echo "usage: $0 --dir DIR [--port N]" >&2; exit 2 ;;
  esac
done
[ -n "$dir" ] || { echo "usage: $0 --dir DIR [--port N]" >&2; exit 2; }

server=$(command -v mariadbd || command -v mysqld || ls /usr/sbin/mariadbd 2>/dev/null || true)
install_db=$(command -v mariadb-install-db || command -v mysql_install_db || true)
[ -n "$server" ] && [ -n "$install_db" ] || {
  echo "MariaDB is not installed (scripts/lib/setup-mariadb.sh installs Debian's mariadb-server)" >&2
  exit 1
}

user=$(id -un)
[ "$(id -u)" = 0 ] && user=mysql
mkdir -p "$dir"
[ "$(id -u)" = 0 ] && chown mysql "$dir"
if [ ! -d "$dir/data/mysql" ]; then
  "$install_db" --no-defaults --user="$user" --datadir="$dir/data" --auth-root-authentication-method=normal \
    --skip-test-db >/dev/null
fi
# A CA and a certificate for 127.0.0.1 signed by it (a client checks the chain and the address).
tls="$dir/tls"
if [ ! -f "$tls/server.pem" ]; then
  "$root/scripts/lib/test-certificate.sh" "$tls"
  [ "$(id -u)" = 0 ] && chown -R mysql "$tls"
fi
# The first start makes the test database and lets root in over TCP without a password.
init="$dir/init.sql"
cat > "$init" <<'SQL'
CREATE DATABASE IF NOT EXISTS test;
CREATE USER IF NOT EXISTS 'root'@'127.0.0.1' IDENTIFIED BY '';
GRANT ALL PRIVILEGES ON *.* TO 'root'@'127.0.0.1' WITH GRANT OPTION;
FLUSH PRIVILEGES;
SQL
exec "$server" --no-defaults --user="$user" --datadir="$dir/data" --socket="$dir/mariadb.sock" \
  --pid-file="$dir/mariadb.pid" --port="$port" --bind-address=127.0.0.1 --skip-name-resolve \
  --init-file="$init" --innodb-flush-log-at-trx-commit=0 --max-connections=300 \
  --character-set-server=utf8mb4 --collation-server=utf8mb4_unicode_ci \
  --skip-log-bin --ssl-ca="$tls/ca.pem" --ssl-cert="$tls/server.pem" --ssl-key="$tls/server.key"
