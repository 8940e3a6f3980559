/** Help texts. */

const RUN_OPTIONS_HELP = `Options:
  -i, --input <json>      input of the run, as JSON text, or @file.json
      --slow-mo <ms>      pace every node by <ms> (to watch a run; 0 = none)
      --timeout <ms>      fail the run with TIMEOUT after <ms>
      --concurrency <n>   most nodes running at once (1 = strict sequential order)
      --cwd <dir>         directory that relative paths in the flow resolve against
                          (default: the current directory)
      --storage <dir>     where flows and the run history are kept
                          (default ~/.atomiton/flows; the run is recorded there)
  -q, --quiet             no progress display
      --json              progress on stderr as JSON lines instead of text
      --trace             include the execution trace in the result
      --suspend           a durable run: Ctrl-C or SIGTERM stops it to be resumed
                          later ('atomiton runs resume <id>') instead of cancelling it
      --redis <url>       run on queue workers ('atomiton worker') instead of here
      --queue <name>      the workers' queue (default atomiton-runs; --prefix <p> too)
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
  runs                        list recorded runs (every run is recorded)
  runs show <id>              one run node by node, on a time axis
  runs counts                 how many runs there are in each status
  runs retry <id>             run it again, reusing the outputs of nodes that succeeded
  runs resume <id>            go on with an interrupted durable run, as the same run
  runs signal <id> <name>     send a signal to a run parked at a wait node; go on with it
  runs approve <id> <node>    approve (or --reject) a run parked at an approval
  triggers                    list the active triggers (schedules, webhooks, file watches)
  triggers activate <flowId>  activate a saved flow's trigger nodes (deactivate likewise)
  triggers fires <trigger>    a trigger's latest fires and their runs (pause, resume)
  credentials                 list the credentials nodes name (names and types only)
  credentials set <name>      set one (its secrets typed or read from stdin); delete likewise
  serve                       serve flows over HTTP and WebSocket (auth, permissions, limits);
                              fires the active triggers of its store, answers its webhooks
  hash-password               hash a password (read from stdin) for a server's users
  api-key                     make an API key and its hash for a server's machine clients
  worker --redis <url>        run queued flows (queue mode, BullMQ on Redis)

Options:
  -h, --help                  help (also: atomiton <command> --help)
  -v, --version               the package and engine versions

Examples:
  atomiton templates run hello
  atomiton run flow.yaml --input '{"data":[1,2,3]}' --slow-mo 200
  atomiton validate flow.yaml
  atomiton serve --config server.json`,

  run: `Usage: atomiton run <file> [options]

Runs the flow in <file> (YAML flow format, or JSON when the file starts with '{').

${RUN_OPTIONS_HELP}

${RESULT_HELP}`,

  triggers: `Usage: atomiton triggers [list] [options]
       atomiton triggers activate <flowId> | deactivate <flowId>
       atomiton triggers fires <trigger> [--limit <n>]
       atomiton triggers pause <trigger> | resume <trigger>

Manages the triggers of saved flows (a 'schedule', 'webhook' or 'file-watch' node
as a flow's entry; 'atomiton serve' answers webhooks at /hooks/<path>). A
<trigger> is flowId/nodeId, as 'atomiton triggers' lists it. Activated triggers
fire from every conductor on the store that runs them ('atomiton serve' does),
each fire once; fires missed while none ran follow the trigger's misfire policy.

Options:
      --storage <dir>     where flows and the run history are kept
                          (default ~/.atomiton/flows)
      --limit <n>         fires: how many, newest first (default 20)
      --json              print the answer as JSON
  -h, --help              this help

Exit codes: 0 done, 1 pause/resume of a trigger that is not active, 2 usage error.`,

  credentials: `Usage: atomiton credentials [list] [options]
       atomiton credentials set <name> --type <type> [--field k=v]... [--secret k]...
       atomiton credentials set <name> < credential.json
       atomiton credentials delete <name>

Manages the credentials nodes name ('credential: warehouse' in a database node).
They are kept sealed (XChaCha20-Poly1305) beside the flows; 'list' shows names
and types, never a value. A secret is never an argument: each --secret field is
typed without echo (or read from stdin, one line each); without --type the whole
credential is read from stdin as JSON ({"type": "postgres", "password": ...}).

The key: ATOMITON_CREDENTIALS_KEY (64 hex digits: openssl rand -hex 32) or
ATOMITON_CREDENTIALS_KEY_FILE (a file only its owner may read); without either,
a conductor keeping flows in files makes credentials.key (mode 600) beside them.

Options:
      --storage <dir>     where flows and credentials are kept
                          (default ~/.atomiton/flows)
      --type <type>       set: the credential's type (postgres, mysql, sqlite, ...)
      --field <k=v>       set: a field that is not secret (host=db.internal)
      --secret <k>        set: a secret field, its value read as described above
      --json              print the answer as JSON
  -h, --help              this help

Exit codes: 0 done, 1 delete of a credential that does not exist, 2 usage error.`,

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

  worker: `Usage: atomiton worker --redis <url> [options]

A queue worker: takes runs that createQueueConductor() queued in Redis and runs
them on the native engine, recording each in the queue's shared run history.
Prints a line as each run starts and ends. SIGTERM or Ctrl-C: takes no more
runs, lets those in flight finish (cancelling any left after --grace), exits 0.
A worker that dies (kill -9, a lost machine) loses its runs' locks: they are
marked crashed, never run twice (executions.retry resumes them).

Options:
      --redis <url>           the Redis server (default: $ATOMITON_REDIS_URL)
      --queue <name>          the queue (default atomiton-runs)
      --prefix <p>            prefix of every Redis key (default atomiton)
  -c, --concurrency <n>       runs at once (default 4)
      --executors <file.js>   a module exporting node executors for custom types:
                              a nodeExecutorFactory, or { [type]: { execute } }
      --grace <ms>            how long in-flight runs may take at shutdown (default 30000)
      --lock-duration <ms>    a run's lock without renewal (default 10000)
      --stalled-interval <ms> how often dead workers' runs are looked for (default 5000)
      --store <url>           the pool's run history in PostgreSQL (postgres://...;
                              default: ATOMITON_DATABASE_URL, else the queue's Redis)
      --wait <ms>             how long to wait for Redis and the store when they cannot be
                              reached at start (default 300000; 0: exit at once, code 2)
      --lost-runs <policy>    a dead worker's runs: resume (default: another worker goes
                              on from their checkpoints) or crash (never run again);
                              every worker of a pool must say the same
      --timeout <ms>          default run timeout
      --cwd <dir>             where relative paths in flows resolve (default: here)
      --cache                 the node result cache, in the queue's Redis: shared by
                              every worker started with it (docs/history-and-debugging.md, "Result cache")
      --metrics-port <n>      serve Prometheus metrics at http://127.0.0.1:<n>/metrics
  -q, --quiet                 no line per run
  -h, --help                  this help

Observability: with OTEL_EXPORTER_OTLP_ENDPOINT (or OTEL_TRACES_EXPORTER=otlp)
set, each run's spans go over OTLP/HTTP; with OTEL_METRICS_EXPORTER=otlp, the
metrics too. The resource: $OTEL_SERVICE_NAME and $OTEL_RESOURCE_ATTRIBUTES.
Needs the OpenTelemetry SDK packages installed (docs/observability.md).`,

  serve: `Usage: atomiton serve [options]

Serves this machine's conductor over the protocol of remote conductors: HTTP
(POST /api/<channel>/<command>), and WebSocket on the same port when the 'ws'
package is installed. Prints where it listens and how to log in.

Without "auth" in the config it listens on loopback only, and refuses any
other --host unless --insecure: anyone who can reach it could run flows.

Options:
      --host <addr>         address to listen on (default 127.0.0.1)
  -p, --port <n>            port (default 3000; 0 = any free port)
  -c, --config <file.json>  {"auth": {"users": [...], "apiKeys": [...], ...},
                            "limits": {...}, "permissions": {...},
                            "allowedOrigins": [...], "maxBodyBytes": n}
      --storage <dir>       where saved flows are kept (default ~/.atomiton/flows)
      --store <url>         keep the run history in this PostgreSQL database
                            (default: $ATOMITON_DATABASE_URL, else beside the flows)
      --cwd <dir>           where relative paths in flows resolve (default: here)
      --allow-origin <url>  a browser origin allowed to call (adds to the config's)
      --insecure            allow a non-loopback --host without authentication
      --metrics-port <n>    serve Prometheus metrics at http://<host>:<n>/metrics
                            (behind the same authentication when "auth" is on)
  -h, --help                this help

Observability: with OTEL_EXPORTER_OTLP_ENDPOINT (or OTEL_TRACES_EXPORTER=otlp)
set, each run's spans go over OTLP/HTTP; with OTEL_METRICS_EXPORTER=otlp, the
metrics too. The resource: $OTEL_SERVICE_NAME and $OTEL_RESOURCE_ATTRIBUTES.
Needs the OpenTelemetry SDK packages installed (docs/observability.md).

A user entry is {"username", "passwordHash", "grant"?}: make the hash with
'atomiton hash-password'. An API key entry is {"id", "keyHash", "grant"?}: make
both with 'atomiton api-key'. A grant is {"channels"?, "permissions"?, "scope"?,
"limits"?}; see docs/security.md.

Exit codes: 0 closed by Ctrl-C or SIGTERM, 2 usage error, unreadable config, or
a server that cannot listen (address in use, refused without auth).`,

  runs: `Usage: atomiton runs [--flow <id>] [--status <s>] [--limit <n>] [--json]
       atomiton runs show <id> [--json]
       atomiton runs counts [--flow <id>] [--json]
       atomiton runs retry <id> [--from failed|start|<node id>] [run options]
       atomiton runs resume <id> [--rerun <node>]... [--skip <node>=<json>]... [run options]
       atomiton runs signal <id> <name> [--payload <json>] [run options]
       atomiton runs approve <id> <node> [--reject] [--by <name>] [--comment <text>] [run options]

Every run (atomiton run, templates run, a server's runs, an app's) is recorded in
history.sqlite in the storage directory. 'runs' lists them, newest first;
'runs show' prints one node by node (state, attempts, start, duration) with a
time axis that shows what ran in parallel and which node was slow; 'runs counts'
how many runs there are in each status (of one flow with --flow); 'runs retry'
runs it again as a new run linked to it: from the failed node by default
(nodes that succeeded keep their recorded outputs and do not run), from the
start, or from a node id (that node and what depends on it run again).
'runs resume' goes on with a durable run whose process ended (status
interrupted; durability in the conductor's config) as the same run: nodes that
completed keep their checkpointed outputs. A node with effects that was running
when the process ended needs a decision unless the flow marks it idempotent:
--rerun <node> runs it again, --skip <node>=<json> takes <json> as its output
(its effect happened); without one the run fails naming the nodes (exit 1).
'runs signal' and 'runs approve' wake a durable run parked at a wait node
(status waiting) and go on with it here, as 'runs resume' does: the signal's
--payload (JSON) is the node's output; --reject rejects an approval (the run
fails unless the node says onReject: "continue"). A run not waiting, a wrong
name or node, or a payload the node's payloadSchema refuses is refused with its
code and why (exit 2), and nothing changes.

Options:
      --flow <id>           only runs of this flow (its root node id)
      --status <s>          running, success, failed, cancelled, crashed, interrupted
                            or waiting
      --limit <n>           at most <n> runs (default 20)
      --storage <dir>       where the history is (default ~/.atomiton/flows)
      --redis <url>         a queue's shared history instead (queue mode; --queue, --prefix)
      --json                print JSON instead of a table
      --from <where>        (retry) failed (default), start, or a node id
      --rerun <node>        (resume) run this in-flight node again (repeatable)
      --skip <node>=<json>  (resume) give this in-flight node this output (repeatable)
      --payload <json>      (signal) the signal's payload
      --reject              (approve) reject instead
      --by <name>           (approve) who decides
      --comment <text>      (approve) why
  -h, --help                this help

'runs retry', 'runs resume', 'runs signal' and 'runs approve' take the options
of 'run' too; their exit codes are those of 'run'.`,

  "hash-password": `Usage: echo 'the password' | atomiton hash-password
       atomiton hash-password          (asks for it without echo on a terminal)

Prints a salted scrypt hash of the password read from stdin: the passwordHash
of a user entry in 'atomiton serve --config'.`,

  "api-key": `Usage: atomiton api-key

Prints a new API key and its SHA-256 as JSON, {"key", "keyHash"}: give the key
to the machine client (it sends it as 'Authorization: Bearer <key>') and put
only the keyHash in the server's config.`,
};
