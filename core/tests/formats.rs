//! JSON and YAML flow formats (the model, the YAML flow format, the documented example flow).

use atomiton_core::format::{
    definition_to_json, definition_to_yaml, parse_definition_json, parse_definition_yaml,
    parse_flow_yaml, parse_flow_yaml_documents, parse_yaml_value, to_json_document, to_yaml_string,
    write_json, ParseLimits,
};
use atomiton_core::json;
use atomiton_core::value::Value;
use atomiton_core::{ErrorCode, NodeDefinition};
use proptest::prelude::*;

const EXAMPLE: &str = r#"
id: "example-flow"
name: "Double And Summarise"
description: "Doubles numbers then builds a summary object"
type: "group"
version: "1.0.0"
metadata:
  author: "Example"
  category: "data"
  icon: "wand-2"
  tags: ["example"]
nodes:
  - id: "numbers"
    type: "transform"
    name: "Double Numbers"
    version: "1.0.0"
    metadata:
      id: "transform"
      name: "Transform"
      category: "data"
      icon: "wand-2"
    inputPorts:
      - { id: "data", name: "Data", type: "input", dataType: "array" }
    outputPorts:
      - { id: "result", name: "Result", type: "output", dataType: "object" }
    parameters:
      operation: "map"
      transformFunction: "x => x * 2"
      data: [1, 2, 3]
    position: { x: 100, y: 200 }
  - id: "summary"
    type: "edit-fields"
    name: "Summarise"
    version: "1.0.0"
    metadata:
      id: "edit-fields"
      name: "Edit Fields"
      category: "data"
      icon: "pencil-line"
    inputPorts:
      - { id: "data", name: "Data", type: "input", dataType: "object" }
    outputPorts:
      - { id: "data", name: "Data", type: "output", dataType: "object" }
    parameters:
      values:
        summary: "{{operation}} produced {{outputCount}} items"
        count: "{{outputCount}}"
      keepOnlySet: true
    position: { x: 400, y: 200 }
edges:
  - id: "e1"
    source: "numbers"
    target: "summary"
    sourceHandle: "result"
    targetHandle: "data"
"#;

fn limits() -> ParseLimits {
    ParseLimits::default()
}

#[test]
fn example_yaml_reads_as_the_reference_json() {
    let flow = parse_flow_yaml(EXAMPLE, &limits()).unwrap();
    let value = atomiton_core::value::to_value(&flow).unwrap();
    assert_eq!(value["id"], "example-flow");
    assert_eq!(value["type"], "group");
    assert_eq!(value["version"], "1.0.0");
    assert_eq!(value["position"], json!({"x": 0, "y": 0}));
    assert_eq!(
        value["metadata"],
        json!({"id": "example-flow", "name": "Double And Summarise", "author": "Example",
               "description": "Doubles numbers then builds a summary object", "category": "data",
               "icon": "wand-2", "keywords": [], "tags": ["example"], "runtime": {"language": "typescript"},
               "experimental": false, "deprecated": false})
    );
    assert_eq!(value["parameters"], json!({"enabled": true, "timeout": 30000, "retries": 1}));
    assert_eq!(value["fields"], json!({}));
    assert_eq!(value["inputPorts"], json!([]));
    assert_eq!(
        value["edges"],
        json!([{"id": "e1", "source": "numbers", "target": "summary", "sourceHandle": "result", "targetHandle": "data", "animated": false, "hidden": false}])
    );
    let numbers = &value["nodes"][0];
    assert_eq!(
        numbers["parameters"],
        json!({"enabled": true, "timeout": 30000, "retries": 1, "operation": "map", "transformFunction": "x => x * 2", "data": [1, 2, 3]})
    );
    assert_eq!(numbers["position"], json!({"x": 100, "y": 200}));
    assert_eq!(
        numbers["inputPorts"],
        json!([{"id": "data", "name": "Data", "type": "input", "dataType": "array", "required": false, "multiple": false}])
    );
    // The root's unknown `description` key is kept, not dropped.
    assert_eq!(value["description"], "Doubles numbers then builds a summary object");
}

#[test]
fn yaml_flow_round_trips() {
    let flow = parse_flow_yaml(EXAMPLE, &limits()).unwrap();
    let text = definition_to_yaml(&flow).unwrap();
    let again = parse_flow_yaml(&text, &limits()).unwrap();
    assert_eq!(flow, again, "fromYaml(toYaml(x)) == x\n{text}");
    assert_eq!(definition_to_yaml(&again).unwrap(), text, "the writer is stable");
    assert!(text.contains("transformFunction: \"x => x * 2\""), "{text}");
    assert!(text.contains("  - id: numbers\n"), "{text}");
}

