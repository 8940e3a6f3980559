/** The native engine: a `SessionEngine` over the napi addon's `NativeConductor`. */
import type { ConductorConfig } from "../../types/execution.js";
import { fullCatalog } from "../session/catalog.js";
import { openSession, sessionConfigJson } from "../session/config.js";
import { SessionEngine } from "../session/engine.js";
import type { SessionHandle } from "../session/handle.js";
import { loadAddon } from "./addon.js";

export class NativeEngine extends SessionEngine {
  private readonly native: SessionHandle;

  constructor(config: ConductorConfig) {
    const addon = loadAddon();
    const native = openSession(() => new addon.NativeConductor(sessionConfigJson(config)));
    // The addon's notifier is a weak threadsafe function: it wakes the JS thread from tokio's
    // threads but never keeps Node alive, so pending runs hold the event loop themselves.
    super("native", native, fullCatalog(addon), { holdEventLoop: true, deferNotify: false });
    this.native = native;
  }

  /**
   * Lets go of the native session (`shutdown()`, once no run is pending). Its wake-up callback
   * held this engine alive from native code; with a callback that holds nothing, the session
   * and its Rust state are freed when the last JS reference goes. Unlike a wasm session it is
   * not closed: until then results can still read their traces (the CLI prints them after
   * shutting down).
   */
  override close(): void {
    this.native.setNotifier(() => {});
  }

  /**
   * Records that a run's process died: a run the history still has as `running` becomes
   * `crashed`, with `message` as its error. False when the history has no such running run, or
   * cannot be read.
   */
  async markCrashed(executionId: string, message: string): Promise<boolean> {
    try {
      return (await this.native.markCrashed?.(executionId, message)) ?? false;
    } catch {
      return false; // the store could not be read (its server is down): nothing was marked
    }
  }

  /**
   * Records that a run's worker was lost (this worker took its job over): a run the history
   * still has as `running` becomes `interrupted` when it is durable, else `crashed`. Resolves
   * with the run's status afterwards (`""`: no such run). Rejects when the store cannot be read.
   */
  async markLost(executionId: string, message: string): Promise<string> {
    return (await this.native.markLost?.(executionId, message)) ?? "";
  }
}
