#!/usr/bin/env bash
# Installs, idempotently, the SMTP server the `email` node's tests send to: aiosmtpd (PyPI, the
# asyncio SMTP server maintained under the aio-libs project) into target/smtp-venv, and openssl
# for its TLS certificate. scripts/smtp-server.sh starts it on 127.0.0.1. scripts/setup.sh runs
# this too.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/setup-common.sh"

want_pkg openssl   # scripts/smtp-server.sh makes the server's certificate with it
install_wanted
pinned_venv "$root/target/smtp-venv" aiosmtpd==1.4.6
