// After both TypeScript passes: dist/cjs is CommonJS (its own package.json says so, for Node and
// for TypeScript reading its .d.ts files), and the CLI is executable.
import { chmodSync, writeFileSync } from "node:fs";

writeFileSync("dist/cjs/package.json", `${JSON.stringify({ type: "commonjs" }, null, 2)}\n`);
chmodSync("dist/cli/main.js", 0o755);
