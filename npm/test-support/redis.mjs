// A real Redis for queue-mode tests and benchmarks: scripts/redis.sh on a free loopback port,
// in a fresh directory, stopped by `stop()` (and killed with this process).
import { spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { createConnection } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { firstStarted, freePort } from "./servers.mjs";

const SCRIPT = join(dirname(fileURLToPath(import.meta.url)), "..", "..", "scripts", "redis.sh");

/** The `process_id` a Redis on `port` reports (INFO server), or undefined if nothing answers. */
function serverPid(port) {
  return new Promise((resolve) => {
    let text = "";
    const socket = createConnection({ port, host: "127.0.0.1" }, () => socket.write("INFO server\r\n"));
    socket.on("data", (data) => {
      text += data;
      const match = /process_id:(\d+)/.exec(text);
      if (match) {
        socket.destroy();
        resolve(Number(match[1]));
      }
    });
    socket.once("error", () => resolve(undefined));
    socket.once("close", () => resolve(undefined));
  });
}

/** One attempt: Redis on a free port, resolved once it is ours and answering, or an error. */
async function attempt(given, kept) {
  const port = given ?? (await freePort());
  const dir = kept ?? mkdtempSync(join(tmpdir(), "atomiton-redis-"));
  const child = spawn(SCRIPT, ["--port", String(port), "--dir", dir], { stdio: ["ignore", "pipe", "pipe"] });
  // Redis's log is kept for an error message, not printed into the test's output.
  let log = "";
  for (const stream of [child.stdout, child.stderr]) stream.on("data", (chunk) => (log = (log + chunk).slice(-4000)));
  const exited = new Promise((resolve) => child.once("exit", (code, signal) => resolve(`redis exited (${code ?? signal}): ${log}`)));
  const kill = () => child.kill("SIGKILL");
  process.once("exit", kill);
  const fail = (message) => {
    kill();
    process.off("exit", kill);
    rmSync(dir, { recursive: true, force: true });
    return new Error(message);
  };
  const deadline = Date.now() + 30_000;
  // The server on the port must be the one started here (the port was free a moment ago only).
  while ((await serverPid(port)) !== child.pid) {
    const early = await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 50))]);
    if (typeof early === "string") throw fail(`${early}: is redis-server installed? (scripts/setup.sh installs it)`);
    if (Date.now() > deadline) throw fail("redis did not answer within 30 s");
  }
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    /** The server's process id (scripts/redis.sh execs redis-server). */
    pid: child.pid,
    async stop() {
      process.off("exit", kill);
      child.kill("SIGTERM");
      await exited;
      rmSync(dir, { recursive: true, force: true });
    },
    /**
     * Stops the server (SIGTERM: it writes its append-only file out) and starts another on the
     * same port and directory, which reads it back; resolves with the new server's handle.
     * `{empty: true}`: the directory is emptied first, as a Redis without persistence comes back
     * (every job, lock and event gone).
     */
    async restart({ empty = false } = {}) {
      process.off("exit", kill);
      child.kill("SIGTERM");
      await exited;
      if (empty) {
        rmSync(dir, { recursive: true, force: true });
        mkdirSync(dir);
      }
      return attempt(port, dir);
    },
  };
}

/** Starts Redis (on `port`, else a free one); resolves once it answers (another process taking a free port first means another try). */
export function startRedis({ port } = {}) {
  return port === undefined ? firstStarted(attempt, 5) : attempt(port);
}
