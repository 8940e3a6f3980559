/** Channel clients are made once per name and reused, as the TypeScript engine's transport did. */
import type { ChannelClient } from "../types/channel-transport.js";

export function cachedChannels(make: (name: string) => ChannelClient): (name: string) => ChannelClient {
  const clients = new Map<string, ChannelClient>();
  return (name) => {
    let client = clients.get(name);
    if (!client) {
      client = make(name);
      clients.set(name, client);
    }
    return client;
  };
}
