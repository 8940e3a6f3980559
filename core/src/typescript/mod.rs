//! The TypeScript the npm package takes from this crate, generated here so the two sides cannot
//! drift: the wire types of a run's options (from the serde definitions, by `ts-rs`), the error
//! codes, the messages both sides give, the recovery table, and a session's JS class
//! ([`session`]).
//!
//! `cargo test -p atomiton-core --lib typescript` fails when a committed file differs from what
//! the Rust types say now (CI runs it); `scripts/generate-ts.sh` rewrites the files.

use std::path::{Path, PathBuf};

use ts_rs::{Config, TS};

use crate::engine::RunOptions;
use crate::error::{messages, recovery_strategy, ErrorCode};

const HEADER: &str = "// Generated from the Rust engine by scripts/generate-ts.sh. Do not edit.\n";

mod options;
pub(crate) mod session;

/// `npm/src/<name>` from this crate's directory.
fn target(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../npm/src").join(name)
}

/// `export type X = ...;` with the type's doc comment, one field per indented line.
fn declaration<T: TS>(config: &Config) -> String {
    let docs = T::docs().unwrap_or_default();
    let decl = T::decl(config);
    let mut lines = decl.lines().map(str::trim_end);
    let first = lines.next().unwrap_or_default();
    let rest: Vec<String> = lines.map(|line| format!("  {line}")).collect();
    if rest.is_empty() {
        return format!("{docs}export {first}\n");
    }
    format!("{docs}export {first}\n{}\n", rest.join("\n"))
}

/// `declaration`, with one field per line: ts-rs writes the fields without documentation
/// side by side.
fn one_field_per_line(declaration: &str) -> String {
    let mut out = String::new();
    for line in declaration.lines() {
        let text = line.trim_start();
        if text.starts_with('/') || text.starts_with('*') {
            out.push_str(line);
            out.push('\n');
            continue;
        }
        // `export type X = { a: A,` opens the object on a line of its own.
        let (head, fields) = match text.split_once("= { ") {
            Some((name, rest)) => {
                out.push_str(&format!("{name}= {{\n"));
                (String::from("  "), rest)
            }
            None => (line[..line.len() - text.len()].to_owned(), text),
        };
        let fields = fields.strip_suffix(" };").map_or(fields, str::trim_end);
        let closes = text.ends_with(" };");
        let mut depth = 0i32;
        let mut field = String::new();
        for c in fields.chars() {
            match c {
                '<' | '{' | '(' | '[' => depth += 1,
                '>' | '}' | ')' | ']' => depth -= 1,
                _ => {}
            }
            field.push(c);
            if c == ',' && depth == 0 {
                out.push_str(&format!("{head}{}\n", field.trim()));
                field.clear();
            }
        }
        if !field.trim().is_empty() {
            out.push_str(&format!("{head}{}\n", field.trim()));
        }
        if closes {
            out.push_str("};\n");
        }
    }
    out
}

/// `wire.generated.ts`: what crosses the boundary into the engine.
fn wire() -> String {
    let config = Config::new();
    let mut out = String::from(HEADER);
    out.push_str("// The shapes of the engine's inputs, from the serde types that read them.\n\n");
    // The types of the options inside, as declared for callers (core/src/options/).
    out.push_str("import type { DebugOptions, RunPermissions as WirePermissions, RunReplay as WireReplay, RunResume as WireResume, RunRetry as WireRetry, RunTelemetry as WireTelemetry } from \"./options.generated.js\";\n\n");
    out.push_str(&declaration::<RunOptions>(&config));
    out.push('\n');
    out.push_str(&run_options_builder(&RunOptions::decl(&config)));
    out.push_str("/** Messages the package gives for failures it finds before the engine does, in the engine's words. */\n");
    out.push_str("export const MESSAGES = {\n");
    for (name, text) in messages::ALL {
        out.push_str(&format!("  {name}: {},\n", json(text)));
    }
    out.push_str("} as const;\n");
    out
}

/// `wireRunOptions(given, set)`: every option `WireRunOptions` names (read from its
/// declaration), in one object literal of one shape — what the encoder after it is fastest with.
fn run_options_builder(decl: &str) -> String {
    let fields: Vec<&str> = decl
        .lines()
        .filter_map(|line| line.trim().split_once("?:").map(|(name, _)| name.trim()))
        .filter(|name| !name.is_empty() && name.chars().all(|c| c.is_ascii_alphanumeric()))
        .collect();
    let mut out = String::from(
        "/**\n * A run's options for the engine: each one the conductor `set`, else the one the caller `given`, with\n * every option named, so the object always has one shape.\n */\nexport function wireRunOptions(given: Partial<WireRunOptions>, set: Partial<WireRunOptions>): WireRunOptions {\n  return {\n",
    );
    for field in fields {
        out.push_str(&format!("    {field}: set.{field} ?? given.{field},\n"));
    }
    out.push_str("  };\n}\n\n");
    out
}

