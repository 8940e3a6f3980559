//! Every method of a session's JS class, declared once.
//!
//! Both bindings wrap a [`Session`](crate::session::Session) in a JS class (`NativeConductor`
//! in the napi addon, `WasmConductor` in the wasm module), and the TypeScript layer drives
//! either through one interface. This declaration is the only place a method is written:
//!
//! - [`session_forwarders!`](crate::session_forwarders) expands it into each binding's class
//!   (`#[napi]` or `#[wasm_bindgen]` methods forwarding to the session);
//! - a test of this crate writes the TypeScript from it
//!   (`npm/src/engines/session/methods.generated.ts`: the methods' types, their kinds and the
//!   features they need), which the session handle, the wasm module's types, the Web Worker's
//!   relay and its forwarders are built from; `scripts/generate-ts.sh` rewrites it, and the test
//!   fails while the committed file is stale.
//!
//! A method is `[kind gate "jsName"] fn name(&self, args) -> Result { body }`:
//!
//! - `kind` says how the TypeScript layer reaches it: `driving` (returns status bits; across a
//!   Web Worker, a message whose outcome comes back relayed), `relayed` (takes what a driving
//!   call left waiting; across a worker, read from what was relayed), `read` (reads the
//!   session's state at once; not available across a worker), `call` (a result at once in the
//!   page, a promise across a worker) or `promise` (a promise; the body is the session's
//!   future, and the result type is the binding's);
//! - after the JS name, `arg: Calls` says that text argument `arg` is one of the names of
//!   the enum `Calls` declares with [`named_calls!`](crate::named_calls) (`RunCommand`,
//!   `ExecutionsCall`, `CacheCall`): the session parses it, and its TypeScript type is that
//!   union, generated from the same names; where the enum declares what each call answers,
//!   the method's TypeScript result is the answer of the call it is given;
//! - last, `=> Answer` names the Rust type whose serialization the JSON text the method
//!   returns holds (inside the `{ok, value}` envelope for `promise` and `call` methods): the
//!   TypeScript of the result is then that text typed as what it decodes to
//!   (`Encoded<Outcome<Answer>>`), with `Answer`'s TypeScript generated from the same type;
//! - `gate` is the core feature the method needs (`always`, `history`): a class has it exactly when its session does;
//! - the body may use what every binding provides: `self.session` (an `Arc<Session>`),
//!   `self.enter()` (held while runs are polled: the native addon's tokio context), the type
//!   `Buffers` (binary data as the target passes it) and `from_buffers(Buffers)`.
//!
//! The methods whose Rust signatures differ between the targets (the constructor aside: `run`,
//! `setNotifier`, `takeCompleted`, `takeCalls`, `takeCallBuffers`) and the native addon's own
//! (`running`, `markCrashed`) are written in each binding; they are declared under `bespoke`
//! by their signature alone (the types as JS sees them: `Notify` is the notifier callback,
//! `CompletedRun` a finished run's object, and a `promise` method's result is what its
//! Promise gives), so the interface still comes from here.

