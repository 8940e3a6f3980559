//! `ConductorConfig` fields the engine reads, from the TypeScript layer's JSON.

use std::path::PathBuf;

use atomiton_core::validation::FlowLimits;
use atomiton_core::EngineConfig;
use serde::Deserialize;

/// The part of `ConductorConfig` that reaches Rust (functions stay in TypeScript).
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub(crate) struct NativeConfig {
    pub concurrency: Option<usize>,
    pub timeout: Option<f64>,
    pub max_retries: Option<u32>,
    pub retry_delay: Option<f64>,
    pub progress_throttle: Option<f64>,
    pub trace: Option<bool>,
    pub max_depth: Option<usize>,
    pub max_nodes: Option<usize>,
    /// Relative file paths and process working directories resolve here.
    pub working_directory: Option<PathBuf>,
    pub storage: StorageConfig,
}

/// `storage: {type: "fs" | "memory", directory?}`.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub(crate) struct StorageConfig {
    #[serde(rename = "type")]
    pub kind: Option<String>,
    pub directory: Option<PathBuf>,
}

impl NativeConfig {
    pub fn engine(&self) -> EngineConfig {
        let defaults = EngineConfig::default();
        EngineConfig {
            concurrency: self.concurrency.filter(|c| *c > 0).unwrap_or(defaults.concurrency),
            timeout_ms: self.timeout.filter(|t| *t > 0.0),
            max_retries: self.max_retries.unwrap_or(defaults.max_retries),
            retry_delay_ms: self.retry_delay.filter(|d| *d >= 0.0).unwrap_or(defaults.retry_delay_ms),
            progress_throttle_ms: self.progress_throttle.filter(|t| *t >= 0.0).unwrap_or(defaults.progress_throttle_ms),
            trace: self.trace.unwrap_or(defaults.trace),
            flow_limits: FlowLimits {
                max_depth: self.max_depth.unwrap_or(defaults.flow_limits.max_depth),
                max_nodes: self.max_nodes.unwrap_or(defaults.flow_limits.max_nodes),
            },
            ..defaults
        }
    }

    /// `storage.directory`, else `~/.atomiton/flows`, else `.atomiton/flows`.
    pub fn storage_directory(&self) -> PathBuf {
        self.storage.directory.clone().unwrap_or_else(|| {
            std::env::var_os("HOME").or_else(|| std::env::var_os("USERPROFILE")).map_or_else(|| PathBuf::from(".atomiton"), |home| PathBuf::from(home).join(".atomiton")).join("flows")
        })
    }
}
