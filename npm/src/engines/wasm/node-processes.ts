/**
 * Child processes for the wasm engine in Node (`effects.run` in bindings-wasm/src/js.rs), with
 * `child_process.spawn`, doing what the native host does with `tokio::process`
 * (bindings-node/host/src/process): no shell, the dynamic-loader variables removed, stdin
 * written then closed, output capped per stream (and still drained), and on a timeout or a
 * cancellation the child's whole process group killed.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { stat } from "node:fs/promises";
import { isAbsolute, join } from "node:path";
import type { EffectFailure } from "./node-files.js";
import { MESSAGES } from "../../types/wire.generated.js";

/** What the engine asks to run (`ProcessSpec` in core/src/host/effects/process.rs). */
type ProcessSpec = {
  program: string;
  args: string[];
  cwd?: string | null;
  env: Array<[string, string]>;
  envRemove: string[];
  timeoutMs?: number | null;
  captureOutput: boolean;
  maxOutputBytes: number;
};

export type ProcessOutput = { exitCode: number | null; stdout: Uint8Array; stderr: Uint8Array; timedOut: boolean };

/** Removed from every child's environment whatever the spec says: they make the loader inject code. */
const ALWAYS_REMOVED = ["LD_PRELOAD", "LD_LIBRARY_PATH", "DYLD_INSERT_LIBRARIES", "DYLD_LIBRARY_PATH"];
/** How long to wait for the pipes to close after killing a child (a descendant that left the group may hold them). */
const AFTER_KILL_GRACE_MS = 500;

const other = (message: string): EffectFailure => ({ kind: "other", message });

/** A working directory that exists, checked first: spawn's ENOENT would blame the program. */
async function checkCwd(cwd: string): Promise<void> {
  try {
    if (!(await stat(cwd)).isDirectory()) throw other(`Invalid or inaccessible working directory: ${cwd} (not a directory)`);
  } catch (error) {
    if (!(error instanceof Error)) throw error;
    const code = (error as Error & { code?: string }).code;
    const kind = code === "ENOENT" ? "not-found" : code === "EACCES" ? "permission-denied" : "other";
    throw { kind, message: `Invalid or inaccessible working directory: ${cwd} (${error.message})` } satisfies EffectFailure;
  }
}

/** The child's environment: this process's, with the spec's variables set and the dangerous ones removed. */
function environment(spec: ProcessSpec): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const [name, value] of spec.env) {
    if (!name || name.includes("=") || name.includes("\0")) throw other(`Invalid environment variable name: ${JSON.stringify(name)}`);
    if (value.includes("\0")) throw other(`Invalid value for environment variable ${name}: contains a NUL character`);
    env[name] = value;
  }
  for (const name of [...spec.envRemove, ...ALWAYS_REMOVED]) delete env[name];
  return env;
}

/** The first `cap` bytes of a stream, reading (and dropping) the rest so the child never blocks. */
function collect(stream: NodeJS.ReadableStream | null, cap: number): () => Uint8Array {
  const chunks: Buffer[] = [];
  let kept = 0;
  stream?.on("data", (chunk: Buffer) => {
    const room = cap - kept;
    if (room <= 0) return;
    const part = chunk.length > room ? chunk.subarray(0, room) : chunk;
    chunks.push(part);
    kept += part.length;
  });
  return () => new Uint8Array(Buffer.concat(chunks));
}

/** SIGKILL to the child's process group (it leads one: `detached`), and to the child itself. */
function killGroup(child: ChildProcess): void {
  if (process.platform !== "win32" && child.pid !== undefined && child.pid > 1) {
    try {
      process.kill(-child.pid, "SIGKILL");
    } catch {
      // The group is gone already.
    }
  }
  child.kill("SIGKILL");
}

function spawnFailure(program: string, error: Error & { code?: string }): EffectFailure {
  if (error.code === "ENOENT") return { kind: "not-found", message: `spawn ${program} ENOENT` };
  if (error.code === "EACCES") return { kind: "permission-denied", message: `spawn ${program} EACCES` };
  return other(`spawn ${program} failed: ${error.message}`);
}

async function start(spec: ProcessSpec, stdin: Uint8Array | undefined, cancel: AbortSignal): Promise<ProcessOutput> {
  if (!spec.program) throw other(MESSAGES.NO_PROGRAM);
  if (spec.cwd) await checkCwd(spec.cwd);
  const env = environment(spec);
  if (cancel.aborted) throw { kind: "cancelled", message: `process '${spec.program}' was cancelled` } satisfies EffectFailure;
  const output = spec.captureOutput ? "pipe" : "ignore";
  const child = spawn(spec.program, spec.args, {
    cwd: spec.cwd ?? undefined,
    env,
    stdio: [stdin ? "pipe" : "ignore", output, output],
    // Its own process group, so a timeout or cancellation can end everything it started.
    detached: process.platform !== "win32",
    windowsHide: true,
  });
  const cap = Math.max(0, Math.min(spec.maxOutputBytes, Number.MAX_SAFE_INTEGER));
  const stdout = collect(child.stdout, cap);
  const stderr = collect(child.stderr, cap);
  // A child that exits without reading all of its input is a normal run.
  child.stdin?.on("error", () => {});
  child.stdin?.end(stdin ? Buffer.from(stdin.buffer, stdin.byteOffset, stdin.byteLength) : undefined);

  return new Promise<ProcessOutput>((resolvePromise, reject) => {
    let timedOut = false;
    let settled = false;
    let grace: ReturnType<typeof setTimeout> | undefined;
    const finish = (exitCode: number | null) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      clearTimeout(grace);
      cancel.removeEventListener("abort", onAbort);
      resolvePromise({ exitCode, stdout: stdout(), stderr: stderr(), timedOut });
    };
    const timer =
      spec.timeoutMs && spec.timeoutMs > 0
        ? setTimeout(() => {
            timedOut = true;
            killGroup(child);
            // Keep what the child wrote, but do not wait forever for pipes a descendant holds.
            grace = setTimeout(() => finish(child.exitCode), AFTER_KILL_GRACE_MS);
          }, spec.timeoutMs)
        : undefined;
    const onAbort = () => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      clearTimeout(grace);
      killGroup(child);
      reject({ kind: "cancelled", message: `process '${spec.program}' was cancelled` } satisfies EffectFailure);
    };
    cancel.addEventListener("abort", onAbort);
    child.on("error", (error) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      cancel.removeEventListener("abort", onAbort);
      reject(spawnFailure(spec.program, error));
    });
    // `close`: the child exited and its pipes are drained. Killed by a signal: no exit code.
    child.on("close", (code) => finish(code));
  });
}

/** Starts `specJson`'s program; `abort` kills it (the promise then rejects as cancelled). */
export function runProcess(specJson: string, stdin: Uint8Array | undefined, base: string | undefined) {
  const spec = JSON.parse(specJson) as ProcessSpec;
  // As the native host: children start in the working directory unless the spec names its own.
  if (base !== undefined) spec.cwd = spec.cwd ? (isAbsolute(spec.cwd) ? spec.cwd : join(base, spec.cwd)) : base;
  const controller = new AbortController();
  const promise = start(spec, stdin, controller.signal);
  return { promise, abort: () => controller.abort() };
}
