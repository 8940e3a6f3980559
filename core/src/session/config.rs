//! `ConductorConfig` as the TypeScript layer hands it to a session (its serialisable part;
//! functions stay in TypeScript).

use std::path::PathBuf;

use serde::Deserialize;

use crate::engine::EngineConfig;
use crate::validation::FlowLimits;

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct SessionConfig {
    pub concurrency: Option<usize>,
    pub timeout: Option<f64>,
    pub max_retries: Option<u32>,
    pub retry_delay: Option<f64>,
    pub progress_throttle: Option<f64>,
    pub trace: Option<bool>,
    pub max_depth: Option<usize>,
    pub max_nodes: Option<usize>,
    /// Step budget of each expression call (`limits.expressionSteps`).
    pub expression_steps: Option<u64>,
    /// Bytes a node may hold as its output, and one expression call return
    /// (`limits.maxOutputBytes`; default 128 MiB).
    pub max_output_bytes: Option<usize>,
    /// Rows a stream's batches hold; 0 turns streaming off.
    pub stream_batch_rows: Option<usize>,
    /// Bytes of rows a sort in a stream holds before it spills runs (native hosts: the others
    /// have no spill room).
    #[cfg(not(target_arch = "wasm32"))]
    pub stream_sort_memory: Option<usize>,
    /// Native hosts: relative file paths and process working directories resolve here.
    pub working_directory: Option<PathBuf>,
    /// Native hosts: slots of the process's worker pool for CPU-heavy node work (default: the
    /// machine's cores). The first conductor of a process sets it.
    pub workers: Option<usize>,
    /// `http: {maxRequestsPerHost}`.
    pub http: HttpConfig,
    pub storage: StorageConfig,
    /// `history: false | {...}`: execution history (on by default).
    #[cfg(feature = "history")]
    pub history: Option<crate::history::HistorySetting>,
    /// `cache: false | true | {maxEntries, maxBytes, ttlMs, store}`: the node result cache (off by
    /// default).
    #[cfg(feature = "cache")]
    pub cache: crate::cache::CacheSetting,
}

/// `http: {maxRequestsPerHost?}`: at most that many `http-request` requests in flight to one
/// origin per conductor (native hosts; default 64).
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct HttpConfig {
    pub max_requests_per_host: Option<usize>,
}

/// `storage: {type: "fs" | "memory" | "indexeddb", directory?}`.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct StorageConfig {
    #[serde(rename = "type")]
    pub kind: Option<String>,
    pub directory: Option<PathBuf>,
}

impl SessionConfig {
    /// Reads the JSON text of a config; a malformed one is a `VALIDATION_FAILED` error.
    pub fn from_json(text: &str) -> crate::error::Result<Self> {
        serde_json::from_str(text).map_err(|e| {
            crate::error::ExecutionError::validation(format!("Invalid conductor config: {e}"))
        })
    }

    /// The engine settings, defaults where a field is absent or out of range.
    pub fn engine(&self) -> EngineConfig {
        let defaults = EngineConfig::default();
        EngineConfig {
            concurrency: self.concurrency.filter(|c| *c > 0).unwrap_or(defaults.concurrency),
            timeout_ms: self.timeout.filter(|t| *t > 0.0),
            max_retries: self.max_retries.unwrap_or(defaults.max_retries),
            retry_delay_ms: self
                .retry_delay
                .filter(|d| *d >= 0.0)
                .unwrap_or(defaults.retry_delay_ms),
            progress_throttle_ms: self
                .progress_throttle
                .filter(|t| *t >= 0.0)
                .unwrap_or(defaults.progress_throttle_ms),
            trace: self.trace.unwrap_or(defaults.trace),
            stream_batch_rows: self.stream_batch_rows.unwrap_or(defaults.stream_batch_rows),
            flow_limits: FlowLimits {
                max_depth: self.max_depth.unwrap_or(defaults.flow_limits.max_depth),
                max_nodes: self.max_nodes.unwrap_or(defaults.flow_limits.max_nodes),
            },
            expression_limits: crate::expression::Limits {
                max_steps: self
                    .expression_steps
                    .filter(|s| *s > 0)
                    .unwrap_or(defaults.expression_limits.max_steps),
                max_output_bytes: self
                    .max_output_bytes
                    .filter(|b| *b > 0)
                    .unwrap_or(defaults.expression_limits.max_output_bytes),
                ..defaults.expression_limits
            },
            ..defaults
        }
    }

    /// The execution history's configuration; `None` when it is off.
    #[cfg(feature = "history")]
    pub fn history(&self) -> Option<crate::history::HistoryConfig> {
        crate::history::HistorySetting::config(self.history.as_ref())
    }

    /// Whether flows are kept in memory (`storage: {type: "memory"}`).
    pub fn memory_storage(&self) -> bool {
        self.storage.kind.as_deref() == Some("memory")
    }
}

#[cfg(test)]
mod tests {
    use super::SessionConfig;

    #[test]
    fn limits_come_from_the_config_and_defaults_stand_for_missing_or_zero_ones() {
        let engine = SessionConfig::from_json(r#"{"maxOutputBytes": 4096, "expressionSteps": 50}"#)
            .unwrap()
            .engine();
        assert_eq!(engine.expression_limits.max_output_bytes, 4096);
        assert_eq!(engine.expression_limits.max_steps, 50);
        let defaults = crate::engine::EngineConfig::default().expression_limits;
        let engine = SessionConfig::from_json(r#"{"maxOutputBytes": 0}"#).unwrap().engine();
        assert_eq!(engine.expression_limits, defaults);
    }
}
