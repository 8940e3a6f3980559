/**
 * File operations for the wasm engine in Node (`effects` in bindings-wasm/src/js.rs), with
 * Node's `fs`, doing what the native host does with `std::fs` (bindings-node/host/src/files):
 * atomic writes, symlinks not followed when copying or removing, the same messages
 * (`Cannot <operation> '<path>': <the OS's words>`). Failures reject with `{kind, message}`.
 */
import { randomBytes } from "node:crypto";
import { constants as fsConstants } from "node:fs";
import {
  appendFile,
  copyFile,
  link,
  lstat,
  mkdir,
  open,
  opendir,
  readdir,
  readFile,
  readlink,
  realpath,
  rename,
  rm,
  rmdir,
  stat,
  symlink,
  unlink,
  type FileHandle,
} from "node:fs/promises";
import { tmpdir } from "node:os";
import { basename, dirname, isAbsolute, join, resolve, sep } from "node:path";

/** How an effect failed, as the Rust side reads it (`crate::calls::effect_failure`). */
export type EffectFailure = { kind: "not-found" | "already-exists" | "permission-denied" | "cancelled" | "other"; message: string };

/** Attempts at an unused temporary name (a clash needs the same 64 random bits twice). */
const TEMP_NAME_ATTEMPTS = 8;
/** Characters of the target's name kept in the temporary name. */
const NAME_HINT_CHARS = 64;

type NodeError = Error & { code?: string; errno?: number };

function kindOf(error: unknown): EffectFailure["kind"] {
  const code = (error as NodeError | undefined)?.code;
  if (code === "ENOENT") return "not-found";
  if (code === "EEXIST") return "already-exists";
  if (code === "EACCES" || code === "EPERM") return "permission-denied";
  return "other";
}

/** The OS's words for an error, as Rust prints an `io::Error` where it can: `No such file or directory (os error 2)`. */
function osWords(error: unknown): string {
  const e = error as NodeError;
  if (typeof e?.code !== "string") return e instanceof Error ? e.message : String(error);
  // Node's message is `ENOENT: no such file or directory, open '/x'`: keep the description.
  const described = /^[A-Z0-9_]+: ([^,]+)/.exec(e.message)?.[1] ?? e.code;
  const words = described.charAt(0).toUpperCase() + described.slice(1);
  return typeof e.errno === "number" && e.errno < 0 && process.platform !== "win32"
    ? `${words} (os error ${-e.errno})`
    : `${words} (${e.code})`;
}

/** `Cannot <operation> '<path>': <OS words>`, with the kind the node types react to. */
export function ioFailure(operation: string, path: string, error: unknown, to?: string): EffectFailure {
  const where = to === undefined ? `'${path}'` : `'${path}' to '${to}'`;
  return { kind: kindOf(error), message: `Cannot ${operation} ${where}: ${osWords(error)}` };
}

/** Runs `work`, turning a thrown Node error into the failure `describe` makes of it. */
async function failingAs<T>(work: () => Promise<T>, describe: (error: unknown) => EffectFailure): Promise<T> {
  try {
    return await work();
  } catch (error) {
    throw isFailure(error) ? error : describe(error);
  }
}

function isFailure(value: unknown): value is EffectFailure {
  return typeof value === "object" && value !== null && "kind" in value && "message" in value && !(value instanceof Error);
}

/** The file a symlink points to (so the link survives the rename), or `path` itself. */
async function throughSymlink(path: string): Promise<string> {
  try {
    if ((await lstat(path)).isSymbolicLink()) return await realpath(path).catch(() => path);
  } catch {
    // Nothing there yet: write the path itself.
  }
  return path;
}

/** A new, empty file next to the target, opened exclusively so no other file is ever clobbered. */
async function createTemp(dir: string, name: string): Promise<[string, FileHandle]> {
  const hint = Array.from(name).slice(0, NAME_HINT_CHARS).join("");
  let last: unknown;
  for (let attempt = 0; attempt < TEMP_NAME_ATTEMPTS; attempt++) {
    const temp = join(dir, `.${hint}.${randomBytes(8).toString("hex")}.tmp`);
    try {
      return [temp, await open(temp, "wx")];
    } catch (error) {
      if ((error as NodeError).code !== "EEXIST") throw error;
      last = error;
    }
  }
  throw last;
}

