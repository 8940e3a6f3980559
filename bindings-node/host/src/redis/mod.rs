//! Redis, for queue mode: the connection link (its scripts loaded once, its requests bounded by a
//! deadline), and the stores kept there, shared by every worker and producer of a queue — the run
//! history, the node result cache, the saved flows and the triggers — each on a store thread of its own
//! (`crate::store_thread`).

pub(crate) mod cache;
pub(crate) mod flows;
pub(crate) mod history;
pub(crate) mod link;
pub(crate) mod triggers;
