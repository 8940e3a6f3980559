// No worker mode: the build must hold no worker script.
import * as conductorModule from "@atomiton/conductor/browser";

window.conductorModule = conductorModule;
