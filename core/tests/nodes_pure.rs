//! Behaviour of the node types that need no host effects, through the engine:
//! edit-fields, transform, loop, parallel, group, spreadsheet (CSV data).

use std::sync::Arc;

use atomiton_core::json;
use atomiton_core::testing::VirtualHost;
use atomiton_core::value::Value;
use atomiton_core::{Engine, ErrorCode, ExecutionResult, NodeDefinition, RunOptions};

fn run_with(node: NodeDefinition, input: Option<Value>) -> ExecutionResult {
    let host = VirtualHost::new();
    let future = Engine::default().run(
        node,
        RunOptions { input, ..Default::default() },
        Arc::new(host.clone()),
    );
    host.block_on(future)
}

fn data(node: NodeDefinition, input: Option<Value>) -> Value {
    let result = run_with(node, input);
    assert!(result.success, "{:?}", result.error);
    result.data.unwrap_or(Value::Null)
}

fn error(node: NodeDefinition) -> (ErrorCode, String) {
    let result = run_with(node, None);
    let error = result.error.expect("the run fails");
    (error.code, error.message)
}

fn edit(values: Value) -> NodeDefinition {
    NodeDefinition::new("edit", "edit-fields").with_param("values", values)
}

#[test]
fn edit_fields_examples() {
    assert_eq!(
        data(edit(json!({"name": "John Doe", "age": 30, "active": true})), None),
        json!({"result": {"name": "John Doe", "age": 30, "active": true}})
    );
    let input = Some(json!({"data": {"existing": "value", "count": 10}}));
    assert_eq!(
        data(edit(json!({"name": "Alice", "status": "active"})), input.clone()),
        json!({"result": {"existing": "value", "count": 10, "name": "Alice", "status": "active"}})
    );
    assert_eq!(
        data(edit(json!({"count": 11})), input.clone()),
        json!({"result": {"existing": "value", "count": 11}}),
        "overrides keep position"
    );
    assert_eq!(
        data(edit(json!({"name": "Alice"})).with_param("keepOnlySet", true), input),
        json!({"result": {"name": "Alice"}})
    );
    let people = Some(
        json!({"data": {"firstName": "John", "lastName": "Doe", "user": {"name": "Alice", "email": "alice@example.com"}, "api_response": {"user_id": 123}}}),
    );
    let out = data(
        edit(
            json!({"full": "{{firstName}} {{lastName}}", "contact": "{{user.name}} ({{user.email}})", "id": "{{api_response.user_id}}", "missing": "Hello {{firstName}} {{nobody}}"}),
        ),
        people,
    );
    assert_eq!(out["result"]["full"], "John Doe");
    assert_eq!(out["result"]["contact"], "Alice (alice@example.com)");
    assert_eq!(out["result"]["id"], "123");
    assert_eq!(out["result"]["missing"], "Hello John ");
    let out = data(
        edit(
            json!({"when": "{{$now}}", "text": "Hello & goodbye", "tag": "<script>", "n": null, "list": [1, 2]}),
        ),
        None,
    );
    assert_eq!(
        out["result"]["when"], "2024-01-01T00:00:00.000Z",
        "$now is the host clock in ISO form"
    );
    assert_eq!(out["result"]["text"], "Hello &amp; goodbye");
    assert_eq!(out["result"]["tag"], "&lt;script&gt;");
    assert_eq!(out["result"]["n"], Value::Null);
    assert_eq!(out["result"]["list"], json!([1, 2]));
    assert_eq!(
        data(edit(json!("{\"a\": 1}")), None),
        json!({"result": {"a": 1}}),
        "values may be JSON text"
    );
    assert_eq!(
        data(edit(json!({})), Some(json!({"data": {"x": 1}}))),
        json!({"result": {"x": 1}}),
        "empty values copy the input"
    );
}

