//! Trigger stores on the native backends, each meeting `atomiton_triggers`' store contract:
//! SQLite (a file on one machine, shared by the processes that open it), PostgreSQL (a fleet's
//! database) and Redis (a queue's server).

pub use crate::postgres::triggers::PostgresTriggers;
pub use crate::redis::triggers::RedisTriggers;
pub use crate::sqlite::triggers::sqlite_triggers;
