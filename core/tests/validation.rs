//! Validation before running: structured issues and the legacy form.

mod common;

use std::collections::HashSet;
use std::sync::Arc;

use atomiton_core::host::Capabilities;
use atomiton_core::json;
use atomiton_core::nodes::{FnNode, NodeRegistry, NodeType, ParameterIssue};
use atomiton_core::validation::{validate, FlowLimits, ValidationContext};
use atomiton_core::value::{Map, Value};
use atomiton_core::{ErrorCode, NodeDefinition};
use common::*;

/// A built-in-like type with a schema: `mode` is required and must be "a" or "b", and it needs
/// a file system.
struct Strict;

impl NodeType for Strict {
    fn type_name(&self) -> &str {
        "strict"
    }
    fn requirements(&self, _: &Map) -> Capabilities {
        Capabilities { file_system: true, ..Capabilities::NONE }
    }
    fn check_parameters(&self, p: &Map) -> Vec<ParameterIssue> {
        match p.get("mode").and_then(Value::as_str) {
            Some("a" | "b") => vec![],
            Some(other) => {
                vec![ParameterIssue::new("mode", format!("must be one of a, b (got \"{other}\")"))]
            }
            None => vec![ParameterIssue::new("mode", "is required")],
        }
    }
    fn execute(
        &self,
        _: atomiton_core::nodes::Invocation,
        _: atomiton_core::host::SharedHost,
    ) -> atomiton_core::host::BoxFuture<'static, atomiton_core::nodes::NodeResult> {
        Box::pin(async { Ok(None) })
    }
}

fn registry() -> NodeRegistry {
    NodeRegistry::empty().with(Strict).with(FnNode::sync("test", |_| Ok(None)))
}

fn check(
    flow: &NodeDefinition,
    capabilities: Capabilities,
    limits: FlowLimits,
) -> atomiton_core::validation::ValidationReport {
    let registry = registry();
    let custom: HashSet<String> = ["custom".to_owned()].into();
    validate(
        flow,
        &ValidationContext {
            registry: &registry,
            custom_types: &custom,
            capabilities,
            limits,
            strict: true,
            flows: None,
        },
    )
}

fn codes(flow: &NodeDefinition) -> Vec<(ErrorCode, String)> {
    check(flow, Capabilities::ALL, FlowLimits::default())
        .issues
        .into_iter()
        .map(|i| (i.code, i.to_legacy_string()))
        .collect()
}

#[test]
fn a_valid_flow_has_no_issues() {
    let flow = group(
        "g",
        vec![node("a", "test"), node("b", "custom"), node("c", "strict").with_param("mode", "a")],
        vec![edge("a", "b")],
    );
    let report = check(&flow, Capabilities::ALL, FlowLimits::default());
    assert!(report.is_valid(), "{:?}", report.issues);
    let validated = report.validated();
    assert_eq!(validated.errors, Vec::<String>::new());
    assert!(validated.valid);
}

#[test]
fn missing_id_and_type_use_the_original_messages_in_order() {
    let flow: NodeDefinition = atomiton_core::value::from_value(json!({"name": "x"})).unwrap();
    let legacy = check(&flow, Capabilities::ALL, FlowLimits::default()).validated();
    assert!(!legacy.valid);
    assert_eq!(legacy.errors, vec!["Node must have an id", "Node must have a type"]);
}

#[test]
fn a_broken_flow_reports_every_problem_with_paths() {
    let flow: NodeDefinition = atomiton_core::value::from_value(json!({
        "id": "root", "type": "group",
        "nodes": [
            {"id": "a", "type": "test", "parameters": {"timeout": -5, "retries": 1.5, "enabled": "yes"}},
            {"id": "a", "type": "test"},
            {"type": "test"},
            {"id": "s", "type": "strict", "parameters": {"mode": "zzz"}},
            {"id": "u", "type": "nope"},
            {"id": "inner", "type": "group", "nodes": [{"id": "deep", "type": "strict"}]}
        ],
        "edges": [
            {"id": "e1", "source": "ghost", "target": "a"},
            {"id": "e2", "source": "a", "target": "phantom"},
            {"id": "e3", "source": "a"}
        ]
    }))
    .unwrap();
    let issues = codes(&flow);
    let expected = [
        (ErrorCode::VALIDATION_FAILED, "Duplicate node id 'a' in group 'root'"),
        (ErrorCode::NODE_NOT_FOUND, "Edge references unknown source node: ghost"),
        (ErrorCode::NODE_NOT_FOUND, "Edge references unknown target node: phantom"),
        (ErrorCode::VALIDATION_FAILED, "Edge 'e3' must have a source and a target"),
        (ErrorCode::INVALID_PARAMETERS, "root/a: Invalid parameters: enabled: must be a boolean"),
        (
            ErrorCode::INVALID_PARAMETERS,
            "root/a: Invalid parameters: timeout: must be a positive number of milliseconds",
        ),
        (
            ErrorCode::INVALID_PARAMETERS,
            "root/a: Invalid parameters: retries: must be a non-negative integer",
        ),
        (ErrorCode::INVALID_NODE, "root/[2]: Node must have an id"),
        (
            ErrorCode::INVALID_PARAMETERS,
            "root/s: Invalid strict parameters: mode: must be one of a, b (got \"zzz\")",
        ),
        (ErrorCode::NODE_TYPE_NOT_FOUND, "root/u: No implementation found for node type: nope"),
        (
            ErrorCode::INVALID_PARAMETERS,
            "root/inner/deep: Invalid strict parameters: mode: is required",
        ),
    ];
    for (code, message) in expected {
        assert!(
            issues.contains(&(code, message.to_owned())),
            "missing {code} {message}\nin {issues:#?}"
        );
    }
    assert_eq!(issues.len(), expected.len(), "{issues:#?}");
}

