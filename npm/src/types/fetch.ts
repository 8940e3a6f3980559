/** `fetch` as the HTTP transport sees it, typed structurally (the `fetch` option of remote conductors and `configureTransport`). */

/** The part of `fetch` the transport uses (the global one, or any compatible function). */
export type FetchLike = (
  url: string,
  init: { method: string; headers: Record<string, string>; body?: string },
) => Promise<{ ok: boolean; status: number; statusText: string; json(): Promise<unknown>; text?(): Promise<string> }>;
