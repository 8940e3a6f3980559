/**
 * One HTTP request to the protocol server: `POST /api/<channel>/<command>` with the args as JSON
 * body, answered with the JSON of the result or `{error, code, ...}` and a status. Everything
 * that can be refused without the body is refused before it is read — a wrong origin, path or
 * method, a declared length over the limit, missing or bad credentials — so a hostile client
 * costs no more than its headers. Nothing a client sends can make the handler throw.
 */
import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from "node:http";
import { ErrorCode } from "../types/errors.js";
import type { Connection, Gateway } from "./gateway.js";
import { mayCall } from "./caller.js";
import { retryAfterHeader } from "./errors.js";
import { originAllowed } from "./origin.js";
import { parseWire, toWire } from "../values/codec.js";

type Fields = Record<string, unknown>;

/** The request handler of `server`; failures of the handler itself answer 500 and are logged. */
export function httpHandler(
  gateway: Gateway,
  allowedOrigins: readonly string[],
): (request: IncomingMessage, response: ServerResponse) => void {
  return (request, response) => {
    serve(gateway, allowedOrigins, request, response).catch((error: unknown) => {
      console.error("[@atomiton/conductor] protocol server request failed:", error);
      if (!response.headersSent) sendJson(response, 500, { error: "Internal server error", code: ErrorCode.INTERNAL_ERROR });
      else response.destroy();
    });
  };
}

async function serve(
  gateway: Gateway,
  allowedOrigins: readonly string[],
  request: IncomingMessage,
  response: ServerResponse,
): Promise<void> {
  const origin = request.headers.origin;
  if (!originAllowed(origin, allowedOrigins)) return refuse(response, 403, `Origin not allowed: ${origin}`, ErrorCode.PERMISSION_DENIED);
  if (origin !== undefined) {
    response.setHeader("Access-Control-Allow-Origin", origin);
    response.setHeader("Vary", "Origin");
  }
  if (request.method === "OPTIONS") {
    response.writeHead(204, {
      "Access-Control-Allow-Methods": "POST",
      "Access-Control-Allow-Headers": "Content-Type, Authorization",
      "Access-Control-Max-Age": "600",
    });
    response.end();
    return;
  }
  const resumeUrl = resumeUrlOf(request.url);
  if (resumeUrl) return redeem(gateway, resumeUrl, request, response);
  const hook = hookOf(request.url);
  if (hook) return deliverHook(gateway, hook, request, response);
  const route = routeOf(request.url);
  if (route === "malformed") return refuse(response, 400, "Malformed request path", ErrorCode.VALIDATION_FAILED);
  if (!route || !gateway.knows(route.channel, route.command)) {
    return refuse(response, 404, route ? `No handler for method: ${route.command}` : "Not found", ErrorCode.IMPLEMENTATION_NOT_FOUND);
  }
  if (request.method !== "POST")
    return refuse(response, 405, "Method not allowed: use POST", ErrorCode.VALIDATION_FAILED, { Allow: "POST" });
  const limit = gateway.limits.maxBodyBytes;
  const declared = Number(request.headers["content-length"]);
  if (declared > limit)
    return refuse(response, 413, `Request body larger than ${limit} bytes`, ErrorCode.MEMORY_LIMIT_EXCEEDED, { Connection: "close" });
  const token = bearerOf(request.headers.authorization);
  const identity = gateway.identify(token);
  const connection: Connection =
    "caller" in identity
      ? { token, address: request.socket.remoteAddress ?? "", caller: identity.caller }
      : { token, address: request.socket.remoteAddress ?? "", caller: undefined, failure: identity.failure };
  if (!connection.caller && route.channel !== "auth") {
    const answer = await gateway.call(connection, route.channel, route.command, undefined, 0);
    return sendAnswer(response, answer, { Connection: "close" });
  }
  const body = await readBody(request, limit);
  if (body === "aborted") return;
  if (body === "too-large")
    return refuse(response, 413, `Request body larger than ${limit} bytes`, ErrorCode.MEMORY_LIMIT_EXCEEDED, { Connection: "close" });
  let args: unknown;
  try {
    // Values JSON cannot say arrive as the codec's tags (values/codec.ts).
    args = body.length === 0 ? undefined : parseWire(body.toString("utf8"));
  } catch {
    return refuse(response, 400, "Invalid JSON body", ErrorCode.DESERIALIZATION_FAILED);
  }
  if (route.channel === "node" && route.command === "execute") args = withTraceHeaders(args, request.headers);
  sendAnswer(response, await gateway.call(connection, route.channel, route.command, args, body.length));
}

