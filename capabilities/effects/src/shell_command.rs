//! What `shell-command` does: run a program without a shell. Unlike the
//! TypeScript engine, `stdin` is written.

use atomiton_core::json;
use atomiton_core::value::Value;

use atomiton_core::error::{ErrorCode, ExecutionError};
use atomiton_core::format::js_string;
use atomiton_core::host::effects::{EffectErrorKind, ProcessSpec};
use atomiton_core::host::{BoxFuture, SharedHost};
use atomiton_core::nodes::sdk::effect_error;
use atomiton_core::nodes::sdk::schemas::SHELL_COMMAND as SCHEMA;
use atomiton_core::nodes::sdk::{get_input, node_error, Config};
use atomiton_core::nodes::{Invocation, NodeResult};

const TYPE: &str = "shell-command";
/// Loader variables that let a caller inject code into the child; never passed on.
const DANGEROUS_ENV: [&str; 4] =
    ["LD_PRELOAD", "LD_LIBRARY_PATH", "DYLD_INSERT_LIBRARIES", "DYLD_LIBRARY_PATH"];
/// Default per-stream output cap (configurable with `maxOutputBytes`).
const MAX_OUTPUT_BYTES: u64 = 10 * 1024 * 1024;
/// The base schema's default `timeout`, used when the node sets none.
const DEFAULT_TIMEOUT_MS: f64 = 30_000.0;

pub(crate) fn execute(invocation: Invocation, host: SharedHost) -> BoxFuture<'static, NodeResult> {
    Box::pin(async move {
        let config = Config::new(&SCHEMA, &invocation);
        let Some(processes) = host.processes() else {
            return Err(ExecutionError::new(
                ErrorCode::IMPLEMENTATION_NOT_FOUND,
                format!("[{TYPE}] Process spawning is not available in this environment"),
            ));
        };
        let program = get_input(&invocation, &config, "program")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_owned();
        if program.is_empty() {
            return Err(node_error(TYPE, "Program is required"));
        }
        let args = string_list(get_input(&invocation, &config, "args"))
            .map_err(|m| node_error(TYPE, m))?;
        let cwd = get_input(&invocation, &config, "workingDirectory")
            .and_then(Value::as_str)
            .map(str::to_owned);
        if let (Some(dir), Some(files)) = (&cwd, host.files()) {
            if !files.stat(dir).await.ok().flatten().is_some_and(|m| m.is_dir) {
                return Err(node_error(
                    TYPE,
                    format!("Invalid or inaccessible working directory: {dir}"),
                ));
            }
        }
        let env = match get_input(&invocation, &config, "environment") {
            None | Some(Value::Null) => Vec::new(),
            Some(Value::Object(vars)) => environment(vars)?,
            Some(Value::String(text)) => match serde_json::from_str::<Value>(text) {
                Ok(Value::Object(vars)) => environment(&vars)?,
                _ => {
                    return Err(node_error(
                        TYPE,
                        "environment must be an object of variables (or its JSON text)",
                    ))
                }
            },
            Some(_) => {
                return Err(node_error(
                    TYPE,
                    "environment must be an object of variables (or its JSON text)",
                ))
            }
        };
        let stdin = get_input(&invocation, &config, "stdin").map(|v| js_string(v).into_bytes());
        let capture = config.bool("captureOutput").unwrap_or(true);
        let command = std::iter::once(program.as_str())
            .chain(args.iter().map(String::as_str))
            .collect::<Vec<_>>()
            .join(" ");
        // A `timeout` the node sets is also the engine's bound on the attempt: whichever of the
        // two timers fires first, the outcome is the engine's TIMEOUT (without this, a run under
        // load sometimes ended "successfully" with `timedOut: true` instead).
        let node_timeout = invocation.param("timeout").and_then(Value::as_f64).filter(|t| *t > 0.0);
        let cap = config.get("maxOutputBytes").and_then(Value::as_u64).unwrap_or(MAX_OUTPUT_BYTES);
        let spec = ProcessSpec {
            program: program.clone(),
            args,
            cwd,
            env,
            env_remove: DANGEROUS_ENV.iter().map(|s| (*s).to_owned()).collect(),
            stdin,
            timeout_ms: Some(node_timeout.unwrap_or(DEFAULT_TIMEOUT_MS)),
            capture_output: capture,
            max_output_bytes: cap,
            signal: invocation.signal.clone(),
            // The run's confinement is the host's to attach (a restricted host does).
            confinement: None,
        };
        let started = host.now();
        let output = processes.run(spec).await.map_err(|e| match e.kind {
            EffectErrorKind::NotFound => node_error(TYPE, format!("spawn {program} ENOENT")),
            _ => effect_error(TYPE, &e, &e),
        })?;
        if let (true, Some(ms)) = (output.timed_out, node_timeout) {
            return Err(ExecutionError::attempt_timed_out(ms));
        }
        if let Some(refusal) = confinement_refusal(&output) {
            return Err(ExecutionError::new(
                atomiton_core::error::ErrorCode::PERMISSION_DENIED,
                format!("[{TYPE}] {command}: refused outside the run's grant ({refusal})"),
            ));
        }
        // A stream that filled its cap was cut there: the run says so rather than hand on
        // part of the output as if it were all of it.
        for (stream, bytes) in [("stdout", &output.stdout), ("stderr", &output.stderr)] {
            if capture && bytes.len() as u64 >= cap {
                invocation.run.warn(
                    Some(&invocation.node_id),
                    format!("shell-command: {stream} reached maxOutputBytes ({cap} bytes); what came after was dropped"),
                );
            }
        }
        let exit_code = output.exit_code.unwrap_or(0);
        let text = |bytes: Vec<u8>| {
            if capture {
                String::from_utf8_lossy(&bytes).into_owned()
            } else {
                String::new()
            }
        };
        Ok(Some(json!({
            "stdout": text(output.stdout),
            "stderr": text(output.stderr),
            "exitCode": exit_code,
            "command": command,
            "duration": host.now() - started,
            "success": exit_code == 0 && !output.timed_out,
            "timedOut": output.timed_out,
        })))
    })
}

