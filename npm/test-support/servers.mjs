// What the test servers started from scripts/ (Redis, PostgreSQL) share: a free loopback port,
// and a start retried when another process took the port first.
import { createServer } from "node:net";

/** A TCP port free on 127.0.0.1 when asked (another process may take it before it is used). */
export function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/** `attempt()`'s server, tried up to `tries` times; the last error when none started. */
export async function firstStarted(attempt, tries) {
  let last;
  for (let i = 0; i < tries; i++) {
    try {
      return await attempt();
    } catch (error) {
      last = error;
    }
  }
  throw last;
}
