/** The renderer-side transport shapes of the TypeScript engine's protocol. */

/** One named channel: request/response calls and pushed events. */
export type ChannelClient = {
  /** Resolves with the server's result; rejects with an `Error` carrying the server's message. */
  call(command: string, args?: unknown): Promise<unknown>;
  /** Subscribes to an event the server broadcasts on this channel; returns the unsubscribe. */
  listen(event: string, callback: (data: unknown) => void): () => void;
};

/** A connection to a desktop main process or a server, split into named channels. */
export type ChannelTransport = {
  channel(name: string): ChannelClient;
  /** Releases what the transport holds open (the WebSocket); a no-op where nothing is held. */
  close?(): void;
};

/**
 * What the main process answers a call with: `{result}` or `{error, channelError: true}`
 * (as the TypeScript engine's channel servers answer). `code` is our addition: the `ErrorCode` of the failure, when it has one.
 */
export type ChannelEnvelope = { result?: unknown; error?: unknown; channelError?: boolean; code?: string };

/** `window.atomiton.__bridge__`, exposed by the Electron preload. */
export type AtomitonBridge = {
  call(channel: string, command: string, args?: unknown): Promise<ChannelEnvelope>;
  listen(channel: string, event: string, callback: (data: unknown) => void): () => void;
  send?(channel: string, event: string, data?: unknown): void;
};

/** The `Error` a failed call rejects with: the server's message, plus what else is known. */
export type RemoteCallError = Error & {
  /** The server's `ErrorCode`, when it sent one. */
  code?: string;
  /** HTTP only: the response status. */
  status?: number;
  /** Why the server refused the credentials (`missing`, `invalid`, `expired`, `revoked`, `credentials`). */
  reason?: string;
};
