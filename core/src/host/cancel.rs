//! A small cancellation token: the run, each node and each attempt get one. Bindings turn the
//! token a JS executor receives into an `AbortSignal`.

use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll, Waker};

use super::future::{BoxCallback, MaybeSend};

/// Cloneable handle; cancelling any clone cancels all, and a child is cancelled with its parent.
#[derive(Clone, Default)]
pub struct CancelToken {
    inner: Arc<Inner>,
}

#[derive(Default)]
struct Inner {
    cancelled: AtomicBool,
    parent: Option<CancelToken>,
    wakers: Mutex<Vec<Waker>>,
    callbacks: Mutex<Vec<BoxCallback>>,
}

impl CancelToken {
    pub fn new() -> Self {
        Self::default()
    }

    /// A token that is also cancelled when `self` is.
    pub fn child(&self) -> Self {
        CancelToken {
            inner: Arc::new(Inner { parent: Some(self.clone()), ..Default::default() }),
        }
    }

    pub fn cancel(&self) {
        if self.inner.cancelled.swap(true, Ordering::AcqRel) {
            return;
        }
        let wakers = std::mem::take(&mut *lock(&self.inner.wakers));
        for waker in wakers {
            waker.wake();
        }
        let callbacks = std::mem::take(&mut *lock(&self.inner.callbacks));
        for callback in callbacks {
            callback();
        }
    }

    pub fn is_cancelled(&self) -> bool {
        let mut token = Some(self);
        while let Some(t) = token {
            if t.inner.cancelled.load(Ordering::Acquire) {
                return true;
            }
            token = t.inner.parent.as_ref();
        }
        false
    }

    /// Runs `callback` once when this token (not a parent) is cancelled — at once if it already
    /// is. Bindings use it to abort a JS `AbortController`.
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
        let mut token = Some(self);
        while let Some(t) = token {
            let mut wakers = lock(&t.inner.wakers);
            if !wakers.iter().any(|w| w.will_wake(waker)) {
                wakers.push(waker.clone());
            }
            drop(wakers);
            token = t.inner.parent.as_ref();
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
