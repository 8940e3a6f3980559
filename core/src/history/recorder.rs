//! One run's recorder: hands the store what happens as it happens. On the run's own thread it
//! mostly clones shared handles; capping, redaction and writing happen in the store. The one
//! exception: an output the store would cut is cut here, which costs its preview's writing, so
//! that the record does not hold the output while it waits in a store's queue.

use crate::nodes::SharedEmbedder;
use std::sync::{Arc, Mutex};

use futures::channel::oneshot;

use super::record::RunStatus;
use super::store::{HistoryWrite, NodeEnded, RunBegun, RunEnded, SharedHistory};
use crate::host::SharedHost;
use crate::nodes::NodeInput;
use crate::value::Value;

/// A run's recorder as its handles hold it (shared by the session and the run).
pub type SharedRecorder = std::sync::Arc<RunRecorder>;

/// Records one run into a store.
pub struct RunRecorder {
    store: SharedHistory,
    host: SharedHost,
    /// Writes out what the embedder keeps (a JS executor's output) before it is recorded.
    embedder: SharedEmbedder,
    execution_id: Arc<str>,
    /// Writes waiting for the embedder to write out values it keeps (a JS executor's output):
    /// the run's end is recorded after them.
    waiting: Mutex<Vec<oneshot::Receiver<()>>>,
}

impl RunRecorder {
    /// A recorder of run `execution_id`; call [`begin`](Self::begin) first.
    pub fn new(
        store: SharedHistory,
        host: SharedHost,
        embedder: SharedEmbedder,
        execution_id: Arc<str>,
    ) -> Arc<Self> {
        let waiting = Mutex::new(Vec::new());
        Arc::new(RunRecorder { store, host, embedder, execution_id, waiting })
    }

    /// The run's id.
    pub fn execution_id(&self) -> &Arc<str> {
        &self.execution_id
    }

    /// Records the run's beginning. Values the embedder keeps are recorded once written out
    /// (the record shows `null` until then).
    pub fn begin(&self, mut begun: RunBegun) {
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
        let input_js = node.input.as_ref().is_some_and(NodeInput::holds_js);
        let output_js = output_may_hold_js && node.output.as_ref().is_some_and(|o| o.holds_js());
        if !output_js {
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
        let (done, waiting) = oneshot::channel();
        self.host.spawn(Box::pin(async move {
            let written = request.await.unwrap_or_else(|_| vec![Value::Null; count]);
            store.write(make(written));
            let _ = done.send(());
        }));
        self.waiting.lock().unwrap_or_else(|p| p.into_inner()).push(waiting);
    }

    /// Records the run's end, after every write still waiting for values.
    pub async fn end(
        &self,
        status: RunStatus,
        end_time: f64,
        error: Option<crate::error::ExecutionError>,
    ) {
        let waiting = std::mem::take(&mut *self.waiting.lock().unwrap_or_else(|p| p.into_inner()));
        for wait in waiting {
            // A cancelled wait means the write was dropped; the end is recorded regardless.
            let _ = wait.await;
        }
        self.store.write(HistoryWrite::Ended(Box::new(RunEnded {
            execution_id: self.execution_id.clone(),
            status,
            end_time,
            error,
        })));
    }
}
