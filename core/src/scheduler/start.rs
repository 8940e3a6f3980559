//! Starting nodes: which ready node goes next, a node's input, and a group's or a leaf's start
//! (a pinned or reused output, a disabled node, a built-in or a JS executor).

use std::cmp::Reverse;
use std::sync::Arc;

use super::cache::cached_leaf;
use super::chains::ChainRunner;
use super::leaf::{leaf_future, Executor, LeafJob};
use super::{Chains, RunHistory, RunRecording, Scheduler};
use crate::error::{ErrorCode, ExecutionError};
use crate::nodes::{Invocation, NodeInput, ParentContext};
use crate::plan::NodeIx;
use crate::progress::NodeState;

impl Scheduler {
    /// Starts ready nodes, lowest index first, up to the concurrency limit for atomic nodes,
    /// unless the run is paused (see [`super::pause`]).
    pub(super) fn start_ready(&mut self) {
        // Suspended: nothing more starts; the run ends once what runs has (see `run`).
        if self.aborted.is_some() || self.history.as_ref().is_some_and(|h| h.suspending()) {
            return;
        }
        self.drop_held_past_cutoff();
        if !self.release_held() {
            return;
        }
        let limit = self.config.concurrency.max(1);
        while let Some(&Reverse(ix)) = self.ready.peek() {
            if ix > self.cutoff || self.outside_run_to(ix) {
                self.ready.pop();
                continue;
            }
            if self.slots[ix].dead {
                // Nothing reached it (a branch not taken): skipped, taking no slot.
                self.ready.pop();
                self.skip_unreached(ix);
                continue;
            }
            let group = self.plan.nodes[ix].is_group();
            if !group && self.running_count >= limit {
                break;
            }
            if let Some(parent) = self.sequential_parent(ix) {
                if self.slots[parent].child_in_flight {
                    self.ready.pop();
                    self.deferred.push(ix);
                    continue;
                }
            }
            if let Some(hold) = self.gate(ix) {
                if self.goes_on(hold) {
                    continue;
                }
                break;
            }
            self.ready.pop();
            if let Some(parent) = self.sequential_parent(ix) {
                self.slots[parent].child_in_flight = true;
            }
            self.start_node(ix);
            if self.history.as_ref().is_some_and(|h| h.suspending()) {
                // It parked the run at a wait: nothing more starts.
                break;
            }
        }
    }

    /// The group `ix` is a child of, when that group runs its children one at a time.
    pub(super) fn sequential_parent(&self, ix: NodeIx) -> Option<NodeIx> {
        self.plan.nodes[ix].parent.filter(|&parent| self.plan.nodes[parent].sequential)
    }

    /// A sequential group's child is done: the next of its children may start.
    pub(super) fn release_sequential(&mut self, parent: NodeIx) {
        self.slots[parent].child_in_flight = false;
        let plan = &self.plan;
        let (waiting, rest): (Vec<NodeIx>, Vec<NodeIx>) =
            self.deferred.drain(..).partition(|&ix| plan.nodes[ix].parent == Some(parent));
        self.deferred = rest;
        self.ready.extend(waiting.into_iter().map(Reverse));
    }

    pub(super) fn start_node(&mut self, ix: NodeIx) {
        if self.plan.nodes[ix].kind == crate::plan::NodeKind::ForEach {
            self.start_for_each(ix);
        } else if self.plan.nodes[ix].kind == crate::plan::NodeKind::SubFlow {
            self.start_sub_flow(ix);
        } else if self.plan.nodes[ix].is_group() {
            self.start_group(ix);
        } else {
            self.start_leaf(ix);
        }
    }

    /// Edge input: one key per incoming edge whose source produced a value, later edges winning
    /// on the same key; otherwise the enclosing group's input unchanged. With it, whether it may
    /// hold values the embedder keeps (see [`Slot::js`]).
    pub(super) fn input_for(&self, ix: NodeIx) -> (NodeInput, bool) {
        let node = &self.plan.nodes[ix];
        if !node.inputs.is_empty() {
            // A `merge` that takes its first input reads that one only.
            let first = self.slots[ix].first_input.map(|k| k as usize);
            let taken = |k: usize| first.is_none_or(|first| first == k);
            let carried = || {
                node.inputs
                    .iter()
                    .enumerate()
                    .filter(move |&(k, input)| taken(k) && self.carries(input))
            };
            let delivered = NodeInput::from_entries(carried().filter_map(|(_, input)| {
                self.delivered(input).map(|out| (input.key.clone(), out))
            }));
            if !delivered.is_empty() {
                let js = carried().any(|(_, input)| {
                    let source = &self.slots[input.source];
                    source.js && source.output.is_some()
                });
                return (delivered, js);
            }
        }
        match node.parent {
            Some(group) => {
                (self.slots[group].input.clone().unwrap_or_default(), self.slots[group].js)
            }
            None => match &self.nesting.root_input {
                // A nested run's root: its item (or the sub-flow's input).
                Some(input) => (input.clone(), input.holds_js()),
                None => (self.context.input.clone(), self.run_input_js),
            },
        }
    }

