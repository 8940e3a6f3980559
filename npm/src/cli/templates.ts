/** `atomiton templates` (list the bundled flows) and `atomiton templates run <template>`. */
import { createConductor, type Conductor, type FlowTemplateInfo } from "../desktop.js";
import { expectPositionals, parseCommandArgs, RUN_OPTIONS } from "./args.js";
import { ExitCode, UsageError } from "./exit-codes.js";
import { HELP } from "./help.js";
import { table, writeJson, writeOut } from "./output.js";
import { runFlow, runSettings } from "./run-flow.js";

/**
 * The template `query` names: an exact id or slug first, then templates whose id, slug or name
 * contains it (case-insensitive). No match or several matches are usage errors listing the
 * candidates.
 */
export function findTemplate(templates: FlowTemplateInfo[], query: string): FlowTemplateInfo {
  const exact = templates.find((template) => template.id === query || template.slug === query);
  if (exact) return exact;
  const needle = query.toLowerCase();
  const names = (template: FlowTemplateInfo) => [template.id, template.slug ?? "", template.name];
  const matches = templates.filter((template) => names(template).some((name) => name.toLowerCase().includes(needle)));
  const [only] = matches;
  if (matches.length === 1 && only) return only;
  const listing = (list: FlowTemplateInfo[]) => {
    const label = (template: FlowTemplateInfo) => template.slug ?? template.id;
    const width = Math.max(...list.map((template) => label(template).length));
    return list.map((template) => `  ${label(template).padEnd(width)}  ${template.name}`).join("\n");
  };
  if (matches.length === 0) {
    throw new UsageError(`no template matches '${query}'; the templates are:\n${listing(templates)}`);
  }
  throw new UsageError(`'${query}' matches ${matches.length} templates; be more specific:\n${listing(matches)}`);
}

async function listTemplates(conductor: Conductor, json: boolean): Promise<number> {
  const { templates } = await conductor.flow.listTemplates();
  if (json) {
    writeJson(templates);
    return ExitCode.OK;
  }
  const rows = [
    ["SLUG", "ID", "NAME", "NODES", "DESCRIPTION"],
    ...templates.map((t) => [t.slug ?? "", t.id, t.name, String(t.nodeCount), t.description ?? ""]),
  ];
  writeOut(`${table(rows)}\n\nRun one with: atomiton templates run <slug, id or part of its name>`);
  return ExitCode.OK;
}

export async function templatesCommand(args: string[]): Promise<number> {
  if (args[0] === "run") {
    const { values, positionals } = parseCommandArgs("templates", args.slice(1), RUN_OPTIONS);
    if (values.help) {
      writeOut(HELP.templates ?? "");
      return ExitCode.OK;
    }
    const [query = ""] = expectPositionals("templates", positionals, ["template"]);
    const settings = runSettings("templates", values);
    const catalog = createConductor();
    const { templates } = await catalog.flow.listTemplates();
    const template = findTemplate(templates, query);
    const { definition } = await catalog.flow.getTemplate(template.id);
    return runFlow(definition, template.name, settings);
  }
  const { values, positionals } = parseCommandArgs("templates", args, {
    json: { type: "boolean" },
    help: { type: "boolean", short: "h" },
  });
  if (values.help) {
    writeOut(HELP.templates ?? "");
    return ExitCode.OK;
  }
  if (positionals.length > 0) {
    throw new UsageError(`unknown templates subcommand '${positionals[0]}' (did you mean 'templates run ${positionals[0]}'?)`, "templates");
  }
  return listTemplates(createConductor(), values.json === true);
}
