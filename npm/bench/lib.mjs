// What the benchmark programs share: timing, medians, the flows they run and the report line.

export const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
export const now = () => Number(process.hrtime.bigint()) / 1e6; // ms

/**
 * `a` and `b` run turn about, `rounds` times each: the median duration (ms) of each, and the
 * median of their ratio round by round (both met the same moment of a noisy machine).
 */
export async function paired(rounds, a, b) {
  const [as, bs, ratios] = [[], [], []];
  for (let i = 0; i < rounds; i++) {
    let start = now();
    await a();
    const ta = now() - start;
    start = now();
    await b();
    const tb = now() - start;
    as.push(ta);
    bs.push(tb);
    ratios.push(ta / tb);
  }
  return { a: median(as), b: median(bs), ratio: median(ratios) };
}

/** The median duration (ms) of `rounds` runs of `body`. */
export async function measure(rounds, body) {
  const samples = [];
  for (let i = 0; i < rounds; i++) {
    const start = now();
    await body();
    samples.push(now() - start);
  }
  return median(samples);
}

/** A chain `n0 → n1 → …` of `n` nodes of `type` (a type, or a function of the index). */
export function chainFlow(n, type, params = () => ({})) {
  return {
    id: `chain-${n}`,
    type: "group",
    nodes: Array.from({ length: n }, (_, i) => ({ id: `n${i}`, type: typeof type === "function" ? type(i) : type, parameters: params(i) })),
    edges: Array.from({ length: n - 1 }, (_, i) => ({ id: `e${i}`, source: `n${i}`, target: `n${i + 1}` })),
  };
}

/** `n` independent nodes of `type`. */
export function fanFlow(n, type) {
  return { id: `fan-${n}`, type: "group", nodes: Array.from({ length: n }, (_, i) => ({ id: `n${i}`, type })), edges: [] };
}

/** One result line: name, value, unit, and the budget verdict when there is one. */
export function report(name, value, unit, budget) {
  const verdict =
    budget === undefined ? "" : value <= budget ? `  (budget ${budget} ${unit}: within)` : `  (budget ${budget} ${unit}: OVER)`;
  console.log(`${name.padEnd(60)} ${value.toFixed(value < 10 ? 2 : 1).padStart(9)} ${unit}${verdict}`);
}
