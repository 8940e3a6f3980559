//! One run's recorder: hands the store what happens as it happens. On the run's own thread it
//! mostly clones shared handles; capping, redaction and writing happen in the store. The one
//! exception: an output the store would cut is cut here, which costs its preview's writing, so
//! that the record does not hold the output while it waits in a store's queue.
//!
//! A value the embedder keeps (a JS executor's output, a run input handed over as a handle) is
//! recorded once the embedder has written it out. Those writes are futures of the run's own: the
//! scheduler polls them with the run ([`RunRecorder::poll_writes`]), and they are awaited before
//! its end is recorded, on the thread that drives the run. Spawned as tasks of their own, each one cost a
//! run a trip to another thread and back through the JS event loop (~55 µs: a 10-node chain of
//! `transform`s given its input as a handle took 107 µs recorded, 52 µs not).

use crate::nodes::SharedEmbedder;
use std::collections::HashSet;
use std::sync::{Arc, Mutex};

use futures::future::{FutureExt, Shared};

use super::durable::NodeStarted;
use super::record::RunStatus;
use super::store::{HistoryWrite, NodeEnded, RunBegun, RunEnded, SharedHistory};
use crate::host::BoxFuture;
use crate::nodes::NodeInput;
use crate::value::Value;

/// A run's recorder as its handles hold it (shared by the session and the run).
pub type SharedRecorder = std::sync::Arc<RunRecorder>;

/// Records one run into a store.
pub struct RunRecorder {
    store: SharedHistory,
    /// Writes out what the embedder keeps (a JS executor's output) before it is recorded.
    embedder: SharedEmbedder,
    execution_id: Arc<str>,
    /// Writes waiting for the embedder to write out values it keeps (a JS executor's output):
    /// polled as the run goes, awaited before its end (and before a durable run's next start).
    waiting: Mutex<Vec<Shared<BoxFuture<'static, ()>>>>,
    /// The run is durable: node ends carry their checkpoints, nodes with effects wait for their
    /// start to be stored (see [`super::durable`]).
    durable: bool,
    /// A resumed run: the nodes whose end its record already holds (not recorded again), and
    /// its beginning is not recorded again either.
    recorded: Option<HashSet<String>>,
    /// Cancelled when the durable run is suspended: it starts no more nodes (see `suspending`).
    suspension: Option<crate::host::CancelToken>,
    /// The run's permissions, when it has some: a run that parks at a wait keeps them with it
    /// (see `history::wait`).
    permissions: Option<crate::host::RunPermissions>,
    /// Who started the run (its `caller` option), kept with its permissions.
    caller: Option<Arc<str>>,
}

impl RunRecorder {
    /// A recorder of run `execution_id`; call [`begin`](Self::begin) first.
    pub fn new(
        store: SharedHistory,
        embedder: SharedEmbedder,
        execution_id: Arc<str>,
    ) -> Arc<Self> {
        Self::made(store, embedder, execution_id, (false, None))
    }

    /// A recorder of a durable run (`recorded`: a resumed run's nodes already recorded), which
    /// `suspension`, once cancelled, stops at its next node boundary.
    pub fn durable(
        store: SharedHistory,
        embedder: SharedEmbedder,
        execution_id: Arc<str>,
        recorded: Option<HashSet<String>>,
        suspension: crate::host::CancelToken,
    ) -> Arc<Self> {
        let mut made = Self::made(store, embedder, execution_id, (true, recorded));
        if let Some(recorder) = Arc::get_mut(&mut made) {
            recorder.suspension = Some(suspension);
        }
        made
    }

    fn made(
        store: SharedHistory,
        embedder: SharedEmbedder,
        execution_id: Arc<str>,
        (durable, recorded): (bool, Option<HashSet<String>>),
    ) -> Arc<Self> {
        let waiting = Mutex::new(Vec::new());
        let suspension = None;
        Arc::new(RunRecorder {
            store,
            embedder,
            execution_id,
            waiting,
            durable,
            recorded,
            suspension,
            permissions: None,
            caller: None,
        })
    }

    /// Keeps the run's permissions and who started it (before the recorder is shared).
    pub fn with_permissions(
        mut recorder: Arc<Self>,
        permissions: Option<crate::host::RunPermissions>,
        caller: Option<&str>,
    ) -> Arc<Self> {
        if let Some(made) = Arc::get_mut(&mut recorder) {
            made.permissions = permissions;
            made.caller = caller.map(Arc::from);
        }
        recorder
    }

    /// The run's permissions, when it has some.
    pub fn permissions(&self) -> Option<&crate::host::RunPermissions> {
        self.permissions.as_ref()
    }

    /// Who started the run, when its options said.
    pub fn caller(&self) -> Option<&str> {
        self.caller.as_deref()
    }

    /// Whether the run was suspended: it starts no more nodes, and ends (interrupted, to be
    /// resumed) once those running have ended.
    pub fn suspending(&self) -> bool {
        self.suspension.as_ref().is_some_and(crate::host::CancelToken::is_cancelled)
    }

    /// Makes the writes whose values have come, and has the others wake the run (`cx` is its):
    /// the run's own future polls them as it goes (see the module's documentation).
    pub fn poll_writes(&self, cx: &mut std::task::Context<'_>) {
        let mut waiting = self.waiting.lock().unwrap_or_else(|p| p.into_inner());
        waiting.retain_mut(|write| write.poll_unpin(cx).is_pending());
    }

