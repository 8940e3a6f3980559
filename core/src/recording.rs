//! Execution history as the rest of the engine names it: a session config's `history` and
//! `durability`, a run's `retry`, `resume` and `replay`, and the recorder and retried outputs a
//! run's handles carry ([`Recording`]); and the implementation for builds without history
//! ([`NoHistory`]), which refuses those settings and options.
//!
//! The implementation with history is `crate::history` (`history::ExecutionHistory`). Which of
//! the two a build runs is decided once, in `lib.rs`, as `History`, beside the names the engine
//! reads its types by (`HistorySetting`, `RetryRequest`, `SharedRecorder`, ...), whatever the
//! build. The scheduler's and the session's sides of history are `scheduler/recording.rs` and
//! `session/recording.rs`.
//!
//! `NoHistory`'s types have no values (a setting of `true` is refused, and no config, request,
//! recorder or retry can be made), so in the builds that run it (the browser's default module)
//! every path that would use one is provably dead and compiled out.

use std::collections::HashMap;

use crate::error::{ExecutionError, Result};
use crate::value::Value;

/// The parts of execution history the rest of the engine names.
pub trait Recording {
    /// `history` in a session's config.
    type Setting;
    /// What a `history` setting gives: how runs are recorded and kept.
    type Config;
    /// `durability` in a session's config.
    type Durability;
    /// A run's `retry` option.
    type Retry;
    /// A run's `resume` option.
    type Resume;
    /// A run's `replay` option.
    type Replay;
    /// A run's recorder as its handles hold it.
    type Recorder;
    /// The outputs a run takes over instead of running those nodes.
    type Reuse;

    /// A session config's `history` and `durability` fields (`None`: absent), as `"Invalid
    /// conductor config: ..."` errors when they are not what they may be.
    #[allow(clippy::type_complexity)]
    fn settings_of(
        history: Option<&Value>,
        durability: Option<&Value>,
    ) -> Result<(Option<Self::Setting>, Option<Self::Durability>)>;

    /// A run's `retry`, `resume` and `replay` options (`None`: absent), as `"Invalid run
    /// options: ..."` errors when they are not what they may be.
    #[allow(clippy::type_complexity)]
    fn requests_of(
        retry: Option<&Value>,
        resume: Option<&Value>,
        replay: Option<&Value>,
    ) -> Result<(Option<Self::Retry>, Option<Self::Resume>, Option<Self::Replay>)>;

    /// The configuration a session's `history` setting gives (`None`: off).
    fn config_of(setting: Option<&Self::Setting>) -> Option<Self::Config>;

    /// What a session's `history` setting must be instead, when this build cannot do what it
    /// asks.
    fn refused(setting: Option<&Self::Setting>) -> Option<&'static str>;

    /// The pinned flows a resumed or replayed run kept in its record, taken out of what it
    /// reuses.
    fn take_pins(reuse: Option<&mut Self::Reuse>) -> HashMap<String, Value>;

    /// Where a shared history is kept in Redis (its URL and key prefix).
    fn redis_of(config: Self::Config) -> Option<(String, Option<String>)>;

    /// Where a fleet's shared history is kept in PostgreSQL (its URL).
    fn postgres_url_of(config: &Self::Config) -> Option<&str>;

    /// Whether the history is kept in a queue's Redis.
    fn has_redis(config: &Self::Config) -> bool;
}

/// Builds without execution history: no run is recorded, listed, retried, resumed or
/// replayed.
#[derive(Debug, Clone)]
pub enum NoHistory {}

impl Recording for NoHistory {
    /// Only `false` is accepted (see [`Recording::refused`]).
    type Setting = bool;
    type Config = NoHistory;
    type Durability = NoHistory;
    type Retry = NoHistory;
    type Resume = NoHistory;
    type Replay = NoHistory;
    type Recorder = NoHistory;
    type Reuse = NoHistory;

    /// `history` is `true` or `false` (`refused` says `true` is not for this build), and
    /// `durability` is refused: durable runs are recorded runs.
    fn settings_of(
        history: Option<&Value>,
        durability: Option<&Value>,
    ) -> Result<(Option<bool>, Option<NoHistory>)> {
        let invalid = |message: &str| {
            ExecutionError::validation(format!("Invalid conductor config: {message}"))
        };
        if durability.is_some() {
            return Err(invalid(
                "'durability' needs execution history, which this build does not have",
            ));
        }
        match history {
            None => Ok((None, None)),
            Some(Value::Bool(enabled)) => Ok((Some(*enabled), None)),
            Some(_) => Err(invalid("'history' must be false in a build without execution history")),
        }
    }

    /// Each is refused, since it reads a run history.
    fn requests_of(
        retry: Option<&Value>,
        resume: Option<&Value>,
        replay: Option<&Value>,
    ) -> Result<(Option<NoHistory>, Option<NoHistory>, Option<NoHistory>)> {
        let given = [("retry", retry), ("resume", resume), ("replay", replay)];
        match given.into_iter().find(|(_, value)| value.is_some()) {
            None => Ok((None, None, None)),
            Some((name, _)) => Err(ExecutionError::validation(format!(
                "Invalid run options: '{name}' needs execution history, which this build does not have"
            ))),
        }
    }

    fn config_of(_: Option<&bool>) -> Option<NoHistory> {
        None
    }

    fn refused(setting: Option<&bool>) -> Option<&'static str> {
        (setting == Some(&true)).then_some("false in a build without execution history")
    }

    /// No run reuses a record here, so none has pinned flows to take.
    fn take_pins(_: Option<&mut NoHistory>) -> HashMap<String, Value> {
        HashMap::new()
    }

    fn redis_of(config: NoHistory) -> Option<(String, Option<String>)> {
        match config {}
    }

    fn postgres_url_of(config: &NoHistory) -> Option<&str> {
        match *config {}
    }

    fn has_redis(config: &NoHistory) -> bool {
        match *config {}
    }
}