#[test]
fn edit_fields_for_each_item_edits_every_item_of_the_array_it_is_given() {
    let each =
        edit(json!({"label": "{{name}} ({{n}})", "seen": true})).with_param("forEachItem", true);
    let rows = json!([{"name": "Ann", "n": 1}, {"name": "Bo", "n": 2}]);
    assert_eq!(
        data(each.clone(), Some(json!({"data": rows.clone()}))),
        json!({"result": [
            {"name": "Ann", "n": 1, "label": "Ann (1)", "seen": true},
            {"name": "Bo", "n": 2, "label": "Bo (2)", "seen": true},
        ]})
    );
    // The array another node's output holds (a spreadsheet's records), with only the set fields.
    let records = json!({"data": {"records": rows, "headers": ["name", "n"], "rowCount": 2}});
    assert_eq!(
        data(each.clone().with_param("keepOnlySet", true), Some(records)),
        json!({"result": [
            {"label": "Ann (1)", "seen": true},
            {"label": "Bo (2)", "seen": true},
        ]})
    );
    assert_eq!(data(each.clone(), None), json!({"result": []}));
    let (code, message) = {
        let result = run_with(each, Some(json!({"data": "not rows"})));
        let error = result.error.expect("the run fails");
        (error.code, error.message)
    };
    assert_eq!(code, ErrorCode::EXECUTION_FAILED);
    assert_eq!(
        message,
        "[edit-fields] Input data must be an array (or hold one) to edit each item"
    );
}

#[test]
fn output_over_the_nodes_bound_is_a_memory_limit_that_names_the_option_raising_it() {
    let items: Vec<Value> = (0..20).map(|i| json!(i)).collect();
    let node = transform("map", Value::Array(items))
        .with_param("transformFunction", "x => 'a'.repeat(2 ** 23)");
    let (code, message) = error(node);
    assert_eq!(code, ErrorCode::MEMORY_LIMIT_EXCEEDED);
    assert!(message.starts_with("[transform] map failed at item 15: BudgetError: Output exceeds the node's output limit of 134217728 bytes"), "{message}");
    assert!(message.ends_with("(limits.maxOutputBytes raises it)"), "{message}");
    // The records a spreadsheet builds count too; the message says what they would have taken.
    let csv = format!("h\n{}", "x\n".repeat(2_000));
    let host = VirtualHost::new();
    let limits =
        atomiton_core::expression::Limits { max_output_bytes: 10_000, ..Default::default() };
    let config = atomiton_core::EngineConfig { expression_limits: limits, ..Default::default() };
    let engine = Engine::with_registry(atomiton_core::nodes::builtin_registry(), config);
    let result =
        host.block_on(engine.run(sheet(&csv), RunOptions::default(), Arc::new(host.clone())));
    let error = result.error.expect("the run fails");
    assert_eq!(error.code, ErrorCode::MEMORY_LIMIT_EXCEEDED);
    assert!(
        error.message.starts_with(
            "[spreadsheet] Output exceeds the node's output limit of 10000 bytes (limits.maxOutputBytes raises it)"
        ),
        "{}",
        error.message
    );
}

fn transform(operation: &str, items: Value) -> NodeDefinition {
    NodeDefinition::new("t", "transform")
        .with_param("operation", operation)
        .with_param("data", items)
}

fn result(node: NodeDefinition) -> Value {
    data(node, None)["result"].clone()
}

