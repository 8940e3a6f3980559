/**
 * "Did you mean ...?": the known name nearest a misspelt one. The same rule as the engine's
 * (core/src/options/suggest.rs), which reports node parameters and ports: both are held to the
 * cases of tests/did-you-mean.json (suggest.test.ts here, the engine's unit tests there).
 */

/**
 * The candidate nearest `given`, when one is near enough to be what was meant: the same name in
 * another case, an abbreviation (`dir` for `directory`), or a few letters apart (insertions,
 * deletions, substitutions and swaps of neighbours, at most a third of the name).
 */
export function nearest(given: string, candidates: Iterable<string>): string | undefined {
  const wanted = given.toLowerCase();
  let best: { score: number; name: string } | undefined;
  for (const candidate of candidates) {
    const lower = candidate.toLowerCase();
    let score: number;
    if (lower === wanted) score = 0;
    // Letters, not UTF-16 units: the engine counts a name's characters.
    else if ([...wanted].length >= 3 && (lower.startsWith(wanted) || wanted.startsWith(lower))) score = 1;
    else {
      const d = distance(wanted, lower);
      const allowed = Math.max(1, Math.floor(Math.min([...wanted].length, [...lower].length) / 3));
      if (d > allowed) continue;
      score = d + 1;
    }
    if (!best || score < best.score) best = { score, name: candidate };
  }
  return best?.name;
}

/** Edits from `a` to `b`, swaps of neighbouring letters counted as one (optimal string alignment). */
function distance(a: string, b: string): number {
  const x = [...a];
  const y = [...b];
  let before = new Array<number>(y.length + 1).fill(0);
  let previous = Array.from({ length: y.length + 1 }, (_, j) => j);
  let current = new Array<number>(y.length + 1).fill(0);
  const at = (row: number[], j: number): number => row[j] ?? 0;
  for (let i = 1; i <= x.length; i++) {
    current[0] = i;
    for (let j = 1; j <= y.length; j++) {
      const cost = x[i - 1] === y[j - 1] ? 0 : 1;
      let d = Math.min(at(previous, j) + 1, at(current, j - 1) + 1, at(previous, j - 1) + cost);
      if (i > 1 && j > 1 && x[i - 1] === y[j - 2] && x[i - 2] === y[j - 1]) d = Math.min(d, at(before, j - 2) + 1);
      current[j] = d;
    }
    [before, previous, current] = [previous, current, before];
  }
  return at(previous, y.length);
}
