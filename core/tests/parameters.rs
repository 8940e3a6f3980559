//! Built-in parameter schemas through the public validator: the accept/reject examples of the
//! TypeScript engine's field tests, with our exact codes, messages and fields.

use std::collections::HashSet;

use atomiton_core::host::Capabilities;
use atomiton_core::json;
use atomiton_core::nodes::{builtin_registry, BUILTIN_TYPES};
use atomiton_core::validation::{validate, FlowLimits, ValidationContext};
use atomiton_core::value::{Map, Value};
use atomiton_core::{ErrorCode, NodeDefinition};

/// A single atomic node of `node_type` with these parameters.
fn node(node_type: &str, params: Value) -> NodeDefinition {
    let Value::Object(params) = params else { panic!("parameters must be an object") };
    params.into_iter().fold(NodeDefinition::new("n", node_type), |node, (key, value)| {
        node.with_param(&key, value)
    })
}

/// Every issue as `(code, message, field)`.
fn issues(node_type: &str, params: Value) -> Vec<(ErrorCode, String, Option<String>)> {
    let registry = builtin_registry();
    let custom = HashSet::new();
    let ctx = ValidationContext {
        registry: &registry,
        custom_types: &custom,
        capabilities: Capabilities::ALL,
        limits: FlowLimits::default(),
        strict: true,
        flows: None,
    };
    validate(&node(node_type, params), &ctx)
        .issues
        .into_iter()
        .map(|i| (i.code, i.message, i.field))
        .collect()
}

#[track_caller]
fn accept(node_type: &str, params: Value) {
    let found = issues(node_type, params.clone());
    assert!(found.is_empty(), "{node_type} {params} should be valid: {found:?}");
}

/// Asserts exactly these schema issues, as `(field, message)`.
#[track_caller]
fn reject(node_type: &str, params: Value, expected: &[(&str, &str)]) {
    let expected: Vec<(ErrorCode, String, Option<String>)> = expected
        .iter()
        .map(|(field, message)| {
            (
                ErrorCode::INVALID_PARAMETERS,
                format!("Invalid {node_type} parameters: {field}: {message}"),
                Some(format!("parameters.{field}")),
            )
        })
        .collect();
    assert_eq!(issues(node_type, params.clone()), expected, "{node_type} {params}");
}

fn engine_issue(field: &str, message: &str) -> (ErrorCode, String, Option<String>) {
    (
        ErrorCode::INVALID_PARAMETERS,
        format!("Invalid parameters: {field}: {message}"),
        Some(format!("parameters.{field}")),
    )
}

fn schema_issue(
    node_type: &str,
    field: &str,
    message: &str,
) -> (ErrorCode, String, Option<String>) {
    (
        ErrorCode::INVALID_PARAMETERS,
        format!("Invalid {node_type} parameters: {field}: {message}"),
        Some(format!("parameters.{field}")),
    )
}

fn with_defaults(node_type: &str, params: Value) -> Value {
    let registry = builtin_registry();
    let schema = registry
        .get(node_type)
        .unwrap()
        .schema()
        .unwrap_or_else(|| panic!("{node_type} has no schema"));
    Value::Object(schema.with_defaults(params.as_object().unwrap()))
}

// ---------------------------------------------------------------------------------------------
// Minimal parameters and defaults

#[test]
fn minimal_parameters_are_valid_for_every_type() {
    let minimal = [
        ("parallel", json!({})),
        ("group", json!({})),
        ("image", json!({"images": ["/path/to/image.png"], "output": "/path/to/output.png"})),
        ("http-request", json!({"url": "https://api.example.com"})),
        ("file-system", json!({"path": "/path/to/file.txt"})),
        ("edit-fields", json!({})),
        ("transform", json!({})),
        ("shell-command", json!({"program": "git"})),
        ("spreadsheet", json!({})),
        ("loop", json!({})),
    ];
    assert_eq!(minimal.iter().map(|(t, _)| *t).collect::<Vec<_>>(), BUILTIN_TYPES);
    for (node_type, params) in minimal {
        accept(node_type, params);
    }
}

