/** Building a conductor on the native engine (`createConductor` of `.` and `/desktop`). */
import { createConductorApi, type Conductor } from "../conductor/api.js";
import { NativeEngine } from "../engines/native/engine.js";
import { nodeEnvironment } from "../node-environment.js";
import type { ConductorConfig } from "../types/execution.js";
import { withEnvironmentDefaults } from "./environment-defaults.js";

/** `ConductorConfig` in a Node process. */
export type DesktopConductorConfig = ConductorConfig;

export function createNativeConductor(config: DesktopConductorConfig): Conductor {
  const settings = withEnvironmentDefaults(config);
  const local = new NativeEngine(settings);
  return createConductorApi(local, settings, {
    environment: nodeEnvironment(),
    locals: { local, create: (changed) => new NativeEngine(changed) },
  });
}
