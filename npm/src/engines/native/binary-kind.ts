/**
 * What CPU a native binary is for, read from its header (ELF, Mach-O or PE), so that loading one
 * built for another machine is explained as such: glibc's own words for it are "cannot open
 * shared object file: No such file or directory".
 */
import { closeSync, openSync, readSync } from "node:fs";

/** ELF `e_machine`, Mach-O `cputype` and PE `Machine` values, as Node names the architecture. */
const ELF: Record<number, string> = { 62: "x64", 183: "arm64", 3: "ia32", 40: "arm" };
const MACH_O: Record<number, string> = { 16777223: "x64", 16777228: "arm64" };
const PE: Record<number, string> = { 34404: "x64", 43620: "arm64", 332: "ia32" };

function head(path: string, bytes: number): Buffer {
  const buffer = Buffer.alloc(bytes);
  const fd = openSync(path, "r");
  try {
    return buffer.subarray(0, readSync(fd, buffer, 0, bytes, 0));
  } finally {
    closeSync(fd);
  }
}

/** The architecture `path` is built for (`x64`, `arm64`, ...), or `undefined` when the header says nothing known. */
export function binaryArch(path: string): string | undefined {
  let bytes: Buffer;
  try {
    bytes = head(path, 4096);
  } catch {
    return undefined;
  }
  if (bytes.length >= 20 && bytes.readUInt32BE(0) === 0x7f454c46)
    return ELF[bytes[5] === 2 ? bytes.readUInt16BE(18) : bytes.readUInt16LE(18)];
  if (bytes.length >= 8 && bytes.readUInt32LE(0) === 0xfeedfacf) return MACH_O[bytes.readUInt32LE(4)];
  if (bytes.length >= 64 && bytes.toString("latin1", 0, 2) === "MZ") {
    const pe = bytes.readUInt32LE(60);
    if (pe + 6 <= bytes.length && bytes.readUInt32BE(pe) === 0x50450000) return PE[bytes.readUInt16LE(pe + 4)];
  }
  return undefined;
}