#[test]
fn with_defaults_fills_every_schema_default() {
    let cases = [
        (
            "file-system",
            json!({"path": "/f"}),
            json!({"path": "/f", "operation": "read", "recursive": false, "overwrite": true,
                   "createDirectories": true, "fullPaths": true, "encoding": "utf8"}),
        ),
        (
            "http-request",
            json!({"url": "https://x.test"}),
            json!({"url": "https://x.test", "method": "GET", "headers": {}, "followRedirects": true,
                   "responseType": "auto"}),
        ),
        ("group", json!({}), json!({"timeout": 30000, "retries": 1, "parallel": true})),
        (
            "image",
            json!({"images": ["/a.png"], "output": "/o.png"}),
            // quality, fit, position, blendMode and opacity only declare their defaults.
            json!({"images": ["/a.png"], "output": "/o.png", "operation": "overlay", "format": "png"}),
        ),
        ("loop", json!({}), json!({"loopType": "forEach", "count": 10, "collectResults": true})),
        (
            "parallel",
            json!({}),
            json!({"concurrency": 5, "strategy": "allSettled", "operationTimeout": 30000, "globalTimeout": 120000,
                   "failFast": false, "maintainOrder": true}),
        ),
        (
            "shell-command",
            json!({"program": "ls"}),
            json!({"program": "ls", "args": [], "captureOutput": true}),
        ),
        (
            "spreadsheet",
            json!({"data": "a,b"}),
            json!({"data": "a,b", "hasHeaders": true, "delimiter": ",", "skipEmptyLines": true}),
        ),
        (
            "transform",
            json!({}),
            json!({"operation": "map", "transformFunction": "item => item", "sortDirection": "asc", "flattenDepth": 1}),
        ),
    ];
    for (node_type, params, expected) in cases {
        assert_eq!(with_defaults(node_type, params), expected, "{node_type}");
    }
    // Given values (and null, which counts as absent) are handled as Zod did.
    assert_eq!(
        with_defaults("loop", json!({"count": 3, "loopType": null})),
        json!({"count": 3, "loopType": "forEach", "collectResults": true})
    );
}

// ---------------------------------------------------------------------------------------------
// file-system

#[test]
fn file_system_requires_a_path() {
    reject("file-system", json!({"operation": "read"}), &[("path", "Path is required")]);
    reject("file-system", json!({"path": ""}), &[("path", "Path is required")]);
    for path in ["/path/to/file.txt", "./relative/path.txt", "file.txt", "/"] {
        accept("file-system", json!({ "path": path }));
    }
}

#[test]
fn file_system_operations_and_types() {
    for operation in ["read", "write", "list", "exists", "create", "delete", "copy", "move"] {
        accept("file-system", json!({"operation": operation, "path": "/p"}));
    }
    reject(
        "file-system",
        json!({"operation": "rename", "path": "/p"}),
        &[(
            "operation",
            "Invalid enum value. Expected 'read' | 'write' | 'list' | 'exists' | 'create' | 'delete' | 'copy' | 'move', received 'rename'",
        )],
    );
    accept("file-system", json!({"path": "/p", "content": ""}));
    reject(
        "file-system",
        json!({"path": "/p", "content": 123}),
        &[("content", "Expected string, received number")],
    );
    reject(
        "file-system",
        json!({"path": "/p", "recursive": "true"}),
        &[("recursive", "Expected boolean, received string")],
    );
}

// ---------------------------------------------------------------------------------------------
// http-request

#[test]
fn http_request_url_must_be_valid() {
    reject("http-request", json!({"url": "not-a-url"}), &[("url", "Must be a valid URL")]);
    reject("http-request", json!({"method": "GET"}), &[("url", "Required")]);
    reject("http-request", json!({"url": ""}), &[("url", "Must be a valid URL")]);
    for url in [
        "https://api.example.com",
        "http://localhost:3000",
        "https://api.example.com/users/123",
        "https://example.com:8080/path?query=value",
    ] {
        accept("http-request", json!({ "url": url }));
    }
}

