//! `npm/src/engines/wasm/catalog.generated.ts`: the node catalog and the bundled templates as
//! this crate's module functions give them, as data, for the browser modules — which do not
//! link this crate, so carry none of the code that makes them. `scripts/generate-ts.sh` writes
//! it (`ATOMITON_WRITE_TS=1`); otherwise the test fails when it is stale.

use std::fmt::Write;
use std::path::Path;

use atomiton_catalog::functions as catalog;
use atomiton_core::value::Value;

/// The generated files' first line (the engine's own generated files start with it too).
const HEADER: &str = "// Generated from the Rust engine by scripts/generate-ts.sh. Do not edit.\n";

#[test]
fn the_generated_catalog_is_current() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../npm/src/engines/wasm/catalog.generated.ts");
    let text = catalog_file(HEADER);
    if std::env::var_os("ATOMITON_WRITE_TS").is_some() {
        std::fs::write(&path, &text).unwrap_or_else(|e| panic!("writing {}: {e}", path.display()));
    } else {
        let current = std::fs::read_to_string(&path).unwrap_or_default();
        assert!(
            current == text,
            "{} differs from the catalog: run scripts/generate-ts.sh and commit the result",
            path.display()
        );
    }
}

/// The `value` of an outcome text.
fn value_of(outcome: &str) -> Value {
    serde_json::from_str::<Value>(outcome)
        .ok()
        .and_then(|o| o.get("value").cloned())
        .unwrap_or(Value::Null)
}

/// The generated file's text.
fn catalog_file(header: &str) -> String {
    let mut out = String::from(header);
    out.push_str("// The node catalog and the bundled templates, as the engine's catalog functions give them (the\n// browser modules leave the code that makes them out: the `catalog` feature).\n\n");
    let definitions = value_of(&catalog::node_definitions());
    let _ = writeln!(out, "/** `nodeDefinitions()`. */\nexport const NODE_DEFINITIONS: readonly Record<string, unknown>[] = {definitions};\n");
    // The categories as the engine groups them, each item named by its type.
    let mut categories = value_of(&catalog::node_definitions_by_category());
    if let Value::Array(groups) = &mut categories {
        for group in groups {
            if let Value::Object(fields) = group {
                if let Some(Value::Array(items)) = fields.get_mut("items") {
                    for item in items.iter_mut() {
                        *item = item.get("type").cloned().unwrap_or(Value::Null);
                    }
                }
            }
        }
    }
    let _ = writeln!(out, "/** `nodeDefinitionsByCategory()`, each item by its type. */\nexport const CATEGORIES: readonly {{ name: string; title: string; items: string[] }}[] = {categories};\n");
    let _ = writeln!(
        out,
        "/** `listTemplates()`. */\nexport const TEMPLATE_LIST = {};\n",
        value_of(&catalog::list_templates())
    );
    out.push_str("/** Each template's definition, under its id and its slug. */\nexport const TEMPLATES: readonly { id: string; slug: string; definition: Record<string, unknown> }[] = [\n");
    for info in atomiton_catalog::list_templates() {
        let definition = value_of(&catalog::get_template(&info.id));
        let _ = writeln!(
            out,
            "  {{ id: {:?}, slug: {:?}, definition: {definition} }},",
            info.id, info.slug
        );
    }
    out.push_str("];\n");
    out
}
