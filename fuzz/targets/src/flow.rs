//! Flow documents from outside: JSON text → model → validation, and the YAML flow format.

use std::collections::HashSet;
use std::sync::Arc;

use atomiton_core::format::{
    definition_to_json, definition_to_yaml, parse_definition_json, parse_definition_yaml,
    parse_flow_yaml_documents, ParseLimits,
};
use atomiton_core::host::SharedHost;
use atomiton_core::testing::VirtualHost;
use atomiton_core::{Engine, NodeDefinition};

/// JSON flow text: parsed with the engine's limits, validated, and written back as JSON and as
/// YAML, each of which must read back to the same flow.
pub fn flow_json(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let Ok(flow) = parse_definition_json(text, &ParseLimits::default()) else { return };
    check(&flow);
}

/// YAML flow-format text (every document, with the format's defaults): each flow read is
/// validated and written back.
pub fn flow_yaml(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let Ok(flows) = parse_flow_yaml_documents(text, &ParseLimits::default()) else { return };
    for flow in &flows {
        check(flow);
    }
}

/// What must hold for every flow the readers accept.
fn check(flow: &NodeDefinition) {
    let host: SharedHost = Arc::new(VirtualHost::new());
    let report = Engine::default().validate(flow, &HashSet::new(), &host);
    for issue in &report.issues {
        assert!(!issue.message.is_empty(), "an issue without a message: {issue:?}");
    }
    let limits = ParseLimits::default();
    if let Ok(json) = definition_to_json(flow) {
        let back = parse_definition_json(&json, &limits).expect("JSON the writer wrote reads back");
        assert_eq!(&back, flow, "JSON round trip");
    }
    if let Ok(yaml) = definition_to_yaml(flow) {
        let back = parse_definition_yaml(&yaml, &limits).expect("YAML the writer wrote reads back");
        assert_eq!(&back, flow, "YAML round trip of {yaml}");
    }
}
