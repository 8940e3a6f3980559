#!/usr/bin/env bash
# Makes, once, a CA of its own and a certificate for 127.0.0.1 (and localhost) signed by it, for
# a test server's TLS: <dir>/ca.pem (what a client trusts), <dir>/server.pem and
# <dir>/server.key (what the server presents). A client then checks the chain and the address,
# as it would in production. Used by scripts/mariadb.sh and scripts/smtp-server.sh.
#
#   scripts/lib/test-certificate.sh <dir>
set -euo pipefail
tls="${1:?usage: $0 <dir>}"
[ -f "$tls/server.pem" ] && exit 0
command -v openssl >/dev/null || { echo "openssl is needed for the test server's TLS certificate" >&2; exit 1; }
mkdir -p "$tls"
openssl req -x509 -newkey rsa:2048 -nodes -keyout "$tls/ca.key" -out "$tls/ca.pem" -days 3650 \
  -subj "/CN=atomiton test CA" 2>/dev/null
openssl req -newkey rsa:2048 -nodes -keyout "$tls/server.key" -out "$tls/server.csr" \
  -subj "/CN=127.0.0.1" 2>/dev/null
printf 'subjectAltName=IP:127.0.0.1,DNS:localhost\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n' > "$tls/server.ext"
openssl x509 -req -in "$tls/server.csr" -CA "$tls/ca.pem" -CAkey "$tls/ca.key" -CAcreateserial \
  -out "$tls/server.pem" -days 3650 -extfile "$tls/server.ext" 2>/dev/null