/**
 * A run request's W3C `traceparent`/`tracestate` headers as its context's `telemetry` (the run's
 * span continues the caller's trace), unless the body names a span itself. The values are only
 * ever parsed as trace context (see `telemetry/trace-context.ts`), never trusted further.
 */
function withTraceHeaders(args: unknown, headers: IncomingHttpHeaders): unknown {
  const traceparent = headers.traceparent;
  if (typeof traceparent !== "string" || args === null || typeof args !== "object") return args;
  const body = args as { context?: unknown };
  const context = body.context !== null && typeof body.context === "object" ? (body.context as Record<string, unknown>) : {};
  if (context.telemetry !== undefined) return args;
  const tracestate = typeof headers.tracestate === "string" ? headers.tracestate : undefined;
  return { ...body, context: { ...context, telemetry: { traceparent, ...(tracestate ? { tracestate } : {}) } } };
}

/** The run and token of a resume URL's path, `/waits/<executionId>/<token>`. */
function resumeUrlOf(url: string | undefined): { executionId: string; token: string } | undefined {
  try {
    const match = /^\/waits\/([^/]+)\/([A-Za-z0-9_-]+)$/.exec(new URL(url ?? "/", "http://localhost").pathname);
    return match ? { executionId: decodeURIComponent(match[1]!), token: match[2]! } : undefined;
  } catch {
    return undefined;
  }
}

/**
 * A call of a parked run's resume URL: no credentials (the token is the credential), a JSON body
 * (a signal's payload, an approval's decision; none is `null`), answered `202` once the run is
 * woken (it goes on in the background) or refused.
 */
async function redeem(
  gateway: Gateway,
  { executionId, token }: { executionId: string; token: string },
  request: IncomingMessage,
  response: ServerResponse,
): Promise<void> {
  if (request.method !== "POST")
    return refuse(response, 405, "Method not allowed: use POST", ErrorCode.VALIDATION_FAILED, { Allow: "POST" });
  const limit = gateway.limits.maxMessageBytes;
  const body = await readBody(request, limit);
  if (body === "aborted") return;
  if (body === "too-large")
    return refuse(response, 413, `Request body larger than ${limit} bytes`, ErrorCode.MEMORY_LIMIT_EXCEEDED, { Connection: "close" });
  let payload: unknown = null;
  try {
    if (body.length > 0) payload = JSON.parse(body.toString("utf8"));
  } catch {
    return refuse(response, 400, "Invalid JSON body", ErrorCode.DESERIALIZATION_FAILED);
  }
  const answer = await gateway.handlers.redeem(executionId, token, payload);
  sendJson(response, answer.status, answer.body);
}

/** What follows `/hooks/` in a request's path, decoded, and its query string. */
function hookOf(url: string | undefined): { path: string; query: string } | undefined {
  try {
    const parsed = new URL(url ?? "/", "http://localhost");
    const match = /^\/hooks\/(.+)$/.exec(parsed.pathname);
    return match ? { path: decodeURIComponent(match[1]!), query: parsed.search.replace(/^\?/, "") } : undefined;
  } catch {
    return undefined;
  }
}

