//! Builds without `cache` (the browser's default module): no node is served from a cache, so
//! no report carries a hit. The same names as `cache_hit.rs`, for the code that reads them in
//! every build; a hit cannot be made, so that code is compiled out.

/// Never made: no node is served from a cache in these builds.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct CacheHit {
    pub key: CacheKey,
    /// How old the entry was when it was served, in ms.
    pub age_ms: f64,
    never: Never,
}

/// The value a [`HitKey`] or [`HitAge`] never holds.
#[derive(Clone, Copy, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub enum Never {}

/// A progress entry's cache key: none in these builds, by its type.
pub type HitKey = Option<Never>;
/// A progress entry's cache age: none in these builds, by its type.
pub type HitAge = Option<Never>;

impl CacheHit {
    pub fn key_of(_hit: Option<CacheHit>) -> HitKey {
        None
    }

    pub fn age_of(_hit: Option<CacheHit>) -> HitAge {
        None
    }
}

/// What a node's result is cached under (only inside a [`CacheHit`], which is never made).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct CacheKey(Never);

impl CacheKey {
    pub fn to_hex(self) -> String {
        match self.0 {}
    }
}
