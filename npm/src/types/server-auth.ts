/**
 * What a protocol server's `auth` options name besides data: the app's own user check, and the
 * channels a grant opens. Checked in `server/auth/` and `server/caller.ts`.
 */
import type { UserEntry } from "./options.generated.js";

/** A user a verifier accepted. */
export type VerifiedUser = Omit<UserEntry, "passwordHash">;

/** The app's own check (a directory, a database): the user, or `null` for bad credentials. */
export type UserVerifier = (username: string, password: string) => Promise<VerifiedUser | null | undefined>;

/** Channels and the commands allowed in each (`"*"`: every command of that channel). */
export type ChannelGrant = Record<string, "*" | readonly string[]>;
