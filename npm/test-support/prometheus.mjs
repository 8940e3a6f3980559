// `/metrics` text read by the Prometheus project's own parser (prometheus_client's
// `text_string_to_metric_families`, installed into target/test-venv by scripts/setup.sh): what a
// Prometheus server accepts, as samples `{name, labels, value}` by family.
import { execFileSync } from "node:child_process";
import { fileURLToPath } from "node:url";

const PYTHON = fileURLToPath(new URL("../../target/test-venv/bin/python", import.meta.url));
const SCRIPT = `
import json, sys
from prometheus_client.parser import text_string_to_metric_families
families = [
    {"name": f.name, "type": f.type, "samples": [{"name": s.name, "labels": s.labels, "value": s.value} for s in f.samples]}
    for f in text_string_to_metric_families(sys.stdin.read())
]
print(json.dumps(families))
`;

/** The families of a Prometheus text exposition; throws when the text is not valid. */
export function parsePrometheus(text) {
  return JSON.parse(execFileSync(PYTHON, ["-c", SCRIPT], { input: text, encoding: "utf8" }));
}

/** The sum of the samples named `sample` whose labels include `labels`. */
export function sampleSum(families, sample, labels = {}) {
  const samples = families.flatMap((f) => f.samples).filter((s) => s.name === sample);
  if (samples.length === 0)
    throw new Error(`no sample ${sample} in: ${[...new Set(families.flatMap((f) => f.samples.map((s) => s.name)))].join(", ")}`);
  return samples.filter((s) => Object.entries(labels).every(([k, v]) => s.labels[k] === v)).reduce((sum, s) => sum + s.value, 0);
}
