/**
 * The node catalog and the bundled templates for the browser modules, which are built without the
 * engine code that makes them (the size budget): answered from the data the engine's own catalog
 * functions gave (`catalog.generated.ts`, rewritten by `scripts/generate-ts.sh`), in the envelopes
 * they give.
 */
import type { FullCatalog } from "../session/catalog.js";
import type { CatalogFunctions } from "../session/methods.generated.js";
import { CATEGORIES, NODE_DEFINITIONS, TEMPLATE_LIST, TEMPLATES } from "./catalog.generated.js";

const answer = (value: unknown): string => JSON.stringify({ ok: true, value });
const definition = (type: string) => NODE_DEFINITIONS.find((d) => d.type === type) ?? null;

const CATALOG_DATA: Pick<
  FullCatalog,
  "nodeDefinitions" | "nodeDefinition" | "nodeDefinitionsByCategory" | "listTemplates" | "getTemplate"
> = {
  nodeDefinitions: () => answer(NODE_DEFINITIONS),
  nodeDefinition: (type) => answer(definition(type)),
  nodeDefinitionsByCategory: () => answer(CATEGORIES.map((group) => ({ ...group, items: group.items.map(definition) }))),
  listTemplates: () => answer(TEMPLATE_LIST),
  getTemplate: (id) => {
    const found = TEMPLATES.find((t) => t.id === id || t.slug === id);
    if (found) return answer(found.definition);
    // The engine's answer without its did-you-mean (the browser modules leave the catalog's code out).
    const error = {
      code: "NODE_NOT_FOUND",
      message: `Flow template ${id} not found`,
      context: { templates: TEMPLATES.map((t) => t.slug) },
    };
    return JSON.stringify({ ok: false, error });
  },
};

/** A browser module's catalog functions, with the catalog and templates from the generated data. */
export function withCatalogData(functions: CatalogFunctions): FullCatalog {
  return new Proxy(functions, {
    get: (target, name) =>
      Object.hasOwn(CATALOG_DATA, name) ? CATALOG_DATA[name as keyof typeof CATALOG_DATA] : target[name as keyof CatalogFunctions],
  }) as FullCatalog;
}
