//! Error codes, messages and the recovery table.

mod common;

use atomiton_core::error::recovery_strategy;
use atomiton_core::json;
use atomiton_core::{ErrorCode, ExecutionError};
use common::*;

#[test]
fn there_are_30_codes_whose_strings_equal_their_names() {
    // The TypeScript engine's 22, then PERMISSION_DENIED and AUTHENTICATION_FAILED, then
    // FILE_NOT_FOUND and FILE_EXISTS, then WAITING and DECISION_REQUIRED (which only builds with
    // history give, and every build knows).
    let ours = [
        ErrorCode::PERMISSION_DENIED,
        ErrorCode::AUTHENTICATION_FAILED,
        ErrorCode::FILE_NOT_FOUND,
        ErrorCode::FILE_EXISTS,
    ];
    assert_eq!(&ErrorCode::ALL[22..26], &ours);
    // Then the credentials' two.
    assert_eq!(
        &ErrorCode::ALL[26..],
        &[
            ErrorCode::WAITING,
            ErrorCode::DECISION_REQUIRED,
            ErrorCode::CREDENTIAL_NOT_FOUND,
            ErrorCode::CREDENTIALS_LOCKED
        ]
    );
    for code in ErrorCode::ALL {
        assert_eq!(atomiton_core::value::to_value(code).unwrap(), json!(code.as_str()));
        assert_eq!(ErrorCode::parse(code.as_str()), Some(*code));
    }
    assert_eq!(ErrorCode::parse("NOPE"), None);
}

#[test]
fn recovery_table_is_exact() {
    let timeout = recovery_strategy(ErrorCode::TIMEOUT);
    assert!(timeout.retryable);
    assert_eq!((timeout.retry_delay_ms, timeout.max_retries), (Some(1000), Some(3)));
    assert_eq!(
        timeout.suggestions.unwrap(),
        vec![
            "The operation timed out. This might be due to network issues or high load.",
            "Consider increasing the timeout value or retrying the operation."
        ]
    );
    let rate = recovery_strategy(ErrorCode::RATE_LIMIT_EXCEEDED);
    assert_eq!(
        (rate.retryable, rate.retry_delay_ms, rate.max_retries),
        (true, Some(5000), Some(5))
    );
    for code in
        [ErrorCode::VALIDATION_FAILED, ErrorCode::INVALID_PARAMETERS, ErrorCode::TYPE_MISMATCH]
    {
        let s = recovery_strategy(code);
        assert!(!s.retryable);
        assert_eq!(
            s.suggestions.unwrap()[0],
            "The input data is invalid. Please check the parameters."
        );
    }
    let cycle = recovery_strategy(ErrorCode::CIRCULAR_DEPENDENCY);
    assert_eq!(cycle.suggestions.unwrap()[1], "Review the node connections and remove any cycles.");
    let cancelled = recovery_strategy(ErrorCode::CANCELLED);
    assert!(cancelled.retryable, "the TypeScript engine's table marks CANCELLED retryable");
    assert_eq!(
        cancelled.suggestions.unwrap(),
        vec!["The operation was cancelled. You can retry if needed."]
    );
    for code in [ErrorCode::TRANSPORT_ERROR, ErrorCode::IPC_COMMUNICATION_FAILED] {
        let s = recovery_strategy(code);
        assert_eq!((s.retryable, s.retry_delay_ms, s.max_retries), (true, Some(2000), Some(3)));
    }
    for code in [ErrorCode::EXECUTION_FAILED, ErrorCode::NO_TRANSPORT, ErrorCode::INTERNAL_ERROR] {
        let s = recovery_strategy(code);
        assert!(!s.retryable, "{code} is not retryable");
        assert_eq!(s.suggestions.unwrap()[0], "An unexpected error occurred.");
    }
}

#[test]
fn errors_carry_code_node_execution_and_recovery() {
    let mut h = Harness::new();
    h.sync("bad", |_| Err(ExecutionError::execution_failed("Execution failed")));
    let result = h.run_with(
        node("test-node", "bad"),
        atomiton_core::RunOptions { execution_id: Some("exec-1".into()), ..h.options() },
    );
    let error = result.error.clone().unwrap();
    assert_eq!(error.code, ErrorCode::EXECUTION_FAILED);
    assert_eq!(error.message, "Execution failed");
    assert_eq!(error.node_id.as_deref(), Some("test-node"));
    assert_eq!(error.execution_id.as_deref(), Some("exec-1"));
    assert!(error.timestamp.is_some());
    assert!(!error.recovery.unwrap().retryable);
    assert_eq!(ids(&result), strs(&["test-node"]));
    assert!(result.context.is_some(), "atomic failures keep the context");
}

#[test]
fn unknown_type_is_node_type_not_found_before_anything_runs() {
    let mut h = Harness::new();
    h.sync("test", |_| panic!("must not run"));
    let flow = group("g", vec![node("a", "test"), node("b", "unknown-type")], vec![edge("a", "b")]);
    let result = h.run(flow);
    let error = result.error.unwrap();
    assert_eq!(error.code, ErrorCode::NODE_TYPE_NOT_FOUND);
    assert_eq!(error.message, "No implementation found for node type: unknown-type");
    assert_eq!(error.node_id.as_deref(), Some("b"));
}

