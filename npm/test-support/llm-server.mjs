// The model server the `llm` node's tests talk to: llama-cpp-python's OpenAI-compatible server
// with SmolLM2-135M (scripts/llm-server.sh) on a free loopback port, and in front of it a proxy
// the tests read and steer: it counts the completions asked for (`calls`), keeps their bodies
// (`bodies`), and answers the next ones as told (`fail(...)`) — a status of its own with a
// `Retry-After`, or the server's answer cut after its first bytes — before it forwards again.
import { createServer, request as httpRequest } from "node:http";
import { startDatabaseServer } from "./database-server.mjs";

/** The model server alone (scripts/llm-server.sh), for `startDatabaseServer`. */
export const MODEL_SERVER = {
  name: "The model server",
  script: "llm-server.sh",
  ready: "Uvicorn running on",
  url: (port) => `http://127.0.0.1:${port}/v1`,
  install: "scripts/lib/setup-llm.sh",
  args: (port) => ["--port", String(port)],
  stopSignal: "SIGTERM",
};

/** Starts the model server and its proxy; `stop()` ends both. */
export async function startModelServer() {
  const model = await startDatabaseServer(MODEL_SERVER);
  const upstream = new URL(model.url);
  const faults = [];
  const proxy = {
    /** Completions asked for, faults answered included. */
    calls: 0,
    /** Their request bodies, parsed. */
    bodies: [],
    /**
     * The next completions are answered by these, in order: `{status, retryAfter?, body?}` (the
     * proxy answers, the server is not asked) or `{cutAfter: bytes}` (the server's answer, cut).
     */
    fail(...next) {
      faults.push(...next);
    },
  };
  const server = createServer((req, res) => {
    const chunks = [];
    req.on("data", (chunk) => chunks.push(chunk));
    req.on("end", () => {
      const body = Buffer.concat(chunks);
      // A page's CORS preflight (OPTIONS) goes through to the server, uncounted.
      const completion = req.method === "POST" && req.url.endsWith("/chat/completions");
      if (completion) {
        proxy.calls += 1;
        proxy.bodies.push(JSON.parse(body.toString("utf8")));
      }
      const fault = completion ? faults.shift() : undefined;
      if (fault?.status) {
        const headers = { "content-type": "application/json" };
        if (fault.retryAfter !== undefined) headers["retry-after"] = String(fault.retryAfter);
        res.writeHead(fault.status, headers);
        res.end(JSON.stringify(fault.body ?? { error: { message: `injected ${fault.status}` } }));
        return;
      }
      const forwarded = httpRequest(
        { host: upstream.hostname, port: upstream.port, path: req.url, method: req.method, headers: req.headers },
        (answer) => {
          res.writeHead(answer.statusCode, answer.headers);
          if (fault?.cutAfter === undefined) {
            answer.pipe(res);
            return;
          }
          let sent = 0;
          answer.on("data", (chunk) => {
            if (sent >= fault.cutAfter) return;
            const piece = chunk.subarray(0, fault.cutAfter - sent);
            sent += piece.length;
            res.write(piece);
            // The connection ends mid-answer, as a server that died would end it.
            if (sent >= fault.cutAfter) setTimeout(() => res.socket?.destroy(), 20);
          });
        },
      );
      forwarded.on("error", () => res.destroy());
      forwarded.end(body);
    });
  });
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  proxy.url = `http://127.0.0.1:${server.address().port}/v1`;
  proxy.stop = async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
    await model.stop();
  };
  return proxy;
}
