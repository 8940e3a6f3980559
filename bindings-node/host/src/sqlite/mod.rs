//! SQLite, for one machine: the history database beside the flows (its tables, created or
//! checked when it opens), the run history kept in it and the node result cache's table, each
//! written by a store thread of its own (`crate::store_thread`).

pub(crate) mod cache;
pub(crate) mod history;
mod schema;
