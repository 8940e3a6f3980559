// The wasm glue's types are kept by hand in npm/src/engines/wasm/ (the TypeScript builds before
// the wasm does). This checks them against the types wasm-bindgen wrote for the modules
// scripts/build-wasm.sh built: the same class methods and module functions, each with the same
// number of parameters, so a binding change the kept types miss fails here.
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const npmDir = join(dirname(fileURLToPath(import.meta.url)), "..");
const tsc = join(npmDir, "node_modules", "typescript", "bin", "tsc");

/** Type-level assertions that the kept declarations `kept` match the generated `built`. */
function checkSource(kept, built) {
  return `import type * as Kept from ${JSON.stringify(kept)};
import type * as Built from ${JSON.stringify(built)};

type Fns<T> = { [K in keyof T as K extends string ? (T[K] extends (...args: any[]) => any ? K : never) : never]: T[K] };
type Arity<F> = F extends (...args: infer P) => any ? Required<P>["length"] : never;
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
type ArityDiffers<A, B> = { [K in keyof A & keyof B]: Same<Arity<A[K]>, Arity<B[K]>> extends true ? never : K }[keyof A & keyof B];
type None<T> = [T] extends [never] ? true : T;

// Optional members of the kept class (history calls) may be absent from a module built without them.
type KeptAll = Fns<Required<Kept.WasmConductor>>;
type KeptRequired = Fns<Kept.WasmConductor>;
type BuiltMethods = Fns<Built.WasmConductor>;
export const methodsNotKept: None<Exclude<keyof BuiltMethods, keyof KeptAll>> = true;
export const methodsNotBuilt: None<Exclude<keyof KeptRequired, keyof BuiltMethods>> = true;
export const methodArity: None<ArityDiffers<KeptAll, BuiltMethods>> = true;
export const constructorArity: Same<Required<ConstructorParameters<typeof Kept.WasmConductor>>["length"], Required<ConstructorParameters<typeof Built.WasmConductor>>["length"]> = true;

type Module<T> = Omit<Fns<T>, "default" | "initSync">;
export const functionsNotKept: None<Exclude<keyof Module<typeof Built>, keyof Module<typeof Kept>>> = true;
export const functionsNotBuilt: None<Exclude<keyof Module<typeof Kept>, keyof Module<typeof Built>>> = true;
export const functionArity: None<ArityDiffers<Module<typeof Kept>, Module<typeof Built>>> = true;
`;
}

function typeCheck(source) {
  const dir = mkdtempSync(join(tmpdir(), "wasm-glue-types-"));
  try {
    const file = join(dir, "check.ts");
    writeFileSync(file, source);
    const config = join(dir, "tsconfig.json");
    const compilerOptions = {
      noEmit: true,
      strict: true,
      skipLibCheck: true,
      target: "es2022",
      lib: ["es2022", "dom", "esnext.disposable"],
      module: "nodenext",
      moduleResolution: "nodenext",
      // The session's answers are typed with the package's public types, and those name
      // Node's for the server options (as every entry's types do).
      types: ["node"],
      typeRoots: [join(npmDir, "node_modules", "@types")],
    };
    writeFileSync(config, JSON.stringify({ compilerOptions, files: [file] }));
    execFileSync(process.execPath, [tsc, "-p", config], { cwd: npmDir, encoding: "utf8", stdio: "pipe" });
    return "";
  } catch (error) {
    return `${error.stdout ?? ""}${error.stderr ?? ""}` || String(error);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const modules = [
  { name: "browser module", kept: "src/engines/wasm/atomiton_conductor_wasm.js", built: "wasm/atomiton_conductor_wasm.generated.js" },
  {
    name: "module with history",
    kept: "src/engines/wasm-history/atomiton_conductor_wasm.js",
    built: "wasm-history/atomiton_conductor_wasm.generated.js",
  },
];

for (const { name, kept, built } of modules) {
  test(`the kept glue types match what wasm-bindgen generated for the ${name}`, () => {
    const builtFile = join(npmDir, built.replace(/\.js$/, ".d.ts"));
    assert.ok(existsSync(builtFile), `${builtFile} is missing: build the wasm modules first (scripts/build-wasm.sh)`);
    const errors = typeCheck(checkSource(join(npmDir, kept), join(npmDir, built)));
    assert.equal(errors, "", `the kept types in ${kept} differ from the generated ones:\n${errors}`);
  });
}

test("the check fails on glue types that differ", () => {
  // A kept declaration missing a method and with a wrong arity must be caught.
  const dir = mkdtempSync(join(tmpdir(), "wasm-glue-kept-"));
  try {
    const fake = join(dir, "kept.d.ts");
    writeFileSync(
      fake,
      `export declare class WasmConductor { constructor(a: string, b: unknown, c?: unknown, d?: unknown); drive(extra: number): number; free(): void; }\nexport declare function engineVersion(): string;\n`,
    );
    const errors = typeCheck(checkSource(join(dir, "kept.js"), join(npmDir, "wasm/atomiton_conductor_wasm.generated.js")));
    // Methods the fake leaves out, the method whose arity differs, functions it leaves out.
    assert.match(errors, /"cancel" \| "controlRun" \| "deleteFlow"/);
    assert.match(errors, /type '"drive"'/);
    assert.match(errors, /"flowToYaml" \| "parseFlow"/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