#[test]
fn transform_operations() {
    let out = data(
        transform("map", json!([1, 2, 3])).with_param("transformFunction", "x => x * 2"),
        None,
    );
    assert_eq!(
        out,
        json!({"result": [2, 4, 6], "inputCount": 3, "outputCount": 3, "operation": "map", "success": true})
    );
    assert_eq!(
        result(
            transform("map", json!([{"a": 1}]))
                .with_param("transformFunction", "item => ({ ...item, processed: true })")
        ),
        json!([{"a": 1, "processed": true}])
    );
    assert_eq!(
        result(
            transform("map", json!([{"a": {"b": 7}}])).with_param("transformFunction", "item.a.b")
        ),
        json!([7]),
        "non-arrow = expression of item"
    );
    assert_eq!(
        result(
            transform("filter", json!([{"price": 50}, {"price": 150}]))
                .with_param("transformFunction", "item => item.price > 100")
        ),
        json!([{"price": 150}])
    );
    assert_eq!(
        result(
            transform("reduce", json!([1, 2, 3]))
                .with_param("transformFunction", "({acc, item}) => acc + item")
                .with_param("reduceInitial", "0")
        ),
        json!(6)
    );
    assert_eq!(
        result(
            transform("reduce", json!([1, 2, 3]))
                .with_param("transformFunction", "(acc, item) => acc + item")
                .with_param("reduceInitial", "10")
        ),
        json!(16)
    );
    assert_eq!(
        result(
            transform("reduce", json!(["a", "b"]))
                .with_param("transformFunction", "({acc, item}) => acc + item")
        ),
        json!("ab"),
        "absent initial is \"\""
    );
    assert_eq!(result(transform("sort", json!([3, 1, 2]))), json!([1, 2, 3]));
    assert_eq!(
        result(
            transform("sort", json!([{"n": 1}, {"n": 3}]))
                .with_param("sortKey", "n")
                .with_param("sortDirection", "desc")
        ),
        json!([{"n": 3}, {"n": 1}])
    );
    assert_eq!(result(transform("sort", json!(["b", "a", "c"]))), json!(["a", "b", "c"]));
    let grouped = data(
        transform("group", json!([{"t": "x", "v": 1}, {"t": "y", "v": 2}, {"t": "x", "v": 3}]))
            .with_param("groupKey", "t"),
        None,
    );
    assert_eq!(
        grouped["result"],
        json!({"x": [{"t": "x", "v": 1}, {"t": "x", "v": 3}], "y": [{"t": "y", "v": 2}]})
    );
    assert_eq!(grouped["outputCount"], 2, "object key count");
    assert_eq!(
        result(transform("flatten", json!([1, [2, [3, [4]]]])).with_param("flattenDepth", 2)),
        json!([1, 2, 3, [4]])
    );
    assert_eq!(
        result(transform("unique", json!([1, 1, {"a": 1}, {"a": 1}, "1"]))),
        json!([1, {"a": 1}, "1"])
    );
    assert_eq!(result(transform("reverse", json!([1, 2, 3]))), json!([3, 2, 1]));
    assert_eq!(
        result(transform("limit", json!((0..20).collect::<Vec<_>>()))),
        json!((0..10).collect::<Vec<_>>()),
        "limit defaults to 10"
    );
    assert_eq!(result(transform("skip", json!([1, 2, 3])).with_param("skipCount", 2)), json!([3]));
    assert_eq!(
        result(
            transform("slice", json!([1, 2, 3, 4]))
                .with_param("sliceStart", 1)
                .with_param("sliceEnd", -1)
        ),
        json!([2, 3])
    );
    // Array.prototype.slice's bounds: past the end, crossed, counted from the end.
    let slice = |start: f64, end: Option<f64>| {
        let mut node = transform("slice", json!([1, 2, 3, 4])).with_param("sliceStart", start);
        if let Some(end) = end {
            node = node.with_param("sliceEnd", end);
        }
        result(node)
    };
    assert_eq!(slice(1.0, Some(100.0)), json!([2, 3, 4]));
    assert_eq!(slice(3.0, Some(1.0)), json!([]));
    assert_eq!(slice(10.0, None), json!([]));
    assert_eq!(slice(1.7, Some(-9.0)), json!([]));
    assert_eq!(slice(0.0, Some(2.9)), json!([1, 2]));
    assert_eq!(result(transform("skip", json!([1, 2])).with_param("skipCount", 5)), json!([]));
}

#[test]
fn transform_errors() {
    let (code, message) = error(transform("group", json!([1])));
    assert_eq!(
        (code, message.as_str()),
        (
            ErrorCode::EXECUTION_FAILED,
            "[transform] groupKey or sortKey is required for group operation"
        )
    );
    let (code, message) = error(
        transform("map", json!([{"a": 1}, null])).with_param("transformFunction", "item => item.a"),
    );
    assert_eq!(code, ErrorCode::EXECUTION_FAILED);
    assert!(
        message.starts_with(
            "[transform] map failed at item 1: TypeError: Cannot read properties of null"
        ),
        "{message}"
    );
    let (code, message) =
        error(transform("map", json!([1])).with_param("transformFunction", "x => process.exit()"));
    assert_eq!(code, ErrorCode::INVALID_PARAMETERS, "found by validation: {message}");
    let node = NodeDefinition::new("t", "transform").with_param("operation", "map");
    let result = run_with(node, Some(json!({"data": {"not": "an array"}})));
    assert_eq!(
        result.error.unwrap().message,
        "[transform] Input data must be an array for transformation"
    );
}

#[test]
fn transform_chains_through_output_objects() {
    let source =
        transform("map", json!([1, 2, 3, 4])).with_param("transformFunction", "x => x * 10");
    let mut source = source;
    source.id = Some("first".into());
    let second = NodeDefinition::new("second", "transform")
        .with_param("operation", "filter")
        .with_param("transformFunction", "x => x > 15");
    let flow = NodeDefinition::group(
        "g",
        vec![source, second],
        vec![atomiton_core::NodeEdge::connect("e", "first", "second").with("targetHandle", "data")],
    );
    assert_eq!(data(flow, None)["result"], json!([20, 30, 40]));
    let picked = transform("map", json!(null))
        .with_param("dataPath", "payload.items")
        .with_param("transformFunction", "x => x + 1");
    let mut picked = picked;
    picked.parameters.as_mut().unwrap().shift_remove("data");
    assert_eq!(
        data(picked, Some(json!({"data": {"payload": {"items": [1, 2]}}})))["result"],
        json!([2, 3])
    );
}