/// A flow as the README writes one (no name anywhere): `toYaml` writes it, `parseFlow` and the
/// CLI read it back, with its edges' handles.
#[test]
fn a_flow_without_a_name_is_written_and_read_back() {
    let flow = atomiton_core::format::parse_definition_json(
        r#"{"id": "double-and-sum", "type": "group", "nodes": [
            {"id": "double", "type": "transform", "parameters": {"operation": "map", "transformFunction": "x => x * 2", "data": [1, 2, 3]}},
            {"id": "sum", "type": "transform", "parameters": {"operation": "reduce", "transformFunction": "(acc, x) => acc + x", "reduceInitial": "0"}}],
          "edges": [{"id": "e1", "source": "double", "target": "sum", "sourceHandle": "result", "targetHandle": "data"}]}"#,
        &limits(),
    )
    .unwrap();
    let text = definition_to_yaml(&flow).unwrap();
    let read = parse_flow_yaml(&text, &limits()).unwrap();
    assert_eq!(read.name, None);
    let ids: Vec<&str> = read.children().iter().map(|n| n.id_str()).collect();
    assert_eq!(ids, ["double", "sum"]);
    let edge = &read.edge_list()[0];
    assert_eq!((edge.source_handle(), edge.target_handle()), (Some("result"), Some("data")));
    // Read again with the defaults applied once more: nothing changes.
    let again = parse_flow_yaml(&definition_to_yaml(&read).unwrap(), &limits()).unwrap();
    assert_eq!(read, again);
    // A version written as a number is the text it reads as (it picks the flow's data model).
    let versioned = parse_flow_yaml("id: f\nversion: 2\nnodes: []\n", &limits()).unwrap();
    assert_eq!(versioned.version.as_deref(), Some("2"));
    // What the reader would refuse, the writer refuses to write.
    let nameless = NodeDefinition::group("", vec![], vec![]);
    let refused = definition_to_yaml(&nameless).unwrap_err();
    assert_eq!(refused.message, "Cannot write the flow as YAML: the root node must have an id");
}

#[test]
fn yaml_defaults_for_untyped_and_bare_nodes() {
    let flow = parse_flow_yaml("id: f\nname: my-flow_name\nnodes:\n  - id: a\n    metadata: {category: nonsense, icon: nope, source: alien}\n", &limits()).unwrap();
    let value = atomiton_core::value::to_value(&flow).unwrap();
    assert_eq!(value["type"], "transform", "untyped nodes become transform (QUIRK kept)");
    assert_eq!(value["metadata"]["name"], "My Flow Name", "titleCase");
    let child = &value["nodes"][0]["metadata"];
    assert_eq!(child["category"], "user");
    assert_eq!(child["icon"], "file");
    assert_eq!(child["source"], "user");
    assert_eq!(child["author"], "Atomiton Core Team");
    assert_eq!(child["description"], "Node node");
}

#[test]
fn yaml_reader_errors_say_what_is_wrong() {
    let e = parse_flow_yaml("name: x\n", &limits()).unwrap_err();
    assert_eq!(e.message, "Failed to parse YAML: the flow's root node must have an id");
    assert_eq!(e.code, ErrorCode::DESERIALIZATION_FAILED);
    let e = parse_flow_yaml("id: 42\nnodes: []\n", &limits()).unwrap_err();
    assert_eq!(
        e.message,
        "Failed to parse YAML: the flow's root node's id must be text (quote it)"
    );
    let e = parse_flow_yaml("- 1\n- 2\n", &limits()).unwrap_err();
    assert_eq!(e.message, "Failed to parse YAML: Invalid YAML structure");
    let e = parse_flow_yaml("id: x\nname: [unclosed\n", &limits()).unwrap_err();
    assert!(e.message.starts_with("Failed to parse YAML: "), "{}", e.message);
    let e = parse_flow_yaml("id: a\nid: b\nname: n\n", &limits()).unwrap_err();
    assert!(e.message.contains("duplicated mapping key \"id\""), "{}", e.message);
}

#[test]
fn multi_document_yaml() {
    let flows =
        parse_flow_yaml_documents("id: a\nname: A\n---\nid: b\nname: B\n", &limits()).unwrap();
    assert_eq!(flows.iter().map(|f| f.id_str()).collect::<Vec<_>>(), vec!["a", "b"]);
}

