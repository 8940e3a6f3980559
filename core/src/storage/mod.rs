//! Flow storage (the conductor's `storage` namespace): the logic — id validation,
//! metadata, YAML serialisation, listing with sorting and paging — over a small backend that
//! stores text by key (one file per flow natively, IndexedDB in the browser, memory in tests).

mod backend;
mod id;
mod list;
mod store;

pub use backend::{MemoryBackend, StorageBackend};
pub use id::{validate_flow_id, validate_name};
pub use list::{FlowListItem, FlowListPage, ListOptions, SortBy, SortOrder};
pub use store::{FlowSaved, FlowStore};
