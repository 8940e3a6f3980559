/** `conductor.system`: the health of where flows run, and restarting it. */
import type { ConductorConfig, HealthResult } from "../../types/execution.js";
import type { EnvironmentInfo } from "../../types/storage.js";
import type { EngineAdapter } from "../engine.js";

/** @param restart how this environment restarts where flows run (a desktop bridge), when it can. */
export function createSystemApi(
  engine: EngineAdapter,
  config: ConductorConfig,
  environment: EnvironmentInfo,
  restart: (() => Promise<void>) | undefined,
) {
  return {
    async health(): Promise<HealthResult> {
      if (typeof config.transport === "object" && config.transport?.health) return config.transport.health();
      if (engine.health) return engine.health();
      // A Node process is "local" whichever engine runs its flows.
      const local = engine.kind === "native" || environment.type === "desktop";
      return {
        status: "ok",
        timestamp: Date.now(),
        message: local ? "Local conductor operational" : "Browser conductor operational (local engine)",
      };
    },
    async restart(): Promise<void> {
      if (restart) return restart();
      if (engine.restart) return engine.restart();
      throw new Error("Restart not available in this environment");
    },
  };
}
