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
