//! `edit-fields` templates (`{{ path }}`) rendered against input data.

use atomiton_core::format::{parse_json_value, ParseLimits};
use atomiton_core::json;
use atomiton_core::value::Value;
use atomiton_core::NodeDefinition;

use crate::files::MemoryHost;

/// `template NUL data`: the template as an `edit-fields` value, rendered against the data
/// (JSON, or an object with a few fields).
pub fn template(data: &[u8]) {
    let (template, input) = crate::split(data);
    let template = String::from_utf8_lossy(template).into_owned();
    let input = std::str::from_utf8(input)
        .ok()
        .and_then(|text| {
            parse_json_value(text, &ParseLimits { max_depth: 64, max_values: 10_000 }).ok()
        })
        .unwrap_or_else(
            || json!({"name": "Ada", "list": [1, "two", null, [3]], "nested": {"a": {"b": "<&>"}}}),
        );
    let node = NodeDefinition::new("edit", "edit-fields")
        .with_param("values", json!({"out": template.clone(), "kept": 1}));
    let result = MemoryHost::default().run(node, Some(json!({"data": input})));
    match (&result.error, &result.data) {
        (Some(error), _) => assert!(!error.message.is_empty()),
        (None, Some(data)) => {
            let out = &data["result"]["out"];
            assert!(matches!(out, Value::String(_)), "a template renders to text: {out:?}");
            // Escaping is applied to the whole output.
            assert!(!out.as_str().unwrap_or("").contains('<'), "unescaped output {out:?}");
        }
        (None, None) => panic!("a successful edit-fields has an output"),
    }
}
