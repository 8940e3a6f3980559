//! Futures that are `Send` where the host is multi-threaded (native, tokio) and need not be on
//! wasm32, where JS promises and callbacks are single-threaded.

#[cfg(not(target_arch = "wasm32"))]
mod imp {
    /// A boxed future; `Send` on native targets.
    pub type BoxFuture<'a, T> = futures::future::BoxFuture<'a, T>;
    /// A boxed one-shot callback; `Send` on native targets.
    pub type BoxCallback = Box<dyn FnOnce() + Send>;
    /// A function several threads may call at once; `Send + Sync` on native targets.
    pub type SharedFn<A, R> = std::sync::Arc<dyn Fn(A) -> R + Send + Sync>;

    /// `Send` on native targets, nothing on wasm32.
    pub trait MaybeSend: Send {}
    impl<T: Send + ?Sized> MaybeSend for T {}

    /// `Sync` on native targets, nothing on wasm32.
    pub trait MaybeSync: Sync {}
    impl<T: Sync + ?Sized> MaybeSync for T {}
}

#[cfg(target_arch = "wasm32")]
mod imp {
    /// A boxed future; `Send` on native targets.
    pub type BoxFuture<'a, T> = futures::future::LocalBoxFuture<'a, T>;
    /// A boxed one-shot callback; `Send` on native targets.
    pub type BoxCallback = Box<dyn FnOnce()>;
    /// A function several threads may call at once; `Send + Sync` on native targets.
    pub type SharedFn<A, R> = std::sync::Arc<dyn Fn(A) -> R>;

    /// `Send` on native targets, nothing on wasm32.
    pub trait MaybeSend {}
    impl<T: ?Sized> MaybeSend for T {}

    /// `Sync` on native targets, nothing on wasm32.
    pub trait MaybeSync {}
    impl<T: ?Sized> MaybeSync for T {}
}

pub use imp::{BoxCallback, BoxFuture, MaybeSend, MaybeSync, SharedFn};
