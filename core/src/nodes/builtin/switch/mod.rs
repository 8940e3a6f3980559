//! `switch`: sends its input out of the port of the case it matches (each case a condition, or
//! a value its `value` must equal), or out of its default port; with `mode: "all"`, out of every
//! case it matches.

mod cases;
mod execute;
mod schema;

builtin_node_type! {
    /// The `switch` node type.
    Switch: "switch",
    effects: |_| false,
    routes: true,
    output_ports: |parameters| Some(cases::port_names(parameters)),
    check: cases::issues,
}
