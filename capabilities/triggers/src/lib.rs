//! Flows that start themselves: the trigger capability of the Atomiton Conductor engine.
//!
//! A flow's entry node may be a trigger (`schedule` today; `webhook` and `file-watch` are
//! native-only and come with the protocol server and the file watcher). This crate holds what
//! every host shares:
//!
//! - [`schedule`]: when a schedule fires (a cron pattern in an IANA time zone, through
//!   `croner` and `jiff`, or a fixed interval), with the daylight-saving rule written down in
//!   [`schedule::CronSchedule`];
//! - [`misfire`]: what a schedule owes after its fires could not start on time (`skip`,
//!   `coalesce`, `all` with a cap);
//! - [`store`]: the [`TriggerStore`] contract (active triggers with their cursor, fire records
//!   keyed by (trigger, fire time), claims with a lease) that makes each fire start one run
//!   across processes, and [`MemoryTriggers`], the store in memory. The native addon's SQLite,
//!   Redis and PostgreSQL stores and the browser's IndexedDB store meet the same contract
//!   ([`contract::check_trigger_store`]).
//!
//! Instants are whole milliseconds since the Unix epoch in UTC: a fire's key is (trigger, fire
//! time), and no two fires of one trigger share an instant, whatever the wall clock did.

mod memory;
pub mod misfire;
pub mod schedule;
pub mod store;

#[doc(hidden)]
pub mod contract;

pub use memory::MemoryTriggers;
pub use misfire::{due, Due, Misfire, SkipReason, Skipped};
pub use schedule::{Schedule, ScheduleSpec};
pub use store::{Claim, FireClaim, FireRecord, FireStatus, TriggerId, TriggerRow, TriggerStore};