/// How ts-rs writes the answers: the engine's 64-bit counts are JSON numbers.
fn answer_config() -> Config {
    Config::new().with_large_int("number")
}

/// The names `answers.generated.ts` exports, for the generated files that import them.
const ANSWER_NAMES: &[&str] = &[
    "Encoded",
    "Outcome",
    "ExecutionTrace",
    "FlowDefinition",
    "RunTrace",
    "WireEvents",
    "StoredFlow",
    "ProgressSnapshot",
    "CatalogNode",
    "NodeCategories",
    "TemplateList",
    "FlowTemplateInfo",
    "NodeDefinition",
    "RunProgressEvent",
    "WireEvent",
    "WireError",
    "WireResult",
    "ValidationResult",
    "ValidationIssue",
    "StoredFlowItem",
    "StoredFlowPage",
    "RecordedRunStatus",
    "NodeExecutionState",
    "ExecutionSummary",
    "ExecutionNodeRecord",
    "ExecutionRecord",
    "ExecutionListResponse",
    "PrunedExecutions",
    "ExecutionCounts",
    "CacheRemoved",
    "CacheStats",
    "ReplayDifferences",
    "ReplayDifference",
    "WaitKind",
    "ExecutionWaiting",
    "WokenRuns",
    "TriggerInfo",
    "ActiveTriggers",
    "DeactivatedTriggers",
    "SkippedFires",
    "TriggerFire",
    "TriggerFires",
    "FireInput",
    "FireToStart",
    "MissedFires",
    "DueFires",
    "HookRefusal",
    "HookRoute",
    "HookStart",
    "HookDelivery",
    "CredentialInfo",
    "CredentialList",
];

/// `answers.generated.ts`: what the session's methods answer, from the Rust types that write it.
fn answers() -> String {
    use crate::history::{
        Differences, ExecutionPage, NodeRecord, OutputDifference, RunCounts, RunRecord, RunStatus,
        RunSummary,
    };
    use crate::history::{WaitKind, Waiting};
    use crate::progress::NodeState;
    use crate::session::{
        ActiveTriggers, CacheRemoved, CacheReport, CredentialInfo, CredentialList, Deactivated,
        DueFires, FireInfo, FireInput, FireToStart, HookDelivery, HookRefusal, HookRoute,
        HookStart, MissedFires, Pruned, SkippedFires, TriggerFires, TriggerInfo, WokenRuns,
    };
    use crate::storage::{FlowListItem, FlowListPage};
    use crate::validation::{Validated, ValidationIssue};
    use session::{
        CatalogNode, NodeCategories, ProgressSnapshot, RunTrace, StoredFlow, TemplateList,
        WireEvents,
    };
    let config = answer_config();
    let mut out = String::from(HEADER);
    out.push_str("// What a session's methods answer, from the Rust types whose serialization the answers are.\n\n");
    // The shapes the Rust side writes by hand (serializers written out for size or speed) keep
    // their TypeScript types where the public API declares them.
    out.push_str("import type { ExecutionError } from \"./errors.js\";\nimport type { NodeDefinition } from \"./definition.js\";\nimport type { ExecutionTrace } from \"./execution.js\";\nimport type { RunProgressEvent } from \"./progress.js\";\nimport type { FlowDefinition, FlowTemplateInfo } from \"./storage.js\";\nimport type { WireError, WireEvent, WireResult } from \"./wire.js\";\nimport type { RunPermissions as WirePermissions } from \"./options.generated.js\";\n\n");
    out.push_str("export type { ExecutionTrace, FlowDefinition, FlowTemplateInfo, NodeDefinition, RunProgressEvent, WireError, WireEvent, WireResult };\n\n");
    out.push_str("/**\n * Text (JSON, or codec text) that decodes to a `T`: how a method's answer crosses the boundary,\n * typed by what it holds. `decoded(text)` reads it.\n */\nexport type Encoded<T> = string & { readonly __decodesTo?: T };\n\n");
    out.push_str("/** The envelope every fallible answer comes in: `{ok: true, value}` or `{ok: false, error}`. */\nexport type Outcome<T> = { ok: true; value: T } | { ok: false; error: WireError };\n\n");
    for declaration in [
        declaration::<RunTrace>(&config),
        declaration::<WireEvents>(&config),
        declaration::<ProgressSnapshot>(&config),
        declaration::<StoredFlow>(&config),
        declaration::<CatalogNode>(&config),
        declaration::<NodeCategories>(&config),
        declaration::<TemplateList>(&config),
        declaration::<Validated>(&config),
        declaration::<ValidationIssue>(&config),
        declaration::<FlowListPage>(&config),
        declaration::<FlowListItem>(&config),
        declaration::<RunStatus>(&config),
        declaration::<NodeState>(&config),
        declaration::<RunSummary>(&config),
        declaration::<NodeRecord>(&config),
        // A record is its summary's fields and these (serialized side by side).
        declaration::<RunRecord>(&config).replacen("= {", "= ExecutionSummary & {", 1),
        declaration::<ExecutionPage>(&config),
        declaration::<Pruned>(&config),
        declaration::<RunCounts>(&config),
        declaration::<CacheRemoved>(&config),
        declaration::<CacheReport>(&config),
        declaration::<Differences>(&config),
        declaration::<OutputDifference>(&config),
        declaration::<WaitKind>(&config),
        declaration::<Waiting>(&config),
        declaration::<WokenRuns>(&config),
        declaration::<TriggerInfo>(&config),
        declaration::<ActiveTriggers>(&config),
        declaration::<Deactivated>(&config),
        declaration::<SkippedFires>(&config),
        declaration::<FireInfo>(&config),
        declaration::<TriggerFires>(&config),
        declaration::<FireInput>(&config),
        declaration::<FireToStart>(&config),
        declaration::<MissedFires>(&config),
        declaration::<DueFires>(&config),
        declaration::<HookRefusal>(&config),
        declaration::<HookRoute>(&config),
        declaration::<HookStart>(&config),
        declaration::<HookDelivery>(&config),
        declaration::<CredentialInfo>(&config),
        declaration::<CredentialList>(&config),
    ] {
        out.push_str(&one_field_per_line(&declaration));
        out.push('\n');
    }
    out
}

