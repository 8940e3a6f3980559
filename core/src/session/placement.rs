//! Where a conductor keeps what outlives a run — its saved flows, its run history and its node
//! result cache — decided once, here, from its config, so every binding follows the same rules.
//! A binding says which of them it can keep outside memory ([`Keepers`]: the native addon keeps
//! all three beside the flows' directory; a browser module only those JS gave it storage for),
//! then opens the store each [`Place`] names. It decides nothing.

use std::path::{Path, PathBuf};

use super::SessionConfig;
use crate::error::{ExecutionError, Result};
use crate::recording::Recording;
use crate::History;

/// Where one of them is kept.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Place {
    /// In the session, gone with it.
    Memory,
    /// In the binding's own lasting store: beside the flows in the storage directory (native:
    /// one YAML file per flow, `history.sqlite` for runs and the cache), or the storage the
    /// embedder gave (a browser's IndexedDB, files for the WebAssembly engine in Node).
    Kept,
    /// In the Redis server every process of a queue shares (`history: {redis, keyPrefix}`, set
    /// by the queue, never by a user; the flows and the cache go beside that history).
    Redis(RedisTarget),
    /// In the PostgreSQL database a fleet shares (its URL: `storage: {type: "postgres", url}`
    /// or `history.store`).
    Postgres(String),
    /// In the app's own storage, JS moving each flow's text (`storage: {type: "embedder"}`, set
    /// by the npm package for an app's key-value storage; flows only: the history and the cache
    /// are then in memory, as with `"memory"`).
    Embedder,
}

/// A history in Redis: `history: {redis, keyPrefix?}` (set by the queue, never by a user).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RedisTarget {
    pub url: String,
    pub key_prefix: String,
}

impl RedisTarget {
    /// The key prefix when `keyPrefix` is absent.
    pub const DEFAULT_KEY_PREFIX: &'static str = "atomiton:history";

    /// The saved flows beside this history: one hash, named as the history's prefix with its
    /// last part `history` replaced by `flows` (a queue's `<prefix>:<queue>:history` gives
    /// `<prefix>:<queue>:flows`, where its producers have always kept them), else with `:flows`
    /// added.
    pub fn flows(&self) -> RedisTarget {
        let base = self.key_prefix.strip_suffix(":history").unwrap_or(&self.key_prefix);
        RedisTarget { url: self.url.clone(), key_prefix: format!("{base}:flows") }
    }

    /// `history.redis` and `history.keyPrefix`, checked.
    pub fn new(url: String, key_prefix: Option<String>) -> Result<RedisTarget> {
        let invalid = |what: &str| {
            ExecutionError::validation(format!("Invalid conductor config: history.{what}"))
        };
        if url.is_empty() {
            return Err(invalid("redis must be a Redis URL (redis://host:port)"));
        }
        let key_prefix = match key_prefix {
            None => Self::DEFAULT_KEY_PREFIX.to_owned(),
            Some(prefix) if prefix.is_empty() => {
                return Err(invalid("keyPrefix must be a non-empty string"))
            }
            Some(prefix) => prefix,
        };
        Ok(RedisTarget { url, key_prefix })
    }
}

/// Which of the three a binding can keep outside memory.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Keepers {
    pub flows: bool,
    pub history: bool,
    pub cache: bool,
}

impl Keepers {
    /// A binding that keeps everything (the native addon).
    pub const ALL: Keepers = Keepers { flows: true, history: true, cache: true };
}

/// Where each is kept; `None`: that one is off.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Placement {
    pub flows: Place,
    pub history: Option<Place>,
    pub cache: Option<Place>,
}

impl SessionConfig {
    /// Where this conductor keeps its flows, history and cache, given what its binding can keep:
    ///
    /// - flows: where `storage` says (`{type: "postgres", url}`, or in memory with
    ///   `{type: "memory"}`); when it says nothing, beside a history shared by a fleet (a queue's
    ///   Redis, a PostgreSQL database: every producer and server of it sees the same flows), else
    ///   kept when the binding can, else in memory;
    /// - history (unless `history: false`): in Redis when the queue names a server, else in
    ///   memory when the flows are, else kept when the binding can;
    /// - cache (only when `cache` asks for one): beside the history when that is not in memory
    ///   and `cache.store` is `"persistent"` (the default), else in memory.
    pub fn placement(&self, can_keep: Keepers) -> Result<Placement> {
        let in_memory = self.memory_storage() || self.embedder_storage();
        let shared_history = self.history_place()?;
        let flows = match (self.flows_in_postgres()?, &shared_history) {
            (Some(url), _) => Place::Postgres(url),
            (None, _) if self.embedder_storage() => Place::Embedder,
            (None, Some(Some(shared)))
                if self.storage.kind.is_none() && self.storage.directory.is_none() =>
            {
                match shared {
                    Place::Redis(redis) => Place::Redis(redis.flows()),
                    beside => beside.clone(),
                }
            }
            (None, _) if in_memory || !can_keep.flows => Place::Memory,
            (None, _) => Place::Kept,
        };
        let history = match shared_history {
            None => None,
            Some(Some(shared)) => Some(shared),
            Some(None) if !in_memory && can_keep.history => Some(Place::Kept),
            Some(None) => Some(Place::Memory),
        };
        let cache = self.cache_place(history.as_ref(), can_keep.cache);
        Ok(Placement { flows, history, cache })
    }

