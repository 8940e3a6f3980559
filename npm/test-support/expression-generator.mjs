// Random programs in the expression language's JavaScript subset (COMPATIBILITY.md,
// "Expressions"), for the differential test against V8. Seeded and deterministic: the same seed
// gives the same programs, in the same order, on every machine.

/** mulberry32: a small, fast, seedable generator of floats in [0, 1). */
export function random(seed) {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const NUMBERS = [
  "0",
  "-0",
  "1",
  "-1",
  "2",
  "3",
  "7",
  "10",
  "100",
  "255",
  "256",
  "0.1",
  "0.2",
  "0.5",
  "1.5",
  "-2.5",
  "2.5",
  "3.75",
  "1e21",
  "1e-7",
  "123.456",
  "1e300",
  "-1e-300",
  "5e-324",
  "1.7976931348623157e308",
  "9007199254740993",
  "9007199254740991",
  "0x1F",
  "0b101",
  "0o17",
  "1_000",
  ".5",
  "4.35",
  "0.000001",
  "1234.5678",
  "2 ** 53",
  "2 ** 49 + 0.25",
  "(2 ** 31)",
  "4294967296",
  "NaN",
  "Infinity",
  "-Infinity",
  "Number.MAX_SAFE_INTEGER",
  "Number.EPSILON",
  "Math.PI",
  "Math.E",
  "Number.MIN_VALUE",
  "1e16",
  "12345678901234567890",
];
const STRINGS = [
  "''",
  "'a'",
  "'abc'",
  "'Hello World'",
  "' padded '",
  "'42'",
  "'3.14'",
  "'-0'",
  "'true'",
  "'null'",
  "'é'",
  "'😀x'",
  "'a,b,c'",
  "'Z'",
  "'10'",
  "'1e3'",
  "'0x10'",
  "'  7  '",
  "'ab'",
  "'A-b_c'",
  "'x y z'",
  "'ß'",
  "'İ'",
  "'\\n\\t'",
  "'12px'",
  "'Infinity'",
  "'0b11'",
];
const KEYS = ["a", "b", "c", "n", "s", "list", "1", "0", "10", "x y", "length", "2"];
const PROPS = ["a", "b", "n", "s", "list", "length", "0", "1", "missing"];

/** Generates `count` programs with inputs from `seed`: `{source, item}` pairs. */
export function programs(seed, count) {
  const rand = random(seed);
  const pick = (items) => items[Math.floor(rand() * items.length)];
  const chance = (p) => rand() < p;
  const out = [];
  for (let i = 0; i < count; i++) {
    const g = new Generator(rand, pick, chance);
    out.push({ source: g.program(), item: g.item(3) });
  }
  return out;
}

class Generator {
  constructor(rand, pick, chance) {
    this.rand = rand;
    this.pick = pick;
    this.chance = chance;
    this.names = 0;
  }

  fresh() {
    return `v${this.names++}`;
  }

  /** An input item: JSON-like data, with the values the codec carries beyond JSON. */
  item(depth) {
    const { pick, chance } = this;
    if (depth <= 0 || chance(0.45)) {
      return pick([0, -0, 1, 2.5, -3, 42, 1e21, 0.1, NaN, Infinity, "", "a", "Hello", "42", " x ", "é😀", true, false, null, undefined]);
    }
    if (chance(0.5)) {
      const length = Math.floor(this.rand() * 5);
      const array = Array.from({ length }, () => this.item(depth - 1));
      if (length > 1 && chance(0.15)) delete array[Math.floor(this.rand() * length)];
      return array;
    }
    const object = {};
    for (let i = Math.floor(this.rand() * 4); i > 0; i--) object[pick(KEYS)] = this.item(depth - 1);
    return object;
  }

  /** `x => ...`, a block body, or a destructuring parameter. */
  program() {
    const { pick, chance } = this;
    const scope = ["x"];
    if (chance(0.15)) {
      const a = this.fresh();
      const b = this.fresh();
      return `({ a: ${a}, list: ${b} = [] }) => ${this.expr("any", [...scope.slice(1), a, b], 3)}`;
    }
    if (chance(0.1)) {
      const a = this.fresh();
      const rest = this.fresh();
      return `([${a}, , ...${rest}]) => ${this.expr("any", [a, rest], 3)}`;
    }
    if (chance(0.2)) {
      const name = this.fresh();
      const bound = [...scope, name];
      const kind = pick(["const", "let"]);
      const cond = this.expr("any", bound, 2);
      return `x => { ${kind} ${name} = ${this.expr("any", scope, 2)}; if (${cond}) { return ${this.expr("any", bound, 2)}; } ${chance(0.5) ? `else return ${this.expr("any", bound, 2)};` : `return ${this.expr("any", bound, 2)};`} }`;
    }
    return `x => ${this.expr(pick(["any", "num", "str", "arr", "obj"]), scope, 4)}`;
  }

  leaf(type, scope) {
    const { pick, chance } = this;
    if (chance(0.35)) return pick(scope);
    switch (type) {
      case "num":
        return pick(NUMBERS);
      case "str":
        return pick(STRINGS);
      case "bool":
        return pick(["true", "false"]);
      case "arr":
        return pick([
          "[]",
          "[1, 2, 3]",
          "[3, 1, 2]",
          "['b', 'a', 'c']",
          "[1, [2, [3, [4]]]]",
          "[, 1]",
          "[1, , 3]",
          "[0, -0, NaN]",
          "[null, undefined, 0]",
          "[{ a: 1 }, { a: 2 }]",
          "['10', '9', '1']",
          "[1.5, -2, 10]",
        ]);
      case "obj":
        // In parentheses: at the start of an arrow's body, braces would open a block.
        return `(${pick(["{}", "{ a: 1 }", "{ b: 2, a: 1 }", "{ 2: 'x', b: 1, 1: 'y' }", "{ a: { b: [1] } }", "{ n: -0, s: 'z' }", "{ list: [1, 2] }"])})`;
      case "nullish":
        return pick(["null", "undefined"]);
      default:
        return this.leaf(pick(["num", "str", "bool", "arr", "obj", "nullish"]), scope);
    }
  }

  expr(type, scope, depth) {
    const { pick, chance } = this;
    if (depth <= 0 || chance(0.25)) return this.leaf(type, scope);
    const d = depth - 1;
    const e = (t) => this.expr(t, scope, d);
    switch (type) {
      case "num":
        return pick([
          () => `${e("num")} ${pick(["+", "-", "*", "/", "%", "**"])} ${e("num")}`,
          () => `(${e("any")}) ${pick(["&", "|", "^", "<<", ">>", ">>>"])} ${e("num")}`,
          () => `${pick(["-", "+", "~"])}(${e("any")})`,
          () =>
            `Math.${pick(["abs", "floor", "ceil", "round", "trunc", "sign", "sqrt", "cbrt", "exp", "log", "log2", "log10"])}(${e("num")})`,
          () =>
            `Math.${pick(["min", "max", "hypot", "pow"])}(${Array.from({ length: Math.floor(this.rand() * 4) }, () => e("num")).join(", ")})`,
          () => `Math.hypot(${pick(["1e200, 1e200", "3, 4", "1e-200, 1e-200", "-0", "", "NaN, Infinity", "1e154, 1e154"])})`,
          () => `Number(${e("any")})`,
          () => `parseInt(${e("str")}${chance(0.4) ? `, ${pick(["2", "8", "10", "16", "36", "0", "1", "37"])}` : ""})`,
          () => `parseFloat(${e("str")})`,
          () => `${e("str")}.length`,
          () => `${e("arr")}.length`,
          () =>
            `${e("arr")}.${pick(["indexOf", "lastIndexOf", "findIndex"])}(${pick(["findIndex"]).length && chance(0.5) ? `v => v ${pick(["==", "===", ">", "<"])} ${e("num")}` : e("any")})`,
          () => `${e("arr")}.reduce((acc, v) => acc + ${chance(0.5) ? "v" : e("num")}, ${e("num")})`,
          () => `${e("str")}.charCodeAt(${e("num")})`,
          () => `${e("str")}.codePointAt(${e("num")})`,
          () => `${e("str")}.localeCompare(${e("str")})`,
          () => `(${e("num")}) ${pick(["*", "+"])} ${e("any")}`,
        ])();
      case "str":
        return pick([
          () => `${e("any")} + ${e("str")}`,
          () => `String(${e("any")})`,
          () => `\`${pick(["", "a", "<"])}\${${e("any")}}${pick(["", "b", "-"])}\${${e("any")}}\``,
          () => `(${e("num")}).toFixed(${pick(["0", "1", "2", "5", "20"])})`,
          () => `(${e("num")}).toString(${pick(["2", "3", "8", "16", "36", "7", ""])})`,
          () => `${e("str")}.${pick(["toUpperCase", "toLowerCase", "trim", "trimStart", "trimEnd"])}()`,
          () => `${e("str")}.${pick(["slice", "substring", "at", "charAt"])}(${e("num")}${chance(0.5) ? `, ${e("num")}` : ""})`,
          () => `${e("str")}.${pick(["padStart", "padEnd"])}(${pick(["5", "8", "0", "-1"])}${chance(0.5) ? `, ${e("str")}` : ""})`,
          () => `${e("str")}.repeat(${pick(["0", "1", "2", "3"])})`,
          () =>
            `${e("str")}.${pick(["replace", "replaceAll"])}(${e("str")}, ${chance(0.3) ? "m => m + '!'" : pick(["'$&$&'", "'$$'", '"$\'"', "'-'", "''"])})`,
          () => `${e("arr")}.join(${chance(0.5) ? e("str") : ""})`,
          () => `JSON.stringify(${e("any")}${chance(0.3) ? `, null, ${pick(["2", "'\\t'", "0"])}` : ""})`,
          () => `typeof ${e("any")}`,
          () => `${e("str")}.concat(${e("any")})`,
          () => `${e("str")}.split(${e("str")})${chance(0.5) ? ".join('|')" : ".length + ''"}`,
          () => `${e("arr")}.toString()`,
        ])();
      case "bool":
        return pick([
          () => `${e("any")} ${pick(["==", "!=", "===", "!==", "<", "<=", ">", ">="])} ${e("any")}`,
          () => `!${e("any")}`,
          () => `${e("arr")}.${pick(["some", "every"])}(v => ${this.expr("bool", [...scope, "v"], d)})`,
          () => `${e("arr")}.includes(${e("any")})`,
          () => `${e("str")}.${pick(["includes", "startsWith", "endsWith"])}(${e("str")})`,
          () => `Array.isArray(${e("any")})`,
          () => `Number.${pick(["isInteger", "isSafeInteger", "isFinite", "isNaN"])}(${e("any")})`,
          () => `${pick(["isNaN", "isFinite", "Boolean"])}(${e("any")})`,
          () => `${pick(KEYS.map((k) => `'${k}'`))} in ${e("obj")}`,
        ])();
      case "arr":
        return pick([
          () => `[${e("any")}, ${e("any")}]`,
          () => `[${chance(0.5) ? "" : e("any")}, , ${e("any")}]`,
          () => `[...${e("arr")}, ${e("any")}]`,
          () => `[...${e("str")}]`,
          () => {
            const v = this.fresh();
            return `${e("arr")}.${pick(["map", "flatMap"])}((${v}${chance(0.3) ? ", i" : ""}) => ${this.expr("any", [...scope, v], d)})`;
          },
          () => {
            const v = this.fresh();
            return `${e("arr")}.filter(${v} => ${this.expr("any", [...scope, v], d)})`;
          },
          () => `${e("arr")}.${pick(["slice", "concat"])}(${e("any")})`,
          () => `${e("arr")}.${pick(["flat", "reverse", "toReversed"])}(${pick(["", "1", "2", "Infinity"])})`,
          () =>
            `${e("arr")}.${pick(["sort", "toSorted"])}(${chance(0.5) ? pick(["(a, b) => a - b", "(a, b) => b - a", "(a, b) => (a < b ? -1 : a > b ? 1 : 0)", "(a, b) => String(a).localeCompare(String(b))"]) : ""})`,
          () => `Object.${pick(["keys", "values", "entries"])}(${e(pick(["obj", "arr", "str"]))})`,
          () => `Array.of(${e("any")}, ${e("any")})`,
          () => `${e("str")}.split(${e("str")}${chance(0.3) ? `, ${pick(["0", "1", "2"])}` : ""})`,
          () => `JSON.parse(${pick(["'[1, 2.50, \"x\", null]'", "'[]'", "'[1e400, -0]'"])})`,
        ])();
      case "obj":
        return pick([
          () =>
            `({ ${pick(KEYS.map((k) => (/^\w+$/.test(k) ? k : `'${k}'`)))}: ${e("any")}, ${pick(["a", "b", "'1'", "0"])}: ${e("any")} })`,
          () => `({ ...${e("obj")}, ${pick(["a", "z", "'3'"])}: ${e("any")} })`,
          () => `({ ...${e(pick(["arr", "str"]))} })`,
          () => `({ [${e("any")}]: ${e("any")} })`,
          () => `Object.fromEntries(${pick(["[['a', 1], ['b', 2]]", `Object.entries(${e("obj")})`, "[[1, 'x'], ['0', 'y']]"])})`,
          () => `Object.assign({}, ${e("obj")}, ${e("obj")})`,
          () => `JSON.parse(${pick(['\'{"b": 1, "a": [true]}\'', '\'{"2": 1, "1": 2, "x": 3}\'', "'{}'"])})`,
        ])();
      default:
        return pick([
          () => e(pick(["num", "str", "bool", "arr", "obj"])),
          () => `${e("bool")} ? ${e("any")} : ${e("any")}`,
          () => `${e("any")} ${pick(["&&", "||", "??"])} ${e("any")}`,
          () => `${e(pick(["obj", "any"]))}${pick([".", "?."])}${pick(PROPS)}`,
          () => `${e(pick(["arr", "str", "any"]))}${chance(0.3) ? "?." : ""}[${e("num")}]`,
          () => `${e("arr")}.${pick(["find", "findLast"])}(v => ${this.expr("bool", [...scope, "v"], d)})`,
          () => `${e("arr")}.at(${e("num")})`,
          () => `(${pick(scope)})`,
        ])();
    }
  }
}
