//! `for-each` parameters, ports and catalog entry, and the items it runs its body over.

use std::sync::LazyLock;

use crate::json;
use crate::nodes::descriptor::{Environment, NodeDescriptor, PortSpec};
use crate::nodes::schema::{NodeSchema, ParamKind, ParamSpec};
use crate::value::{Map, Value};

/// `items` as an expression is one of `item`, the node's input value.
pub(crate) const IMPLICIT: &[&str] = &["item"];

pub(super) static SCHEMA: LazyLock<NodeSchema> = LazyLock::new(|| {
    NodeSchema::new(vec![
        ParamSpec::new("items", ParamKind::Any)
            .optional()
            .describe("The list to run the body over: a list, or an expression of the input value (`item => item.rows`); default: the input")
            .note("An input that is an object takes the list in it where a built-in puts one (`result`, `records`, ...)"),
        ParamSpec::new("concurrency", ParamKind::whole_range(1.0, 64.0))
            .default(|| json!(1))
            .describe("Items whose body runs at once"),
        ParamSpec::new("batchSize", ParamKind::whole_range(1.0, 1_000_000.0))
            .default(|| json!(1))
            .describe("Items per run of the body: above 1, the body's item is a list of up to this many"),
    ])
    .reads_inputs(&["*"])
});

fn parameters() -> Map {
    Map::from_iter([("concurrency".to_owned(), json!(1))])
}

pub(super) static DESCRIPTOR: NodeDescriptor = NodeDescriptor {
    node_type: "for-each",
    name: "For Each",
    description: "Run the child nodes once per item of a list, in order, some at once",
    category: "logic",
    icon: "repeat",
    keywords: &["for", "each", "loop", "items", "iterate", "batch", "map"],
    environment: Environment::Everywhere,
    parameters,
    input_ports: &[PortSpec::input("items", "Items", "array").main()],
    output_ports: &[PortSpec::output("results", "Results", "array")
        .describe("The body's result for each item (or batch), in the items' order")],
};

/// How a for-each takes its items.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Batching {
    pub concurrency: usize,
    pub batch_size: usize,
}

impl Batching {
    pub fn of(parameters: &Map) -> Batching {
        let number = |key: &str| parameters.get(key).and_then(Value::as_f64).filter(|n| *n >= 1.0);
        Batching {
            concurrency: number("concurrency").map_or(1, |n| n.min(64.0) as usize),
            batch_size: number("batchSize").map_or(1, |n| n.min(1e6) as usize),
        }
    }
}

/// The list a for-each runs over, as it got it: a list of its own (its `items`, or what their
/// expression gave), or the list its input holds (shared, not copied: an item is copied when
/// its run starts).
pub(crate) enum Items {
    Owned(Vec<Value>),
    Shared(std::sync::Arc<Value>),
}

impl Items {
    /// The items.
    pub fn list(&self) -> &[Value] {
        match self {
            Items::Owned(items) => items,
            Items::Shared(value) => match &**value {
                Value::Array(items) => items,
                other => super::super::common::array_input(other, None).map_or(&[], Vec::as_slice),
            },
        }
    }
}

/// The items a for-each runs over: its `items` (a list, or an expression of its input value),
/// else its input value: a list, or the list a built-in's output holds.
pub(crate) fn items_of(
    parameters: &Map,
    input: &crate::nodes::NodeInput,
    limits: &crate::expression::Limits,
) -> Result<Items, String> {
    let shared = super::super::common_control::subject_shared(input);
    let value = || shared.clone().unwrap_or_else(|| std::sync::Arc::new(Value::Null));
    let list = match parameters.get("items").filter(|v| !v.is_null()) {
        Some(Value::Array(items)) => return Ok(Items::Owned(items.clone())),
        Some(Value::String(source)) => {
            let expression = crate::expression::Expression::compile_function_shared(
                source,
                IMPLICIT,
                &crate::expression::Limits::default(),
            )
            .map_err(|e| format!("items: Invalid expression: {e}"))?;
            let given = expression
                .call(&[&*value()], limits)
                .map_err(|e| format!("items failed: {e}"))?
                .unwrap_or(Value::Null);
            std::sync::Arc::new(given)
        }
        Some(_) => return Err("items must be a list or an expression".to_owned()),
        None => value(),
    };
    match &*list {
        Value::Array(_) => Ok(Items::Shared(list)),
        Value::Null => Ok(Items::Owned(Vec::new())),
        other if super::super::common::array_input(other, None).is_some() => {
            Ok(Items::Shared(list))
        }
        other => Err(format!(
            "its items must be a list, not {}",
            crate::nodes::schema::check::type_name(other)
        )),
    }
}