/// `error-codes.generated.ts`: the codes, their documentation and recovery advice.
fn error_codes() -> String {
    let mut out = String::from(HEADER);
    out.push_str("\n/**\n * The error codes; every value equals its name. The TypeScript engine's 22, then two for access\n * control on a protocol server and two for files.\n */\nexport enum ErrorCode {\n");
    for code in ErrorCode::ALL {
        out.push_str("  /**");
        for line in code.doc().lines() {
            out.push_str(&format!("\n   *{line}"));
        }
        out.push_str("\n   */\n");
        out.push_str(&format!("  {0} = \"{0}\",\n", code.as_str()));
    }
    out.push_str("}\n\n");
    let mut kinds: Vec<&str> = ErrorCode::ALL.iter().map(|code| code.kind()).collect();
    kinds.dedup();
    let mut unique: Vec<&str> = Vec::new();
    for kind in kinds {
        if !unique.contains(&kind) {
            unique.push(kind);
        }
    }
    out.push_str("/**\n * Who can fix a failure: the flow or its input (`validation`), something named that is not\n * there (`not-found`) or already is (`conflict`), what the run or caller may not do\n * (`permission`), the network, a time or size limit, a cancellation, a node's own work\n * (`execution`), or the engine itself (`internal`).\n */\n");
    out.push_str(&format!(
        "export type ErrorType = {};\n\n",
        unique.iter().map(|k| format!("\"{k}\"")).collect::<Vec<_>>().join(" | ")
    ));
    out.push_str("/** Each code's `ErrorType`. */\nexport const ERROR_TYPES: Readonly<Record<ErrorCode, ErrorType>> = {\n");
    for code in ErrorCode::ALL {
        out.push_str(&format!("  {}: \"{}\",\n", code.as_str(), code.kind()));
    }
    out.push_str("};\n");
    out
}

/// `recovery.generated.ts`: `getErrorRecoveryStrategy` for every code.
fn recovery() -> String {
    let table: crate::value::Map = ErrorCode::ALL
        .iter()
        .map(|code| {
            (
                code.as_str().to_owned(),
                crate::value::to_value(&recovery_strategy(*code)).unwrap_or_default(),
            )
        })
        .collect();
    let body = serde_json::to_string_pretty(&table).unwrap_or_default();
    format!(
        "{HEADER}export const RECOVERY_TABLE: Readonly<Record<string, Readonly<{{\n  retryable: boolean;\n  retryDelayMs?: number;\n  maxRetries?: number;\n  suggestions?: readonly string[];\n}}>>> = {body};\n"
    )
}

fn json(text: &str) -> String {
    serde_json::to_string(text).unwrap_or_default()
}

#[test]
fn generated_typescript_is_current() {
    let write = std::env::var_os("ATOMITON_WRITE_TS").is_some();
    let mut stale = Vec::new();
    for (name, text) in [
        ("types/wire.generated.ts", wire()),
        ("types/error-codes.generated.ts", error_codes()),
        ("types/recovery.generated.ts", recovery()),
        ("engines/session/methods.generated.ts", session::methods_file(HEADER)),
        ("types/calls.generated.ts", session::calls_file(HEADER)),
        ("types/answers.generated.ts", answers()),
        ("types/options.generated.ts", options::options_file(HEADER)),
    ] {
        let path = target(name);
        if write {
            std::fs::write(&path, &text)
                .unwrap_or_else(|e| panic!("writing {}: {e}", path.display()));
        } else if std::fs::read_to_string(&path).ok().as_deref() != Some(text.as_str()) {
            stale.push(name);
        }
    }
    assert!(stale.is_empty(), "npm/src/{stale:?} differ from the Rust types: run scripts/generate-ts.sh and commit the result");
}
