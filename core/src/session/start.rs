//! Starting a run: its options read and the run registered on the calling thread, its flow read
//! there or on a worker, and the future that runs it with the handles only a session has.

use std::panic::AssertUnwindSafe;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use futures::FutureExt;

use super::events::MailboxSink;
use super::mailbox::lock;
use super::output;
use super::recording::SessionRecording;
use super::wire::RunOutput;
use super::SessionRecorder;
use super::{debugger, guarded, RunHandle, RunPlacement, Session};
use crate::engine::{ExecutionResult, RunHandles, RunOptions};
use crate::error::{panic_message, ExecutionError};
use crate::format::{
    parse_definition_json, parse_definition_json_measured, parse_shallow_definition_json,
    SHALLOW_JSON_DEPTH,
};
use crate::host::{BoxFuture, EventSink};
use crate::model::NodeDefinition;
use crate::value::codec;

impl Session {
    /// Starts a flow (codec text) as run `run_id` (chosen by the embedder), with its options
    /// (codec text) and the binary data both texts' tags refer to. The result arrives through
    /// [`take_completed`](Self::take_completed), often before this returns. A run never fails to
    /// report: every failure, a panic included, is a result with `success: false`.
    pub fn start_run(
        self: &Arc<Self>,
        run_id: u32,
        flow_json: String,
        options_json: String,
        buffers: Vec<Arc<[u8]>>,
    ) -> RunPlacement {
        // The history keeps the flow's text as it ran (hashed and stored off this thread).
        let flow_json: Arc<str> = Arc::from(flow_json);
        let limits = &self.engine.config().parse_limits;
        // On this thread unless the document is large, or nested deeper than serde_json recurses
        // (its values are only safe to drop on a worker's large stack): then on a worker.
        // Its size counts the binary data beside the text: arrays of numbers and tables of
        // records are the bulk of a data-heavy flow, and reading them is work too.
        let size = flow_json.len() + buffers.iter().map(|b| b.len()).sum::<usize>();
        // wasm32 has one thread: every run is driven where it starts (and the code that places
        // runs on workers is left out of the module).
        #[cfg(target_arch = "wasm32")]
        let worker_threshold: Option<usize> = None;
        #[cfg(not(target_arch = "wasm32"))]
        let worker_threshold = self.worker_threshold;
        // The options first, on this thread: they are small (JS hands large inputs over as
        // handles), and the run's id in them lets a cancel reach the run while its flow is read.
        // A flow over the size limit is refused before anything reads it (or registers it).
        let registered = self
            .engine
            .config()
            .flow_limits
            .check_bytes(size)
            .and_then(|()| codec::decode(buffers.clone(), || RunOptions::from_json(&options_json)))
            .map(|mut options| {
                let id = options.execution_id(|| self.host.random()).to_owned();
                let run = self.register(&id);
                (options, id, run)
            });
        let (options, execution_id, run) = match registered {
            Ok(registered) => registered,
            Err(error) => {
                let failed = Box::pin(async move {
                    RunOutput::from_result(ExecutionResult::failed(error), None)
                });
                self.driver.start(run_id, failed);
                return RunPlacement::Driven;
            }
        };
        let calls_embedder = !options.custom_types.is_empty();
        let registered = run.is_some();
        let parsed = codec::decode(buffers.clone(), || match worker_threshold {
            Some(bytes) if size > bytes => None,
            None => Some(guarded("parse", || parse_definition_json(&flow_json, limits))),
            Some(_) if limits.max_depth < SHALLOW_JSON_DEPTH => {
                Some(guarded("parse", || parse_definition_json(&flow_json, limits)))
            }
            Some(_) => guarded("parse", || Ok(parse_shallow_definition_json(&flow_json)))
                .unwrap_or_else(|panic| Some(Err(panic))),
        });
        let on_this_thread = parsed.is_some();
        // The history keeps the flow with the binary data its text refers to (the run's options
        // number theirs after the flow's, so all of them).
        let flow_buffers = SessionRecorder::keep_buffers(&buffers);
        // Set on a worker once the run is read: whether the embedder's thread drives it on.
        let hand_over = Arc::new(AtomicBool::new(false));
        let handing_over = hand_over.clone();
        let handing_over_output = hand_over.clone();
        let session = self.clone();
        let slice_arrays_of = self.slice_arrays_of;
        let host = self.host.clone();
        let future: BoxFuture<'static, RunOutput> = Box::pin(async move {
            let flow = match parsed {
                Some(flow) => flow,
                None => {
                    let parse = || {
                        let (flow, shallow) = parse_definition_json_measured(
                            &flow_json,
                            &session.engine.config().parse_limits,
                        );
                        // A run that calls the embedder's executors moves to the embedder's
                        // thread, unless its values may only be dropped on a worker's stack.
                        if shallow && calls_embedder {
                            handing_over.store(true, Ordering::Release);
                        }
                        flow
                    };
                    // On a worker, a flow's tables of records are read several at once.
                    codec::decode_with_workers(&session.host, buffers, parse)
                }
            };
            // What a history keeps of the flow (nothing, in builds without one).
            let flow_text = SessionRecorder::flow_text(flow_json, flow_buffers);
            let outcome =
                AssertUnwindSafe(session.clone().run(flow, options, &execution_id, run, flow_text))
                    .catch_unwind()
                    .await;
            if registered {
                lock(&session.runs).remove(&execution_id);
            }
            let result = outcome.unwrap_or_else(|panic| {
                ExecutionResult::failed(ExecutionError::internal(format!(
                    "The engine panicked: {}",
                    panic_message(&*panic)
                )))
            });
            let on_worker = !on_this_thread && !handing_over_output.load(Ordering::Acquire);
            output::write_output(&host, result, slice_arrays_of, on_worker).await
        });
        #[cfg(not(target_arch = "wasm32"))]
        if !on_this_thread {
            return RunPlacement::Worker(self.driver.on_worker(run_id, future, hand_over));
        }
        #[cfg(target_arch = "wasm32")]
        let () = drop(hand_over);
        self.driver.start(run_id, future);
        RunPlacement::Driven
    }

    /// Registers run `execution_id`, so that `cancel` and `controlRun` find it from now on;
    /// `None` when a run with that id is going on (this one is then refused: cancel, pause and
    /// its events would reach both).
    fn register(&self, execution_id: &str) -> Option<RunHandle> {
        match lock(&self.runs).entry(execution_id.to_owned()) {
            std::collections::hash_map::Entry::Occupied(_) => None,
            std::collections::hash_map::Entry::Vacant(slot) => {
                let handle = RunHandle { control: debugger::new_control(), ..RunHandle::default() };
                Some(slot.insert(handle).clone())
            }
        }
    }

    /// Runs the flow with the handles only a session has: cancellation, events, control, the
    /// live view and the history (the only place a run's handles are made).
    async fn run(
        self: Arc<Self>,
        flow: Result<NodeDefinition, ExecutionError>,
        options: RunOptions,
        execution_id: &str,
        run: Option<RunHandle>,
        flow_text: <SessionRecorder as SessionRecording>::Flow,
    ) -> ExecutionResult {
        let flow = match flow {
            Ok(flow) => flow,
            Err(error) => return ExecutionResult::failed(error),
        };
        let Some(run) = run else {
            return ExecutionResult::failed(
                ExecutionError::validation("An execution with this id is already running")
                    .located(flow.id_str(), execution_id),
            );
        };
        let mut options = options;
        // Where the run starts: from scratch, reusing a retried run's outputs, or from the
        // checkpoints of the interrupted run it resumes.
        let start = SessionRecorder::starting_point(
            self.history.as_ref(),
            (&self.engine, &self.host),
            &flow,
            execution_id,
            &mut options,
        )
        .await;
        let start = match start {
            Ok(start) => start,
            Err(error) => {
                return ExecutionResult::failed(error.located(flow.id_str(), execution_id))
            }
        };
        let resuming = start.recorded.is_some();
        let suspension = run.suspension.clone();
        let recorder = match &self.history {
            Some(history) if options.history != Some(false) || resuming => Some(history.begin(
                &self.host,
                &self.embedder,
                (execution_id, flow.id_str()),
                flow_text,
                &options,
                (start.recorded, &suspension),
            )),
            _ => None,
        };
        let handles = RunHandles {
            cancel: Some(run.cancel),
            embedder: self.embedder.clone(),
            event_sink: options
                .listening
                .then(|| Arc::new(MailboxSink(self.events.clone())) as Arc<dyn EventSink>),
            view: self.watch(execution_id),
            // Without the debugger nothing pauses a run: the engine refuses breakpoints.
            control: run.control,
            recorder: recorder.clone(),
            reuse: start.reuse,
            cache: self.cache.clone(),
            flows: Some(Arc::new(super::flows::SessionFlows {
                store: self.store.clone(),
                bundled: self.engine.bundled_flows().cloned(),
            })),
        };
        let result = self.engine.run_with(flow, options, handles, self.host.clone()).await;
        if let (Some(history), Some(recorder)) = (&self.history, &recorder) {
            history.end(&self.host, recorder, &result, &suspension).await;
        }
        result
    }
}
