//! What the `database` node hands the host's database client for its parameters: the SQL it
//! writes (quoted names, placeholders per dialect, upsert clauses), how items are batched and
//! which work runs in a transaction, and the output it makes of the rows it gets back. The
//! client here records the work and answers with rows; the real drivers run the same work
//! against real servers in the npm suite (`npm/test/database.test.mjs`).

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use atomiton_core::error::{ErrorCode, Result};
use atomiton_core::host::effects::{
    Credential, CredentialSource, DatabaseClient, DatabaseRows, DatabaseWork, StatementRows,
};
use atomiton_core::host::{BoxFuture, Capabilities, CredentialAccess, Host, RunPermissions};
use atomiton_core::session::SessionCapability;
use atomiton_core::testing::VirtualHost;
use atomiton_core::value::{Map, Number, Str, Value};
use atomiton_core::{json, Engine, EngineConfig, ExecutionResult, NodeDefinition, RunOptions};

/// A host whose credentials are fixed and whose database client records what it is asked.
struct Recording {
    inner: VirtualHost,
    credentials: HashMap<String, Credential>,
    work: Arc<Mutex<Vec<DatabaseWork>>>,
    answer: StatementRows,
    /// The batch sizes streams were asked for.
    streams: Arc<Mutex<Vec<usize>>>,
}

impl CredentialSource for Recording {
    fn credential(&self, name: &str) -> BoxFuture<'static, Result<Option<Credential>>> {
        let found = self.credentials.get(name).cloned();
        Box::pin(async move { Ok(found) })
    }
}

impl DatabaseClient for Recording {
    fn run(&self, work: DatabaseWork) -> BoxFuture<'static, Result<Vec<StatementRows>>> {
        let answers = vec![self.answer.clone(); work.statements.len()];
        self.work.lock().unwrap().push(work);
        Box::pin(async move { Ok(answers) })
    }

    /// The answer's rows, one batch per row (whatever the size asked), the affected count last.
    fn stream(&self, work: DatabaseWork, batch_rows: usize) -> Box<dyn DatabaseRows> {
        self.work.lock().unwrap().push(work);
        self.streams.lock().unwrap().push(batch_rows);
        let answer = &self.answer;
        let mut batches: Vec<StatementRows> = answer
            .rows
            .iter()
            .map(|row| StatementRows {
                columns: answer.columns.clone(),
                rows: vec![row.clone()],
                affected: 0,
            })
            .collect();
        batches.push(StatementRows {
            columns: answer.columns.clone(),
            rows: Vec::new(),
            affected: answer.affected,
        });
        batches.reverse();
        Box::new(Batches(batches))
    }
}

/// Batches handed on one at a time.
struct Batches(Vec<StatementRows>);

impl DatabaseRows for Batches {
    fn next(&mut self) -> BoxFuture<'_, Result<Option<StatementRows>>> {
        let next = self.0.pop();
        Box::pin(async move { Ok(next) })
    }
}

impl Host for Recording {
    atomiton_core::forward_host_basics!(inner);
    fn capabilities(&self) -> Capabilities {
        Capabilities::ALL
    }
    fn credentials(&self) -> Option<&dyn CredentialSource> {
        Some(self)
    }
    fn databases(&self) -> Option<&dyn DatabaseClient> {
        Some(self)
    }
}

fn credential(kind: &str) -> Credential {
    let mut fields = Map::new();
    fields.insert(Str::from("password"), Value::String("secret-1234".into()));
    Credential { kind: kind.into(), fields }
}

/// Runs one database node with `parameters` and `input` (and `permissions`): its result and
/// the work its client was given.
fn run(
    parameters: Value,
    input: Value,
    answer: StatementRows,
    permissions: Option<RunPermissions>,
) -> (ExecutionResult, Vec<DatabaseWork>) {
    let Value::Object(parameters) = parameters else { panic!("parameters are an object") };
    let mut node = NodeDefinition::new("db", "database");
    for (key, value) in parameters {
        node = node.with_param(&key, value);
    }
    let (result, work, _) = run_flow(node, input, answer, permissions);
    (result, work)
}

