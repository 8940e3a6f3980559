//! [`NativeSpill`]: the room a sort of more rows than memory should hold writes its sorted runs
//! to (see `atomiton_core::host::SpillSpace`): files in a directory of the conductor's (under its
//! storage directory). On Unix a file is unlinked as soon as it is open, so nothing is left
//! behind whatever happens to the process; elsewhere it is removed when the sort lets go of it.

use std::fs::{File, OpenOptions};
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};

use atomiton_core::host::effects::{EffectError, EffectErrorKind};
use atomiton_core::host::{SpillFile, SpillSpace};

/// What a sort holds in memory before it writes a run, unless the conductor says otherwise.
pub const DEFAULT_SORT_MEMORY_BYTES: usize = 128 << 20;

/// Spilled runs in `dir`.
pub struct NativeSpill {
    dir: PathBuf,
    memory_bytes: usize,
}

impl NativeSpill {
    /// Runs in `dir` (made when first needed), each sort holding `memory_bytes` of rows first.
    pub fn new(dir: PathBuf, memory_bytes: usize) -> NativeSpill {
        NativeSpill { dir, memory_bytes: memory_bytes.max(1) }
    }
}

fn io_error(what: &str, error: std::io::Error) -> EffectError {
    EffectError::new(EffectErrorKind::Other, format!("{what}: {error}"))
}

impl SpillSpace for NativeSpill {
    fn memory_bytes(&self) -> usize {
        self.memory_bytes
    }

    fn create(&self) -> Result<Box<dyn SpillFile>, EffectError> {
        static NEXT: AtomicU64 = AtomicU64::new(0);
        let shown = self.dir.display().to_string();
        std::fs::create_dir_all(&self.dir).map_err(|e| io_error(&shown, e))?;
        let name = format!(
            "sort-{}-{}-{:08x}.run",
            std::process::id(),
            NEXT.fetch_add(1, Ordering::Relaxed),
            fastrand::u32(..)
        );
        let path = self.dir.join(name);
        let file = OpenOptions::new()
            .read(true)
            .write(true)
            .create_new(true)
            .open(&path)
            .map_err(|e| io_error(&path.display().to_string(), e))?;
        // Unlinked while open: the data stays reachable through `file` alone, and goes with it.
        let path = match cfg!(unix) && std::fs::remove_file(&path).is_ok() {
            true => None,
            false => Some(path),
        };
        Ok(Box::new(NativeSpillFile { file, path }))
    }
}

struct NativeSpillFile {
    file: File,
    /// The name to remove when done (where it could not be unlinked at once).
    path: Option<PathBuf>,
}

impl SpillFile for NativeSpillFile {
    fn append(&mut self, bytes: &[u8]) -> Result<(), EffectError> {
        self.file.seek(SeekFrom::End(0)).map_err(|e| io_error("a sort's run", e))?;
        self.file.write_all(bytes).map_err(|e| io_error("a sort's run", e))
    }

    fn read_at(&mut self, offset: u64, buffer: &mut [u8]) -> Result<usize, EffectError> {
        self.file.seek(SeekFrom::Start(offset)).map_err(|e| io_error("a sort's run", e))?;
        let mut filled = 0;
        while filled < buffer.len() {
            match self.file.read(&mut buffer[filled..]) {
                Ok(0) => break,
                Ok(n) => filled += n,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                Err(e) => return Err(io_error("a sort's run", e)),
            }
        }
        Ok(filled)
    }
}

impl Drop for NativeSpillFile {
    fn drop(&mut self) {
        if let Some(path) = self.path.take() {
            let _ = std::fs::remove_file(path);
        }
    }
}
