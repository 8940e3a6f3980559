//! Stateless JSON functions every binding exposes: flow formats, the recovery table, the
//! engine's version (the node catalog and templates are [`super::node_catalog`]'s). Each
//! returns an [`outcome`] envelope.

use crate::value::Value;
use serde::Deserialize;

use super::guard::guarded;
use super::wire::outcome;
use crate::error::{recovery_strategy, ErrorCode, ExecutionError};
use crate::format::{
    definition_to_yaml, flow_from_value, parse_definition_json, parse_json_value, parse_yaml_value,
    ParseLimits,
};
use crate::model::NodeDefinition;

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase", default, deny_unknown_fields)]
struct ParseOptions {
    /// `"json"` or `"yaml"`; absent to detect from the text.
    format: Option<String>,
    /// Apply the YAML flow format's defaults (type, version, metadata, base parameters).
    /// Default true for YAML.
    defaults: Option<bool>,
}

fn unknown_format(given: &str) -> ExecutionError {
    let message = "Invalid parse options: 'format' must be one of \"json\", \"yaml\"";
    ExecutionError::validation(format!("{message}, not {given:?}"))
}

/// Reads a flow from JSON or YAML text; `options_json` is `{format?, defaults?}`.
pub fn parse_flow(text: &str, options_json: &str) -> String {
    outcome(guarded("parseFlow", || {
        let options: ParseOptions = serde_json::from_str(options_json)
            .map_err(|e| crate::options::serde_error::invalid("parse options", &e))?;
        let limits = ParseLimits::default();
        crate::validation::FlowLimits::default().check_bytes(text.len())?;
        // Matched by hand: a derived enum costs the browser module a kilobyte.
        let is_json = match options.format.as_deref() {
            Some("json") => true,
            Some("yaml") => false,
            Some(other) => return Err(unknown_format(other)),
            None => text.trim_start().starts_with('{'),
        };
        let value = if is_json {
            parse_json_value(text, &limits)?
        } else {
            parse_yaml_value(text, &limits)?
        };
        let flow: NodeDefinition = if !is_json && options.defaults.unwrap_or(true) {
            flow_from_value(value)?
        } else {
            crate::value::from_value(value)
                .map_err(|e| ExecutionError::deserialization(format!("Invalid flow: {e}")))?
        };
        Ok(flow)
    }))
}

/// Writes a flow (JSON text) as YAML.
pub fn flow_to_yaml(flow_json: &str) -> String {
    outcome(guarded("flowToYaml", || {
        definition_to_yaml(&parse_definition_json(flow_json, &ParseLimits::default())?)
    }))
}

/// `getErrorRecoveryStrategy` for every code: `{CODE: strategy}`.
pub fn recovery_table() -> String {
    outcome(guarded("recoveryTable", || {
        Ok(ErrorCode::ALL
            .iter()
            .map(|code| {
                (
                    code.as_str().to_owned(),
                    crate::value::to_value(&recovery_strategy(*code)).unwrap_or(Value::Null),
                )
            })
            .collect::<crate::value::Map>())
    }))
}

/// Whether this build reads arrays of records sent as tables of columns (the `bulk-data`
/// feature): the embedder sends them only then.
pub fn reads_tables() -> bool {
    cfg!(feature = "bulk-data")
}

/// The engine's version.
pub fn engine_version() -> &'static str {
    env!("CARGO_PKG_VERSION")
}

/// How long to wait before running a failed flow again, in ms; `null`: it is not run again
/// (no retries left, or the failure asked for a longer wait than the longest backoff). The
/// question, as `execute(request)` asks it after a failed attempt: the attempt that failed (from
/// 1), the retries asked for and their cap (`maxRetries`), the first wait (`retryDelay`) and the
/// wait the failure asked for (`retryAfterMs`), each a number as text, empty for "not given"
/// (the engine's default then). Numbers as text, not an object: the browser's module pays for
/// every deserializer (an object of five fields cost it 2 KB gzipped). The same
/// [`RetryPolicy`](crate::run::RetryPolicy) as a node's retries; `random` is the binding's
/// source of uniform `[0, 1)` numbers.
pub fn retry_delay(question: [&str; 5], mut random: impl FnMut() -> f64) -> String {
    outcome(guarded("retryDelay", || {
        let [attempt, retries, max_retries, first_delay, retry_after] = question.map(number);
        let whole = |n: Option<f64>, default: u32| {
            n.map_or(default, |n| n.max(0.0).min(f64::from(u32::MAX)) as u32)
        };
        let retries = whole(retries?, 0).min(whole(max_retries?, crate::run::DEFAULT_MAX_RETRIES));
        let attempt = whole(attempt?, 1);
        if attempt > retries {
            return Ok(None);
        }
        let defaults = crate::run::RetryPolicy::default();
        let policy = crate::run::RetryPolicy {
            first_delay_ms: first_delay?.unwrap_or(defaults.first_delay_ms),
            ..defaults
        };
        let requested = retry_after?.filter(|ms| *ms >= 0.0);
        Ok(policy.delay(attempt, requested, random()))
    }))
}

/// A finite number written as text; `None` for empty text.
fn number(text: &str) -> Result<Option<f64>, ExecutionError> {
    if text.is_empty() {
        return Ok(None);
    }
    // serde_json's reader, which the module has anyway (`str::parse` would add core's own), and
    // which reads no `NaN` or `inf`.
    match serde_json::from_str::<f64>(text) {
        Ok(n) if n.is_finite() => Ok(Some(n)),
        _ => Err(ExecutionError::validation(format!(
            "Invalid retry question: '{text}' is not a finite number"
        ))),
    }
}

/// A run's id for an embedder that needs it before the run starts: `given` when not empty,
/// else a fresh `exec_<uuid>` from the binding's `random` (see
/// [`new_execution_id`](crate::run::new_execution_id)).
pub fn execution_id(given: &str, random: impl FnMut() -> f64) -> String {
    crate::run::new_execution_id(given, random)
}
