//! The node catalog: every built-in describes itself (parameters, fields, ports).

use atomiton_catalog::{all_node_definitions, node_definition, node_definitions_by_category};
use atomiton_core::json;
use atomiton_core::value::Value;

fn definition(node_type: &str) -> Value {
    node_definition(node_type).unwrap_or_else(|| panic!("no definition for {node_type}"))
}

fn field(node_type: &str, key: &str) -> Value {
    definition(node_type)["fields"][key].clone()
}

fn field_keys(node_type: &str) -> Vec<String> {
    definition(node_type)["fields"].as_object().unwrap().keys().map(|k| k.to_string()).collect()
}

/// `[(value, label)]` of a select field.
fn options(node_type: &str, key: &str) -> Vec<(String, String)> {
    field(node_type, key)["options"]
        .as_array()
        .unwrap_or_else(|| panic!("{node_type}.{key} has no options"))
        .iter()
        .map(|o| (o["value"].as_str().unwrap().to_owned(), o["label"].as_str().unwrap().to_owned()))
        .collect()
}

fn pairs(items: &[(&str, &str)]) -> Vec<(String, String)> {
    items.iter().map(|(v, l)| ((*v).to_owned(), (*l).to_owned())).collect()
}

/// The ports of a definition as `(id, name, type, dataType, required)`.
fn ports(node_type: &str, which: &str) -> Vec<(String, String, String, String, bool)> {
    definition(node_type)[which]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            assert_eq!(p["multiple"], json!(false));
            (
                p["id"].as_str().unwrap().to_owned(),
                p["name"].as_str().unwrap().to_owned(),
                p["type"].as_str().unwrap().to_owned(),
                p["dataType"].as_str().unwrap().to_owned(),
                p["required"].as_bool().unwrap(),
            )
        })
        .collect()
}

fn port(
    id: &str,
    name: &str,
    port_type: &str,
    data_type: &str,
    required: bool,
) -> (String, String, String, String, bool) {
    (id.to_owned(), name.to_owned(), port_type.to_owned(), data_type.to_owned(), required)
}

const BASE: [&str; 5] = ["enabled", "timeout", "retries", "label", "description"];

#[test]
fn every_type_has_the_field_count_of_the_original() {
    let expected = [
        // One more than the TypeScript engine: `forEachItem` (edit each item of an array).
        ("edit-fields", 8),
        // Six more than the TypeScript engine: `format` (how `write` lays out rows), and the
        // reference's definition defaults it never read, now honoured: `overwrite`,
        // `createDirectories`, `fullPaths`, `encoding`; and `targetPath`, which copy and move read.
        ("file-system", 15),
        // Two more than the TypeScript engine: `bodyFile` and `responseFile` (bodies from and
        // to files).
        ("http-request", 11),
        ("image", 19),
        ("loop", 10),
        ("shell-command", 9),
        ("spreadsheet", 14),
        ("transform", 17),
        ("group", 3),
        ("parallel", 6),
    ];
    for (node_type, count) in expected {
        assert_eq!(field_keys(node_type).len(), count, "{node_type}: {:?}", field_keys(node_type));
    }
}

#[test]
fn schema_derived_types_list_base_fields_first_then_their_own() {
    let own: [(&str, &[&str]); 8] = [
        ("edit-fields", &["values", "keepOnlySet", "forEachItem"]),
        (
            "file-system",
            &[
                "operation",
                "path",
                "content",
                "format",
                "recursive",
                "targetPath",
                "overwrite",
                "createDirectories",
                "fullPaths",
                "encoding",
            ],
        ),
        ("http-request", &["method", "url", "headers", "body", "bodyFile", "responseFile"]),
        (
            "image",
            &[
                "operation",
                "images",
                "output",
                "width",
                "height",
                "format",
                "quality",
                "fit",
                "position",
                "blendMode",
                "opacity",
                "blur",
                "sharpen",
                "grayscale",
            ],
        ),
        ("loop", &["loopType", "array", "count", "condition", "collectResults"]),
        ("shell-command", &["program", "args", "stdin", "captureOutput"]),
        (
            "spreadsheet",
            &[
                "path",
                "data",
                "format",
                "sheetName",
                "sheetIndex",
                "hasHeaders",
                "range",
                "delimiter",
                "skipEmptyLines",
            ],
        ),
        (
            "transform",
            &[
                "operation",
                "transformFunction",
                "sortKey",
                "sortDirection",
                "reduceInitial",
                "groupKey",
                "flattenDepth",
                "limitCount",
                "skipCount",
                "sliceStart",
                "sliceEnd",
                "data",
            ],
        ),
    ];
    for (node_type, keys) in own {
        let expected: Vec<String> =
            BASE.iter().chain(keys.iter()).map(|k| (*k).to_owned()).collect();
        assert_eq!(field_keys(node_type), expected, "{node_type}");
    }
    assert_eq!(field_keys("group"), ["timeout", "retries", "parallel"]);
    assert_eq!(
        field_keys("parallel"),
        [
            "concurrency",
            "strategy",
            "operationTimeout",
            "globalTimeout",
            "failFast",
            "maintainOrder"
        ]
    );
}

