//! A spill space whose files are in memory, for tests of work that spills (a sort of more rows
//! than its bound): the same calls as a host's files, counted.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use crate::host::effects::EffectError;
use crate::host::{SpillFile, SpillSpace};

/// Spilled "files" as byte vectors; `created` counts them.
pub struct MemorySpill {
    memory_bytes: usize,
    pub created: Arc<AtomicUsize>,
}

impl MemorySpill {
    pub fn new(memory_bytes: usize) -> Self {
        MemorySpill { memory_bytes, created: Arc::new(AtomicUsize::new(0)) }
    }
}

impl SpillSpace for MemorySpill {
    fn memory_bytes(&self) -> usize {
        self.memory_bytes
    }

    fn create(&self) -> Result<Box<dyn SpillFile>, EffectError> {
        self.created.fetch_add(1, Ordering::Relaxed);
        Ok(Box::new(MemoryFile(Vec::new())))
    }
}

struct MemoryFile(Vec<u8>);

impl SpillFile for MemoryFile {
    fn append(&mut self, bytes: &[u8]) -> Result<(), EffectError> {
        self.0.extend_from_slice(bytes);
        Ok(())
    }

    fn read_at(&mut self, offset: u64, buffer: &mut [u8]) -> Result<usize, EffectError> {
        let start = usize::try_from(offset).unwrap_or(usize::MAX).min(self.0.len());
        let n = buffer.len().min(self.0.len() - start);
        buffer[..n].copy_from_slice(&self.0[start..start + n]);
        Ok(n)
    }
}