/// Runs `node` (a database node, or a flow holding them): its result, the work its client was
/// given, and the batch sizes of the streams it was asked for.
fn run_flow(
    node: NodeDefinition,
    input: Value,
    answer: StatementRows,
    permissions: Option<RunPermissions>,
) -> (ExecutionResult, Vec<DatabaseWork>, Vec<usize>) {
    let inner = VirtualHost::new();
    let work = Arc::new(Mutex::new(Vec::new()));
    let streams = Arc::new(Mutex::new(Vec::new()));
    let credentials = HashMap::from([
        ("pg".to_owned(), credential("postgres")),
        ("my".to_owned(), credential("mariadb")),
        ("lite".to_owned(), credential("sqlite")),
        ("mail".to_owned(), credential("smtp")),
    ]);
    let host = Arc::new(Recording {
        inner: inner.clone(),
        credentials,
        work: work.clone(),
        answer,
        streams: streams.clone(),
    });
    let mut registry = atomiton_core::nodes::builtin_registry();
    atomiton_database::Databases.provide(&mut registry);
    let options =
        RunOptions { input: Some(json!({"data": input})), permissions, ..Default::default() };
    let engine = Engine::with_registry(registry, EngineConfig::default());
    let result = inner.block_on(async move { engine.run(node, options, host).await });
    let recorded = std::mem::take(&mut *work.lock().unwrap());
    let streamed = std::mem::take(&mut *streams.lock().unwrap());
    (result, recorded, streamed)
}

fn rows(n: usize) -> Value {
    Value::Array((1..=n).map(|i| json!({"id": i, "name": format!("p{i}")})).collect())
}

fn affected(n: u64) -> StatementRows {
    StatementRows { affected: n, ..StatementRows::default() }
}

#[test]
fn inserts_are_batched_into_one_transaction_with_postgres_placeholders() {
    let (result, work) = run(
        json!({"credential": "pg", "operation": "insert", "table": "app.people"}),
        rows(2500),
        affected(1),
        None,
    );
    assert!(result.success, "{:?}", result.error);
    let [work] = work.as_slice() else { panic!("one piece of work") };
    assert!(work.transaction, "more than one statement: all or nothing");
    assert_eq!(work.name, "pg");
    assert_eq!(work.statements.len(), 3);
    let first = &work.statements[0];
    assert!(
        first.sql.starts_with(
            r#"INSERT INTO "app"."people" ("id", "name") VALUES ($1, $2), ($3, $4), "#
        ),
        "{}",
        first.sql
    );
    assert!(first.sql.ends_with("($1999, $2000)"), "{}", first.sql);
    assert_eq!(first.parameters.len(), 2000);
    assert_eq!(work.statements[2].parameters.len(), 1000);
    assert_eq!(first.parameters[1], Value::String("p1".into()));
    // Each statement answered one affected row here: the output sums them.
    assert_eq!(result.data, Some(json!({"affectedRows": 3})));
}

#[test]
fn upserts_per_dialect() {
    let parameters = |credential: &str| json!({"credential": credential, "operation": "upsert", "table": "people", "conflict": ["id"], "mode": "each"});
    let (_, work) = run(parameters("lite"), rows(2), affected(1), None);
    let [work] = work.as_slice() else { panic!("one piece of work") };
    assert!(!work.transaction);
    assert_eq!(
        work.statements[0].sql,
        r#"INSERT INTO "people" ("id", "name") VALUES (?, ?) ON CONFLICT ("id") DO UPDATE SET "name" = EXCLUDED."name""#
    );
    assert_eq!(work.statements.len(), 2);
    let (_, work) = run(parameters("my"), rows(1), affected(1), None);
    assert_eq!(
        work[0].statements[0].sql,
        "INSERT INTO `people` (`id`, `name`) VALUES (?, ?) ON DUPLICATE KEY UPDATE `name` = VALUES(`name`)"
    );
}

