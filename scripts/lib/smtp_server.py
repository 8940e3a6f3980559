"""The SMTP server scripts/smtp-server.sh runs: aiosmtpd on 127.0.0.1, with TLS (STARTTLS
required, or implicit TLS) and a login required, keeping each message it accepts whole.

Each accepted message is written to <dir>/mail/NNNN.eml (its bytes as received), then
<dir>/mail/NNNN.json (the envelope: mailFrom, rcptTos, and the login used), so a reader that
finds the JSON finds the message whole.
"""

import argparse
import asyncio
import json
import os
import signal
import ssl

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword


class Keeper:
    def __init__(self, directory):
        self.directory = directory
        self.count = 0
        os.makedirs(directory, exist_ok=True)

    async def handle_DATA(self, server, session, envelope):
        self.count += 1
        base = os.path.join(self.directory, f"{self.count:04d}")
        write(base + ".eml", envelope.original_content)
        record = {
            "mailFrom": envelope.mail_from,
            "rcptTos": envelope.rcpt_tos,
            "authenticated": bool(session.authenticated),
        }
        write(base + ".json", json.dumps(record).encode())
        return "250 Message accepted for delivery"


def write(path, data):
    with open(path + ".tmp", "wb") as file:
        file.write(data)
    os.replace(path + ".tmp", path)


def authenticator(user, password):
    def check(server, session, envelope, mechanism, auth_data):
        ok = (
            isinstance(auth_data, LoginPassword)
            and auth_data.login == user.encode()
            and auth_data.password == password.encode()
        )
        return AuthResult(success=ok, handled=False)

    return check


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--dir", required=True)
    parser.add_argument("--tls", choices=["starttls", "implicit"], default="starttls")
    parser.add_argument("--user", default="mailer")
    parser.add_argument("--password", default="smtp-test-password")
    args = parser.parse_args()
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(
        os.path.join(args.dir, "tls", "server.pem"), os.path.join(args.dir, "tls", "server.key")
    )
    common = dict(
        hostname="127.0.0.1",
        port=args.port,
        authenticator=authenticator(args.user, args.password),
        auth_required=True,
    )
    handler = Keeper(os.path.join(args.dir, "mail"))
    if args.tls == "starttls":
        controller = Controller(handler, tls_context=context, require_starttls=True, **common)
    else:
        # Implicit TLS: the connection is encrypted from the first byte, so a login needs no
        # STARTTLS first (aiosmtpd's check looks for STARTTLS only).
        controller = Controller(handler, ssl_context=context, auth_require_tls=False, **common)
    controller.start()
    print(f"SMTP server ({args.tls}) ready on 127.0.0.1:{args.port}", flush=True)
    loop = asyncio.new_event_loop()
    stop = loop.create_future()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, lambda: stop.done() or stop.set_result(None))
    loop.run_until_complete(stop)
    controller.stop()


if __name__ == "__main__":
    main()