#[test]
fn base_fields_are_derived_from_the_base_schema() {
    for node_type in [
        "file-system",
        "http-request",
        "image",
        "loop",
        "shell-command",
        "spreadsheet",
        "transform",
    ] {
        let fields = definition(node_type)["fields"].clone();
        assert_eq!(
            fields["enabled"],
            json!({"controlType": "boolean", "label": "Enabled", "helpText": "Whether this node is enabled for execution",
                   "required": true, "placeholder": "Default: true"}),
            "{node_type}"
        );
        assert_eq!(
            fields["timeout"],
            json!({"controlType": "number", "label": "Timeout", "helpText": "Maximum execution time in milliseconds",
                   "required": true, "placeholder": "Default: 30000", "min": 1}),
            "{node_type}"
        );
        assert_eq!(
            fields["retries"],
            json!({"controlType": "number", "label": "Retries", "helpText": "Number of retry attempts on failure",
                   "required": true, "placeholder": "Default: 1", "min": 0}),
            "{node_type}"
        );
        for (key, help) in [
            ("label", "Custom label for this node instance"),
            ("description", "Custom description for this node instance"),
        ] {
            let label = if key == "label" { "Label" } else { "Description" };
            assert_eq!(
                fields[key],
                json!({"controlType": "text", "label": label, "helpText": help, "required": false}),
                "{node_type}.{key}"
            );
        }
    }
}

#[test]
fn file_system_fields() {
    assert_eq!(
        field("file-system", "operation"),
        json!({
            "controlType": "select", "label": "Operation", "helpText": "File system operation to perform",
            "required": true, "placeholder": "Default: read",
            "options": [
                {"value": "read", "label": "Read"}, {"value": "write", "label": "Write"},
                {"value": "list", "label": "List"}, {"value": "exists", "label": "Exists"},
                {"value": "create", "label": "Create"}, {"value": "delete", "label": "Delete"},
                {"value": "copy", "label": "Copy"}, {"value": "move", "label": "Move"}
            ]
        })
    );
    let path = field("file-system", "path");
    assert_eq!(path["controlType"], "text");
    assert_eq!(path["label"], "Path");
    assert_eq!(path["required"], true);
    assert_eq!(path["helpText"], "File or directory path");
    assert_eq!(path["min"], 1);
    assert!(path.get("placeholder").is_none());
    assert_eq!(
        field("file-system", "content"),
        json!({"controlType": "textarea", "label": "Content", "helpText": "Content to write to file", "required": false,
               "placeholder": "Content to write", "rows": 5})
    );
    assert_eq!(
        field("file-system", "recursive"),
        json!({"controlType": "boolean", "label": "Recursive", "helpText": "Perform recursive list operations", "required": true,
               "placeholder": "Default: false"})
    );
}

