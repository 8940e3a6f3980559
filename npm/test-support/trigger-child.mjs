// A process that fires the active triggers of the store its conductor config (JSON, the first
// argument) names (npm/test/triggers.test.mjs):
// it prints "ready" once its timer runs, and goes on until it is stopped (SIGTERM: it shuts down,
// letting its runs report) or killed.
import { createConductor, createQueueConductor } from "@atomiton/conductor";

const [config] = process.argv.slice(2);
const settings = JSON.parse(config);
// A config naming a queue's Redis (`connection`) is a queue fleet's producer: its store is Redis.
const conductor = settings.connection ? createQueueConductor(settings) : createConductor(settings);
await conductor.triggers.start();
process.stdout.write("ready\n");
// The trigger timer never holds a process open: this one is held until it is told to stop.
const held = setInterval(() => {}, 60_000);
process.once("SIGTERM", () => {
  clearInterval(held);
  void conductor
    .shutdown()
    .then(() => conductor.close?.())
    .then(() => process.exit(0));
});
