// A real PostgreSQL for the tests (a pool's history kept in it, the database node):
// scripts/postgres.sh on a free loopback port, in a fresh directory.
import { startDatabaseServer } from "./database-server.mjs";

/** Starts PostgreSQL; resolves once it accepts connections. */
export function startPostgres() {
  return startDatabaseServer({
    name: "PostgreSQL",
    script: "postgres.sh",
    ready: "ready to accept connections",
    url: (port) => `postgres://postgres@127.0.0.1:${port}/postgres`,
    install: "scripts/lib/setup-postgres.sh",
  });
}
