//! Builds without `cache` (the browser's default module): the session has no `cache.*` calls.
//! See `cache.rs`.

/// The session methods only cache builds have are left out.
#[doc(hidden)]
#[macro_export]
macro_rules! __session_gate_cache {
    ($($item:tt)*) => {};
}
