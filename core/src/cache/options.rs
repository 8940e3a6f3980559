//! How caching is asked for: the conductor's `cache` setting, a run's `cache` option and a
//! node's `parameters.cache`.

use crate::value::{Map, Value};

/// `cache: false | true | {maxEntries?, maxBytes?, ttlMs?, store?}` in a conductor's config: off
/// by default (a cache holds outputs, and runs with it hash their nodes' inputs).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct CacheSetting {
    pub enabled: bool,
    pub limits: CacheLimits,
    /// How long an entry is served unless a node says otherwise (`None`: until evicted).
    pub ttl_ms: Option<f64>,
    pub store: CacheStoreKind,
}

/// Where a conductor's cache lives: `store: "persistent"` (the default) beside the conductor's
/// run history when that is kept outside the process (SQLite natively, Redis in queue mode,
/// IndexedDB in a browser, files for the WebAssembly engine in Node), else in memory;
/// `store: "memory"`: in memory whatever the history.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum CacheStoreKind {
    #[default]
    Persistent,
    Memory,
}

/// How much a cache holds.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct CacheLimits {
    /// Entries kept at most.
    pub max_entries: usize,
    /// Bytes of outputs kept at most (as the cache counts them); an output larger
    /// than this alone is not kept.
    pub max_bytes: u64,
}

impl Default for CacheLimits {
    fn default() -> Self {
        CacheLimits { max_entries: 10_000, max_bytes: 256 * 1024 * 1024 }
    }
}

/// Whether a session with `setting` has a cache (`None`: it has none), and whether that cache
/// is kept beside the run history (`store: "persistent"`).
pub fn beside_history(setting: &CacheSetting) -> Option<bool> {
    setting.enabled.then_some(setting.store == CacheStoreKind::Persistent)
}

/// The fields `{maxEntries?, maxBytes?, ttlMs?, store?}` may have.
const BOUNDS: [&str; 4] = ["maxEntries", "maxBytes", "ttlMs", "store"];

impl CacheSetting {
    /// `false | true | {maxEntries?, maxBytes?, ttlMs?, store?}` (`null`: off).
    pub fn from_value(value: &Value) -> Result<CacheSetting, String> {
        match value {
            Value::Null | Value::Undefined | Value::Bool(false) => Ok(CacheSetting::default()),
            Value::Bool(true) => Ok(CacheSetting { enabled: true, ..CacheSetting::default() }),
            Value::Object(map) => CacheSetting::of_bounds(map),
            _ => Err("cache: expected true, false or an object".into()),
        }
    }

    /// `{maxEntries?, maxBytes?, ttlMs?, store?}`, every other field refused. Read by hand
    /// rather than derived: a derived reader costs the browser's module kilobytes, and its
    /// errors would not say which field is wrong any better.
    fn of_bounds(map: &Map) -> Result<CacheSetting, String> {
        if let Some(other) = map.keys().find(|key| !BOUNDS.iter().any(|field| *key == *field)) {
            return Err(format!(
                "unknown field `{other}`, expected one of `maxEntries`, `maxBytes`, `ttlMs`, `store`"
            ));
        }
        let given =
            |name: &str| map.get(name).filter(|v| !matches!(v, Value::Null | Value::Undefined));
        let whole = |name: &str, default: u64| match given(name) {
            None => Ok(default),
            Some(value) => value
                .as_f64()
                .filter(|n| *n >= 1.0 && n.fract() == 0.0 && *n <= u64::MAX as f64)
                .map(|n| n as u64)
                .ok_or("cache.maxEntries and cache.maxBytes must be whole numbers of at least 1"),
        };
        let defaults = CacheLimits::default();
        let limits = CacheLimits {
            max_entries: whole("maxEntries", defaults.max_entries as u64)? as usize,
            max_bytes: whole("maxBytes", defaults.max_bytes)?,
        };
        let ttl_ms = match given("ttlMs") {
            None => None,
            Some(ttl) => Some(
                ttl.as_f64()
                    .filter(|ttl| ttl.is_finite() && *ttl > 0.0)
                    .ok_or("cache.ttlMs must be a number of milliseconds greater than 0")?,
            ),
        };
        let store = match given("store").map(|store| store.as_str()) {
            None => CacheStoreKind::Persistent,
            Some(Some("persistent")) => CacheStoreKind::Persistent,
            Some(Some("memory")) => CacheStoreKind::Memory,
            Some(_) => return Err("cache.store: expected \"persistent\" or \"memory\"".into()),
        };
        Ok(CacheSetting { enabled: true, limits, ttl_ms, store })
    }
}

