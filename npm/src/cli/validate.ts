/** `atomiton validate <file>`: every issue of a flow, without running it. */
import { createConductor, type ValidationIssue } from "../desktop.js";
import { expectPositionals, parseCommandArgs } from "./args.js";
import { ExitCode } from "./exit-codes.js";
import { readFlowFile } from "./flow-file.js";
import { HELP } from "./help.js";
import { writeJson, writeOut } from "./output.js";

/** Where an issue is: the node path (`flow/group/node`) and the field, if any. */
function location(issue: ValidationIssue): string {
  const path = Array.isArray(issue.path) && issue.path.length > 0 ? issue.path.join("/") : (issue.nodeId ?? "(flow)");
  return issue.field ? `${path} (${issue.field})` : path;
}

/** One aligned line per issue: code, location, message. */
export function formatIssues(issues: ValidationIssue[]): string[] {
  const codeWidth = Math.max(...issues.map((issue) => issue.code.length));
  const whereWidth = Math.max(...issues.map((issue) => location(issue).length));
  return issues.map((issue) => `  ${issue.code.padEnd(codeWidth)}  ${location(issue).padEnd(whereWidth)}  ${issue.message}`);
}

export async function validateCommand(args: string[]): Promise<number> {
  const { values, positionals } = parseCommandArgs("validate", args, {
    json: { type: "boolean" },
    help: { type: "boolean", short: "h" },
  });
  if (values.help) {
    writeOut(HELP.validate ?? "");
    return ExitCode.OK;
  }
  const [file = ""] = expectPositionals("validate", positionals, ["file"]);
  const conductor = createConductor();
  const flow = readFlowFile(conductor, file);
  const result = await conductor.node.validate(flow);
  if (values.json) {
    writeJson(result);
  } else if (result.valid) {
    writeOut(`${file}: valid`);
  } else {
    const issues: ValidationIssue[] =
      result.issues?.length > 0 ? result.issues : result.errors.map((message) => ({ code: "VALIDATION_FAILED", message, path: [] }));
    const count = issues.length === 1 ? "1 issue" : `${issues.length} issues`;
    writeOut([`${file}: invalid, ${count}`, ...formatIssues(issues)].join("\n"));
  }
  return result.valid ? ExitCode.OK : ExitCode.FAILED;
}
