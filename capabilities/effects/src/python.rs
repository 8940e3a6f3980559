//! What `python` does: hand the host the function to call with the node's data as JSON, and take
//! back what it returned (or raised). Values cross as `JSON.stringify` writes them (as an HTTP
//! body does: `NaN` becomes `null`, `undefined` is dropped, a date is its ISO text) and come back
//! as JSON parses; what the call printed becomes the node's logs.

use atomiton_core::error::{ErrorCode, ExecutionError};
use atomiton_core::format::json_stringify;
use atomiton_core::format::parse_json_value;
use atomiton_core::host::effects::{EffectErrorKind, PythonCall, PythonSource};
use atomiton_core::host::{BoxFuture, SharedHost};
use atomiton_core::nodes::{Invocation, NodeResult};
use atomiton_core::value::{ParseLimits, Value};

use atomiton_core::nodes::sdk::effect_error;
use atomiton_core::nodes::sdk::schemas::PYTHON as SCHEMA;
use atomiton_core::nodes::sdk::{get_input, node_error, Config};

const TYPE: &str = "python";
/// The base schema's default `timeout`, used when the node sets none.
const DEFAULT_TIMEOUT_MS: f64 = 30_000.0;

pub(crate) fn execute(invocation: Invocation, host: SharedHost) -> BoxFuture<'static, NodeResult> {
    Box::pin(async move {
        let call = call_of(&invocation)?;
        let Some(python) = host.python() else {
            return Err(ExecutionError::new(
                ErrorCode::IMPLEMENTATION_NOT_FOUND,
                format!("[{TYPE}] No Python interpreter in this environment"),
            ));
        };
        let node_timeout = call.timeout_ms;
        let returned = python.call(call).await.map_err(|e| match e.kind {
            EffectErrorKind::TimedOut => {
                ExecutionError::attempt_timed_out(node_timeout.unwrap_or(DEFAULT_TIMEOUT_MS))
            }
            EffectErrorKind::NotFound | EffectErrorKind::Other => node_error(TYPE, &e),
            _ => effect_error(TYPE, &e, &e),
        })?;
        let run = &invocation.run;
        run.log(&invocation.node_id, "stdout", returned.stdout);
        run.log(&invocation.node_id, "stderr", returned.stderr);
        match returned.outcome {
            Ok(json) => parse_json_value(&json, &ParseLimits::default()).map(Some).map_err(|e| {
                node_error(
                    TYPE,
                    format!("the function's value is not JSON this engine can read: {}", e.message),
                )
            }),
            Err(raised) => {
                run.log(&invocation.node_id, "stderr", raised.traceback);
                Err(node_error(TYPE, format!("{}: {}", raised.kind, raised.message)))
            }
        }
    })
}

/// The call the node's parameters and input describe.
fn call_of(invocation: &Invocation) -> Result<PythonCall, ExecutionError> {
    let config = Config::new(&SCHEMA, invocation);
    let source = match (config.str("code"), config.str("module")) {
        (Some(code), _) => PythonSource::Code(code.to_owned()),
        (None, Some(module)) => PythonSource::Module(module.to_owned()),
        // Validation refuses a node with neither; this is a run whose validation was skipped.
        (None, None) => return Err(node_error(TYPE, "'code' or 'module' is required")),
    };
    let data = match get_input(invocation, &config, "data") {
        None => "null".to_owned(),
        Some(value) => json_stringify(value)
            .map_err(|e| node_error(TYPE, format!("data cannot cross to Python as JSON: {e}")))?
            .unwrap_or_else(|| "null".to_owned()),
    };
    let arguments = match config.get("arguments") {
        None | Some(Value::Null) => "{}".to_owned(),
        Some(Value::String(text)) => match serde_json::from_str::<serde_json::Value>(text) {
            Ok(object @ serde_json::Value::Object(_)) => object.to_string(),
            _ => return Err(node_error(TYPE, "arguments must be an object (or its JSON text)")),
        },
        Some(object @ Value::Object(_)) => json_stringify(object)
            .map_err(|e| {
                node_error(TYPE, format!("arguments cannot cross to Python as JSON: {e}"))
            })?
            .unwrap_or_else(|| "{}".to_owned()),
        Some(_) => return Err(node_error(TYPE, "arguments must be an object (or its JSON text)")),
    };
    let timeout = invocation.param("timeout").and_then(Value::as_f64).filter(|t| *t > 0.0);
    Ok(PythonCall {
        source,
        function: config.str("function").unwrap_or("main").to_owned(),
        data,
        arguments,
        timeout_ms: Some(timeout.unwrap_or(DEFAULT_TIMEOUT_MS)),
        signal: invocation.signal.clone(),
        // The run's confinement is the host's to attach (a restricted host does).
        confinement: None,
    })
}
