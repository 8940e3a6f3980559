//! The built-in node types (listed in docs/nodes.md): the TypeScript engine's ten and ours, one
//! folder each: `mod.rs` declares the
//! type with `builtin_node_type!` (`declare.rs`), `schema.rs` holds its parameters, UI fields,
//! ports and catalog entry, and the behaviour lives beside them.

#[macro_use]
mod declare;

mod common;
mod common_budget;
mod common_control;
mod common_effects;
mod common_expression;
mod edit_fields;
mod file_system;
pub(crate) mod for_each;
mod group;
mod http_request;
mod r#if;
mod image;
mod r#loop;
pub(crate) mod merge;
mod pace;
mod parallel;
// Known in every build: one that cannot run it says why at validation.
mod python;
// Every build knows it (a flow with one validates and runs by hand anywhere); what fires it is
// `atomiton-triggers`, and only builds with history register it.
pub mod schedule;
pub mod sdk;
mod shell_command;
mod spreadsheet;
pub(crate) mod sub_flow;
mod switch;
mod transform;
mod unavailable;
// Like `schedule`, known to every build; the protocol server of a native conductor answers it.
pub mod webhook;
// Like `webhook`: a native conductor's trigger timer watches its folder.
pub mod file_watch;
// What the three trigger types share.
pub mod trigger_node;
// Waits park durable runs in their history: only builds with one have them.
#[cfg(feature = "history")]
pub(crate) mod wait;

use super::NodeRegistry;

/// Built-in type names in the TypeScript engine's registry order.
pub const BUILTIN_TYPES: [&str; 10] = [
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
];

/// The built-in types the TypeScript engine did not have, in the order the catalog lists them
/// after its ten (a build has those its features give it: `wait` and the trigger types with history).
pub const OUR_TYPES: &[&str] = &[
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
    "email",
];

/// Types that capability crates declare, and what a build without them lacks, for validation's
/// message: a flow naming one where it is not linked is told where it runs.
pub const ELSEWHERE: &[(&str, &str)] = &[
    ("database", "a database client (run the flow on a native conductor, e.g. a remote one)"),
    ("email", "an SMTP client (run the flow on a native conductor, e.g. a remote one)"),
    (
        "llm",
        "a language-model client (the native conductor, or in a browser the editor module: createConductor({ history: true }))",
    ),
];

/// A registry holding the built-in node types: the ten, ours, and `wait` and the trigger types (`schedule`, `webhook`, `file-watch`) in
/// builds with history. The executors of the types that need files and processes are provided apart (see
/// [`crate::nodes::NodeExecutor`]).
pub fn builtin_registry() -> NodeRegistry {
    let registry = NodeRegistry::empty()
        .with(parallel::Parallel)
        .with(group::Group)
        .with(image::Image)
        .with(http_request::HttpRequest)
        .with(file_system::FileSystemNode)
        .with(edit_fields::EditFields)
        .with(transform::Transform)
        .with(shell_command::ShellCommand)
        .with(spreadsheet::Spreadsheet)
        .with(r#loop::Loop)
        .with(r#if::If)
        .with(switch::Switch)
        .with(merge::Merge)
        .with(for_each::ForEach)
        .with(sub_flow::SubFlow)
        .with(python::Python);
    #[cfg(feature = "history")]
    let registry = registry
        .with(wait::Wait)
        .with(schedule::SCHEDULE)
        .with(webhook::WEBHOOK)
        .with(file_watch::FILE_WATCH);
    registry
}