/// A node's caching asked for by the flow or the run.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum NodeCacheOption {
    /// Never cached.
    Off,
    /// Cached (a node with effects too), its entries served for `ttl_ms` when given.
    On { ttl_ms: Option<f64> },
}

impl NodeCacheOption {
    /// `false | true | {ttlMs?}`; anything else (another field too) is not an option (`None`).
    pub fn from_value(value: &Value) -> Option<NodeCacheOption> {
        match value {
            Value::Bool(false) => Some(NodeCacheOption::Off),
            Value::Bool(true) => Some(NodeCacheOption::On { ttl_ms: None }),
            Value::Object(map) if map.keys().any(|key| key != "ttlMs") => None,
            Value::Object(map) => match map.get("ttlMs") {
                None | Some(Value::Undefined | Value::Null) => {
                    Some(NodeCacheOption::On { ttl_ms: None })
                }
                Some(ttl) => ttl
                    .as_f64()
                    .filter(|ttl| *ttl > 0.0)
                    .map(|ttl| NodeCacheOption::On { ttl_ms: Some(ttl) }),
            },
            _ => None,
        }
    }

    /// `parameters.cache` of a node, when present and well-formed (validation refuses the rest).
    pub fn of_parameters(parameters: &Map) -> Option<NodeCacheOption> {
        parameters.get("cache").and_then(NodeCacheOption::from_value)
    }
}

/// A run's `cache` option: `false` (this run neither reads nor writes the cache), `true` (the
/// conductor's setting), or `{nodes: {path: false | true | {ttlMs}}}` (per node, over the flow's
/// own `parameters.cache`).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct RunCache {
    pub off: bool,
    pub nodes: Vec<(String, NodeCacheOption)>,
}

impl RunCache {
    /// `false | true | {nodes: {path: false | true | {ttlMs}}}` (`null`: the conductor's
    /// setting).
    pub fn from_value(value: &Value) -> Result<RunCache, String> {
        match value {
            Value::Bool(on) => Ok(RunCache { off: !on, nodes: Vec::new() }),
            Value::Null | Value::Undefined => Ok(RunCache::default()),
            Value::Object(map) => {
                if let Some(other) = map.keys().find(|key| *key != "nodes") {
                    return Err(format!(
                        "unknown option 'cache.{other}' (a run's cache takes {{nodes}})"
                    ));
                }
                let nodes = match map.get("nodes") {
                    None | Some(Value::Null | Value::Undefined) => Vec::new(),
                    Some(Value::Object(nodes)) => nodes
                        .iter()
                        .map(|(path, option)| {
                            NodeCacheOption::from_value(option)
                                .map(|option| (path.to_string(), option))
                                .ok_or_else(|| {
                                    format!("cache.nodes.{path}: expected false, true or {{ttlMs}} with a positive ttlMs")
                                })
                        })
                        .collect::<Result<_, _>>()?,
                    Some(_) => return Err("cache.nodes: expected an object of node paths".into()),
                };
                Ok(RunCache { off: false, nodes })
            }
            _ => Err("cache: expected a boolean or {nodes}".into()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn settings_read_as_documented() {
        let read =
            |text: &str| CacheSetting::from_value(&serde_json::from_str::<Value>(text).ok()?).ok();
        assert_eq!(read("false").map(|s| s.enabled), Some(false));
        assert_eq!(read("true").map(|s| s.enabled), Some(true));
        let bounded = read(r#"{"maxEntries": 5, "ttlMs": 1000}"#);
        assert_eq!(bounded.as_ref().map(|s| s.limits.max_entries), Some(5));
        assert_eq!(bounded.as_ref().map(|s| s.store), Some(CacheStoreKind::Persistent));
        assert_eq!(bounded.and_then(|s| s.ttl_ms), Some(1000.0));
        assert_eq!(read(r#"{"store": "memory"}"#).map(|s| s.store), Some(CacheStoreKind::Memory));
        assert!(read(r#"{"store": "disk"}"#).is_none());
        let run = |text: &str| {
            RunCache::from_value(&serde_json::from_str::<Value>(text).map_err(|e| e.to_string())?)
        };
        assert!(run("false").is_ok_and(|r| r.off));
        assert!(run(r#"{"nodes": {"a/b": {"ttlMs": 5}}}"#).is_ok_and(
            |r| r.nodes == vec![("a/b".to_owned(), NodeCacheOption::On { ttl_ms: Some(5.0) })]
        ));
        assert!(run(r#"{"nodes": {"a": {"ttlMs": -1}}}"#).is_err());
        assert!(run("3").is_err());
    }
}