#[test]
fn a_statement_binds_no_more_values_than_the_database_takes() {
    let wide: Vec<Value> = (0..2000)
        .map(|i| {
            let mut row = Map::new();
            for c in 0..20 {
                row.insert(
                    Str::from(format!("c{c}").as_str()),
                    Value::Number(Number::new(f64::from(i))),
                );
            }
            Value::Object(row)
        })
        .collect();
    let (_, work) = run(
        json!({"credential": "lite", "operation": "insert", "table": "wide", "batchSize": 100000}),
        Value::Array(wide),
        affected(0),
        None,
    );
    // SQLite binds 32,766 values at most: 1,638 rows of 20.
    assert_eq!(work[0].statements[0].parameters.len(), 1638 * 20);
    assert_eq!(work[0].statements.len(), 2);
}

#[test]
fn queries_bind_what_expressions_compute_per_item_and_rows_become_objects() {
    let answer = StatementRows {
        columns: vec!["id".into(), "name".into()],
        rows: vec![vec![json!(1), json!("Ada")]],
        affected: 0,
    };
    let (result, work) = run(
        json!({"credential": "pg", "query": "SELECT id, name FROM people WHERE city = $1 AND id > $2", "parameters": "item => [item.city, item.after]", "mode": "transaction"}),
        json!([{"city": "Oslo", "after": 1}, {"city": "'; DROP TABLE people; --", "after": 2}]),
        answer,
        None,
    );
    assert!(result.success, "{:?}", result.error);
    let [work] = work.as_slice() else { panic!("one piece of work") };
    assert!(work.transaction);
    let sql: Vec<&str> = work.statements.iter().map(|s| s.sql.as_str()).collect();
    assert_eq!(sql, ["SELECT id, name FROM people WHERE city = $1 AND id > $2"; 2]);
    assert_eq!(work.statements[1].parameters, vec![json!("'; DROP TABLE people; --"), json!(2)]);
    assert_eq!(
        result.data,
        Some(json!({
            "records": [{"id": 1, "name": "Ada"}, {"id": 1, "name": "Ada"}],
            "columns": ["id", "name"],
            "rowCount": 2,
            "affectedRows": 0
        }))
    );
}

/// A query at the head of a chain, then a sort: the query's rows.
fn query_then_sort(query: serde_json::Value) -> NodeDefinition {
    serde_json::from_value(serde_json::json!({
        "id": "flow", "type": "group",
        "nodes": [
            {"id": "db", "type": "database", "parameters": query},
            {"id": "sort", "type": "transform", "parameters": {"operation": "sort", "sortKey": "id", "sortDirection": "desc"}},
        ],
        "edges": [{"id": "e1", "source": "db", "target": "sort", "targetHandle": "data"}],
    }))
    .expect("a flow")
}

#[test]
fn a_query_in_mode_single_streams_its_rows_into_the_chain_after_it() {
    let answer = StatementRows {
        columns: vec!["id".into(), "name".into()],
        rows: (1..=5).map(|i| vec![json!(i), json!(format!("p{i}"))]).collect(),
        affected: 0,
    };
    let query = serde_json::json!({"credential": "pg", "query": "SELECT id, name FROM people"});
    let (result, work, streams) =
        run_flow(query_then_sort(query), Value::Null, answer.clone(), None);
    assert!(result.success, "{:?}", result.error);
    assert_eq!(streams, [4096], "streamed, in batches of the engine's size");
    assert_eq!(work[0].statements.len(), 1);
    let ids: Vec<Value> = (1..=5).rev().map(|i| json!(i)).collect();
    let sorted = result.data.as_ref().and_then(|d| d.get("result")).and_then(Value::as_array);
    let sorted_ids: Vec<Value> =
        sorted.into_iter().flatten().filter_map(|r| r.get("id").cloned()).collect();
    assert_eq!(sorted_ids, ids, "{:?}", result.data);

    // Per item, the query takes its input whole: the same rows, run, not streamed.
    let each = serde_json::json!({"credential": "pg", "query": "SELECT id, name FROM people", "mode": "each"});
    let (whole, _, streams) = run_flow(query_then_sort(each), json!([1]), answer, None);
    assert!(whole.success, "{:?}", whole.error);
    assert!(streams.is_empty(), "mode each is not a source");
    assert_eq!(whole.data, result.data);
}

