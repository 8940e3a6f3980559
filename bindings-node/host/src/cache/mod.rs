//! Where the native addon keeps the node result cache outside its memory: in the SQLite history
//! database ([`sqlite_cache_backend`]: the entries' texts, under a memory copy, see
//! `atomiton_cache::PersistedCache`), or, for queue mode, in Redis ([`RedisCache`]: shared
//! by every worker and producer of a queue, so a result one worker made is a hit on another), or,
//! for a fleet whose history is in PostgreSQL, there ([`PostgresCache`], shared the same way).

pub use crate::postgres::cache::PostgresCache;
pub use crate::redis::cache::RedisCache;
pub use crate::sqlite::cache::sqlite_cache_backend;