#[test]
fn alias_bombs_are_refused() {
    let mut text = String::from("a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
    for i in 1..9 {
        let prev = i - 1;
        text.push_str(&format!("a{i}: &a{i} [*a{prev}, *a{prev}, *a{prev}, *a{prev}, *a{prev}, *a{prev}, *a{prev}, *a{prev}, *a{prev}, *a{prev}]\n"));
    }
    let e = parse_yaml_value(&text, &ParseLimits { max_depth: 100, max_values: 1_000_000 })
        .unwrap_err();
    assert!(e.message.contains("alias bomb"), "{}", e.message);
}

/// A 450-byte bomb used to expand to the value budget (10 million values, 1.6 GB, seconds)
/// before it was refused: aliases now may add only a multiple of what the text writes out.
#[test]
fn a_small_alias_bomb_is_refused_before_it_expands() {
    let mut text = String::from("a: &a [x, x, x, x, x, x, x, x, x]\n");
    let mut previous = 'a';
    for name in "bcdefghij".chars() {
        let alias = format!("*{previous}");
        text.push_str(&format!("{name}: &{name} [{}]\n", vec![alias; 9].join(", ")));
        previous = name;
    }
    assert!(text.len() < 500, "{}", text.len());
    let e = parse_yaml_value(&text, &ParseLimits::default()).unwrap_err();
    assert_eq!(e.code, ErrorCode::DESERIALIZATION_FAILED);
    // Refused while the document was still small: the budget named is the written values' share.
    let allowed: usize = e
        .message
        .split("more than ")
        .nth(1)
        .and_then(|rest| rest.split(' ').next())
        .and_then(|n| n.parse().ok())
        .unwrap();
    assert!(allowed < 20_000, "{}", e.message);
    // Anchors used as meant (a block repeated a few times) still read.
    let reuse = "base: &base {retries: 2, timeout: 100}\nnodes: [*base, *base, *base]\n";
    let value = parse_yaml_value(reuse, &ParseLimits::default()).unwrap();
    assert_eq!(value["nodes"][2]["timeout"], 100);
}

#[test]
fn json_round_trip_preserves_unknown_fields_and_nulls() {
    let text = r#"{"id":"n","type":"transform","custom":{"deep":[1,2.5,null]},"name":null,"edges":[{"id":"e","source":"a","target":"b","sourceHandle":null,"zIndex":3}],"nodes":null,"parameters":{"x":1}}"#;
    let flow = parse_definition_json(text, &limits()).unwrap();
    assert_eq!(flow.name, None);
    assert_eq!(flow.edges.as_ref().unwrap()[0].input_key(), "default");
    let back: Value = serde_json::from_str(&definition_to_json(&flow).unwrap()).unwrap();
    let original: Value = serde_json::from_str(text).unwrap();
    assert_eq!(back, original);
    let yaml = definition_to_yaml(&flow).unwrap();
    assert_eq!(parse_definition_yaml(&yaml, &limits()).unwrap(), flow);
}

#[test]
fn malformed_json_gives_line_and_column() {
    let e = parse_definition_json("{\"id\": \"x\",\n \"type\": }", &limits()).unwrap_err();
    assert_eq!(e.code, ErrorCode::DESERIALIZATION_FAILED);
    assert!(e.message.contains("line 2"), "{}", e.message);
    let e = parse_definition_json("{\"nodes\": 5}", &limits()).unwrap_err();
    assert!(e.message.contains("array of node definitions"), "{}", e.message);
    let e = parse_definition_json(&"[".repeat(100), &ParseLimits { max_depth: 50, max_values: 10 })
        .unwrap_err();
    assert!(e.message.contains("limit of 50"), "{}", e.message);
}

fn json_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(|n| json!(n)),
        (-1e12f64..1e12).prop_map(|f| json!(f)),
        any::<String>().prop_map(Value::from),
        prop::sample::select(vec![
            "true",
            "null",
            "123",
            "1e5",
            "0x1F",
            "-",
            "a: b",
            "# x",
            " lead",
            "trail ",
            "",
            "~",
            "yes",
            "x\ny",
            "{a}",
            "*x",
            "&y",
            "!t",
            "'q'",
            "\"dq\"",
            ".inf",
            "multi word value"
        ])
        .prop_map(Value::from),
    ];
    leaf.prop_recursive(4, 64, 8, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            prop::collection::vec((any::<String>(), inner), 0..6)
                .prop_map(|pairs| Value::Object(pairs.into_iter().collect())),
        ]
    })
}

proptest! {
    #[test]
    fn yaml_writer_reads_back_to_the_same_value(value in json_value()) {
        let text = to_yaml_string(&value);
        let back = parse_yaml_value(&text, &limits()).unwrap();
        prop_assert_eq!(back, value, "{}", text);
    }
}

