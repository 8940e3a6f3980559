//! # atomiton-native-host
//!
//! The native implementation of [`atomiton_core::host::Host`]: everything the engine needs from
//! its environment, on tokio. The Node.js addon builds one [`NativeHost`] on its runtime and
//! hands it to `Engine::run`; Rust programs that embed the engine can do the same, with the
//! executors of the node types that need files and processes from `atomiton-effects`
//! (`Engine::with_registry(atomiton_effects::registry(), config)`).
//!
//! What it provides, one module each:
//! - [`host`]: clock, timers, random numbers, task spawning and pluggable custom executors;
//! - [`http`]: HTTP with reqwest (HTTP/1.1, rustls with the ring provider);
//! - [`files`]: the file system with `std::fs` on tokio's blocking pool, writes atomic;
//! - [`process`]: child processes with `tokio::process`, no shell, output capped;
//! - [`history`]: execution history in SQLite (or, for queue mode, Redis), written on a thread
//!   of its own;
//! - [`cache`]: the node result cache beside it (SQLite, Redis);
//! - [`triggers`]: the stores of schedules' fires (SQLite), where a unique key per fire makes
//!   each start one run across the processes sharing the store;
//! - file roots and HTTP hosts of a run's permissions, checked at each effect (`Host::confine`).
//!
//! Every effect runs as a task on the host's runtime, so its futures can be awaited from any
//! executor, and dropping one (a node timed out, a run was cancelled) aborts the work: requests
//! are dropped and child processes killed.

#![warn(missing_docs)]

pub mod cache;
pub mod credentials_key;
pub mod database;
pub mod files;
pub mod folder_watcher;
pub mod history;
pub mod host;
pub mod http;
pub mod mail;
pub mod process;
pub mod python;
mod restricted;
pub mod spill;
pub mod storage;
pub mod triggers;
pub mod workers;

mod deadline;
mod duration;
mod links;
mod postgres;
mod redis;
mod sqlite;
mod store_thread;
mod task;

pub use files::{write_atomic, NativeFiles};
pub use history::{PostgresHistory, RedisHistory, SqliteHistory};
pub use host::NativeHost;
pub use http::NativeHttp;
pub use mail::NativeMail;
pub use process::{NativeProcesses, ProcessLimits};
pub use python::NativePython;
pub use spill::NativeSpill;
pub use storage::{FileStorage, PostgresStorage, RedisStorage};
pub use workers::{PoolStats, WorkerPool};
