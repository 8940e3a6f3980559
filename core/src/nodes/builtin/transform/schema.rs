//! `transform` parameters, UI fields, ports and catalog entry.

use std::sync::LazyLock;

use crate::json;
use crate::value::Map;

use crate::nodes::descriptor::{Environment, NodeDescriptor, PortSpec};
use crate::nodes::schema::{
    data_path_param, ExpressionForm, FieldOverrides, NodeSchema, ParamKind, ParamSpec,
};

const OPERATIONS: &[&str] = &[
    "map", "filter", "reduce", "sort", "group", "flatten", "unique", "reverse", "limit", "skip",
    "slice",
];

/// `transformFunction` without an arrow is an expression of `item` (of `acc, item` for reduce).
pub(super) const FUNCTION_FORM: ExpressionForm = ExpressionForm::PerOperation {
    implicit: &["item"],
    overrides: &[("reduce", &["acc", "item"])],
};

pub(super) static SCHEMA: LazyLock<NodeSchema> = LazyLock::new(|| {
    NodeSchema::new(vec![
        ParamSpec::new("operation", ParamKind::Enum(OPERATIONS))
            .default(|| json!("map"))
            .describe("Type of transformation operation")
            .ui(FieldOverrides::NONE.options(&[
                ("map", "Map"),
                ("filter", "Filter"),
                ("reduce", "Reduce"),
                ("sort", "Sort"),
                ("group", "Group"),
                ("flatten", "Flatten"),
                ("unique", "Unique"),
                ("reverse", "Reverse"),
                ("limit", "Limit"),
                ("skip", "Skip"),
                ("slice", "Slice"),
            ])),
        ParamSpec::new("transformFunction", ParamKind::Expression(FUNCTION_FORM))
            .default(|| json!("item => item"))
            .describe("JavaScript function for map/filter operations")
            .ui(FieldOverrides::NONE
                .control("code")
                .placeholder("item => ({ ...item, processed: true })")
                .rows(5)),
        ParamSpec::new("sortKey", ParamKind::text()).optional().describe("Property key to sort by"),
        ParamSpec::new("sortDirection", ParamKind::Enum(&["asc", "desc"]))
            .default(|| json!("asc"))
            .describe("Sort direction"),
        ParamSpec::new("reduceInitial", ParamKind::text())
            .optional()
            .describe("Initial value for reduce operation (JSON, or a plain string)"),
        ParamSpec::new("groupKey", ParamKind::text())
            .optional()
            .describe("Property key to group by (defaults to the sort key)"),
        ParamSpec::new("flattenDepth", ParamKind::number_range(1.0, 10.0))
            .default(|| json!(1))
            .describe("Depth level for flatten operation"),
        ParamSpec::new("limitCount", ParamKind::number_min(1.0))
            .optional()
            .describe("Number of items to keep (limit, defaults to 10)"),
        ParamSpec::new("skipCount", ParamKind::number_min(0.0))
            .optional()
            .describe("Number of items to skip (skip, defaults to 0)"),
        ParamSpec::new("sliceStart", ParamKind::number_min(0.0))
            .optional()
            .describe("Index to start the slice at (defaults to 0)"),
        ParamSpec::new("sliceEnd", ParamKind::number())
            .optional()
            .describe("Index to end the slice before (defaults to the end)"),
        ParamSpec::new("data", ParamKind::Array)
            .optional()
            .describe("Array to transform when no data input is connected"),
        data_path_param(),
        ParamSpec::new(
            "reduceFunction",
            ParamKind::Only {
                json: "\"(acc, item) => acc + item\"",
                why: "a reduce runs transformFunction (with acc and item)",
            },
        )
        .optional(),
    ])
    .reads_inputs(&["data", "function"])
});

/// The TypeScript engine's definition defaults; `reduceFunction` is not a schema parameter.
fn parameters() -> Map {
    Map::from_iter([
        ("operation".to_owned(), json!("map")),
        ("transformFunction".to_owned(), json!("item => item")),
        ("sortDirection".to_owned(), json!("asc")),
        ("reduceFunction".to_owned(), json!("(acc, item) => acc + item")),
        ("reduceInitial".to_owned(), json!("0")),
        ("flattenDepth".to_owned(), json!(1)),
    ])
}

pub(super) static DESCRIPTOR: NodeDescriptor = NodeDescriptor {
    node_type: "transform",
    name: "Transform",
    description: "Map, filter, reduce, sort, group, flatten, dedupe or slice an array",
    category: "data",
    icon: "wand-2",
    keywords: &[
        "transform",
        "map",
        "filter",
        "reduce",
        "sort",
        "group",
        "flatten",
        "unique",
        "data",
        "array",
        "manipulation",
    ],
    environment: Environment::Everywhere,
    parameters,
    input_ports: &[
        PortSpec::input("data", "Data", "array").required(),
        PortSpec::input("function", "Function", "string").describe("Over transformFunction"),
    ],
    output_ports: &[PortSpec::output("result", "Result", "object").of_field("result")],
};
