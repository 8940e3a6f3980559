/** Help texts. */

const RUN_OPTIONS_HELP = `Options:
  -i, --input <json>      input of the run, as JSON text, or @file.json
      --slow-mo <ms>      pace every node by <ms> (to watch a run; 0 = none)
      --timeout <ms>      fail the run with TIMEOUT after <ms>
      --concurrency <n>   most nodes running at once (1 = strict sequential order)
      --cwd <dir>         directory that relative paths in the flow resolve against
                          (default: the current directory)
  -q, --quiet             no progress display
      --json              progress on stderr as JSON lines instead of text
      --trace             include the execution trace in the result
  -h, --help              this help`;

const RESULT_HELP = `Progress goes to stderr: a live display on a terminal, plain lines otherwise.
The result ({success, data, error, duration, executedNodes, ...}) is printed to
stdout as JSON. Ctrl-C cancels the run and prints the CANCELLED result.

Exit codes: 0 success, 1 the run failed, 2 usage error or unreadable flow file,
130 cancelled by Ctrl-C (143 by SIGTERM).`;

export const HELP: Record<string, string> = {
  main: `Usage: atomiton <command> [options]

Runs Atomiton flows (YAML or JSON) on the native engine.

Commands:
  run <file>                  run a flow file, showing progress; print the result as JSON
  validate <file>             check a flow and list every issue
  templates                   list the bundled template flows
  templates run <template>    run a bundled template (by slug, id or part of its name)

Options:
  -h, --help                  help (also: atomiton <command> --help)
  -v, --version               the package and engine versions

Examples:
  atomiton templates run hello
  atomiton run flow.yaml --input '{"data":[1,2,3]}' --slow-mo 200
  atomiton validate flow.yaml`,

  run: `Usage: atomiton run <file> [options]

Runs the flow in <file> (YAML flow format, or JSON when the file starts with '{').

${RUN_OPTIONS_HELP}

${RESULT_HELP}`,

  validate: `Usage: atomiton validate <file> [options]

Checks the flow in <file> without running it and lists every issue: ids, node
types, edges, cycles, parameters, expressions, nesting.

Options:
      --json              print the validation result as JSON ({valid, errors, issues})
  -h, --help              this help

Exit codes: 0 valid, 1 invalid, 2 usage error or unreadable flow file.`,

  templates: `Usage: atomiton templates [--json]
       atomiton templates run <template> [options]

Lists the template flows bundled with the engine, or runs one. <template> is a
template's slug (e.g. 'hello-world') or id, or a part of its slug, id or name
(case-insensitive), e.g. 'hello'.

Options of 'templates':
      --json              print the list as JSON
  -h, --help              this help

Options of 'templates run':
${RUN_OPTIONS_HELP.split("\n").slice(1).join("\n")}

${RESULT_HELP}`,
};