/// Values as flows' data holds them, with what JSON writes its own way: `undefined` (left out
/// of objects, `null` in arrays), numbers JSON has no text for, and control characters.
fn stringify_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        json_value(),
        Just(Value::Undefined),
        prop::sample::select(vec![f64::NAN, f64::INFINITY, -0.0, 1e21, 5e-324, 1.5e300])
            .prop_map(|n| json!(n)),
        "[\\x00-\\x1f\"\\\\\u{7f}\u{2028}\u{fffd}a\u{1f600}]{0,6}".prop_map(Value::from),
    ];
    leaf.prop_recursive(3, 48, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            prop::collection::vec(("[a-z\\x00\"]{0,3}", inner), 0..6)
                .prop_map(|pairs| Value::Object(pairs.into_iter().collect())),
        ]
    })
}

proptest! {
    /// The writer that walks a value writes what serializing its JSON document writes.
    #[test]
    fn write_json_writes_the_json_document_text(value in stringify_value()) {
        let expected = to_json_document(&value)
            .unwrap()
            .map(|document| serde_json::to_string(&document).unwrap());
        let mut written = Vec::new();
        let defined = write_json(&value, &mut written).unwrap();
        let written = defined.then(|| String::from_utf8(written).unwrap());
        prop_assert_eq!(written, expected);
    }
}

#[test]
fn keys_longer_than_yaml_allows_implicitly_are_written_explicitly() {
    // YAML readers refuse implicit keys past 1,024 characters (found by the flow_json fuzz target:
    // a flow with such a parameter name was written as YAML that did not read back).
    let long = "k".repeat(1500);
    let quoted = format!("{} and \"quotes\"", "q".repeat(1500));
    let mut deep = json!({(long.clone()): 1});
    for _ in 0..40 {
        deep = json!({ "d": (deep) });
    }
    for value in [
        json!({(long.clone()): 1, "short": 2}),
        json!({(quoted.clone()): {"nested": [1, 2]}, (long.clone()): []}),
        json!([{(long.clone()): "first key after a dash"}, {"b": {(long.clone()): true}}]),
        deep,
    ] {
        let text = to_yaml_string(&value);
        assert_eq!(parse_yaml_value(&text, &limits()).unwrap(), value, "{text}");
    }
}

#[test]
fn ten_thousand_deep_flow_parses_serialises_and_drops() {
    let depth = 10_000;
    let mut text = String::new();
    for i in 0..depth {
        text.push_str(&format!("{{\"id\":\"g{i}\",\"type\":\"group\",\"nodes\":["));
    }
    text.push_str("{\"id\":\"leaf\",\"type\":\"t\"}");
    for _ in 0..depth {
        text.push_str("]}");
    }
    let handle = std::thread::Builder::new()
        .stack_size(256 * 1024) // deliberately small: recursion must not live on this stack
        .spawn(move || {
            let flow: NodeDefinition =
                parse_definition_json(&text, &ParseLimits::default()).unwrap();
            assert_eq!(flow.count_nodes(), depth + 1);
            let copy = flow.clone();
            assert!(copy == flow);
            let json = definition_to_json(&flow).unwrap();
            assert_eq!(json.len(), text.len());
            let yaml = definition_to_yaml(&flow).unwrap();
            assert!(yaml.len() < 2 * json.len(), "deep YAML stays linear in size");
            let back = atomiton_core::format::parse_definition_yaml(&yaml, &ParseLimits::default())
                .unwrap();
            assert!(back == flow);
        })
        .unwrap();
    handle.join().unwrap();
}

#[test]
fn a_repeated_key_in_flow_json_keeps_only_its_last_value_as_json_parse_does() {
    // Found by fuzzing: the first `edges` (not an array) stayed beside the second, and the YAML
    // written from that flow read back without its edges.
    let text = r#"{"id":"g","edges":"g","type":"group","nodes":[{"id":"a","type":"transform"}],"edges":[{"source":"a","target":"a"}],"type":7}"#;
    let flow = parse_definition_json(text, &limits()).unwrap();
    assert_eq!(flow.edges.as_ref().map(Vec::len), Some(1));
    assert!(!flow.extra.contains_key("edges"));
    assert_eq!(flow.node_type, None);
    assert_eq!(flow.extra.get("type"), Some(&json!(7)));
    let back = parse_definition_yaml(&definition_to_yaml(&flow).unwrap(), &limits()).unwrap();
    assert_eq!(back, flow);
    let flow = parse_definition_json(
        r#"{"id":"g","edges":[{"source":"a","target":"a"}],"edges":"g"}"#,
        &limits(),
    )
    .unwrap();
    assert_eq!(flow.edges, None);
    assert_eq!(flow.extra.get("edges"), Some(&json!("g")));
}
