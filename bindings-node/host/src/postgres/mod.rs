//! PostgreSQL, for a fleet: the connection link (its settings, TLS, keepalives and request
//! deadlines), the tables' numbered migrations (`migrations/NNNN_*.sql`, applied in order under an
//! advisory lock when a store opens), and the stores kept there — the run history, the node
//! result cache, saved flows and triggers. The history writes on a store thread of its own
//! (`crate::store_thread`); the cache, flows and triggers of one database share one link
//! (`shared.rs`).

pub(crate) mod cache;
pub(crate) mod flows;
pub(crate) mod history;
pub(crate) mod link;
mod schema;
pub(crate) mod settings;
mod shared;
mod tls;
pub(crate) mod triggers;