#[test]
fn http_request_fields() {
    let method = field("http-request", "method");
    assert_eq!(method["controlType"], "select");
    assert_eq!(method["placeholder"], "Default: GET");
    assert_eq!(method["helpText"], "HTTP method to use");
    assert_eq!(
        options("http-request", "method"),
        pairs(&[
            ("GET", "GET"),
            ("POST", "POST"),
            ("PUT", "PUT"),
            ("DELETE", "DELETE"),
            ("PATCH", "PATCH"),
            ("HEAD", "HEAD"),
            ("OPTIONS", "OPTIONS")
        ])
    );
    assert_eq!(
        field("http-request", "url"),
        json!({"controlType": "url", "label": "Url", "helpText": "Request URL", "required": true})
    );
    assert_eq!(
        field("http-request", "headers"),
        json!({"controlType": "textarea", "label": "Headers", "helpText": "Request headers as key-value pairs", "required": true,
               "placeholder": "{\"Content-Type\": \"application/json\", \"Authorization\": \"Bearer token\"}", "rows": 3})
    );
    assert_eq!(
        field("http-request", "body"),
        json!({"controlType": "textarea", "label": "Body", "helpText": "Request body content (for POST, PUT, PATCH)", "required": false,
               "placeholder": "{\"key\": \"value\"}", "rows": 5})
    );
}

#[test]
fn image_fields() {
    assert_eq!(
        options("image", "operation"),
        pairs(&[
            ("overlay", "Overlay"),
            ("merge", "Merge"),
            ("composite", "Composite"),
            ("blend", "Blend")
        ])
    );
    assert_eq!(field("image", "operation")["placeholder"], "Default: overlay");
    let images = field("image", "images");
    assert_eq!(images["controlType"], "textarea");
    assert_eq!(images["required"], true);
    assert_eq!(images["placeholder"], "[\"/path/to/image1.png\", \"/path/to/image2.png\"]");
    assert_eq!(images["rows"], 3);
    assert_eq!(images["helpText"], "Array of image paths or URLs to composite");
    assert_eq!(
        field("image", "output"),
        json!({"controlType": "text", "label": "Output", "helpText": "Output path for the composed image", "required": true})
    );
    for key in ["width", "height"] {
        let f = field("image", key);
        assert_eq!(
            (f["controlType"].clone(), f["required"].clone(), f["min"].clone()),
            (json!("number"), json!(false), json!(1)),
            "{key}"
        );
    }
    assert_eq!(
        options("image", "format"),
        pairs(&[("png", "PNG"), ("jpeg", "JPEG"), ("webp", "WebP")])
    );
    assert_eq!(field("image", "format")["placeholder"], "Default: png");
    assert_eq!(field("image", "format")["required"], true);
    // A default declared inside `.optional()`: shown, not required.
    assert_eq!(
        field("image", "quality"),
        json!({"controlType": "number", "label": "Quality", "helpText": "Output image quality (1-100)", "required": false,
               "placeholder": "Default: 90", "min": 1, "max": 100})
    );
    assert_eq!(
        options("image", "fit"),
        pairs(&[
            ("cover", "Cover"),
            ("contain", "Contain"),
            ("fill", "Fill"),
            ("inside", "Inside"),
            ("outside", "Outside")
        ])
    );
    assert_eq!(
        options("image", "position"),
        pairs(&[
            ("center", "Center"),
            ("top", "Top"),
            ("right", "Right"),
            ("bottom", "Bottom"),
            ("left", "Left"),
            ("top-left", "Top Left"),
            ("top-right", "Top Right"),
            ("bottom-left", "Bottom Left"),
            ("bottom-right", "Bottom Right"),
        ])
    );
    assert_eq!(
        options("image", "blendMode"),
        pairs(&[
            ("over", "Normal"),
            ("multiply", "Multiply"),
            ("screen", "Screen"),
            ("overlay", "Overlay"),
            ("darken", "Darken"),
            ("lighten", "Lighten"),
            ("color-dodge", "Color Dodge"),
            ("color-burn", "Color Burn"),
            ("hard-light", "Hard Light"),
            ("soft-light", "Soft Light"),
            ("difference", "Difference"),
            ("exclusion", "Exclusion"),
        ])
    );
    assert_eq!(field("image", "blendMode")["label"], "Blend Mode");
    let opacity = field("image", "opacity");
    assert_eq!(
        (opacity["min"].clone(), opacity["max"].clone(), opacity["step"].clone()),
        (json!(0), json!(1), json!(0.1))
    );
    assert_eq!(opacity["controlType"], "number");
    assert_eq!(
        (field("image", "blur")["min"].clone(), field("image", "blur")["max"].clone()),
        (json!(0), json!(100))
    );
    for key in ["sharpen", "grayscale"] {
        assert_eq!(field("image", key)["controlType"], "boolean");
        assert_eq!(field("image", key)["required"], false);
    }
}

