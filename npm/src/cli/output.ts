/** Writing to stdout and stderr. */

/** `value` as pretty JSON on stdout. */
export function writeJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}

export function writeOut(text: string): void {
  process.stdout.write(text.endsWith("\n") ? text : `${text}\n`);
}

/** An `atomiton: ...` message on stderr. */
export function writeError(text: string): void {
  process.stderr.write(`atomiton: ${text}\n`);
}
