/**
 * A credential as `conductor.credentials.set` takes it: its type (`postgres`, `mysql`,
 * `sqlite`, ...) and its fields, secrets among them. Kept sealed; never given back.
 */
export type CredentialFields = { type: string } & Record<string, string | number | boolean>;

export type { CredentialInfo } from "./answers.generated.js";