#[test]
fn http_request_methods_are_those_of_the_schema() {
    // The TypeScript engine's four, and the other methods REST APIs use.
    for method in ["GET", "POST", "PUT", "DELETE", "PATCH", "HEAD", "OPTIONS"] {
        accept("http-request", json!({"method": method, "url": "https://api.example.com"}));
    }
    for method in ["CONNECT", "get"] {
        let message = format!(
            "Invalid enum value. Expected 'GET' | 'POST' | 'PUT' | 'DELETE' | 'PATCH' | 'HEAD' | 'OPTIONS', received '{method}'"
        );
        reject(
            "http-request",
            json!({"method": method, "url": "https://api.example.com"}),
            &[("method", &message)],
        );
    }
}

#[test]
fn http_request_headers_are_strings_by_name() {
    let url = "https://api.example.com";
    accept(
        "http-request",
        json!({"url": url, "headers": {"Content-Type": "application/json", "Authorization": "Bearer token"}}),
    );
    accept("http-request", json!({"url": url, "headers": "{\"Accept\": \"text/html\"}"}));
    reject(
        "http-request",
        json!({"url": url, "headers": {"Content-Type": 123}}),
        &[("headers.Content-Type", "Expected string, received number")],
    );
    reject(
        "http-request",
        json!({"url": url, "headers": "{\"X\": 1}"}),
        &[("headers.X", "Expected string, received number")],
    );
    reject(
        "http-request",
        json!({"url": url, "headers": "invalid"}),
        &[("headers", "Expected an object or its JSON text")],
    );
    reject(
        "http-request",
        json!({"url": url, "headers": ["a"]}),
        &[("headers", "Expected object, received array")],
    );
}

#[test]
fn http_request_body_is_a_string() {
    let url = "https://api.example.com";
    accept(
        "http-request",
        json!({"method": "POST", "url": url, "body": "{\"name\": \"John\", \"age\": 30}"}),
    );
    reject(
        "http-request",
        json!({"url": url, "body": {"key": "value"}}),
        &[("body", "Expected string, received object")],
    );
}

// ---------------------------------------------------------------------------------------------
// image

#[test]
fn image_requires_images_and_output() {
    reject("image", json!({"output": "/o.png"}), &[("images", "Required")]);
    reject("image", json!({"images": ["/a.png"]}), &[("output", "Required")]);
    reject(
        "image",
        json!({"images": [], "output": "/o.png"}),
        &[("images", "Array must contain at least 1 element(s)")],
    );
    reject(
        "image",
        json!({"images": [1, "/b.png", 3], "output": "/o.png"}),
        &[
            ("images.0", "Expected string, received number"),
            ("images.2", "Expected string, received number"),
        ],
    );
    reject(
        "image",
        json!({"images": "/a.png", "output": "/o.png"}),
        &[("images", "Expected array, received string")],
    );
    accept(
        "image",
        json!({"images": ["/a.png", "/b.png"], "output": "/o.png", "operation": "merge"}),
    );
}

#[test]
fn image_dimensions_formats_and_ranges() {
    let base = |extra: Value| {
        let mut params = json!({"images": ["/a.png"], "output": "/o.png"});
        params.as_object_mut().unwrap().extend(extra.as_object().unwrap().clone());
        params
    };
    accept("image", base(json!({"width": 1920, "height": 1080})));
    reject("image", base(json!({"width": 0})), &[("width", "Number must be greater than 0")]);
    reject("image", base(json!({"width": -100})), &[("width", "Number must be greater than 0")]);
    reject("image", base(json!({"height": 0})), &[("height", "Number must be greater than 0")]);
    for format in ["png", "jpeg", "webp"] {
        accept("image", base(json!({ "format": format })));
    }
    reject(
        "image",
        base(json!({"format": "gif"})),
        &[("format", "Invalid enum value. Expected 'png' | 'jpeg' | 'webp', received 'gif'")],
    );
    reject(
        "image",
        base(json!({"operation": "combine"})),
        &[("operation", "Invalid enum value. Expected 'overlay' | 'merge' | 'composite' | 'blend', received 'combine'")],
    );
    accept(
        "image",
        base(
            json!({"quality": 1, "opacity": 0.5, "blur": 100, "sharpen": true, "grayscale": false}),
        ),
    );
    reject(
        "image",
        base(json!({"quality": 0})),
        &[("quality", "Number must be greater than or equal to 1")],
    );
    reject(
        "image",
        base(json!({"quality": 101})),
        &[("quality", "Number must be less than or equal to 100")],
    );
    reject(
        "image",
        base(json!({"opacity": 1.5})),
        &[("opacity", "Number must be less than or equal to 1")],
    );
    reject(
        "image",
        base(json!({"blur": -1})),
        &[("blur", "Number must be greater than or equal to 0")],
    );
    accept(
        "image",
        base(json!({"fit": "contain", "position": "bottom-right", "blendMode": "xor"})),
    );
    reject(
        "image",
        base(json!({"fit": "stretch"})),
        &[("fit", "Invalid enum value. Expected 'cover' | 'contain' | 'fill' | 'inside' | 'outside', received 'stretch'")],
    );
    reject(
        "image",
        base(json!({"sharpen": "yes"})),
        &[("sharpen", "Expected boolean, received string")],
    );
}

