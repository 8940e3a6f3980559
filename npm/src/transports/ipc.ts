/** The IPC transport: calls through the Electron preload bridge. */
import { cachedChannels } from "./channels.js";
import { remoteError } from "./errors.js";
import type { AtomitonBridge, ChannelTransport } from "../types/channel-transport.js";

export function createIpcTransport(bridge: AtomitonBridge): ChannelTransport {
  return {
    channel: cachedChannels((channel) => ({
      async call(command, args) {
        const envelope = await bridge.call(channel, command, args);
        if (envelope?.error !== undefined && envelope.error !== null) throw remoteError(envelope.error, envelope.code);
        return envelope?.result;
      },
      listen: (event, callback) => bridge.listen(channel, event, callback),
    })),
  };
}
