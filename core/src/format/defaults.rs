//! The defaults the TypeScript engine's factories apply (`createNodeDefinition`, ...) — used by the YAML
//! flow reader and by the node catalog.

use crate::json;
use crate::value::{Map, Value};

/// Categories accepted by the YAML reader; anything else becomes `"user"`.
pub const CATEGORIES: &[&str] = &[
    "io",
    "data",
    "logic",
    "media",
    "system",
    "ai",
    "database",
    "analytics",
    "communication",
    "utility",
    "user",
    "group",
];

/// Icons accepted by the YAML reader; anything else becomes `"file"`.
pub const ICONS: &[&str] = &[
    "file",
    "folder",
    "database",
    "table-2",
    "cloud",
    "globe-2",
    "mail",
    "message-square",
    "code-2",
    "terminal",
    "cpu",
    "git-branch",
    "wand-2",
    "zap",
    "filter",
    "search",
    "transform",
    "repeat",
    "pencil",
    "pencil-line",
    "image",
    "layers",
    "activity",
    "bar-chart",
    "lock",
    "unlock",
    "shield",
    "user",
    "users",
    "settings",
    "plus",
    "minus",
    "check",
    "x",
    "alert-triangle",
    "info",
    "help-circle",
];

/// Metadata sources accepted by the YAML reader; anything else becomes `"user"`.
pub const SOURCES: &[&str] = &["system", "user", "community", "organization", "marketplace"];

/// Runtime languages accepted by the YAML reader; anything else becomes `"typescript"`.
pub const RUNTIMES: &[&str] = &["typescript", "python", "rust", "wasm", "golang"];

/// Edge types kept by the YAML reader; anything else is dropped.
pub const EDGE_TYPES: &[&str] = &["bezier", "straight", "step", "smoothstep"];

/// `titleCase`: lower-cases, then capitalises words split on whitespace, `-` and `_`
/// (`"HTTP Request"` → `"Http Request"`).
pub fn title_case(text: &str) -> String {
    text.to_lowercase()
        .split(|c: char| c.is_whitespace() || c == '-' || c == '_')
        .filter(|word| !word.is_empty())
        .map(|word| {
            let mut chars = word.chars();
            match chars.next() {
                Some(first) => first.to_uppercase().chain(chars).collect::<String>(),
                None => String::new(),
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// `createNodeParameters`: `{enabled: true, timeout: 30000, retries: 1, ...params}`.
pub fn node_parameter_defaults(params: Map) -> Map {
    let mut out = Map::with_capacity(params.len() + 3);
    out.insert("enabled", Value::Bool(true));
    out.insert("timeout", json!(30000));
    out.insert("retries", json!(1));
    for (key, value) in params {
        out.insert(key, value);
    }
    out
}

fn truthy_str(map: &Map, key: &str) -> Option<String> {
    match map.get(key) {
        Some(Value::String(s)) if !s.is_empty() => Some(s.to_string()),
        _ => None,
    }
}

fn truthy(value: Option<&Value>) -> Option<&Value> {
    value.filter(|v| match v {
        Value::Null | Value::Bool(false) => false,
        Value::String(s) => !s.is_empty(),
        Value::Number(n) => n.as_f64().is_some_and(|f| f != 0.0),
        _ => true,
    })
}

/// `createNodeMetadata`: fills display defaults and keeps every other key that was given.
pub fn node_metadata_defaults(input: &Map) -> Map {
    let id = truthy_str(input, "id").unwrap_or_else(|| "node".to_owned());
    let name = title_case(&truthy_str(input, "name").unwrap_or_else(|| "Node".to_owned()));
    let category = truthy_str(input, "category").unwrap_or_else(|| "utility".to_owned());
    let mut out = Map::new();
    out.insert("id", Value::from(id.clone()));
    out.insert("name", Value::from(name.clone()));
    out.insert(
        "author",
        Value::from(truthy_str(input, "author").unwrap_or_else(|| "Atomiton Core Team".to_owned())),
    );
    out.insert(
        "description",
        Value::from(truthy_str(input, "description").unwrap_or_else(|| format!("{name} node"))),
    );
    out.insert("category", Value::from(category.clone()));
    out.insert(
        "icon",
        Value::from(truthy_str(input, "icon").unwrap_or_else(|| "code-2".to_owned())),
    );
    let keywords =
        truthy(input.get("keywords")).cloned().unwrap_or_else(|| generated_keywords(&id, &name));
    out.insert("keywords", keywords);
    let tags = truthy(input.get("tags")).cloned().unwrap_or_else(|| {
        let mut tags: Vec<String> = Vec::new();
        for tag in id.split('-').map(str::to_owned).chain(std::iter::once(category.clone())) {
            if !tags.contains(&tag) {
                tags.push(tag);
            }
        }
        json!(tags)
    });
    out.insert("tags", tags);
    out.insert(
        "runtime",
        truthy(input.get("runtime")).cloned().unwrap_or_else(|| json!({"language": "typescript"})),
    );
    out.insert(
        "experimental",
        input.get("experimental").filter(|v| !v.is_null()).cloned().unwrap_or(Value::Bool(false)),
    );
    out.insert(
        "deprecated",
        input.get("deprecated").filter(|v| !v.is_null()).cloned().unwrap_or(Value::Bool(false)),
    );
    for (key, value) in input {
        if !out.contains_key(key) && !value.is_null() {
            out.insert(key.clone(), value.clone());
        }
    }
    out
}

fn generated_keywords(id: &str, name: &str) -> Value {
    let mut words: Vec<String> = Vec::new();
    let lower = name.to_lowercase();
    for word in id.split(['-', '_']).chain(lower.split_whitespace()) {
        if word.chars().count() > 2 && !words.iter().any(|w| w == word) {
            words.push(word.to_owned());
        }
    }
    json!(words)
}

/// Keeps `value` when it is one of `allowed`, otherwise returns `fallback`.
pub fn one_of(value: Option<&Value>, allowed: &[&str], fallback: &str) -> String {
    match value.and_then(Value::as_str) {
        Some(s) if allowed.contains(&s) => s.to_owned(),
        _ => fallback.to_owned(),
    }
}