#[test]
fn loop_fields() {
    assert_eq!(
        options("loop", "loopType"),
        pairs(&[("forEach", "For Each"), ("times", "Times"), ("while", "While")])
    );
    assert_eq!(field("loop", "loopType")["placeholder"], "Default: forEach");
    assert_eq!(field("loop", "loopType")["label"], "Loop Type");
    assert_eq!(
        field("loop", "array"),
        json!({"controlType": "textarea", "label": "Array", "helpText": "Array to iterate over (for forEach)", "required": false,
               "placeholder": "[1, 2, 3, 4, 5]", "rows": 3})
    );
    assert_eq!(
        field("loop", "count"),
        json!({"controlType": "number", "label": "Count", "helpText": "Number of iterations (for times)", "required": true,
               "placeholder": "Default: 10", "min": 1, "max": 10000})
    );
    assert_eq!(
        field("loop", "condition"),
        json!({"controlType": "code", "label": "Condition", "helpText": "JavaScript condition expression (for while)", "required": false,
               "placeholder": "iteration < 100", "rows": 3})
    );
    assert_eq!(
        field("loop", "collectResults"),
        json!({"controlType": "boolean", "label": "Collect Results", "helpText": "Collect results from each iteration into an array",
               "required": true, "placeholder": "Default: true"})
    );
}

#[test]
fn shell_command_fields() {
    let program = field("shell-command", "program");
    assert_eq!(program["controlType"], "text");
    assert_eq!(program["placeholder"], "git");
    assert_eq!(program["required"], true);
    assert_eq!(program["min"], 1);
    assert_eq!(
        field("shell-command", "args"),
        json!({"controlType": "textarea", "label": "Args", "helpText": "Command arguments as array", "required": true,
               "placeholder": "[\"status\", \"--short\"]", "rows": 3})
    );
    assert_eq!(
        field("shell-command", "stdin"),
        json!({"controlType": "textarea", "label": "Stdin", "helpText": "Data to pipe to stdin", "required": false,
               "placeholder": "Data to pipe to command", "rows": 3})
    );
    assert_eq!(field("shell-command", "captureOutput")["placeholder"], "Default: true");
    assert_eq!(field("shell-command", "captureOutput")["label"], "Capture Output");
}

#[test]
fn spreadsheet_fields() {
    assert_eq!(
        field("spreadsheet", "path"),
        json!({"controlType": "text", "label": "Path", "helpText": "File path to read (desktop only - use this OR data, not both)",
               "required": false, "placeholder": "e.g., /path/to/spreadsheet.xlsx"})
    );
    assert_eq!(
        field("spreadsheet", "data"),
        json!({"controlType": "textarea", "label": "Data", "helpText": "Raw spreadsheet content (works everywhere - use this OR path, not both)",
               "required": false, "placeholder": "Paste CSV/TSV data here...", "rows": 6})
    );
    assert_eq!(
        options("spreadsheet", "format"),
        pairs(&[
            ("csv", "CSV - Comma Separated Values"),
            ("xlsx", "XLSX - Excel 2007+"),
            ("xls", "XLS - Excel 97-2003"),
            ("xlsb", "XLSB - Excel Binary"),
            // The reference's `fods` is gone: no engine here reads it (it failed at run time).
            ("ods", "ODS - OpenDocument Spreadsheet"),
        ])
    );
    assert_eq!(field("spreadsheet", "format")["required"], false);
    // A text control offering common delimiters.
    let delimiter = field("spreadsheet", "delimiter");
    assert_eq!(delimiter["controlType"], "text");
    assert_eq!(delimiter["placeholder"], "Default: ,");
    assert_eq!(
        options("spreadsheet", "delimiter"),
        pairs(&[
            (",", "Comma (,)"),
            (";", "Semicolon (;)"),
            ("\t", "Tab (\\t)"),
            ("|", "Pipe (|)")
        ])
    );
    assert_eq!(field("spreadsheet", "range")["placeholder"], "e.g., A1:D10");
    let sheet_index = field("spreadsheet", "sheetIndex");
    assert_eq!(
        (sheet_index["label"].clone(), sheet_index["min"].clone(), sheet_index["required"].clone()),
        (json!("Sheet Index"), json!(0), json!(false))
    );
    assert_eq!(field("spreadsheet", "hasHeaders")["placeholder"], "Default: true");
    assert_eq!(field("spreadsheet", "skipEmptyLines")["label"], "Skip Empty Lines");
}

