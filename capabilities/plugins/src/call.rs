//! One call of a plugin's function, run a slice of fuel at a time: between slices the node's
//! cancellation and timeout are looked at (and, on a host without workers, the page gets its
//! turn), so an endless loop ends promptly however it loops.

use std::collections::HashMap;

use wasmi::{Engine, Linker, Module, Store, StoreLimitsBuilder, TypedFunc, TypedResumableCall};

use super::kernel::Kernel;
use super::{Failure, Limits, State};

/// Elements a table may hold at most.
const TABLE_ELEMENTS: usize = 100_000;

/// The imports every call of an engine's plugins gets (made once per plugin: they hold nothing of
/// a call's own).
pub(crate) fn linker(engine: &Engine) -> Result<Linker<State>, String> {
    let mut linker = Linker::<State>::new(engine);
    super::imports::define(&mut linker).map_err(|e| e.to_string())?;
    Ok(linker)
}

/// Where a call is.
enum Pending {
    /// Not started: the function to call.
    Start(TypedFunc<(), i32>),
    /// Stopped for fuel, to go on.
    Fuel(wasmi::TypedResumableCallOutOfFuel<i32>),
}

/// A call under way: the plugin's instance and where its function is.
pub(crate) struct Call {
    store: Store<State>,
    pending: Option<Pending>,
    /// Fuel given so far.
    spent: u64,
    limits: Limits,
}

/// What a slice of a call came to.
pub(crate) enum Step {
    /// The function returned: its output, or why it failed.
    Done(Result<Vec<u8>, Failure>),
    /// Its slice of fuel is used up; it goes on with the next.
    More,
}

impl Call {
    /// An instance of `module` (its start function run) about to call `function` on `input`,
    /// its imports from `linker` (see [`linker`]).
    pub(crate) fn new(
        engine: &Engine,
        linker: &Linker<State>,
        module: &Module,
        function: &str,
        input: Vec<u8>,
        config: HashMap<String, String>,
        limits: Limits,
    ) -> Result<Call, Failure> {
        let state = State {
            kernel: Kernel::new(input, config, limits.memory_bytes),
            limits: StoreLimitsBuilder::new()
                .memory_size(limits.memory_bytes)
                .instances(1)
                .memories(1)
                .tables(4)
                // A table's elements are host memory too: 4 tables of this many stay small.
                .table_elements(TABLE_ELEMENTS)
                .trap_on_grow_failure(true)
                .build(),
            refused: None,
            denied: None,
            owed: 0,
        };
        let mut store = Store::new(engine, state);
        store.limiter(|state| &mut state.limits);
        // A start function runs on fuel too: it is the plugin's code.
        let first = limits.slice.min(limits.fuel);
        store.set_fuel(first).map_err(|e| Failure::internal(e.to_string()))?;
        let instance = linker
            .instantiate_and_start(&mut store, module)
            .map_err(|e| Failure::of_trap(&store, &limits, &e, "could not be started"))?;
        let func = instance
            .get_typed_func::<(), i32>(&store, function)
            .map_err(|_| Failure::failed(format!("the plugin exports no function '{function}' taking nothing and returning an i32 (what an Extism PDK's plugin_fn exports)")))?;
        Ok(Call { store, pending: Some(Pending::Start(func)), spent: first, limits })
    }

    /// Runs the call for one more slice of fuel.
    pub(crate) fn step(&mut self) -> Step {
        let Some(pending) = self.pending.take() else {
            return Step::Done(Err(Failure::internal("the call already ended".to_owned())));
        };
        let ran = match pending {
            Pending::Start(func) => func.call_resumable(&mut self.store, ()),
            Pending::Fuel(stopped) => {
                // What host work cost beyond its slice is paid first.
                let owed = std::mem::take(&mut self.store.data_mut().owed);
                let left = self.limits.fuel.saturating_sub(self.spent.saturating_add(owed));
                let slice = self.limits.slice.min(left);
                self.spent = self.spent.saturating_add(owed).saturating_add(slice);
                if let Err(e) = self.store.set_fuel(slice) {
                    return Step::Done(Err(Failure::internal(e.to_string())));
                }
                stopped.resume(&mut self.store)
            }
        };
        match ran {
            Ok(TypedResumableCall::Finished(status)) => Step::Done(self.finished(status)),
            Ok(TypedResumableCall::OutOfFuel(stopped)) => {
                let owed = self.store.data().owed;
                if self.spent.saturating_add(owed) >= self.limits.fuel {
                    return Step::Done(Err(Failure::failed(format!(
                        "the plugin used its whole fuel ({} units) without returning",
                        self.limits.fuel
                    ))));
                }
                self.pending = Some(Pending::Fuel(stopped));
                Step::More
            }
            // No import traps to be resumed: each answers at once.
            Ok(TypedResumableCall::HostTrap(trap)) => Step::Done(Err(Failure::of_trap(
                &self.store,
                &self.limits,
                trap.host_error(),
                "trapped",
            ))),
            Err(error) => {
                Step::Done(Err(Failure::of_trap(&self.store, &self.limits, &error, "trapped")))
            }
        }
    }

    /// Lines the plugin logged, taken.
    pub(crate) fn take_logs(&mut self) -> Vec<(&'static str, String)> {
        std::mem::take(&mut self.store.data_mut().kernel.logs)
    }

    fn finished(&mut self, status: i32) -> Result<Vec<u8>, Failure> {
        let kernel = &self.store.data().kernel;
        if let Some(message) = kernel.error() {
            return Err(Failure::failed(message));
        }
        if status != 0 {
            return Err(Failure::failed(format!("the plugin's function returned {status}")));
        }
        Ok(kernel.output())
    }
}
