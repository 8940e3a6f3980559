//! Builds without `cache` (the browser's default module): no node's result is cached. The
//! names the rest of the engine reads, with nothing to hold: a session's cache cannot be made
//! here, so the code that would use it is compiled out. See `cache/mod.rs` for what the feature
//! does.

/// `cache` in a session's config: only `false` is accepted (see [`refused`]).
pub type CacheSetting = Option<bool>;

/// Never made: no session has a cache here.
#[derive(Clone)]
pub enum CacheHandle {}

/// Whether a session with `setting` has a cache (`None`: it has none), and whether that cache
/// is kept beside the run history: never, here.
pub fn beside_history(_setting: &CacheSetting) -> Option<bool> {
    None
}

/// What a session's `cache` setting must be instead, when this build cannot do what it asks.
pub fn refused(setting: &CacheSetting) -> Option<&'static str> {
    (*setting == Some(true)).then_some("false in a build without the result cache")
}