/// The declaration, handed to the expander `$expand` (a macro of this crate) after `{context}`.
#[doc(hidden)]
#[macro_export]
macro_rules! session_methods {
    ($expand:ident { $($context:tt)* }) => {
        $crate::$expand! {
            { $($context)* }
            forwarded: [
                /// Polls every run woken since the last call; returns the status bits.
                [driving always "drive"] fn drive(&self) -> u32 {
                    let _context = self.enter();
                    self.session.drive(|| {})
                }

                /// Answers executor calls, `[[id, {ok, value?, error?}], ...]` as codec text with
                /// the binary data its tags refer to, and carries the waiting runs on; returns the
                /// status bits.
                [driving always "resolveCalls"] fn resolve_calls(&self, answers_json: String, buffers: Buffers) -> u32 {
                    let _context = self.enter();
                    self.session.resolve_calls(&answers_json, from_buffers(buffers))
                }

                /// A finished run's trace as JSON text (by the id `takeCompleted` gave); none once
                /// taken or dropped.
                [relayed always "takeTrace" => RunTrace] fn take_trace(&self, id: u32) -> Option<String> {
                    self.session.take_trace(id)
                }

                /// Forgets a trace that will not be read.
                [relayed always "dropTrace"] fn drop_trace(&self, id: u32) {
                    self.session.drop_trace(id)
                }

                /// Every waiting event, as a JSON array.
                [relayed always "takeEvents" => WireEvents] fn take_events(&self) -> String {
                    self.session.take_events()
                }

                /// The state of the run started last, as the JSON of a progress snapshot; none
                /// before any run (or after one refused before any node could run).
                [read always "runState" => ProgressSnapshot] fn run_state(&self) -> Option<String> {
                    self.session.run_state()
                }

                /// Cancels a running execution; `false` when no such run is going on.
                [call always "cancel"] fn cancel(&self, execution_id: String) -> bool {
                    self.session.cancel(&execution_id)
                }

                /// Pauses, resumes or steps (`command`) a running execution; `false` when there is
                /// no such run.
                [call always "controlRun" command: RunCommand] fn control_run(&self, execution_id: String, command: String) -> bool {
                    self.session.control_run(&execution_id, &command)
                }

                /// Deep validation: `{ok, value: {valid, errors, issues}}`; the flows its sub-flows
                /// call are looked for in the conductor's storage and templates.
                [promise always "validate" => Validated] fn validate(&self, flow_json: String, custom_types_json: String) {
                    self.session.validate(flow_json, custom_types_json)
                }

                /// `storage.saveFlow`: `{ok, value: savedFlow}`; `flowSaved` goes to the events.
                [promise always "saveFlow" => StoredFlow] fn save_flow(&self, flow_json: String) {
                    self.session.save_flow(flow_json)
                }

                /// `storage.loadFlow`.
                [promise always "loadFlow" => StoredFlow] fn load_flow(&self, id: String) {
                    self.session.load_flow(id)
                }

                /// `storage.listFlows`: `{flows, total}`.
                [promise always "listFlows" => FlowListPage] fn list_flows(&self, options_json: String) {
                    self.session.list_flows(options_json)
                }

                /// `storage.deleteFlow`; `flowDeleted` goes to the events.
                [promise always "deleteFlow" => ()] fn delete_flow(&self, id: String) {
                    self.session.delete_flow(id)
                }

                /// `executions.list` / `get` / `delete` / `prune` / `flush` by name (`arg`: options
                /// JSON or an execution id): `{ok, value}` or `{ok: false, error}`.
                [promise history "executions" call: ExecutionsCall] fn executions(&self, call: String, arg: String) {
                    self.session.executions(&call, arg)
                }

                /// `cache.clear` / `invalidate` / `stats` by name (`arg`: `{flowId?, nodeId?}`
                /// JSON for `invalidate`): `{ok, value}` or `{ok: false, error}`.
                [promise always "cache" call: CacheCall] fn cache(&self, call: String, arg: String) {
                    self.session.cache(&call, arg)
                }

                /// `triggers.activate` / `deactivate` / `list` / `fires` / `pause` / `resume` /
                /// `due` / `ended` by name (`arg`: a flow id or JSON): `{ok, value}` or `{ok:
                /// false, error}`.
                [promise history "triggers" call: TriggersCall] fn triggers(&self, call: String, arg: String) {
                    self.session.triggers(&call, arg)
                }

                /// `credentials.set` / `list` / `delete` by name (`arg`: JSON for `set`, a name for
                /// `delete`): `{ok, value}` or `{ok: false, error}`; no answer holds a value.
                [promise history "credentials" call: CredentialsCall] fn credentials(&self, call: String, arg: String) {
                    self.session.credentials(&call, arg)
                }
            ]
            bespoke: [
                /// Called (with no arguments, possibly from another thread) when something is
                /// waiting for JS outside a driving call: JS then calls `drive`.
                [bespoke always "setNotifier"] fn set_notifier(&self, notify: Notify);
                /// Starts a flow (codec text) as run `runId` with its options (codec text) and the
                /// binary data both refer to; returns the status bits. (The wasm module takes the
                /// flow as UTF-8 bytes.)
                [driving always "run"] fn run(&self, run_id: u32, flow_json: String, options_json: String, buffers: Buffers) -> u32;
                /// Finished runs: the result as codec text, its binary data, its large arrays
                /// apart, its trace id.
                [relayed always "takeCompleted"] fn take_completed(&self) -> Vec<CompletedRun>;
                /// Waiting executor calls, materialize requests and aborts, as one codec array text.
                [relayed always "takeCalls"] fn take_calls(&self) -> String;
                /// The binary data the batch `takeCalls` gave last refers to (`"i": n` tags), once.
                [relayed always "takeCallBuffers"] fn take_call_buffers(&self) -> Buffers;
                /// Execution ids of the runs going on.
                [read native "running"] fn running(&self) -> Vec<String>;
                /// Marks a recorded run still `running` as `crashed` (its worker died); false when
                /// it is not.
                [promise native "markCrashed"] fn mark_crashed(&self, execution_id: String, message: String) -> bool;
                /// Marks a recorded run still `running` whose worker was lost as `interrupted`
                /// (durable) or `crashed`; the run's status afterwards (`""`: no such run).
                [promise native "markLost"] fn mark_lost(&self, execution_id: String, message: String) -> String;
            ]
        }
    };
}
