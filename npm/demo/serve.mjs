#!/usr/bin/env node
// A small static server for the demo page and the browser tests: serves the npm/ directory on
// 127.0.0.1 with the MIME types browsers insist on (`application/wasm` for
// WebAssembly.instantiateStreaming, `text/javascript` for ES modules), and nothing outside it.
//
//   node npm/demo/serve.mjs [port]        then open http://127.0.0.1:<port>/demo/
import { createServer } from "node:http";
import { createReadStream } from "node:fs";
import { realpath, stat } from "node:fs/promises";
import { extname, join, resolve, sep } from "node:path";
import { fileURLToPath } from "node:url";

/** The npm/ directory: what the server serves by default. */
export const packageRoot = fileURLToPath(new URL("..", import.meta.url));

const MIME_TYPES = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".mjs": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".json": "application/json; charset=utf-8",
  ".map": "application/json; charset=utf-8",
  ".wasm": "application/wasm",
  ".ts": "text/plain; charset=utf-8",
  ".md": "text/plain; charset=utf-8",
  ".yaml": "text/yaml; charset=utf-8",
  ".txt": "text/plain; charset=utf-8",
  ".png": "image/png",
  ".svg": "image/svg+xml",
  ".ico": "image/x-icon",
};

export const mimeType = (path) => MIME_TYPES[extname(path).toLowerCase()] ?? "application/octet-stream";

function send(response, status, text, headers = {}) {
  response.writeHead(status, { "Content-Type": "text/plain; charset=utf-8", "Cache-Control": "no-store", ...headers });
  response.end(text);
}

/** Whether `path` is `root` itself or lies below it. */
const inside = (root, path) => path === root || path.startsWith(root.endsWith(sep) ? root : root + sep);

/**
 * A `node:http` request handler serving the files below `root`. Refuses (403) any path that
 * resolves outside it, through `..`, an encoded separator or a symbolic link; serves
 * `index.html` for a directory; answers GET and HEAD only.
 */
export function createStaticHandler(root = packageRoot) {
  const base = resolve(root);
  const realBase = realpath(base);
  return async function handle(request, response) {
    if (request.method !== "GET" && request.method !== "HEAD") return send(response, 405, "Method not allowed", { Allow: "GET, HEAD" });
    let pathname;
    try {
      pathname = decodeURIComponent(new URL(request.url ?? "/", "http://localhost").pathname);
    } catch {
      return send(response, 400, "Bad request");
    }
    if (pathname === "/") return send(response, 302, "", { Location: "/demo/" });
    if (pathname.includes("\0") || pathname.includes("\\")) return send(response, 400, "Bad request");
    const requested = resolve(base, `.${pathname}`);
    if (!inside(base, requested)) return send(response, 403, "Forbidden");
    let file = requested;
    try {
      if ((await stat(file)).isDirectory()) {
        if (!pathname.endsWith("/")) return send(response, 301, "", { Location: `${pathname}/` });
        file = join(file, "index.html");
      }
      const real = await realpath(file);
      if (!inside(await realBase, real)) return send(response, 403, "Forbidden");
      const info = await stat(real);
      if (!info.isFile()) return send(response, 404, "Not found");
      response.writeHead(200, {
        "Content-Type": mimeType(real),
        "Content-Length": info.size,
        "Cache-Control": "no-store",
        "X-Content-Type-Options": "nosniff",
      });
      if (request.method === "HEAD") return response.end();
      createReadStream(real)
        .on("error", () => response.destroy())
        .pipe(response);
    } catch {
      send(response, 404, "Not found");
    }
  };
}

/** Serves `root` on `host:port` (default 127.0.0.1, any free port); resolves to `{url, port, close}`. */
export function serveStatic({ root = packageRoot, port = 0, host = "127.0.0.1" } = {}) {
  const server = createServer(createStaticHandler(root));
  return new Promise((resolvePromise, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => {
      server.off("error", reject);
      const actual = server.address().port;
      resolvePromise({
        port: actual,
        url: `http://${host}:${actual}`,
        close: () =>
          new Promise((done) => {
            server.close(() => done());
            server.closeAllConnections();
          }),
      });
    });
  });
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const port = Number(process.argv[2] ?? process.env.PORT ?? 8080);
  const { url } = await serveStatic({ port });
  console.log(`Serving ${packageRoot} at ${url}/`);
  console.log(`Demo page: ${url}/demo/`);
}