#[test]
fn transform_fields() {
    assert_eq!(
        options("transform", "operation"),
        pairs(&[
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
        ])
    );
    assert_eq!(field("transform", "operation")["placeholder"], "Default: map");
    assert_eq!(
        field("transform", "transformFunction"),
        json!({"controlType": "code", "label": "Transform Function", "helpText": "JavaScript function for map/filter operations",
               "required": true, "placeholder": "item => ({ ...item, processed: true })", "rows": 5})
    );
    assert_eq!(options("transform", "sortDirection"), pairs(&[("asc", "Asc"), ("desc", "Desc")]));
    assert_eq!(field("transform", "sortKey")["required"], false);
    assert_eq!(field("transform", "sortKey")["helpText"], "Property key to sort by");
    let depth = field("transform", "flattenDepth");
    assert_eq!(
        (depth["min"].clone(), depth["max"].clone(), depth["placeholder"].clone()),
        (json!(1), json!(10), json!("Default: 1"))
    );
    assert_eq!(field("transform", "limitCount")["min"], 1);
    assert_eq!(field("transform", "skipCount")["min"], 0);
    assert_eq!(field("transform", "sliceStart")["min"], 0);
    assert!(field("transform", "sliceEnd").get("min").is_none());
    assert_eq!(field("transform", "sliceEnd")["label"], "Slice End");
    assert_eq!(field("transform", "data")["controlType"], "json");
}

#[test]
fn group_and_parallel_fields_are_hand_written() {
    assert_eq!(
        definition("group")["fields"],
        json!({
            "timeout": {"controlType": "number", "label": "Timeout (ms)", "helpText": "Maximum execution time in milliseconds",
                        "min": 1000, "max": 300000},
            "retries": {"controlType": "number", "label": "Retries", "helpText": "Number of retry attempts on failure", "min": 0, "max": 10},
            "parallel": {"controlType": "boolean", "label": "Parallel Execution", "helpText": "Execute child nodes in parallel when possible"}
        })
    );
    assert_eq!(
        definition("parallel")["fields"],
        json!({
            "concurrency": {"controlType": "range", "label": "Concurrency", "helpText": "Maximum number of concurrent operations (1-50)",
                            "min": 1, "max": 50},
            "strategy": {"controlType": "select", "label": "Strategy", "helpText": "Parallel execution strategy", "options": [
                {"value": "all", "label": "All - Fail if any fails"},
                {"value": "race", "label": "Race - First to complete"},
                {"value": "allSettled", "label": "All Settled - Complete all"}
            ]},
            "operationTimeout": {"controlType": "number", "label": "Operation Timeout (ms)", "helpText": "Timeout for each individual operation",
                                 "min": 1000, "max": 300000},
            "globalTimeout": {"controlType": "number", "label": "Global Timeout (ms)", "helpText": "Global timeout for all parallel operations",
                              "min": 5000, "max": 600000},
            "failFast": {"controlType": "boolean", "label": "Fail Fast", "helpText": "Stop all operations on first error"},
            "maintainOrder": {"controlType": "boolean", "label": "Maintain Order", "helpText": "Maintain input order in results"}
        })
    );
}

#[test]
fn every_field_has_a_control_and_a_label() {
    for definition in all_node_definitions() {
        for (key, f) in definition["fields"].as_object().unwrap() {
            assert!(
                f["controlType"].as_str().is_some_and(|c| !c.is_empty()),
                "{}.{key}",
                definition["type"]
            );
            assert!(
                f["label"].as_str().is_some_and(|l| !l.is_empty()),
                "{}.{key}",
                definition["type"]
            );
            if let Some(options) = f.get("options") {
                assert!(!options.as_array().unwrap().is_empty(), "{}.{key}", definition["type"]);
            }
        }
    }
}

