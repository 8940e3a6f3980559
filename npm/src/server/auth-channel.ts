/**
 * The server side of the `auth` channel the browser package speaks (`conductor.auth`):
 * `login({username, password})` and `refreshToken({token})` answer `{token, user, expiresAt}`,
 * `logout({token})` ends the session, `getCurrentUser()` answers the caller's user or `null`.
 * The channel is open to unauthenticated connections: it is how they authenticate.
 */
import type { Caller } from "./caller.js";
import type { AuthService } from "./auth/service.js";
import type { Issued } from "./auth/sessions.js";

export const AUTH_COMMANDS: readonly string[] = ["login", "logout", "refreshToken", "getCurrentUser"];

/** One client connection, as the `auth` channel sees it. */
export type AuthConnection = {
  /** The token this connection presents (HTTP: its `Authorization` header; WebSocket: the one it authenticated with). */
  readonly token: string | undefined;
  readonly caller: Caller | undefined;
  /** The client's address (failed logins are counted per address). */
  readonly address: string;
  /** WebSocket: from now on, the connection is this session's (after a login or refresh over it), or nobody's. */
  bind?(issued: Issued<Caller> | undefined): void;
};

type Args = { token?: unknown } | null | undefined;
const tokenIn = (args: unknown): unknown => (typeof args === "object" && args !== null ? (args as Args)?.token : undefined);

/** Answers one `auth` call; throws the failure (with its code) like any handler. */
export async function authCall(service: AuthService, command: string, args: unknown, connection: AuthConnection): Promise<unknown> {
  switch (command) {
    case "login": {
      const { result, issued } = await service.login(args, connection.address);
      connection.bind?.(issued);
      return result;
    }
    case "refreshToken": {
      const { result, issued } = service.refresh(tokenIn(args) ?? connection.token);
      connection.bind?.(issued);
      return result;
    }
    case "logout": {
      const token = tokenIn(args) ?? connection.token;
      // Unbound first: a connection logging out is not told its session expired.
      if (token === connection.token) connection.bind?.(undefined);
      service.logout(token);
      return null;
    }
    case "getCurrentUser":
      return connection.caller?.user ?? null;
    default:
      throw new Error(`No handler for method: ${command}`);
  }
}
