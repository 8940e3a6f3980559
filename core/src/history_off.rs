//! Builds without `history` (the browser's default module): no run is recorded, listed or
//! retried. The names the rest of the engine reads, with nothing to hold: a recorder, a retry's
//! outputs or a history's configuration cannot be made here, so the code that would use them is
//! compiled out. See `history/mod.rs` for what the feature does.

/// `history` in a session's config: only `false` is accepted (see [`refused`]).
pub type HistorySetting = bool;

/// Never made: no session has a history here.
#[derive(Debug, Clone)]
pub enum HistoryConfig {}

/// Never made: no run is recorded here.
#[derive(Debug, Clone)]
pub enum RunRecorder {}

/// A run's recorder as its handles hold it: never made either, and known not to be by its type
/// (so the code that would use one is compiled out).
pub type SharedRecorder = RunRecorder;

/// Never made: no run retries another here.
#[derive(Clone)]
pub enum Reuse {}

/// No run reuses a record here, so none has pinned flows to take.
pub fn take_pins(
    _reuse: Option<&mut Reuse>,
) -> std::collections::HashMap<String, crate::value::Value> {
    std::collections::HashMap::new()
}

/// Never made: no run is durable here.
#[derive(Debug, Clone, Copy)]
pub enum DurabilityConfig {}

/// A session config's `history` (`true` or `false`; `refused` says `true` is not for this build)
/// and `durability` (refused: durable runs are recorded runs).
pub fn settings_of(
    history: Option<&crate::value::Value>,
    durability: Option<&crate::value::Value>,
) -> crate::error::Result<(Option<HistorySetting>, Option<DurabilityConfig>)> {
    let invalid = |message: &str| {
        crate::error::ExecutionError::validation(format!("Invalid conductor config: {message}"))
    };
    if durability.is_some() {
        return Err(invalid(
            "'durability' needs execution history, which this build does not have",
        ));
    }
    match history {
        None => Ok((None, None)),
        Some(crate::value::Value::Bool(enabled)) => Ok((Some(*enabled), None)),
        Some(_) => Err(invalid("'history' must be false in a build without execution history")),
    }
}

/// Never made: no run retries, resumes or replays another here.
#[derive(Debug, Clone)]
pub enum RetryRequest {}

/// See [`RetryRequest`].
#[derive(Debug, Clone)]
pub enum ResumeRequest {}

/// See [`RetryRequest`].
#[derive(Debug, Clone)]
pub enum ReplayRequest {}

/// A run's `retry`, `resume` and `replay` options: refused, since they read a run history.
pub fn requests_of(
    retry: Option<&crate::value::Value>,
    resume: Option<&crate::value::Value>,
    replay: Option<&crate::value::Value>,
) -> crate::error::Result<(Option<RetryRequest>, Option<ResumeRequest>, Option<ReplayRequest>)> {
    let given = [("retry", retry), ("resume", resume), ("replay", replay)];
    match given.into_iter().find(|(_, value)| value.is_some()) {
        None => Ok((None, None, None)),
        Some((name, _)) => Err(crate::error::ExecutionError::validation(format!(
            "Invalid run options: '{name}' needs execution history, which this build does not have"
        ))),
    }
}

/// The configuration a session's `history` setting gives: none in these builds.
pub fn config_of(_setting: Option<&HistorySetting>) -> Option<HistoryConfig> {
    None
}

/// What a session's `history` setting must be instead, when this build cannot do what it asks.
pub fn refused(setting: Option<&HistorySetting>) -> Option<&'static str> {
    (setting == Some(&true)).then_some("false in a build without execution history")
}

impl HistoryConfig {
    /// Where a shared history is kept in Redis (its URL and key prefix).
    pub fn into_redis(self) -> Option<(String, Option<String>)> {
        match self {}
    }

    pub fn postgres_url(&self) -> Option<&str> {
        match *self {}
    }

    pub fn has_redis(&self) -> bool {
        match *self {}
    }
}
