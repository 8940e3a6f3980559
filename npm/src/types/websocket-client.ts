/**
 * The part of the WebSocket API the WebSocket transport uses, typed structurally: the browser's,
 * or the `ws` package's in Node (`WebSocket` option), with no WebSocket dependency.
 */

/** The part of the WebSocket API the transport uses (the browser's, or the `ws` package's). */
export type WebSocketLike = {
  readonly readyState: number;
  send(data: string): void;
  close(): void;
  addEventListener(type: "message", listener: (event: { data: unknown }) => void): void;
  addEventListener(type: "open" | "close" | "error", listener: () => void): void;
};
export type WebSocketConstructor = new (url: string) => WebSocketLike;