#[test]
fn credentials_missing_of_another_type_or_not_granted_are_refused_before_any_work() {
    let query = |credential: &str| json!({"credential": credential, "query": "SELECT 1"});
    let (missing, work) = run(query("nope"), Value::Null, affected(0), None);
    assert_eq!(missing.error.map(|e| e.code), Some(ErrorCode::CREDENTIAL_NOT_FOUND));
    assert!(work.is_empty());
    let (mail, work) = run(query("mail"), Value::Null, affected(0), None);
    let error = mail.error.expect("a mail credential is no database's");
    assert_eq!(error.code, ErrorCode::INVALID_PARAMETERS);
    assert!(
        error.message.contains("'smtp'") && !error.message.contains("secret-1234"),
        "{}",
        error.message
    );
    assert!(work.is_empty());
    let grant = |names: &[&str]| RunPermissions {
        credentials: CredentialAccess::Named {
            names: names.iter().map(|n| (*n).to_owned()).collect(),
        },
        ..RunPermissions::default()
    };
    let (denied, work) = run(query("pg"), Value::Null, affected(0), Some(grant(&["lite"])));
    let error = denied.error.expect("not granted");
    assert_eq!(error.code, ErrorCode::PERMISSION_DENIED);
    assert!(error.message.contains("uses the credential 'pg'"), "{}", error.message);
    assert!(work.is_empty(), "nothing reached the client");
    let (granted, work) = run(query("pg"), Value::Null, affected(0), Some(grant(&["pg"])));
    assert!(granted.success, "{:?}", granted.error);
    assert_eq!(work.len(), 1);
}

#[test]
fn sql_built_by_a_template_and_names_that_are_not_names_are_refused_at_validation() {
    for parameters in [
        json!({"credential": "pg", "query": "SELECT * FROM t WHERE name = '{{ name }}'"}),
        json!({"credential": "pg", "operation": "insert", "table": "t; DROP TABLE t"}),
        json!({"credential": "pg", "operation": "insert", "table": "t", "columns": ["a b"]}),
        json!({"credential": "pg", "operation": "upsert", "table": "t"}),
        json!({"credential": "pg", "operation": "insert", "table": "t", "query": "DELETE FROM t"}),
        json!({"credential": "pg", "query": "SELECT 1", "parameters": "item =>"}),
    ] {
        let (result, work) = run(parameters.clone(), Value::Null, affected(0), None);
        let error = result.error.unwrap_or_else(|| panic!("{parameters:?} is refused"));
        assert_eq!(error.code, ErrorCode::INVALID_PARAMETERS, "{parameters:?}: {}", error.message);
        assert!(work.is_empty());
    }
}

#[test]
fn columns_and_rows_choose_what_is_written() {
    let (result, work) = run(
        json!({"credential": "lite", "operation": "insert", "table": "people", "columns": ["name"], "rows": "item => item.people"}),
        json!({"people": [{"id": 1, "name": "Ada", "extra": true}, {"id": 2}]}),
        affected(2),
        None,
    );
    assert!(result.success, "{:?}", result.error);
    let statement = &work[0].statements[0];
    assert_eq!(statement.sql, r#"INSERT INTO "people" ("name") VALUES (?), (?)"#);
    // A field a row lacks is NULL; fields not listed are not written.
    assert_eq!(statement.parameters, vec![json!("Ada"), Value::Null]);
}

#[test]
fn the_limits_go_to_the_client_with_the_work() {
    let (_, work) = run(
        json!({"credential": "pg", "query": "SELECT 1", "maxRows": 7, "maxBytes": 4096, "statementTimeout": 1500}),
        Value::Null,
        affected(0),
        None,
    );
    let limits = work[0].limits;
    assert_eq!((limits.max_rows, limits.max_bytes, limits.statement_timeout_ms), (7, 4096, 1500.0));
    let (_, defaults) =
        run(json!({"credential": "pg", "query": "SELECT 1"}), Value::Null, affected(0), None);
    let limits = defaults[0].limits;
    assert_eq!(
        (limits.max_rows, limits.max_bytes, limits.statement_timeout_ms),
        (100_000, 67_108_864, 30_000.0)
    );
}
