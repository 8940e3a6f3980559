/** The CLI's exit codes. */
export const ExitCode = {
  /** The run succeeded, the flow is valid, the listing was printed. */
  OK: 0,
  /** The run failed (including validation failures found by `run`), or `validate` found issues. */
  FAILED: 1,
  /** Bad arguments, or a flow file that cannot be read or parsed. */
  USAGE: 2,
  /** Interrupted by Ctrl-C (128 + SIGINT). */
  INTERRUPTED: 130,
  /** Terminated by SIGTERM (128 + SIGTERM). */
  TERMINATED: 143,
} as const;

/**
 * A problem with what the user asked for: unknown options, bad values, an unreadable or malformed
 * file. Reported as one clear message on stderr with exit code 2 (no stack trace).
 */
export class UsageError extends Error {
  /** The command whose usage to point at (`atomiton <command> --help`), if any. */
  readonly command: string | undefined;

  constructor(message: string, command?: string) {
    super(message);
    this.name = "UsageError";
    this.command = command;
  }
}
