//! A small cancellation token: the run, each node and each attempt get one. Bindings turn the
//! token a JS executor receives into an `AbortSignal`.

use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, Weak};
use std::task::{Context, Poll, Waker};

use super::future::{BoxCallback, MaybeSend};

/// Cloneable handle; cancelling any clone cancels all, and children are cancelled with their
/// parent.
#[derive(Clone, Default)]
pub struct CancelToken {
    inner: Arc<Inner>,
}

#[derive(Default)]
struct Inner {
    cancelled: AtomicBool,
    /// Children are cancelled with their parent; weak so finished children can be freed.
    children: Mutex<Vec<Weak<Inner>>>,
    wakers: Mutex<Vec<Waker>>,
    callbacks: Mutex<Vec<BoxCallback>>,
}

impl CancelToken {
    pub fn new() -> Self {
        Self::default()
    }

    /// A token that is also cancelled when `self` is.
    pub fn child(&self) -> Self {
        let child = CancelToken::new();
        {
            let mut children = lock(&self.inner.children);
            // Drop references to children that are gone, so a long run does not accumulate them.
            if children.len() >= 64 && children.len().is_power_of_two() {
                children.retain(|c| c.strong_count() > 0);
            }
            children.push(Arc::downgrade(&child.inner));
        }
        if self.is_cancelled() {
            child.cancel();
        }
        child
    }

    /// Cancels this token and every child, waking waiters and running `on_cancel` callbacks.
    pub fn cancel(&self) {
        let mut pending = vec![self.inner.clone()];
        while let Some(inner) = pending.pop() {
            if inner.cancelled.swap(true, Ordering::AcqRel) {
                continue;
            }
            let wakers = std::mem::take(&mut *lock(&inner.wakers));
            for waker in wakers {
                waker.wake();
            }
            let callbacks = std::mem::take(&mut *lock(&inner.callbacks));
            for callback in callbacks {
                callback();
            }
            let children = std::mem::take(&mut *lock(&inner.children));
            pending.extend(children.iter().filter_map(Weak::upgrade));
        }
    }

    pub fn is_cancelled(&self) -> bool {
        self.inner.cancelled.load(Ordering::Acquire)
    }

    /// Runs `callback` once when this token is cancelled (directly or through a parent) — at
    /// once if it already is. Bindings use it to abort a JS `AbortController`.
    pub fn on_cancel(&self, callback: impl FnOnce() + MaybeSend + 'static) {
        if self.inner.cancelled.load(Ordering::Acquire) {
            callback();
            return;
        }
        lock(&self.inner.callbacks).push(Box::new(callback));
        // Cancellation may have raced with the push: run what is left if so.
        if self.inner.cancelled.load(Ordering::Acquire) {
            let callbacks = std::mem::take(&mut *lock(&self.inner.callbacks));
            for callback in callbacks {
                callback();
            }
        }
    }

    /// Resolves when the token (or a parent) is cancelled.
    pub fn cancelled(&self) -> Cancelled {
        Cancelled { token: self.clone() }
    }

    fn register(&self, waker: &Waker) {
        let mut wakers = lock(&self.inner.wakers);
        if !wakers.iter().any(|w| w.will_wake(waker)) {
            wakers.push(waker.clone());
        }
    }
}

impl std::fmt::Debug for CancelToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CancelToken").field("cancelled", &self.is_cancelled()).finish()
    }
}

/// A poisoned lock only means another holder panicked; the vector inside is still valid.
fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// Future returned by [`CancelToken::cancelled`].
pub struct Cancelled {
    token: CancelToken,
}

impl Future for Cancelled {
    type Output = ();

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        if self.token.is_cancelled() {
            return Poll::Ready(());
        }
        self.token.register(cx.waker());
        if self.token.is_cancelled() {
            Poll::Ready(())
        } else {
            Poll::Pending
        }
    }
}
