import { nodeResolve } from "@rollup/plugin-node-resolve";

const plugins = [nodeResolve()];

export default [
  { input: "main.js", output: { file: "dist/app.js" }, plugins },
  // Worker mode: the package's worker script, built as a script of its own.
  { input: "@atomiton/conductor/browser/worker", output: { file: "dist/worker.js" }, plugins },
];
