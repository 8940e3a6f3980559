/**
 * What the wasm host asks of JS (bindings-wasm/src/js.rs): the clock, randomness, timers and
 * `fetch`. Plain web APIs, so the same module runs in browsers and in Node.
 */
import { MESSAGES } from "../../types/wire.generated.js";

type FetchSpec = {
  method: string;
  url: string;
  headers: Array<[string, string]>;
  followRedirects: boolean;
  timeoutMs?: number | null;
  maxResponseBytes: number;
};

type FetchFailure = { kind: "timeout" | "network" | "too-large" | "cancelled"; message: string };

export type HostFunctions = ReturnType<typeof createHostFunctions>;

export function createHostFunctions() {
  // Node's setTimeout returns an object; the module needs a number.
  const timers = new Map<number, ReturnType<typeof setTimeout>>();
  let nextTimer = 1;
  const origin = typeof performance !== "undefined" ? performance.timeOrigin : 0;
  return {
    now: (): number => (origin ? origin + performance.now() : Date.now()),
    random: (): number => Math.random(),
    setTimer(ms: number, callback: () => void): number {
      const id = nextTimer++;
      timers.set(
        id,
        setTimeout(() => {
          timers.delete(id);
          callback();
        }, ms),
      );
      return id;
    },
    clearTimer(id: number): void {
      clearTimeout(timers.get(id));
      timers.delete(id);
    },
    fetch(specJson: string, body: Uint8Array | undefined) {
      const spec = JSON.parse(specJson) as FetchSpec;
      const controller = new AbortController();
      let timedOut = false;
      const timer = spec.timeoutMs
        ? setTimeout(() => {
            timedOut = true;
            controller.abort();
          }, spec.timeoutMs)
        : undefined;
      const promise = send(spec, body, controller.signal)
        .catch((error: unknown) => {
          if (isFailure(error)) throw error;
          if (timedOut) throw failure("timeout", `Request timed out after ${spec.timeoutMs}ms`);
          if (controller.signal.aborted) throw failure("cancelled", MESSAGES.REQUEST_CANCELLED);
          throw failure("network", error instanceof Error ? error.message : String(error));
        })
        .finally(() => clearTimeout(timer));
      return { promise, abort: () => controller.abort() };
    },
  };
}

async function send(spec: FetchSpec, body: Uint8Array | undefined, signal: AbortSignal) {
  const response = await fetch(spec.url, {
    method: spec.method,
    headers: spec.headers,
    body: body as BodyInit | undefined,
    redirect: spec.followRedirects ? "follow" : "manual",
    signal,
  });
  const declared = Number(response.headers.get("content-length") ?? NaN);
  if (declared > spec.maxResponseBytes) {
    void response.body?.cancel();
    throw failure("too-large", `Response exceeds the limit of ${spec.maxResponseBytes} bytes (the node's maxResponseBytes raises it)`);
  }
  const chunks: Uint8Array[] = [];
  let size = 0;
  const reader = response.body?.getReader();
  while (reader) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > spec.maxResponseBytes) {
      void reader.cancel();
      throw failure("too-large", `Response exceeds the limit of ${spec.maxResponseBytes} bytes (the node's maxResponseBytes raises it)`);
    }
    chunks.push(value);
  }
  const bytes = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.byteLength;
  }
  const headers: Array<[string, string]> = [];
  response.headers.forEach((value, name) => {
    headers.push([name, value]);
  });
  return { status: response.status, statusText: response.statusText, headers, url: response.url || spec.url, body: bytes };
}

function failure(kind: FetchFailure["kind"], message: string): FetchFailure {
  return { kind, message };
}

function isFailure(value: unknown): value is FetchFailure {
  return typeof value === "object" && value !== null && "kind" in value && "message" in value;
}
