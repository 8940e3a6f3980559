/** Waiting for the signal that stops a long-running command (`serve`, `worker`). */

/**
 * The first SIGINT or SIGTERM, listened for from this call on. Call it before printing the line
 * that tells a caller the command is ready: a caller that signals as soon as it reads that line
 * would otherwise meet Node's default handler, which ends the process without closing anything.
 */
export function stopSignal(): Promise<NodeJS.Signals> {
  return new Promise((done) => {
    process.once("SIGINT", done);
    process.once("SIGTERM", done);
  });
}
