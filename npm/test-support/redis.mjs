// A real Redis for queue-mode tests and benchmarks: scripts/redis.sh on a free loopback port,
// in a fresh directory, stopped by `stop()` (and killed with this process).
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { createConnection, createServer } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const SCRIPT = join(dirname(fileURLToPath(import.meta.url)), "..", "..", "scripts", "redis.sh");

function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

function ping(port) {
  return new Promise((resolve) => {
    const socket = createConnection({ port, host: "127.0.0.1" }, () => socket.write("PING\r\n"));
    socket.once("data", (data) => {
      socket.destroy();
      resolve(data.toString().startsWith("+PONG"));
    });
    socket.once("error", () => resolve(false));
  });
}

/** Starts Redis; resolves once it answers PING (rejects if it exits or does not answer in 30 s). */
export async function startRedis() {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), "atomiton-redis-"));
  const child = spawn(SCRIPT, ["--port", String(port), "--dir", dir], { stdio: ["ignore", "pipe", "pipe"] });
  // Redis's log is kept for an error message, not printed into the test's output.
  let log = "";
  for (const stream of [child.stdout, child.stderr]) stream.on("data", (chunk) => (log = (log + chunk).slice(-4000)));
  const exited = new Promise((resolve) => child.once("exit", (code, signal) => resolve(`redis exited (${code ?? signal}): ${log}`)));
  const kill = () => child.kill("SIGKILL");
  process.once("exit", kill);
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (await ping(port)) break;
    const early = await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 50))]);
    if (typeof early === "string") throw new Error(`${early}: is redis-server installed? (scripts/setup.sh installs it)`);
    if (Date.now() > deadline) {
      kill();
      throw new Error("redis did not answer PING within 30 s");
    }
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
  };
}
