//! A bound on requests in flight to one origin: a fan-out of many nodes to one API stays polite,
//! while requests to different origins do not wait for each other.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use tokio::sync::{OwnedSemaphorePermit, Semaphore};

/// Default requests in flight per origin (`http.maxRequestsPerHost`).
pub const DEFAULT_PER_HOST: usize = 64;
/// Origins remembered before idle ones are forgotten.
const REMEMBERED: usize = 1024;

/// One semaphore per origin.
#[derive(Debug)]
pub(crate) struct PerHost {
    limit: usize,
    origins: Mutex<HashMap<String, Arc<Semaphore>>>,
}

impl PerHost {
    pub fn new(limit: usize) -> Self {
        PerHost { limit: limit.max(1), origins: Mutex::new(HashMap::new()) }
    }

    /// A slot for a request to `origin`, once one is free.
    pub async fn acquire(&self, origin: &str) -> Option<OwnedSemaphorePermit> {
        let semaphore = {
            let mut origins = self.origins.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
            if origins.len() >= REMEMBERED && !origins.contains_key(origin) {
                // Forget origins nobody is waiting on or sending to.
                let limit = self.limit;
                origins.retain(|_, s| Arc::strong_count(s) > 1 || s.available_permits() < limit);
            }
            origins
                .entry(origin.to_owned())
                .or_insert_with(|| Arc::new(Semaphore::new(self.limit)))
                .clone()
        };
        semaphore.acquire_owned().await.ok()
    }
}