fn looping(loop_type: &str) -> NodeDefinition {
    NodeDefinition::new("l", "loop").with_param("loopType", loop_type)
}

#[test]
fn loop_types() {
    let out = data(looping("forEach").with_param("array", json!(["a", "b"])), None);
    assert_eq!(out["iterationCount"], 2);
    assert_eq!(out["results"][1]["item"], "b");
    assert_eq!(out["results"][1]["processed"], true);
    assert_eq!(out["result"]["completed"], true);
    let out = data(looping("times").with_param("count", 3), None);
    assert_eq!(
        out["results"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["iteration"].clone())
            .collect::<Vec<_>>(),
        vec![json!(0), json!(1), json!(2)]
    );
    // Fixed off-by-one: `iteration < 5` runs iterations 0..4.
    assert_eq!(
        data(looping("while").with_param("condition", "iteration < 5"), None)["iterationCount"],
        5
    );
    assert_eq!(
        data(
            looping("while").with_param("condition", "iteration < 10 && iteration % 2 === 0"),
            None
        )["iterationCount"],
        1
    );
    assert_eq!(data(looping("while").with_param("condition", "false"), None)["iterationCount"], 0);
    assert_eq!(
        data(
            looping("while")
                .with_param("condition", "lastResult === null || lastResult.iteration < 2"),
            None
        )["iterationCount"],
        3
    );
    let out =
        data(looping("times").with_param("count", 4).with_param("collectResults", false), None);
    assert_eq!((out["iterationCount"].clone(), out["results"].clone()), (json!(4), json!([])));
}

#[test]
fn loops_without_end_hit_a_named_cap() {
    let (code, message) = error(looping("while").with_param("condition", "true"));
    assert_eq!(code, ErrorCode::EXECUTION_FAILED);
    assert_eq!(message, "[loop] Loop exceeded its iteration cap of 1000 (maxIterations)");
    let (_, message) = error(
        looping("while").with_param("condition", "iteration >= 0").with_param("maxIterations", 50),
    );
    assert!(message.contains("cap of 50"));
    let (code, _) = error(looping("while").with_param("condition", "iteration <"));
    assert_eq!(code, ErrorCode::INVALID_PARAMETERS, "syntax errors are found before running");
}

#[test]
fn parallel_strategies() {
    let ops = json!([{"price": 1}, {"price": 2}, {"oops": true}]);
    let node = || {
        NodeDefinition::new("p", "parallel")
            .with_param("processFunction", "op => op.price.toFixed(1)")
    };
    let out = data(node(), Some(json!({"operations": ops})));
    assert_eq!(
        (out["completed"].clone(), out["failed"].clone(), out["success"].clone()),
        (json!(2), json!(1), json!(false))
    );
    assert_eq!(out["results"][1]["result"], "2.0");
    assert!(out["results"][2]["error"]
        .as_str()
        .unwrap()
        .contains("Cannot read properties of undefined"));
    let result = run_with(node().with_param("strategy", "all"), Some(json!({"operations": ops})));
    assert!(result.error.unwrap().message.starts_with("[parallel] One or more operations failed"));
    let out = data(node().with_param("strategy", "race"), Some(json!({"operations": ops})));
    assert_eq!(out["results"].as_array().unwrap().len(), 1);
    assert_eq!(
        data(NodeDefinition::new("p", "parallel"), None),
        json!({"results": [], "completed": 0, "failed": 0, "duration": 0, "success": true})
    );
    let identity = data(NodeDefinition::new("p", "parallel"), Some(json!({"operations": [5]})));
    assert_eq!(identity["results"][0]["result"], 5);
}

#[test]
fn an_atomic_group_passes_its_input_through() {
    let out = data(
        NodeDefinition::new("g", "group").with_param("timeout", 5000),
        Some(json!({"default": 7})),
    );
    assert_eq!(out["result"], json!({"default": 7}));
    assert_eq!(out["metadata"]["nodeType"], "group");
    assert_eq!(out["metadata"]["childNodesExecuted"], 0);
}

fn sheet(csv: &str) -> NodeDefinition {
    NodeDefinition::new("s", "spreadsheet").with_param("data", csv)
}

