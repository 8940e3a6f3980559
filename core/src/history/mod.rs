//! Execution history: every run recorded as it goes (status, the flow as it ran, input,
//! variables, and per node state, attempts, input, output, error and timings), kept in a
//! [`HistoryStore`], listed and read back, and retried with the outputs of the nodes that
//! already succeeded.
//!
//! The core has the model, the store trait, a memory store, a memory store mirrored into any
//! text-by-key storage ([`BackedHistory`]: IndexedDB in browsers, files for the WebAssembly engine
//! in Node) and the recorder; the native host brings SQLite.

mod backed;
mod capture;
mod config;
mod durable;
mod id;
mod memory;
mod packed;
mod record;
mod recorder;
mod replay;
mod retry;
mod store;
pub mod wait;

pub use backed::BackedHistory;
pub use capture::{Capture, Captured, REDACTED, TRUNCATED_KEY};
pub use config::{ExecutionHistory, HistoryConfig, HistorySetting, Retention};
pub use durable::{
    checkpoint_entry, checkpoint_text, checksum, read_checkpoint_entry, read_started_entry,
    started_entry, verified, Checkpoints, DurabilityConfig, InFlight, NodeStarted, ResumePolicy,
    ResumeRequest, Resumed,
};
pub use id::validate_execution_id;
pub use memory::MemoryHistory;
pub use record::{NodeRecord, RunRecord, RunStatus, RunSummary};
pub use recorder::{RunRecorder, SharedRecorder};
pub use replay::{differences, replay_reuse, Differences, OutputDifference, ReplayRequest};
pub(crate) use retry::unknown_node;
pub use retry::{RetryFrom, RetryRequest, Reuse};
pub use store::{
    end_record, node_record, order_nodes, pruned_ids, run_record, ExecutionPage, HistoryStore,
    HistoryWrite, ListQuery, NodeEnded, OwnerAlive, Prune, RunBegun, RunCounts, RunEnded,
    SharedHistory,
};
pub use wait::{WaitKind, Waiting, Wake};

/// FNV-1a 64 of a flow's text, in hex: the record's `flowHash`.
pub fn flow_hash(text: &str, buffers: &[std::sync::Arc<[u8]>]) -> String {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for byte in text.bytes().chain(buffers.iter().flat_map(|b| b.iter().copied())) {
        hash ^= u64::from(byte);
        hash = hash.wrapping_mul(0x0100_0000_01b3);
    }
    format!("{hash:016x}")
}
