//! `loop` parameters, UI fields, ports and catalog entry.

use std::sync::LazyLock;

use crate::json;
use crate::value::Map;

use crate::nodes::descriptor::{Environment, NodeDescriptor, PortSpec};
use crate::nodes::schema::{
    data_path_param, ExpressionForm, FieldOverrides, NodeSchema, ParamKind, ParamSpec,
};

pub(super) static SCHEMA: LazyLock<NodeSchema> = LazyLock::new(|| {
    NodeSchema::new(vec![
        ParamSpec::new("loopType", ParamKind::Enum(&["forEach", "times", "while"]))
            .default(|| json!("forEach"))
            .describe("Type of loop operation")
            .ui(FieldOverrides::NONE.options(&[
                ("forEach", "For Each"),
                ("times", "Times"),
                ("while", "While"),
            ])),
        ParamSpec::new("array", ParamKind::Array)
            .optional()
            .describe("Array to iterate over (for forEach)")
            .ui(FieldOverrides::NONE.control("textarea").placeholder("[1, 2, 3, 4, 5]").rows(3)),
        ParamSpec::new("count", ParamKind::number_range(1.0, 10000.0))
            .default(|| json!(10))
            .describe("Number of iterations (for times)"),
        ParamSpec::new(
            "condition",
            ParamKind::Expression(ExpressionForm::Condition {
                variables: &["iteration", "lastResult"],
            }),
        )
        .optional()
        .describe("JavaScript condition expression (for while)")
        .ui(FieldOverrides::NONE.control("code").placeholder("iteration < 100").rows(3)),
        ParamSpec::new("collectResults", ParamKind::Boolean)
            .default(|| json!(true))
            .describe("Collect results from each iteration into an array"),
        ParamSpec::new(
            "maxIterations",
            ParamKind::Number {
                min: Some(1.0),
                // High enough for a loop over every row of a large file, which streams.
                max: Some(1e12),
                exclusive_min: false,
                integer: true,
            },
        )
        .optional()
        .describe("Iteration cap; a loop that would exceed it fails (default 1000)")
        .ui(FieldOverrides::NONE.hidden()),
        data_path_param(),
        ParamSpec::new(
            "batchSize",
            ParamKind::Only { json: "1", why: "a loop makes one record per item" },
        )
        .optional(),
        ParamSpec::new(
            "delay",
            ParamKind::Only {
                json: "0",
                why: "iterations are records made at once, with nothing to wait between",
            },
        )
        .optional(),
        ParamSpec::new(
            "continueOnError",
            ParamKind::Only { json: "true", why: "an iteration makes a record and cannot fail" },
        )
        .optional(),
        ParamSpec::new(
            "startValue",
            ParamKind::Only { json: "0", why: "`times` counts from 0 to `count`" },
        )
        .optional(),
        ParamSpec::new(
            "endValue",
            ParamKind::Only { json: "10", why: "`times` runs `count` iterations" },
        )
        .optional(),
        ParamSpec::new(
            "stepSize",
            ParamKind::Only { json: "1", why: "`times` counts in steps of 1" },
        )
        .optional(),
        ParamSpec::new(
            "times",
            ParamKind::Only { json: "10", why: "the number of iterations of `times` is `count`" },
        )
        .optional(),
        ParamSpec::new(
            "parallel",
            ParamKind::Only { json: "false", why: "iterations are records made at once" },
        )
        .optional(),
        ParamSpec::new(
            "concurrency",
            ParamKind::Only { json: "5", why: "iterations are records made at once" },
        )
        .optional(),
    ])
    .reads_inputs(&["array", "items"])
});

/// The TypeScript engine's definition defaults; the ones no engine read are accepted at these
/// values only.
fn parameters() -> Map {
    Map::from_iter([
        ("loopType".to_owned(), json!("forEach")),
        ("batchSize".to_owned(), json!(1)),
        ("maxIterations".to_owned(), json!(1000)),
        ("delay".to_owned(), json!(0)),
        ("continueOnError".to_owned(), json!(true)),
        ("startValue".to_owned(), json!(0)),
        ("endValue".to_owned(), json!(10)),
        ("stepSize".to_owned(), json!(1)),
        ("times".to_owned(), json!(10)),
        ("parallel".to_owned(), json!(false)),
        ("concurrency".to_owned(), json!(5)),
    ])
}

pub(super) static DESCRIPTOR: NodeDescriptor = NodeDescriptor {
    node_type: "loop",
    name: "Loop",
    description: "Iterate over an array, a number of times, or while a condition holds",
    category: "logic",
    icon: "repeat",
    keywords: &["loop", "iterate", "foreach", "while", "repeat", "times", "iteration"],
    environment: Environment::Everywhere,
    parameters,
    input_ports: &[
        PortSpec::input("items", "Items", "array")
            .describe("forEach: the array (as the `array` input)"),
        PortSpec::input("array", "Array", "array").describe("forEach: the array"),
    ],
    output_ports: &[PortSpec::output("results", "Results", "array").of_field("results")],
};
