//! A flow with more than one trigger, run as a fire of one of them: only what that trigger leads
//! to runs (the others route to no port), an edge from a trigger needs no port name, and a run
//! by hand fires every trigger. On the engine with the virtual-time host.

use atomiton_core::engine::RunOptions;
use atomiton_core::json;
use atomiton_core::model::NodeDefinition;
use atomiton_core::nodes::builtin_registry;
use atomiton_core::testing::VirtualHost;
use atomiton_core::value::Value;
use atomiton_core::{Engine, EngineConfig, ExecutionResult};

fn two_triggers() -> NodeDefinition {
    serde_json::from_value(serde_json::json!({
        "id": "both", "type": "group",
        "nodes": [
            {"id": "nightly", "type": "schedule", "parameters": {"cron": "0 3 * * *"}},
            {"id": "hook", "type": "webhook", "parameters": {"path": "both", "auth": "none"}},
            {"id": "report", "type": "edit-fields", "parameters": {"values": {"from": "{{ type }}"}, "keepOnlySet": true}},
            {"id": "reply", "type": "edit-fields", "parameters": {"values": {"from": "{{ method }}"}, "keepOnlySet": true}},
        ],
        "edges": [
            {"id": "e1", "source": "nightly", "target": "report", "targetHandle": "data"},
            {"id": "e2", "source": "hook", "target": "reply", "targetHandle": "data"},
        ],
    }))
    .expect("a flow")
}

fn run(input: Option<Value>) -> ExecutionResult {
    let mut registry = builtin_registry();
    registry.register(atomiton_triggers::schedule_node());
    registry.register(atomiton_triggers::webhook_node());
    let engine = Engine::with_registry(registry, EngineConfig::default());
    let host = VirtualHost::new();
    let shared = host.shared();
    let options = RunOptions { input, ..Default::default() };
    host.block_on(engine.run(two_triggers(), options, shared))
}

fn ran(result: &ExecutionResult) -> Vec<String> {
    assert!(result.success, "{:?}", result.error);
    let mut ids: Vec<String> = result.executed_nodes.iter().map(|id| id.to_string()).collect();
    ids.sort();
    ids
}

#[test]
fn a_fire_runs_only_what_its_trigger_leads_to() {
    let schedule = run(Some(
        json!({"trigger": {"type": "schedule", "nodeId": "nightly", "scheduledAt": "2026-11-28T03:00:00.000Z"}}),
    ));
    let executed = ran(&schedule);
    assert!(executed.contains(&"report".to_owned()), "{executed:?}");
    assert!(
        !executed.contains(&"reply".to_owned()),
        "the webhook's branch is skipped: {executed:?}"
    );

    let request =
        run(Some(json!({"trigger": {"type": "webhook", "nodeId": "hook", "method": "PUT"}})));
    let executed = ran(&request);
    assert!(
        executed.contains(&"reply".to_owned()) && !executed.contains(&"report".to_owned()),
        "{executed:?}"
    );
    assert_eq!(request.data, Some(json!({"result": {"from": "PUT"}})));

    // By hand: every trigger fires (a fire of now each), and both branches run.
    let by_hand = ran(&run(None));
    assert!(
        by_hand.contains(&"report".to_owned()) && by_hand.contains(&"reply".to_owned()),
        "{by_hand:?}"
    );
}
