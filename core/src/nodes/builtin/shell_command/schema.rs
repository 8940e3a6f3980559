//! `shell-command` parameters, UI fields, ports and catalog entry.

use std::sync::LazyLock;

use crate::json;
use crate::value::Map;

use crate::nodes::descriptor::{Environment, NodeDescriptor, PortSpec};
use crate::nodes::schema::{FieldOverrides, NodeSchema, ParamKind, ParamSpec};

pub static SCHEMA: LazyLock<NodeSchema> = LazyLock::new(|| {
    NodeSchema::new(vec![
        ParamSpec::new("program", ParamKind::text_min(1))
            .required_message("Program is required")
            .describe("Program to run (started directly, without a shell)")
            .ui(FieldOverrides::NONE.control("text").placeholder("git")),
        ParamSpec::new("args", ParamKind::StringListOrJson)
            .default(|| json!([]))
            .describe("Command arguments as array")
            .ui(FieldOverrides::NONE
                .control("textarea")
                .placeholder("[\"status\", \"--short\"]")
                .rows(3)),
        ParamSpec::new("stdin", ParamKind::text()).optional().describe("Data to pipe to stdin").ui(
            FieldOverrides::NONE.control("textarea").placeholder("Data to pipe to command").rows(3),
        ),
        ParamSpec::new("captureOutput", ParamKind::Boolean)
            .default(|| json!(true))
            .describe("Whether to capture command output"),
        ParamSpec::new("workingDirectory", ParamKind::text_min(1))
            .optional()
            .describe("The directory the program runs in (default: the conductor's workingDirectory); also an input")
            .ui(FieldOverrides::NONE.hidden()),
        ParamSpec::new("environment", ParamKind::RecordOrJson)
            .optional()
            .describe(
                "Variables added to the program's environment (values as text); LD_PRELOAD, \
                 LD_LIBRARY_PATH, DYLD_INSERT_LIBRARIES and DYLD_LIBRARY_PATH are refused; also an input",
            )
            .ui(FieldOverrides::NONE.hidden()),
        ParamSpec::new(
            "maxOutputBytes",
            ParamKind::Number { min: Some(1.0), max: None, exclusive_min: false, integer: true },
        )
        .optional()
        .describe("Most bytes of stdout and of stderr kept (default 10 MiB); a stream cut there adds a warning to the run")
        .ui(FieldOverrides::NONE.hidden()),
    ])
    .reads_inputs(&["program", "args", "workingDirectory", "environment", "stdin"])
});

fn parameters() -> Map {
    Map::from_iter([
        ("program".to_owned(), json!("")),
        ("args".to_owned(), json!([])),
        ("timeout".to_owned(), json!(30000)),
        ("captureOutput".to_owned(), json!(true)),
    ])
}

pub(super) static DESCRIPTOR: NodeDescriptor = NodeDescriptor {
    node_type: "shell-command",
    name: "Shell Command",
    description: "Run a program with arguments and capture its output and exit code",
    category: "system",
    icon: "terminal",
    keywords: &[
        "shell", "command", "terminal", "program", "process", "script", "execute", "cli", "system",
    ],
    environment: Environment::NativeOnly,
    parameters,
    input_ports: &[
        PortSpec::input("stdin", "Input", "string")
            .describe("Piped to the program's standard input"),
        PortSpec::input("args", "Arguments", "array").describe("Over the args parameter"),
        PortSpec::input("program", "Program", "string").describe("Over the program parameter"),
    ],
    output_ports: &[PortSpec::output("result", "Result", "object")],
};
