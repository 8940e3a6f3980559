//! Room outside memory for work that outgrows it: a sort of more rows than memory should hold
//! writes sorted runs of them here and merges them back. The host decides where (a directory
//! under the storage directory natively) and how much a sort may hold in memory first; files
//! are written and read synchronously, from the worker the sort runs on, and vanish when
//! dropped (or when the process ends, on hosts that can arrange it).

use crate::host::effects::EffectError;
use crate::host::{MaybeSend, MaybeSync};

/// Where spilled work goes.
pub trait SpillSpace: MaybeSend + MaybeSync {
    /// Bytes of rows a sort holds in memory (in the compact value form, with their sort keys)
    /// before it writes them out as a sorted run.
    fn memory_bytes(&self) -> usize;
    /// A new, empty file.
    fn create(&self) -> Result<Box<dyn SpillFile>, EffectError>;
}

/// One spilled file: written from its start to its end, then read back anywhere. Dropping it
/// removes it.
pub trait SpillFile: MaybeSend {
    /// Appends `bytes`.
    fn append(&mut self, bytes: &[u8]) -> Result<(), EffectError>;
    /// Reads into `buffer` from `offset`; how many bytes (0 at the end).
    fn read_at(&mut self, offset: u64, buffer: &mut [u8]) -> Result<usize, EffectError>;
}
