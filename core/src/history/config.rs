//! `ConductorConfig.history`: `false`, or how runs are recorded and kept.

use serde::Deserialize;

use std::collections::HashMap;

use super::capture::Capture;
use super::store::Prune;
use crate::error::Result;
use crate::recording::Recording;
use crate::value::Value;

/// `history: false | {enabled?, maxValueBytes?, redactKeys?, retention?}`.
#[derive(Debug, Clone)]
pub enum HistorySetting {
    Enabled(bool),
    Config(HistoryConfig),
}

/// How runs are recorded and kept. An unknown field is an error.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default, deny_unknown_fields)]
pub struct HistoryConfig {
    pub enabled: Option<bool>,
    /// Largest stored value (JSON bytes); larger ones are replaced by a `$truncated` marker.
    pub max_value_bytes: Option<usize>,
    /// Object keys whose values are stored as `"[REDACTED]"` (case-insensitive, any depth).
    pub redact_keys: Vec<String>,
    pub retention: Retention,
    /// Queue mode's shared history in Redis: what the package's queue conductors and workers set
    /// (never a user: the npm package refuses it in a config); the native binding reads it.
    pub redis: Option<String>,
    /// The prefix of that history's Redis keys.
    pub key_prefix: Option<String>,
    /// `store`: a PostgreSQL database (a `postgres://` URL) for the runs: an app's, or a queue
    /// pool's shared history (its conductors and workers set it from their `store`).
    pub store: Option<String>,
}

/// `retention: {maxAge?, maxRuns?}`: runs older than `maxAge` ms, and all but the newest
/// `maxRuns`, are pruned as new runs end.
#[derive(Debug, Clone, Copy, Default, Deserialize)]
#[serde(rename_all = "camelCase", default, deny_unknown_fields)]
pub struct Retention {
    pub max_age: Option<f64>,
    pub max_runs: Option<usize>,
}

impl HistorySetting {
    /// The configuration (`true` and absent mean the defaults).
    pub fn config(setting: Option<&HistorySetting>) -> Option<HistoryConfig> {
        match setting {
            None | Some(HistorySetting::Enabled(true)) => Some(HistoryConfig::default()),
            Some(HistorySetting::Enabled(false)) => None,
            Some(HistorySetting::Config(config)) => {
                (config.enabled != Some(false)).then(|| config.clone())
            }
        }
    }
}

/// Execution history as the rest of the engine names it (see [`crate::recording`]).
pub enum ExecutionHistory {}

impl Recording for ExecutionHistory {
    type Setting = HistorySetting;
    type Config = HistoryConfig;
    type Durability = super::DurabilityConfig;
    type Retry = super::RetryRequest;
    type Resume = super::ResumeRequest;
    type Replay = super::ReplayRequest;
    type Recorder = super::SharedRecorder;
    type Reuse = super::Reuse;

    fn settings_of(
        history: Option<&Value>,
        durability: Option<&Value>,
    ) -> Result<(Option<HistorySetting>, Option<super::DurabilityConfig>)> {
        let invalid =
            |e: serde_json::Error| crate::options::serde_error::invalid("conductor config", &e);
        let history = match history {
            None => None,
            Some(Value::Bool(enabled)) => Some(HistorySetting::Enabled(*enabled)),
            Some(other) => Some(HistorySetting::Config(
                crate::value::from_value(other.clone()).map_err(invalid)?,
            )),
        };
        let durability =
            durability.map(|d| crate::value::from_value(d.clone()).map_err(invalid)).transpose()?;
        Ok((history, durability))
    }

    fn requests_of(
        retry: Option<&Value>,
        resume: Option<&Value>,
        replay: Option<&Value>,
    ) -> Result<(
        Option<super::RetryRequest>,
        Option<super::ResumeRequest>,
        Option<super::ReplayRequest>,
    )> {
        fn read<T: serde::de::DeserializeOwned>(value: Option<&Value>) -> Result<Option<T>> {
            value
                .map(|value| {
                    crate::value::from_value(value.clone())
                        .map_err(|e| crate::options::serde_error::invalid("run options", &e))
                })
                .transpose()
        }
        Ok((read(retry)?, read(resume)?, read(replay)?))
    }

    fn config_of(setting: Option<&HistorySetting>) -> Option<HistoryConfig> {
        HistorySetting::config(setting)
    }

    /// Every setting can be done here (builds without `history` refuse `true`).
    fn refused(_: Option<&HistorySetting>) -> Option<&'static str> {
        None
    }

    fn take_pins(reuse: Option<&mut super::Reuse>) -> HashMap<String, Value> {
        super::retry::take_pins(reuse)
    }

    fn redis_of(config: HistoryConfig) -> Option<(String, Option<String>)> {
        let prefix = config.key_prefix;
        config.redis.map(|url| (url, prefix))
    }

    fn postgres_url_of(config: &HistoryConfig) -> Option<&str> {
        config.store.as_deref()
    }

    fn has_redis(config: &HistoryConfig) -> bool {
        config.redis.is_some()
    }
}

impl HistoryConfig {
    /// Runs kept by default: enough to look back on a busy day, bounded so memory and disk are.
    pub const DEFAULT_MAX_RUNS: usize = 10_000;

    /// The capping and redaction policy.
    pub fn capture(&self) -> Capture {
        Capture::new(
            self.max_value_bytes.filter(|n| *n > 0).unwrap_or(Capture::DEFAULT_MAX_VALUE_BYTES),
            self.redact_keys.clone(),
        )
    }

    /// What retention prunes at time `now`.
    pub fn retention(&self, now: f64) -> Prune {
        Prune {
            before: self.retention.max_age.filter(|a| *a > 0.0).map(|age| now - age),
            keep: Some(self.retention.max_runs.unwrap_or(Self::DEFAULT_MAX_RUNS)),
        }
    }
}
