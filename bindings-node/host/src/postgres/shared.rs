//! One link per database: the stores a process keeps in one PostgreSQL database besides its run
//! history — the result cache, saved flows and triggers — share one connection, on one thread,
//! instead of opening one each. A server counts its connections against a limit (and holds a
//! process for each), so a fleet of workers with every store in one database opens a quarter
//! of what it did. The jobs of every store sharing it are answered in the order they were
//! asked, as each store's own were.
//!
//! The history keeps its own writer's connection (and its readers', see
//! `history/readers.rs`): its writes are batched and held through an outage, and a cache lookup
//! must not wait behind a batch of a run's writes.
//!
//! The link is made by the first store that opens on a URL and closed once the last store
//! using it is dropped (with its conductor); a store opened on that URL later makes a new one.

use std::sync::Arc;

use atomiton_core::error::Result;
use atomiton_core::host::BoxFuture;

use super::link::{Described, Link};
use crate::links::Links;
use crate::store_thread::Queue;

/// The links open now, by the URL they were opened with.
static OPEN: Links<String, Queue<Link>> = Links::new();

/// A store's handle on the link of its database: `store` names it in errors ("Result cache").
pub(crate) struct SharedLink {
    queue: Arc<Queue<Link>>,
    store: &'static str,
}

impl SharedLink {
    /// The link to `url` for `store`: the one open already, else a new one (its connection made,
    /// and the tables migrated, on its thread: see [`Link::open`]). A URL this client cannot use
    /// is an error; a server that cannot be reached yet is not.
    pub(crate) fn open(url: &str, store: &'static str) -> std::result::Result<SharedLink, String> {
        let (queue, _) = OPEN.get_or_open(url.to_owned(), || {
            let queue = Queue::jobs(Link::open(url)?, "PostgreSQL")
                .map_err(|e| format!("{store} cannot start its thread: {e}"))?
                .with_deadline();
            // Connected (and migrated) on the thread, not here: see `Link::open`.
            drop(queue.read(|link: &mut Link| {
                link.connect_now();
                Ok::<(), String>(())
            }));
            Ok::<_, String>(queue)
        })?;
        Ok(SharedLink { queue, store })
    }

    /// Runs `job` with the connection on the link's thread, after every job asked before it (by
    /// any store sharing the link).
    pub(crate) fn job<T: Send + 'static, E: Described + 'static>(
        &self,
        job: impl FnMut(&mut postgres::Client) -> std::result::Result<T, E> + Send + 'static,
    ) -> BoxFuture<'static, Result<T>> {
        self.with_link(move |link| link.run(job))
    }

    /// Runs `work` with the link itself on its thread (work to do there before a request).
    pub(crate) fn with_link<T: Send + 'static>(
        &self,
        work: impl FnOnce(&mut Link) -> std::result::Result<T, String> + Send + 'static,
    ) -> BoxFuture<'static, Result<T>> {
        self.queue.read_for(self.store, work)
    }
}
