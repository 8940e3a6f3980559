// An Electron main written with require(): the CommonJS declarations of the same entries.
import factories = require("@atomiton/conductor/test-utils/factories");
import root = require("@atomiton/conductor");

const graph: import("@atomiton/conductor/desktop").ExecutionGraphState = factories.createSimpleTwoNodeGraph();
const manager = new root.StateManager();
manager.initializeExecution("e", graph.criticalPath[0] ?? "none");
export const status: string | undefined = manager.getExecutionState("e")?.status;
