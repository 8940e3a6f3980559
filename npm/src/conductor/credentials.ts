/**
 * `conductor.credentials`: the credentials nodes name (`credential: "warehouse"`). The engine
 * keeps them sealed beside the flows and answers every call; this file only shapes calls. No
 * answer ever holds a field's value: `list` gives names and types.
 */
import type { CredentialInfo } from "../types/answers.generated.js";
import type { CredentialFields } from "../types/credentials.js";
import { ErrorCode } from "../types/errors.js";
import type { Outcome, WireError } from "../types/wire.js";
import { MESSAGES } from "../types/wire.generated.js";
import type { EngineAdapter } from "./engine.js";
import { unwrap } from "./hydrate.js";

export function createCredentialsApi(engine: EngineAdapter) {
  return {
    /**
     * Sets the credential `name` (replacing one of that name): `{type, ...fields}`, each field a
     * string, number or boolean. Runs started afterwards read the new fields; no restart.
     */
    async set(name: string, credential: CredentialFields): Promise<void> {
      unwrap(await engine.credentials("set", JSON.stringify({ name, credential })));
    },
    /** Every credential's name and type, by name; never a field. */
    async list(): Promise<CredentialInfo[]> {
      return unwrap(await engine.credentials("list", "")).credentials;
    },
    /** Deletes the credential `name`: whether there was one. */
    async delete(name: string): Promise<boolean> {
      return unwrap(await engine.credentials("delete", String(name)));
    },
  };
}

/** What an engine without credentials (the browser's modules) answers. */
export function credentialsUnavailable<T>(): Outcome<T> {
  const error: WireError = {
    code: ErrorCode.IMPLEMENTATION_NOT_FOUND,
    message: MESSAGES.NO_CREDENTIALS,
    timestamp: Date.now(),
  };
  return { ok: false, error };
}
