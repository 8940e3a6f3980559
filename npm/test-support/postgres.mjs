// A real PostgreSQL for the tests of a queue pool's history kept in it: scripts/postgres.sh on a
// free loopback port, in a fresh directory, stopped by `stop()` (and killed with this process).
import { spawn } from "node:child_process";
import { chmodSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { firstStarted, freePort } from "./servers.mjs";

const SCRIPT = join(dirname(fileURLToPath(import.meta.url)), "..", "..", "scripts", "postgres.sh");

/** One attempt: a server on a free port, resolved once it accepts connections, or an error. */
async function attempt(given, kept) {
  const port = given ?? (await freePort());
  const dir = kept ?? mkdtempSync(join(tmpdir(), "atomiton-postgres-"));
  // As root the server runs as `postgres`, which must reach the directory.
  chmodSync(dir, 0o777);
  const child = spawn(SCRIPT, ["--port", String(port), "--dir", dir], { stdio: ["ignore", "pipe", "pipe"] });
  let log = "";
  let ready;
  const started = new Promise((resolve) => (ready = resolve));
  for (const stream of [child.stdout, child.stderr]) {
    stream.on("data", (chunk) => {
      log = (log + chunk).slice(-4000);
      if (log.includes("ready to accept connections")) ready();
    });
  }
  const exited = new Promise((resolve) => child.once("exit", (code, signal) => resolve(`postgres exited (${code ?? signal}): ${log}`)));
  // scripts/postgres.sh execs the server: the child is the server.
  const kill = () => child.kill("SIGKILL");
  process.once("exit", kill);
  const timeout = new Promise((resolve) => setTimeout(() => resolve("postgres did not start within 60 s"), 60_000).unref());
  const outcome = await Promise.race([started.then(() => undefined), exited, timeout]);
  if (outcome !== undefined) {
    kill();
    process.off("exit", kill);
    rmSync(dir, { recursive: true, force: true });
    throw new Error(`${outcome}: is PostgreSQL installed? (scripts/lib/setup-postgres.sh installs it)`);
  }
  return {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    port,
    async stop() {
      process.off("exit", kill);
      // Fast shutdown: connections are closed, nothing is lost that was committed.
      child.kill("SIGINT");
      await exited;
      rmSync(dir, { recursive: true, force: true });
    },
    /** Stops the server (fast shutdown) and starts it again on its port with its data. */
    async restart() {
      process.off("exit", kill);
      child.kill("SIGINT");
      await exited;
      return attempt(port, dir);
    },
  };
}

/** Starts PostgreSQL; resolves once it accepts connections. */
export function startPostgres() {
  return firstStarted(attempt, 3);
}
