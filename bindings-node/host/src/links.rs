//! A process's store links by where they lead (a database URL, a database file): the stores that
//! name the same place share one link instead of opening one each. A link lives as long as a
//! store holds it; the next store to name its place after that makes a new one.

use std::collections::HashMap;
use std::hash::Hash;
use std::sync::{Arc, LazyLock, Mutex, PoisonError, Weak};

/// The links open now, by place.
pub(crate) struct Links<K, L> {
    open: LazyLock<Mutex<HashMap<K, Weak<L>>>>,
}

impl<K: Eq + Hash, L> Links<K, L> {
    pub(crate) const fn new() -> Links<K, L> {
        Links { open: LazyLock::new(|| Mutex::new(HashMap::new())) }
    }

    /// The link to `place`: the one open already (`Ok(link, false)`), else the one `open` makes
    /// (`Ok(link, true)`). Stores opening on other threads meanwhile wait, so a place never gets
    /// two links.
    pub(crate) fn get_or_open<E>(
        &self,
        place: K,
        open: impl FnOnce() -> Result<L, E>,
    ) -> Result<(Arc<L>, bool), E> {
        // A holder that panicked left the map whole.
        let mut links = self.open.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(link) = links.get(&place).and_then(Weak::upgrade) {
            return Ok((link, false));
        }
        links.retain(|_, link| link.strong_count() > 0);
        let link = Arc::new(open()?);
        links.insert(place, Arc::downgrade(&link));
        Ok((link, true))
    }
}
