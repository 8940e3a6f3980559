/** The native engine: a `SessionEngine` over the napi addon's `NativeConductor`. */
import type { ConductorConfig } from "../../types/execution.js";
import { sessionConfigJson } from "../session/config.js";
import { SessionEngine } from "../session/engine.js";
import { loadAddon } from "./addon.js";

export class NativeEngine extends SessionEngine {
  constructor(config: ConductorConfig) {
    const addon = loadAddon();
    // The addon's notifier is a weak threadsafe function: it wakes the JS thread from tokio's
    // threads but never keeps Node alive, so pending runs hold the event loop themselves.
    super("native", new addon.NativeConductor(sessionConfigJson(config)), addon, { holdEventLoop: true, deferNotify: false });
  }
}