    pub(super) fn start_group(&mut self, ix: NodeIx) {
        let (input, js) = self.input_for(ix);
        self.slots[ix].js = js;
        if !self.plan.nodes[ix].enabled {
            let output = Arc::new(input.to_value());
            self.skip_subtree(ix);
            self.complete(ix, Some(output), NodeState::Skipped);
            return;
        }
        if let Some(preset) = self.take_preset(ix) {
            // A pinned group: its output is given, its children do not run.
            self.slots[ix].js = preset.output.as_ref().is_some_and(|o| o.holds_js());
            self.slots[ix].status.start_time = Some(self.host.now());
            self.skip_subtree(ix);
            self.complete(ix, preset.output, NodeState::Pinned);
            return;
        }
        self.slots[ix].input = Some(input);
        self.set_state(ix, NodeState::Executing, None);
        let children = &self.plan.nodes[ix].children;
        self.slots[ix].waiting_children = u32::try_from(children.len()).unwrap_or(u32::MAX);
        for &child in children {
            if self.slots[child].waiting_predecessors == 0 {
                self.slots[child].queued = true;
                self.ready.push(Reverse(child));
            }
        }
    }

    /// A node nothing reached: skipped with no output, and so are the nodes only it reaches
    /// (its edges carry nothing), its children too when it is a group.
    pub(super) fn skip_unreached(&mut self, ix: NodeIx) {
        if self.plan.nodes[ix].kind != crate::plan::NodeKind::Leaf
            || !self.plan.nodes[ix].children.is_empty()
        {
            self.skip_subtree(ix);
        }
        self.complete(ix, None, NodeState::Skipped);
    }

    /// Marks every descendant of a disabled group skipped (they never run).
    pub(super) fn skip_subtree(&mut self, ix: NodeIx) {
        let end = self.plan.nodes[ix].subtree_end;
        let now = self.host.now();
        for descendant in ix + 1..end {
            let slot = &mut self.slots[descendant];
            slot.status.state = NodeState::Skipped;
            slot.status.progress = 100;
            slot.status.end_time = Some(now);
            if let Some(trace) = self.trace.as_mut() {
                trace.state_change(descendant, now, NodeState::Skipped, None);
            }
        }
        self.progress.add_done(self.plan.nodes[ix].leaf_weight);
        self.dirty = true;
        for descendant in ix + 1..end {
            self.publish(descendant);
        }
    }

    pub(super) fn executor_for(&mut self, ix: NodeIx) -> Option<Executor> {
        let node_type = &self.plan.nodes[ix].node_type;
        let (custom_types, registry) = (&self.custom_types, &self.registry);
        self.executors
            .entry(Arc::as_ptr(node_type).cast::<u8>() as usize)
            .or_insert_with(|| match crate::nodes::route(node_type, registry, custom_types)? {
                crate::nodes::Runtime::Embedder => Some(Executor::Custom),
                crate::nodes::Runtime::Registry(t) => {
                    Some(Executor::Builtin(t.clone(), registry.executor(node_type).cloned()))
                }
            })
            .clone()
    }

