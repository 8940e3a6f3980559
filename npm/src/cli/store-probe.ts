/**
 * Whether a worker's stores answer at all, before it starts: its Redis and PostgreSQL connections
 * would wait for a server that is not there (they connect whenever it comes), so `atomiton
 * worker` first opens a plain TCP connection to each, to say what it waits for and to give up
 * after `--wait`.
 */
import { connect } from "node:net";

/** How long one probe may take. */
const PROBE_TIMEOUT_MS = 5000;

/** Host and port of a `redis://` or `postgres://` URL, or of key-value PostgreSQL settings. */
export function endpointOf(location: string, defaultPort: number): { host: string; port: number } | undefined {
  try {
    const url = new URL(location);
    return { host: url.hostname.replace(/^\[|\]$/g, "") || "localhost", port: Number(url.port) || defaultPort };
  } catch {
    const host = /(?:^|\s)host=(\S+)/.exec(location)?.[1];
    const port = /(?:^|\s)port=(\d+)/.exec(location)?.[1];
    // A Unix socket directory (host=/run/postgresql) has no TCP port to probe.
    if (host?.startsWith("/")) return undefined;
    return { host: host ?? "localhost", port: port ? Number(port) : defaultPort };
  }
}

/** Resolves once `what` at `location` accepts a TCP connection; rejects "cannot reach ..." otherwise. */
export function probe(what: string, location: string, defaultPort: number): Promise<void> {
  const endpoint = endpointOf(location, defaultPort);
  if (!endpoint) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const socket = connect(endpoint);
    const fail = (why: string) => {
      socket.destroy();
      reject(new Error(`cannot reach ${what} at ${endpoint.host}:${endpoint.port} (${why})`));
    };
    socket.setTimeout(PROBE_TIMEOUT_MS, () => fail("no answer"));
    socket.once("error", (error: NodeJS.ErrnoException) => fail(error.code ?? error.message));
    socket.once("connect", () => {
      socket.destroy();
      resolve();
    });
  });
}