/**
 * A request to a webhook (see `webhooks.ts`): the engine decides, the answer is its status and
 * JSON. The hook's own authentication is the engine's; `auth: "server"` hooks take the server's
 * (a bearer token or API key whose grant may run flows).
 */
async function deliverHook(
  gateway: Gateway,
  { path, query }: { path: string; query: string },
  request: IncomingMessage,
  response: ServerResponse,
): Promise<void> {
  const answer = await gateway.handlers.webhook({
    path,
    query,
    request,
    readBody: (limit) => readBody(request, limit),
    authenticated: () => {
      const identity = gateway.identify(bearerOf(request.headers.authorization));
      return "caller" in identity && mayCall(identity.caller.grant, "node", "execute");
    },
  });
  if (answer === "aborted") return;
  sendJson(response, answer.status, answer.body, answer.headers ?? {});
}

/** `channel` and `command` of an `/api/<channel>/<command>` path; `"malformed"` when it cannot be decoded. */
function routeOf(url: string | undefined): { channel: string; command: string } | "malformed" | undefined {
  try {
    const match = /^\/api\/([^/]+)\/([^/]+)$/.exec(new URL(url ?? "/", "http://localhost").pathname);
    return match ? { channel: decodeURIComponent(match[1]!), command: decodeURIComponent(match[2]!) } : undefined;
  } catch {
    return "malformed";
  }
}

/** The token of an `Authorization: Bearer <token>` header. */
export function bearerOf(header: string | undefined): string | undefined {
  const match = typeof header === "string" ? /^\s*Bearer\s+(\S+)\s*$/i.exec(header) : null;
  return match?.[1];
}

/**
 * The body, `"too-large"` past `limit` bytes (the rest is then discarded as it arrives, up to
 * another `limit`, so the 413 can be read; beyond that the connection is dropped), or
 * `"aborted"` when the client went away.
 */
function readBody(request: IncomingMessage, limit: number): Promise<Buffer | "too-large" | "aborted"> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let discarded = 0;
    const onData = (chunk: Buffer) => {
      if (size <= limit) {
        size += chunk.length;
        if (size <= limit) chunks.push(chunk);
        else {
          chunks.length = 0;
          resolve("too-large");
        }
      } else if ((discarded += chunk.length) > limit) {
        request.socket.destroy();
      }
    };
    request.on("data", onData);
    request.once("end", () => resolve(size > limit ? "too-large" : Buffer.concat(chunks)));
    request.once("aborted", () => resolve("aborted"));
    request.once("error", () => resolve("aborted"));
    request.once("close", () => resolve(request.readableEnded ? (size > limit ? "too-large" : Buffer.concat(chunks)) : "aborted"));
  });
}

function sendAnswer(response: ServerResponse, answer: Awaited<ReturnType<Gateway["call"]>>, headers: Record<string, string> = {}): void {
  if (answer.ok) {
    sendJson(response, 200, toWire(answer.result ?? null), headers);
    return;
  }
  const { ok: _ok, status, ...body } = answer;
  const extra: Record<string, string> = { ...headers };
  if (status === 401) extra["WWW-Authenticate"] = body.reason && body.reason !== "missing" ? 'Bearer error="invalid_token"' : "Bearer";
  if (status === 429 && body.retryAfterMs !== undefined) extra["Retry-After"] = retryAfterHeader(body.retryAfterMs);
  sendJson(response, status, withoutUndefined(body), extra);
}

function refuse(response: ServerResponse, status: number, error: string, code: ErrorCode, headers: Record<string, string> = {}): void {
  sendJson(response, status, { error, code }, headers);
}

function sendJson(response: ServerResponse, status: number, value: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(value);
  response.writeHead(status, { ...headers, "Content-Type": "application/json", "Content-Length": Buffer.byteLength(text) });
  response.end(text);
}

function withoutUndefined(fields: Fields): Fields {
  return Object.fromEntries(Object.entries(fields).filter(([, value]) => value !== undefined));
}
