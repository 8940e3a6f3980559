// A TCP proxy on 127.0.0.1 that a test controls: what a network cut between a worker and its
// stores does, on loopback. `cut(ms)` resets every connection through it and refuses new ones
// for `ms`; after that connections go through again.
import { connect, createServer } from "node:net";

/** A proxy to `targetPort`: `{port, cut(ms), close()}`. */
export function startCutProxy(targetPort) {
  const open = new Set();
  let refusedUntil = 0;
  const server = createServer((client) => {
    if (Date.now() < refusedUntil) {
      client.resetAndDestroy();
      return;
    }
    const upstream = connect({ port: targetPort, host: "127.0.0.1" });
    const pair = { client, upstream };
    open.add(pair);
    const drop = () => {
      open.delete(pair);
      client.destroy();
      upstream.destroy();
    };
    client.on("error", drop).on("close", drop);
    upstream.on("error", drop).on("close", drop);
    client.pipe(upstream);
    upstream.pipe(client);
  });
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () =>
      resolve({
        port: server.address().port,
        /** Resets every connection and refuses new ones for `ms`. */
        cut(ms) {
          refusedUntil = Date.now() + ms;
          for (const { client, upstream } of [...open]) {
            client.resetAndDestroy();
            upstream.destroy();
          }
          open.clear();
        },
        close() {
          for (const { client, upstream } of open) {
            client.destroy();
            upstream.destroy();
          }
          return new Promise((done) => server.close(() => done()));
        },
      }),
    );
  });
}