    pub(super) fn start_leaf(&mut self, ix: NodeIx) {
        let (input, input_js) = self.input_for(ix);
        if !self.plan.nodes[ix].enabled {
            // Its input passes on as its output, embedder values and all.
            self.slots[ix].js = input_js;
            let output = Arc::new(input.to_value());
            self.complete(ix, Some(output), NodeState::Skipped);
            return;
        }
        // Only history (a retry) and debugging (pins) give outputs ahead of time.
        if let Some(preset) = self.take_preset(ix) {
            // Pinned, or taken over from the run this one retries: the node does not run.
            self.slots[ix].js = preset.output.as_ref().is_some_and(|o| o.holds_js());
            self.slots[ix].status.start_time = Some(self.host.now());
            let state = if preset.pinned { NodeState::Pinned } else { NodeState::Completed };
            self.complete_as(ix, preset.output, state, !preset.pinned);
            return;
        }
        if RunHistory::parks_or_wakes(self, ix, &input) {
            return;
        }
        // The head of a chain that runs as a stream starts the whole chain (unless its input
        // holds values JS keeps, which a built-in reads only written out whole).
        if !input_js || !input.holds_js() {
            if let Some(chain) = Chains::take(&mut self.segments, ix) {
                Chains::start(self, chain, input);
                return;
            }
        }
        if let Some(history) = self.history.as_mut() {
            history.started(ix, &input);
        }
        let Some(executor) = self.executor_for(ix) else {
            let error = ExecutionError::new(
                ErrorCode::NODE_TYPE_NOT_FOUND,
                format!("No implementation found for node type: {}", self.plan.nodes[ix].node_type),
            );
            self.set_state(ix, NodeState::Executing, None);
            self.fail(ix, error);
            return;
        };
        // A JS executor's output may be a value JS keeps; a built-in's never is (its input was
        // written out in full before it ran).
        self.slots[ix].js = matches!(executor, Executor::Custom);
        let materialize = !matches!(executor, Executor::Custom) && input_js && input.holds_js();
        let node = &self.plan.nodes[ix];
        let signal = self.cancel.child();
        // Only JS executors see `parentContext`; built-ins never pay for it.
        let parent_context = match (&executor, node.parent) {
            (Executor::Custom, Some(group)) => Some(Arc::new(ParentContext {
                node_id: self.plan.nodes[group].id.clone(),
                input: self.slots[group].input.clone().unwrap_or_default(),
                run: self.context.clone(),
            })),
            _ => None,
        };
        let invocation = self.invocation(ix, input, parent_context, &signal);
        let cache = self.leaf_cache(ix, &executor, input_js);
        let job = LeafJob {
            ix,
            executor,
            host: self.host.clone(),
            weight: node.weight,
            slow_mo: self.slow_mo,
            long_running_ms: self.debug.long_running_delay(ix, &node.id),
            simulated_error: self.debug.error_for(ix, &node.id),
            simulated_panic: self.debug.panics(ix, &node.id),
            timeout_ms: node.timeout_ms,
            max_attempts: 1 + node.retries.min(self.config.max_retries),
            retry: invocation.retry,
            messages: self.messages.as_ref().map(|(sender, _)| sender.clone()),
            invocation: Some(invocation),
            materialize,
            attempts: None,
        };
        let mut job = job;
        if let Some(history) = self.history.as_mut() {
            job.max_attempts = history.attempts_left(ix, job.max_attempts);
            if job.max_attempts > 1 {
                job.attempts = Some(history.attempt_counter(ix));
            }
        }
        // A durable run stores a node's start before a node with effects is called (see
        // `history::durable`): its leaf is built only once that is done.
        let write_ahead = self
            .history
            .as_ref()
            .and_then(|history| history.write_ahead(&self.plan, ix, &job.executor));
        let leaf = move || match cache {
            Some(cache) => cached_leaf(job, cache),
            None => leaf_future(job),
        };
        self.running.push(match write_ahead {
            Some(stored) => Box::pin(async move {
                stored.await;
                leaf().await
            }),
            None => leaf(),
        });
        self.running_count += 1;
        self.slots[ix].signal = Some(signal);
        if self.slow_mo <= 0.0 {
            self.set_state(ix, NodeState::Executing, None);
        }
        self.note_span_lineage(ix);
    }
}

impl Scheduler {
    /// Where node `ix` reports what it has made so far, when its type reports.
    fn report(&self, ix: NodeIx) -> Option<crate::nodes::NodeReport> {
        let (sender, _) = self.messages.as_ref()?;
        if !self.plan.nodes[ix].reports {
            return None;
        }
        let sender = sender.clone();
        Some(crate::nodes::NodeReport::new(Arc::new(move |text| {
            // The run may have ended first: then nobody reads the text.
            let _ = sender.unbounded_send(super::leaf::LeafMessage::Text(ix, text));
        })))
    }

    /// The first attempt's invocation of node `ix`.
    pub(super) fn invocation(
        &self,
        ix: NodeIx,
        input: NodeInput,
        parent_context: Option<Arc<ParentContext>>,
        signal: &crate::host::CancelToken,
    ) -> Invocation {
        let node = &self.plan.nodes[ix];
        Invocation {
            node_id: node.id.clone(),
            node_index: self.nesting.span.unwrap_or(ix),
            own_span: self.nesting.span.is_none(),
            node_type: node.node_type.clone(),
            run: self.context.clone(),
            parameters: node.parameters.clone(),
            input,
            parent_context,
            signal: signal.clone(),
            attempt: 1,
            expression_limits: self.config.expression_limits,
            report: self.report(ix),
            flows: self.flow_calls(ix),
            retry: crate::error::RetryPolicy {
                first_delay_ms: node.retry_delay_ms.unwrap_or(self.config.retry_delay_ms),
                max_delay_ms: self.config.max_retry_delay_ms,
            },
            nested_in: self.nesting.path.clone(),
        }
    }
}
