// Deep comparison with `Object.is` at the leaves, for the values tests: where two values differ
// (`null` when they do not). Types, prototypes, property order, array holes, binary data's
// bytes and kind, dates' times, and `Map`/`Set` entries in order all count.

export function difference(a, b, path = "value") {
  if (Object.is(a, b)) return null;
  if (typeof a !== typeof b) return `${path}: ${describe(a)} became ${describe(b)}`;
  if (typeof a !== "object" || a === null || b === null) return `${path}: ${describe(a)} became ${describe(b)}`;
  if (Object.getPrototypeOf(a) !== Object.getPrototypeOf(b)) return `${path}: ${tag(a)} became ${tag(b)}`;
  switch (tag(a)) {
    case "Date":
      return Object.is(a.getTime(), b.getTime()) ? null : `${path}: date ${a.getTime()} became ${b.getTime()}`;
    case "RegExp":
      return a.source === b.source && a.flags === b.flags ? null : `${path}: ${a} became ${b}`;
    case "Map":
      return entries(Array.from(a), Array.from(b), path);
    case "Set":
      return entries(Array.from(a), Array.from(b), path);
    case "ArrayBuffer":
      return bytes(new Uint8Array(a), new Uint8Array(b), path);
  }
  if (ArrayBuffer.isView(a))
    return bytes(new Uint8Array(a.buffer, a.byteOffset, a.byteLength), new Uint8Array(b.buffer, b.byteOffset, b.byteLength), path);
  if (Array.isArray(a)) {
    if (a.length !== b.length) return `${path}: length ${a.length} became ${b.length}`;
    for (let i = 0; i < a.length; i++) {
      if (i in a !== i in b) return `${path}[${i}]: ${i in a ? "a value" : "a hole"} became ${i in b ? "a value" : "a hole"}`;
      const inner = difference(a[i], b[i], `${path}[${i}]`);
      if (inner) return inner;
    }
    return null;
  }
  const keysA = Object.keys(a);
  const keysB = Object.keys(b);
  if (keysA.join("\u0000") !== keysB.join("\u0000")) return `${path}: keys ${JSON.stringify(keysA)} became ${JSON.stringify(keysB)}`;
  for (const key of keysA) {
    const inner = difference(a[key], b[key], `${path}.${key}`);
    if (inner) return inner;
  }
  return null;
}

function entries(a, b, path) {
  if (a.length !== b.length) return `${path}: ${a.length} entries became ${b.length}`;
  for (let i = 0; i < a.length; i++) {
    const inner = difference(a[i], b[i], `${path}<${i}>`);
    if (inner) return inner;
  }
  return null;
}

function bytes(a, b, path) {
  if (a.length !== b.length) return `${path}: ${a.length} bytes became ${b.length}`;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return `${path}: byte ${i} ${a[i]} became ${b[i]}`;
  return null;
}

function tag(v) {
  return Object.prototype.toString.call(v).slice(8, -1);
}

function describe(v) {
  if (typeof v === "bigint") return `${v}n`;
  if (typeof v === "string") return JSON.stringify(v);
  if (typeof v === "number" && Object.is(v, -0)) return "-0";
  if (typeof v === "object" && v !== null) return tag(v);
  return String(v);
}
