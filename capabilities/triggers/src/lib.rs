//! Flows that start themselves: the trigger capability of the Atomiton Conductor engine.
//!
//! A flow's entry node may be a trigger: `schedule`, `webhook` (native only: the protocol server
//! answers it) or `file-watch` (native only: the trigger timer scans its folder). This crate holds
//! what every host shares:
//!
//! - [`schedule`]: when a schedule fires (a cron pattern in an IANA time zone, through
//!   `croner` and `jiff`, or a fixed interval), with the daylight-saving rule written down in
//!   [`schedule::CronSchedule`];
//! - [`misfire`]: what a schedule owes after its fires could not start on time (`skip`,
//!   `coalesce`, `all` with a cap);
//! - [`webhook`]: a hook's parameters, who may call it (a header secret, an HMAC signature with
//!   a timestamp, the server's login), and the run input a request becomes;
//! - [`file_watch`]: a watch's parameters, and a folder's files as a scan finds them;
//! - [`store`]: the [`TriggerStore`] contract (active triggers with their cursor, fire records
//!   keyed by (trigger, fire time), claims with a lease) that makes each fire start one run
//!   across processes, [`MemoryTriggers`], the store in memory, and [`KeyedTriggers`], the store
//!   over text kept by key (IndexedDB in a browser tab, files in the WebAssembly engine's Node
//!   fallback). The native addon's SQLite, Redis and PostgreSQL stores meet the same contract
//!   ([`contract::check_trigger_store`]).
//!
//! Instants are whole milliseconds since the Unix epoch in UTC: a fire's key is (trigger, fire
//! time), and no two fires of one trigger share an instant, whatever the wall clock did.

pub mod file_watch;
mod keyed;
mod memory;
pub mod misfire;
pub mod node;
pub mod schedule;
mod service;
pub mod store;
pub mod webhook;

#[doc(hidden)]
pub mod contract;

pub use keyed::KeyedTriggers;
pub use memory::MemoryTriggers;
pub use misfire::{due, Due, Misfire, SkipReason, Skipped};
pub use node::{file_watch_node, schedule_node, webhook_node, TriggerNode};
pub use schedule::{Schedule, ScheduleSpec};
pub use service::{HistoryRuns, RunProbe, RunSeen, TriggerService, LEASE_MS, TRIGGER_TYPES};
pub use store::{
    Claim, Delivery, FireClaim, FireRecord, FireStatus, TriggerId, TriggerRow, TriggerStore,
};

use atomiton_core::nodes::NodeRegistry;
use atomiton_core::session::SessionCapability;

/// The capability a binding lists among its sessions': its trigger node types (`schedule`,
/// `webhook`, `file-watch`)
/// replace the engine's, checked in full when a flow is validated. The session's
/// `triggers.*` calls need a [`TriggerService`] besides (`Session::with_triggers`), over the
/// store the session's placement names.
pub struct Triggers;

impl SessionCapability for Triggers {
    fn provide(&self, registry: &mut NodeRegistry) {
        registry.register(schedule_node());
        registry.register(webhook_node());
        registry.register(file_watch_node());
    }
}
