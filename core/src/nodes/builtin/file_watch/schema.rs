//! `file-watch` parameters, UI fields, ports and catalog entry. Their types and allowed values
//! are checked here; the patterns as globs and the events by name are checked by the trigger
//! capability (`atomiton-triggers`).

use std::sync::LazyLock;

use crate::json;
use crate::nodes::descriptor::{Environment, NodeDescriptor, PortSpec};
use crate::nodes::schema::{NodeSchema, ParamKind, ParamSpec};
use crate::value::Map;

pub(super) static SCHEMA: LazyLock<NodeSchema> = LazyLock::new(|| {
    NodeSchema::new(vec![
        ParamSpec::new("path", ParamKind::text_min(1))
            .describe("The folder to watch (a relative path is the conductor's working directory's)"),
        ParamSpec::new("patterns", ParamKind::Any)
            .optional()
            .describe("Globs a file's path relative to the folder must match one of (default [\"*\"], or [\"**/*\"] with recursive), e.g. [\"*.csv\"]"),
        ParamSpec::new("events", ParamKind::Any)
            .optional()
            .describe("Which events fire: \"created\", \"changed\", \"deleted\" (default [\"created\", \"changed\"])"),
        ParamSpec::new("recursive", ParamKind::Boolean)
            .default(|| json!(false))
            .describe("Watch the folders below it too"),
        ParamSpec::new("debounce", ParamKind::whole_range(100.0, 3_600_000.0))
            .optional()
            .describe("How long a file must stay the same size and time before it fires, in ms (default 1000): a file still being written fires once, complete"),
    ])
    // A run a file started has the event as its input's `trigger`.
    .reads_inputs(&["trigger"])
});

fn parameters() -> Map {
    Map::from_iter([
        ("path".to_owned(), json!("./inbox")),
        ("patterns".to_owned(), json!(["*.csv"])),
    ])
}

pub(super) static DESCRIPTOR: NodeDescriptor = NodeDescriptor {
    node_type: super::FILE_WATCH_TYPE,
    name: "File watch",
    description: "Start the flow when a file in a folder is created, changed or deleted: each complete file version fires once, across every process sharing the store",
    category: "system",
    icon: "zap",
    keywords: &["file", "watch", "folder", "directory", "inbox", "trigger"],
    // What watches the folder is a native conductor's trigger timer.
    environment: Environment::NativeOnly,
    parameters,
    input_ports: &[PortSpec::input("trigger", "Event", "object")
        .describe("The file event that started the run (a run's input `trigger`): its output")],
    output_ports: &[PortSpec::output("event", "Event", "object")
        .describe("The event: event, path, relativePath, size, modifiedAt, and when it fired")],
};
