//! `if` parameters, ports and catalog entry.

use std::sync::LazyLock;

use crate::json;
use crate::nodes::descriptor::{Environment, NodeDescriptor, PortSpec};
use crate::nodes::schema::{ExpressionForm, NodeSchema, ParamKind, ParamSpec};
use crate::value::Map;

/// `condition` without an arrow is an expression of `item`, the node's input value.
pub(super) const IMPLICIT: &[&str] = &["item"];
const CONDITION_FORM: ExpressionForm = ExpressionForm::Function { implicit: IMPLICIT };

pub(super) static SCHEMA: LazyLock<NodeSchema> = LazyLock::new(|| {
    NodeSchema::new(vec![ParamSpec::new("condition", ParamKind::Expression(CONDITION_FORM))
        .describe(
            "A condition over the input value: `item => item.amount > 100`, or `item.amount > 100`",
        )
        .note("Truthy: the input goes out of `true`; otherwise out of `false`")])
    .reads_inputs(&["*"])
});

fn parameters() -> Map {
    Map::from_iter([("condition".to_owned(), json!("item => Boolean(item)"))])
}

pub(super) static DESCRIPTOR: NodeDescriptor = NodeDescriptor {
    node_type: "if",
    name: "If",
    description: "Send the input out of its true or false port, by a condition",
    category: "logic",
    icon: "git-branch",
    keywords: &["if", "condition", "branch", "route", "filter", "when"],
    environment: Environment::Everywhere,
    parameters,
    input_ports: &[PortSpec::input("data", "Data", "any").main()],
    output_ports: &[
        PortSpec::output("true", "True", "any").describe("The input, when the condition holds"),
        PortSpec::output("false", "False", "any").describe("The input, when it does not"),
    ],
};
