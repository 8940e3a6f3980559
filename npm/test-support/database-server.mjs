// A real server for the tests: a script of scripts/ (postgres.sh, mariadb.sh, llm-server.sh) on a
// free loopback port, in a fresh directory, resolved once it prints that it is ready, stopped by
// `stop()` (and killed with this process), restartable on its port with its data.
import { spawn } from "node:child_process";
import { chmodSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { firstStarted, freePort } from "./servers.mjs";

const SCRIPTS = join(dirname(fileURLToPath(import.meta.url)), "..", "..", "scripts");

/**
 * `server`: `{name, script, ready, url(port), install, args?}` — what it is called, the script
 * (which execs the server: the child is the server), what it prints once it takes connections,
 * the URL a client uses, which setup script installs it, and the script's arguments for a port
 * and a directory (default `--port P --dir D`).
 */
async function attempt(server, given, kept) {
  const port = given ?? (await freePort());
  const dir = kept ?? mkdtempSync(join(tmpdir(), `atomiton-${server.name.toLowerCase()}-`));
  // As root the server runs as its package's user, which must reach the directory.
  chmodSync(dir, 0o777);
  const args = server.args ? server.args(port, dir) : ["--port", String(port), "--dir", dir];
  const child = spawn(join(SCRIPTS, server.script), args, { stdio: ["ignore", "pipe", "pipe"] });
  let log = "";
  let ready;
  const started = new Promise((resolve) => (ready = resolve));
  for (const stream of [child.stdout, child.stderr]) {
    stream.on("data", (chunk) => {
      log = (log + chunk).slice(-4000);
      if (log.includes(server.ready)) ready();
    });
  }
  const exited = new Promise((resolve) =>
    child.once("exit", (code, signal) => resolve(`${server.name} exited (${code ?? signal}): ${log}`)),
  );
  const kill = () => child.kill("SIGKILL");
  process.once("exit", kill);
  const timeout = new Promise((resolve) => setTimeout(() => resolve(`${server.name} did not start within 60 s`), 60_000).unref());
  const outcome = await Promise.race([started.then(() => undefined), exited, timeout]);
  if (outcome !== undefined) {
    kill();
    process.off("exit", kill);
    rmSync(dir, { recursive: true, force: true });
    throw new Error(`${outcome}: is ${server.name} installed? (${server.install} installs it)`);
  }
  const stopped = async () => {
    process.off("exit", kill);
    // A fast, clean shutdown: connections are closed, nothing committed is lost.
    child.kill(server.stopSignal ?? "SIGINT");
    await exited;
  };
  return {
    url: server.url(port),
    port,
    /** Where the server keeps its data (and MariaDB its TLS files, `tls/ca.pem`). */
    dir,
    async stop() {
      await stopped();
      rmSync(dir, { recursive: true, force: true });
    },
    /** Stops the server and starts it again on its port with its data. */
    async restart() {
      await stopped();
      return attempt(server, port, dir);
    },
  };
}

/** Starts `server` (see `attempt`); resolves once it accepts connections. */
export function startDatabaseServer(server) {
  return firstStarted((port, dir) => attempt(server, port, dir), 3);
}
