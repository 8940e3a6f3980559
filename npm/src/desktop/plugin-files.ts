/**
 * Plugins named by path in a Node process's config: their modules read (relative to
 * `workingDirectory`), so that the engine gets their bytes wherever it runs. A file that cannot
 * be read is a `VALIDATION_FAILED` error naming the plugin.
 */
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { ConductorError, ErrorCode } from "../types/errors.js";
import type { ConductorConfig } from "../types/execution.js";

export function withPluginFiles<C extends ConductorConfig>(config: C): C {
  if (config.plugins === undefined) return config;
  const plugins = Object.fromEntries(
    Object.entries(config.plugins).map(([name, plugin]) => {
      if (typeof plugin.wasm !== "string") return [name, plugin];
      const path = resolve(config.workingDirectory ?? process.cwd(), plugin.wasm);
      try {
        return [name, { ...plugin, wasm: new Uint8Array(readFileSync(path)) }];
      } catch (error) {
        const why = (error as NodeJS.ErrnoException).code ?? String(error);
        const message = `Invalid conductor config: 'plugins.${name}.wasm': cannot read ${path} (${why})`;
        throw new ConductorError({ code: ErrorCode.VALIDATION_FAILED, message, timestamp: new Date() });
      }
    }),
  );
  return { ...config, plugins };
}