#[test]
fn cycles_are_refused_with_circular_dependency_naming_the_nodes() {
    let mut h = Harness::new();
    h.sync("test", |_| panic!("must not run"));
    let flow = group(
        "g",
        vec![node("node-1", "test"), node("node-2", "test")],
        vec![edge("node-1", "node-2"), edge("node-2", "node-1")],
    );
    let result = h.run(flow);
    assert!(!result.success);
    let error = result.error.clone().unwrap();
    assert_eq!(error.code, ErrorCode::CIRCULAR_DEPENDENCY);
    assert_eq!(error.message, "Cycle detected in node graph: node-1 → node-2 → node-1");
    assert_eq!(ids(&result), strs(&["g"]));
    assert!(result.context.is_some() && result.trace.is_none());
    assert!(error.context.unwrap()["issues"].is_array());
}

#[test]
fn simulated_errors_use_the_type_prefixed_messages() {
    for (kind, expected) in [
        ("generic", "[GENERIC] Simulated generic error"),
        ("timeout", "[TIMEOUT] Request timeout - operation took too long"),
        ("network", "[NETWORK] Network error - failed to connect to server"),
        ("validation", "[VALIDATION] Validation error - invalid input data"),
        ("permission", "[PERMISSION] Permission denied - insufficient access rights"),
    ] {
        let mut h = Harness::new();
        h.sync("test", |_| Ok(Some(json!("test"))));
        let debug = json!({"simulateError": {"nodeId": "target", "errorType": kind}});
        let result = h.run_with(
            node("target", "test"),
            atomiton_core::RunOptions { debug: Some(debug), ..h.options() },
        );
        let error = result.error.unwrap();
        assert_eq!(error.message, expected);
        assert_eq!(error.code, ErrorCode::EXECUTION_FAILED);
    }
}

#[test]
fn simulated_error_with_custom_message_stops_the_group_at_that_node() {
    let mut h = Harness::new();
    h.sync("test", |_| Ok(Some(json!({"success": true}))));
    let flow = group(
        "g",
        vec![node("node-1", "test"), node("node-2", "test"), node("node-3", "test")],
        vec![],
    );
    let debug = json!({"simulateError": {"nodeId": "node-2", "errorType": "network", "message": "Network failed halfway through"}});
    let result = h.run_with(flow, atomiton_core::RunOptions { debug: Some(debug), ..h.options() });
    let error = result.error.clone().unwrap();
    assert_eq!(error.message, "[NETWORK] Network failed halfway through");
    assert_eq!(error.node_id.as_deref(), Some("node-2"));
    assert_eq!(ids(&result), strs(&["node-1", "node-2"]));
}

#[test]
fn a_boolean_debug_means_logging_and_simulates_nothing() {
    for flag in [true, false] {
        let mut h = Harness::new();
        h.sync("test", |_| Ok(Some(json!("ran"))));
        let result = h.run_with(
            node("a", "test"),
            atomiton_core::RunOptions { debug: Some(json!(flag)), ..h.options() },
        );
        assert!(result.success, "debug: {flag} failed the run: {:?}", result.error);
        assert_eq!(result.data, Some(json!("ran")));
    }
    let mut h = Harness::new();
    h.sync("test", |_| Ok(Some(json!(1))));
    let result = h.run_with(
        node("a", "test"),
        atomiton_core::RunOptions { debug: Some(json!("yes")), ..h.options() },
    );
    assert_eq!(
        result.error.map(|e| e.code),
        Some(ErrorCode::VALIDATION_FAILED),
        "other non-object values are still refused"
    );
}

#[test]
fn simulated_error_on_an_unknown_node_has_no_effect() {
    let mut h = Harness::new();
    h.sync("test", |_| Ok(Some(json!(1))));
    let debug = json!({"simulateError": {"nodeId": "non-existent-node", "errorType": "generic"}});
    assert!(
        h.run_with(
            node("a", "test"),
            atomiton_core::RunOptions { debug: Some(debug), ..h.options() }
        )
        .success
    );
    let debug = json!({});
    assert!(
        h.run_with(
            node("a", "test"),
            atomiton_core::RunOptions { debug: Some(debug), ..h.options() }
        )
        .success
    );
}

#[test]
fn random_simulated_error_fails_exactly_one_leaf_chosen_per_run() {
    let mut seen = std::collections::HashSet::new();
    for seed in 1..40u64 {
        let mut h = Harness::new();
        h.host = atomiton_core::testing::VirtualHost::with_seed(seed);
        h.sync("test", |_| Ok(Some(json!(1))));
        let flow =
            group("g", vec![node("c1", "test"), node("c2", "test"), node("c3", "test")], vec![]);
        let debug = json!({"simulateError": {"nodeId": "random", "errorType": "generic"}});
        let result =
            h.run_with(flow, atomiton_core::RunOptions { debug: Some(debug), ..h.options() });
        assert!(!result.success);
        seen.insert(result.error.unwrap().node_id.unwrap());
    }
    assert!(seen.len() >= 2, "random picks different leaves across runs: {seen:?}");
}