#[test]
fn cycles_name_a_real_cycle() {
    let flow = group(
        "g",
        vec![node("a", "test"), node("b", "test"), node("c", "test"), node("d", "test")],
        vec![edge("a", "b"), edge("b", "c"), edge("c", "d"), edge("d", "b")],
    );
    assert_eq!(
        codes(&flow),
        vec![(
            ErrorCode::CIRCULAR_DEPENDENCY,
            "Cycle detected in node graph: b → c → d → b".to_owned()
        )]
    );
    let self_loop = group("g", vec![node("x", "test")], vec![edge("x", "x")]);
    assert_eq!(
        codes(&self_loop),
        vec![(ErrorCode::CIRCULAR_DEPENDENCY, "Cycle detected in node graph: x → x".to_owned())]
    );
}

#[test]
fn nested_cycle_is_reported_at_its_group() {
    let inner = group(
        "inner",
        vec![node("p", "test"), node("q", "test")],
        vec![edge("p", "q"), edge("q", "p")],
    );
    let flow = group("root", vec![node("a", "test"), inner], vec![]);
    let report = check(&flow, Capabilities::ALL, FlowLimits::default());
    assert_eq!(report.issues.len(), 1);
    assert_eq!(report.issues[0].path, strs(&["root", "inner"]));
    assert_eq!(report.issues[0].message, "Cycle detected in node graph: p → q → p");
}

#[test]
fn missing_capabilities_are_implementation_not_found_naming_the_node() {
    let flow = group("g", vec![node("reader", "strict").with_param("mode", "a")], vec![]);
    let report = check(&flow, Capabilities::NONE, FlowLimits::default());
    assert_eq!(report.issues[0].code, ErrorCode::IMPLEMENTATION_NOT_FOUND);
    assert_eq!(
        report.issues[0].message,
        "Node 'reader' (strict) needs a file system, which this environment does not provide"
    );
}

#[test]
fn custom_types_override_built_in_schemas() {
    let registry = registry();
    let custom: HashSet<String> = ["strict".to_owned()].into();
    let flow = node("s", "strict");
    let report = validate(
        &flow,
        &ValidationContext {
            registry: &registry,
            custom_types: &custom,
            capabilities: Capabilities::NONE,
            limits: FlowLimits::default(),
            strict: true,
            flows: None,
        },
    );
    assert!(report.is_valid());
}

#[test]
fn mistyped_known_fields_are_kept_and_reported() {
    let flow: NodeDefinition = atomiton_core::value::from_value(
        json!({"id": 7, "type": "test", "parameters": [1], "edges": "nope"}),
    )
    .unwrap();
    assert_eq!(flow.extra.get("id"), Some(&json!(7)));
    let issues = codes(&flow);
    assert!(issues.contains(&(ErrorCode::INVALID_NODE, "Node id must be a string".into())));
    assert!(issues
        .contains(&(ErrorCode::VALIDATION_FAILED, "Field 'parameters' must be an object".into())));
    assert!(issues.contains(&(
        ErrorCode::VALIDATION_FAILED,
        "Field 'edges' must be an array of objects".into()
    )));
}

#[test]
fn depth_and_size_limits_fail_with_clear_messages() {
    let mut flow = node("leaf", "test");
    for i in 0..20 {
        flow = group(&format!("g{i}"), vec![flow], vec![]);
    }
    let report = check(
        &flow,
        Capabilities::ALL,
        FlowLimits { max_depth: 10, max_nodes: 1000, ..Default::default() },
    );
    assert_eq!(report.issues.len(), 1);
    assert_eq!(report.issues[0].code, ErrorCode::VALIDATION_FAILED);
    assert_eq!(
        report.issues[0].message,
        "Flow nesting is deeper than the configured limit of 10 levels"
    );
    let wide = group("g", (0..50).map(|i| node(&format!("n{i}"), "test")).collect(), vec![]);
    let report = check(
        &wide,
        Capabilities::ALL,
        FlowLimits { max_depth: 10, max_nodes: 20, ..Default::default() },
    );
    assert_eq!(report.issues.len(), 1);
    assert_eq!(report.issues[0].message, "Flow has more than 20 nodes, the configured limit");
}

#[test]
fn run_refuses_invalid_flows_before_side_effects() {
    let mut h = Harness::with_registry(registry(), Default::default());
    h.host = atomiton_core::testing::VirtualHost::new().with_capabilities(Capabilities::ALL);
    let ran = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let flag = ran.clone();
    h.sync("effect", move |_| {
        flag.store(true, std::sync::atomic::Ordering::SeqCst);
        Ok(None)
    });
    let flow = group(
        "g",
        vec![node("first", "effect"), node("bad", "strict")],
        vec![edge("first", "bad")],
    );
    let result = h.run(flow);
    assert!(!ran.load(std::sync::atomic::Ordering::SeqCst), "nothing ran");
    let error = result.error.unwrap();
    assert_eq!(error.code, ErrorCode::INVALID_PARAMETERS);
    assert_eq!(error.message, "Invalid strict parameters: mode: is required");
}