#[test]
/// The reference's ports, the first of each type's inputs, then the inputs the node reads that
/// the reference did not draw (an edge to a key no node read was accepted and ignored); the
/// shell's `command`, which it never read, is gone.
fn ports_are_those_of_the_reference_and_every_input_read() {
    let expected = [
        (
            "edit-fields",
            vec![port("data", "Data", "input", "object", false)],
            vec![port("data", "Data", "output", "object", false)],
        ),
        (
            "file-system",
            vec![
                port("input", "Input", "input", "any", false),
                port("path", "Path", "input", "string", false),
                port("targetPath", "Target path", "input", "string", false),
            ],
            vec![port("result", "Result", "output", "any", false)],
        ),
        (
            "http-request",
            vec![
                port("url", "URL", "input", "string", false),
                port("body", "Body", "input", "any", false),
                port("headers", "Headers", "input", "object", false),
                port("params", "Query", "input", "object", false),
            ],
            vec![port("result", "Result", "output", "any", false)],
        ),
        (
            "group",
            vec![port("trigger", "Trigger", "trigger", "any", false)],
            vec![port("result", "Result", "output", "any", false)],
        ),
        (
            "image",
            vec![
                port("baseImage", "Base Image", "input", "any", false),
                port("overlayImage", "Overlay Image", "input", "any", false),
                port("images", "Images", "input", "array", false),
            ],
            vec![port("result", "Result", "output", "string", false)],
        ),
        (
            "loop",
            vec![
                port("items", "Items", "input", "array", false),
                port("array", "Array", "input", "array", false),
            ],
            vec![port("results", "Results", "output", "array", false)],
        ),
        (
            "parallel",
            vec![port("operations", "Operations", "input", "array", true)],
            vec![port("results", "Results", "output", "array", false)],
        ),
        (
            "shell-command",
            vec![
                port("stdin", "Input", "input", "string", false),
                port("args", "Arguments", "input", "array", false),
                port("program", "Program", "input", "string", false),
            ],
            vec![port("result", "Result", "output", "object", false)],
        ),
        (
            "spreadsheet",
            vec![
                port("filePath", "File Path", "input", "string", false),
                port("data", "Raw Data", "input", "string", false),
            ],
            vec![
                port("records", "Records", "output", "array", false),
                port("headers", "Headers", "output", "array", false),
                port("rowCount", "Row Count", "output", "number", false),
                port("sheetName", "Sheet Name", "output", "string", false),
            ],
        ),
        (
            "transform",
            vec![
                port("data", "Data", "input", "array", true),
                port("function", "Function", "input", "string", false),
            ],
            vec![port("result", "Result", "output", "object", false)],
        ),
    ];
    for (node_type, inputs, outputs) in expected {
        assert_eq!(ports(node_type, "inputPorts"), inputs, "{node_type} inputs");
        assert_eq!(ports(node_type, "outputPorts"), outputs, "{node_type} outputs");
    }
}

