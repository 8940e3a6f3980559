// A TCP proxy on 127.0.0.1 that a test controls: what a network cut between a worker and its
// stores does, on loopback. `cut(ms)` resets every connection through it and refuses new ones
// for `ms`; after that connections go through again. It runs in a process of its own (see
// cut-proxy-process.mjs), so it forwards whatever the test's JS thread is waiting for.
import { fork } from "node:child_process";
import { once } from "node:events";
import { fileURLToPath } from "node:url";

const PROCESS = fileURLToPath(new URL("./cut-proxy-process.mjs", import.meta.url));

/** A proxy to `targetPort`: `{port, cut(ms), close()}`. */
export async function startCutProxy(targetPort) {
  const child = fork(PROCESS, [String(targetPort)], { stdio: ["ignore", "inherit", "inherit", "ipc"] });
  const next = async (key) => {
    for (;;) {
      const [message] = await Promise.race([
        once(child, "message"),
        once(child, "exit").then(([code]) => {
          throw new Error(`the cut proxy exited (${code}) before it answered`);
        }),
      ]);
      if (message[key] !== undefined) return message[key];
    }
  };
  const port = await next("port");
  return {
    port,
    /** Resets every connection and refuses new ones for `ms` (resolves once it has). */
    cut: async (ms) => {
      child.send({ cut: ms });
      await next("cut");
    },
    close: async () => {
      if (child.exitCode !== null) return;
      const exited = once(child, "exit");
      child.send({ close: true });
      await exited;
    },
  };
}
