// Worker mode as a bundled app opts in: engineWorker, which Vite builds into a worker script.
import * as conductorModule from "@atomiton/conductor/browser";
import { engineWorker } from "@atomiton/conductor/browser/engine-worker";

window.conductorModule = conductorModule;
window.workerOption = engineWorker;
