//! UI field configs derived from a schema (`createFieldsFromSchema`), with the
//! per-type UI overrides each schema declares.

use crate::json;
use crate::value::{Map, Value};

use super::{
    base_params, field_label, option_label, FieldOverrides, NodeSchema, ParamKind, ParamSpec,
    TextFormat,
};

impl NodeSchema {
    /// UI field configs (`NodeFieldsConfig`), base fields first when included.
    pub fn fields(&self) -> Map {
        fields(self)
    }
}

fn fields(schema: &NodeSchema) -> Map {
    let mut out = Map::new();
    let base = if schema.base_fields { base_params() } else { Vec::new() };
    let shown = |spec: &&ParamSpec| !spec.ui.hidden && !matches!(spec.kind, ParamKind::Only { .. });
    for spec in base.iter().chain(&schema.params).filter(shown) {
        out.insert(spec.name.to_owned(), Value::Object(field(spec, schema.derived_hints)));
    }
    out
}

fn field(spec: &ParamSpec, hints: bool) -> Map {
    let mut f = Map::new();
    let control = match &spec.kind {
        ParamKind::Text { format: TextFormat::Url, .. } => "url",
        ParamKind::Text { format: TextFormat::Email, .. } => "email",
        ParamKind::Text { .. }
        | ParamKind::Expression(_)
        | ParamKind::Any
        | ParamKind::Only { .. } => "text",
        ParamKind::Number { .. } => "number",
        ParamKind::Boolean => "boolean",
        ParamKind::Enum(_) => "select",
        ParamKind::StringList { .. }
        | ParamKind::StringListOrJson
        | ParamKind::Array
        | ParamKind::RecordOrJson
        | ParamKind::StringRecordOrJson => "json",
    };
    f.insert("controlType", json!(control));
    f.insert("label", json!(field_label(spec.name)));
    if let Some(description) = spec.description {
        f.insert("helpText", json!(description));
    }
    if hints {
        // Defaults still count as required, as in the TypeScript engine.
        f.insert("required", json!(!spec.optional));
        if let Some(default) = spec.default.or(spec.declared_default) {
            f.insert("placeholder", json!(format!("Default: {}", placeholder_text(&default()))));
        }
    }
    match &spec.kind {
        ParamKind::Number { min, max, exclusive_min, .. } => {
            if let Some(min) = min {
                f.insert("min", number(if *exclusive_min { min + 1.0 } else { *min }));
            }
            if let Some(max) = max {
                f.insert("max", number(*max));
            }
        }
        // A string's `.min(n)` is a check like a number's, so it shows up as `min` too.
        ParamKind::Text { min_len, .. } if *min_len > 0 => {
            f.insert("min", json!(min_len));
        }
        _ => {}
    }
    if let ParamKind::Enum(values) = &spec.kind {
        f.insert("options", options(values.iter().map(|v| (*v, option_label(v)))));
    }
    apply(&mut f, &spec.ui);
    f
}

fn options<'a>(pairs: impl Iterator<Item = (&'a str, String)>) -> Value {
    Value::Array(pairs.map(|(value, label)| json!({"value": value, "label": label})).collect())
}

/// `String(value)` for strings, numbers and booleans; objects and arrays as JSON, cut to 50
/// characters with "...".
fn placeholder_text(value: &Value) -> String {
    match value {
        Value::String(s) => s.to_string(),
        Value::Object(_) | Value::Array(_) => {
            let json = value.to_string();
            if json.chars().count() > 50 {
                format!("{}...", json.chars().take(47).collect::<String>())
            } else {
                json
            }
        }
        other => other.to_string(),
    }
}

/// A number as JS would print it: integral values without a fraction (`1000`, not `1000.0`).
fn number(n: f64) -> Value {
    if n.fract() == 0.0 && n.abs() < 9_007_199_254_740_992.0 {
        json!(n as i64)
    } else {
        json!(n)
    }
}

fn apply(f: &mut Map, ui: &FieldOverrides) {
    if let Some(control) = ui.control {
        f.insert("controlType", json!(control));
    }
    if let Some(label) = ui.label {
        f.insert("label", json!(label));
    }
    if let Some(placeholder) = ui.placeholder {
        f.insert("placeholder", json!(placeholder));
    }
    if let Some(help) = ui.help_text {
        f.insert("helpText", json!(help));
    }
    if let Some(rows) = ui.rows {
        f.insert("rows", json!(rows));
    }
    if let Some(min) = ui.min {
        f.insert("min", number(min));
    }
    if let Some(max) = ui.max {
        f.insert("max", number(max));
    }
    if let Some(step) = ui.step {
        f.insert("step", number(step));
    }
    if let Some(pairs) = ui.options {
        f.insert("options", options(pairs.iter().map(|(v, l)| (*v, (*l).to_owned()))));
    }
}

