//! A history store's reads on connections of their own: a pool of threads, each with its
//! connection (opened on its first read, closed after [`IDLE`] without one, opened again when
//! needed), taking reads in the order they come. A server answering many clients lists and
//! reads runs side by side, and a long read never holds up the writes behind it, nor a write
//! batch a read. The store still answers each read after every write queued before it: it asks
//! its writer's thread first (see `PostgresHistory::pooled`).

use std::collections::VecDeque;
use std::sync::{Arc, Condvar, Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use atomiton_core::error::Result;
use atomiton_core::host::BoxFuture;
use futures::channel::oneshot;

use crate::history::stored::failure;
use crate::postgres::link::{Described, Link};

/// How long a reader's connection stays open without a read.
const IDLE: Duration = Duration::from_secs(60);

type Read = Box<dyn FnOnce(&mut Link) + Send>;

/// Reads waiting for a thread, and whether the store closed.
#[derive(Default)]
struct Waiting {
    reads: VecDeque<Read>,
    closed: bool,
}

#[derive(Default)]
struct Shared {
    waiting: Mutex<Waiting>,
    ready: Condvar,
}

impl Shared {
    fn lock(&self) -> MutexGuard<'_, Waiting> {
        // A read that panicked has answered nothing; the queue itself is whole.
        self.waiting.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// The pool (each clone is a handle on it): its threads end once every handle is dropped and
/// the reads waiting are done.
#[derive(Clone)]
pub(crate) struct Readers {
    shared: Arc<Shared>,
    _open: Arc<Open>,
}

/// Dropped with the last handle: the threads are told to end.
struct Open(Arc<Shared>);

impl Drop for Open {
    fn drop(&mut self) {
        self.0.lock().closed = true;
        self.0.ready.notify_all();
    }
}

impl Readers {
    /// `count` threads reading from the database at `url`.
    pub(crate) fn start(url: &str, count: usize) -> std::result::Result<Readers, String> {
        let shared = Arc::new(Shared::default());
        for _ in 0..count {
            let link = Link::unconnected(url)?;
            let shared = shared.clone();
            std::thread::Builder::new()
                .name("atomiton-history-read".into())
                .spawn(move || serve(&shared, link))
                .map_err(|e| format!("cannot start a reading thread: {e}"))?;
        }
        Ok(Readers { _open: Arc::new(Open(shared.clone())), shared })
    }

    /// Runs `job` on the first reader free.
    pub(crate) fn read<T: Send + 'static, E: Described>(
        &self,
        mut job: impl FnMut(&mut postgres::Client) -> std::result::Result<T, E> + Send + 'static,
    ) -> BoxFuture<'static, Result<T>> {
        let (answer, answered) = oneshot::channel();
        self.shared.lock().reads.push_back(Box::new(move |link: &mut Link| {
            let _ = answer.send(link.run(&mut job));
        }));
        self.shared.ready.notify_one();
        Box::pin(async move {
            match crate::deadline::within(Some(crate::deadline::STORE_REQUEST), answered).await {
                Some(Ok(answer)) => answer.map_err(failure),
                Some(Err(_)) => Err(failure("its reading thread has stopped".into())),
                None => Err(crate::store_thread::not_answering("Execution history")),
            }
        })
    }
}

/// A reader's thread: reads as they come; the connection closed when none came for [`IDLE`].
fn serve(shared: &Shared, mut link: Link) {
    let mut waiting = shared.lock();
    loop {
        if let Some(read) = waiting.reads.pop_front() {
            drop(waiting);
            read(&mut link);
            waiting = shared.lock();
            continue;
        }
        if waiting.closed {
            return;
        }
        let (guard, wait) =
            shared.ready.wait_timeout(waiting, IDLE).unwrap_or_else(PoisonError::into_inner);
        waiting = guard;
        if wait.timed_out() && waiting.reads.is_empty() {
            link.disconnect();
        }
    }
}
