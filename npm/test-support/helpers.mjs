// Shared test helpers: temporary directories, fixture loading and comparison.
import assert from "node:assert/strict";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, dirname } from "node:path";
import { fileURLToPath } from "node:url";

export const repoRoot = join(dirname(fileURLToPath(import.meta.url)), "..", "..");

/** The project's documents, as paths from the repository's root: the README, then docs/*.md. */
export function guideDocuments() {
  const pages = readdirSync(join(repoRoot, "docs")).filter((name) => name.endsWith(".md"));
  return ["README.md", ...pages.sort().map((name) => `docs/${name}`)];
}

export function tempDir(t, label = "atomiton") {
  const dir = mkdtempSync(join(tmpdir(), `${label}-`));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

export function fixtures() {
  const dir = join(repoRoot, "tests", "fixtures");
  return readdirSync(dir)
    .filter((f) => f.endsWith(".json"))
    .sort()
    .map((f) => ({ file: f, ...JSON.parse(readFileSync(join(dir, f), "utf8")) }));
}

/** The conductor object's namespaces and their methods (the TypeScript engine's, kept exactly). */
export const conductorShape = {
  node: ["run", "validate", "cancel", "pause", "resume", "step", "onPaused", "onProgress", "onComplete", "onError"],
  flow: ["listTemplates", "getTemplate", "loadFlow", "run", "onProgress", "onComplete", "onError"],
  storage: ["saveFlow", "loadFlow", "listFlows", "deleteFlow", "onFlowSaved"],
  auth: ["login", "logout", "getCurrentUser", "refreshToken", "onAuthExpired"],
  system: ["health", "restart"],
  events: ["onProgress", "onStarted", "onCompleted", "onError"],
};

/** A fixture's expectation in one environment (`"native"` or `"wasm"`): `expectByEnvironment` wins. */
export function expectationFor(fixture, environment) {
  return fixture.expectByEnvironment?.[environment] ?? fixture.expect;
}

/**
 * The fixtures' comparison (tests/fixtures/README.md): `success`, `executedNodes` and `data`
 * (without its clock keys) exactly, every key given under `error`, and a `Date` timestamp.
 */
export function assertFixtureResult(result, expect) {
  assert.equal(result.success, expect.success, JSON.stringify(result.error));
  assert.deepEqual(result.executedNodes, expect.executedNodes);
  if ("data" in expect) assert.deepEqual(stripClock(result.data), stripClock(expect.data));
  for (const [key, value] of Object.entries(expect.error ?? {})) assert.deepEqual(result.error[key], value, `error.${key}`);
  if (!result.success) assert.ok(result.error.timestamp instanceof Date);
  // Each node's state, as the run's trace tells it (a page's runner sends them as `states`).
  const states = result.states ?? statesOf(result);
  for (const [node, state] of Object.entries(expect.states ?? {})) assert.equal(states[node], state, `state of ${node}`);
}

/** `{nodeId: state}` from a result's trace. */
export function statesOf(result) {
  return Object.fromEntries((result.trace?.nodes ?? []).map((node) => [node.nodeId, node.state]));
}

/** Drops clock-dependent keys (`duration`, `timestamp`) before comparison. */
export function stripClock(value) {
  if (Array.isArray(value)) return value.map(stripClock);
  if (value && typeof value === "object") {
    return Object.fromEntries(
      Object.entries(value)
        .filter(([k]) => k !== "duration" && k !== "timestamp")
        .map(([k, v]) => [k, stripClock(v)]),
    );
  }
  return value;
}

export const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * How long a test waits for something that takes milliseconds before calling it hung. Tests
 * never judge speed: what they wait out (a node that sleeps for an hour) lasts far longer than
 * this, so only a cancel or a timeout that does not work can reach it.
 */
export const HANG_MS = 120_000;

/**
 * Waits until `check()` is truthy (polling; an async check is awaited), or fails after `ms`
 * (default: hung) — also when one check never settles.
 */
export async function until(check, ms = HANG_MS, what = "condition") {
  const deadline = Date.now() + ms;
  const timedOut = () => new Error(`timed out waiting for ${what}`);
  while (!(await within(check(), deadline - Date.now(), timedOut))) {
    if (Date.now() > deadline) throw timedOut();
    await sleep(5);
  }
}

/**
 * `value` (a promise or not), or a rejection with `failure()` once `ms` have passed without it
 * settling: a test waiting on something that never comes fails, saying what, instead of hanging.
 */
export function within(value, ms, failure) {
  if (!(value instanceof Promise)) return value;
  let timer;
  const bound = new Promise((_, reject) => {
    timer = setTimeout(() => reject(failure()), Math.max(ms, 0));
  });
  return Promise.race([value, bound]).finally(() => clearTimeout(timer));
}

/** Runs `work` with an interval timer ticking every `every` ms; the widest gap between its ticks, in ms. */
export async function probed(work, every = 10) {
  let last = performance.now();
  let widest = 0;
  const probe = setInterval(() => {
    const now = performance.now();
    widest = Math.max(widest, now - last);
    last = now;
  }, every);
  try {
    return { value: await work(), widest: () => widest };
  } finally {
    clearInterval(probe);
  }
}
