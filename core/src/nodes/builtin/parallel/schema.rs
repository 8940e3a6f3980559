//! `parallel` parameters, UI fields, ports and catalog entry.
//!
//! Its fields are hand-written: its six keys only, without base fields, with their own labels
//! and help texts.

use std::sync::LazyLock;

use crate::json;
use crate::value::Map;

use crate::nodes::descriptor::{Environment, NodeDescriptor, PortSpec};
use crate::nodes::schema::{
    data_path_param, ExpressionForm, FieldOverrides, NodeSchema, ParamKind, ParamSpec,
};

pub(super) static SCHEMA: LazyLock<NodeSchema> = LazyLock::new(|| {
    NodeSchema::new(vec![
        ParamSpec::new("concurrency", ParamKind::number_range(1.0, 50.0))
            .default(|| json!(5))
            .describe("Maximum number of concurrent operations")
            .note(
                "Each operation is an expression computed in one pass, one after another, so \
                 every value gives the same results",
            )
            .ui(FieldOverrides::NONE
                .control("range")
                .label("Concurrency")
                .help_text("Maximum number of concurrent operations (1-50)")),
        ParamSpec::new("strategy", ParamKind::Enum(&["all", "race", "allSettled"]))
            .default(|| json!("allSettled"))
            .describe("Parallel execution strategy")
            .ui(FieldOverrides::NONE.control("select").label("Strategy").options(&[
                ("all", "All - Fail if any fails"),
                ("race", "Race - First to complete"),
                ("allSettled", "All Settled - Complete all"),
            ])),
        ParamSpec::new("operationTimeout", ParamKind::number_range(1000.0, 300000.0))
            .default(|| json!(30000))
            .describe("Timeout for each individual operation in milliseconds")
            .note("An operation that took longer fails with \"Operation <i> timed out after <ms>ms\", counted as the strategy says")
            .ui(FieldOverrides::NONE
                .control("number")
                .label("Operation Timeout (ms)")
                .help_text("Timeout for each individual operation")),
        ParamSpec::new("globalTimeout", ParamKind::number_range(5000.0, 600000.0))
            .default(|| json!(120000))
            .describe("Global timeout for all parallel operations in milliseconds")
            .note("All operations together taking longer fail the node with TIMEOUT, \"Global timeout exceeded (<ms>ms)\"")
            .ui(FieldOverrides::NONE
                .control("number")
                .label("Global Timeout (ms)")
                .help_text("Global timeout for all parallel operations")),
        ParamSpec::new("failFast", ParamKind::Boolean)
            .default(|| json!(false))
            .describe("Stop all operations on first error")
            .ui(FieldOverrides::NONE.control("boolean").label("Fail Fast")),
        ParamSpec::new("maintainOrder", ParamKind::Boolean)
            .default(|| json!(true))
            .describe("Maintain input order in results")
            .note("Operations finish in input order, so false gives the same order")
            .ui(FieldOverrides::NONE.control("boolean").label("Maintain Order")),
        ParamSpec::new("processFunction", ParamKind::Expression(ExpressionForm::Function { implicit: &["op", "index"] }))
            .optional()
            .describe("Expression applied to each operation, e.g. op => op.price * 2 (default: the operation itself)")
            .ui(FieldOverrides::NONE.hidden()),
        data_path_param(),
        ParamSpec::new("operations", ParamKind::Array)
            .optional()
            .describe("The operations when no edge delivers them")
            .ui(FieldOverrides::NONE.hidden()),
    ])
    .reads_inputs(&["operations"])
    .without_base_fields()
    .without_derived_hints()
});

fn parameters() -> Map {
    Map::from_iter([
        ("concurrency".to_owned(), json!(5)),
        ("strategy".to_owned(), json!("allSettled")),
        ("operationTimeout".to_owned(), json!(30000)),
        ("globalTimeout".to_owned(), json!(120000)),
        ("failFast".to_owned(), json!(false)),
        ("maintainOrder".to_owned(), json!(true)),
    ])
}

pub(super) static DESCRIPTOR: NodeDescriptor = NodeDescriptor {
    node_type: "parallel",
    name: "Parallel",
    description: "Process a list of operations concurrently, with a strategy, limits and timeouts",
    category: "logic",
    icon: "zap",
    keywords: &["parallel", "concurrent", "async", "batch", "simultaneous", "performance"],
    environment: Environment::Everywhere,
    parameters,
    input_ports: &[PortSpec::input("operations", "Operations", "array").required()],
    output_ports: &[PortSpec::output("results", "Results", "array").of_field("results")],
};
