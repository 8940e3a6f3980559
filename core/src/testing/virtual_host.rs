//! `VirtualHost`: the `Host` implementation for deterministic tests.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use super::executor::{lock, Runtime};
use crate::host::{BoxFuture, Capabilities, Host, SharedHost};
use crate::nodes::{Embedder, Invocation, NodeResult};

/// A custom executor registered on the virtual host, standing in for a JS executor.
pub type CustomExecutor =
    Arc<dyn Fn(Invocation, VirtualHost) -> BoxFuture<'static, NodeResult> + Send + Sync>;

/// Deterministic host: virtual clock starting at a fixed epoch, seeded random numbers, a
/// single-threaded executor, and custom executors registered by type.
#[derive(Clone)]
pub struct VirtualHost {
    runtime: Arc<Runtime>,
    rng: Arc<Mutex<u64>>,
    custom: Arc<Mutex<HashMap<String, CustomExecutor>>>,
    capabilities: Capabilities,
    spill: Option<Arc<dyn crate::host::SpillSpace>>,
}

/// 2024-01-01T00:00:00Z: a realistic epoch so timestamps look like real ones.
const START: f64 = 1_704_067_200_000.0;

impl VirtualHost {
    pub fn new() -> Self {
        Self::with_seed(0x5eed_1234_abcd_ef01)
    }

    pub fn with_seed(seed: u64) -> Self {
        VirtualHost {
            runtime: Arc::new(Runtime::new(START)),
            rng: Arc::new(Mutex::new(seed.max(1))),
            custom: Arc::new(Mutex::new(HashMap::new())),
            capabilities: Capabilities::NONE,
            spill: None,
        }
    }

    /// Gives sorts room to spill (a [`super::MemorySpill`] with a small bound lets tests reach
    /// the external merge sort with little data).
    pub fn with_spill(mut self, spill: Arc<dyn crate::host::SpillSpace>) -> Self {
        self.spill = Some(spill);
        self
    }

    /// Declares what the host pretends to support.
    pub fn with_capabilities(mut self, capabilities: Capabilities) -> Self {
        self.capabilities = capabilities;
        self
    }

    /// Registers a custom executor for `node_type`.
    pub fn register<F>(&self, node_type: &str, executor: F)
    where
        F: Fn(Invocation, VirtualHost) -> BoxFuture<'static, NodeResult> + Send + Sync + 'static,
    {
        lock(&self.custom).insert(node_type.to_owned(), Arc::new(executor));
    }

    /// Registers a synchronous custom executor.
    pub fn register_sync<F>(&self, node_type: &str, executor: F)
    where
        F: Fn(&Invocation) -> NodeResult + Send + Sync + 'static,
    {
        self.register(node_type, move |invocation, _| {
            let result = executor(&invocation);
            Box::pin(async move { result })
        });
    }

    /// This host as a `SharedHost`.
    pub fn shared(&self) -> SharedHost {
        Arc::new(self.clone())
    }

    /// Milliseconds elapsed on the virtual clock since the host was created.
    pub fn elapsed(&self) -> f64 {
        self.runtime.now() - START
    }

    /// Runs `future` (and everything it spawns) to completion in virtual time.
    pub fn block_on<T: Send + 'static>(
        &self,
        future: impl std::future::Future<Output = T> + Send + 'static,
    ) -> T {
        let slot: Arc<Mutex<Option<T>>> = Arc::new(Mutex::new(None));
        let out = slot.clone();
        self.runtime.spawn(Box::pin(async move {
            let value = future.await;
            *lock(&out) = Some(value);
        }));
        self.runtime.run_until(|| lock(&slot).take())
    }
}

impl Default for VirtualHost {
    fn default() -> Self {
        Self::new()
    }
}

impl Host for VirtualHost {
    fn now(&self) -> f64 {
        self.runtime.now()
    }

    fn sleep(&self, ms: f64) -> BoxFuture<'static, ()> {
        Box::pin(self.runtime.sleep(ms))
    }

    fn random(&self) -> f64 {
        // xorshift64*: deterministic and good enough for jitter and picks.
        let mut state = lock(&self.rng);
        let mut x = *state;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        *state = x;
        (x.wrapping_mul(0x2545_f491_4f6c_dd1d) >> 11) as f64 / (1u64 << 53) as f64
    }

    fn spawn(&self, task: BoxFuture<'static, ()>) {
        self.runtime.spawn(task);
    }

    #[cfg(not(target_arch = "wasm32"))]
    fn spill(&self) -> Option<Arc<dyn crate::host::SpillSpace>> {
        self.spill.clone()
    }

    fn capabilities(&self) -> Capabilities {
        self.capabilities
    }
}

/// Custom node types are the executors registered on the host (what JS executors are to the
/// bindings).
impl Embedder for VirtualHost {
    fn execute(&self, invocation: Invocation) -> BoxFuture<'static, NodeResult> {
        let executor = lock(&self.custom).get(&*invocation.node_type).cloned();
        match executor {
            Some(executor) => executor(invocation, self.clone()),
            None => {
                let message =
                    format!("No implementation found for node type: {}", invocation.node_type);
                Box::pin(async move {
                    Err(crate::ExecutionError::new(crate::ErrorCode::NODE_TYPE_NOT_FOUND, message))
                })
            }
        }
    }
}