/**
 * Writes `contents` to `path` atomically: a temporary file in the same directory, flushed to
 * disk and renamed over the target, then the directory flushed. An existing file keeps its
 * permissions; on failure the temporary file is removed and the target untouched.
 */
export async function writeAtomic(path: string, contents: Uint8Array, createParents: boolean, replace = true): Promise<void> {
  // A write that must not replace goes to the path itself: an existing symlink is something there.
  const target = replace ? await throughSymlink(path) : path;
  const name = basename(target);
  if (!name || name === "." || name === "..") throw Object.assign(new Error("the path does not name a file"), { code: "EINVAL" });
  const dir = dirname(target);
  if (createParents) await mkdir(dir, { recursive: true });
  const [temp, file] = await createTemp(dir, name);
  try {
    await file.writeFile(contents);
    const existing = await stat(target).catch(() => undefined);
    if (existing?.isFile()) await file.chmod(existing.mode & 0o7777);
    await file.sync();
    await file.close();
    if (replace) await rename(temp, target);
    else {
      // A link never replaces: it fails (EEXIST) when something is there, in the same step.
      await link(temp, target);
      await unlink(temp);
    }
  } catch (error) {
    await file.close().catch(() => {});
    // Best effort: the original error is the one worth reporting.
    await unlink(temp).catch(() => {});
    throw error;
  }
  await syncDir(dir);
}

/** A rename that never replaces: a file is linked at `to` (failing when something is there) and unlinked at `from`; a directory is renamed after a look. */
async function renameNew(from: string, to: string): Promise<void> {
  if ((await lstat(from)).isDirectory()) {
    if (
      await lstat(to).then(
        () => true,
        () => false,
      )
    )
      throw Object.assign(new Error(`EEXIST: file already exists, rename '${to}'`), { code: "EEXIST" });
    return rename(from, to);
  }
  await link(from, to);
  await unlink(from);
}

/** Flushes the directory entry of the rename; best effort (not every platform can). */
async function syncDir(dir: string): Promise<void> {
  if (process.platform === "win32") return;
  try {
    const handle = await open(dir, fsConstants.O_RDONLY);
    await handle.sync().finally(() => handle.close());
  } catch {
    // The data itself is already safe.
  }
}

/** `path` absolute with symlinks resolved as far as it exists, to compare with a canonical source. */
async function resolveExisting(path: string): Promise<string> {
  const absolute = resolve(path);
  try {
    return await realpath(absolute);
  } catch {
    const parent = dirname(absolute);
    return parent === absolute ? absolute : join(await resolveExisting(parent), basename(absolute));
  }
}

const inside = (path: string, dir: string) => path === dir || path.startsWith(dir.endsWith(sep) ? dir : dir + sep);

/** A recursive copy; symlinks are recreated, never followed (a link to `..` would recurse forever). */
async function copyDir(from: string, to: string): Promise<void> {
  await failingAs(
    () => mkdir(to, { recursive: true }),
    (e) => ioFailure("copy", to, e),
  );
  const entries = await failingAs(
    () => readdir(from, { withFileTypes: true }),
    (e) => ioFailure("copy", from, e),
  );
  for (const entry of entries) {
    const source = join(from, entry.name);
    const target = join(to, entry.name);
    if (entry.isDirectory()) await copyDir(source, target);
    else if (entry.isSymbolicLink())
      await failingAs(
        async () => symlink(await readlink(source), target),
        (e) => ioFailure("copy", source, e),
      );
    else
      await failingAs(
        () => copyFile(source, target),
        (e) => ioFailure("copy", source, e),
      );
  }
}

async function copy(from: string, to: string): Promise<void> {
  const metadata = await failingAs(
    () => stat(from),
    (e) => ioFailure("copy", from, e),
  );
  const source = await failingAs(
    () => realpath(from),
    (e) => ioFailure("copy", from, e),
  );
  const destination = await resolveExisting(to);
  if (metadata.isDirectory()) {
    if (inside(destination, source))
      throw { kind: "other", message: `Cannot copy '${from}' into itself ('${to}')` } satisfies EffectFailure;
    return copyDir(from, to);
  }
  if (destination === source)
    throw { kind: "other", message: `Cannot copy '${from}' to '${to}': they are the same file` } satisfies EffectFailure;
  await failingAs(
    () => copyFile(from, to),
    (e) => ioFailure("copy", from, e, to),
  );
}

