//! Engine-wide settings (`ConductorConfig` fields that the TypeScript engine accepted and ignored, now
//! doing what their names say).

use crate::expression::Limits;
use crate::format::ParseLimits;
use crate::validation::FlowLimits;

/// Settings shared by every run of an engine.
#[derive(Debug, Clone, PartialEq)]
pub struct EngineConfig {
    /// Most atomic nodes of a run in flight at once, waiting or working
    /// (`ConductorConfig.concurrency`). Default 256: nodes that wait (timers, HTTP, processes,
    /// JS executors awaiting a promise) hold no CPU, and CPU-heavy built-in work is bounded
    /// separately by the host's worker pool (one slot per core). 1 reproduces strict sequential
    /// side-effect order.
    pub concurrency: usize,
    /// Bound on a whole run in ms (`ConductorConfig.timeout`); `None` = unbounded.
    pub timeout_ms: Option<f64>,
    /// Cap on a node's `parameters.retries` (`ConductorConfig.maxRetries`). Default 3.
    pub max_retries: u32,
    /// Base delay of exponential backoff in ms (`ConductorConfig.retryDelay`). Default 1000.
    pub retry_delay_ms: f64,
    /// Longest single backoff delay in ms. Default 30 000.
    pub max_retry_delay_ms: f64,
    /// Minimum ms between progress events (first and last always delivered). Default 100.
    pub progress_throttle_ms: f64,
    /// Shape limits checked by validation.
    pub flow_limits: FlowLimits,
    /// Limits for parsing flow text.
    pub parse_limits: ParseLimits,
    /// Whether results carry an `ExecutionTrace`. Default true.
    pub trace: bool,
    /// Budgets of every expression call (`transformFunction`, conditions, ...).
    pub expression_limits: Limits,
    /// Rows a stream's batches hold (see `crate::nodes::stream`); 0: nothing streams, every
    /// node takes its whole input (`ConductorConfig.streamBatchRows`). Default 4096.
    pub stream_batch_rows: usize,
    /// Whether a node parameter, port or template path the engine does not know is an error
    /// (`true`, the default) or a warning (`ConductorConfig.strictParameters: false`, for flows
    /// written for the TypeScript engine, which ignored them).
    pub strict_parameters: bool,
}

/// [`EngineConfig::max_retries`] by default.
pub const DEFAULT_MAX_RETRIES: u32 = 3;
/// [`EngineConfig::retry_delay_ms`] and [`EngineConfig::max_retry_delay_ms`] by default (the
/// retry policy's own defaults).
pub use crate::error::{DEFAULT_MAX_RETRY_DELAY_MS, DEFAULT_RETRY_DELAY_MS};

impl Default for EngineConfig {
    fn default() -> Self {
        EngineConfig {
            concurrency: 256,
            timeout_ms: None,
            max_retries: DEFAULT_MAX_RETRIES,
            retry_delay_ms: DEFAULT_RETRY_DELAY_MS,
            max_retry_delay_ms: DEFAULT_MAX_RETRY_DELAY_MS,
            progress_throttle_ms: 100.0,
            flow_limits: FlowLimits::default(),
            parse_limits: ParseLimits::default(),
            trace: true,
            expression_limits: Limits::default(),
            stream_batch_rows: 4096,
            strict_parameters: true,
        }
    }
}
