/**
 * The catalog functions an engine answers with: every one a module declares (the node catalog and
 * the bundled templates are only in modules built with the `catalog` feature: the native addon
 * and the Node fallback; the browser modules answer them from generated data instead).
 */
import type { CatalogFunctions } from "./methods.generated.js";

/** Every catalog function, present. */
export type FullCatalog = Required<CatalogFunctions>;

const BUILT_WITH_CATALOG = ["nodeDefinitions", "nodeDefinition", "nodeDefinitionsByCategory", "listTemplates", "getTemplate"] as const;

/** `functions` of a module built with its catalog; one without is a packaging mistake, said as such. */
export function fullCatalog(functions: CatalogFunctions): FullCatalog {
  const missing = BUILT_WITH_CATALOG.filter((name) => typeof functions[name] !== "function");
  if (missing.length > 0) throw new Error(`@atomiton/conductor: this engine module was built without its catalog (${missing.join(", ")})`);
  return functions as FullCatalog;
}
