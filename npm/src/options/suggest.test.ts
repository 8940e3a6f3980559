/**
 * The package's did-you-mean against the engine's: both read the same cases
 * (tests/did-you-mean.json, at the repository's root), so the two cannot drift apart.
 */
import * as assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";
import { nearest } from "./suggest.js";

type Case = { given: string; known: string[]; meant: string | null };

// From src/options/ or its compiled copy in .unit/options/: three folders up is the repository.
const cases = (JSON.parse(readFileSync(new URL("../../../tests/did-you-mean.json", import.meta.url), "utf8")) as { cases: Case[] }).cases;

test("every case of the shared did-you-mean file finds the name the engine finds", () => {
  assert.ok(cases.length >= 20, "the cases are read");
  for (const { given, known, meant } of cases)
    assert.equal(nearest(given, known) ?? null, meant, `${JSON.stringify(given)} among ${known.join(", ")}`);
});