/**
 * Entries in the order the OS gives them, as `std::fs::read_dir` (`readdir` would sort them). A
 * symlink is not a directory here, so recursive listings never loop through links.
 */
async function list(path: string): Promise<Array<{ name: string; isDir: boolean }>> {
  const entries = [];
  for await (const entry of await opendir(path)) entries.push({ name: entry.name, isDir: entry.isDirectory() });
  return entries;
}

async function remove(path: string, recursive: boolean): Promise<void> {
  const metadata = await lstat(path);
  if (!metadata.isDirectory()) return unlink(path);
  if (recursive) return rm(path, { recursive: true });
  return rmdir(path);
}

/** Up to `length` bytes from `offset` on: fewer only at the end of the file. */
async function readAt(path: string, offset: number, length: number): Promise<Uint8Array> {
  const file = await open(path, "r");
  try {
    const bytes = new Uint8Array(length);
    let filled = 0;
    while (filled < length) {
      const { bytesRead } = await file.read(bytes, filled, length - filled, offset + filled);
      if (bytesRead === 0) break;
      filled += bytesRead;
    }
    return bytes.subarray(0, filled);
  } finally {
    await file.close();
  }
}

/** The file operations, with relative paths resolved against `base` when one is given. */
export function nodeFiles(base: string | undefined) {
  const at = (path: string) => (base !== undefined && !isAbsolute(path) ? join(base, path) : path);
  return {
    async stat(path: string) {
      const target = at(path);
      try {
        const metadata = await stat(target);
        return { isFile: metadata.isFile(), isDir: metadata.isDirectory(), size: metadata.size, modifiedMs: metadata.mtimeMs };
      } catch (error) {
        const code = (error as NodeError).code;
        // Nothing there, including when a parent component is a file.
        if (code === "ENOENT" || code === "ENOTDIR") return null;
        throw ioFailure("stat", target, error);
      }
    },
    read: (path: string) =>
      failingAs(
        async () => new Uint8Array(await readFile(at(path))),
        (e) => ioFailure("read", at(path), e),
      ),
    readAt: (path: string, offset: number, length: number) =>
      failingAs(
        () => readAt(at(path), offset, length),
        (e) => ioFailure("read", at(path), e),
      ),
    append: (path: string, contents: Uint8Array) =>
      failingAs(
        // `a` would create a missing file; a stream's file exists before it appends.
        async () => {
          await stat(at(path));
          await appendFile(at(path), contents);
        },
        (e) => ioFailure("append to", at(path), e),
      ),
    write: (path: string, contents: Uint8Array, createParents: boolean) =>
      failingAs(
        () => writeAtomic(at(path), contents, createParents),
        (e) => ioFailure("write", at(path), e),
      ),
    list: (path: string) =>
      failingAs(
        () => list(at(path)),
        (e) => ioFailure("list", at(path), e),
      ),
    createDir: (path: string, recursive: boolean) =>
      failingAs(
        async () => void (await mkdir(at(path), { recursive })),
        (e) => ioFailure("create directory", at(path), e),
      ),
    remove: (path: string, recursive: boolean) =>
      failingAs(
        () => remove(at(path), recursive),
        (e) => ioFailure("remove", at(path), e),
      ),
    copy: (from: string, to: string) => copy(at(from), at(to)),
    rename: (from: string, to: string) =>
      failingAs(
        () => rename(at(from), at(to)),
        (e) => ioFailure("rename", at(from), e, at(to)),
      ),
    writeNew: (path: string, contents: Uint8Array, createParents: boolean) =>
      failingAs(
        () => writeAtomic(at(path), contents, createParents, false),
        (e) => ioFailure("write", at(path), e),
      ),
    renameNew: (from: string, to: string) =>
      failingAs(
        () => renameNew(at(from), at(to)),
        (e) => ioFailure("rename", at(from), e, at(to)),
      ),
    tempDir: () => tmpdir(),
  };
}
