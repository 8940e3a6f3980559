// The proxy of cut-proxy.mjs, in a process of its own: a test's process may block its JS thread
// (a store opening waits there for its database), and a proxy on that thread would then stop
// forwarding the statements it waits for. Told what to do over IPC: `{cut: ms}`, `{close: true}`.
import { connect, createServer } from "node:net";

const targetPort = Number(process.argv[2]);
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

process.on("message", (message) => {
  if (message.cut !== undefined) {
    refusedUntil = Date.now() + message.cut;
    for (const { client, upstream } of [...open]) {
      client.resetAndDestroy();
      upstream.destroy();
    }
    open.clear();
    process.send({ cut: true });
  } else if (message.close) {
    for (const { client, upstream } of open) {
      client.destroy();
      upstream.destroy();
    }
    server.close(() => process.exit(0));
  }
});
// The test's process gone, so is its proxy.
process.on("disconnect", () => process.exit(0));

server.listen(0, "127.0.0.1", () => process.send({ port: server.address().port }));
