//! The `database` node type: its parameters, UI fields, ports and catalog entry, and the checks
//! that keep SQL the flow's own text: the query, table and column names are literal parameters,
//! never a template (`{{ }}`), and never read from an edge. Declared here rather than in the
//! core, so that a build without a database client (the WebAssembly engines) carries none of
//! it: its validation names the type as one that runs elsewhere.

use std::sync::{Arc, LazyLock};

use atomiton_core::host::{BoxFuture, Capabilities, SharedHost};
use atomiton_core::json;
use atomiton_core::nodes::descriptor::{Environment, NodeDescriptor, PortSpec};
use atomiton_core::nodes::schema::{FieldOverrides, NodeSchema, ParamKind, ParamSpec};
use atomiton_core::nodes::stream::Streaming;
use atomiton_core::nodes::{Invocation, NodeResult, NodeType, ParameterIssue};
use atomiton_core::value::{Map, Value};

use crate::TYPE;

/// The `database` node type.
pub struct DatabaseType;

impl NodeType for DatabaseType {
    fn type_name(&self) -> &str {
        TYPE
    }

    fn requirements(&self, _parameters: &Map) -> Capabilities {
        Capabilities { databases: true, ..Capabilities::NONE }
    }

    fn schema(&self) -> Option<&NodeSchema> {
        Some(&SCHEMA)
    }

    fn descriptor(&self) -> Option<&NodeDescriptor> {
        Some(&DESCRIPTOR)
    }

    fn check_parameters(&self, parameters: &Map) -> Vec<ParameterIssue> {
        SCHEMA.check_then(parameters, issues)
    }

    fn execute(&self, invocation: Invocation, host: SharedHost) -> BoxFuture<'static, NodeResult> {
        Box::pin(crate::execute(invocation, host))
    }

    fn streaming(&self, parameters: &Map) -> Option<Streaming> {
        crate::stream::streaming(parameters)
    }
}

/// The type, for a registry.
pub fn node_type() -> Arc<dyn NodeType> {
    Arc::new(DatabaseType)
}

/// What the node does.
pub const OPERATIONS: &[&str] = &["query", "insert", "upsert"];
/// How it runs over its items: one statement for all, one per item, or one per item inside a
/// transaction rolled back on failure.
pub const MODES: &[&str] = &["single", "each", "transaction"];

pub static SCHEMA: LazyLock<NodeSchema> = LazyLock::new(|| {
    NodeSchema::new(vec![
        ParamSpec::new("credential", ParamKind::text_min(1))
            .required_message("'credential' is required: a credential's name")
            .describe("The credential naming the database (type postgres, mysql or sqlite)")
            .note("Set with conductor.credentials.set or `atomiton credentials set`; its values never appear in the flow, the run history or errors"),
        ParamSpec::new("operation", ParamKind::Enum(OPERATIONS))
            .default(|| json!("query"))
            .describe("query: run SQL with bound parameters; insert / upsert: write rows into a table")
            .ui(FieldOverrides::NONE.options(&[
                ("query", "Query"),
                ("insert", "Insert rows"),
                ("upsert", "Insert or update rows"),
            ])),
        ParamSpec::new("query", ParamKind::text_min(1))
            .optional()
            .describe("SQL with placeholders ($1, $2 for PostgreSQL; ? for MySQL and SQLite); values go in parameters")
            .ui(FieldOverrides::NONE
                .control("textarea")
                .placeholder("SELECT id, name FROM customers WHERE country = $1")
                .rows(4)),
        ParamSpec::new("parameters", ParamKind::Any)
            .optional()
            .describe("The values bound to the placeholders: a list, or an expression of the item (`item => [item.id]`)")
            .note("In mode each or transaction the expression runs once per input item"),
        ParamSpec::new("mode", ParamKind::Enum(MODES))
            .default(|| json!("single"))
            .describe("single: one statement for all items; each: one per item; transaction: one per item, all rolled back if one fails")
            .ui(FieldOverrides::NONE.options(&[
                ("single", "One statement for all items"),
                ("each", "One statement per item"),
                ("transaction", "Per item, in one transaction"),
            ])),
        ParamSpec::new("table", ParamKind::text_min(1))
            .optional()
            .describe("insert / upsert: the table (`name` or `schema.name`)"),
        ParamSpec::new("columns", ParamKind::Array)
            .optional()
            .describe("insert / upsert: the columns written (default: the first row's fields)"),
        ParamSpec::new("conflict", ParamKind::Array)
            .optional()
            .describe("upsert: the key columns a row replaces on (a unique index over them)"),
        ParamSpec::new("rows", ParamKind::Any)
            .optional()
            .describe("insert / upsert: the rows (objects), or an expression of the input; default: the input")
            .ui(FieldOverrides::NONE.hidden()),
        ParamSpec::new("batchSize", ParamKind::whole_range(1.0, 100_000.0))
            .default(|| json!(1000))
            .describe("insert / upsert in mode single: rows per statement"),
        ParamSpec::new("maxRows", ParamKind::whole_range(1.0, 100_000_000.0))
            .default(|| json!(100_000))
            .describe("A query returning more rows fails (MEMORY_LIMIT_EXCEEDED) rather than hold them all"),
        ParamSpec::new("maxBytes", ParamKind::whole_range(1.0, 4_294_967_296.0))
            .default(|| json!(67_108_864))
            .describe("A query returning more bytes of values fails (MEMORY_LIMIT_EXCEEDED)"),
        ParamSpec::new("statementTimeout", ParamKind::whole_range(1.0, 86_400_000.0))
            .default(|| json!(30_000))
            .describe("Milliseconds a statement may take; then it is cancelled on the server (TIMEOUT)"),
    ])
    .reads_inputs(&["data"])
});