// ---------------------------------------------------------------------------------------------
// loop

#[test]
fn loop_count_is_bounded() {
    reject("loop", json!({"count": 0}), &[("count", "Number must be greater than or equal to 1")]);
    reject(
        "loop",
        json!({"count": 10001}),
        &[("count", "Number must be less than or equal to 10000")],
    );
    accept("loop", json!({"count": 1}));
    accept("loop", json!({"count": 10000}));
    reject("loop", json!({"count": "10"}), &[("count", "Expected number, received string")]);
}

#[test]
fn loop_types_and_other_parameters() {
    for loop_type in ["forEach", "times", "while"] {
        accept("loop", json!({ "loopType": loop_type }));
    }
    reject(
        "loop",
        json!({"loopType": "for"}),
        &[(
            "loopType",
            "Invalid enum value. Expected 'forEach' | 'times' | 'while', received 'for'",
        )],
    );
    accept("loop", json!({"loopType": "forEach", "array": [1, "two", {"three": 3}, [4], true]}));
    reject(
        "loop",
        json!({"array": "not an array"}),
        &[("array", "Expected array, received string")],
    );
    accept("loop", json!({"loopType": "while", "condition": "iteration < 100"}));
    reject("loop", json!({"condition": 123}), &[("condition", "Expected string, received number")]);
    accept("loop", json!({"loopType": "times", "count": 100, "collectResults": false}));
    reject(
        "loop",
        json!({"collectResults": "true"}),
        &[("collectResults", "Expected boolean, received string")],
    );
}

// ---------------------------------------------------------------------------------------------
// parallel

#[test]
fn parallel_ranges() {
    for concurrency in [0, 51, 100] {
        let message = if concurrency == 0 {
            "Number must be greater than or equal to 1"
        } else {
            "Number must be less than or equal to 50"
        };
        reject("parallel", json!({ "concurrency": concurrency }), &[("concurrency", message)]);
    }
    accept("parallel", json!({"concurrency": 1}));
    accept("parallel", json!({"concurrency": 50}));
    reject(
        "parallel",
        json!({"operationTimeout": 500}),
        &[("operationTimeout", "Number must be greater than or equal to 1000")],
    );
    reject(
        "parallel",
        json!({"operationTimeout": 400000}),
        &[("operationTimeout", "Number must be less than or equal to 300000")],
    );
    reject(
        "parallel",
        json!({"globalTimeout": 3000}),
        &[("globalTimeout", "Number must be greater than or equal to 5000")],
    );
    reject(
        "parallel",
        json!({"globalTimeout": 700000}),
        &[("globalTimeout", "Number must be less than or equal to 600000")],
    );
    accept("parallel", json!({"operationTimeout": 1000, "globalTimeout": 600000}));
}

#[test]
fn parallel_strategies_and_flags() {
    for strategy in ["all", "race", "allSettled"] {
        accept("parallel", json!({ "strategy": strategy }));
    }
    reject(
        "parallel",
        json!({"strategy": "any"}),
        &[(
            "strategy",
            "Invalid enum value. Expected 'all' | 'race' | 'allSettled', received 'any'",
        )],
    );
    reject(
        "parallel",
        json!({"failFast": "yes", "maintainOrder": 0}),
        &[
            ("failFast", "Expected boolean, received string"),
            ("maintainOrder", "Expected boolean, received number"),
        ],
    );
}

