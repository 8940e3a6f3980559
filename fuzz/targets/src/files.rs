//! Running one node the way a flow would, with files held in memory: the fuzzed bytes are a
//! file the node reads (a workbook, an image).

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use atomiton_core::host::effects::{
    DirEntry, EffectError, EffectErrorKind, EffectResult, FileMetadata, FileSystem,
};
use atomiton_core::host::{BoxFuture, Capabilities, Host};
use atomiton_core::testing::VirtualHost;
use atomiton_core::{Engine, ExecutionResult, NodeDefinition, RunOptions};

/// A virtual-time host whose file system is a map of paths to bytes.
#[derive(Clone, Default)]
pub(crate) struct MemoryHost {
    inner: VirtualHost,
    files: MemoryFiles,
}

#[derive(Clone, Default)]
struct MemoryFiles(Arc<Mutex<HashMap<String, Vec<u8>>>>);

impl MemoryHost {
    /// A host holding one file.
    pub fn with_file(path: &str, bytes: &[u8]) -> Self {
        let host = MemoryHost::default();
        host.files
            .0
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .insert(path.to_owned(), bytes.to_vec());
        host
    }

    /// Runs `node` to its result.
    pub fn run(
        &self,
        node: NodeDefinition,
        input: Option<atomiton_core::Value>,
    ) -> ExecutionResult {
        let future = Engine::with_registry(
            atomiton_effects::registry(),
            atomiton_core::EngineConfig::default(),
        )
        .run(node, RunOptions { input, ..RunOptions::default() }, Arc::new(self.clone()));
        self.inner.block_on(future)
    }
}

fn ready<T: Send + 'static>(value: T) -> BoxFuture<'static, T> {
    Box::pin(std::future::ready(value))
}

impl FileSystem for MemoryFiles {
    fn stat(&self, path: &str) -> BoxFuture<'static, EffectResult<Option<FileMetadata>>> {
        let size = self
            .0
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .get(path)
            .map(|bytes| bytes.len() as u64);
        ready(Ok(size.map(|size| FileMetadata {
            is_file: true,
            is_dir: false,
            size,
            modified_ms: None,
        })))
    }

    fn read(&self, path: &str) -> BoxFuture<'static, EffectResult<Vec<u8>>> {
        let bytes = self.0.lock().unwrap_or_else(|p| p.into_inner()).get(path).cloned();
        ready(bytes.ok_or_else(|| {
            EffectError::new(EffectErrorKind::NotFound, format!("no file at {path}"))
        }))
    }

    fn read_at(
        &self,
        path: &str,
        offset: u64,
        len: usize,
    ) -> BoxFuture<'static, EffectResult<Vec<u8>>> {
        let files = self.0.lock().unwrap_or_else(|p| p.into_inner());
        let piece = files.get(path).map(|bytes| {
            let start = usize::try_from(offset).unwrap_or(usize::MAX).min(bytes.len());
            bytes[start..start.saturating_add(len).min(bytes.len())].to_vec()
        });
        ready(piece.ok_or_else(|| {
            EffectError::new(EffectErrorKind::NotFound, format!("no file at {path}"))
        }))
    }

    fn append(&self, path: &str, contents: Vec<u8>) -> BoxFuture<'static, EffectResult<()>> {
        let mut files = self.0.lock().unwrap_or_else(|p| p.into_inner());
        ready(match files.get_mut(path) {
            Some(bytes) => {
                bytes.extend_from_slice(&contents);
                Ok(())
            }
            None => Err(EffectError::new(EffectErrorKind::NotFound, format!("no file at {path}"))),
        })
    }

    fn write(
        &self,
        path: &str,
        contents: Vec<u8>,
        _create_parents: bool,
    ) -> BoxFuture<'static, EffectResult<()>> {
        self.0.lock().unwrap_or_else(|p| p.into_inner()).insert(path.to_owned(), contents);
        ready(Ok(()))
    }

    fn list(&self, _path: &str) -> BoxFuture<'static, EffectResult<Vec<DirEntry>>> {
        ready(Ok(Vec::new()))
    }

    fn create_dir(&self, _path: &str, _recursive: bool) -> BoxFuture<'static, EffectResult<()>> {
        ready(Ok(()))
    }

    fn remove(&self, _path: &str, _recursive: bool) -> BoxFuture<'static, EffectResult<()>> {
        ready(Ok(()))
    }

    fn copy(&self, _from: &str, _to: &str) -> BoxFuture<'static, EffectResult<()>> {
        ready(Err(EffectError::unsupported("copy")))
    }

    fn rename(&self, _from: &str, _to: &str) -> BoxFuture<'static, EffectResult<()>> {
        ready(Err(EffectError::unsupported("rename")))
    }

    fn write_new(
        &self,
        path: &str,
        contents: Vec<u8>,
        _create_parents: bool,
    ) -> BoxFuture<'static, EffectResult<()>> {
        let mut files = self.0.lock().unwrap_or_else(|p| p.into_inner());
        ready(match files.entry(path.to_owned()) {
            std::collections::hash_map::Entry::Occupied(_) => {
                Err(atomiton_core::host::effects::already_exists(path))
            }
            std::collections::hash_map::Entry::Vacant(slot) => {
                slot.insert(contents);
                Ok(())
            }
        })
    }

    fn rename_new(&self, _from: &str, _to: &str) -> BoxFuture<'static, EffectResult<()>> {
        ready(Err(EffectError::unsupported("rename")))
    }

    fn temp_dir(&self) -> String {
        "/tmp".to_owned()
    }
}

impl Host for MemoryHost {
    atomiton_core::forward_host_basics!(inner);

    fn capabilities(&self) -> Capabilities {
        Capabilities { file_system: true, images: true, ..Capabilities::NONE }
    }

    fn files(&self) -> Option<&dyn FileSystem> {
        Some(&self.files)
    }
}