#[cfg(test)]
mod tests {
    use crate::json;
    use crate::value::{Map, Value};

    use super::super::{NodeSchema, ParamKind, ParamSpec};
    use super::FieldOverrides;

    fn field(schema: &NodeSchema, key: &str) -> Value {
        schema.fields()[key].clone()
    }

    #[test]
    fn a_declared_default_is_shown_but_never_applied() {
        let schema =
            NodeSchema::new(vec![ParamSpec::new("quality", ParamKind::number_range(1.0, 100.0))
                .declared_default(|| json!(90))]);
        let quality = field(&schema, "quality");
        assert_eq!(quality["placeholder"], json!("Default: 90"));
        assert_eq!(quality["required"], json!(false));
        assert_eq!((quality["min"].clone(), quality["max"].clone()), (json!(1), json!(100)));
        assert!(schema.with_defaults(&Map::new()).get("quality").is_none());
        assert!(schema.defaults().is_empty());
        assert!(schema.check(&Map::new()).is_empty());
    }

    #[test]
    fn hand_written_fields_have_no_derived_hints() {
        let schema = NodeSchema::new(vec![ParamSpec::new(
            "timeout",
            ParamKind::number_range(1000.0, 300000.0),
        )
        .default(|| json!(30000))
        .describe("Maximum execution time in milliseconds")
        .ui(FieldOverrides::NONE.label("Timeout (ms)"))])
        .without_base_fields()
        .without_derived_hints();
        assert_eq!(
            Value::Object(schema.fields()),
            json!({"timeout": {
                "controlType": "number", "label": "Timeout (ms)",
                "helpText": "Maximum execution time in milliseconds", "min": 1000, "max": 300000
            }})
        );
        // The schema itself is unchanged: the default still applies.
        assert_eq!(schema.with_defaults(&Map::new())["timeout"], json!(30000));
    }

    #[test]
    fn a_minimum_string_length_shows_as_min() {
        let schema = NodeSchema::new(vec![
            ParamSpec::new("path", ParamKind::text_min(1)),
            ParamSpec::new("note", ParamKind::text()),
        ]);
        assert_eq!(field(&schema, "path")["min"], json!(1));
        assert!(field(&schema, "note").get("min").is_none());
    }

    #[test]
    fn integral_bounds_are_integers_and_fractions_stay_fractions() {
        let schema =
            NodeSchema::new(vec![ParamSpec::new("opacity", ParamKind::number_range(0.0, 1.0))
                .ui(FieldOverrides::NONE.min(0.0).max(1.0).step(0.1))]);
        let opacity = field(&schema, "opacity");
        assert_eq!(serde_json::to_string(&opacity["min"]).unwrap(), "0");
        assert_eq!(serde_json::to_string(&opacity["max"]).unwrap(), "1");
        assert_eq!(serde_json::to_string(&opacity["step"]).unwrap(), "0.1");
        let positive = NodeSchema::new(vec![ParamSpec::new("width", ParamKind::positive())]);
        assert_eq!(serde_json::to_string(&field(&positive, "width")["min"]).unwrap(), "1");
    }

    #[test]
    fn only_objects_and_arrays_are_cut_in_placeholders() {
        let schema = NodeSchema::new(vec![
            ParamSpec::new("text", ParamKind::text()).default(|| json!("y".repeat(60))),
            ParamSpec::new("object", ParamKind::RecordOrJson)
                .default(|| json!({"a_rather_long_key": "and an even longer value, past fifty"})),
            ParamSpec::new("list", ParamKind::StringListOrJson).default(|| json!([])),
        ]);
        assert_eq!(
            field(&schema, "text")["placeholder"],
            json!(format!("Default: {}", "y".repeat(60)))
        );
        let object = field(&schema, "object")["placeholder"].as_str().unwrap().to_owned();
        assert_eq!(
            object,
            format!(
                "Default: {}...",
                &json!({"a_rather_long_key": "and an even longer value, past fifty"}).to_string()
                    [..47]
            )
        );
        assert_eq!(field(&schema, "list")["placeholder"], json!("Default: []"));
    }

    #[test]
    fn base_fields_carry_their_help_texts() {
        let fields = NodeSchema::new(vec![]).fields();
        let help: Vec<(&str, &str)> =
            fields.iter().map(|(k, f)| (k.as_str(), f["helpText"].as_str().unwrap())).collect();
        assert_eq!(
            help,
            [
                ("enabled", "Whether this node is enabled for execution"),
                ("timeout", "Maximum execution time in milliseconds"),
                ("retries", "Number of retry attempts on failure"),
                ("label", "Custom label for this node instance"),
                ("description", "Custom description for this node instance"),
            ]
        );
    }
}
