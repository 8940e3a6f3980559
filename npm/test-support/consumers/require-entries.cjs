// A CommonJS consumer, as an Electron main process written with require() is. Run by
// test/commonjs.test.mjs in a child process whose Node cannot require ES modules: it prints what
// it got as one JSON line.
const { createConductor, ErrorCode } = require("@atomiton/conductor");
const desktop = require("@atomiton/conductor/desktop");
const types = require("@atomiton/conductor/types");

let browserRequire;
try {
  require("@atomiton/conductor/browser");
  browserRequire = "loaded";
} catch (error) {
  browserRequire = error.code;
}

const conductor = createConductor({ storage: { type: "memory" } });
const flow = { id: "double", type: "transform", parameters: { operation: "map", transformFunction: "x => x * 2", data: [1, 2, 3] } };

conductor.node.run(flow).then(async (result) => {
  const { definition } = await conductor.flow.getTemplate("hello-world");
  process.stdout.write(
    `${JSON.stringify({
      resolved: {
        root: require.resolve("@atomiton/conductor"),
        desktop: require.resolve("@atomiton/conductor/desktop"),
        types: require.resolve("@atomiton/conductor/types"),
      },
      sameCreateConductor: desktop.createConductor === createConductor,
      result: result.data.result,
      template: definition.name,
      errorCodes: Object.keys(types.ErrorCode).length,
      timeout: ErrorCode.TIMEOUT,
      executionId: types.createExecutionId().startsWith("exec_"),
      browserRequire,
    })}\n`,
  );
});
