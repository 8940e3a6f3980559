/** `atomiton run <file>`: run a flow file. */
import { basename } from "node:path";
import { createConductor } from "../desktop.js";
import { expectPositionals, parseCommandArgs, RUN_OPTIONS } from "./args.js";
import { ExitCode } from "./exit-codes.js";
import { readFlowFile } from "./flow-file.js";
import { HELP } from "./help.js";
import { writeOut } from "./output.js";
import { runFlow, runSettings } from "./run-flow.js";

export async function runCommand(args: string[]): Promise<number> {
  const { values, positionals } = parseCommandArgs("run", args, RUN_OPTIONS);
  if (values.help) {
    writeOut(HELP.run ?? "");
    return ExitCode.OK;
  }
  const [file = ""] = expectPositionals("run", positionals, ["file"]);
  const settings = runSettings("run", values);
  const flow = readFlowFile(createConductor(), file);
  const title = typeof flow.name === "string" && flow.name !== "" ? flow.name : basename(file);
  return runFlow(flow, title, settings);
}
