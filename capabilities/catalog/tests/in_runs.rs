//! What the catalog gives, used by the engine: the bundled templates validate and run (and a
//! session's `sub-flow` nodes find them), and each definition's default parameters are what
//! validation accepts or asks to complete.

use std::sync::Arc;

use atomiton_catalog::{get_template, list_templates, node_definition};
use atomiton_core::host::{Capabilities, SharedHost};
use atomiton_core::json;
use atomiton_core::testing::VirtualHost;
use atomiton_core::value::Value;
use atomiton_core::{Engine, ErrorCode, NodeDefinition, RunOptions};

fn host(capabilities: Capabilities) -> SharedHost {
    Arc::new(VirtualHost::new().with_capabilities(capabilities))
}

/// The `(field, message)` of each issue validation finds in one `node_type` node with `params`.
fn issues(node_type: &str, params: &Value) -> Vec<(Option<String>, String)> {
    let Value::Object(params) = params.clone() else { panic!("parameters must be an object") };
    let node = params
        .into_iter()
        .fold(NodeDefinition::new("n", node_type), |node, (k, v)| node.with_param(&k, v));
    let report = Engine::default().validate(&node, &Default::default(), &host(Capabilities::ALL));
    report.issues.into_iter().map(|issue| (issue.field, issue.message)).collect()
}

fn defaults(node_type: &str) -> Value {
    node_definition(node_type).expect("a definition")["parameters"].clone()
}

#[test]
fn catalog_parameters_are_valid_where_nothing_is_required() {
    for node_type in
        ["parallel", "group", "http-request", "edit-fields", "transform", "spreadsheet", "loop"]
    {
        let found = issues(node_type, &defaults(node_type));
        assert!(found.is_empty(), "{node_type}: {found:?}");
    }
}

#[test]
fn catalog_parameters_of_types_with_required_fields_ask_for_them() {
    let asked = |node_type: &str, fields: &[(&str, &str)]| {
        let expected: Vec<(Option<String>, String)> = fields
            .iter()
            .map(|(field, message)| {
                (
                    Some(format!("parameters.{field}")),
                    format!("Invalid {node_type} parameters: {field}: {message}"),
                )
            })
            .collect();
        assert_eq!(issues(node_type, &defaults(node_type)), expected, "{node_type}");
    };
    asked("file-system", &[("path", "Path is required")]);
    asked("shell-command", &[("program", "Program is required")]);
    // The definition defaults' blendMode "normal" (the UI's name for "over") is accepted; only
    // the truly required fields are asked for.
    asked("image", &[("images", "Required"), ("output", "Required")]);
    let mut filled = defaults("image");
    filled["images"] = json!(["/a.png"]);
    filled["output"] = json!("/o.png");
    assert!(issues("image", &filled).is_empty());
}

#[test]
fn the_example_flow_of_the_format_reference_gives_its_documented_result() {
    let flow = get_template("example-flow").expect("the example flow");
    let virtual_host = VirtualHost::new();
    let run = Engine::default().run(flow, RunOptions::default(), Arc::new(virtual_host.clone()));
    let result = virtual_host.block_on(run);
    assert!(result.success, "{:?}", result.error);
    assert_eq!(
        result.data,
        Some(json!({"result": {"summary": "map produced 3 items", "count": "3"}}))
    );
    let executed: Vec<&str> = result.executed_nodes.iter().map(|s| &**s).collect();
    assert_eq!(executed, vec!["example-flow", "numbers", "summary"]);
}

#[test]
fn every_template_is_valid_and_listed() {
    let engine = Engine::default();
    let templates = list_templates();
    assert_eq!(templates.len(), 4);
    assert_eq!(templates[0].id, "550e8400-e29b-41d4-a716-446655440001");
    assert_eq!(templates[0].node_count, 3);
    for info in &templates {
        let flow = get_template(&info.id).expect("listed");
        let report = engine.validate(&flow, &Default::default(), &host(Capabilities::ALL));
        assert!(report.is_valid(), "{}: {:?}", info.name, report.issues);
    }
    let hello = get_template(&templates[0].id).expect("listed");
    let report = engine.validate(&hello, &Default::default(), &host(Capabilities::NONE));
    assert_eq!(report.issues.len(), 1, "without a file system, the file-system node is named");
    assert_eq!(report.issues[0].code, ErrorCode::IMPLEMENTATION_NOT_FOUND);
    assert!(report.issues[0].message.starts_with("Node 'save' (file-system) needs a file system"));
}

#[test]
fn an_engine_made_with_the_capability_finds_the_templates_as_bundled_flows() {
    use atomiton_core::session::{SessionCapability, SessionConfig};
    let config = SessionConfig::from_json("{}").expect("config");
    let with = config.new_engine(&[&atomiton_catalog::Templates as &dyn SessionCapability]);
    let engine = with.expect("engine");
    let flows = engine.bundled_flows().expect("the templates");
    let virtual_host = VirtualHost::new();
    let found = virtual_host.block_on(flows.load("hello-world")).expect("a lookup");
    assert_eq!(
        found.map(|flow| flow.id_str().to_owned()),
        get_template("hello-world").map(|t| t.id_str().to_owned())
    );
    assert_eq!(virtual_host.block_on(flows.load("no-such-template")).expect("a lookup"), None);
    let without = config.new_engine(&[]).expect("engine");
    assert!(without.bundled_flows().is_none());
}