    /// Where the flows' directory is: `storage.directory`, else `.atomiton/flows` in `home`
    /// (the binding reads the environment: the core does not), else in the working directory.
    pub fn storage_directory(&self, home: Option<&Path>) -> PathBuf {
        self.storage.directory.clone().unwrap_or_else(|| {
            home.map_or_else(|| PathBuf::from(".atomiton"), |home| home.join(".atomiton"))
                .join("flows")
        })
    }

    /// `None`: history off; `Some(None)`: on, in no shared store; `Some(Some(place))`: in the
    /// Redis or PostgreSQL store a queue names.
    /// The database of `storage: {type: "postgres", url}`.
    fn flows_in_postgres(&self) -> Result<Option<String>> {
        let storage = &self.storage;
        let invalid = |what: &str| {
            Err(ExecutionError::validation(format!("Invalid conductor config: storage.{what}")))
        };
        match (storage.kind.as_deref(), storage.url.as_deref()) {
            (Some("postgres"), Some(url))
                if url.starts_with("postgres://") || url.starts_with("postgresql://") =>
            {
                Ok(Some(url.to_owned()))
            }
            (Some("postgres"), _) => invalid(
                "url must be the PostgreSQL database of type \"postgres\" (postgres://user@host:port/database)",
            ),
            (_, Some(_)) => invalid("url is for type \"postgres\" only"),
            _ => Ok(None),
        }
    }

    fn history_place(&self) -> Result<Option<Option<Place>>> {
        let Some(history) = self.history() else { return Ok(None) };
        if let Some(url) = History::postgres_url_of(&history) {
            let scheme = url.starts_with("postgres://") || url.starts_with("postgresql://");
            if History::has_redis(&history) || !scheme {
                return Err(ExecutionError::validation(
                    "Invalid conductor config: history.store must be a PostgreSQL URL (postgres://user@host:port/database)",
                ));
            }
            return Ok(Some(Some(Place::Postgres(url.to_owned()))));
        }
        match History::redis_of(history) {
            None => Ok(Some(None)),
            Some((url, prefix)) => {
                RedisTarget::new(url, prefix).map(|redis| Some(Some(Place::Redis(redis))))
            }
        }
    }

