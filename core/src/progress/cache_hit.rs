//! A node served from the node result cache, as progress, the trace and history report it:
//! the entry's key and age. Here, below the cache, because what is reported of a run must not
//! depend on how the cache is kept.

use std::fmt;

/// A node served from the cache: the entry's key and age, as progress and the trace report it.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct CacheHit {
    pub key: CacheKey,
    /// How old the entry was when it was served, in ms.
    pub age_ms: f64,
}

/// A progress entry's key of the cache entry it was served from.
pub type HitKey = Option<String>;
/// A progress entry's age of the cache entry it was served from (ms).
pub type HitAge = Option<f64>;

impl CacheHit {
    /// The key a progress entry reports (32 hex digits) for a node served from the cache.
    pub fn key_of(hit: Option<CacheHit>) -> HitKey {
        hit.map(|hit| hit.key.to_hex())
    }

    /// The age a progress entry reports for a node served from the cache.
    pub fn age_of(hit: Option<CacheHit>) -> HitAge {
        hit.map(|hit| hit.age_ms)
    }
}

/// What a node's result is cached under.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct CacheKey(pub u128);

impl CacheKey {
    /// The key as 32 lowercase hex digits (how events, history and stores show it).
    pub fn to_hex(self) -> String {
        format!("{:032x}", self.0)
    }

    /// A key from [`to_hex`](Self::to_hex)'s form.
    pub fn from_hex(text: &str) -> Option<CacheKey> {
        (text.len() == 32).then(|| u128::from_str_radix(text, 16).ok()).flatten().map(CacheKey)
    }
}

impl fmt::Debug for CacheKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "CacheKey({:032x})", self.0)
    }
}
