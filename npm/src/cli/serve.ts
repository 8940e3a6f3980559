/**
 * `atomiton serve`: the protocol server over HTTP (and WebSocket when the `ws` package is
 * installed) for a conductor on this machine, with the authentication, permissions and limits
 * of a JSON config file. Prints where it listens and how to log in; Ctrl-C closes it.
 */
import { resolve } from "node:path";
import { createConductor, createProtocolServer, type ProtocolServerOptions, type WebSocketServerClass } from "../desktop.js";
import { checkServeFile } from "../options/entries.js";
import { databaseUrl } from "../queue/history.js";
import { ConductorError } from "../types/errors.js";
import { integerOption, parseCommandArgs } from "./args.js";
import { ExitCode, UsageError } from "./exit-codes.js";
import { readText } from "./flow-file.js";
import { HELP } from "./help.js";
import { setupObservability } from "./observability.js";
import { writeOut } from "./output.js";
import { stopSignal } from "./stop-signal.js";

/** What the config file may set (everything else comes from options). */
type ServeConfig = Pick<ProtocolServerOptions, "auth" | "limits" | "permissions" | "allowedOrigins" | "maxBodyBytes">;

function readConfig(file: string | undefined): ServeConfig {
  if (file === undefined) return {};
  const text = readText(file, "config file");
  try {
    const config = JSON.parse(text) as unknown;
    if (typeof config !== "object" || config === null || Array.isArray(config)) throw new Error("expected an object");
    checkServeFile(config, file);
    return config as ServeConfig;
  } catch (error) {
    if (error instanceof ConductorError) throw error;
    throw new UsageError(`cannot read config file ${file}: ${error instanceof Error ? error.message : String(error)}`, "serve");
  }
}

/** The `ws` package's server class when it is installed; the server then speaks WebSocket too. */
async function webSocketServer(): Promise<WebSocketServerClass | undefined> {
  try {
    const ws = (await import("ws")) as { WebSocketServer?: WebSocketServerClass };
    return ws.WebSocketServer;
  } catch {
    return undefined;
  }
}

function loginHelp(url: string, config: ServeConfig): string {
  const auth = config.auth;
  const users = Array.isArray(auth?.users) ? `${auth.users.length} user(s)` : auth?.users ? "the app's user verifier" : undefined;
  const keys = auth?.apiKeys?.length ? `${auth.apiKeys.length} API key(s)` : undefined;
  if (!users && !keys) {
    return [
      "Authentication: none. Only this machine can connect, and anyone on it can run flows",
      '(shell commands and files included, unless the config\'s "permissions" narrow them).',
      `Try: curl -s -X POST ${url}/api/system/health`,
    ].join("\n");
  }
  const lines = [`Authentication: ${[users, keys].filter(Boolean).join(", ")}. Every call needs a bearer token.`];
  if (users) {
    lines.push(
      "Log in (the answer's token goes in 'Authorization: Bearer <token>'):",
      `  curl -s ${url}/api/auth/login -H 'Content-Type: application/json' -d '{"username":"<user>","password":"<password>"}'`,
      `  curl -s ${url}/api/system/health -H 'Authorization: Bearer <token>' -X POST`,
    );
  }
  if (keys) lines.push("Machine clients send their API key as the bearer token.");
  lines.push("From JavaScript: createRemoteConductor({ serverUrl }).auth.login({ username, password })");
  return lines.join("\n");
}

export async function serveCommand(args: string[]): Promise<number> {
  const { values, positionals } = parseCommandArgs("serve", args, {
    host: { type: "string" },
    port: { type: "string", short: "p" },
    config: { type: "string", short: "c" },
    storage: { type: "string" },
    store: { type: "string" },
    cwd: { type: "string" },
    "allow-origin": { type: "string" },
    insecure: { type: "boolean" },
    "metrics-port": { type: "string" },
    help: { type: "boolean", short: "h" },
  });
  if (values.help) {
    writeOut(HELP.serve ?? "");
    return ExitCode.OK;
  }
  if (positionals.length > 0) throw new UsageError(`unexpected argument '${positionals[0]}'`, "serve");
  const config = readConfig(typeof values.config === "string" ? values.config : undefined);
  const origin = typeof values["allow-origin"] === "string" ? [values["allow-origin"]] : [];
  const host = typeof values.host === "string" ? values.host : "127.0.0.1";
  // The server checks metrics callers once it exists; until then nobody is let in.
  let authorizes: (token: string | undefined) => boolean = () => false;
  const observability = await setupObservability("serve", {
    port: integerOption("serve", "metrics-port", values["metrics-port"], 0),
    host,
    authorizes: (token) => authorizes(token),
  });
  // Runs kept in PostgreSQL (shared with every process naming it) rather than beside the flows.
  const store = databaseUrl(typeof values.store === "string" ? values.store : undefined);
  const conductor = createConductor({
    history: store ? { store } : undefined,
    storage: typeof values.storage === "string" ? { type: "fs", directory: resolve(values.storage) } : undefined,
    workingDirectory: typeof values.cwd === "string" ? resolve(values.cwd) : process.cwd(),
    telemetry: observability ? { api: observability.api } : undefined,
  });
  const WebSocketServer = await webSocketServer();
  let server: Awaited<ReturnType<typeof createProtocolServer>>;
  try {
    server = await createProtocolServer(conductor, {
      ...config,
      allowedOrigins: [...(config.allowedOrigins ?? []), ...origin],
      host,
      port: integerOption("serve", "port", values.port, 0) ?? 3000,
      insecure: values.insecure === true,
      WebSocketServer,
    });
  } catch (error) {
    await observability?.shutdown();
    throw new UsageError(error instanceof Error ? error.message : String(error), "serve");
  }
  authorizes = (token) => server.authorizes(token);
  writeOut(
    `Atomiton protocol server on ${server.url}${server.wsUrl ? ` (WebSocket: ${server.wsUrl})` : " (HTTP only: install the 'ws' package for WebSocket)"}`,
  );
  writeOut(loginHelp(server.url, config));
  if (observability?.metricsUrl) writeOut(`Prometheus metrics: ${observability.metricsUrl}`);
  // The store's active triggers fire from this server (each fire once, whatever else shares the store).
  await conductor.triggers.start();
  const stopped = stopSignal();
  writeOut("Ctrl-C stops it.");
  const stop = await stopped;
  process.stderr.write(`atomiton: ${stop}: closing the server\n`);
  await server.close();
  // Every run record written so far is stored before the process exits (a history on a server
  // is written by a thread of its own, which the exit would otherwise cut short).
  await conductor.shutdown();
  await observability?.shutdown();
  return ExitCode.OK;
}
