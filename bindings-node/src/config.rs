//! What the native conductor reads from its config beyond the core's `SessionConfig`: where flows
//! are kept when the config does not say, and the Redis history of queue mode.

use std::path::PathBuf;

use atomiton_core::session::SessionConfig;
use atomiton_core::ExecutionError;
use serde::Deserialize;

/// `storage.directory`, else `~/.atomiton/flows`, else `.atomiton/flows`.
pub(crate) fn storage_directory(config: &SessionConfig) -> PathBuf {
    config.storage.directory.clone().unwrap_or_else(|| {
        std::env::var_os("HOME")
            .or_else(|| std::env::var_os("USERPROFILE"))
            .map_or_else(
                || PathBuf::from(".atomiton"),
                |home| PathBuf::from(home).join(".atomiton"),
            )
            .join("flows")
    })
}

/// `history: {redis: "<url>", keyPrefix?}`: the history queue mode's processes share, in Redis.
pub(crate) struct RedisTarget {
    pub url: String,
    pub key_prefix: String,
}

/// The key prefix when `keyPrefix` is absent.
const DEFAULT_KEY_PREFIX: &str = "atomiton:history";

/// The Redis history `config_json` asks for, if any. Read here rather than in the core's
/// `HistoryConfig`, which the browser module compiles (and which ignores these fields).
pub(crate) fn redis_history(config_json: &str) -> Result<Option<RedisTarget>, ExecutionError> {
    #[derive(Deserialize)]
    struct Config {
        #[serde(default)]
        history: serde_json::Value,
    }
    let invalid = |what: &str| {
        ExecutionError::validation(format!("Invalid conductor config: history.{what}"))
    };
    let config: Config = serde_json::from_str(config_json)
        .map_err(|e| ExecutionError::validation(format!("Invalid conductor config: {e}")))?;
    let field = |name: &str| config.history.get(name).filter(|v| !v.is_null());
    let Some(url) = field("redis") else { return Ok(None) };
    let url = url
        .as_str()
        .filter(|u| !u.is_empty())
        .ok_or_else(|| invalid("redis must be a Redis URL (redis://host:port)"))?;
    let key_prefix = match field("keyPrefix") {
        None => DEFAULT_KEY_PREFIX,
        Some(prefix) => prefix
            .as_str()
            .filter(|p| !p.is_empty())
            .ok_or_else(|| invalid("keyPrefix must be a non-empty string"))?,
    };
    Ok(Some(RedisTarget { url: url.to_owned(), key_prefix: key_prefix.to_owned() }))
}
