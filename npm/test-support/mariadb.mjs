// A real MariaDB for the database node's tests: scripts/mariadb.sh on a free loopback port, in a
// fresh directory; `root` without a password over TCP, the database `test`.
import { startDatabaseServer } from "./database-server.mjs";

/** Starts MariaDB; resolves once it accepts connections. */
export function startMariadb() {
  return startDatabaseServer({
    name: "MariaDB",
    script: "mariadb.sh",
    ready: "ready for connections",
    url: (port) => `mysql://root@127.0.0.1:${port}/test`,
    install: "scripts/lib/setup-mariadb.sh",
    stopSignal: "SIGTERM",
  });
}
