#!/usr/bin/env bash
# An SMTP server for the `email` node's tests and for trying the node out: aiosmtpd on
# 127.0.0.1:--port with a certificate for 127.0.0.1 signed by a CA of its own (<dir>/tls/ca.pem:
# the credential's rootCertificate), STARTTLS required (or, with --tls implicit, TLS from the
# first byte) and a login required. Every message it accepts is kept whole in <dir>/mail/.
#
#   scripts/smtp-server.sh --port 2587 --dir /tmp/smtp [--tls starttls|implicit]
#   then: a credential {type: "smtp", host: "127.0.0.1", port: 2587, username: "mailer",
#         password: "smtp-test-password", rootCertificate: <the text of /tmp/smtp/tls/ca.pem>}
#
# scripts/lib/setup-smtp.sh installs aiosmtpd into target/smtp-venv.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

port=2587
dir=""
tls=starttls
while [ $# -gt 0 ]; do
  case "$1" in
    --port) port=$2; shift 2 ;;
    --dir) dir=$2; shift 2 ;;
    --tls) tls=$2; shift 2 ;;
    *) echo "usage: $0 --port N --dir D [--tls starttls|implicit]" >&2; exit 2 ;;
  esac
done
[ -n "$dir" ] || { echo "usage: $0 --port N --dir D [--tls starttls|implicit]" >&2; exit 2; }

python="$root/target/smtp-venv/bin/python"
[ -x "$python" ] || { echo "aiosmtpd is not installed (scripts/lib/setup-smtp.sh installs it)" >&2; exit 1; }
"$root/scripts/lib/test-certificate.sh" "$dir/tls"
exec "$python" "$root/scripts/lib/smtp_server.py" --port "$port" --dir "$dir" --tls "$tls"