// ---------------------------------------------------------------------------------------------
// shell-command

#[test]
fn shell_command_requires_a_program() {
    reject("shell-command", json!({}), &[("program", "Program is required")]);
    reject("shell-command", json!({"program": ""}), &[("program", "Program is required")]);
    reject(
        "shell-command",
        json!({"program": 7}),
        &[("program", "Expected string, received number")],
    );
    accept("shell-command", json!({"program": "ls"}));
}

#[test]
fn shell_command_args_are_strings_or_their_json_text() {
    accept("shell-command", json!({"program": "ls", "args": ["-la", "/home"]}));
    accept("shell-command", json!({"program": "git", "args": "[\"status\", \"--short\"]"}));
    reject(
        "shell-command",
        json!({"program": "ls", "args": "not an array"}),
        &[("args", "Expected an array of strings or its JSON text")],
    );
    reject(
        "shell-command",
        json!({"program": "ls", "args": [1, 2, 3]}),
        &[
            ("args.0", "Expected string, received number"),
            ("args.1", "Expected string, received number"),
            ("args.2", "Expected string, received number"),
        ],
    );
    reject(
        "shell-command",
        json!({"program": "ls", "args": "[1]"}),
        &[("args.0", "Expected string, received number")],
    );
    reject(
        "shell-command",
        json!({"program": "ls", "args": {"a": "b"}}),
        &[("args", "Expected array, received object")],
    );
}

#[test]
fn shell_command_stdin_and_capture() {
    accept(
        "shell-command",
        json!({"program": "grep", "args": ["error"], "stdin": "line1\nerror on line2"}),
    );
    reject(
        "shell-command",
        json!({"program": "grep", "stdin": 123}),
        &[("stdin", "Expected string, received number")],
    );
    accept("shell-command", json!({"program": "rm", "captureOutput": false}));
    reject(
        "shell-command",
        json!({"program": "rm", "captureOutput": "false"}),
        &[("captureOutput", "Expected boolean, received string")],
    );
}

// ---------------------------------------------------------------------------------------------
// spreadsheet

#[test]
fn spreadsheet_reads_from_a_path_or_data() {
    accept("spreadsheet", json!({"path": "/data/report.xlsx"}));
    accept("spreadsheet", json!({"data": "name,age\nAlice,30"}));
    accept(
        "spreadsheet",
        json!({"data": "a\tb", "delimiter": "\t", "format": "csv", "hasHeaders": false, "skipEmptyLines": false}),
    );
    accept(
        "spreadsheet",
        json!({"path": "/book.ods", "sheetName": "Q1", "sheetIndex": 2, "range": "A1:D10"}),
    );
    reject("spreadsheet", json!({"data": 42}), &[("data", "Expected string, received number")]);
}

#[test]
fn spreadsheet_format_and_sheet_index() {
    for format in ["csv", "xlsx", "xls", "xlsb", "ods"] {
        accept("spreadsheet", json!({"path": "/f", "format": format}));
    }
    // `fods` (the TypeScript engine's list had it) is refused before the run, where nothing
    // reads it, rather than failing at run time.
    for format in ["invalid", "fods"] {
        reject(
            "spreadsheet",
            json!({"path": "/f", "format": format}),
            &[(
                "format",
                &format!("Invalid enum value. Expected 'csv' | 'xlsx' | 'xls' | 'xlsb' | 'ods', received '{format}'"),
            )],
        );
    }
    accept("spreadsheet", json!({"path": "/f", "sheetIndex": 0}));
    reject(
        "spreadsheet",
        json!({"path": "/f", "sheetIndex": -1}),
        &[("sheetIndex", "Number must be greater than or equal to 0")],
    );
    reject(
        "spreadsheet",
        json!({"hasHeaders": "yes"}),
        &[("hasHeaders", "Expected boolean, received string")],
    );
}

// ---------------------------------------------------------------------------------------------
// transform