    fn cache_place(&self, history: Option<&Place>, can_keep: bool) -> Option<Place> {
        let beside_history = crate::cache::beside_history(&self.cache)?;
        Some(match history {
            Some(Place::Redis(redis)) if beside_history => Place::Redis(redis.clone()),
            Some(Place::Postgres(url)) if beside_history => Place::Postgres(url.clone()),
            Some(Place::Kept) if beside_history && can_keep => Place::Kept,
            _ => Place::Memory,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn placement(config: &str, can_keep: Keepers) -> Placement {
        SessionConfig::from_json(config).and_then(|c| c.placement(can_keep)).expect("placed")
    }

    const BROWSER_WITHOUT_STORAGE: Keepers = Keepers { flows: false, history: false, cache: false };

    #[test]
    fn flows_history_and_cache_are_kept_together_unless_the_config_says_memory() {
        let kept = placement(r#"{"cache": true}"#, Keepers::ALL);
        assert_eq!(
            kept,
            Placement { flows: Place::Kept, history: Some(Place::Kept), cache: Some(Place::Kept) }
        );
        let memory = placement(r#"{"storage": {"type": "memory"}, "cache": true}"#, Keepers::ALL);
        let all_memory = Placement {
            flows: Place::Memory,
            history: Some(Place::Memory),
            cache: Some(Place::Memory),
        };
        assert_eq!(memory, all_memory);
        // A binding that can keep nothing keeps everything in memory, whatever the config.
        assert_eq!(placement(r#"{"cache": true}"#, BROWSER_WITHOUT_STORAGE), all_memory);
    }

    #[test]
    fn what_is_off_is_nowhere_and_a_cache_goes_only_beside_a_kept_history() {
        assert_eq!(placement("{}", Keepers::ALL).cache, None, "the cache is off by default");
        let no_history = placement(r#"{"history": false, "cache": true}"#, Keepers::ALL);
        assert_eq!((no_history.history, no_history.cache), (None, Some(Place::Memory)));
        let asked_memory = placement(r#"{"cache": {"store": "memory"}}"#, Keepers::ALL);
        assert_eq!(asked_memory.cache, Some(Place::Memory));
        // A browser given storage for flows and history but not the cache.
        let partial =
            placement(r#"{"cache": true}"#, Keepers { flows: true, history: true, cache: false });
        assert_eq!((partial.history, partial.cache), (Some(Place::Kept), Some(Place::Memory)));
        let no_history_storage =
            placement(r#"{"cache": true}"#, Keepers { flows: true, history: false, cache: true });
        assert_eq!(
            no_history_storage.cache,
            Some(Place::Memory),
            "a cache outlives nothing a history does not"
        );
    }

    #[test]
    fn a_queue_history_is_in_redis_and_its_cache_beside_it() {
        let queue = placement(
            r#"{"storage": {"type": "memory"}, "history": {"redis": "redis://127.0.0.1:6379", "keyPrefix": "q:history"}, "cache": true}"#,
            Keepers::ALL,
        );
        let redis = Place::Redis(RedisTarget {
            url: "redis://127.0.0.1:6379".into(),
            key_prefix: "q:history".into(),
        });
        assert_eq!(
            queue,
            Placement { flows: Place::Memory, history: Some(redis.clone()), cache: Some(redis) }
        );
        // A fleet on PostgreSQL: history, cache and (asked for) flows in the database.
        let db = "postgres://u@h:5432/runs";
        let fleet = placement(
            &format!(
                r#"{{"storage": {{"type": "postgres", "url": "{db}"}}, "history": {{"store": "{db}"}}, "cache": true}}"#
            ),
            Keepers::ALL,
        );
        let postgres = Place::Postgres(db.into());
        assert_eq!(
            fleet,
            Placement {
                flows: postgres.clone(),
                history: Some(postgres.clone()),
                cache: Some(postgres)
            }
        );
        let default_prefix = placement(r#"{"history": {"redis": "redis://h:1"}}"#, Keepers::ALL);
        assert_eq!(
            default_prefix.history,
            Some(Place::Redis(RedisTarget {
                url: "redis://h:1".into(),
                key_prefix: RedisTarget::DEFAULT_KEY_PREFIX.into()
            }))
        );
        // A queue that says nothing of its flows keeps them beside its history, in one hash its
        // producers share (where they kept them before the engine did).
        let producer = placement(
            r#"{"history": {"redis": "redis://h:1", "keyPrefix": "bull:runs:history"}}"#,
            Keepers::ALL,
        );
        let flows = RedisTarget { url: "redis://h:1".into(), key_prefix: "bull:runs:flows".into() };
        assert_eq!(producer.flows, Place::Redis(flows));
        assert_eq!(
            default_prefix.flows,
            Place::Redis(RedisTarget {
                url: "redis://h:1".into(),
                key_prefix: "atomiton:flows".into()
            })
        );
        let odd = RedisTarget { url: "redis://h:1".into(), key_prefix: "mine".into() };
        assert_eq!(odd.flows().key_prefix, "mine:flows");
        // A fleet on PostgreSQL that says nothing of its flows keeps them in the database; a
        // `storage` that says where (a type, a directory) is followed.
        let beside = placement(&format!(r#"{{"history": {{"store": "{db}"}}}}"#), Keepers::ALL);
        assert_eq!(beside.flows, Place::Postgres(db.into()));
        for storage in [r#"{"type": "fs"}"#, r#"{"directory": "/data/flows"}"#] {
            let config = format!(r#"{{"storage": {storage}, "history": {{"store": "{db}"}}}}"#);
            assert_eq!(placement(&config, Keepers::ALL).flows, Place::Kept, "{storage}");
        }
        let bad = SessionConfig::from_json(r#"{"history": {"redis": ""}}"#)
            .and_then(|c| c.placement(Keepers::ALL));
        assert!(bad.is_err_and(|e| e.message.contains("history.redis")));
    }

    #[test]
    fn the_flows_directory_is_the_configured_one_else_in_home() {
        let configured =
            SessionConfig::from_json(r#"{"storage": {"type": "fs", "directory": "/data/flows"}}"#)
                .expect("config");
        assert_eq!(
            configured.storage_directory(Some(Path::new("/home/ada"))),
            PathBuf::from("/data/flows")
        );
        let default = SessionConfig::default();
        assert_eq!(
            default.storage_directory(Some(Path::new("/home/ada"))),
            PathBuf::from("/home/ada/.atomiton/flows")
        );
        assert_eq!(default.storage_directory(None), PathBuf::from(".atomiton/flows"));
    }
}
