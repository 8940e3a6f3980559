/**
 * Node's `require` and this package's location, for both builds of the package. CommonJS on
 * purpose: `__dirname` and `require` exist here in the ES module build and in the CommonJS one
 * alike, where `import.meta` would be a syntax error in the latter.
 */
import fs = require("node:fs");
import path = require("node:path");

const PACKAGE_NAME = "@atomiton/conductor";

let root: string | undefined;

/** The package's root directory (where `package.json` and `native/` are), found once. */
function packageRoot(): string {
  if (root !== undefined) return root;
  for (let dir = __dirname; ; dir = path.dirname(dir)) {
    const manifest = path.join(dir, "package.json");
    // dist/cjs has its own package.json ({"type": "commonjs"}), which has no name.
    if (fs.existsSync(manifest) && readName(manifest) === PACKAGE_NAME) return (root = dir);
    if (path.dirname(dir) === dir) throw new Error(`${PACKAGE_NAME}: cannot find the package root above ${__dirname}`);
  }
}

function readName(manifest: string): unknown {
  try {
    return (JSON.parse(fs.readFileSync(manifest, "utf8")) as { name?: unknown }).name;
  } catch {
    return undefined; // an unreadable manifest is not ours
  }
}

/** Loads a file (a native addon) with Node's `require`. */
function requireFile(file: string): unknown {
  return require(file);
}

/** The path `id` resolves to from inside this package (a platform package's manifest); throws `MODULE_NOT_FOUND` when it is not installed. */
function resolve(id: string): string {
  return require.resolve(id);
}

/**
 * Loads a CommonJS file anew, as if never loaded (the wasm fallback's glue: a fresh copy is a
 * fresh WebAssembly instance, needed after a trap left the previous one unusable).
 */
function requireFresh(file: string): unknown {
  delete require.cache[require.resolve(file)];
  return require(file);
}

/** A module resolved from this package (e.g. `electron` in Electron's main process), or `undefined` when it is not there. */
function requireOptional(id: string): unknown {
  try {
    return require(id);
  } catch {
    return undefined;
  }
}

export = { packageRoot, requireFile, requireFresh, requireOptional, resolve };
