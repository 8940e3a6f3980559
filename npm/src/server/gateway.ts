/**
 * One call through the protocol server, whatever carried it (HTTP or WebSocket): the `auth`
 * channel, then who the caller is, whether its grant allows the command, whether the flow it
 * carries is within the size limit, and finally the channel handler, which applies the caller's
 * permissions, run limits and scope. The answer is a result or a coded failure with its HTTP
 * status; it never throws.
 */
import { ErrorCode } from "../types/errors.js";
import { AuthService } from "./auth/service.js";
import { AUTH_COMMANDS, authCall, type AuthConnection } from "./auth-channel.js";
import { anonymousCaller, mayCall, type Caller } from "./caller.js";
import { createChannelHandlers, type ChannelHandlers } from "./channels.js";
import { authenticationFailed, describeFailure, flowTooLarge, permissionDenied, type AuthFailure } from "./errors.js";
import type { ServedConductor } from "./events.js";
import { serverLimits, type ProtocolServerOptions, type ServerLimits } from "./options.js";

/** A connection as the gateway sees it: who it is, or why it is nobody. */
export type Connection = AuthConnection & { readonly failure?: AuthFailure };

export type Answer =
  | { ok: true; result: unknown }
  | { ok: false; status: number; error: string; code?: string; reason?: string; retryAfterMs?: number };

/** Commands whose arguments carry a flow, bounded by `maxFlowBytes`. */
const FLOW_COMMANDS = new Set(["node.execute", "node.validate", "storage.saveFlow"]);

/** The HTTP status of a coded failure: refusals of who calls and how often; the rest are the handler's (500). */
const STATUS_BY_CODE: Partial<Record<string, number>> = {
  [ErrorCode.AUTHENTICATION_FAILED]: 401,
  [ErrorCode.PERMISSION_DENIED]: 403,
  [ErrorCode.RATE_LIMIT_EXCEEDED]: 429,
};

export class Gateway {
  readonly handlers: ChannelHandlers;
  readonly auth: AuthService;
  readonly limits: ServerLimits;
  private readonly anonymous: Caller;

  constructor(conductor: ServedConductor, options: ProtocolServerOptions) {
    this.limits = serverLimits(options);
    this.handlers = createChannelHandlers(conductor, options);
    this.auth = new AuthService(options.auth, this.limits.callers);
    this.anonymous = anonymousCaller(options.permissions, this.limits.callers);
  }

  /** Whether `channel.command` exists (unknown ones answer 404 before anything else). */
  knows(channel: string, command: string): boolean {
    if (channel === "auth") return this.auth.enabled && AUTH_COMMANDS.includes(command);
    return this.handlers.handles(channel, command);
  }

  /** The caller presenting `token`; everyone is the anonymous caller when there is no authentication. */
  identify(token: string | undefined): { caller: Caller } | { failure: AuthFailure } {
    return this.auth.enabled ? this.auth.authenticate(token) : { caller: this.anonymous };
  }

  /** Answers one call of `connection`; `bytes` is the size of the request or message that carried it. */
  async call(connection: Connection, channel: string, command: string, args: unknown, bytes: number): Promise<Answer> {
    try {
      if (channel === "auth") return { ok: true, result: await authCall(this.auth, command, args, connection) };
      const caller = connection.caller;
      if (!caller) throw authenticationFailed(connection.failure ?? "missing");
      if (!mayCall(caller.grant, channel, command))
        throw permissionDenied(`Permission denied: ${channel}.${command} is not granted to this caller`);
      if (FLOW_COMMANDS.has(`${channel}.${command}`) && bytes > this.limits.maxFlowBytes) throw flowTooLarge(this.limits.maxFlowBytes);
      const envelope = await this.handlers.dispatch(channel, command, args, caller);
      if ("result" in envelope) return { ok: true, result: envelope.result };
      const { error, code, reason, retryAfterMs } = envelope;
      return { ok: false, status: (code && STATUS_BY_CODE[code]) || 500, error, code, reason, retryAfterMs };
    } catch (thrown) {
      return failureAnswer(thrown);
    }
  }

  /**
   * Sends every broadcast `caller()` may see (its own runs and flows, unless its scope is
   * `"all"`); nothing while it is nobody. Returns the unsubscribe.
   */
  subscribe(caller: () => Caller | undefined, send: (channel: string, event: string, data: unknown) => void): () => void {
    return this.handlers.subscribe((channel, event, data) => {
      const who = caller();
      const visible = who && this.handlers.visibleTo(who, channel, event, data);
      if (visible) send(channel, event, visible.data);
    });
  }

  close(): void {
    this.auth.close();
  }
}

function failureAnswer(thrown: unknown): Answer {
  const { status, ...fields } = describeFailure(thrown);
  return { ok: false, status: status ?? ((fields.code && STATUS_BY_CODE[fields.code]) || 500), ...fields };
}
