/** Reading flow files (YAML or JSON, told apart by content) and `--input` values. */
import { readFileSync } from "node:fs";
import type { Conductor, NodeDefinition } from "../desktop.js";
import { UsageError } from "./exit-codes.js";

/** Why a file could not be read, in words. */
function readFailure(error: unknown): string {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  switch (code) {
    case "ENOENT":
      return "no such file";
    case "EISDIR":
      return "it is a directory";
    case "EACCES":
    case "EPERM":
      return "permission denied";
    default:
      return error instanceof Error ? error.message : String(error);
  }
}

/** The text of `file` (BOM dropped); an unreadable file is a usage error naming `what` it is. */
export function readText(file: string, what: string): string {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (error) {
    throw new UsageError(`cannot read ${what} ${file}: ${readFailure(error)}`);
  }
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}

/**
 * The flow in `file`: JSON when its text starts with `{`, otherwise the YAML flow format (with its
 * defaults). Unreadable, empty or malformed files are usage errors (exit 2).
 */
export function readFlowFile(conductor: Conductor, file: string): NodeDefinition {
  const text = readText(file, "flow file");
  if (text.trim() === "") throw new UsageError(`cannot read flow file ${file}: it is empty`);
  try {
    return conductor.formats.parseFlow(text);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    // A flow over the size limit is refused before it is read: its text is not "invalid".
    const tooLarge = (error as { code?: string } | undefined)?.code === "VALIDATION_FAILED";
    const format = text.trimStart().startsWith("{") ? "JSON" : "YAML";
    throw new UsageError(`cannot read flow file ${file}: ${tooLarge ? "" : `invalid ${format}: `}${message}`);
  }
}

/** `--input`: JSON text, or `@path` for a JSON file. */
export function parseInput(raw: string | boolean | undefined, command: string): unknown {
  if (raw === undefined) return undefined;
  const text = String(raw);
  const source = text.startsWith("@") ? readText(text.slice(1), "input file") : text;
  try {
    return JSON.parse(source) as unknown;
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    throw new UsageError(`--input is not valid JSON: ${message}`, command);
  }
}
