// Worker mode: the package's worker script is the build's second entry (dist/worker.js).
import * as conductorModule from "@atomiton/conductor/browser";

window.conductorModule = conductorModule;
window.workerOption = { url: new URL("./worker.js", import.meta.url) };
