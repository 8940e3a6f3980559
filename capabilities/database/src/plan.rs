//! A node's items made statements. The SQL is the flow's own query, or an INSERT written here
//! from checked names; every value is a bound parameter, whatever an expression computed.

use crate::declaration::{is_name, IMPLICIT};
use atomiton_core::error::ExecutionError;
use atomiton_core::expression::{Expression, Limits};
use atomiton_core::host::effects::Statement;
use atomiton_core::nodes::sdk::{array_input, node_error};
use atomiton_core::nodes::Invocation;
use atomiton_core::value::Value;

use crate::dialect::Dialect;
use crate::request::{Mode, Operation, Request};
use crate::TYPE;

/// The statements, and whether they run in one transaction.
pub fn statements(
    request: &Request,
    dialect: Dialect,
    invocation: &Invocation,
) -> Result<(Vec<Statement>, bool), ExecutionError> {
    let input = invocation.get_input("data").cloned().unwrap_or(Value::Null);
    let limits = &invocation.expression_limits;
    match request.operation {
        Operation::Query => {
            let query =
                request.query.clone().ok_or_else(|| node_error(TYPE, "'query' is required"))?;
            let values = Values::of(request.parameters.as_ref())?;
            let statements = match request.mode {
                Mode::Single => {
                    vec![Statement { sql: query, parameters: values.for_item(&input, 0, limits)? }]
                }
                Mode::Each | Mode::Transaction => items(&input)
                    .iter()
                    .enumerate()
                    .map(|(i, item)| {
                        Ok(Statement {
                            sql: query.clone(),
                            parameters: values.for_item(item, i, limits)?,
                        })
                    })
                    .collect::<Result<Vec<_>, ExecutionError>>()?,
            };
            Ok((statements, request.mode == Mode::Transaction))
        }
        Operation::Insert | Operation::Upsert => inserts(request, dialect, &input, limits),
    }
}

/// The items a mode `each` or `transaction` runs over: the input's list, or the input alone.
fn items(input: &Value) -> Vec<Value> {
    match array_input(input, None) {
        Some(items) => items.clone(),
        None if input.is_null() => Vec::new(),
        None => vec![input.clone()],
    }
}

/// `parameters`: none, a list, or an expression of the item.
enum Values {
    List(Vec<Value>),
    Computed(std::sync::Arc<Expression>),
}

impl Values {
    fn of(given: Option<&Value>) -> Result<Values, ExecutionError> {
        match given {
            None | Some(Value::Null) => Ok(Values::List(Vec::new())),
            Some(Value::Array(values)) => Ok(Values::List(values.clone())),
            Some(Value::String(source)) => {
                Expression::compile_function_shared(source, IMPLICIT, &Limits::default())
                    .map(Values::Computed)
                    .map_err(|e| node_error(TYPE, format!("parameters: Invalid expression: {e}")))
            }
            Some(_) => {
                Err(node_error(TYPE, "'parameters' must be a list or an expression of the item"))
            }
        }
    }

    fn for_item(
        &self,
        item: &Value,
        index: usize,
        limits: &Limits,
    ) -> Result<Vec<Value>, ExecutionError> {
        match self {
            Values::List(values) => Ok(values.clone()),
            Values::Computed(expression) => {
                let value = expression
                    .call(&[item], limits)
                    .map_err(|e| {
                        node_error(TYPE, format!("parameters failed at item {index}: {e}"))
                    })?
                    .unwrap_or(Value::Undefined);
                match value {
                    Value::Array(values) => Ok(values),
                    other => Ok(vec![other]),
                }
            }
        }
    }
}

/// An insert's or upsert's statements: rows in batches (mode `single`, in one transaction when
/// there is more than one batch), or one statement per row.
fn inserts(
    request: &Request,
    dialect: Dialect,
    input: &Value,
    limits: &Limits,
) -> Result<(Vec<Statement>, bool), ExecutionError> {
    let rows = rows_of(request, input, limits)?;
    let table = request.table.as_deref().ok_or_else(|| node_error(TYPE, "'table' is required"))?;
    let columns = match &request.columns {
        Some(columns) => columns.clone(),
        None => match rows.first() {
            Some(Value::Object(first)) => first.keys().map(|k| k.to_string()).collect(),
            _ => Vec::new(),
        },
    };
    if let Some(bad) = columns.iter().find(|c| !is_name(c, false)) {
        return Err(node_error(
            TYPE,
            format!("'{bad}' (a field of the first row) is not a column name: name the columns"),
        ));
    }
    if rows.is_empty() {
        return Ok((Vec::new(), false));
    }
    if columns.is_empty() {
        return Err(node_error(TYPE, "the rows have no fields to write"));
    }
    let per_statement = match request.mode {
        Mode::Single => request.batch_size.min(dialect.max_values() / columns.len()).max(1),
        Mode::Each | Mode::Transaction => 1,
    };
    let upsert = (request.operation == Operation::Upsert)
        .then(|| dialect.upsert(&request.conflict, &columns));
    let head = format!(
        "INSERT INTO {} ({}) VALUES ",
        dialect.quote(table),
        columns.iter().map(|c| dialect.quote(c)).collect::<Vec<_>>().join(", ")
    );
    let mut statements = Vec::with_capacity(rows.len().div_ceil(per_statement));
    for (batch_index, batch) in rows.chunks(per_statement).enumerate() {
        let mut sql = head.clone();
        let mut parameters = Vec::with_capacity(batch.len() * columns.len());
        for (i, row) in batch.iter().enumerate() {
            let Value::Object(fields) = row else {
                return Err(node_error(
                    TYPE,
                    format!(
                        "row {} is not an object of column values",
                        batch_index * per_statement + i
                    ),
                ));
            };
            sql.push_str(if i == 0 { "(" } else { ", (" });
            for (c, column) in columns.iter().enumerate() {
                if c > 0 {
                    sql.push_str(", ");
                }
                parameters.push(fields.get(column.as_str()).cloned().unwrap_or(Value::Null));
                sql.push_str(&dialect.placeholder(parameters.len()));
            }
            sql.push(')');
        }
        if let Some(clause) = &upsert {
            sql.push_str(clause);
        }
        statements.push(Statement { sql, parameters });
    }
    let transaction = match request.mode {
        Mode::Single => statements.len() > 1,
        Mode::Each => false,
        Mode::Transaction => true,
    };
    Ok((statements, transaction))
}

/// The rows to write: `rows` (a list, or an expression of the input), else the input's list,
/// else the input itself as one row.
fn rows_of(
    request: &Request,
    input: &Value,
    limits: &Limits,
) -> Result<Vec<Value>, ExecutionError> {
    let given = match &request.rows {
        None | Some(Value::Null) => input.clone(),
        Some(Value::String(source)) => {
            let expression =
                Expression::compile_function_shared(source, IMPLICIT, &Limits::default())
                    .map_err(|e| node_error(TYPE, format!("rows: Invalid expression: {e}")))?;
            expression
                .call(&[input], limits)
                .map_err(|e| node_error(TYPE, format!("rows failed: {e}")))?
                .unwrap_or(Value::Null)
        }
        Some(other) => other.clone(),
    };
    Ok(items(&given))
}