#[test]
fn parameters_are_the_definition_defaults_over_the_base_ones() {
    let expected = [
        (
            "file-system",
            // `createDirectories`, `overwrite` and `fullPaths` say what the node does when left
            // out (the reference's `false` for each was never read; it always did the opposite).
            json!({"enabled": true, "timeout": 30000, "retries": 1, "operation": "read", "path": "", "encoding": "utf8",
                   "createDirectories": true, "overwrite": true, "recursive": false, "fullPaths": true}),
        ),
        (
            "http-request",
            json!({"enabled": true, "timeout": 30000, "retries": 0, "method": "GET", "url": "https://api.example.com", "headers": {},
                   "followRedirects": true, "validateSSL": true, "retryDelay": 1000}),
        ),
        // `parallel: true`: what the engine does (the reference's `false` was never read; now
        // `false` runs a group's children one at a time).
        ("group", json!({"enabled": true, "timeout": 30000, "retries": 1, "parallel": true})),
        (
            "image",
            json!({"enabled": true, "timeout": 30000, "retries": 1, "operation": "overlay", "outputFormat": "png", "quality": 90,
                   "position": "center", "opacity": 1, "blendMode": "normal", "backgroundColor": "transparent",
                   "maintainAspectRatio": true, "padding": 0}),
        ),
        (
            "loop",
            json!({"enabled": true, "timeout": 30000, "retries": 1, "loopType": "forEach", "batchSize": 1, "maxIterations": 1000,
                   "delay": 0, "continueOnError": true, "startValue": 0, "endValue": 10, "stepSize": 1, "times": 10,
                   "parallel": false, "concurrency": 5}),
        ),
        (
            "parallel",
            json!({"enabled": true, "timeout": 30000, "retries": 1, "concurrency": 5, "strategy": "allSettled",
                   "operationTimeout": 30000, "globalTimeout": 120000, "failFast": false, "maintainOrder": true}),
        ),
        (
            "shell-command",
            json!({"enabled": true, "timeout": 30000, "retries": 1, "program": "", "args": [], "captureOutput": true}),
        ),
        (
            "spreadsheet",
            json!({"enabled": true, "timeout": 30000, "retries": 1, "hasHeaders": true, "delimiter": ",", "skipEmptyLines": true,
                   "sheetIndex": 0}),
        ),
        (
            "transform",
            json!({"enabled": true, "timeout": 30000, "retries": 1, "operation": "map", "transformFunction": "item => item",
                   "sortDirection": "asc", "reduceFunction": "(acc, item) => acc + item", "reduceInitial": "0", "flattenDepth": 1}),
        ),
    ];
    for (node_type, parameters) in expected {
        assert_eq!(definition(node_type)["parameters"], parameters, "{node_type}");
    }
    // Key order follows the TypeScript engine: base parameters first, then the type's, in declaration order.
    let keys: Vec<String> = definition("image")["parameters"]
        .as_object()
        .unwrap()
        .keys()
        .map(|k| k.to_string())
        .collect();
    assert_eq!(&keys[..5], ["enabled", "timeout", "retries", "operation", "outputFormat"]);
}

#[test]
fn metadata_names_categories_icons_and_environments() {
    let expected = [
        ("parallel", "Parallel", "Parallel", "logic", "zap", "everywhere", 100),
        ("group", "Group", "Group", "group", "git-branch", "everywhere", 100),
        ("image", "Image", "Image", "media", "image", "native", 100),
        ("http-request", "Http Request", "Http Request", "io", "globe-2", "everywhere", 500),
        ("file-system", "File System", "File System", "io", "folder", "native", 200),
        ("edit-fields", "Edit Fields", "Edit Fields", "data", "pencil-line", "everywhere", 80),
        ("transform", "Transform", "Transform", "data", "wand-2", "everywhere", 50),
        ("shell-command", "Shell Command", "Shell Command", "system", "terminal", "native", 100),
        ("spreadsheet", "Spreadsheet Reader", "Spreadsheet Reader", "io", "table-2", "mixed", 100),
        ("loop", "Loop", "Loop", "logic", "repeat", "everywhere", 20),
    ];
    for (node_type, name, metadata_name, category, icon, environment, weight) in expected {
        let d = definition(node_type);
        assert_eq!(d["id"], node_type);
        assert_eq!(d["type"], node_type);
        assert_eq!(d["version"], "1.0.0");
        assert_eq!(d["name"], name, "{node_type}");
        assert_eq!(d["position"], json!({"x": 0, "y": 0}));
        let m = &d["metadata"];
        assert_eq!(m["id"], node_type);
        assert_eq!(m["name"], metadata_name, "{node_type}");
        assert_eq!(m["category"], category, "{node_type}");
        assert_eq!(m["icon"], icon, "{node_type}");
        assert_eq!(m["environment"], environment, "{node_type}");
        assert_eq!(m["weight"], weight, "{node_type}");
        assert_eq!(m["author"], "Atomiton Core Team");
        let description = m["description"].as_str().unwrap();
        // A real one-line description, not the generated "<Name> node".
        assert!(
            !description.is_empty()
                && description != format!("{metadata_name} node")
                && !description.contains('\n'),
            "{node_type}"
        );
        assert!(m["keywords"].as_array().is_some_and(|k| !k.is_empty()), "{node_type}");
    }
}