#[test]
fn transform_ranges() {
    reject(
        "transform",
        json!({"flattenDepth": 0}),
        &[("flattenDepth", "Number must be greater than or equal to 1")],
    );
    reject(
        "transform",
        json!({"flattenDepth": 11}),
        &[("flattenDepth", "Number must be less than or equal to 10")],
    );
    accept("transform", json!({"operation": "flatten", "flattenDepth": 10}));
    reject(
        "transform",
        json!({"limitCount": 0}),
        &[("limitCount", "Number must be greater than or equal to 1")],
    );
    reject(
        "transform",
        json!({"skipCount": -1}),
        &[("skipCount", "Number must be greater than or equal to 0")],
    );
    reject(
        "transform",
        json!({"sliceStart": -1}),
        &[("sliceStart", "Number must be greater than or equal to 0")],
    );
    accept("transform", json!({"operation": "slice", "sliceStart": 0, "sliceEnd": -1}));
    accept("transform", json!({"operation": "limit", "limitCount": 1}));
    accept("transform", json!({"operation": "skip", "skipCount": 0}));
}

#[test]
fn transform_operations_functions_and_data() {
    for operation in [
        "map", "filter", "reduce", "sort", "group", "flatten", "unique", "reverse", "limit",
        "skip", "slice",
    ] {
        accept("transform", json!({ "operation": operation }));
    }
    reject(
        "transform",
        json!({"operation": "invalid"}),
        &[(
            "operation",
            "Invalid enum value. Expected 'map' | 'filter' | 'reduce' | 'sort' | 'group' | 'flatten' | 'unique' | 'reverse' | \
             'limit' | 'skip' | 'slice', received 'invalid'",
        )],
    );
    reject(
        "transform",
        json!({"sortDirection": "invalid"}),
        &[("sortDirection", "Invalid enum value. Expected 'asc' | 'desc', received 'invalid'")],
    );
    accept("transform", json!({"operation": "sort", "sortKey": "name", "sortDirection": "desc"}));
    accept("transform", json!({"transformFunction": "item => ({ ...item, processed: true })"}));
    reject(
        "transform",
        json!({"transformFunction": 123}),
        &[("transformFunction", "Expected string, received number")],
    );
    accept(
        "transform",
        json!({"operation": "reduce", "reduceInitial": "0", "groupKey": "kind", "data": [1, 2]}),
    );
    reject("transform", json!({"data": {"a": 1}}), &[("data", "Expected array, received object")]);
}

// ---------------------------------------------------------------------------------------------
// group

#[test]
fn group_timeout_and_retries_are_narrower_than_the_base_ones() {
    reject(
        "group",
        json!({"timeout": 500}),
        &[("timeout", "Number must be greater than or equal to 1000")],
    );
    for timeout in [400000, 500000] {
        reject(
            "group",
            json!({ "timeout": timeout }),
            &[("timeout", "Number must be less than or equal to 300000")],
        );
    }
    for retries in [11, 15] {
        reject(
            "group",
            json!({ "retries": retries }),
            &[("retries", "Number must be less than or equal to 10")],
        );
    }
    accept(
        "group",
        json!({"timeout": 60000, "retries": 0, "parallel": true, "enabled": true, "label": "Data Processing Group"}),
    );
    accept("group", json!({"timeout": 1000, "retries": 10}));
    // Negative retries also break the engine's own rule for every node.
    assert_eq!(
        issues("group", json!({"retries": -1})),
        [
            engine_issue("retries", "must be a non-negative integer"),
            schema_issue("group", "retries", "Number must be greater than or equal to 0")
        ]
    );
}

#[test]
fn group_rejects_strings_for_numbers_and_booleans() {
    assert_eq!(
        issues("group", json!({"timeout": "30000"})),
        [
            engine_issue("timeout", "must be a positive number of milliseconds"),
            schema_issue("group", "timeout", "Expected number, received string")
        ]
    );
    assert_eq!(
        issues("group", json!({"retries": "1"})),
        [
            engine_issue("retries", "must be a non-negative integer"),
            schema_issue("group", "retries", "Expected number, received string")
        ]
    );
    for parallel in ["true", "false"] {
        reject(
            "group",
            json!({ "parallel": parallel }),
            &[("parallel", "Expected boolean, received string")],
        );
    }
    assert_eq!(
        issues("group", json!({"enabled": 1})),
        [engine_issue("enabled", "must be a boolean")]
    );
}

