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

/** A table with a header, columns padded to their widest cell (the last column is not padded). */
export function table(rows: string[][]): string {
  const widths = rows[0]?.map((_, column) => Math.max(...rows.map((row) => (row[column] ?? "").length))) ?? [];
  return rows
    .map((row) => row.map((cell, column) => (column === row.length - 1 ? cell : cell.padEnd(widths[column] ?? 0))).join("  "))
    .join("\n");
}