#[test]
fn all_definitions_come_in_registry_order() {
    let types: Vec<Value> = all_node_definitions().iter().map(|d| d["type"].clone()).collect();
    assert_eq!(
        types,
        [
            "parallel",
            "group",
            "image",
            "http-request",
            "file-system",
            "edit-fields",
            "transform",
            "shell-command",
            "spreadsheet",
            "loop",
            "if",
            "switch",
            "merge",
            "for-each",
            "sub-flow",
            "wait",
            "python",
            "schedule",
            "webhook",
            "file-watch",
            "database",
            "llm",
            "email"
        ]
    );
    // Every type a build registers is in the catalog: a palette built from it misses none.
    let registry = atomiton_catalog::catalog_registry();
    let mut registered = registry.names();
    let mut listed: Vec<&str> = types.iter().filter_map(|t| t.as_str()).collect();
    registered.sort_unstable();
    listed.sort_unstable();
    assert_eq!(registered, listed);
    assert!(node_definition("code").is_none());
    assert!(node_definition("csv-reader").is_none());
}

#[test]
fn definitions_grouped_by_category_in_first_seen_order() {
    let groups = node_definitions_by_category();
    let shape: Vec<(String, String, Vec<String>)> = groups
        .iter()
        .map(|g| {
            assert_eq!(g.as_object().unwrap().len(), 3, "{{name, title, items}}");
            (
                g["name"].as_str().unwrap().to_owned(),
                g["title"].as_str().unwrap().to_owned(),
                g["items"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|d| d["type"].as_str().unwrap().to_owned())
                    .collect(),
            )
        })
        .collect();
    let expected: Vec<(String, String, Vec<String>)> = [
        (
            "logic",
            "Logic",
            vec!["parallel", "loop", "if", "switch", "merge", "for-each", "sub-flow", "wait"],
        ),
        ("group", "Group", vec!["group"]),
        ("media", "Media", vec!["image"]),
        ("io", "Io", vec!["http-request", "file-system", "spreadsheet", "database", "email"]),
        ("data", "Data", vec!["edit-fields", "transform"]),
        ("system", "System", vec!["shell-command", "python", "schedule", "webhook", "file-watch"]),
        ("ai", "Ai", vec!["llm"]),
    ]
    .into_iter()
    .map(|(n, t, items)| {
        (n.to_owned(), t.to_owned(), items.into_iter().map(str::to_owned).collect())
    })
    .collect();
    assert_eq!(shape, expected);
    // Items are the full definitions.
    assert_eq!(groups[2]["items"][0], definition("image"));
}

#[test]
fn templates_answer_to_their_readable_slug_and_their_uuid_alike() {
    use atomiton_catalog::{get_template, list_templates, template_source};
    let templates = list_templates();
    let slugs: Vec<&str> = templates.iter().map(|t| t.slug.as_str()).collect();
    assert_eq!(slugs, ["hello-world", "data-pipeline", "image-processing", "double-and-summarise"]);
    for info in &templates {
        let by_slug =
            get_template(&info.slug).unwrap_or_else(|| panic!("{} not found by slug", info.slug));
        assert_eq!(
            Some(by_slug),
            get_template(&info.id),
            "{}: the same definition by slug and by id",
            info.slug
        );
        assert_eq!(template_source(&info.slug), template_source(&info.id));
    }
    assert_eq!(
        get_template("hello-world").map(|flow| flow.id_str().to_owned()).as_deref(),
        Some("550e8400-e29b-41d4-a716-446655440001")
    );
    let listed = atomiton_core::value::to_value(&templates[0]).unwrap();
    assert_eq!(listed["slug"], json!("hello-world"));
    assert_eq!(get_template("no-such-template"), None);
    assert_eq!(get_template("Hello-World"), None, "slugs are exact");
    let missing = atomiton_catalog::template_not_found("helo-world");
    assert_eq!(missing.code, atomiton_core::error::ErrorCode::NODE_NOT_FOUND);
    assert_eq!(missing.message, "Flow template helo-world not found");
    let context = serde_json::to_value(missing.context.as_deref()).unwrap();
    assert_eq!(context["meant"], "hello-world");
    assert_eq!(
        context["templates"],
        serde_json::json!([
            "hello-world",
            "data-pipeline",
            "image-processing",
            "double-and-summarise"
        ])
    );
}