#[test]
fn a_group_with_children_is_not_checked_against_the_group_schema() {
    // Only a childless group runs the `group` executable; a real group is a container.
    let registry = builtin_registry();
    let custom = HashSet::new();
    let ctx = ValidationContext {
        registry: &registry,
        custom_types: &custom,
        capabilities: Capabilities::ALL,
        limits: FlowLimits::default(),
        strict: true,
        flows: None,
    };
    let flow = NodeDefinition::group("g", vec![NodeDefinition::new("t", "transform")], vec![])
        .with_param("timeout", 500);
    assert!(validate(&flow, &ctx).is_valid());
}

// ---------------------------------------------------------------------------------------------
// Shared behaviour

#[test]
fn several_problems_are_all_reported_in_schema_order() {
    reject(
        "transform",
        json!({"sliceStart": -1, "operation": "zip", "flattenDepth": 0}),
        &[
            (
                "operation",
                "Invalid enum value. Expected 'map' | 'filter' | 'reduce' | 'sort' | 'group' | 'flatten' | 'unique' | 'reverse' | \
                 'limit' | 'skip' | 'slice', received 'zip'",
            ),
            ("flattenDepth", "Number must be greater than or equal to 1"),
            ("sliceStart", "Number must be greater than or equal to 0"),
        ],
    );
}

#[test]
fn null_counts_as_absent_and_an_unknown_name_is_refused_naming_the_one_meant() {
    accept("loop", json!({"count": null, "array": null}));
    reject("file-system", json!({"path": null}), &[("path", "Path is required")]);
    let unknown = |node_type: &str, params: Value, message: &str, field: &str| {
        assert_eq!(
            issues(node_type, params),
            vec![(
                ErrorCode::VALIDATION_FAILED,
                format!("Invalid {node_type} parameters: {message}"),
                Some(format!("parameters.{field}"))
            )]
        );
    };
    unknown(
        "transform",
        json!({"operaton": "filter"}),
        "unknown parameter 'operaton' (did you mean 'operation'?)",
        "operaton",
    );
    unknown(
        "transform",
        json!({"transformFuntion": "x => x"}),
        "unknown parameter 'transformFuntion' (did you mean 'transformFunction'?)",
        "transformFuntion",
    );
    unknown("loop", json!({"unknownKey": 1}), "unknown parameter 'unknownKey'", "unknownKey");
    // The type's own parameter is meant before the engine's, and the engine's is named for what
    // it is: a wait's `timeout` would be taken and bound nothing a parked run does.
    unknown(
        "wait",
        json!({"mode": "signal", "signal": "go", "timeOut": 5000}),
        "unknown parameter 'timeOut' (did you mean 'waitTimeout'? 'timeout' is the engine's time limit on each attempt of the node)",
        "timeOut",
    );
    // Of two of its own that end with the key, the one that takes the value.
    unknown(
        "wait",
        json!({"mode": "signal", "signal": "go", "Timeout": "continue"}),
        "unknown parameter 'Timeout' (did you mean 'onTimeout'? 'timeout' is the engine's time limit on each attempt of the node)",
        "Timeout",
    );
    unknown(
        "transform",
        json!({"retrys": 2}),
        "unknown parameter 'retrys' (did you mean 'retries'?)",
        "retrys",
    );
    // The engine's own parameters are known to every type.
    accept("loop", json!({"retryDelay": 5, "label": "x", "description": "y", "enabled": true}));
}

#[test]
fn every_builtin_schema_default_passes_its_own_check() {
    let registry = builtin_registry();
    for node_type in BUILTIN_TYPES {
        let schema = registry.get(node_type).unwrap().schema().unwrap();
        let defaults = schema.defaults();
        let problems: Vec<_> = schema
            .check(&defaults)
            .into_iter()
            .filter(|i| defaults.contains_key(&i.field))
            .collect();
        assert!(problems.is_empty(), "{node_type}: {problems:?}");
        assert_eq!(schema.with_defaults(&Map::new()), defaults, "{node_type}");
    }
}