#[test]
fn spreadsheet_csv() {
    let out = data(sheet("name,age\nAda,36\n\"Hopper, Grace\",85\n"), None);
    assert_eq!(
        out["records"],
        json!([{"name": "Ada", "age": "36"}, {"name": "Hopper, Grace", "age": "85"}])
    );
    assert_eq!(out["headers"], json!(["name", "age"]));
    assert_eq!(
        (out["rowCount"].clone(), out["format"].clone(), out["sheetName"].clone()),
        (json!(2), json!("csv"), json!("Sheet1"))
    );
    let out =
        data(sheet("a;b\n1;2").with_param("delimiter", ";").with_param("hasHeaders", false), None);
    assert_eq!(out["records"], json!([["a", "b"], ["1", "2"]]));
    let out = data(sheet("a\tb\n\n1\t\"x\ny\"\n").with_param("delimiter", "\t"), None);
    assert_eq!(out["records"], json!([{"a": "1", "b": "x\ny"}]));
    let out = data(sheet("a,b,c\n1,2,3\n4,5,6\n7,8,9").with_param("range", "B1:C2"), None);
    assert_eq!(out["records"], json!([{"b": "2", "c": "3"}]));
    let result = run_with(NodeDefinition::new("s", "spreadsheet"), None);
    assert_eq!(
        result.error.unwrap().message,
        "[spreadsheet] No spreadsheet data provided. Please provide filePath or raw data."
    );
    let result = run_with(NodeDefinition::new("s", "spreadsheet"), Some(json!({"data": 5})));
    assert_eq!(
        result.error.unwrap().message,
        "[spreadsheet] Invalid input type. Expected string (spreadsheet content)."
    );
}

#[test]
fn spreadsheet_from_a_file_needs_a_file_system() {
    let result =
        run_with(NodeDefinition::new("s", "spreadsheet").with_param("path", "/tmp/x.xlsx"), None);
    let error = result.error.unwrap();
    assert_eq!(error.code, ErrorCode::IMPLEMENTATION_NOT_FOUND);
    assert_eq!(
        error.message,
        "Node 's' (spreadsheet) needs a file system, which this environment does not provide"
    );
}

#[test]
fn a_bare_reduce_expression_names_acc_and_item_in_validation_and_run_alike() {
    assert_eq!(
        result(
            transform("reduce", json!([1, 2, 3]))
                .with_param("transformFunction", "acc + item")
                .with_param("reduceInitial", "0")
        ),
        json!(6)
    );
    let (code, message) =
        error(transform("map", json!([1])).with_param("transformFunction", "acc + item"));
    assert_eq!(code, ErrorCode::INVALID_PARAMETERS, "map has no acc: {message}");
    assert!(message.contains("Unknown identifier 'acc'"), "{message}");
}

#[test]
fn a_function_is_truthy_in_filters_and_conditions_as_in_javascript() {
    assert_eq!(
        result(
            transform("filter", json!([1, 2])).with_param("transformFunction", "x => () => false")
        ),
        json!([1, 2])
    );
    // An arrow given as a loop condition is a function value: truthy, so the loop runs to its cap.
    let (code, message) = error(
        looping("while").with_param("condition", "() => false").with_param("maxIterations", 5),
    );
    assert_eq!(
        (code, message.as_str()),
        (
            ErrorCode::EXECUTION_FAILED,
            "[loop] Loop exceeded its iteration cap of 5 (maxIterations)"
        )
    );
}

#[test]
fn the_expression_step_budget_is_configurable() {
    let heavy = transform("map", json!([1])).with_param("transformFunction", "x => [0,1,2,3,4,5,6,7,8,9].map(i => [0,1,2,3,4].map(j => i * j * x).reduce((a, b) => a + b, 0)).reduce((a, b) => a + b, 0)");
    assert_eq!(result(heavy.clone()), json!([450]));
    let mut config = atomiton_core::EngineConfig::default();
    config.expression_limits.max_steps = 50;
    let host = VirtualHost::new();
    let outcome = host.block_on(Engine::new(config).run(
        heavy,
        RunOptions::default(),
        Arc::new(host.clone()),
    ));
    let error = outcome.error.expect("over budget");
    assert_eq!(error.code, ErrorCode::EXECUTION_FAILED);
    assert!(
        error.message.contains("BudgetError: Expression exceeded its step budget of 50 steps"),
        "{}",
        error.message
    );
}