/// The line of a confined program's error output where the OS refused it something, when the
/// program failed: what the run's confinement (files outside its roots, a port it was not
/// granted) looks like from outside. A program that succeeds despite a refusal succeeds.
fn confinement_refusal(output: &atomiton_core::host::effects::ProcessOutput) -> Option<String> {
    if !output.confined || output.exit_code == Some(0) {
        return None;
    }
    let stderr = String::from_utf8_lossy(&output.stderr);
    // strerror(EACCES) and strerror(EPERM): what Landlock's refusals read as.
    stderr
        .lines()
        .find(|line| line.contains("Permission denied") || line.contains("Operation not permitted"))
        .map(|line| line.trim().chars().take(300).collect())
}

/// `args`: an array of strings, or the JSON text of one.
fn string_list(value: Option<&Value>) -> Result<Vec<String>, String> {
    let parsed;
    let value = match value {
        None | Some(Value::Null) => return Ok(Vec::new()),
        Some(Value::String(text)) => {
            parsed = serde_json::from_str::<Value>(text)
                .map_err(|_| "args must be an array of strings or its JSON text".to_owned())?;
            &parsed
        }
        Some(other) => other,
    };
    match value {
        Value::Array(items) => items
            .iter()
            .map(|i| {
                i.as_str()
                    .map(str::to_owned)
                    .ok_or_else(|| "args must contain only strings".to_owned())
            })
            .collect(),
        _ => Err("args must be an array of strings".to_owned()),
    }
}

/// The variables an `environment` adds; one that changes what the program loads is refused
/// (the TypeScript engine dropped them without a word).
fn environment(
    vars: &atomiton_core::value::Map,
) -> Result<Vec<(String, String)>, atomiton_core::error::ExecutionError> {
    if let Some((name, _)) = vars.iter().find(|(k, _)| DANGEROUS_ENV.contains(&k.as_str())) {
        return Err(node_error(
            TYPE,
            format!("environment: {name} cannot be set (it changes what the program loads)"),
        ));
    }
    Ok(vars.iter().map(|(k, v)| (k.to_string(), js_string(v))).collect())
}
