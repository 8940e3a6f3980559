// `atomiton worker` in child processes, for the queue-mode tests (npm/test/queue*.test.mjs).
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";

const CLI = fileURLToPath(new URL("../dist/cli/main.js", import.meta.url));
const EXECUTORS = fileURLToPath(new URL("../test-support/queue-executors.mjs", import.meta.url));

/**
 * `atomiton worker` in a child process (lock 2 s, stalled check every 0.5 s, four runs at once,
 * plus `extra` arguments), killed when the test ends; `lines` is what it printed, `until` waits
 * for a line, `started(prefix)` counts the runs it started whose id begins so.
 */
export function startWorker(t, url, queue, extra = [], { executors = EXECUTORS, env } = {}) {
  const args = [
    CLI,
    "worker",
    "--redis",
    url,
    "--queue",
    queue,
    "--concurrency",
    "4",
    "--executors",
    executors,
    "--lock-duration",
    "2000",
    "--stalled-interval",
    "500",
    ...extra,
  ];
  const child = spawn(process.execPath, args, { stdio: ["ignore", "pipe", "inherit"], env: { ...process.env, ...env } });
  t.after(() => child.kill("SIGKILL"));
  const lines = [];
  const waiters = [];
  let buffered = "";
  child.stdout.on("data", (chunk) => {
    buffered += chunk;
    const parts = buffered.split("\n");
    buffered = parts.pop();
    lines.push(...parts);
    for (const waiter of [...waiters]) waiter();
  });
  const exit = new Promise((resolve) => child.once("exit", (code, signal) => resolve({ code, signal })));
  const until = (predicate, what) =>
    new Promise((resolve, reject) => {
      const check = () => {
        if (predicate(lines)) {
          waiters.splice(waiters.indexOf(check), 1);
          resolve();
        }
      };
      waiters.push(check);
      check();
      exit.then(({ code, signal }) =>
        reject(new Error(`worker exited (${code ?? signal}) before ${what}; it printed:\n${lines.join("\n")}`)),
      );
    });
  return { child, lines, exit, until, started: (prefix) => lines.filter((line) => line.startsWith(`started ${prefix}`)).length };
}