/// The implicit parameter of `parameters` and `rows` expressions.
pub const IMPLICIT: &[&str] = &["item"];

/// What is wrong beyond the schema: SQL and names that are not the flow's own literal text,
/// and what each operation needs.
fn issues(parameters: &Map) -> Vec<ParameterIssue> {
    let mut issues = Vec::new();
    let text = |name: &str| parameters.get(name).and_then(Value::as_str);
    let operation = text("operation").unwrap_or("query");
    for name in ["query", "table"] {
        if text(name).is_some_and(|t| t.contains("{{") || t.contains("}}")) {
            issues.push(ParameterIssue::new(
                name,
                format!("'{name}' is literal: a template would build SQL from data; bind values with 'parameters'"),
            ));
        }
    }
    match operation {
        "query" => {
            if text("query").is_none() {
                issues.push(ParameterIssue::new("query", "'query' is required"));
            }
            for name in ["table", "columns", "conflict", "rows"] {
                if parameters.get(name).is_some_and(|v| !v.is_null()) {
                    issues.push(ParameterIssue::new(
                        name,
                        format!("'{name}' is for insert and upsert"),
                    ));
                }
            }
        }
        _ => {
            match text("table") {
                None => issues.push(ParameterIssue::new("table", "'table' is required")),
                Some(table) if !is_name(table, true) => issues
                    .push(ParameterIssue::new("table", format!("'{table}' is not a table name"))),
                Some(_) => {}
            }
            for list in ["columns", "conflict"] {
                let items = parameters.get(list).and_then(Value::as_array);
                if items
                    .is_some_and(|items| items.is_empty() || items.iter().any(|i| !i.is_string()))
                {
                    issues.push(ParameterIssue::new(
                        list,
                        format!("'{list}' must list column names"),
                    ));
                }
                for column in strings(parameters.get(list)) {
                    if !is_name(column, false) {
                        issues.push(ParameterIssue::new(
                            list,
                            format!("'{column}' is not a column name"),
                        ));
                    }
                }
            }
            if operation == "upsert" && strings(parameters.get("conflict")).is_empty() {
                issues.push(ParameterIssue::new(
                    "conflict",
                    "'conflict' is required: the key columns",
                ));
            }
            if text("query").is_some() {
                issues.push(ParameterIssue::new("query", "'query' is for operation query"));
            }
        }
    }
    for name in ["parameters", "rows"] {
        match parameters.get(name) {
            None | Some(Value::Null | Value::Array(_)) => {}
            Some(Value::String(source)) => {
                let limits = atomiton_core::expression::Limits::default();
                let compiled = atomiton_core::expression::Expression::compile_function_shared(
                    source, IMPLICIT, &limits,
                );
                if let Err(problem) = compiled {
                    issues
                        .push(ParameterIssue::new(name, format!("Invalid expression: {problem}")));
                }
            }
            Some(_) => issues.push(ParameterIssue::new(
                name,
                format!("'{name}' must be a list or an expression"),
            )),
        }
    }
    issues
}

/// The strings of a list parameter (others are the schema's to report).
fn strings(value: Option<&Value>) -> Vec<&str> {
    value
        .and_then(Value::as_array)
        .map_or_else(Vec::new, |items| items.iter().filter_map(Value::as_str).collect())
}

/// An SQL identifier the node quotes itself: ASCII letters, digits and `_`, not starting with a
/// digit, at most 63 characters (PostgreSQL's limit); `schema.table` when `qualified`.
pub fn is_name(name: &str, qualified: bool) -> bool {
    let part = |p: &str| {
        !p.is_empty()
            && p.len() <= 63
            && !p.starts_with(|c: char| c.is_ascii_digit())
            && p.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
    };
    match name.split_once('.') {
        Some((schema, table)) if qualified => part(schema) && part(table),
        Some(_) => false,
        None => part(name),
    }
}

fn parameters() -> Map {
    Map::from_iter([("credential".to_owned(), json!("warehouse"))])
}

pub static DESCRIPTOR: NodeDescriptor = NodeDescriptor {
    node_type: "database",
    name: "Database",
    description: "Query PostgreSQL, MySQL/MariaDB or SQLite, or write rows to a table",
    category: "io",
    icon: "database",
    keywords: &["sql", "postgres", "mysql", "mariadb", "sqlite", "upsert"],
    environment: Environment::NativeOnly,
    parameters,
    input_ports: &[
        PortSpec::input("data", "Data", "any").describe("The items, or the rows to write")
    ],
    output_ports: &[PortSpec::output("result", "Result", "object")
        .describe("A query's {records, columns, rowCount, affectedRows}, or {affectedRows}")],
};
