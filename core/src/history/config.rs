//! `ConductorConfig.history`: `false`, or how runs are recorded and kept.

use serde::Deserialize;

use super::capture::Capture;
use super::store::Prune;

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

/// A session config's `history` and `durability` fields (`None`: absent), as
/// `"Invalid conductor config: ..."` errors when they are not what they may be.
pub fn settings_of(
    history: Option<&crate::value::Value>,
    durability: Option<&crate::value::Value>,
) -> crate::error::Result<(Option<HistorySetting>, Option<super::DurabilityConfig>)> {
    let invalid =
        |e: serde_json::Error| crate::options::serde_error::invalid("conductor config", &e);
    let history = match history {
        None => None,
        Some(crate::value::Value::Bool(enabled)) => Some(HistorySetting::Enabled(*enabled)),
        Some(other) => {
            Some(HistorySetting::Config(crate::value::from_value(other.clone()).map_err(invalid)?))
        }
    };
    let durability =
        durability.map(|d| crate::value::from_value(d.clone()).map_err(invalid)).transpose()?;
    Ok((history, durability))
}

/// A run's `retry`, `resume` and `replay` options (`None`: absent), as `"Invalid run options:
/// ..."` errors when they are not what they may be.
pub fn requests_of(
    retry: Option<&crate::value::Value>,
    resume: Option<&crate::value::Value>,
    replay: Option<&crate::value::Value>,
) -> crate::error::Result<(
    Option<super::RetryRequest>,
    Option<super::ResumeRequest>,
    Option<super::ReplayRequest>,
)> {
    fn read<T: serde::de::DeserializeOwned>(
        value: Option<&crate::value::Value>,
    ) -> crate::error::Result<Option<T>> {
        value
            .map(|value| {
                crate::value::from_value(value.clone())
                    .map_err(|e| crate::options::serde_error::invalid("run options", &e))
            })
            .transpose()
    }
    Ok((read(retry)?, read(resume)?, read(replay)?))
}

/// The configuration a session's `history` setting gives (`None`: off).
pub fn config_of(setting: Option<&HistorySetting>) -> Option<HistoryConfig> {
    HistorySetting::config(setting)
}

/// What a session's `history` setting must be instead, when this build cannot do what it asks:
/// every setting can be done here (builds without `history` refuse `true`).
pub fn refused(_setting: Option<&HistorySetting>) -> Option<&'static str> {
    None
}

impl HistoryConfig {
    /// Where a shared history is kept in Redis (its URL and key prefix).
    pub fn into_redis(self) -> Option<(String, Option<String>)> {
        let prefix = self.key_prefix;
        self.redis.map(|url| (url, prefix))
    }

    /// Where a fleet's shared history is kept in PostgreSQL (its URL).
    pub fn postgres_url(&self) -> Option<&str> {
        self.store.as_deref()
    }

    /// Whether the history is kept in a queue's Redis.
    pub fn has_redis(&self) -> bool {
        self.redis.is_some()
    }

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
