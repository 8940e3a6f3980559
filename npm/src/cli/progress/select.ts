/**
 * Which progress display a run gets: none (`--quiet`), JSON lines (`--json`), the live block on a
 * terminal, else plain lines.
 */
import { JsonLinesRenderer } from "./json.js";
import { PlainRenderer } from "./plain.js";
import { silentRenderer, type ProgressRenderer } from "./renderer.js";
import { TtyRenderer } from "./tty.js";

export function createRenderer(options: { quiet: boolean; json: boolean; title: string; stream?: NodeJS.WriteStream }): ProgressRenderer {
  if (options.quiet) return silentRenderer;
  const stream = options.stream ?? process.stderr;
  if (options.json) return new JsonLinesRenderer({ sink: stream });
  if (stream.isTTY && process.env.TERM !== "dumb") {
    const noColor = (process.env.NO_COLOR ?? "") !== "";
    return new TtyRenderer({ sink: stream, title: options.title, color: !noColor });
  }
  return new PlainRenderer({ sink: stream });
}
