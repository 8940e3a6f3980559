/** The platform's native addon, for the native engine (found by `loader.ts`). */
import { loadNative, type NativeAddon } from "./loader.js";
import { NativeEngineUnavailableError } from "./unavailable.js";

export type { NativeAddon, WorkerPoolStats } from "./loader.js";

/** The addon, loaded once. Throws `NativeEngineUnavailableError` when no binary fits this platform. */
export function loadAddon(): NativeAddon {
  const native = loadNative();
  if (!native.ok) throw new NativeEngineUnavailableError(native.host, native.attempts);
  return native.addon;
}
