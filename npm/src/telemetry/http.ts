/**
 * What an `http-request` node's span says of its request, after OpenTelemetry's HTTP client
 * conventions (`http.request.method`, `url.full`, `server.address`, `server.port`), as far as JS
 * knows it: the engine's span records carry no request, so these come from the node's
 * parameters, and only where nothing at run time can change them — a top-level node with no
 * incoming edge, in a run whose input names no `url`, `method` or `params` (an input's fields
 * override the parameters). Anything else gets no request attributes rather than wrong ones.
 */
import type { NodeDefinition } from "../types/definition.js";
import type { OtelAttributes } from "./api.js";

/** The node type whose spans are `CLIENT` spans. */
export const HTTP_REQUEST = "http-request";

/** The methods OpenTelemetry names; any other is `_OTHER`. */
const KNOWN_METHODS = new Set(["CONNECT", "DELETE", "GET", "HEAD", "OPTIONS", "PATCH", "POST", "PUT", "QUERY", "TRACE"]);

/** Query parameters whose values `url.full` never shows (the conventions' list), besides the run's redacted keys. */
const SECRET_QUERY_KEYS = ["awsaccesskeyid", "signature", "sig", "x-goog-signature"];

/** What replaces credentials and secret query values in `url.full` (the conventions' marker). */
const REDACTED = "REDACTED";

/** Input fields that override the request's parameters. */
const OVERRIDING_INPUTS = ["url", "method", "params"];

type Node = NodeDefinition & { parameters?: Record<string, unknown> };

/**
 * The request attributes of node `id` (`path` when nested) of `flow` run with `input`; `undefined`
 * when they cannot be told from JS. `redactKeys` name query parameters shown as `REDACTED`.
 */
export function httpRequestAttributes(
  flow: NodeDefinition,
  id: string,
  path: string | null | undefined,
  input: unknown,
  redactKeys: string[],
): OtelAttributes | undefined {
  if (path || overrides(input)) return undefined;
  const node = topLevelNode(flow, id);
  if (!node) return undefined;
  const parameters = node.parameters ?? {};
  const attributes: OtelAttributes = {};
  const given = typeof parameters.method === "string" && parameters.method !== "" ? parameters.method.toUpperCase() : "GET";
  attributes["http.request.method"] = KNOWN_METHODS.has(given) ? given : "_OTHER";
  if (!KNOWN_METHODS.has(given)) attributes["http.request.method_original"] = given;
  const query = parameters.params;
  // `params` are appended to the URL by the engine, encoded its way: the URL sent is not this one.
  const appended = typeof query === "object" && query !== null && Object.keys(query).length > 0;
  if (typeof parameters.url === "string" && !appended) Object.assign(attributes, urlAttributes(parameters.url, redactKeys));
  return attributes;
}

/** Whether the run's input may change a node's request (an object naming `url`, `method` or `params`). */
function overrides(input: unknown): boolean {
  if (typeof input !== "object" || input === null || Array.isArray(input)) return false;
  return OVERRIDING_INPUTS.some((key) => Object.hasOwn(input, key));
}

/** Node `id` when it is the flow itself or one of its top-level nodes with no incoming edge. */
function topLevelNode(flow: NodeDefinition, id: string): Node | undefined {
  const group = flow as NodeDefinition & { nodes?: Node[]; edges?: Array<{ target?: unknown }> };
  if (!Array.isArray(group.nodes)) return flow.id === id && flow.type === HTTP_REQUEST ? (flow as Node) : undefined;
  const node = group.nodes.find((candidate) => candidate?.id === id);
  if (node?.type !== HTTP_REQUEST) return undefined;
  // An upstream node's output is this node's input, and its fields override the parameters.
  if ((group.edges ?? []).some((edge) => edge?.target === id)) return undefined;
  return node;
}

/** `url.full` without credentials or secret query values, and the server's address and port. */
function urlAttributes(text: string, redactKeys: string[]): OtelAttributes {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return {};
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") return {};
  if (url.username) url.username = REDACTED;
  if (url.password) url.password = REDACTED;
  if (url.search) {
    const secret = new Set([...SECRET_QUERY_KEYS, ...redactKeys.map((key) => key.toLowerCase())]);
    url.search = url.search
      .slice(1)
      .split("&")
      .map((pair) => {
        const at = pair.indexOf("=");
        if (at < 0) return pair;
        const key = pair.slice(0, at);
        return secret.has(safeDecode(key).toLowerCase()) ? `${key}=${REDACTED}` : pair;
      })
      .join("&");
  }
  const port = url.port ? Number(url.port) : url.protocol === "https:" ? 443 : 80;
  // An IPv6 host without its brackets, as the conventions write addresses.
  const host = url.hostname.replace(/^\[(.*)\]$/, "$1");
  return { "url.full": url.href, "server.address": host, "server.port": port };
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text.replace(/\+/g, " "));
  } catch {
    return text;
  }
}