    /// The writes still waiting, once those whose values have come are made (polled where the
    /// run is: a write not ready yet is polled again later, or awaited).
    fn pending_writes(&self) -> Vec<Shared<BoxFuture<'static, ()>>> {
        let mut waiting = self.waiting.lock().unwrap_or_else(|p| p.into_inner());
        waiting.retain(|write| write.clone().now_or_never().is_none());
        waiting.clone()
    }

    /// The run's id.
    pub fn execution_id(&self) -> &Arc<str> {
        &self.execution_id
    }

    /// Whether the run is durable.
    pub fn is_durable(&self) -> bool {
        self.durable
    }

    /// Records that node `node_id` (of `node_type`, which has effects) starts: at once (`None`),
    /// or, when outputs it may have been given are still being written out by the embedder, in
    /// the future returned, after them (and, for a store on a server, once the server has it:
    /// `HistoryStore::stored`). The node may be called once this is done: a process that dies
    /// while it runs leaves a record saying it may have had its effect.
    pub fn starting(
        &self,
        node_id: Arc<str>,
        node_type: Arc<str>,
        idempotent: bool,
    ) -> Option<crate::host::BoxFuture<'static, ()>> {
        let execution_id = self.execution_id.clone();
        let started = HistoryWrite::Started(Box::new(NodeStarted {
            execution_id,
            node_id,
            node_type,
            idempotent,
        }));
        let waiting = self.pending_writes();
        if waiting.is_empty() {
            self.store.write(started);
            return self.store.stored();
        }
        let store = self.store.clone();
        Some(Box::pin(async move {
            futures::future::join_all(waiting).await;
            store.write(started);
            if let Some(stored) = store.stored() {
                stored.await;
            }
        }))
    }

    /// Records the run's beginning. Values the embedder keeps are recorded once written out
    /// (the record shows `null` until then).
    pub fn begin(&self, mut begun: RunBegun) {
        if self.recorded.is_some() {
            // Resumed: the store has its beginning (and its whole input) already.
            return;
        }
        begun.summary.durable = self.durable;
        let held = (begun.input.holds_js(), begun.variables.holds_js());
        if held == (false, false) {
            self.store.write(HistoryWrite::Begun(Box::new(begun)));
            return;
        }
        let (input, variables) = (begun.input.clone(), begun.variables.clone());
        if held.0 {
            begun.input = NodeInput::empty();
        }
        if held.1 {
            begun.variables = Arc::new(Value::Null);
        }
        let template = begun.clone();
        begun.values_pending = true;
        self.store.write(HistoryWrite::Begun(Box::new(begun)));
        let mut values: Vec<Arc<Value>> = input.entries().iter().map(|(_, v)| v.clone()).collect();
        values.push(variables);
        self.after_materialized(values, move |mut written| {
            let variables = written.pop().map(Arc::new).unwrap_or_default();
            let input = input.with_values(written);
            HistoryWrite::Begun(Box::new(RunBegun { input, variables, ..template }))
        });
    }

    /// Records a node's end. `output_may_hold_js`: whether the output may hold values the
    /// embedder keeps (a JS executor's, or one passed through from such an input); a built-in's
    /// never does, and its output (10,000 records, say) is then not walked to find out.
    pub fn node(&self, mut node: NodeEnded, output_may_hold_js: bool) {
        if self.recorded.as_ref().is_some_and(|done| done.contains(&*node.node_id)) {
            return;
        }
        node.checkpoint = self.durable;
        let input_js = node.input.as_ref().is_some_and(NodeInput::holds_js);
        let output_js = output_may_hold_js && node.output.as_ref().is_some_and(|o| o.holds_js());
        if !output_js && !self.durable {
            // An output the store would cut is cut here, at the cost of its preview: the record
            // then lets go of the output before it waits in a store's queue (see
            // `NodeEnded::output_captured`).
            if let Some(marker) = self
                .store
                .capture()
                .zip(node.output.as_deref())
                .and_then(|(capture, output)| capture.marker_for(output))
            {
                node.output_captured = Some(marker);
                node.output = None;
            }
        }
        if !input_js && !output_js {
            self.store.write(HistoryWrite::Node(Box::new(node)));
            return;
        }
        let input = node.input.take();
        let output = node.output.take();
        let mut values: Vec<Arc<Value>> =
            input.iter().flat_map(|i| i.entries().iter().map(|(_, v)| v.clone())).collect();
        values.extend(output.clone());
        self.after_materialized(values, move |mut written| {
            if output.is_some() {
                node.output = written.pop().map(Arc::new);
            }
            node.input = input.map(|i| i.with_values(written));
            HistoryWrite::Node(Box::new(node))
        });
    }

    /// Asks the host for `values` written out, then writes what `make` builds of them (values it
    /// could not get are recorded as `null`).
    fn after_materialized(
        &self,
        values: Vec<Arc<Value>>,
        make: impl FnOnce(Vec<Value>) -> HistoryWrite + crate::host::MaybeSend + 'static,
    ) {
        let count = values.len();
        let request = self.embedder.materialize(&self.execution_id, values);
        let store = self.store.clone();
        let write: BoxFuture<'static, ()> = Box::pin(async move {
            let written = request.await.unwrap_or_else(|_| vec![Value::Null; count]);
            store.write(make(written));
        });
        self.waiting.lock().unwrap_or_else(|p| p.into_inner()).push(write.shared());
    }

    /// Records the run's end, after every write still waiting for values.
    pub async fn end(
        &self,
        status: RunStatus,
        end_time: f64,
        error: Option<crate::error::ExecutionError>,
    ) {
        let waiting = std::mem::take(&mut *self.waiting.lock().unwrap_or_else(|p| p.into_inner()));
        futures::future::join_all(waiting).await;
        self.store.write(HistoryWrite::Ended(Box::new(RunEnded {
            execution_id: self.execution_id.clone(),
            status,
            end_time,
            error,
        })));
    }
}
